// Processes: the table, the round-robin scheduler, sleep/wakeup, and the
// life cycle (create, fork, exit, wait, kill).
//
// One CPU, and kernel code is never preempted: a process gives up the CPU
// only in sched() (sleep, yield, exit). Timer interrupts of AP code (ring 3,
// or ring 0 on an AP stack) preempt it in trap(). Data shared with interrupt
// handlers is guarded by pushcli/popcli.
#include <stddef.h>
#include "kernel.h"
#include "mmu.h"
#include "proc.h"
#include "trace.h"
#include "trap.h"
#include "x86.h"

_Static_assert(offsetof(struct proc, tail_work) == P_TAILWORK, "P_TAILWORK out of step");
_Static_assert(offsetof(struct proc, mode) == P_MODE, "P_MODE out of step with sysenter.asm");
_Static_assert(offsetof(struct proc, syscalls) == P_SYSCALLS, "P_SYSCALLS out of step with fcall.asm");

struct proc proctab[NPROC];
struct cpu cpu;
struct proc *curproc;
static struct proc *initproc;
static int nextpid = 1;
static uint8_t fpu_initial[FPU_STATE_SIZE] __attribute__((aligned(16))); // after fninit

// The x87 registers belong to the running process: sched() saves them
// (fnsave, which also resets the unit) and restores them (frstor) around
// every switch, so that one program's floating point never sees another's.
// The kernel itself is built without x87 code (-mgeneral-regs-only).
static inline void
fpu_save(uint8_t *area)
{
    __asm__ volatile("fnsave (%0)" : : "r"(area) : "memory");
}

// Load the x87 state that fpu_save stored in area.
static inline void
fpu_restore(const uint8_t *area)
{
    __asm__ volatile("frstor (%0)" : : "r"(area) : "memory");
}

extern void trapret(void);
void swtch(struct context **old, struct context *new);

// A process's first return to its program: from swtch() into here, then
// into trapret with the frame fork or exec prepared.
static void
forkret(void)
{
    fpu_restore(curproc->fpu); // as sched() does for a process that ran before
    popcli(); // sched() was entered with one pushcli held (see sched)
}

// The process with pid in any state but UNUSED (EMBRYO and ZOMBIE included),
// or 0. Callers check the state they need.
struct proc *
proc_find(int pid)
{
    for (struct proc *p = proctab; p < &proctab[NPROC]; p++)
        if (p->state != UNUSED && p->pid == pid)
            return p;
    return 0;
}

// Take an UNUSED slot and give it a pid and a kernel stack laid out so that
// swtch() to it runs forkret, then trapret with an (empty) frame at the top.
// Returns 0 if the table is full or memory is short.
struct proc *
proc_alloc(void)
{
    struct proc *p;
    pushcli();
    for (p = proctab; p < &proctab[NPROC]; p++)
        if (p->state == UNUSED)
            break;
    if (p == &proctab[NPROC]) {
        popcli();
        return 0;
    }
    p->state = EMBRYO;
    popcli();

    char *kstack = kmalloc(KSTACK_SIZE);
    if (!kstack) {
        p->state = UNUSED;
        return 0;
    }
    memset(p, 0, sizeof(*p));
    p->state = EMBRYO;
    p->pid = nextpid++;
    p->vm.pid = p->pid;
    p->kstack = kstack;
    p->mode = MODE_UMODE;
    p->pending = MODE_NONE;

    // The kernel stack, top down: the trap frame, the address of trapret
    // (forkret's return address), then the context swtch() pops.
    char *sp = kstack + KSTACK_SIZE - sizeof(struct trapframe);
    p->tf = (struct trapframe *)sp;
    memset(p->tf, 0, sizeof(*p->tf));
    sp -= 4;
    *(uint32_t *)sp = (uint32_t)trapret;
    sp -= sizeof(struct context);
    p->context = (struct context *)sp;
    memset(p->context, 0, sizeof(*p->context));
    p->context->eflags = 0x2; // interrupts off, as sched() leaves them
    p->context->eip = (uint32_t)forkret;
    memcpy(p->fpu, fpu_initial, sizeof(p->fpu));
    return p;
}

static uint32_t syscalls_retired; // system calls of the processes reaped so far

