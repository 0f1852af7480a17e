// t_swap_switch: a switch to Smode while memory is short (run with MEM=16).
// The target's heap is partly on swap; an Smode hog holds all the resident
// memory the commit allows but what the target's switch needs, and a Umode
// spinner keeps its own pages in use, so that no frame is free beyond the
// clock's low water: every page the switch reads back makes the clock page
// another out. The target's space must be flagged resident before its pages
// come back (docs/memory.md section 7): then the clock passes over them and
// takes the spinner's. So the target takes no page-out during its switch,
// and exactly its pages on swap are read back, none twice.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_swap_switch"
#include "testlib.h"

#define PAGE 4096
#define TARGET_PAGES 600
#define SPIN_PAGES 300
#define ROOM_MARGIN 32 // resident pages the hog leaves beyond the target's size

static int target_pid;

// The target: fills its heap, then (after go) calls yield until it is
// Smode, so that the switch applies at the tail of a call that touches none
// of its memory (or until the switch is refused); reports its ring on done,
// and waits to be let go.
static void __attribute__((noreturn))
target(int ready, int go, int done)
{
    if (switch_user(0) != 0) // forked from the Smode parent
        exit(4);
    unsigned char *m = sbrk(TARGET_PAGES * PAGE);
    if (sbrk_failed(m))
        exit(2);
    for (int i = 0; i < TARGET_PAGES; i++)
        memset(m + i * PAGE, (unsigned char)i, PAGE);
    char c;
    write(ready, "r", 1);
    read(go, &c, 1);
    write(ready, "y", 1);
    struct procinfo self = {.refused = 0};
    while (current_mode() != MODE_SMODE && self.refused == 0) {
        yield();
        modeinfo(0, &self);
    }
    for (int i = 0; i < TARGET_PAGES; i++) // all intact
        if (m[i * PAGE] != (unsigned char)i || m[i * PAGE + PAGE - 1] != (unsigned char)i)
            exit(3);
    write(done, read_cs() == 8 ? "S" : "U", 1);
    read(go, &c, 1);
    exit(0);
}

// The spinner: reserves its pages at once (their page tables are charged
// before the hog takes the rest), then, after go, reads them over and over
// for ever, so that they are always recently used. Says so on ready once a
// whole round of them took no page fault: its pages are all in.
static void __attribute__((noreturn))
spinner(int ready, int go)
{
    if (switch_user(0) != 0)
        exit(4);
    volatile unsigned char *m = sbrk(SPIN_PAGES * PAGE);
    if (sbrk_failed((void *)m))
        exit(2);
    char c;
    write(ready, "r", 1);
    read(go, &c, 1);
    int told = 0;
    for (;;) {
        struct procinfo before, after;
        modeinfo(0, &before);
        for (int i = 0; i < SPIN_PAGES; i++)
            (void)m[i * PAGE];
        modeinfo(0, &after);
        if (!told && after.faults == before.faults) {
            write(ready, "s", 1);
            told = 1;
        }
    }
}

// The hog (Smode, as forked): takes every resident page the commit allows
// but the target's size and a margin, touches them all, says so on ready,
// and holds them until go.
static void __attribute__((noreturn))
hog(int ready, int go)
{
    struct procinfo t;
    if (current_mode() != MODE_SMODE || modeinfo(target_pid, &t) != 0)
        exit(4);
    char *m;
    unsigned int n = grow_until_refused(&m, 64);
    unsigned int room = t.size / PAGE + ROOM_MARGIN;
    if (n <= room || sbrk_failed(sbrk(-(int)(room * PAGE))))
        exit(2);
    n -= room;
    for (unsigned int i = 0; i < n; i++)
        m[i * PAGE] = 1;
    char c;
    write(ready, "h", 1);
    read(go, &c, 1);
    exit(0);
}

// Read one byte from fd, which must be want; what names it.
static void
expect_byte(int fd, char want, const char *what)
{
    char c = 0;
    CHECK(read(fd, &c, 1) == 1 && c == want, "%s: got '%c', expected '%c'", what, c, want);
}

struct pipes {
    int tr[2], tg[2], td[2]; // the target's ready, go and done
    int sr[2], sg[2];        // the spinner's ready and go
    int hr[2], hg[2];        // the hog's ready and go
};

