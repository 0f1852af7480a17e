// Readable death: panic(), the report for an unexpected trap, and a backtrace
// with symbol names from the table the build embeds (tools/mksyms.py).
#include "kernel.h"
#include "mmu.h"
#include "proc.h"
#include "trap.h"
#include "x86.h"

// The build links the kernel twice: the second time with a table of the text
// symbols of the first (.ksyms section, after .text, so no function moves).
struct ksym {
    uint32_t addr;
    uint32_t name; // offset into ksyms_names
};
extern const struct ksym ksyms[] __attribute__((weak));
extern const uint32_t ksyms_count __attribute__((weak));
extern const char ksyms_names[] __attribute__((weak));

int panicking;

static const char *const trap_names[] = {
    [T_DIVIDE] = "divide error", [T_DEBUG] = "debug", [T_NMI] = "NMI",
    [T_BRKPT] = "breakpoint", [T_OFLOW] = "overflow", [T_BOUND] = "bound range",
    [T_ILLOP] = "invalid opcode", [T_DEVICE] = "device not available",
    [T_DBLFLT] = "double fault", [9] = "coprocessor overrun", [T_TSS] = "invalid TSS",
    [T_SEGNP] = "segment not present", [T_STACK] = "stack fault",
    [T_GPFLT] = "general protection fault", [T_PGFLT] = "page fault",
    [15] = "reserved", [T_FPERR] = "x87 FPU error", [T_ALIGN] = "alignment check",
    [T_MCHK] = "machine check", [T_SIMDERR] = "SIMD error",
};

// A name for vector trapno, for reports; never 0 (unknown vectors get a
// generic one).
const char *
trap_name(uint32_t trapno)
{
    if (trapno < ARRAY_SIZE(trap_names) && trap_names[trapno])
        return trap_names[trapno];
    if (trapno >= 20 && trapno < 32)
        return "reserved exception";
    if (trapno >= T_IRQ0 && trapno < T_IRQ0 + 16)
        return "hardware interrupt";
    if (trapno == T_SYSCALL)
        return "system call";
    return "unknown vector";
}

// The function containing addr: its name, and addr's offset into it.
const char *
ksym_lookup(uint32_t addr, uint32_t *offset)
{
    if (!ksyms || ksyms_count == 0 || addr < ksyms[0].addr)
        return 0;
    uint32_t lo = 0, hi = ksyms_count; // find the last entry with .addr <= addr
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (ksyms[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    *offset = addr - ksyms[lo].addr;
    return ksyms_names + ksyms[lo].name;
}

// Print addr on a line of its own, with <function+offset> when it lies in
// kernel text (below the symbol table; past it the nearest symbol would be wrong).
static void
print_addr(uint32_t addr)
{
    uint32_t off;
    const char *name = ksym_lookup(addr, &off);
    if (name && addr < (uint32_t)ksyms)
        printk("0x%08x <%s+0x%x>\n", addr, name, off);
    else
        printk("0x%08x\n", addr);
}

// Walk the chain of saved frame pointers (the kernel is built with
// -fno-omit-frame-pointer) and print each return address with its symbol.
void
backtrace(uint32_t ebp)
{
    printk("backtrace:\n");
    for (int depth = 0; depth < 16; depth++) {
        if (ebp < KERNBASE || ebp & 3 || ebp >= 0xFFFFF000u)
            break;
        uint32_t *frame = (uint32_t *)ebp;
        if (frame[1] == 0)
            break;
        printk("  #%d ", depth);
        print_addr(frame[1]);
        ebp = frame[0];
    }
}

// Print a trap frame: vector, error code, EIP with symbol, CS and its ring,
// EFLAGS, ESP, CR2, and all registers.
void
print_frame(struct trapframe *tf, int short_frame)
{
    uint32_t esp = short_frame ? (uint32_t)&tf->esp : tf->esp;
    printk("vector %u (%s), error code 0x%x\n", tf->trapno, trap_name(tf->trapno), tf->err);
    printk("eip 0x%08x ", tf->eip);
    uint32_t off;
    const char *name = ksym_lookup(tf->eip, &off);
    if (name && tf->eip < (uint32_t)ksyms)
        printk("<%s+0x%x>", name, off);
    printk("  cs 0x%x (ring %u)  eflags 0x%08x\n", tf->cs & 0xFFFF, tf->cs & 3, tf->eflags);
    printk("esp 0x%08x  ss 0x%x  cr2 0x%08x  cr3 0x%08x\n", esp,
           short_frame ? SEL_KDATA : tf->ss & 0xFFFF, rcr2(), rcr3());
    printk("eax %08x ebx %08x ecx %08x edx %08x\n", tf->eax, tf->ebx, tf->ecx, tf->edx);
    printk("esi %08x edi %08x ebp %08x  ds %x es %x fs %x gs %x\n", tf->esi, tf->edi,
           tf->ebp, tf->ds & 0xFFFF, tf->es & 0xFFFF, tf->fs & 0xFFFF, tf->gs & 0xFFFF);
}

// vformat's output for panic: straight to the console, interrupts already off.
static void
put_console(int c, void *arg)
{
    (void)arg;
    console_putc(c);
}

// Close the report and stop the machine (power_fail(POWER_PANIC)). Never returns.
static void NORETURN
panic_end(void)
{
    printk("--- end of panic; the machine halts ---\n");
    power_fail(POWER_PANIC); // under QEMU (and the test harness) the emulator exits
}

// Report a kernel bug and stop: the printf-style message, the current process
// and a backtrace, then power off with POWER_PANIC. Usable in any context;
// interrupts stay off from here on. A panic inside a panic only says so and
// stops. Never returns.
void
panic(const char *fmt, ...)
{
    cli();
    if (panicking++) { // a panic inside a panic: say so and stop
        printk("PANIC (nested)\n");
        power_fail(POWER_PANIC);
    }
    printk("\nPANIC: ");
    va_list ap;
    va_start(ap, fmt);
    vformat(put_console, 0, fmt, ap);
    va_end(ap);
    printk("\n");
    if (curproc)
        printk("current process: pid %d (%s)\n", curproc->pid, curproc->name);
    uint32_t ebp;
    __asm__ volatile("movl %%ebp, %0" : "=r"(ebp));
    backtrace(ebp);
    panic_end();
}

// An exception the kernel did not expect (in kernel code): the full report,
// then power off with POWER_PANIC. A fault during a report only says so. Never
// returns.
void
panic_trap(struct trapframe *tf)
{
    cli();
    if (panicking++) { // a fault while printing a panic: say so and stop
        printk("PANIC (nested): %s at eip 0x%08x\n", trap_name(tf->trapno), tf->eip);
        power_fail(POWER_PANIC);
    }
    printk("\nPANIC: unexpected %s in the kernel\n", trap_name(tf->trapno));
    int short_frame = !tf_from_ap(tf);
    print_frame(tf, short_frame);
    if (curproc)
        printk("current process: pid %d (%s)\n", curproc->pid, curproc->name);
    printk("  #0 ");
    print_addr(tf->eip);
    backtrace(tf->ebp);
    panic_end();
}
