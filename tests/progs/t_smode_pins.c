// t_smode_pins: an Smode process's memory is all resident and pinned.
// switch_supervisor(0) makes lazy heap and stack pages resident and pins
// every page; sbrk growth in Smode is allocated and pinned at once; deep
// stack use in Smode takes no page fault; switch_user(0) drops the pins but
// the control area's pin for life; after exit (in either mode) the system's
// pinned-frame count is back where it started.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_smode_pins"
#include "testlib.h"

#define PG 4096u
#define HEAP (300 * 1024)
#define GROW (64 * 1024)
#define ROUNDUP(a) (((unsigned int)(a) + PG - 1) & ~(PG - 1))

static struct procinfo
info(void)
{
    struct procinfo pi;
    CHECK(modeinfo(0, &pi) == 0, "modeinfo(0)");
    return pi;
}

static void
all_pinned(const char *when)
{
    struct procinfo pi = info();
    CHECK(pi.mode == MODE_SMODE, "%s: mode %d", when, pi.mode);
    CHECK(pi.pinned == pi.size / PG && pi.resident == pi.size / PG && pi.swapped == 0,
          "%s: size %u pages, resident %u, pinned %u, swapped %u", when, pi.size / PG,
          pi.resident, pi.pinned, pi.swapped);
}

// About 1 KiB of stack per level.
static int
deep(int n)
{
    volatile char pad[1000];
    pad[0] = (char)n;
    pad[999] = (char)(n >> 1);
    if (n == 0)
        return 0;
    int r = deep(n - 1);
    if (pad[0] != (char)n || pad[999] != (char)(n >> 1))
        return -10000;
    return r + 1;
}

// The child's program; exit_smode: end while still Smode.
static void __attribute__((noreturn))
run(int exit_smode)
{
    char *heap = sbrk(HEAP);
    CHECK(!sbrk_failed(heap), "sbrk");
    for (unsigned int off = 0; off < HEAP; off += 3 * PG) // touch one page in three
        heap[off] = (char)(off / PG + 1);
    struct procinfo u = info();
    CHECK(u.mode == MODE_UMODE && u.pinned == 1, "Umode: pinned %u (only the control area)",
          u.pinned);
    CHECK(u.resident < u.size / PG, "Umode: all %u pages resident already", u.resident);

    CHECK(switch_supervisor(0) == 0 && read_cs() == 0x08, "switch_supervisor(0)");
    all_pinned("after switch_supervisor");
    struct procinfo s = info();
    CHECK(s.size == u.size, "size changed: %u -> %u", u.size, s.size);
    for (unsigned int off = 0; off < HEAP; off += PG)
        CHECK(heap[off] == (off % (3 * PG) == 0 ? (char)(off / PG + 1) : 0),
              "heap page %u lost its contents", off / PG);

    // Growth in Smode: allocated and pinned at once.
    char *more = sbrk(GROW);
    CHECK(more == heap + HEAP, "sbrk in Smode");
    unsigned int added = (ROUNDUP(more + GROW) - ROUNDUP(more)) / PG;
    struct procinfo g = info();
    CHECK(g.size == s.size + added * PG && g.pinned == s.pinned + added &&
              g.resident == s.resident + added,
          "growth of %u pages: size %u->%u pinned %u->%u resident %u->%u", added, s.size / PG,
          g.size / PG, s.pinned, g.pinned, s.resident, g.resident);
    all_pinned("after sbrk");
    for (unsigned int off = 0; off < GROW; off += PG)
        CHECK(more[off] == 0, "fresh page not zero");
    memset(more, 0x77, GROW);

    // 40 KiB of stack in ring 0: every page was mapped in advance.
    unsigned int faults = g.faults;
    CHECK(deep(40) == 40, "deep recursion");
    struct procinfo d = info();
    CHECK(d.faults == faults, "page faults in Smode: %u -> %u", faults, d.faults);
    all_pinned("after deep recursion");

    // Shrinking in Smode drops the pins with the pages.
    CHECK(sbrk(-GROW) == more + GROW, "sbrk shrink");
    all_pinned("after shrinking");
    CHECK(info().pinned == s.pinned, "pinned %u after shrinking, expected %u", info().pinned,
          s.pinned);

    if (exit_smode)
        exit(0);

    CHECK(switch_user(0) == 0 && read_cs() == 0x1b, "switch_user(0)");
    struct procinfo b = info();
    CHECK(b.mode == MODE_UMODE && b.pinned == 1, "back in Umode: pinned %u, expected 1",
          b.pinned);
    CHECK(b.resident == s.resident, "resident %u -> %u", s.resident, b.resident);
    // Umode growth is lazy again
    CHECK(!sbrk_failed(sbrk(GROW)), "sbrk in Umode");
    struct procinfo l = info();
    CHECK(l.resident == b.resident && l.pinned == 1, "Umode growth: resident %u pinned %u",
          l.resident, l.pinned);
    CHECK(deep(40) == 40, "deep recursion in Umode");
    exit(0);
}

int
main(void)
{
    unsigned int p0 = vm().pinned_frames;
    for (int exit_smode = 0; exit_smode < 2; exit_smode++) {
        int pid = fork();
        if (pid == 0)
            run(exit_smode);
        CHECK(pid > 0, "fork");
        int status = wait_child(pid);
        CHECK(status == 0, "child (exit_smode %d) status 0x%x", exit_smode, status);
        unsigned int p1 = vm().pinned_frames;
        CHECK(p1 == p0, "pinned frames %u, %u before (child exited in %s)", p1, p0,
              exit_smode ? "Smode" : "Umode");
    }
    // the test itself, switched and back
    CHECK(switch_supervisor(0) == 0, "switch_supervisor(0)");
    all_pinned("parent in Smode");
    CHECK(vm().pinned_frames > p0, "Smode pins not counted by vmstat");
    CHECK(switch_user(0) == 0, "switch_user(0)");
    CHECK(vm().pinned_frames == p0, "pinned frames %u after switch_user, %u before",
          vm().pinned_frames, p0);
    pass();
}
