// DMSM, the dynamic running mode switch (docs/dmsm.md tells the whole story).
//
// A process is a Umode process (its AP runs in ring 3 and enters the kernel
// by `int 0x80`) or an Smode process (its AP runs in ring 0 and enters by
// `call` to the function receiver, fcall.asm). The coexistence control area,
// one read-only page at MODEPAGE, tells libsys which. A switch is the
// paper's method (b): switch_supervisor/switch_user only register a request
// on the target; the target applies it itself at the tail of the next system
// call it makes, by rewriting the mode flag and the CS/SS saved in its own
// trap frame, so that the one exit path (trapret) returns to the other ring.
#include <stddef.h>
#include "kernel.h"
#include "frame.h"
#include "mmu.h"
#include "proc.h"
#include "syscall.h"
#include "trace.h"
#include "trap.h"
#include "x86.h"

_Static_assert(offsetof(struct modepage, magic) == MP_MAGIC, "MP_MAGIC out of step");
_Static_assert(offsetof(struct modepage, mode) == MP_MODE, "MP_MODE out of step");
_Static_assert(offsetof(struct modepage, fcall) == MP_FCALL, "MP_FCALL out of step");
_Static_assert(offsetof(struct modepage, floor) == MP_FLOOR, "MP_FLOOR out of step");

extern void fcall_entry(void); // fcall.asm: the function receiver
extern void fcall_entry_traced(void); // ... and its twin while the trace records calls
static void (*fcall_receiver)(void) = fcall_entry; // the one control areas name

// Map a fresh coexistence control area for process p into the address
// space vm (p's own, or the one exec is building for it): user readable,
// not user writable; the kernel writes it through vm->modepage. Its frame
// carries one pin for life, because the kernel keeps a pointer to it: the
// one page that needs a pin of its own. It is charged to the commit as
// resident (vm.c free_one takes the charge back). Returns 0 or -ENOMEM.
int
mode_init_modepage(struct vmspace *vm, struct proc *p)
{
    uint32_t pa = frame_alloc_committed();
    if (!pa)
        return -ENOMEM;
    if (uvm_map(vm->pgdir, MODEPAGE, pa, PTE_U) < 0) {
        frame_free_committed(pa);
        return -ENOMEM;
    }
    frames[pa / PGSIZE].flags |= FRAME_USER;
    frames[pa / PGSIZE].owner = vm;
    frames[pa / PGSIZE].va = MODEPAGE;
    frame_pin(pa); // for life (released in vm.c free_one)
    struct modepage *mp = P2V(pa);
    mp->magic = MODEPAGE_MAGIC;
    mp->mode = (uint32_t)p->mode;
    mp->fcall = (uint32_t)fcall_receiver;
    mp->floor = (uint32_t)sys_getpid;
    mp->pid = (uint32_t)p->pid;
    vm->modepage = mp;
    return 0;
}

// Name fcall_entry_traced (traced) or fcall_entry as the function receiver
// in every control area, now and from now on (trace.c, when the trace
// starts or stops recording system calls). A stub reads the address at
// each call, so either receiver serves it. Interrupts off.
void
mode_set_receiver(int traced)
{
    fcall_receiver = traced ? fcall_entry_traced : fcall_entry;
    for (struct proc *p = proctab; p < &proctab[NPROC]; p++)
        if (p->vm.modepage)
            p->vm.modepage->fcall = (uint32_t)fcall_receiver;
}

// Print the one-line reason why p's switch to Smode was refused. Any
// process can cause these at will: they are rate-limited (printk.c).
static void
refused_msg(struct proc *p, int r, const char *why)
{
    static struct ratelimit refused = {.what = "switch to Smode refused"};
    if (ratelimit_ok(&refused))
        printk("pid %d (%s): switch to Smode refused: %s (%d)\n", p->pid, p->name, why, r);
}

// Refuse p's switch to Smode by the trust rule: p->refused and the line
// saying why. Out of line and returning nothing, so that the request's fast
// path (inlined into the system calls) keeps nothing across the call.
static __attribute__((noinline)) void
refuse_untrusted(struct proc *p)
{
    p->refused = -EPERM;
    refused_msg(p, -EPERM, "its program is not from a trusted read-only tree");
}