// System calls since boot, by every receiver: the reaped processes' and the
// live ones' (each counts its own, p->syscalls), for vmstat.
uint32_t
proc_syscalls_total(void)
{
    uint32_t n = syscalls_retired;
    for (struct proc *p = proctab; p < &proctab[NPROC]; p++)
        if (p->state != UNUSED)
            n += p->syscalls;
    return n;
}

// Undo proc_alloc for a process that never ran, or reap a zombie.
static void
proc_free(struct proc *p)
{
    ASSERT(p->vm.pgdir == 0); // its memory went in proc_exit (or was never there)
    syscalls_retired += p->syscalls;
    kfree(p->kstack);
    p->kstack = 0;
    p->pid = 0;
    p->parent = 0;
    p->name[0] = 0;
    p->state = UNUSED;
}

// Create the first process from path with argv (kernel strings), open the
// console as its fds 0, 1 and 2, and start the scheduler. With
// init=/bin/PROG on the command line, PROG is this first process; when it
// exits, the machine powers off with its status (proc_exit).
void
proc_start_first(const char *path, char **argv)
{
    __asm__ volatile("fninit");
    fpu_save(fpu_initial); // the state every new process starts from
    struct proc *p = proc_alloc();
    if (!p)
        panic("proc_start_first: no memory");
    p->may_promote = 1; // the root of the privilege tree (docs/dmsm.md)
    p->reserve = RESERVE_ALL; // init's line may use the commit reserve (kalloc.c)
    p->tf->cs = SEL_UCODE;
    p->tf->ss = p->tf->ds = p->tf->es = p->tf->fs = p->tf->gs = SEL_UDATA;
    p->tf->eflags = FL_IF | FL_RESERVED1;
    p->cwd = fs_lookup(0, "/");
    int r = exec_into(p, path, argv);
    if (r < 0) { // a wrong init=, not a kernel bug: say so and stop
        printk("cannot run the first process %s: error %d (is it in the file system?)\n",
               path, r);
        power_fail(POWER_NOINIT);
    }
    struct file *con = file_console();
    p->ofile[0] = con;
    p->ofile[1] = file_dup(con);
    p->ofile[2] = file_dup(con);
    initproc = p;
    p->state = RUNNABLE;
    scheduler();
}

// The scheduler loop: pick the next RUNNABLE process round-robin and run it
// until it calls sched(). With nothing to run, halt until an interrupt.
uint64_t idle_tsc; // time-stamp counter ticks spent halted here (vmstat)

void
scheduler(void)
{
    struct proc *last = proctab;
    int ran = -1; // pid of the process that ran last (0: idle), for the trace
    for (;;) {
        cli();
        struct proc *p = 0;
        for (int i = 1; i <= NPROC; i++) {
            struct proc *q = &proctab[(last - proctab + i) % NPROC];
            if (q->state == RUNNABLE) {
                p = q;
                break;
            }
        }
        if (!p) {
            if (ran != 0)
                TRACE(TR_IDLE, 0, 0, 0, 0);
            ran = 0;
            uint64_t halted = rdtsc();
            sti();
            hlt(); // idle until the next interrupt
            cli();
            idle_tsc += rdtsc() - halted; // (the interrupt's handler counts as idle)
            continue;
        }
        last = p;
        cpu.proc = curproc = p;
        switchuvm(p);
        p->state = RUNNING;
        TRACE(TR_RUN, (uint32_t)ran, 0, 0, 0);
        ran = p->pid;
        cpu.ncli = 1; // the process resumes in sched() or forkret, which pop this
        cpu.intena = 0;
        swtch(&cpu.scheduler, p->context);
        kvm_switch();
        cpu.proc = curproc = 0;
    }
}

// Give the CPU back to the scheduler. The caller has set curproc->state
// and holds exactly one pushcli (so interrupts are off); the process
// resumes here later with the same IF setting.
void
sched(void)
{
    struct proc *p = curproc;
    if (cpu.ncli != 1)
        panic("sched: %d pushcli levels held", cpu.ncli);
    if (p->state == RUNNING)
        panic("sched: process still RUNNING");
    if (read_eflags() & FL_IF)
        panic("sched: interrupts enabled");
    int intena = cpu.intena;
    fpu_save(p->fpu);
    swtch(&p->context, cpu.scheduler);
    fpu_restore(p->fpu);
    cpu.intena = intena;
}

