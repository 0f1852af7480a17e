// exec: replace a process's program with an i386 ELF executable from the
// file system, static or dynamically linked (dynlink.c binds it and maps its
// libraries before its first instruction). The process keeps its pid, files and mode: an Smode
// process stays Smode and its new address space is resident (docs/dmsm.md).
//
// The new user space:
//   MODEPAGE (0xBFFFF000)  the coexistence control area, read-only for the AP
//   0xBFFFE000             gap page (unmapped)
//   USTACKTOP ..           the stack, 64 KiB reserved, argv at the top
//   USTACKBASE - 4 KiB     guard page (never mapped)
//   LIBBASE ..             shared libraries (dynlink.c), up to the guard page
//   ... heap (sbrk) grows up from the end of the program ...
//   USERBASE (4 MiB)       the program's segments
#include "kernel.h"
#include "elf.h"
#include "mmu.h"
#include "proc.h"
#include "trace.h"
#include "trap.h"

#define MAXARG 32

// Load one PT_LOAD segment ph of the file ip into vm at base + its vaddr,
// as private pages (the program's, or a library's writable segment,
// dynlink.c): fresh zeroed pages, the file's bytes copied in. The caller
// has checked ph. 0, -ENOMEM, or -ENOEXEC if the file is short.
int
elf_load_segment(struct vmspace *vm, struct inode *ip, struct proghdr *ph, uint32_t base)
{
    uint32_t start = base + PGROUNDDOWN(ph->vaddr), stop = base + PGROUNDUP(ph->vaddr + ph->memsz);
    uint32_t perm = PTE_U | (ph->flags & PF_W ? PTE_W : 0);
    int r = uvm_alloc(vm, start, stop, perm);
    if (r < 0)
        return r;
    // copy the file's bytes in (uvm_load pages in what was paged out
    // meanwhile, and writes read-only pages too)
    char buf[512];
    for (uint32_t done = 0; done < ph->filesz;) {
        uint32_t chunk = MIN(ph->filesz - done, sizeof(buf));
        if (fs_read(ip, ph->off + done, buf, chunk) != (int)chunk)
            return -ENOEXEC;
        if (uvm_load(vm, base + ph->vaddr + done, buf, chunk) < 0)
            return -ENOMEM;
        done += chunk;
    }
    return 0;
}

// Copy the program's ELF segments into the new address space vm. *end: the
// end of what is mapped so far (uvm_free finds it all on failure).
static int
load_segments(struct vmspace *vm, struct inode *ip, struct elfhdr *eh, uint32_t *end)
{
    *end = USERBASE;
    for (int i = 0; i < eh->phnum; i++) {
        struct proghdr ph;
        uint32_t off = eh->phoff + i * sizeof(ph);
        if (fs_read(ip, off, &ph, sizeof(ph)) != sizeof(ph))
            return -ENOEXEC;
        if (ph.type != PT_LOAD || ph.memsz == 0)
            continue;
        if (ph.memsz < ph.filesz || ph.vaddr < USERBASE || ph.vaddr + ph.memsz < ph.vaddr ||
            ph.vaddr + ph.memsz > UHEAPMAX || ph.vaddr % PGSIZE != ph.off % PGSIZE)
            return -ENOEXEC;
        if (PGROUNDDOWN(ph.vaddr) < *end) // segments must not share pages (user.ld aligns them)
            return -ENOEXEC;
        int r = elf_load_segment(vm, ip, &ph, 0);
        *end = PGROUNDUP(ph.vaddr + ph.memsz); // from here on uvm_free (on failure) finds these pages
        if (r < 0)
            return r;
    }
    return *end > USERBASE ? 0 : -ENOEXEC;
}

// Lay out argc, argv and the strings at the top of the new stack, as if
// _start(argc, argv) had been called: [0 (return address)] [argc] [argv].
// Sets *espp to the initial ESP; 0 or -E2BIG.
static int
push_args(struct vmspace *vm, char **argv, uint32_t *espp)
{
    uint32_t sp = USTACKTOP, uargv[MAXARG + 1];
    int argc = 0;
    for (; argv[argc]; argc++) {
        if (argc >= MAXARG)
            return -E2BIG;
        uint32_t len = strlen(argv[argc]) + 1;
        sp = (sp - len) & ~3u;
        if (sp < USTACKTOP - 2 * PGSIZE || uvm_copyout(vm, sp, argv[argc], len) < 0)
            return -E2BIG;
        uargv[argc] = sp;
    }
    uargv[argc] = 0;
    uint32_t words[3] = {0, (uint32_t)argc, 0};
    sp -= (argc + 1) * 4;
    if (uvm_copyout(vm, sp, uargv, (argc + 1) * 4) < 0)
        return -E2BIG;
    words[2] = sp;
    sp -= sizeof(words);
    if (uvm_copyout(vm, sp, words, sizeof(words)) < 0)
        return -E2BIG;
    *espp = sp;
    return 0;
}