// The two rules of who may become Smode (docs/dmsm.md section 10). Ring 0 is
// total power, so
//  - the requester: promoting anyone, and switching another process at all,
//    needs its may_promote flag (init starts with it, children inherit it,
//    nopromote() drops it for good); demoting oneself is always allowed;
//  - the target: only a process running a trusted program (p->trusted: its
//    image came from the boot image's read-only /bin, /test or /lib) may
//    become Smode, whoever asks.
// Returns 0 or -EPERM (with a line saying why, for the trust rule).
static inline __attribute__((always_inline)) int
may_request(struct proc *caller, struct proc *target, int mode)
{
    if (target == caller && mode == MODE_UMODE)
        return 0;
    if (!caller->may_promote)
        return -EPERM;
    if (mode == MODE_SMODE && !target->trusted) {
        refuse_untrusted(target);
        return -EPERM;
    }
    return 0;
}

// exec_into, before it builds anything: may p, in its present mode, run a
// program whose inode is (un)trusted? An Smode process may exec only a
// trusted program: exec keeps the mode, and an untrusted program must never
// start in ring 0. Refused rather than demoted, so that `smode PROG` never
// runs PROG in another mode than asked. 0 or -EPERM (with a line saying why,
// rate-limited like refused_msg's: an Smode program may exec in a loop).
int
mode_exec_check(struct proc *p, int trusted, const char *path)
{
    if (p->mode != MODE_SMODE || trusted)
        return 0;
    static struct ratelimit refused = {.what = "exec in Smode refused"};
    if (ratelimit_ok(&refused))
        printk("pid %d (%s): exec of %s in Smode refused: not from a trusted read-only tree "
               "(%d)\n", p->pid, p->name, path, -EPERM);
    return -EPERM;
}

// exec_into, at its commit: p now runs the new program. Record whether it
// is trusted, and cancel a pending mode request: it was made for the old
// program, and must not be applied to this one at exec's own tail.
void
mode_exec_commit(struct proc *p, int trusted)
{
    ASSERT(p->mode != MODE_SMODE || trusted);
    p->trusted = trusted;
    if (p->pending != MODE_NONE)
        TRACE(TR_REFUSE, (uint32_t)p->pending, 0, 1, 0); // exec=1: cancelled by exec
    p->pending = MODE_NONE;
    TW_CLEAR(p, TW_MODE);
}

// Make p's address space resident before it becomes Smode (docs/memory.md,
// the residency rule): charge its pages as resident in the commit
// (vm->npages: O(1); -ENOMEM at once if they do not fit), flag the space, so
// that the clock passes over its frames from then on, and only if something
// of it is on swap (vm->nswapped pages out, vm->nslotted resident pages
// keeping a copy there) read that back (vm.c uvm_pagein_all). With nothing
// on swap nothing is walked. Lazy pages stay lazy: a fault in Smode
// allocates them. Returns 0, or a negative errno (-ENOMEM, -EIO) with the
// space not resident (pages read back stay in). Inline, like the rest of
// the switch: bench's Fig. 8.
static inline __attribute__((always_inline)) int
make_resident(struct proc *p)
{
    struct vmspace *vm = &p->vm;
    if (vm_commit_resident(vm->npages, p->reserve == RESERVE_ALL) < 0)
        return -ENOMEM;
    // BEGIN LAB 6: an Smode process's address space, all resident
    // STUB: (void)uvm_pagein_all; // the helper you may use
    // STUB: panic("lab 6: make_resident: making pid %d resident is not written yet", p->pid);
    vm->resident = 1;
    int r = (vm->nswapped | vm->nslotted) ? uvm_pagein_all(vm) : 0; // | : one test
    if (r < 0) {
        vm->resident = 0;
        vm_uncommit_resident(vm->npages);
    }
    return r;
    // END LAB 6
}

// p is becoming Umode: its frames may be paged out again, and its pages no
// longer count as resident in the commit. O(1).
static inline __attribute__((always_inline)) void
drop_resident(struct proc *p)
{
    ASSERT(p->vm.nswapped == 0);
    p->vm.resident = 0;
    vm_uncommit_resident(p->vm.npages);
}

