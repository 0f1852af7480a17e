// System calls about processes, memory, time and modes. Each takes its
// arguments as the registers the program passed (EBX, ECX, ...); pointers
// are user addresses, used only through copyin/copyout.
#include "kernel.h"
#include "frame.h"
#include "mmu.h"
#include "proc.h"
#include "syscall.h"
#include "trap.h"
#include "x86.h"

// exit(status): end the caller; its parent's wait sees status & 0xFF. Never
// returns.
int
sys_exit(int status)
{
    proc_exit(status & 0xFF);
}

// fork() (proc_fork, needs SC_FRAME): the child's pid in the parent, 0 in the
// child, or -EAGAIN (no process slot or kernel stack), -ENOMEM.
int
sys_fork(void)
{
    return proc_fork();
}

// wait(status): reap an exited child; its pid, with its wait status stored in
// *status unless status is 0. status is checked (0 written to it) before
// blocking, so a bad one gives -EFAULT at once; a child is never reaped unless
// its status was stored. Also -ECHILD, -EINTR. May sleep.
int
sys_wait(uint32_t ustatus)
{
    int status = 0;
    if (ustatus && copyout(curproc, ustatus, &status, sizeof(status)) < 0) // check before blocking
        return -EFAULT;
    return proc_wait(ustatus);
}

// getpid(): the caller's pid. Also bench's floor, called directly through the
// control area (mode.c): it must stay a plain function of no arguments.
int
sys_getpid(void)
{
    return curproc->pid;
}

// getppid(): the parent's pid (init's once the parent has exited), 0 for the
// first process.
int
sys_getppid(void)
{
    return curproc->parent ? curproc->parent->pid : 0;
}

// kill(pid): see proc_kill. 0, -ESRCH, or -EPERM (init, by another process).
int
sys_kill(int pid)
{
    return proc_kill(pid);
}

// Sleep at least ms milliseconds (whole ticks, rounded up; the rounding
// must not wrap: msleep(0xFFFFFFFF) is 49.7 days, not 0).
int
sys_sleep(uint32_t ms)
{
    uint32_t n = ms / MS_PER_TICK + (ms % MS_PER_TICK != 0);
    pushcli();
    uint32_t start = ticks;
    while (ticks - start < n) {
        if (curproc->killed) {
            popcli();
            return -EINTR;
        }
        sleep((void *)&ticks);
    }
    popcli();
    return 0;
}

// uptime(): milliseconds since boot, in whole ticks; wraps as an int.
int
sys_uptime(void)
{
    return (int)(ticks * MS_PER_TICK);
}

// yield(): give up the CPU for one round. Returns 0.
int
sys_yield(void)
{
    yield();
    return 0;
}

// Move the break by incr bytes; returns the old break. Growth is reserved
// lazily in both modes: pages arrive on first touch (in Smode too: an Smode
// space is resident, so a lazy page, once there, is never paged out).
int
sys_sbrk(int incr)
{
    struct proc *p = curproc;
    struct vmspace *vm = &p->vm;
    uint32_t old = vm->brk, new = old + (uint32_t)incr;
    if (incr > 0 && (new < old || new > UHEAPMAX))
        return -ENOMEM;
    if (incr < 0 && (new > old || new < vm->heap_start))
        return -EINVAL;
    uint32_t from = PGROUNDUP(old), to = PGROUNDUP(new);
    if (to > from) {
        int r = uvm_reserve(vm, from, to, PTE_U | PTE_W);
        if (r < 0)
            return r;
    } else if (to < from) {
        uvm_dealloc(vm, to, from);
    }
    vm->brk = new;
    return (int)old;
}

#define PS_MAX 64

// procinfo(rows, max): one struct procinfo per process in use into the user
// array rows, at most max (and PS_MAX). Returns the count, -EINVAL (max < 0) or
// -EFAULT. The static buffer is safe: nothing here sleeps.
int
sys_procinfo(uint32_t urows, int max)
{
    static struct procinfo rows[PS_MAX]; // one caller at a time: the kernel is not preempted
    if (max < 0)
        return -EINVAL;
    int n = proc_list(rows, MIN(max, PS_MAX));
    if (copyout(curproc, urows, rows, n * sizeof(rows[0])) < 0)
        return -EFAULT;
    return n;
}


// modeinfo(pid, info): the struct procinfo of pid (0: the caller, else any
// process not UNUSED) into info. 0, -ESRCH or -EFAULT.
int
sys_modeinfo(int pid, uint32_t uinfo)
{
    struct proc *p = pid == 0 ? curproc : proc_find(pid);
    if (!p || pid < 0)
        return -ESRCH;
    struct procinfo pi;
    proc_fill_info(p, &pi);
    return copyout(curproc, uinfo, &pi, sizeof(pi));
}

// nopromote(): drop the caller's right to promote, for good (children forked
// later lack it too). Called in Smode it also demotes the caller, at the tail
// of this very call: a program in ring 0 has every power whatever its flag
// says, so the right is only gone once it runs in ring 3 (docs/dmsm.md).
// Returns 0.
int
sys_nopromote(void)
{
    curproc->may_promote = 0;
    if (curproc->mode == MODE_SMODE)
        sys_switch_user(0); // demoting oneself is always allowed
    return 0;
}

// Only the first process (init, or the program named by init=) may turn
// the machine off, with this call or by exiting (kill(1) is refused to the
// others); the status becomes the emulator's exit status.
int
sys_poweroff(int status)
{
    if (curproc->pid != 1)
        return -EPERM;
    poweroff(status);
}

// vmstat(v): the system-wide frame, swap and kernel heap figures into the
// user's struct vmstat. 0 or -EFAULT.
int
sys_vmstat(uint32_t uvm)
{
    struct vmstat v = {
        .total_frames = frames_total(),
        .free_frames = frames_free(),
        .pinned_frames = frames_pinned(),
        .swap_slots = swap_slots_total(),
        .swap_used = swap_slots_used(),
        .pageins = swap_pageins,
        .pageouts = swap_pageouts,
        .heap_used = kheap_used(),
        .committed = commit_used(),
        .commit_limit = commit_limit(),
        .committed_resident = commit_resident(),
        .resident_limit = resident_limit(),
        .syscalls = proc_syscalls_total(),
        .shared_frames = dyn_shared_frames(),
        .tsc = rdtsc(),
        .idle_tsc = idle_tsc,
    };
    return copyout(curproc, uvm, &v, sizeof(v));
}

// sysinfo(info): the uptime in ticks, HZ, and the number of processes in use
// and of Smode processes among them, into the user's struct sysinfo. 0 or
// -EFAULT. (Lab 2's own system call.)
int
sys_sysinfo(uint32_t uinfo)
{
    // BEGIN LAB 2: the handler of your own system call
    // STUB: (void)uinfo;
    // STUB: return -ENOSYS;
    struct sysinfo si = {.uptime = ticks, .hz = HZ};
    for (struct proc *p = proctab; p < &proctab[NPROC]; p++) // a count: no rows to fill
        if (p->state != UNUSED) {
            si.nproc++;
            si.nsmode += p->mode == MODE_SMODE;
        }
    return copyout(curproc, uinfo, &si, sizeof(si));
    // END LAB 2
}
