// t_ptfree: page tables of lazy reservations are given back. 45 children
// each grow their heap by 4 MiB steps until sbrk refuses (every step needs a
// page table of its own), shrink it back, and stay alive. Afterwards the
// free-frame count and the commit must be where one idle child each leaves
// them, give or take a page per child: the emptied page tables were freed.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TEST_NAME "t_ptfree"
#include "testlib.h"

#define CHILDREN 45
#define STEP (4 << 20)

static int ready[2], go[2]; // child -> parent: "done, after N steps"; parent -> children

// Fork a child that (if grow) grows and shrinks its heap, then says so on
// ready and blocks reading go until the parent closes it. Returns its steps.
static int
child(int grow)
{
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        close(go[1]); // so that the parent's close is an EOF here
        int steps = 0;
        while (grow && !sbrk_failed(sbrk(STEP)))
            steps++;
        if (steps && sbrk_failed(sbrk(-steps * STEP)))
            exit(2);
        write(ready[1], &steps, sizeof(steps));
        char c;
        read(go[0], &c, 1);
        exit(0);
    }
    int steps;
    CHECK(read(ready[0], &steps, sizeof(steps)) == sizeof(steps), "child died");
    CHECK(!grow || steps > 0, "sbrk(4 MiB) refused at once");
    return steps;
}

int
main(void)
{
    CHECK(pipe(ready) == 0 && pipe(go) == 0, "pipe");
    // the cost of one idle child
    struct vmstat v0 = vm();
    child(0);
    struct vmstat v1 = vm();
    unsigned int frames = v0.free_frames - v1.free_frames, commit = v1.committed - v0.committed;
    int steps = 0;
    for (int i = 0; i < CHILDREN; i++)
        steps += child(1);
    struct vmstat v2 = vm();
    unsigned int used = v1.free_frames - v2.free_frames, charged = v2.committed - v1.committed;
    printf("t_ptfree: one idle child: %u frames, %u pages committed; %d children grew "
           "%d x 4 MiB and back: %u frames, %u pages committed\n",
           frames, commit, CHILDREN, steps, used, charged);
    CHECK(used <= CHILDREN * (frames + 1), "%u frames used, want at most %u", used,
          CHILDREN * (frames + 1));
    CHECK(charged <= CHILDREN * (commit + 1), "%u pages committed, want at most %u", charged,
          CHILDREN * (commit + 1));
    close(go[1]); // they all read EOF and exit
    for (int i = 0; i <= CHILDREN; i++) {
        int status;
        CHECK(wait(&status) > 0 && status == 0, "wait: status 0x%x", status);
    }
    struct vmstat v3 = vm();
    CHECK(v3.free_frames == v0.free_frames && v3.committed == v0.committed,
          "not given back: free %u -> %u, commit %u -> %u", v0.free_frames, v3.free_frames,
          v0.committed, v3.committed);
    pass();
}
