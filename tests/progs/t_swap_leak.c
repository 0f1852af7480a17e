// t_swap_leak: fork, exec and exit under memory pressure (MEM=16) leak no
// frames and no swap slots: the counts return to their starting values.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_swap_leak"
#include "testlib.h"

#define PAGE 4096

int
main(void)
{
    CHECK(switch_supervisor(0) == 0, "switch_supervisor(0)");
    struct vmstat before, after;
    CHECK(vmstat(&before) == 0 && before.swap_slots > 0, "no swap disk");
    // A Umode process with a big, partly swapped heap forks children (who
    // copy swapped pages), which exec, and all exit.
    int pid = fork();
    if (pid == 0) {
        switch_user(0);
        unsigned int n = before.total_frames; // as much as the RAM
        unsigned char *m = sbrk(n * PAGE);
        for (unsigned int i = 0; i < n; i++)
            m[i * PAGE] = (unsigned char)i;
        for (int k = 0; k < 4; k++) {
            int c = fork();
            if (c == 0) {
                for (unsigned int i = 0; i < n; i += 7) // the copy is intact
                    if (m[i * PAGE] != (unsigned char)i)
                        exit(3);
                if (k % 2) {
                    char *argv[] = {"echo", "exec under pressure", 0};
                    exec("/bin/echo", argv);
                    exit(4);
                }
                exit(0);
            }
            int status;
            if (wait(&status) != c || status != 0)
                exit(5);
        }
        for (unsigned int i = 0; i < n; i++)
            if (m[i * PAGE] != (unsigned char)i)
                exit(6);
        exit(0);
    }
    int status;
    CHECK(wait(&status) == pid && status == 0, "worker status 0x%x", status);
    after = vm();
    printf("page-ins %u, page-outs %u\n", after.pageins - before.pageins,
           after.pageouts - before.pageouts);
    CHECK(after.pageouts > before.pageouts, "no paging happened");
    CHECK(after.free_frames == before.free_frames, "frames leaked: %u -> %u", before.free_frames,
          after.free_frames);
    CHECK(after.swap_used == before.swap_used, "swap slots leaked: %u -> %u", before.swap_used,
          after.swap_used);
    pass();
}
