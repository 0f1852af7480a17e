// Declarations shared across the kernel, grouped by the file that defines them.
#ifndef KERNEL_H
#define KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "uapi/abi.h"
#include "uapi/errno.h"

struct trapframe;
struct proc;
struct vmspace;
struct inode;
struct file;
struct multiboot_info;
struct descinfo;

#define NORETURN __attribute__((noreturn))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

// Invariant check: a broken rule is a kernel bug, so it panics naming the rule.
#define ASSERT(cond)                                                           \
    do {                                                                       \
        if (!(cond))                                                           \
            panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);  \
    } while (0)

// main.c
extern char kernel_cmdline[256];
const char *cmdline_get(const char *key);   // value of key=... or 0
uint32_t cmdline_get_uint(const char *key, uint32_t dflt); // key=N (N or 0xN), else dflt

// console.c
void console_init(void);
void console_putc(int c);
void console_write(const char *s, size_t n);
int console_read(char *dst, size_t n);      // blocks for a line; 0 at end of input
void console_input(int c);                  // from keyboard and serial interrupts
// vga.c
void vga_init(void);
void vga_putc(int c);
int vga_contains(const char *s);            // is s on the VGA text screen?
// uart.c
void uart_init(void);
void uart_putc(int c);
void uart_flush(void);                      // wait until the transmitter is empty
void uart_intr(void);
// kbd.c
void kbd_intr(void);

