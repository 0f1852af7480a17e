// Trap dispatch: the IDT, the C side of every interrupt, exception and
// `int 0x80`, the double-fault task, and interrupt-enable nesting.
#include <stddef.h>
#include "kernel.h"
#include "mmu.h"
#include "proc.h"
#include "trace.h"
#include "trap.h"
#include "x86.h"

_Static_assert(offsetof(struct trapframe, edi) == TF_EDI, "TF_EDI out of step with trapasm.asm");
_Static_assert(offsetof(struct trapframe, ebp) == TF_EBP, "TF_EBP out of step");
_Static_assert(offsetof(struct trapframe, eax) == TF_EAX, "TF_EAX out of step");
_Static_assert(offsetof(struct trapframe, gs) == TF_GS, "TF_GS out of step");
_Static_assert(offsetof(struct trapframe, trapno) == TF_TRAPNO, "TF_TRAPNO out of step");
_Static_assert(offsetof(struct trapframe, err) == TF_ERR, "TF_ERR out of step");
_Static_assert(offsetof(struct trapframe, eip) == TF_EIP, "TF_EIP out of step");
_Static_assert(offsetof(struct trapframe, cs) == TF_CS, "TF_CS out of step");
_Static_assert(offsetof(struct trapframe, eflags) == TF_EFLAGS, "TF_EFLAGS out of step");
_Static_assert(offsetof(struct trapframe, esp) == TF_ESP, "TF_ESP out of step");
_Static_assert(offsetof(struct trapframe, ss) == TF_SS, "TF_SS out of step");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "TF_SIZE out of step");
_Static_assert(offsetof(struct trapframe, esp) == TF_KERNEL_SIZE, "TF_KERNEL_SIZE out of step");
_Static_assert(offsetof(struct tss, esp0) == 4, "trapasm.asm reads TSS.esp0 at offset 4");

static struct gatedesc idt[256];
extern uint32_t vectors[48];      // trapasm.asm
extern uint32_t vector_syscall;   // trapasm.asm
extern void vector_syscall_traced(void); // tracesys.asm
extern struct tss df_tss;         // gdt.c
extern void sysenter_entry(void), sysenter_entry_traced(void); // sysenter.asm, tracesys.asm
extern char trapret_apstack[], trapret_apstack_end[]; // trapasm.asm
extern char trapentry_apstack[], trapentry_apstack_end[];
extern char fcall_entry[], fcall_apstack_end[]; // fcall.asm
extern char fcall_entry_traced[], fcall_traced_apstack_end[]; // its traced twin, tracesys.asm

// Fill IDT entry n: a present gate of type (GATE_INT32 or GATE_TASK) to
// handler in segment sel; a software int reaches it only from rings 0..dpl.
static void
set_gate(int n, uint32_t handler, uint16_t sel, int type, int dpl)
{
    idt[n] = (struct gatedesc){
        .off_lo = handler & 0xFFFF,
        .sel = sel,
        .type_attr = 0x80 | (dpl << 5) | type,
        .off_hi = handler >> 16,
    };
}