// Give up the CPU for one round.
void
yield(void)
{
    pushcli();
    curproc->tail_work &= ~TW_RESCHED;
    curproc->state = RUNNABLE;
    sched();
    popcli();
}

// Sleep on chan until wakeup(chan). The caller must have interrupts off
// (pushcli) between testing its condition and calling sleep, so that no
// wakeup is lost; sleep returns with the same pushcli depth held.
void
sleep(void *chan)
{
    struct proc *p = curproc;
    ASSERT(p && cpu.ncli >= 1);
    int saved = cpu.ncli;
    cpu.ncli = 1; // sched() wants exactly one level
    p->chan = chan;
    p->state = SLEEPING;
    sched();
    p->chan = 0;
    cpu.ncli = saved;
}

// Wake every process sleeping on chan. Callable from interrupt handlers.
void
wakeup(void *chan)
{
    pushcli();
    for (struct proc *p = proctab; p < &proctab[NPROC]; p++)
        if (p->state == SLEEPING && p->chan == chan)
            p->state = RUNNABLE;
    popcli();
}

// fork: a copy of the calling process: memory, open files, working
// directory, mode (an Smode parent's child is Smode, its space resident) and
// the right to promote. The child returns 0 from the same system call.
// Needs the caller's full trap frame (SC_FRAME).
int
proc_fork(void)
{
    struct proc *parent = curproc;
    struct proc *child = proc_alloc();
    if (!child)
        return -EAGAIN;
    struct vmspace *vm = &child->vm;
    child->mode = parent->mode; // before copying: an Smode child's space is resident
    vm->resident = child->mode == MODE_SMODE;
    vm->brk = parent->vm.brk;   // ... and uvm_free finds what was copied on failure
    vm->heap_start = parent->vm.heap_start;
    vm->pgdir = uvm_create();
    if (!vm->pgdir || uvm_copy(vm, &parent->vm) < 0 || mode_init_modepage(vm, child) < 0) {
        uvm_free(vm);
        proc_free(child);
        return -ENOMEM;
    }
    *child->tf = *parent->tf;
    fpu_save(child->fpu); // the parent's live x87 state (fnsave resets the unit)
    fpu_restore(child->fpu);
    child->tf->eax = 0; // fork returns 0 in the child
    child->may_promote = parent->may_promote;
    child->trusted = parent->trusted; // the same image: an Smode child stays trusted
    ASSERT(child->mode != MODE_SMODE || child->trusted);
    child->reserve = parent->pid == 1                  ? RESERVE_ALL
                     : parent->reserve == RESERVE_ALL ? RESERVE_EXEC
                                                      : RESERVE_NONE;
    for (int fd = 0; fd < NOFILE; fd++)
        if (parent->ofile[fd])
            child->ofile[fd] = file_dup(parent->ofile[fd]);
    child->cwd = parent->cwd;
    inode_ref(child->cwd);
    memcpy(child->name, parent->name, sizeof(child->name));
    child->parent = parent;
    int pid = child->pid;
    TRACE(TR_FORK, (uint32_t)pid, 0, 0, 0);
    pushcli();
    child->state = RUNNABLE;
    popcli();
    return pid;
}

// End the calling process with status: close its files, free its memory,
// give its children to init, and become a zombie for the parent's wait().
// When the first process ends, the machine powers off with its status.
void
proc_exit(int status)
{
    struct proc *p = curproc;
    TRACE(TR_EXIT, (uint32_t)status, 0, 0, 0);
    if (p == initproc)
        poweroff(status);
    for (int fd = 0; fd < NOFILE; fd++)
        if (p->ofile[fd]) {
            file_close(p->ofile[fd]);
            p->ofile[fd] = 0;
        }
    inode_put(p->cwd);
    p->cwd = 0;

    pushcli();
    kvm_switch();
    uvm_free(&p->vm);
    for (struct proc *c = proctab; c < &proctab[NPROC]; c++)
        if (c->parent == p) {
            c->parent = initproc;
            if (c->state == ZOMBIE)
                wakeup(initproc);
        }
    p->xstatus = status;
    p->state = ZOMBIE;
    wakeup(p->parent);
    sched();
    panic("zombie pid %d ran again", p->pid);
}

