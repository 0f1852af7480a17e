// spin: a CPU and system-call loop, meant to run in the background
// (`spin &`) while its mode is switched from outside (`mode s PID`).
//   spin [-v] [ROUNDS]   ROUNDS 0 or absent: forever
// Each round computes a checksum, then checks getpid() and uptime(). Any
// disagreement means the kernel lost some of this process's state across a
// preemption, a system call or a mode switch: it is reported, and spin
// exits 1.
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITERATIONS 200000

// The seed is read through volatile so the compiler cannot compute the
// checksum once and reuse it: every round really does the work.
static volatile unsigned int seed = 12345;

// Integer arithmetic with a result that depends on every step.
static unsigned int
work(void)
{
    unsigned int x = seed, sum = 0;

    for (int i = 0; i < ITERATIONS; i++) {
        x = x * 1103515245u + 12345u;
        sum += (x >> 7) ^ (unsigned int)i;
    }
    return sum;
}

static void __attribute__((noreturn))
usage(void)
{
    eprintf("usage: spin [-v] [ROUNDS]\n");
    exit(1);
}

int
main(int argc, char **argv)
{
    int verbose = 0, i = 1;
    unsigned long rounds = 0;

    if (i < argc && strcmp(argv[i], "-v") == 0) {
        verbose = 1;
        i++;
    }
    if (i < argc) {
        char *end;
        rounds = strtoul(argv[i], &end, 10);
        if (*argv[i] == 0 || *argv[i] == '-' || *end != 0)
            usage();
        i++;
    }
    if (i != argc)
        usage();

    int pid = getpid();
    unsigned int expect = work();
    unsigned int last = uptime();
    for (unsigned long round = 1; rounds == 0 || round <= rounds; round++) {
        unsigned int sum = work();
        if (sum != expect) {
            eprintf("spin: WRONG checksum in round %lu: %x, expected %x\n",
                    round, sum, expect);
            return 1;
        }
        int now_pid = getpid();
        if (now_pid != pid) {
            eprintf("spin: WRONG getpid in round %lu: %d, expected %d\n",
                    round, now_pid, pid);
            return 1;
        }
        unsigned int now = uptime();
        if (now < last) {
            eprintf("spin: WRONG uptime in round %lu: %u after %u\n", round,
                    now, last);
            return 1;
        }
        last = now;
        if (verbose)
            printf("spin %d: round %lu mode %s\n", pid, round,
                   current_mode() == MODE_SMODE ? "Smode" : "Umode");
    }
    printf("spin %d: done %lu rounds\n", pid, rounds);
    return 0;
}
