// t_pending: method (b). A request for another process is only registered;
// the target applies it at the tail of its next system call and not before.
// The child runs a long pure-CPU loop (no system calls) while the parent
// requests Smode: modeinfo must show the request pending and the child still
// Umode for as long as it loops; the child's CS is 0x1b right after the loop
// and 0x08 right after its first system call.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_pending"
#include "testlib.h"

static volatile unsigned int sink;

struct report {
    unsigned int cs_loop;   // CS in the loop (before the first call after it)
    unsigned int mode_loop; // the mode flag there
    unsigned int cs_after;  // CS after that call
    unsigned int mode_after;
    unsigned int sum;
};

// The child: wait for "go", say "ready", then loop with no system calls.
static void __attribute__((noreturn))
child(int in, int out, unsigned int iterations)
{
    char c;
    if (read(in, &c, 1) != 1 || write(out, "r", 1) != 1)
        _exit(1);
    unsigned int x = 1, sum = 0;
    for (unsigned int i = 0; i < iterations; i++) {
        x = x * 1103515245u + 12345u;
        sum += x >> 9;
    }
    struct report r;
    r.cs_loop = read_cs();
    r.mode_loop = (unsigned int)current_mode();
    r.sum = sum;
    sink = (unsigned int)getpid(); // the first system call after the loop
    r.cs_after = read_cs();
    r.mode_after = (unsigned int)current_mode();
    if (write(out, &r, sizeof r) != sizeof r)
        _exit(1);
    _exit(0);
}

int
main(void)
{
    int to[2], from[2];
    CHECK(pipe(to) == 0 && pipe(from) == 0, "pipe");
    int pid = fork();
    if (pid == 0)
        child(to[0], from[1], 800u * 1000 * 1000);
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
    for (int i = 0; i < 5; i++) {
        CHECK(modeinfo(pid, &pi) == 0, "modeinfo");
        if (pi.state == PS_SLEEPING || pi.state == PS_ZOMBIE)
            FAIL("the loop ended too soon (state %d): make it longer", pi.state);
        CHECK(pi.mode == MODE_UMODE, "applied before a system call: mode %d", pi.mode);
        CHECK(pi.pending == MODE_SMODE, "pending %d", pi.pending);
        CHECK(pi.switches == 0, "switches %u", pi.switches);
        CHECK(pi.pinned == 1, "pinned %u before the switch", pi.pinned);
        msleep(20);
    }
    // Still looping after the polls: they all saw it in the loop.
    CHECK(modeinfo(pid, &pi) == 0 && pi.mode == MODE_UMODE && pi.pending == MODE_SMODE,
          "the loop ended during the polls: make it longer (mode %d)", pi.mode);

    struct report rep;
    CHECK(read(from[0], &rep, sizeof rep) == sizeof rep, "read report");
    CHECK(rep.cs_loop == 0x1b && rep.mode_loop == MODE_UMODE,
          "right after the loop: cs %x mode %u (expected Umode: no call yet)", rep.cs_loop,
          rep.mode_loop);
    CHECK(rep.cs_after == 0x08 && rep.mode_after == MODE_SMODE,
          "after the first call: cs %x mode %u (expected Smode)", rep.cs_after, rep.mode_after);
    CHECK(modeinfo(pid, &pi) == 0 && pi.mode == MODE_SMODE && pi.pending == MODE_NONE &&
              pi.switches == 1,
          "afterwards: mode %d pending %d switches %u", pi.mode, pi.pending, pi.switches);
    int status;
    CHECK(wait(&status) == pid && status == 0, "child status 0x%x", status);
    pass();
}
