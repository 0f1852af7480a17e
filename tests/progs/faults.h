// faults.h: ways for a test program to fault, shared by the tests that
// provoke faults in ring 3 and in Smode (t_faults, t_smode_faults,
// t_smode_stack, t_smode_esp, t_fuzz). Header only; every test includes
// what it uses.
#ifndef FAULTS_H
#define FAULTS_H

#define KERNBASE 0xC0000000u // the first kernel address (kernel/mmu.h)

// Smode stack pointers at the boundary of user space or past it, each of
// which must kill the program that sets it (t_smode_esp tells why), never
// the kernel: call_with_esp's arguments in t_smode_esp and t_fuzz.
static const unsigned int boundary_esps[] __attribute__((unused)) = {
    KERNBASE - 4, KERNBASE, KERNBASE + 8, KERNBASE + 24, KERNBASE + 64};
#define NBOUNDARY_ESPS (sizeof boundary_esps / sizeof boundary_esps[0])

static volatile int zero __attribute__((unused)) = 0; // divide by it
static volatile int sink __attribute__((unused));      // read into it
static volatile int depth_limit __attribute__((unused)) = 1 << 30; // never reached

// A NULL read and a NULL write (page 0 is never mapped).
static inline void
null_read(void)
{
    sink = *(volatile int *)0;
}

static inline void
null_write(void)
{
    *(volatile int *)0 = 1;
}

// Recurse with 1 KiB frames until the stack runs out.
static inline int
recurse(int depth)
{
    volatile char pad[1024];
    pad[0] = (char)depth;
    pad[1023] = (char)depth;
    if (depth >= depth_limit)
        return 0;
    return recurse(depth + 1) + pad[0] + pad[1023];
}

// Smode only: point ESP at esp and call the function receiver (getpid),
// then spin there. With ESP outside the stack the program is killed: by the
// call's own pushes, or at the next tick (t_smode_esp, t_fuzz).
static inline void __attribute__((noreturn))
call_with_esp(unsigned int esp)
{
    __asm__ volatile("mov %0, %%esp; call *%2\n1: jmp 1b"
                     : : "r"(esp), "a"(SYS_getpid), "m"(((struct modepage *)MODEPAGE)->fcall));
    __builtin_unreachable();
}

#endif
