// t_eperm: who may promote. After nopromote(), a process may not make
// itself or anyone Smode, nor switch another process at all (-EPERM), but it
// may always demote itself (switch_user(0): -EALREADY from Umode, 0 from
// Smode), and nopromote() in Smode demotes it at once. The right is inherited at fork: a child forked before nopromote
// keeps it, one forked after does not. modeinfo.may_promote shows it.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TEST_NAME "t_eperm"
#include "testlib.h"

static int
may_promote(int pid)
{
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0, "modeinfo(%d)", pid);
    return pi.may_promote;
}

// Child exit codes: 0 ok, else the number of the failed check (CHILD_CHECK).

int
main(void)
{
    CHECK(may_promote(0) == 1, "init may not promote");

    // A child forked before nopromote: waits for the word, then promotes itself.
    int go[2];
    CHECK(pipe(go) == 0, "pipe");
    int early = fork();
    if (early == 0) {
        char c;
        CHILD_CHECK(10, read(go[0], &c, 1) == 1);
        CHILD_CHECK(11, may_promote(0) == 1);
        CHILD_CHECK(12, switch_supervisor(0) == 0 && read_cs() == 0x08);
        CHILD_CHECK(13, switch_user(0) == 0 && read_cs() == 0x1b);
        CHILD_CHECK(14, read(go[0], &c, 1) == 1); // stays until the parent is done
        _exit(0);
    }
    CHECK(early > 0, "fork");

    // An Smode child that drops the right: that demotes it too (t_nopromote).
    int smode = fork();
    if (smode == 0) {
        CHILD_CHECK(20, switch_supervisor(0) == 0 && read_cs() == 0x08);
        CHILD_CHECK(21, nopromote() == 0 && may_promote(0) == 0);
        CHILD_CHECK(22, read_cs() == 0x1b && current_mode() == MODE_UMODE);
        CHILD_CHECK(23, switch_supervisor(0) == -EPERM && read_cs() == 0x1b);
        CHILD_CHECK(24, switch_user(0) == -EALREADY);
        _exit(0);
    }
    CHECK(smode > 0, "fork");
    int status;
    CHECK(wait(&status) == smode && status == 0, "Smode child: check %d failed", status);

    CHECK(nopromote() == 0, "nopromote");
    CHECK(may_promote(0) == 0, "may_promote after nopromote");
    CHECK(nopromote() == 0, "nopromote twice");
    CHECK(may_promote(early) == 1, "the early child lost its right");
    int r;
    CHECK((r = switch_supervisor(0)) == -EPERM, "switch_supervisor(0) = %d", r);
    CHECK(read_cs() == 0x1b && current_mode() == MODE_UMODE, "promoted anyway");
    CHECK((r = switch_supervisor(early)) == -EPERM, "switch_supervisor(other) = %d", r);
    CHECK((r = switch_user(early)) == -EPERM, "switch_user(other) = %d", r);
    CHECK((r = switch_user(0)) == -EALREADY, "switch_user(0) = %d", r);
    CHECK((r = switch_supervisor(getpid())) == -EPERM, "switch_supervisor(own pid) = %d", r);
    CHECK((r = switch_supervisor(9999)) == -ESRCH, "switch_supervisor(9999) = %d", r);
    struct procinfo pi;
    CHECK(modeinfo(early, &pi) == 0 && pi.pending == MODE_NONE, "a request got through");

    // A child forked now inherits the loss.
    int late = fork();
    if (late == 0) {
        CHILD_CHECK(30, may_promote(0) == 0);
        CHILD_CHECK(31, switch_supervisor(0) == -EPERM && read_cs() == 0x1b);
        CHILD_CHECK(32, switch_supervisor(getppid()) == -EPERM);
        CHILD_CHECK(33, switch_user(0) == -EALREADY);
        CHILD_CHECK(34, current_mode() == MODE_UMODE);
        _exit(0);
    }
    CHECK(late > 0, "fork");
    CHECK(wait(&status) == late && status == 0, "late child: check %d failed", status);

    // The early child still may.
    CHECK(write(go[1], "g", 1) == 1, "write");
    for (int tries = 0; tries < 500; tries++) {
        CHECK(modeinfo(early, &pi) == 0, "modeinfo(early)");
        if (pi.switches == 2)
            break;
        msleep(10);
    }
    CHECK(write(go[1], "e", 1) == 1, "write");
    CHECK(wait(&status) == early && status == 0, "early child: check %d failed", status);
    CHECK(pi.switches == 2, "early child switches %u", pi.switches);
    pass();
}