// printk.c
int vformat(void (*put)(int, void *), void *arg, const char *fmt, va_list ap);
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int snprintk(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct ratelimit {
    const char *what;                  // the message's kind, for the suppressed count
    uint32_t start, printed, suppressed; // the current second of ticks
};
#define RATELIMIT_BURST 10
int ratelimit_ok(struct ratelimit *rl);

// panic.c
void panic(const char *fmt, ...) NORETURN __attribute__((format(printf, 1, 2)));
void panic_trap(struct trapframe *tf) NORETURN;
void print_frame(struct trapframe *tf, int short_frame);
void backtrace(uint32_t ebp);
const char *ksym_lookup(uint32_t addr, uint32_t *offset);
const char *trap_name(uint32_t trapno);
extern int panicking;

// power.c
void poweroff(int status) NORETURN;
void power_fail(int code) NORETURN;
#define POWER_MAX 124      // statuses 0..124 reach the emulator as they are
#define POWER_PANIC 126    // after a panic: QEMU exits (126 << 1) | 1 = 253
#define POWER_NOINIT 127   // the first process could not start

// gdt.c
void gdt_init(void);
void tss_set_kstack(uint32_t esp0, uint32_t cr3);
void sysenter_init(void);
void sysenter_set_entry(int traced);
void desc_decode(uint32_t lo, uint32_t hi, struct descinfo *d);
int gdt_decode(struct descinfo *out, int max); // the GDT the CPU uses (GDTR)
int idt_decode(struct descinfo *out, int max); // the IDT the CPU uses (IDTR)
extern struct tss tss;
extern uint32_t fcall_stack;

// trap.c
void idt_init(void);
void idt_set_syscall_gate(int traced);
void trap(struct trapframe *tf);
int tf_from_ap(struct trapframe *tf);
void irq_handle(int irq);
void pushcli(void);
void popcli(void);
// timer.c
void pic_init(void);
void pic_eoi(int irq);
void pic_eoi_in_service(void);
uint16_t pic_in_service(void);
int pic_spurious(int irq);
int pic_poll(void);
void pic_unmask(int irq);
void timer_init(void);
void timer_intr(void);
extern volatile uint32_t ticks;
#define HZ 100              // timer interrupts per second
#define MS_PER_TICK (1000 / HZ)

// kalloc.c: physical frames
void frame_init(struct multiboot_info *mbi);
uint32_t frame_alloc(void);                 // physical address of a zeroed frame, or 0
void frame_free(uint32_t pa);
void frame_release(uint32_t start, uint32_t end);
void frame_pin(uint32_t pa);
void frame_unpin(uint32_t pa);
int frame_pincount(uint32_t pa);
uint32_t frames_free(void);
uint32_t frames_total(void);
uint32_t frames_pinned(void);
int vm_commit(uint32_t pages, uint32_t resident); // 0 or -ENOMEM (docs/memory.md)
void vm_uncommit(uint32_t pages, uint32_t resident);
uint32_t commit_limit(void);
uint32_t resident_limit(void);
uint32_t commit_used(void);
uint32_t commit_resident(void);
uint32_t frame_alloc_committed(void); // a resident frame, charged; 0 if refused
// The resident part of the commit, owned by kalloc.c: pages charged as
// resident now, and the limit on them (resident_limit()). A switch to and
// from Smode charges it with the two inline functions below, because they
// are on the path bench's Fig. 8 measures.
extern uint32_t nresident, nresident_max;
#define COMMIT_RESERVE 160 // the last pages, for init's line only (kalloc.c reserve_ok)

// Make n committed pages resident (a switch to Smode), or pageable again
// (vm_uncommit_resident); may_use_reserve: the process charged may dip into
// COMMIT_RESERVE. The switch passes p->reserve == RESERVE_ALL for the p it
// charges, which is curproc (the tail of its own call), so this is
// kalloc.c's reserve_ok() for it. (The method (a) build may charge another
// process; the right asked for is still that of the process charged.) No
// pushcli, as in vm_commit: kalloc.c's rule above ncommit. 0, or -ENOMEM
// with nothing changed.
static inline int
vm_commit_resident(uint32_t n, int may_use_reserve)
{
    uint32_t keep = may_use_reserve ? 0 : COMMIT_RESERVE;
    if (nresident + n + keep > nresident_max)
        return -ENOMEM;
    nresident += n;
    return 0;
}

// Undo vm_commit_resident. Panics on more than was charged.
static inline void
vm_uncommit_resident(uint32_t n)
{
    if (n > nresident)
        panic("vm_uncommit_resident: %u pages, only %u resident", n, nresident);
    nresident -= n;
}
void frame_free_committed(uint32_t pa);
extern uint32_t phystop;
// kheap.c
void kheap_init(void);
void *kmalloc(size_t n);
void *kzalloc(size_t n);
void kfree(void *p);
uint32_t kheap_used(void);

// vm.c: user address spaces (struct vmspace, proc.h)
void kvm_init(void);
void kvm_switch(void);
void *kvm_map_mmio(uint32_t pa, uint32_t size); // device memory, uncached; boot only
uint32_t *uvm_create(void);
uint32_t *walk(uint32_t *pgdir, uint32_t va, int create);
int uvm_map(uint32_t *pgdir, uint32_t va, uint32_t pa, uint32_t perm);
int uvm_alloc(struct vmspace *vm, uint32_t from, uint32_t to, uint32_t perm);
int uvm_reserve(struct vmspace *vm, uint32_t from, uint32_t to, uint32_t perm);
int uvm_each(struct vmspace *vm, int (*fn)(uint32_t va, uint32_t *pte, void *arg), void *arg);
void uvm_dealloc(struct vmspace *vm, uint32_t from, uint32_t to);
void uvm_free(struct vmspace *vm);
void uvm_adopt(struct vmspace *vm);
int uvm_copy(struct vmspace *child, struct vmspace *parent);
int uvm_load(struct vmspace *vm, uint32_t uva, const void *src, uint32_t n);
int uvm_copyout(struct vmspace *vm, uint32_t uva, const void *src, uint32_t n);
int uvm_copyin(struct vmspace *vm, void *dst, uint32_t uva, uint32_t n);
int uvm_peek(struct vmspace *vm, uint32_t va, void *dst, uint32_t n);
int uvm_pagein_all(struct vmspace *vm);
int vm_fault(struct vmspace *vm, uint32_t va, int write);
void vm_count(struct vmspace *vm, struct procinfo *pi);
void switchuvm(struct proc *p);
int copyin(struct proc *p, void *dst, uint32_t uva, uint32_t n);
int copyout(struct proc *p, uint32_t uva, const void *src, uint32_t n);
int copyinstr(struct proc *p, char *dst, uint32_t uva, uint32_t max);
extern uint32_t *kpgdir;

// proc.c
struct proc *proc_alloc(void);
void proc_start_first(const char *path, char **argv) NORETURN;
void scheduler(void) NORETURN;
extern uint64_t idle_tsc;
void sched(void);
void yield(void);
void sleep(void *chan);
void wakeup(void *chan);
int proc_fork(void);
void proc_exit(int status) NORETURN;
int proc_wait(uint32_t ustatus);
int proc_kill(int pid);
struct proc *proc_find(int pid);
int proc_list(struct procinfo *rows, int max);
void proc_fill_info(struct proc *p, struct procinfo *pi);
void proc_kill_fault(struct trapframe *tf) NORETURN;
uint32_t proc_syscalls_total(void);

// exec.c
struct proghdr;
int exec_into(struct proc *p, const char *path, char **argv);
int elf_load_segment(struct vmspace *vm, struct inode *ip, struct proghdr *ph, uint32_t base);
// dynlink.c (the kernel's dynamic linker, and shared library text)
struct elfhdr;
int dyn_link(struct vmspace *vm, struct inode *ip, struct elfhdr *eh, const char *path,
             int smode, int *trusted);
void dyn_share(struct vmspace *child, struct vmspace *parent);
void dyn_release(struct vmspace *vm);
uint32_t dyn_shared_frames(void);

// syscall.c
void syscall(struct trapframe *tf);
void syscall_check_table(void);

// mode.c (DMSM)
void syscall_tail(struct trapframe *tf); // the tail of every system call
int mode_init_modepage(struct vmspace *vm, struct proc *p);
void mode_set_receiver(int traced);
void mode_set_frame(struct trapframe *tf, int mode);
int mode_exec_check(struct proc *p, int trusted, const char *path);
void mode_exec_commit(struct proc *p, int trusted);

#ifdef DMSM_METHOD_A
int method_a_safe_now(struct proc *t, struct trapframe *tf, int mode);
#endif

// fs.c
void fs_init(struct multiboot_info *mbi);
struct inode *fs_lookup(struct inode *cwd, const char *path);
struct inode *fs_create(struct inode *cwd, const char *path, int type, int *err);
int fs_unlink(struct inode *cwd, const char *path);
int fs_link(struct inode *cwd, const char *old, const char *new);
int fs_rename(struct inode *cwd, const char *old, const char *new);
int inode_trusted(struct inode *ip);
int fs_read(struct inode *ip, uint32_t off, void *dst, uint32_t n);
int fs_write(struct inode *ip, uint32_t off, const void *src, uint32_t n);
int fs_truncate(struct inode *ip);
void fs_stat(struct inode *ip, struct stat *st);
void inode_ref(struct inode *ip);
void inode_put(struct inode *ip);
int inode_type(struct inode *ip);
uint32_t inode_size(struct inode *ip);
int fs_getdents(struct inode *dir, uint32_t *pos, struct dirent *out, uint32_t max);
uint32_t fs_dir_end(struct inode *dir);

// file.c
struct file *file_alloc(void);
struct file *file_dup(struct file *f);
void file_close(struct file *f);
int file_read(struct file *f, uint32_t uva, uint32_t n);
int file_write(struct file *f, uint32_t uva, uint32_t n);
struct file *file_console(void);
int pipe_alloc(struct file **rf, struct file **wf);
int file_poll(struct file *f, int events);
extern char poll_chan;
// sysfile.c: the caller's descriptors
struct file *fd_file(int fd);            // the open file behind fd, or 0
int fd_alloc(struct file *f);            // install f in the lowest free descriptor; -EMFILE

// socket.c (the rest of the network stack: net.h)
struct sock;
int sock_read(struct sock *s, uint32_t uva, uint32_t n);
int sock_write(struct sock *s, uint32_t uva, uint32_t n);
int sock_poll(struct sock *s, int events);
void sock_close(struct sock *s);
void net_init(void);                     // net.c: boot, after e1000_init
void net_tick(void);                     // net.c: every timer tick

// swap.c
void swap_init(void);
uint32_t frame_alloc_or_evict(void);
int swap_in(struct vmspace *vm, uint32_t slot, uint32_t pa);
int swap_read_copy(uint32_t slot, uint32_t pa);
void swap_free_slot(uint32_t slot);
uint32_t swap_slots_total(void);
uint32_t swap_slots_used(void);
extern uint32_t swap_pageins, swap_pageouts;

// ide.c
uint32_t ide_init(void);
int ide_rw_page(uint32_t lba, void *buf, int write);

// pci.c: PCI configuration space (mechanism #1), scanned once at boot
struct pci_func {
    uint8_t bus, dev, fn, irq;  // irq: the interrupt line from configuration space
    uint16_t vendor, device;
    uint32_t class;             // class, subclass, prog-if (bits 23..16, 15..8, 7..0)
    uint32_t bar[6];            // the base address registers as read (flag bits included)
};
void pci_init(void);
int pci_find(uint16_t vendor, uint16_t device, struct pci_func *out); // 1 if found
void pci_enable(struct pci_func *f);  // memory space + bus mastering on

// e1000.c: the Intel 82540EM Ethernet card (the network stack's only link)
struct e1000_stats {                 // counters since boot, for netstat
    uint32_t tx_frames, tx_bytes;    // frames handed to the card
    uint32_t tx_full;                // e1000_transmit refused: ring full
    uint32_t rx_frames, rx_bytes;    // frames given to the receiver
    uint32_t rx_dropped;             // received with no receiver set
    uint32_t rx_errors;              // bad frames the card flagged (not passed on)
    uint32_t rx_overruns;            // RXO: the card lost frames (ring full)
    uint32_t interrupts, link_changes;
};
void e1000_init(void);               // boot, after pci_init
int e1000_present(void);
void e1000_mac(uint8_t mac[6]);
int e1000_transmit(const void *frame, uint32_t len); // 0, -ENOSPC, -EINVAL, -EIO
void e1000_set_receiver(void (*rx)(const void *frame, uint32_t len));
const struct e1000_stats *e1000_stats(void);
int e1000_irq(void);                 // its IRQ line, or -1
void e1000_intr(void);               // from irq_serve

// selftest.c
void selftest_run(const char *name) NORETURN;

// string.c
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
size_t strlcpy(char *dst, const char *src, size_t n);
char *strstr(const char *h, const char *n);

#endif
