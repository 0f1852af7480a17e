// t_swap_eio: read errors of the swap disk. Boot with
// swapfail=t_swap_eio:bad-sector before init= (MEM=16): kernel/ide.c then
// fails the read of a page whose data begins with that mark, as a bad
// sector under it would, and leaves the buffer poisoned.
//  1. A Umode process that touches such a page on swap is killed by the
//     page fault (the -EIO of page_in), not handed a page of other data.
//  2. A switch to Smode that must read such a page back is refused with
//     -EIO and leaves nothing behind: the process runs on as Umode and the
//     commit's resident part is back where it was (it is not charged, nor
//     flagged, resident).
// At the end every slot and frame is back: the kill and the refusal leak
// nothing.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_swap_eio"
#include "testlib.h"
#include "hog.h"

#define PAGE 4096
#define NPAGES 512 // 2 MiB of marked pages
#define IDX_OFF 64 // where a page keeps its index, after the mark

static char mark[32]; // what swapfail= names, built at run time (see main)

// Fill npages new heap pages, each beginning with the mark and holding its
// index; returns them.
static unsigned char *
fill_marked(unsigned int npages)
{
    unsigned char *m = sbrk(npages * PAGE);
    if (sbrk_failed(m))
        exit(2);
    for (unsigned int i = 0; i < npages; i++) {
        memcpy(m + i * PAGE, mark, strlen(mark));
        memcpy(m + i * PAGE + IDX_OFF, &i, sizeof i);
    }
    return m;
}


// A Umode child that fills NPAGES marked pages, says so on ready, and waits
// for go. Returns its pid to the parent, and the pages to the child.
static int
fork_marked(int ready, unsigned char **pages)
{
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        if (switch_user(0) != 0)
            exit(4);
        *pages = fill_marked(NPAGES);
        write(ready, "r", 1);
    }
    return pid;
}

// Push pid out with a hog that needs every free frame and as many again as
// pid has; FAIL unless most of its marked pages are on swap.
static void
push_out(int pid)
{
    run_hog(vm().free_frames + NPAGES);
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0, "modeinfo(%d)", pid);
    printf("pid %d: %u pages on swap\n", pid, pi.swapped);
    CHECK(pi.swapped > NPAGES / 2, "pid %d was not paged out (%u pages on swap)", pid, pi.swapped);
}

// Part 1: the victim touches its pages after they went out; the first one
// on swap cannot be read, and the fault must kill it.
static void
fault_on_bad_page(void)
{
    int ready[2], go[2];
    CHECK(pipe(ready) == 0 && pipe(go) == 0, "pipe");
    unsigned char *m;
    int victim = fork_marked(ready[1], &m);
    if (victim == 0) {
        char c;
        read(go[0], &c, 1);
        for (unsigned int i = 0; i < NPAGES; i++) {
            unsigned int idx;
            memcpy(&idx, m + i * PAGE + IDX_OFF, sizeof idx);
            if (memcmp(m + i * PAGE, mark, strlen(mark)) != 0 || idx != i)
                exit(3); // a page came back with other data than was written
        }
        exit(0); // every page came back: no read failed
    }
    char c;
    CHECK(read(ready[0], &c, 1) == 1, "victim ready");
    push_out(victim);
    CHECK(write(go[1], "g", 1) == 1, "go");
    int status = wait_child(victim);
    CHECK(status != 3, "a page whose read from swap failed was mapped: the victim read other "
                       "data than it wrote (the error was ignored)");
    CHECK(status == (WAIT_KILLED_BIT | 14), "victim status 0x%x, expected 0x%x (killed by the "
          "page fault whose read failed)", status, WAIT_KILLED_BIT | 14);
    printf("part 1: a fault on a page that cannot be read back kills (status 0x%x)\n", status);
    close(ready[0]), close(ready[1]), close(go[0]), close(go[1]);
}

// Part 2: a switch to Smode of a target with marked pages on swap is
// refused with -EIO, and the target is left as it was: Umode, not charged
// as resident.
static void
switch_with_bad_page(void)
{
    int ready[2], go[2], done[2];
    CHECK(pipe(ready) == 0 && pipe(go) == 0 && pipe(done) == 0, "pipe");
    unsigned char *m;
    int target = fork_marked(ready[1], &m);
    if (target == 0) {
        char c;
        read(go[0], &c, 1); // the switch applies at this call's tail
        write(done[1], read_cs() == 8 ? "S" : "U", 1);
        read(go[0], &c, 1); // stay (without touching the pages) while the parent looks
        exit(0);
    }
    char c;
    CHECK(read(ready[0], &c, 1) == 1, "target ready");
    push_out(target);
    struct vmstat before = vm();
    CHECK(switch_supervisor(target) == 0, "switch_supervisor(target)");
    CHECK(write(go[1], "g", 1) == 1, "go");
    CHECK(read(done[0], &c, 1) == 1, "target's report");
    struct procinfo pi;
    CHECK(modeinfo(target, &pi) == 0, "modeinfo(target)");
    CHECK(c == 'U' && pi.mode == MODE_UMODE, "the target became Smode with a page it could not "
                                             "read back (%c)", c);
    CHECK(pi.refused == -EIO, "the switch was refused with %d, expected %d", pi.refused, -EIO);
    struct vmstat after = vm();
    CHECK(after.committed_resident == before.committed_resident,
          "the refused switch left its pages charged as resident: %u -> %u resident pages",
          before.committed_resident, after.committed_resident);
    printf("part 2: the switch was refused (%d), the target is Umode, %u resident pages charged "
           "before and after\n", pi.refused, after.committed_resident);
    CHECK(write(go[1], "f", 1) == 1, "finish");
    int status = wait_child(target);
    CHECK(status == 0, "target status 0x%x", status);
    close(ready[0]), close(ready[1]), close(go[0]), close(go[1]), close(done[0]), close(done[1]);
}

int
main(void)
{
    // the mark, built here so that no page of this program's image begins with it
    strcpy(mark, TEST_NAME);
    strcat(mark, ":bad-sector");
    // This process is Smode: none of its pages goes to swap.
    CHECK(switch_supervisor(0) == 0, "switch_supervisor(0)");
    struct vmstat start = vm();
    CHECK(start.swap_slots > 0, "no swap disk");
    fault_on_bad_page();
    switch_with_bad_page();
    struct vmstat end = vm();
    CHECK(end.swap_used == start.swap_used, "swap slots leaked: %u -> %u", start.swap_used,
          end.swap_used);
    CHECK(end.free_frames == start.free_frames, "frames leaked: %u -> %u", start.free_frames,
          end.free_frames);
    pass();
}
