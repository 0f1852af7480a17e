// t_y2: the Y2 lesson. A child in Smode calls getpid in a tight loop; the
// parent flips its mode back and forth many times.
//  - With method (b) (the kernel as built by default) every switch waits
//    for the tail of the child's next system call: the child survives.
//  - With method (a) (build/method-a/kernel.elf, see kernel/mode.c) a
//    switch is applied at once to the preempted child. With methoda=off
//    (no checks), sooner or later the child is switched to Umode in state
//    Y2 of its stub (flag tested, `call` not yet made) or Z0 (in the
//    function receiver's first or last instructions, on its own stack): it
//    then runs ring-0-only code in ring 3 and is killed by a page fault.
//    With methoda=y2 it still dies, in Z0; with methoda=safe it survives.
// usage: t_y2 [expect-kill] [FLIPS]   expect survival (or the kill) within
//                                     FLIPS flip pairs (default 150, 2000)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_y2"
#include "testlib.h"

int
main(int argc, char **argv)
{
    int expect_kill = argc > 1 && strcmp(argv[1], "expect-kill") == 0;
    int flips = argc > 1 + expect_kill ? atoi(argv[1 + expect_kill]) : expect_kill ? 2000 : 150;
    // The child reports over a pipe once it runs in Smode, so that no flip
    // of the parent's can race with the child's own switch_supervisor(0)
    // (a request of the parent's made first would make the child's own
    // request -EALREADY).
    int ready[2];
    if (pipe(ready) < 0)
        FAIL("pipe");
    int child = fork();
    if (child == 0) {
        if (switch_supervisor(0) != 0) // applied at the tail of this call
            exit(2);
        if (read_cs() != 0x08)
            exit(5); // the switch never happened: nothing for the parent to flip
        int me = getpid();
        if (write(ready[1], "s", 1) != 1)
            exit(4);
        for (;;)
            if (getpid() != me)
                exit(3);
    }
    char c;
    close(ready[1]);
    if (read(ready[0], &c, 1) != 1)
        FAIL("the child did not reach Smode (its status is in the next wait)");
    int i, dead = 0;
    struct procinfo pi;
    for (i = 0; i < flips && !dead; i++) {
        switch_user(child);
        msleep(10); // let the child run (and be preempted) in its new mode
        switch_supervisor(child);
        msleep(10);
        dead = modeinfo(child, &pi) < 0 || pi.state == PS_ZOMBIE;
    }
    if (!dead)
        kill(child);
    int status;
    wait(&status);
    if (WIFKILLED(status) && WKILLVEC(status) == 14) {
        printf("t_y2: the child was killed by a page fault after %d flip pairs: "
               "switched in state Y2 or Z0, it ran ring-0-only code in ring 3\n", i);
        if (!expect_kill)
            FAIL("method (b) must never do this");
        pass();
    }
    if (WIFKILLED(status) && WKILLVEC(status) == KILLED_BY_KILL) {
        printf("t_y2: the child survived %d flip pairs\n", i);
        if (expect_kill)
            FAIL("no Y2 kill happened");
        pass();
    }
    FAIL("unexpected child status 0x%x", status);
}
