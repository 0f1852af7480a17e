// The kernel event trace (kernel/trace.c): what tracectl() hands a program,
// and the kinds of event. docs/debugging.md describes the serial line format.
#ifndef UAPI_TRACE_H
#define UAPI_TRACE_H

// Kinds of event; bit (1 << kind) of the mask turns a kind on. The kernel
// command line takes trace=1 (every kind) or trace=MASK (hex with 0x, or
// decimal); bit 0 means nothing by itself.
#define TR_SYS 1      // system-call entry: recv, nr, ring it came from, first argument
#define TR_SYSRET 2   // system-call exit: nr, result, ring it returns to, exit path
                      // (a switch request is a switch_* call: its entry and exit)
#define TR_APPLY 4    // switch applied at the tail (state Z): new mode, nr
#define TR_REFUSE 5   // switch refused at the tail: mode, errno; or c=1: cancelled by exec
#define TR_TICK 6     // timer tick: verdict of the stack-pointer test, eip
#define TR_RUN 7      // context switch: pid now runs; a = the pid that ran before
#define TR_IDLE 8     // nothing to run: the CPU halts
#define TR_FAULT 9    // page fault taken by pid: va, write, result, eip of the fault
#define TR_PAGEIN 10  // page read back from swap: owner pid, slot
#define TR_PAGEOUT 11 // page written to swap: owner pid, va, slot
#define TR_DFKILL 12  // double-fault kill: eip, esp
#define TR_EXEC 13    // exec: mode, and the program name in b, c, d (12 bytes)
#define TR_FORK 14    // fork: the child's pid
#define TR_EXIT 15    // exit: status
#define TR_NKINDS 16
#define TR_ALL (((1u << TR_NKINDS) - 1) & ~1u)

// recv: how a system call entered the kernel
#define TR_RECV_INT80 1    // int 0x80 (the interrupt receiver)
#define TR_RECV_FAST 2     // function receiver, fast path
#define TR_RECV_SLOW 3     // function receiver, slow path (SC_FRAME calls)
#define TR_RECV_SYSENTER 4 // sysenter
// exit path of a system call (docs/dmsm.md, "the four exit paths")
#define TR_EXIT_IRET3 1    // trapret: iret to ring 3
#define TR_EXIT_IRET0 2    // trapret: 3-word iret on the AP's stack (ring 0)
#define TR_EXIT_RET 3      // function receiver fast path: plain ret (ring 0)
#define TR_EXIT_SYSEXIT 4  // sysexit (ring 3)
// verdict of the stack-pointer test at a timer tick
#define TR_TICK_AP3 1      // AP code in ring 3: may be preempted
#define TR_TICK_AP0 2      // AP code in ring 0 (ESP below KERNBASE): may be preempted
#define TR_TICK_KERNEL 3   // kernel code: not preempted (yield at the call's tail)

struct trace_event {
    unsigned long long tsc; // RDTSC when it happened
    unsigned int seq;       // 0, 1, 2, ... for every event, dropped ones too
    unsigned short pid;     // the running process (0: none)
    unsigned short kind;    // TR_*
    unsigned int a, b, c, d;
};

struct trace_stat {
    unsigned int mask;     // kinds on
    unsigned int capacity; // events the buffer holds
    unsigned int pending;  // events recorded and not yet read out
    unsigned int next_seq; // seq of the next event
    unsigned int dropped;  // events lost because the buffer was full
};

// tracectl(op, arg, buf, n). Setting the mask, READ and DUMP need the right
// to promote (-EPERM without it: nopromote); STAT and reading the mask do not.
#define TRACE_MASK 1  // set the mask to arg (arg < 0: leave it); returns the old mask
#define TRACE_READ 2  // move up to n pending events into buf; returns how many
#define TRACE_DUMP 3  // print the pending events on serial; returns how many
#define TRACE_STAT 4  // fill the struct trace_stat at buf; returns 0

#endif
