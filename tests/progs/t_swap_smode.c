// t_swap_smode: a Umode process whose pages were paged out is switched to
// Smode by a manager: the switch reads back exactly the pages that are out
// (no more page-ins than pages on swap) before the process runs in ring 0,
// and from then on none of its pages is paged out, though memory stays
// short: a second hog runs while the target is Smode (run with MEM=16).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_swap_smode"
#include "testlib.h"

#define PAGE 4096
#define TARGET_PAGES 1024 // 4 MiB

// A hog that touches n pages (as many as the RAM has frames), then exits.
static void
run_hog(unsigned int n)
{
    int hog = fork();
    if (hog == 0) {
        char *m = sbrk(n * PAGE);
        for (unsigned int i = 0; i < n; i++)
            m[i * PAGE] = 1;
        exit(0);
    }
    int status;
    CHECK(wait(&status) == hog && status == 0, "hog status %d", status);
}

int
main(void)
{
    struct vmstat vs;
    CHECK(vmstat(&vs) == 0 && vs.swap_slots > 0, "no swap disk");
    int ready[2], go[2], done[2];
    CHECK(pipe(ready) == 0 && pipe(go) == 0 && pipe(done) == 0, "pipe");

    // The target: fills 4 MiB, says so, then blocks in read() until told to
    // go on; that read's tail is where the manager's request applies.
    int target = fork();
    if (target == 0) {
        unsigned char *mem = sbrk(TARGET_PAGES * PAGE);
        for (int i = 0; i < TARGET_PAGES; i++)
            memset(mem + i * PAGE, (unsigned char)i, PAGE);
        write(ready[1], "r", 1);
        char c;
        read(go[0], &c, 1);
        unsigned int cs = read_cs();
        for (int i = 0; i < TARGET_PAGES; i++) // all intact
            if (mem[i * PAGE] != (unsigned char)i || mem[i * PAGE + PAGE - 1] != (unsigned char)i)
                exit(3);
        write(done[1], cs == 8 ? "S" : "U", 1);
        read(go[0], &c, 1); // stay alive while the manager looks
        exit(0);
    }
    char c;
    CHECK(read(ready[0], &c, 1) == 1, "target ready");

    // Push the target out: a hog touches more than the RAM, then exits.
    run_hog(vs.total_frames);

    struct procinfo pi;
    CHECK(modeinfo(target, &pi) == 0, "modeinfo");
    printf("target before: resident %u swapped %u pinned %u\n", pi.resident, pi.swapped, pi.pinned);
    CHECK(pi.swapped > TARGET_PAGES / 2, "the target was not paged out (%u swapped)", pi.swapped);
    unsigned int out = pi.swapped, pageins0 = pi.pageins;
    CHECK(switch_supervisor(target) == 0, "switch_supervisor(target)");
    CHECK(write(go[1], "g", 1) == 1, "go");
    CHECK(read(done[0], &c, 1) == 1 && c == 'S', "target did not run as Smode (%c)", c);
    CHECK(modeinfo(target, &pi) == 0, "modeinfo after");
    printf("target after:  resident %u swapped %u pinned %u pageins %u\n", pi.resident, pi.swapped,
           pi.pinned, pi.pageins);
    CHECK(pi.mode == MODE_SMODE && pi.swapped == 0, "not fully resident");
    CHECK(pi.pageins - pageins0 == out, "%u page-ins for %u pages on swap", pi.pageins - pageins0,
          out);
    CHECK(pi.pinned == 1, "Smode pages pinned one by one: %u", pi.pinned);
    CHECK(pi.resident >= TARGET_PAGES, "only %u pages resident", pi.resident);
    // Memory short again while the target is Smode: the clock passes over it.
    run_hog(vs.total_frames);
    struct procinfo after;
    CHECK(modeinfo(target, &after) == 0, "modeinfo after the second hog");
    CHECK(after.swapped == 0 && after.pageouts == pi.pageouts && after.resident == pi.resident,
          "an Smode process was paged out: swapped %u, page-outs %u -> %u", after.swapped,
          pi.pageouts, after.pageouts);
    CHECK(write(go[1], "f", 1) == 1, "finish");
    int status;
    CHECK(wait(&status) == target && status == 0, "target status %d", status);
    pass();
}
