// t_fair: preemption. CPU-bound children that make no system calls in their
// loops must not starve each other or the parent: a child spinning forever
// does not keep others (or the parent) from running, and can be killed.
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_NAME "t_fair"
#include "testlib.h"

// A pure CPU loop: no system calls, no memory but the stack.
static unsigned int
crunch(unsigned int iters, unsigned int seed)
{
    volatile unsigned int x = seed;
    for (unsigned int i = 0; i < iters; i++)
        x = x * 1103515245u + 12345u + i;
    return x;
}

static void __attribute__((noreturn))
spin_forever(void)
{
    volatile unsigned int x = 1;
    for (;;)
        x = x * 3 + 1;
}

#define SHORT_LOOP 10000000u // a fraction of a second of CPU

int
main(void)
{
    int st;
    // the expected result of the short loop, computed by the parent
    unsigned int expect = crunch(SHORT_LOOP, 42);

    // ---- two finite CPU-bound children, each reports once through a pipe ----
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    int kids[2];
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        CHECK(kids[i] >= 0, "fork: %d", kids[i]);
        if (kids[i] == 0) {
            close(fds[0]);
            unsigned int v = crunch(SHORT_LOOP * 2, 42);
            char c = (char)('A' + i);
            write(fds[1], &c, 1);
            exit(v == crunch(SHORT_LOOP * 2, 42) ? 0 : 9);
        }
    }
    close(fds[1]);
    char got[2] = {0, 0};
    for (int i = 0; i < 2; i++)
        CHECK(read(fds[0], &got[i], 1) == 1, "report %d missing", i);
    CHECK((got[0] == 'A' && got[1] == 'B') || (got[0] == 'B' && got[1] == 'A'),
          "reports %c %c", got[0], got[1]);
    CHECK(read(fds[0], got, 1) == 0, "pipe not at EOF after both children");
    close(fds[0]);
    for (int i = 0; i < 2; i++) {
        int w = wait(&st);
        CHECK(w == kids[0] || w == kids[1], "wait returned %d", w);
        CHECK(st == 0, "cpu child %d status %d", w, st);
    }
    printf("two CPU-bound children finished\n");

    // ---- a child spinning forever does not starve a finite one ----
    int a = fork();
    CHECK(a >= 0, "fork A: %d", a);
    if (a == 0)
        spin_forever();
    // the parent itself must get the CPU back while A spins
    unsigned int mine = crunch(SHORT_LOOP, 42);
    CHECK(mine == expect, "parent's loop result changed");
    int b = fork();
    CHECK(b >= 0, "fork B: %d", b);
    if (b == 0)
        exit(crunch(SHORT_LOOP, 42) == expect ? 0 : 8);
    int w = wait(&st);
    CHECK(w == b, "wait returned %d, expected B (%d)", w, b);
    CHECK(st == 0, "B's status %d", st);
    printf("B finished while A spun\n");

    // several finite children while A still spins: all finish
    int c[3];
    for (int i = 0; i < 3; i++) {
        c[i] = fork();
        CHECK(c[i] >= 0, "fork C%d: %d", i, c[i]);
        if (c[i] == 0)
            exit(crunch(SHORT_LOOP / 2, 42) == crunch(SHORT_LOOP / 2, 42) ? 20 + i : 7);
    }
    for (int k = 0; k < 3; k++) {
        w = wait(&st);
        int i;
        for (i = 0; i < 3 && c[i] != w; i++)
            ;
        CHECK(i < 3, "wait returned %d, not a C child (A is %d)", w, a);
        CHECK(st == 20 + i, "C%d status %d", i, st);
    }
    // a sleeping child wakes up and finishes while A spins
    int s = fork();
    CHECK(s >= 0, "fork S: %d", s);
    if (s == 0) {
        msleep(20);
        exit(31);
    }
    w = wait(&st);
    CHECK(w == s && st == 31, "sleeper: wait %d status %d", w, st);

    // ---- kill the spinner: it makes no system calls, so the kernel must
    // catch it on a timer interrupt ----
    CHECK(kill(a) == 0, "kill(A) failed");
    w = wait(&st);
    CHECK(w == a, "wait returned %d, expected A (%d)", w, a);
    CHECK(WIFKILLED(st), "A's status 0x%x is not killed", st);
    CHECK(WKILLVEC(st) == KILLED_BY_KILL, "A's status 0x%x: not KILLED_BY_KILL", st);
    CHECK(wait(&st) == -ECHILD, "children left");

    // ---- two spinners at once, and a finite child still runs ----
    int sp[2];
    for (int i = 0; i < 2; i++) {
        sp[i] = fork();
        CHECK(sp[i] >= 0, "fork spinner: %d", sp[i]);
        if (sp[i] == 0)
            spin_forever();
    }
    b = fork();
    CHECK(b >= 0, "fork: %d", b);
    if (b == 0)
        exit(crunch(SHORT_LOOP, 42) == expect ? 0 : 8);
    w = wait(&st);
    CHECK(w == b && st == 0, "finite child beside two spinners: wait %d status %d", w, st);
    for (int i = 0; i < 2; i++)
        CHECK(kill(sp[i]) == 0, "kill spinner %d", sp[i]);
    for (int i = 0; i < 2; i++) {
        w = wait(&st);
        CHECK(w == sp[0] || w == sp[1], "wait returned %d", w);
        CHECK(WIFKILLED(st) && WKILLVEC(st) == KILLED_BY_KILL, "spinner status 0x%x", st);
    }
    CHECK(wait(&st) == -ECHILD, "children left at the end");
    printf("spinners killed\n");

    pass();
}