// Switch p, whose frame of AP code is tf, to the other mode: memory first
// (make_resident, drop_resident: one flag on the address space, O(1) of p's
// size unless pages are on swap), then the flag and the frame together.
// Returns 0, or a negative errno with nothing changed: -EFAULT if the
// program's stack pointer is not a user address (trapret writes the ring-0
// return frame just below it, and a ring-3 program may point ESP anywhere),
// or make_resident's error.
static inline __attribute__((always_inline)) int
mode_switch(struct proc *p, struct trapframe *tf, int mode)
{
    // A switch goes to the other mode, and a space is resident exactly
    // while its process is Smode (checked per direction: one test each).
    if (mode == MODE_SMODE) {
        ASSERT(p->mode == MODE_UMODE && !p->vm.resident);
        if (tf->esp >= KERNBASE || tf->esp < USERBASE + 12)
            return -EFAULT;
        int r = make_resident(p);
        if (r < 0)
            return r;
    } else {
        ASSERT(mode == MODE_UMODE && p->mode == MODE_SMODE && p->vm.resident);
        drop_resident(p);
    }
    p->mode = mode;
    p->vm.modepage->mode = (uint32_t)mode;
    mode_set_frame(tf, mode);
    p->switches++;
    return 0;
}

#ifdef DMSM_METHOD_A
// The paper's method (a), built only with `make KDEFS=-DDMSM_METHOD_A`
// (build/method-a/kernel.elf) to show why this kernel does not use it:
// apply the switch at once, from the requester's context, to a target
// preempted in its program. A switch from Smode to Umode is then wrong in
// two states (docs/dmsm.md section 3), because the target resumes in ring 3
// at code that only ring 0 may run, and a page fault kills it:
//  - Y2: its stub has tested the flag and is about to `call` the function
//    receiver (the receiver is a supervisor-only page);
//  - Z0: it is in the function receiver itself, on its own stack: the
//    receiver's first instructions, before `mov esp, [fcall_stack]`, and its
//    last ones, after `mov esp, ebp`. The stack-pointer test takes those for
//    program code (their ESP is the program's), so a tick preempts them.
// methoda= on the command line says what this build checks, for the lesson
// (tests/progs/t_y2.c): "off" nothing (the process dies in Y2 or Z0), "y2"
// Y2 only (it still dies, in Z0), "safe" both (the default: it survives).
enum { CHECK_NOTHING, CHECK_Y2, CHECK_Y2_Z0 };

// What methoda= asks this build to check.
static int
method_a_checks(void)
{
    const char *v = cmdline_get("methoda");
    if (v && strncmp(v, "off", 3) == 0)
        return CHECK_NOTHING;
    if (v && strncmp(v, "y2", 2) == 0)
        return CHECK_Y2;
    return CHECK_Y2_Z0;
}

// Are these the bytes of `call [MODEPAGE + MP_FCALL]` (FF 15 and the
// address), the function-type call of every mode-aware stub?
static int
is_fcall(const uint8_t *code)
{
    uint32_t addr;
    memcpy(&addr, code + 2, 4);
    return code[0] == 0xFF && code[1] == 0x15 && addr == MODEPAGE + MP_FCALL;
}

// BEGIN LAB 4: making method (a) safe: states Y2 and Z0
// STUB: static int in_state_y2(struct proc *t, uint32_t eip) { (void)t; (void)eip; (void)is_fcall; return 0; }
// STUB: static int in_state_z0(struct trapframe *tf) { (void)tf; return 0; }
// Is Smode process t, preempted at eip in its program, in state Y2: its
// next instruction the stub's `call [MODEPAGE + MP_FCALL]`, or the `je`
// (short or near) that the flag test left taken towards it? The code is
// read from t's own address space (t is not running). A kernel EIP is not
// the stub's (that is Z0); stub code that is not in memory counts as Y2:
// deferring a switch is always safe.
static int
in_state_y2(struct proc *t, uint32_t eip)
{
    uint8_t code[6];
    if (eip >= KERNBASE)
        return 0;
    if (uvm_peek(&t->vm, eip, code, sizeof code) < 0)
        return 1;
    if (is_fcall(code))
        return 1;
    uint32_t target;
    if (code[0] == 0x74) { // je rel8
        target = eip + 2 + (uint32_t)(int8_t)code[1];
    } else if (code[0] == 0x0F && code[1] == 0x84) { // je rel32
        int32_t rel;
        memcpy(&rel, code + 2, 4);
        target = eip + 6 + (uint32_t)rel;
    } else {
        return 0;
    }
    return uvm_peek(&t->vm, target, code, sizeof code) < 0 || is_fcall(code);
}

