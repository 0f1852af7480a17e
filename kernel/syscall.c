// The system-call table and its dispatcher, shared by both receivers: the
// interrupt receiver (`int 0x80`, trapasm.asm -> trap() -> syscall()) and the
// function receiver (fcall.asm, which calls table entries directly on its
// fast path and comes here on its slow path).
#include <stddef.h>
#include "kernel.h"
#include "mmu.h"
#include "proc.h"
#include "syscall.h"
#include "trace.h"
#include "trap.h"
#include "x86.h"
#include "uapi/sysnum.h"

_Static_assert(sizeof(struct syscall_entry) == SCE_SIZE, "SCE_SIZE out of step with fcall.asm");
_Static_assert(offsetof(struct syscall_entry, flags) == SCE_FLAGS, "SCE_FLAGS out of step");
_Static_assert(TF_ERR_FCALL == 1, "syscall() counts int 0x80 frames as those with err < TF_ERR_FCALL");

// Every number of the list is below NSYSCALL, which is one more than the
// count: so the numbers run from 1 with no gap (a number used twice is an
// error too: -Woverride-init in syscall_names below).
#define CHECK_NUMBER(nr, name, stub, params) \
    _Static_assert(nr >= 1 && nr < NSYSCALL, "uapi/syscalls.h: " #name "'s number leaves a gap");
#define SYSCALL CHECK_NUMBER
#include "uapi/syscalls.h"
#undef SYSCALL

// Each entry: the handler, and SC_FRAME if it needs the caller's full trap
// frame (it reads or rewrites the registers the process returns with). The
// handler must have its prototype (syscall.h, from the list): a name that is
// not in the list does not compile. The casts give every entry the
// five-argument type the receivers call it with (cdecl: a handler with
// fewer parameters ignores the extra words; void (*)(void) is the type GCC
// lets any function pointer pass through).
#define ENTRY(name, flags) [SYS_##name] = {(syscall_fn)(void (*)(void))sys_##name, flags}
static int sys_past_the_table(void);

// The slot past the end, [NSYSCALL], is a sentinel: the fast paths
// (fcall.asm, sysenter.asm) test the number before they index, and one that
// tested it off by one would call sys_past_the_table, which names the bug.
const struct syscall_entry syscalls[NSYSCALL + 1] = {
    [0] = {0, SC_FRAME},
    ENTRY(exit, 0),        ENTRY(fork, SC_FRAME),  ENTRY(exec, SC_FRAME),
    ENTRY(wait, 0),        ENTRY(getpid, 0),       ENTRY(getppid, 0),
    ENTRY(kill, 0),        ENTRY(sleep, 0),        ENTRY(uptime, 0),
    ENTRY(yield, 0),       ENTRY(read, 0),         ENTRY(write, 0),
    ENTRY(open, 0),        ENTRY(close, 0),        ENTRY(lseek, 0),
    ENTRY(stat, 0),        ENTRY(fstat, 0),        ENTRY(getdents, 0),
    ENTRY(mkdir, 0),       ENTRY(unlink, 0),       ENTRY(sbrk, 0),
    ENTRY(dup, 0),         ENTRY(dup2, 0),         ENTRY(pipe, 0),
    ENTRY(chdir, 0),       ENTRY(procinfo, 0),     ENTRY(switch_supervisor, 0),
    ENTRY(switch_user, 0), ENTRY(modeinfo, 0),     ENTRY(nopromote, 0),
    ENTRY(poweroff, 0),    ENTRY(vmstat, 0),       ENTRY(link, 0),
    ENTRY(rename, 0),      ENTRY(poll, 0),         ENTRY(tracectl, 0),
    ENTRY(socket, 0),      ENTRY(bind, 0),         ENTRY(listen, 0),
    ENTRY(accept, 0),      ENTRY(connect, 0),      ENTRY(shutdown, 0),
    ENTRY(setsockopt, 0),  ENTRY(sendto, 0),       ENTRY(recvfrom, 0),
    ENTRY(getsockname, 0), ENTRY(netstat, 0),
    [NSYSCALL] = {(syscall_fn)(void (*)(void))sys_past_the_table, 0},
    // BEGIN LAB 2: the table entry of your own system call
    // STUB: [SYS_sysinfo] = {0, SC_FRAME},
    ENTRY(sysinfo, 0),
    // END LAB 2
};

// The names, for messages and the trace.
const char *const syscall_names[NSYSCALL] = {
#define SYSCALL(nr, name, stub, params) [nr] = #name,
#include "uapi/syscalls.h"
#undef SYSCALL
};

// The sentinel's handler: a receiver indexed the table with NSYSCALL, its
// number test off by one (a kernel bug).
static int
sys_past_the_table(void)
{
    panic("system call %u reached the table's sentinel: a receiver's number test is off by one",
          NSYSCALL);
}

// Check the rule above: every slot has a handler or the SC_FRAME flag.
void
syscall_check_table(void)
{
    for (uint32_t nr = 0; nr < NSYSCALL; nr++)
        if (!syscalls[nr].fn && !(syscalls[nr].flags & SC_FRAME))
            panic("system call %u has no handler and no SC_FRAME: the fast paths would "
                  "jump to 0", nr);
}

// Dispatch the system call described by tf (number in EAX, arguments in
// EBX, ECX, EDX, ESI, EDI; result to EAX), then do its tail. Entered with
// interrupts off; handlers run with interrupts on.
void
syscall(struct trapframe *tf)
{
    struct proc *p = curproc;
    uint32_t nr = tf->eax;
    p->tf = tf;
    p->syscalls++; // (the fast paths in fcall.asm and sysenter.asm count their own)
    p->int80 += tf->err < TF_ERR_FCALL; // int 0x80 pushed err 0, the function receiver 1
    sti();
    // BEGIN LAB 2: the dispatcher
    // STUB: panic("lab 2: syscall(): the dispatcher is not written yet (pid %d made system call %u)", p->pid, nr);
    if (nr < NSYSCALL && syscalls[nr].fn) {
        tf->eax = (uint32_t)syscalls[nr].fn(tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi);
    } else {
        static struct ratelimit unknown = {.what = "unknown system call"};
        if (ratelimit_ok(&unknown))
            printk("pid %d (%s): unknown system call %u\n", p->pid, p->name, nr);
        tf->eax = (uint32_t)-ENOSYS;
    }
    // END LAB 2
    syscall_tail(tf);
}

// The slow exit of the sysenter path (sysenter.asm built tf for ring 3,
// with the flags the program called with): an Smode caller (sysenter works
// in ring 0 too) must come back in ring 0, so its frame gets ring 0's code
// and stack selectors; the data selectors are the same in both modes. No
// switch happens here, so nothing else of the frame changes. Then the
// common tail.
void sysenter_tail(struct trapframe *tf);

void
sysenter_tail(struct trapframe *tf)
{
    if (curproc->mode == MODE_SMODE) {
        tf->cs = SEL_KCODE;
        tf->ss = SEL_KDATA;
    }
    sti(); // the tail runs with interrupts on
    syscall_tail(tf);
    if (TRACE_ON(TR_SYSRET))
        trace_sysret_tf(tf);
}