// Every gate is an interrupt gate (IF cleared on entry): alltraps must finish
// moving an Smode AP's frame to the kernel stack before anything can interrupt
// it. System calls then turn interrupts back on (syscall.c). Vector 0x80 is
// reachable from ring 3 (DPL 3); vector 8 is a task gate to the double-fault TSS.
void
idt_init(void)
{
    for (int i = 0; i < 48; i++)
        set_gate(i, vectors[i], SEL_KCODE, GATE_INT32, DPL_KERNEL);
    // BEGIN LAB 5: the double-fault task gate
    // STUB: (void)df_tss;
    set_gate(T_DBLFLT, 0, SEL_DFTSS, GATE_TASK, DPL_KERNEL);
    // END LAB 5
    // BEGIN LAB 1: the interrupt receiver's gate, reachable from ring 3
    // STUB: (void)vector_syscall;
    set_gate(T_SYSCALL, vector_syscall, SEL_KCODE, GATE_INT32, DPL_USER);
    // END LAB 1
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) idtr = {sizeof(idt) - 1, (uint32_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
    // No LDT: load the null selector into LDTR. Left at its reset value
    // (base 0, limit 0xFFFF), a selector with TI=1 would be looked up at
    // linear address 0 (a page fault) instead of raising a GPF.
    __asm__ volatile("lldt %w0" : : "r"(0));
}

// Point the gate of vector 0x80 at vector_syscall_traced (traced) or at
// the interrupt receiver (trace.c). The CPU reads the gate at each
// delivery, so the change takes effect at the next int 0x80.
void
idt_set_syscall_gate(int traced)
{
    set_gate(T_SYSCALL, traced ? (uint32_t)vector_syscall_traced : vector_syscall, SEL_KCODE,
             GATE_INT32, DPL_USER);
}

// Is tf the outermost frame of a process, that is, did it interrupt AP code
// (a Umode AP in ring 3 or an Smode AP in ring 0)? Such a frame ends exactly
// at the top of the kernel stack; a frame of interrupted kernel code lies
// below it. (No kernel code runs with interrupts on in the top TF_SIZE bytes
// of a kernel stack: that slot is reserved for this frame, see fcall.asm.)
int
tf_from_ap(struct trapframe *tf)
{
    if (SEL_RPL(tf->cs) == DPL_USER)
        return 1;
    // BEGIN LAB 5: the stack-pointer test
    // STUB: return 0; // ring 0: never AP code (so an Smode program is never preempted)
    return (uint32_t)tf + TF_SIZE == tss.esp0 && curproc != 0;
    // END LAB 5
}

// Interrupt-enable nesting: pushcli/popcli pairs may nest; the outermost
// popcli restores the IF the outermost pushcli found.
void
pushcli(void)
{
    uint32_t eflags = read_eflags();
    cli();
    if (cpu.ncli++ == 0)
        cpu.intena = eflags & FL_IF;
}

// Undo one pushcli. Panics if interrupts are on (something enabled them inside
// the section) or if no pushcli is held.
void
popcli(void)
{
    if (read_eflags() & FL_IF)
        panic("popcli: interrupts enabled");
    if (--cpu.ncli < 0)
        panic("popcli: unbalanced");
    if (cpu.ncli == 0 && cpu.intena)
        sti();
}

// Serve the device behind IRQ irq: the one place that knows which handler
// goes with which line. Interrupts off.
static void
irq_serve(int irq)
{
    switch (irq) {
    case IRQ_TIMER:
        timer_intr();
        break;
    case IRQ_KBD:
        kbd_intr();
        break;
    case IRQ_COM1:
        uart_intr();
        break;
    default: // the e1000's PCI line, IDE (polled), or a line nobody enabled
        if (irq == e1000_irq())
            e1000_intr();
        break;
    }
}

// One delivery of IRQ irq: serve its device, then acknowledge it at the PIC,
// unless it is a spurious IRQ 7 or 15 (pic_spurious), which must not be
// acknowledged. From trap() (and selftest), interrupts off.
void
irq_handle(int irq)
{
    if (pic_spurious(irq))
        return;
    irq_serve(irq);
    pic_eoi(irq);
}

// trapret found the outermost frame of an Smode AP whose ESP is above
// AP_STACK_TOP: the AP pointed its stack into kernel space (trap.h,
// RING0_IS_AP). Writing the ring-0 return frame below that ESP would write
// kernel memory on the program's behalf: kill it instead. Interrupts off.
void ap_stack_kill(struct trapframe *tf) NORETURN;

void
ap_stack_kill(struct trapframe *tf)
{
    struct proc *p = curproc;
    printk("pid %d (%s): killed by stack fault (vector %d) at eip 0x%08x: "
           "Smode stack pointer 0x%08x is not a user address\n",
           p->pid, p->name, T_STACK, tf->eip, tf->esp);
    proc_exit(WAIT_KILLED_BIT | T_STACK);
}

// A page fault of p's: let demand paging resolve it (vm_fault's result).
// (Not inlined: trap()'s system-call path stays as lean as without the trace.)
static int __attribute__((noinline))
page_fault(struct proc *p, struct trapframe *tf)
{
    uint32_t va = rcr2();
    int r = vm_fault(&p->vm, va, tf->err & 2);
    TRACE(TR_FAULT, va, (tf->err & 2) != 0, (uint32_t)r, tf->eip);
    return r;
}

// An exception nothing resolved: in AP code it kills only that process
// (with a line saying why); in the kernel it is a kernel bug.
static void NORETURN
trap_fault(struct trapframe *tf, int from_ap)
{
    if (from_ap)
        proc_kill_fault(tf);
    panic_trap(tf);
}

// A page fault (vector 14). Demand paging resolves a lazy page or a page on
// swap; otherwise the faulting program is killed: for want of memory, for
// a bad address, or, in the kernel, because trapret could not write the
// 3-word return frame below an Smode AP's stack pointer (a function-receiver
// call or a switch to Smode with fewer than 12 bytes of stack left). Any
// other page fault in the kernel is a kernel bug.
static void
trap_page_fault(struct proc *p, struct trapframe *tf, int from_ap)
{
    int r = p ? page_fault(p, tf) : -EFAULT;
    if (r == 0)
        return;
    if (from_ap && r == -ENOMEM) {
        printk("pid %d (%s): killed: out of memory and swap (page fault at 0x%08x)\n", p->pid,
               p->name, rcr2());
        proc_exit(WAIT_KILLED_BIT | T_PGFLT);
    }
    if (!from_ap && p && tf->eip >= (uint32_t)trapret_apstack &&
        tf->eip < (uint32_t)trapret_apstack_end) {
        printk("pid %d (%s): killed by page fault (vector %d) at addr 0x%08x: "
               "Smode stack overflow (no room for the return to ring 0)\n",
               p->pid, p->name, T_PGFLT, rcr2());
        proc_exit(WAIT_KILLED_BIT | T_PGFLT);
    }
    trap_fault(tf, from_ap);
}

// Is eip the first instruction of a sysenter entry (traced or not)?
static int
is_sysenter_entry(uint32_t eip)
{
    return eip == (uint32_t)sysenter_entry || eip == (uint32_t)sysenter_entry_traced;
}

// The frame's own rules, checked on every entry but a system call's:
// AP code runs in the ring of its mode, and alltraps classified a ring-0
// frame as trap.h's stack-pointer rule says.
static void
trap_check_frame(struct proc *p, struct trapframe *tf, int from_ap)
{
    if (from_ap)
        ASSERT((SEL_RPL(tf->cs) == DPL_USER) == (p->mode == MODE_UMODE)); // ring = mode
    if (SEL_RPL(tf->cs) == 0)
        ASSERT(RING0_IS_AP(tf->eip, from_ap ? tf->esp : (uint32_t)&tf->esp) == from_ap);
}

// On the way back from an interrupt or exception of p's: AP code (either
// ring) dies here if it was killed, and is preempted by the timer; kernel
// code is never preempted, so a tick there only asks for a yield at the
// tail of its system call.
static void
trap_tail(struct proc *p, struct trapframe *tf, int from_ap)
{
    int timer = tf->trapno == T_IRQ0 + IRQ_TIMER;
    if (!from_ap) {
        if (timer) {
            TRACE(TR_TICK, TR_TICK_KERNEL, tf->eip, 0, 0);
            TW_SET(p, TW_RESCHED);
        }
        return;
    }
    if (p->killed)
        proc_exit(p->killed);
    if (timer && p->state == RUNNING) {
        TRACE(TR_TICK, SEL_RPL(tf->cs) ? TR_TICK_AP3 : TR_TICK_AP0, tf->eip, 0, 0);
#ifdef DMSM_METHOD_A
        p->ap_frame = tf; // preempted in AP code: method (a) switches it here
#endif
        yield();
#ifdef DMSM_METHOD_A
        p->ap_frame = 0;
#endif
        if (p->killed) // killed while it waited for the CPU
            proc_exit(p->killed);
    }
}

// The C side of every entry but the function receiver's fast path. Runs on
// the kernel stack with interrupts off. For a frame from AP code, this is
// also where the process may be killed or preempted on the way out.
void
trap(struct trapframe *tf)
{
    if (tf->trapno == T_SYSCALL) {
        syscall(tf); // its tail (mode switch, kill, resched) is in syscall_tail
        return;
    }
    if (tf->trapno == T_SYSCALL_TRACED) {
        trace_syscall(tf); // the same, with the trace's events around it
        return;
    }
    struct proc *p = curproc;
    int from_ap = tf_from_ap(tf);
    trap_check_frame(p, tf, from_ap);

    switch (tf->trapno) {
    case T_IRQ0 ... T_IRQ0 + 15:
        irq_handle(tf->trapno - T_IRQ0);
        break;
    case T_PGFLT:
        trap_page_fault(p, tf, from_ap);
        break;
    case T_DEVICE:
        // The double-fault task's switches (there and back) set CR0.TS; this
        // kernel saves x87 state eagerly, so the flag means nothing: clear it.
        if (!(rcr0() & CR0_TS))
            trap_fault(tf, from_ap);
        clts();
        return;
    case T_DEBUG:
        // A program ran sysenter with TF set: the single-step trap lands on
        // the kernel's first instruction. Clear TF and go on (as Linux does).
        if (from_ap || !is_sysenter_entry(tf->eip))
            trap_fault(tf, from_ap);
        tf->eflags &= ~FL_TF;
        return;
    default:
        trap_fault(tf, from_ap);
    }
    if (p)
        trap_tail(p, tf, from_ap);
}

// The IRQ whose delivery double-faulted, if one did, never reached trap().
// Serve its device before the EOI: the UART and the 8042 hold their line high
// until read, and the edge-triggered PIC would never interrupt again for them
// (console input dead for good). Interrupts off; no IRQ may be in trap().
static void
df_serve_lost_irq(void)
{
    uint16_t isr = pic_in_service();
    for (int irq = 0; irq < 16; irq++)
        if (irq != IRQ_CASCADE && (isr & (1u << irq)))
            irq_serve(irq);
    pic_eoi_in_service();
}

// An Smode AP's stack grows on demand (the high anchor, docs/memory.md): the
// first touch of a lazy page of its stack in ring 0 is a page fault whose
// delivery pushes on that same page, hence a double fault. If the failed
// push (CR2) lies in a lazy page of the stack reservation, just below the
// interrupted ESP, map that page and resume the interrupted instruction
// unchanged: it runs again, now with room for its own fault, if any. An IRQ
// whose delivery double-faulted never reached trap(): serve it, unless
// the fault came from the entry stubs' own pushes (an IRQ on its way to trap(),
// which acknowledges it). Runs in the double-fault task. Returns 1 if resumed.
static int
df_grow_stack(struct proc *p)
{
    uint32_t va = rcr2();
    if (va < USTACKBASE || va >= USTACKTOP || va >= tss.esp || tss.esp - va > 32)
        return 0;
    if (vm_fault(&p->vm, va, 1) < 0) // not lazy (the guard is outside), or no memory
        return 0;
    if (tss.eip < (uint32_t)trapentry_apstack || tss.eip >= (uint32_t)trapentry_apstack_end)
        df_serve_lost_irq();
    return 1;
}

// The double-fault task's C side. The main TSS holds the interrupted state.
// An Smode AP whose stack delivery failed (ring 0, and RING0_IS_AP: an ESP
// at or below AP_STACK_TOP, or AP code whose ESP points into kernel space)
// either grows its stack (df_grow_stack) or is killed: rewrite the main
// task's state so that the task return resumes in df_kill on the process's
// empty kernel stack. Anything else is a kernel bug.
void double_fault(void);
static void df_kill(void);
static uint32_t df_eip, df_esp; // where the Smode AP was when it double-faulted

void
double_fault(void)
{
    struct proc *p = curproc;
    // Kernel code still on the AP's stack is the AP's too: the function
    // receiver's first instructions, reached with any ESP the AP had (a tick
    // there with an ESP above KERNBASE would otherwise look like the kernel).
    int on_ap_stack =
        (tss.eip >= (uint32_t)fcall_entry && tss.eip < (uint32_t)fcall_apstack_end) ||
        (tss.eip >= (uint32_t)fcall_entry_traced && tss.eip < (uint32_t)fcall_traced_apstack_end);
    if (p && p->mode == MODE_SMODE && SEL_RPL(tss.cs) == 0 &&
        (RING0_IS_AP(tss.eip, tss.esp) || on_ap_stack)) {
        if (df_grow_stack(p))
            return; // the task return resumes the AP where it was
        df_eip = tss.eip;
        df_esp = tss.esp;
        tss.eip = (uint32_t)df_kill;
        tss.cs = SEL_KCODE;
        tss.esp = tss.esp0;
        tss.ebp = 0;
        tss.ss = tss.ds = tss.es = SEL_KDATA;
        tss.fs = tss.gs = 0;
        tss.eflags = 0x2; // interrupts off
        return; // the task return (NT, set by the CPU) resumes the main task
    }
    panicking++;
    printk("\nPANIC: double fault (vector 8) in the kernel\n");
    printk("eip 0x%08x  cs 0x%x (ring %u)  eflags 0x%08x\n", tss.eip, tss.cs, tss.cs & 3, tss.eflags);
    uint32_t off;
    const char *name = ksym_lookup(tss.eip, &off);
    if (name)
        printk("  in %s+0x%x\n", name, off);
    printk("esp 0x%08x  ss 0x%x  cr2 0x%08x\n", tss.esp, tss.ss, rcr2());
    printk("eax %08x ebx %08x ecx %08x edx %08x\n", tss.eax, tss.ebx, tss.ecx, tss.edx);
    printk("esi %08x edi %08x ebp %08x\n", tss.esi, tss.edi, tss.ebp);
    if (p)
        printk("current process: pid %d (%s)\n", p->pid, p->name);
    printk("--- end of panic; the machine halts ---\n");
    power_fail(POWER_PANIC);
}

// Resumed by the double-fault task in place of the overflowing Smode AP.
static void
df_kill(void)
{
    struct proc *p = curproc;
    clts();          // the task switches set CR0.TS: x87 use would fault
    df_serve_lost_irq();
    TRACE(TR_DFKILL, df_eip, df_esp, 0, 0);
    printk("pid %d (%s): killed by double fault (vector %d) at eip 0x%08x, esp 0x%08x: "
           "Smode stack overflow\n",
           p->pid, p->name, T_DBLFLT, df_eip, df_esp);
    proc_exit(WAIT_KILLED_BIT | T_DBLFLT);
}