// Wait for a child to exit; return its pid after copying its wait status to
// user address ustatus (unless 0). The child is reaped only once the copy
// succeeded: -EFAULT leaves it a zombie for the next wait. -ECHILD if there
// are no children, -EINTR if the caller is killed while waiting. May sleep.
int
proc_wait(uint32_t ustatus)
{
    struct proc *p = curproc;
    pushcli();
    for (;;) {
        int have_kids = 0;
        for (struct proc *c = proctab; c < &proctab[NPROC]; c++) {
            if (c->parent != p)
                continue;
            have_kids = 1;
            if (c->state == ZOMBIE) {
                int pid = c->pid, status = c->xstatus;
                popcli(); // copyout may page in; only we can reap c meanwhile
                if (ustatus && copyout(p, ustatus, &status, sizeof(status)) < 0)
                    return -EFAULT;
                pushcli();
                proc_free(c);
                popcli();
                return pid;
            }
        }
        if (!have_kids || p->killed) {
            popcli();
            return have_kids ? -EINTR : -ECHILD;
        }
        sleep(p);
    }
}

// Mark process pid killed. It exits (status WAIT_KILLED_BIT | KILLED_BY_KILL)
// at the tail of its current or next system call, or when it is next
// interrupted in AP code or resumed after a preemption there; a sleeping
// target is woken so that it notices. -ESRCH if there is no such process
// (or it is already a zombie), -EPERM for init unless init asks.
int
proc_kill(int pid)
{
    struct proc *p = proc_find(pid);
    if (!p || p->state == ZOMBIE || p->state == EMBRYO)
        return -ESRCH;
    if (p == initproc && curproc != initproc)
        return -EPERM; // its end powers the machine off: only it decides that
    pushcli();
    if (!p->killed)
        p->killed = WAIT_KILLED_BIT | KILLED_BY_KILL;
    p->tail_work |= TW_KILLED;
    if (p->state == SLEEPING)
        p->state = RUNNABLE;
    popcli();
    return 0;
}

// A fault in AP code (ring 3, or an Smode AP in ring 0): report it on one
// line and end the process with status WAIT_KILLED_BIT | vector.
void
proc_kill_fault(struct trapframe *tf)
{
    struct proc *p = curproc;
    printk("pid %d (%s): killed by %s (vector %u) at eip 0x%08x in %s, addr 0x%08x\n", p->pid,
           p->name, trap_name(tf->trapno), tf->trapno, tf->eip,
           SEL_RPL(tf->cs) == DPL_USER ? "ring 3" : "ring 0 (Smode)",
           tf->trapno == T_PGFLT ? rcr2() : 0);
    proc_exit(WAIT_KILLED_BIT | tf->trapno);
}

static const int state_code[] = {
    [UNUSED] = PS_UNUSED,     [EMBRYO] = PS_EMBRYO,   [SLEEPING] = PS_SLEEPING,
    [RUNNABLE] = PS_RUNNABLE, [RUNNING] = PS_RUNNING, [ZOMBIE] = PS_ZOMBIE,
};

// Fill the row pi (a kernel buffer) for p, which is not UNUSED: ids, state,
// mode fields, paging counters, and the memory figures of its page tables (all
// 0 for a zombie, whose memory is gone).
void
proc_fill_info(struct proc *p, struct procinfo *pi)
{
    memset(pi, 0, sizeof(*pi));
    pi->pid = p->pid;
    pi->ppid = p->parent ? p->parent->pid : 0;
    pi->state = state_code[p->state];
    pi->mode = p->mode;
    pi->pending = p->pending;
    pi->may_promote = p->may_promote;
    pi->trusted = p->trusted;
    pi->refused = p->refused;
    pi->faults = p->vm.faults;
    pi->pageins = p->vm.pageins;
    pi->pageouts = p->vm.pageouts;
    pi->switches = p->switches;
    pi->syscalls = p->syscalls;
    pi->int80 = p->int80;
    pi->walked = p->vm.walked;
    vm_count(&p->vm, pi);
    memcpy(pi->name, p->name, sizeof(pi->name));
}

// Fill rows (a kernel buffer) with up to max processes; returns the count.
int
proc_list(struct procinfo *rows, int max)
{
    int n = 0;
    for (struct proc *p = proctab; p < &proctab[NPROC] && n < max; p++)
        if (p->state != UNUSED)
            proc_fill_info(p, &rows[n++]);
    return n;
}
