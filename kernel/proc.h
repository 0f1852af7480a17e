// Processes: the process table entry, the saved kernel context, the CPU.
#ifndef PROC_H
#define PROC_H

#include <stdint.h>
#include "uapi/abi.h"

#define NPROC 64            // process table size
#define NOFILE 160          // open files per process (httpd: a listener, 128 connections, files)
#define KSTACK_SIZE 8192    // each process's kernel stack
#define FPU_STATE_SIZE 108  // what fnsave stores

// Bits of proc.tail_work: work for the tail of the next system call (an
// interrupt of AP code acts only on a kill and on the tick's preemption). The function receiver's fast path tests the
// whole word with one instruction, so everything it must not skip sets a bit.
#define TW_MODE 0x1     // a mode switch request is pending (mode.c)
#define TW_RESCHED 0x2  // a timer tick arrived while in the kernel: yield at the tail
#define TW_KILLED 0x4   // the process was killed: exit at the tail

// Offsets for fcall.asm and sysenter.asm, after struct vmspace's 23 words
// (checked in proc.c).
#define P_TAILWORK 92
#define P_MODE 96
#define P_SYSCALLS 100
#define MAX_SHARED 8 // shared library segments one address space may map (libsys.so: 3)

// Set or clear bits of p->tail_work in one read-modify-write instruction:
// atomic against the timer, which sets TW_RESCHED from an interrupt, on
// this one CPU, so no pushcli is needed. (Everything else about a mode
// request is touched only by kernel code, which is never preempted.)
#define TW_SET(p, bits) __asm__ volatile("orl %1, %0" : "+m"((p)->tail_work) : "ir"(bits))
#define TW_CLEAR(p, bits) __asm__ volatile("andl %1, %0" : "+m"((p)->tail_work) : "ir"(~(bits)))

enum procstate { UNUSED, EMBRYO, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

// Registers saved by swtch() for a process that is not running:
// the callee-saved registers and the return address.
struct context {
    uint32_t eflags, edi, esi, ebx, ebp, eip;
};

struct file;
struct inode;
struct trapframe;
struct shared;

// A user address space: what exec builds in one piece and swaps in, and what
// vm.c, swap.c and mode.c work on. Residency belongs to the whole space, not
// to each page (docs/memory.md, the residency rule).
struct vmspace {
    uint32_t *pgdir;           // page directory (user half + shared kernel half)
    uint32_t brk;              // end of program + heap (sbrk moves it)
    uint32_t heap_start;       // end of the program image; brk never goes below
    struct modepage *modepage; // the kernel's view of the control area page
    int resident;              // the clock passes over this space's frames (set
                               // while Smode, and while becoming Smode)
    uint32_t npages;           // pages in use (present, lazy, on swap), the control
                               // area excepted: what the commit charges for it
    uint32_t nswapped;         // pages now on swap
    uint32_t nslotted;         // resident pages that keep a copy on swap
    int pid;                   // whose space it is (messages, the trace)
    // counts since the process began (exec carries them into the new space)
    uint32_t faults, pageins, pageouts;
    uint32_t walked;           // page-table entries visited by mode switches
    // shared libraries (dynlink.c), mapped in [LIBBASE, lib_end)
    uint32_t lib_end;
    int nshared;
    struct shared *shared[MAX_SHARED]; // their read-only segments (each holds a reference)
};

struct proc {
    struct vmspace vm;         // the user address space (vm.c; exec replaces it).
                               // First, so that &p->vm is p: passing it costs
                               // nothing on the system calls' copy paths.
    uint32_t tail_work;        // TW_* bits (P_TAILWORK)
    int mode;                  // MODE_UMODE or MODE_SMODE (P_MODE; DMSM, mode.c)
    uint32_t syscalls;         // system calls made, by any receiver (P_SYSCALLS; modemgr's rate)
    uint32_t int80;            // ... of them by int 0x80 (the interrupt receiver)
    int pid;
    enum procstate state;
    struct proc *parent;
    char name[PROC_NAME_MAX];

    char *kstack;              // bottom of the kernel stack (KSTACK_SIZE bytes)
    struct trapframe *tf;      // frame of the current system call (SC_FRAME calls)
    struct context *context;   // swtch() here to run the process
    void *chan;                // sleeping on chan when non-zero
    int killed;                // 0, or the wait status it will exit with
    int xstatus;               // exit status for wait()

    struct file *ofile[NOFILE];
    struct inode *cwd;

    // DMSM (mode.c)
    int pending;               // requested mode not yet applied, or MODE_NONE
    int may_promote;           // may call switch_supervisor (inherited, never regained)
    int trusted;               // runs a program from a trusted read-only tree: only
                               // such a process may be Smode (set by exec, kept by fork)
    int refused;               // why the last request was refused (negative errno) or 0
    uint32_t switches;         // mode switches applied
    struct trapframe *ap_frame; // while preempted in AP code: its frame (for
                               // the method (a) lesson only, mode.c)

    int reserve;               // RESERVE_*: may it use the commit reserve (kalloc.c)?

    uint32_t trace_nr;         // the system call in progress, and the mode it was
    int trace_mode;            // made in: for its exit event (trace.c)

    // the x87 registers while the process is not running (fnsave format)
    uint8_t fpu[FPU_STATE_SIZE] __attribute__((aligned(16)));
};

// struct proc's reserve: who may use the last pages of the commit limit, so
// that init and the shell can always fork and exec a `kill` (kalloc.c).
#define RESERVE_NONE 0
#define RESERVE_EXEC 1 // for its next exec only: a child of pid 1's child
#define RESERVE_ALL 2  // pid 1 and its direct children

// The one CPU's state.
struct cpu {
    struct context *scheduler; // swtch() here to enter the scheduler
    struct proc *proc;         // the running process, or 0
    int ncli;                  // depth of pushcli nesting
    int intena;                // were interrupts enabled before the first pushcli?
};

extern struct cpu cpu;
extern struct proc proctab[NPROC]; // proc.c; mode.c walks it to retarget the control areas
extern struct proc *curproc;   // == cpu.proc; a plain global so assembly can read it

#endif