// Fork the three children and bring memory to the state the switch is
// tested in: the target partly on swap, the hog holding the resident memory,
// the spinner's pages all in and in use. Returns the spinner's and the hog's
// pids in *spin and *h (the target's is target_pid).
static void
make_pressure(struct pipes *p, int *spin, int *h)
{
    target_pid = fork();
    CHECK(target_pid >= 0, "fork: %d", target_pid);
    if (target_pid == 0)
        target(p->tr[1], p->tg[0], p->td[1]);
    expect_byte(p->tr[0], 'r', "target filled");
    *spin = fork();
    CHECK(*spin >= 0, "fork: %d", *spin);
    if (*spin == 0)
        spinner(p->sr[1], p->sg[0]);
    expect_byte(p->sr[0], 'r', "spinner reserved");
    *h = fork();
    CHECK(*h >= 0, "fork: %d", *h);
    if (*h == 0)
        hog(p->hr[1], p->hg[0]);
    expect_byte(p->hr[0], 'h', "hog holds the resident memory");
    CHECK(write(p->sg[1], "g", 1) == 1, "start the spinner");
    expect_byte(p->sr[0], 's', "spinner's pages all in");
    CHECK(write(p->tg[1], "g", 1) == 1, "start the target");
    expect_byte(p->tr[0], 'y', "target yielding");
}

// Switch the target to Smode and check that its switch read back exactly its
// pages on swap and that none of its pages went out meanwhile.
static void
switch_target(struct pipes *p)
{
    struct procinfo pi;
    struct vmstat vs = vm();
    CHECK(modeinfo(target_pid, &pi) == 0, "modeinfo(target)");
    printf("before the switch: %u frames free; target resident %u, swapped %u\n",
           vs.free_frames, pi.resident, pi.swapped);
    CHECK(pi.swapped > 50 && pi.resident > 50, "the target is not partly on swap (resident %u, "
          "swapped %u)", pi.resident, pi.swapped);
    unsigned int out = pi.swapped, pageins0 = pi.pageins, pageouts0 = pi.pageouts;
    CHECK(switch_supervisor(target_pid) == 0, "switch_supervisor(target)");
    expect_byte(p->td[0], 'S', "the target runs as Smode, its memory intact");
    CHECK(modeinfo(target_pid, &pi) == 0, "modeinfo(target) after");
    printf("after the switch: target resident %u, swapped %u, page-ins %u, page-outs %u\n",
           pi.resident, pi.swapped, pi.pageins - pageins0, pi.pageouts - pageouts0);
    CHECK(pi.pageouts == pageouts0, "%u pages of the target went out while it became Smode "
          "(the clock took them as they came back)", pi.pageouts - pageouts0);
    CHECK(pi.pageins - pageins0 == out, "%u page-ins for %u pages on swap",
          pi.pageins - pageins0, out);
    CHECK(pi.swapped == 0, "an Smode process has %u pages on swap", pi.swapped);
}

int
main(void)
{
    // This process is Smode (never paged out): its children inherit it.
    CHECK(switch_supervisor(0) == 0, "switch_supervisor(0)");
    struct vmstat start = vm();
    CHECK(start.swap_slots > 0, "no swap disk");
    struct pipes p;
    CHECK(pipe(p.tr) == 0 && pipe(p.tg) == 0 && pipe(p.td) == 0 && pipe(p.sr) == 0 &&
          pipe(p.sg) == 0 && pipe(p.hr) == 0 && pipe(p.hg) == 0, "pipe");
    int spin, h;
    make_pressure(&p, &spin, &h);
    switch_target(&p);
    CHECK(kill(spin) == 0, "kill the spinner");
    int st = wait_child(spin);
    CHECK(st == (WAIT_KILLED_BIT | KILLED_BY_KILL), "spinner status 0x%x", st);
    CHECK(write(p.hg[1], "x", 1) == 1 && write(p.tg[1], "x", 1) == 1, "release");
    for (int i = 0; i < 2; i++) {
        int pid = wait(&st);
        CHECK((pid == h || pid == target_pid) && st == 0, "pid %d: status 0x%x", pid, st);
    }
    struct vmstat end = vm();
    CHECK(end.swap_used == start.swap_used, "swap slots leaked: %u -> %u", start.swap_used,
          end.swap_used);
    pass();
}
