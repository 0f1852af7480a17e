// t_oom: running out of both memory and swap (run with MEM=16 and the
// default 32 MiB swap): the process that needs memory is killed with a
// clear report, the kernel survives, and everything is given back.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TEST_NAME "t_oom"
#include "testlib.h"

#define PAGE 4096

int
main(void)
{
    CHECK(switch_supervisor(0) == 0, "switch_supervisor(0)"); // keep this one resident
    struct vmstat before, after;
    CHECK(vmstat(&before) == 0 && before.swap_slots > 0, "no swap disk");
    unsigned int want = before.total_frames + before.swap_slots + 1024; // more than all
    for (int round = 0; round < 2; round++) {
        int pid = fork();
        if (pid == 0) {
            switch_user(0);
            char *m = sbrk(0);
            for (unsigned int i = 0; i < want; i++) {
                if (sbrk_failed(sbrk(PAGE)))
                    exit(2);
                m[i * PAGE] = (char)i; // touch: the page must exist now
            }
            exit(0); // not reached: memory and swap run out first
        }
        int status = wait_child(pid);
        CHECK(WIFKILLED(status) && WKILLVEC(status) == 14, "status 0x%x, expected a kill", status);
        after = vm();
        CHECK(after.free_frames == before.free_frames, "frames: %u -> %u", before.free_frames,
              after.free_frames);
        CHECK(after.swap_used == before.swap_used, "swap: %u -> %u", before.swap_used,
              after.swap_used);
    }
    // the system still works
    int pid = fork();
    if (pid == 0)
        exit(42);
    int status;
    CHECK(wait(&status) == pid && WEXITSTATUS(status) == 42, "fork after OOM");
    pass();
}
