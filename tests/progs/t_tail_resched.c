// t_tail_resched: the tail applies a pending switch even when it has other
// work to do as well. A timer tick that lands in kernel code asks for a
// yield at the tail of that system call (TW_RESCHED); the tail must still
// apply a mode request that waits there (TW_MODE) in the same call.
//
// How the test makes both bits meet on purpose: the child reads a file of
// BIG bytes into its buffer in one read(), a call that copies long enough
// in the kernel for several ticks to land in it (checked: a first, timed
// read must span at least MIN_TICKS ticks). The parent requests Smode for
// the child while the child runs a pure-CPU loop after its last call (as in
// t_pending), so the long read is the first call to see the request, and
// its tail has TW_MODE and TW_RESCHED together. The child's CS right after
// that read must be 0x08. The case runs under QEMU's -icount, where time is
// the count of guest instructions: the read's length in ticks, and so the
// test's outcome, are the same on every run.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_tail_resched"
#include "testlib.h"

#define FILE_PATH "/tmp/t_tail_resched"
#define BIG (2u * 1024 * 1024) // bytes the long read copies
#define MS_PER_TICK 10         // the kernel's HZ is 100
#define MIN_TICKS 3            // the timed read must span this many ticks
#define LOOP_ITERATIONS (20u * 1000 * 1000)

static char buf[BIG];
static volatile unsigned int sink;

struct report {
    unsigned int timed_ms;  // how long the timed read took (uptime)
    unsigned int cs_before; // CS right before the long read (after the loop)
    unsigned int cs_after;  // CS right after it
    unsigned int mode_after;
    int got;                // what the long read returned
};

// The child: once the parent waits for it, make the file and time one read
// of it (nothing else runs meanwhile), say "ready" (its last system call
// before the loop), loop with no system calls while the parent makes its
// request, then read the file again: the first call after the request.
static void __attribute__((noreturn))
child(int in, int out)
{
    struct report r = {0};
    char c;
    CHILD_CHECK(2, read(in, &c, 1) == 1);
    memset(buf, 'x', sizeof buf); // every page of the buffer present
    int fd = open(FILE_PATH, O_CREAT | O_RDWR | O_TRUNC);
    CHILD_CHECK(3, fd >= 0);
    CHILD_CHECK(4, write(fd, buf, BIG) == (int)BIG);
    CHILD_CHECK(5, lseek(fd, 0, SEEK_SET) == 0);
    unsigned int t0 = uptime();
    CHILD_CHECK(6, read(fd, buf, BIG) == (int)BIG);
    r.timed_ms = uptime() - t0;
    CHILD_CHECK(7, lseek(fd, 0, SEEK_SET) == 0);
    CHILD_CHECK(8, write(out, "r", 1) == 1);

    unsigned int x = 1, sum = 0;
    for (unsigned int i = 0; i < LOOP_ITERATIONS; i++) {
        x = x * 1103515245u + 12345u;
        sum += x >> 9;
    }
    sink = sum;
    r.cs_before = read_cs();
    r.got = read(fd, buf, BIG); // the first system call since the request
    r.cs_after = read_cs();
    r.mode_after = (unsigned int)current_mode();
    CHILD_CHECK(9, write(out, &r, sizeof r) == sizeof r);
    _exit(0);
}

int
main(void)
{
    int to[2], from[2];
    CHECK(pipe(to) == 0 && pipe(from) == 0, "pipe");
    int pid = fork();
    if (pid == 0)
        child(to[0], from[1]);
    CHECK(pid > 0, "fork");

    CHECK(write(to[1], "g", 1) == 1, "write go");
    char c;
    CHECK(read(from[0], &c, 1) == 1 && c == 'r', "read ready");
    // The child has made its last call before the loop.
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0 && pi.mode == MODE_UMODE && pi.pending == MODE_NONE,
          "before the request: mode %d pending %d", pi.mode, pi.pending);
    int r = switch_supervisor(pid);
    CHECK(r == 0, "switch_supervisor(child) = %d", r);
    CHECK(modeinfo(pid, &pi) == 0, "modeinfo");
    CHECK(pi.state != PS_SLEEPING && pi.state != PS_ZOMBIE && pi.pending == MODE_SMODE &&
              pi.mode == MODE_UMODE,
          "the loop ended before the request (state %d mode %d pending %d): make it longer",
          pi.state, pi.mode, pi.pending);

    struct report rep;
    CHECK(read(from[0], &rep, sizeof rep) == sizeof rep, "read report");
    int status;
    CHECK(wait(&status) == pid && status == 0, "child status 0x%x", status);
    printf("t_tail_resched: the timed read of %u bytes took %u ms\n", BIG, rep.timed_ms);
    CHECK(rep.timed_ms >= MIN_TICKS * MS_PER_TICK,
          "the timed read took %u ms, under %d ticks: no tick is sure to land in the "
          "long read, make BIG bigger",
          rep.timed_ms, MIN_TICKS);
    CHECK(rep.got == (int)BIG, "the long read returned %d", rep.got);
    CHECK(rep.cs_before == 0x1b, "right before the long read: cs %x (expected Umode)",
          rep.cs_before);
    CHECK(rep.cs_after == 0x08 && rep.mode_after == MODE_SMODE,
          "right after the long read: cs %x mode %u: its tail also had a yield to do (ticks "
          "came during the read) and left the pending switch undone",
          rep.cs_after, rep.mode_after);
    unlink(FILE_PATH);
    pass();
}