// Read ip's ELF header into eh: 0, or -ENOEXEC unless it is an i386
// executable (ET_EXEC) of 32-bit class.
static int
read_header(struct inode *ip, struct elfhdr *eh)
{
    if (inode_type(ip) != T_FILE || fs_read(ip, 0, eh, sizeof(*eh)) != sizeof(*eh))
        return -ENOEXEC;
    if (eh->magic != ELF_MAGIC || eh->class != ELFCLASS32 || eh->machine != EM_386 ||
        eh->type != ET_EXEC)
        return -ENOEXEC;
    return 0;
}

// Build process p's new address space in img, from the program ip (header
// eh) with argv: the segments, the stack (the top page now, the rest on
// touch, in both modes: an Smode program's first touch of a lazy stack page
// double-faults, and the double-fault task maps it, trap.c double_fault),
// the control area, and the arguments; *esp gets the initial ESP. The space
// is resident if p's is (an Smode process stays Smode): the clock passes
// over an Smode image too. Its frames name img as their owner, so that
// paging (swap.c) finds them through img's page directory while p still
// runs on its old one. A dynamically linked program gets its libraries and
// its relocations bound (dynlink.c); *trusted is cleared if a library is
// not from a trusted tree. 0, or a negative errno with img freed.
static int
build_image(struct vmspace *img, struct proc *p, struct inode *ip, struct elfhdr *eh,
            const char *path, char **argv, uint32_t *esp, int *trusted)
{
    memset(img, 0, sizeof(*img));
    img->pid = p->pid;
    img->resident = p->vm.resident;
    img->pgdir = uvm_create();
    if (!img->pgdir)
        return -ENOMEM;
    uint32_t end = 0;
    int r = load_segments(img, ip, eh, &end);
    img->brk = img->heap_start = end; // uvm_each (and so uvm_free) walks [USERBASE, brk)
    if (r == 0) // a dynamically linked program: its libraries, its relocations
        r = dyn_link(img, ip, eh, path, p->mode == MODE_SMODE, trusted);
    if (r == 0)
        r = uvm_alloc(img, USTACKTOP - PGSIZE, USTACKTOP, PTE_U | PTE_W);
    if (r == 0)
        r = uvm_reserve(img, USTACKBASE, USTACKTOP - PGSIZE, PTE_U | PTE_W);
    if (r == 0)
        r = mode_init_modepage(img, p);
    if (r == 0)
        r = push_args(img, argv, esp);
    if (r < 0)
        uvm_free(img);
    return r;
}

// Give p the address space img in place of its own, which is freed: img
// becomes p->vm (the frames' owner too), with the counts of p's process
// life carried over. Nothing may allocate a frame between the copy and the
// end: the old space's frames still name p->vm as their owner until freed.
static void
install_image(struct proc *p, struct vmspace *img)
{
    struct vmspace old = p->vm;
    img->faults += old.faults;
    img->pageins += old.pageins;
    img->pageouts += old.pageouts;
    img->walked += old.walked;
    p->vm = *img;
    uvm_adopt(&p->vm);
    if (p == curproc) {
        switchuvm(p);
        __asm__ volatile("fninit"); // a new program starts with a clean x87
    }
    if (old.pgdir)
        uvm_free(&old);
}

// Load path into process p, with argv (kernel strings, NULL-terminated).
// On success p runs the new program when it next returns from the kernel:
// p->tf's EIP and ESP are set; its CS/SS stay as they are, so the process
// keeps its mode; a pending mode request is cancelled. An Smode process may
// run only a trusted program (-EPERM otherwise). On failure p is unchanged.
// Returns 0 or a negative errno.
int
exec_into(struct proc *p, const char *path, char **argv)
{
    struct inode *ip = fs_lookup(p->cwd, path);
    if (!ip)
        return -ENOENT;
    struct elfhdr eh;
    int trusted = inode_trusted(ip); // the trust rule (mode.c, docs/dmsm.md)
    int r = read_header(ip, &eh);
    if (r == 0)
        r = mode_exec_check(p, trusted, path);
    // A child of init's child (the `kill` a shell forks) may use the commit
    // reserve for this one exec (kalloc.c reserve_ok), never after it.
    int reserve = p->reserve;
    if (reserve == RESERVE_EXEC)
        p->reserve = RESERVE_ALL;
    struct vmspace img;
    uint32_t esp = 0;
    if (r == 0)
        r = build_image(&img, p, ip, &eh, path, argv, &esp, &trusted);
    inode_put(ip);
    p->reserve = reserve == RESERVE_EXEC && r == 0 ? RESERVE_NONE : reserve;
    if (r < 0)
        return r;

    install_image(p, &img);
    p->tf->eip = eh.entry;
    p->tf->esp = esp;
    p->tf->eflags = FL_IF | FL_RESERVED1; // a new program starts with clean flags
    mode_exec_commit(p, trusted); // and no mode request made for the old one
    const char *last = path;
    for (const char *s = path; *s; s++)
        if (*s == '/')
            last = s + 1;
    strlcpy(p->name, last, sizeof(p->name));
    if (TRACE_ON(TR_EXEC))
        trace_exec(p);
    return 0;
}
