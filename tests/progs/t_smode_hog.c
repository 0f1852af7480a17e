// t_smode_hog: an Smode AP is preempted like a Umode one (the paper's
// requirement 2, by the stack-pointer test): a child that made itself Smode
// and then spins forever with no system calls must not starve anyone. The
// parent (Umode) runs, sleeps, forks and reaps other children, then kills
// the hog. Then the same with two Smode hogs at once.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TEST_NAME "t_smode_hog"
#include "testlib.h"

static volatile unsigned int counter;

// Make itself Smode, then spin in ring 0 with no system calls, forever.
static int
start_hog(void)
{
    int pid = fork();
    if (pid == 0) {
        if (switch_supervisor(0) != 0 || read_cs() != 0x08)
            _exit(3);
        for (;;)
            counter++;
    }
    CHECK(pid > 0, "fork hog");
    struct procinfo pi;
    for (int tries = 0; tries < 500; tries++) {
        CHECK(modeinfo(pid, &pi) == 0, "modeinfo hog");
        CHECK(pi.state != PS_ZOMBIE, "hog exited (could not switch?)");
        if (pi.mode == MODE_SMODE && pi.pending == MODE_NONE)
            return pid;
        msleep(10);
    }
    FAIL("hog never became Smode");
}

// A child doing finite work: it must get the CPU and finish.
static void
finite_child(int code)
{
    int pid = fork();
    if (pid == 0) {
        unsigned int x = 1;
        for (int i = 0; i < 2000000; i++)
            x = x * 1103515245u + 12345u;
        _exit(code + (int)(x & 0)); // uses x
    }
    CHECK(pid > 0, "fork worker");
    int status;
    CHECK(wait(&status) == pid, "wait worker");
    CHECK(status == code, "worker status 0x%x", status);
}

static void
still_running(int pid)
{
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0 && pi.state != PS_ZOMBIE && pi.state != PS_SLEEPING,
          "hog %d not running (state %d)", pid, pi.state);
    CHECK(pi.mode == MODE_SMODE, "hog %d mode %d", pid, pi.mode);
}

static void
kill_hog(int pid)
{
    CHECK(kill(pid) == 0, "kill hog");
    int status;
    CHECK(wait(&status) == pid, "wait hog");
    CHECK(WIFKILLED(status) && WKILLVEC(status) == KILLED_BY_KILL, "hog status 0x%x", status);
}

int
main(void)
{
    int hog = start_hog();
    unsigned int t0 = uptime();
    CHECK(msleep(50) == 0, "msleep");
    for (int i = 0; i < 5; i++)
        finite_child(10 + i);
    for (volatile int i = 0; i < 1000000; i++) // the parent computes too
        ;
    CHECK(getpid() == 1, "getpid");
    CHECK(uptime() >= t0 + 50, "uptime");
    still_running(hog);
    kill_hog(hog);

    int h1 = start_hog(), h2 = start_hog();
    CHECK(msleep(30) == 0, "msleep");
    for (int i = 0; i < 5; i++)
        finite_child(20 + i);
    still_running(h1);
    still_running(h2);
    // a hog killed while the other keeps spinning
    kill_hog(h2);
    finite_child(30);
    still_running(h1);
    kill_hog(h1);
    int status;
    CHECK(wait(&status) == -ECHILD, "children left");
    pass();
}
