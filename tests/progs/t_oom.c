// t_oom: running out of both memory and swap under the commit rule (run with
// MEM=16 and the default 32 MiB swap; docs/memory.md section 10). A child
// grows its heap a page at a time until sbrk says -ENOMEM: that must happen
// with the commit at its limit, not before and not past it. Then it touches
// every page it got and reads a sample back: every fault on committed memory
// finds a frame or a swap slot (nobody is killed for lack of memory). The
// kernel survives, and every frame, swap slot and page of commit comes back.
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
    struct vmstat before = vm();
    CHECK(before.swap_slots > 0, "no swap disk");
    CHECK(before.commit_limit > before.total_frames, "limit %u: swap not counted",
          before.commit_limit);
    int pid = fork();
    if (pid == 0) {
        switch_user(0);
        char *m;
        unsigned int n = grow_until_refused(&m, 1);
        struct vmstat full = vm();
        if ((int)sbrk(PAGE) != -ENOMEM || full.commit_limit - full.committed > 1)
            exit(3); // refused, and only at the limit
        printf("t_oom: sbrk refused at %u pages: committed %u of %u\n", n, full.committed,
               full.commit_limit);
        for (unsigned int i = 0; i < n; i++)
            m[i * PAGE] = (char)(i * 7 + 1);
        for (unsigned int i = 0; i < n; i += 61) // a sample: most are on swap
            if (m[i * PAGE] != (char)(i * 7 + 1))
                exit(4);
        struct vmstat touched = vm();
        printf("t_oom: all %u pages touched, a sample read back, page-outs %u\n", n,
               touched.pageouts - full.pageouts);
        exit(0);
    }
    int status = wait_child(pid);
    CHECK(!WIFKILLED(status) && WEXITSTATUS(status) == 0, "status 0x%x, expected exit 0",
          status);
    struct vmstat after = vm();
    CHECK(after.free_frames == before.free_frames, "frames: %u -> %u", before.free_frames,
          after.free_frames);
    CHECK(after.swap_used == before.swap_used, "swap: %u -> %u", before.swap_used,
          after.swap_used);
    CHECK(after.committed == before.committed, "commit: %u -> %u", before.committed,
          after.committed);
    // the system still works
    pid = fork();
    if (pid == 0)
        exit(42);
    CHECK(wait(&status) == pid && WEXITSTATUS(status) == 42, "fork after OOM");
    pass();
}
