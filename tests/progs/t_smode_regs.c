// t_smode_regs: an Smode program loses nothing when a tick interrupts it
// (lab 5: the frame move and the ring-0 return). Three Smode workers run
// for about two seconds of ticks each, preempted over and over:
//  - one holds known values in EAX, EBX, ECX, EDX, ESI, EDI and EBP in a
//    loop that checks them after every step: a register the way in or out
//    mixed up shows at once;
//  - one recurses deeply and checks every result on the way back up: a
//    stack pointer the ring-0 return puts back wrong breaks a return;
//  - one calls getpid in a loop: ticks land in the function receiver's
//    first and last instructions too, which run on the program's stack.
// Each reports its verdict in its exit status.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TEST_NAME "t_smode_regs"
#include "testlib.h"

#define TICKS 200 // how long each worker runs (about two seconds)

static volatile unsigned int regs_bad; // set by register_loop's asm

// Keep known values in every general register across a long loop that
// checks them all at every step (ECX counts the rounds); returns 1 if one
// ever came back different.
static unsigned int
register_loop(unsigned int rounds)
{
    regs_bad = 0;
    __asm__ volatile("push %%ebp\n\t"
                     "mov $0x11111111, %%eax\n\t"
                     "mov $0x22222222, %%ebx\n\t"
                     "mov $0x33333333, %%edx\n\t"
                     "mov $0x44444444, %%esi\n\t"
                     "mov $0x55555555, %%edi\n\t"
                     "mov $0x66666666, %%ebp\n\t"
                     "1:\n\t"
                     "cmp $0x11111111, %%eax\n\t jne 2f\n\t"
                     "cmp $0x22222222, %%ebx\n\t jne 2f\n\t"
                     "cmp $0x33333333, %%edx\n\t jne 2f\n\t"
                     "cmp $0x44444444, %%esi\n\t jne 2f\n\t"
                     "cmp $0x55555555, %%edi\n\t jne 2f\n\t"
                     "cmp $0x66666666, %%ebp\n\t jne 2f\n\t"
                     "loop 1b\n\t"
                     "jmp 3f\n\t"
                     "2: movl $1, regs_bad\n\t"
                     "3: pop %%ebp"
                     : "+c"(rounds)
                     :
                     : "eax", "ebx", "edx", "esi", "edi", "memory", "cc");
    return regs_bad;
}

// A recursion whose every frame checks what it gets back.
static unsigned int __attribute__((noinline))
depth(unsigned int n, unsigned int *bad)
{
    volatile unsigned int mine[8] = {n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7};
    unsigned int below = n ? depth(n - 1, bad) : 0;
    for (unsigned int i = 0; i < 8; i++)
        *bad += mine[i] != n + i;
    if (n && below != (n - 1) * 8 + 28)
        (*bad)++;
    return n * 8 + 28;
}

// The worker: Smode, then `what` until TICKS ticks have passed; its exit
// status is 0, or 10 + the kind of failure.
static void __attribute__((noreturn))
worker(int what)
{
    if (switch_supervisor(0) != 0 || read_cs() != 0x08)
        _exit(2);
    unsigned int start = uptime(), bad = 0, me = (unsigned int)getpid();
    while (uptime() - start < TICKS * 10 && !bad) {
        if (what == 0)
            bad = register_loop(100000);
        else if (what == 1)
            depth(200, &bad);
        else
            for (int i = 0; i < 1000 && !bad; i++)
                bad = (unsigned int)getpid() != me;
    }
    _exit(bad ? 10 + what : 0);
}

int
main(void)
{
    static const char *const names[] = {"registers", "stack", "getpid"};
    int pids[3];
    for (int w = 0; w < 3; w++) {
        pids[w] = fork();
        if (pids[w] == 0)
            worker(w);
        CHECK(pids[w] > 0, "fork");
    }
    int status[3] = {-1, -1, -1};
    for (int n = 0; n < 3; n++) { // the workers end in any order
        int st, pid = wait(&st);
        for (int w = 0; w < 3; w++)
            if (pid == pids[w])
                status[w] = st;
        CHECK(pid > 0, "wait: %d", pid);
    }
    for (int w = 0; w < 3; w++) {
        CHECK(status[w] == 0, "the %s worker failed in Smode (status 0x%x)", names[w], status[w]);
        printf("smode_regs: the %s worker was preempted for %d ticks and lost nothing\n", names[w],
               TICKS);
    }
    pass();
}