// Is the preempted program (tf, an AP frame in ring 0) in state Z0, the
// function receiver's own instructions on the program's stack? The only
// kernel code that runs with interrupts on and the program's ESP is the
// receiver's (and its traced twin's) prologue and epilogue: an AP frame
// with a kernel EIP is exactly that.
static int
in_state_z0(struct trapframe *tf)
{
    return tf->eip >= KERNBASE;
}
// END LAB 4

// May method (a) switch t, preempted in its program at tf, to mode now?
// Only a switch to Umode can go wrong (docs/dmsm.md section 3). (Global
// for selftest.c's test=methoda, which asks it about chosen EIPs.)
int
method_a_safe_now(struct proc *t, struct trapframe *tf, int mode)
{
    int checks = method_a_checks();
    if (mode != MODE_UMODE)
        return 1;
    if (checks >= CHECK_Y2 && in_state_y2(t, tf->eip))
        return 0;
    return !(checks >= CHECK_Y2_Z0 && in_state_z0(tf));
}

// Apply a request of t's at once, if t is preempted in its program and
// that is safe. Returns 1 if applied, 0 to leave it to method (b): t
// applies it at the tail of its next system call.
static int
mode_apply_now(struct proc *t, int mode)
{
    struct trapframe *tf = t->ap_frame;
    if (t == curproc || t->state != RUNNABLE || !tf || !method_a_safe_now(t, tf, mode))
        return 0;
    return mode_switch(t, tf, mode) == 0;
}
#endif

// Register a request that process t become mode (MODE_UMODE or
// MODE_SMODE), made by caller. Only records it (method b): t applies it at
// the tail of its next system call. A request for the mode t has now
// cancels a pending one (there are two modes: nothing else to replace).
// Returns 0, or -EPERM (caller may not, or t runs an untrusted program:
// may_request), -EALREADY (t already has, or has already requested, that
// mode). No pushcli: kernel code is never preempted, and the one word an
// interrupt also writes, tail_work, changes by one instruction (TW_SET,
// TW_CLEAR). Inlined: a self-switch is on the path bench's Fig. 8 measures.
static inline __attribute__((always_inline)) int
request(struct proc *caller, struct proc *t, int mode)
{
    int r = may_request(caller, t, mode);
    if (r < 0)
        return r;
    // BEGIN LAB 4: recording the request
    // STUB: panic("lab 4: request(): recording the request is not written yet (pid %d, mode %d)", t->pid, mode);
    if (t->pending == mode || (t->pending == MODE_NONE && t->mode == mode))
        return -EALREADY;
    if (t->mode == mode) { // cancels the pending opposite request
        t->pending = MODE_NONE;
        TW_CLEAR(t, TW_MODE);
        return 0;
    }
    t->pending = mode;
    t->refused = 0;
    TW_SET(t, TW_MODE);
    // END LAB 4
#ifdef DMSM_METHOD_A
    if (mode_apply_now(t, mode)) {
        t->pending = MODE_NONE;
        TW_CLEAR(t, TW_MODE);
    }
#endif
    return 0;
}

// request() on another process, by pid: -ESRCH if there is no such live
// process. A successful one wakes the processes waiting in poll: the target,
// if it is one of them, returns -EINTR and applies the switch at that call's
// tail (a server idle in poll would otherwise keep its old mode until a
// client spoke). Out of line: not on the path of a self-switch.
static __attribute__((noinline)) int
request_other(int pid, int mode)
{
    struct proc *t = proc_find(pid);
    if (!t || pid < 0 || t->state == ZOMBIE || t->state == EMBRYO)
        return -ESRCH;
    int r = request(curproc, t, mode);
    if (r == 0)
        wakeup(&poll_chan);
    return r;
}

// switch_supervisor(pid): ask that pid (0: the caller) become Smode at the
// tail of its next system call. 0, -ESRCH, -EPERM or -EALREADY.
int
sys_switch_supervisor(int pid)
{
    return pid ? request_other(pid, MODE_SMODE) : request(curproc, curproc, MODE_SMODE);
}

// switch_user(pid): the same, to become Umode.
int
sys_switch_user(int pid)
{
    return pid ? request_other(pid, MODE_UMODE) : request(curproc, curproc, MODE_UMODE);
}

