// t_mem: malloc until it returns 0, free it all, and check the memory comes
// back (the idea of xv6's `mem` test, written for this OS; run with MEM=16).
// With strict commit accounting (docs/memory.md section 10) malloc gets 0
// from a refused sbrk, in Umode (lazy pages, many of them paged out) and in
// Smode (resident, pinned pages) alike; nobody is killed for lack of memory.
// Two children in turn fill and free; they must get about as many blocks.
//
// usage: t_mem [smode]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_mem"
#include "testlib.h"

struct block {
    struct block *next;
};

// Malloc blocks of 10001 bytes until malloc says no, then free them all and
// check that 20 KiB can be had again. Returns the number of blocks.
static int
fill_and_free(void)
{
    struct block *list = 0;
    int n = 0;
    for (struct block *b; (b = malloc(10001)) != 0; n++) {
        b->next = list;
        list = b;
    }
    while (list) {
        struct block *next = list->next;
        free(list);
        list = next;
    }
    void *p = malloc(20 * 1024);
    if (!p)
        return -1;
    free(p);
    return n;
}

int
main(int argc, char **argv)
{
    int smode = argc > 1 && !strcmp(argv[1], "smode");
    if (smode)
        CHECK(switch_supervisor(0) == 0 && read_cs() == 0x08, "switch_supervisor(0)");
    struct vmstat before = vm();
    int blocks[2];
    for (int round = 0; round < 2; round++) {
        int fds[2];
        CHECK(pipe(fds) == 0, "pipe");
        int pid = fork();
        CHECK(pid >= 0, "fork: %d", pid);
        if (pid == 0) {
            int n = fill_and_free();
            write(fds[1], &n, sizeof(n));
            exit(n > 0 ? 0 : 1);
        }
        close(fds[1]);
        int status = wait_child(pid);
        CHECK(!WIFKILLED(status) && WEXITSTATUS(status) == 0, "child %d: status 0x%x", round,
              status);
        CHECK(read(fds[0], &blocks[round], sizeof(int)) == sizeof(int), "no count");
        close(fds[0]);
        printf("t_mem: %s child %d: %d blocks of 10001 bytes, then all freed\n",
               smode ? "Smode" : "Umode", round, blocks[round]);
        struct vmstat after = vm();
        // (our own pages may have been paged out meanwhile: fewer frames used,
        // and swap keeping their copies)
        CHECK(after.committed == before.committed && after.free_frames >= before.free_frames,
              "not given back: commit %u -> %u, free %u -> %u", before.committed,
              after.committed, before.free_frames, after.free_frames);
    }
    int d = blocks[0] - blocks[1];
    CHECK(d <= 2 && d >= -2, "the second child got %d blocks, the first %d", blocks[1],
          blocks[0]);
    pass();
}
