// t_fcall: the function receiver's contract, seen from an Smode program
// (lab 3): a bad number gets -ENOSYS from the common dispatcher, whatever
// its value; every call is counted in the process's syscalls, fast path
// and slow path alike (procinfo; modemgr rates processes by it); and a call
// by number reaches the same handler as its stub.
#include <stdio.h>
#include <unistd.h>

#define TEST_NAME "t_fcall"
#include "testlib.h"

static int me;

// The calls this process has made, by procinfo's count: the modeinfo call
// that reads it is counted only after it has read it.
static unsigned int
calls_made(void)
{
    struct procinfo pi;
    CHECK(modeinfo(me, &pi) == 0, "modeinfo");
    return pi.syscalls;
}

int
main(void)
{
    CHECK(switch_supervisor(0) == 0, "switch_supervisor");
    CHECK(read_cs() == 0x08, "not in ring 0 after the switch");
    const int bad[] = {0, NSYSCALL, NSYSCALL + 1, -1, 0x7FFFFFFF, 9999};
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = syscall5(bad[i], 1, 2, 3, 4, 5);
        CHECK(r == -ENOSYS, "system call %d from Smode returned %d, expected -ENOSYS", bad[i], r);
    }
    printf("fcall: bad numbers give -ENOSYS in Smode\n");
    me = getpid();
    CHECK(syscall5(SYS_getpid, 0, 0, 0, 0, 0) == me, "getpid by number");

    unsigned int before = calls_made(); // this modeinfo call counts too
    for (int i = 0; i < 100; i++)
        getpid(); // the fast path
    unsigned int after = calls_made();
    CHECK(after - before == 101, "100 fast-path getpids counted %u calls, expected 101 "
          "(with one modeinfo)", after - before - 1);
    before = calls_made();
    int child = fork(); // the slow path (SC_FRAME)
    if (child == 0)
        exit(0);
    CHECK(child > 0, "fork");
    int status;
    CHECK(wait(&status) == child, "wait");
    after = calls_made();
    CHECK(after - before == 3, "fork and wait counted %u calls, expected 2", after - before - 1);
    printf("fcall: every call is counted, fast path and slow path\n");
    CHECK(switch_user(0) == 0, "switch_user");
    pass();
}