// Set the selectors in tf for returning to an AP of the given mode: ring 0
// code and stack for Smode, ring 3 for Umode. Data selectors are the flat
// user data segment in both modes. Becoming Umode resets them (the CPU
// would load null into them on a return to ring 3 if Smode code had left
// kernel selectors there); becoming Smode keeps them: a ring-3 program can
// only hold selectors of privilege 3, which ring 0 may use as well.
void
mode_set_frame(struct trapframe *tf, int mode)
{
    // BEGIN LAB 4: the frame rewrite
    // STUB: panic("lab 4: mode_set_frame: the frame rewrite is not written yet (frame %p, mode %d)", tf, mode);
    tf->cs = mode == MODE_SMODE ? SEL_KCODE : SEL_UCODE;
    tf->ss = mode == MODE_SMODE ? SEL_KDATA : SEL_UDATA;
    if (mode == MODE_UMODE) // ring 0 code may have loaded kernel selectors
        tf->ds = tf->es = tf->fs = tf->gs = SEL_UDATA;
    // Only the arithmetic flags carry over, IF on. Anything else a program
    // set would hurt in its new ring: NT (a task return at the kernel's next
    // iret), TF, AC, DF in ring 0; an IOPL of 3 set by Smode code (popfd in
    // ring 0) would let the demoted program run cli or reach I/O ports.
    tf->eflags = (tf->eflags & FL_ARITH) | FL_IF | FL_RESERVED1;
    // END LAB 4
}

// Apply p's pending request at the tail of one of its own system calls
// (state Z), entered by either receiver. tf is that call's frame, the
// process's outermost one. Becoming Smode first makes p's address space
// resident; if that fails (or the program's stack pointer is not
// a user address) the request is refused (p stays Umode, p->refused says why). Then the flag and the frame change together, and
// trapret returns to the AP in the new ring.
// Runs in p's context with interrupts on (paging in polls the disk; no sleep).
static void
mode_apply_at_tail(struct proc *p, struct trapframe *tf)
{
    // p's outermost frame: it ends at the top of p's kernel stack (tf_from_ap)
    ASSERT((uint32_t)tf + TF_SIZE == tss.esp0);
    // BEGIN LAB 4: taking the pending request at the tail
    // STUB: int want = p->pending;
    // STUB: panic("lab 4: mode_apply_at_tail: taking the request is not written yet (pid %d)", p->pid);
    int want = p->pending;
    p->pending = MODE_NONE;
    TW_CLEAR(p, TW_MODE);
    // END LAB 4
    // TW_MODE is set only with a request for the other mode, and cleared
    // with it when it is cancelled (request): mode_switch checks that want
    // is the other mode.
    // The trust rule again: the request was checked when made, but only
    // what p runs now counts (exec cancels requests; this is the backstop).
    int r = want == MODE_SMODE && !p->trusted ? -EPERM : mode_switch(p, tf, want);
    if (r < 0) {
        TRACE(TR_REFUSE, (uint32_t)want, (uint32_t)r, 0, 0);
        p->refused = r;
        refused_msg(p, r, r == -EPERM    ? "its program is not from a trusted read-only tree"
                          : r == -EFAULT ? "its stack pointer is not a user address"
                                         : "cannot make its memory resident");
    }
}

// The tail of every system call, from either receiver: the one place where
// the process, in its own context, acts on its tail work: dies if killed,
// applies a pending mode switch (DMSM method b), yields if a timer tick
// came while it was in the kernel. tf is its outermost frame. Called with
// interrupts on (every caller turns them on: an sti here would cost a second
// one on the int 0x80 path, and each ends a translation block under QEMU).
// It lives here, beside mode_apply_at_tail, so that a switch is one call.
void
syscall_tail(struct trapframe *tf)
{
    struct proc *p = curproc;
    uint32_t work = p->tail_work;
    if (!work) // the common case: one test, as in fcall.asm
        return;
    if (work & TW_KILLED)
        proc_exit(p->killed);
    // BEGIN LAB 4: the tail applies a pending switch
    // STUB: (void)mode_apply_at_tail;
    // STUB: (void)tf;
    if (work & TW_MODE)
        mode_apply_at_tail(p, tf);
    // END LAB 4
    if (!(p->tail_work & (TW_RESCHED | TW_KILLED))) // read again: a tick may have come
        return;
    if (p->tail_work & TW_RESCHED)
        yield();
    if (p->tail_work & TW_KILLED) // killed while yielding
        proc_exit(p->killed);
}
