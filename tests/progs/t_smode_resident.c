// t_smode_resident: residency is a property of the address space, not a pin
// on each page (docs/memory.md section 7). switch_supervisor(0) of a process
// with nothing on swap walks no page table and makes no lazy page resident:
// a 16 MiB process switches without visiting one entry, both ways. Smode
// pages carry no pins (only the control area's pin for life), lazy heap
// and stack pages arrive on first touch in Smode too (the stack through the
// double-fault task: 40 KiB of recursion in ring 0), sbrk growth is lazy in
// both modes, and after exit in either mode the system's pinned-frame count
// is back where it started.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_smode_resident"
#include "testlib.h"

#define PG 4096u
#define HEAP (300 * 1024)
#define GROW (64 * 1024)
#define BIG (16u << 20)

static struct procinfo
info(void)
{
    struct procinfo pi;
    CHECK(modeinfo(0, &pi) == 0, "modeinfo(0)");
    return pi;
}

// Smode, nothing on swap, no pin but the control area's.
static void
resident(const char *when)
{
    struct procinfo pi = info();
    CHECK(pi.mode == MODE_SMODE && pi.swapped == 0 && pi.pinned == 1,
          "%s: mode %d, swapped %u, pinned %u (expected Smode, 0, 1)", when, pi.mode, pi.swapped,
          pi.pinned);
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
    resident("after switch_supervisor");
    struct procinfo s = info();
    CHECK(s.size == u.size, "size changed: %u -> %u", u.size, s.size);
    CHECK(s.walked == u.walked, "the switch walked %u page-table entries with nothing on swap",
          s.walked - u.walked);
    CHECK(s.resident == u.resident, "the switch made lazy pages resident: %u -> %u", u.resident,
          s.resident);
    for (unsigned int off = 0; off < HEAP; off += PG) // the untouched ones arrive now
        CHECK(heap[off] == (off % (3 * PG) == 0 ? (char)(off / PG + 1) : 0),
              "heap page %u lost its contents", off / PG);
    resident("after touching the heap");
    struct procinfo t = info();

    // Growth in Smode: lazy, like in Umode; pages come on touch.
    char *more = sbrk(GROW);
    CHECK(more == heap + HEAP, "sbrk in Smode");
    struct procinfo g = info();
    CHECK(g.size == t.size + GROW && g.resident == t.resident,
          "Smode growth not lazy: size %u -> %u, resident %u -> %u", t.size / PG, g.size / PG,
          t.resident, g.resident);
    for (unsigned int off = 0; off < GROW; off += PG)
        CHECK(more[off] == 0, "fresh page not zero");
    memset(more, 0x77, GROW);
    resident("after sbrk");

    // 40 KiB of stack in ring 0: the stack pages arrive on demand (each first
    // touch double-faults and the double-fault task maps the page).
    struct procinfo d0 = info();
    CHECK(deep(40) == 40, "deep recursion");
    struct procinfo d = info();
    CHECK(d.faults >= d0.faults + 8, "40 KiB of Smode stack took only %u faults",
          d.faults - d0.faults);
    resident("after deep recursion");
    CHECK(deep(40) == 40, "deep recursion again");
    CHECK(info().faults == d.faults, "the stack pages went away");

    CHECK(sbrk(-GROW) == more + GROW, "sbrk shrink");
    resident("after shrinking");

    if (exit_smode)
        exit(0);

    CHECK(switch_user(0) == 0 && read_cs() == 0x1b, "switch_user(0)");
    struct procinfo b = info();
    CHECK(b.mode == MODE_UMODE && b.pinned == 1, "back in Umode: pinned %u, expected 1",
          b.pinned);
    CHECK(b.walked == s.walked, "switch_user walked %u entries", b.walked - s.walked);
    CHECK(!sbrk_failed(sbrk(GROW)), "sbrk in Umode");
    CHECK(deep(40) == 40, "deep recursion in Umode");
    exit(0);
}

// A 16 MiB process (every page touched) switches both ways without
// visiting one page-table entry, and twice over.
static void __attribute__((noreturn))
big(void)
{
    char *m = sbrk(BIG);
    CHECK(!sbrk_failed(m), "sbrk 16 MiB");
    for (unsigned int off = 0; off < BIG; off += PG)
        m[off] = 1;
    struct procinfo u = info();
    CHECK(u.resident >= BIG / PG && u.swapped == 0, "16 MiB: resident %u swapped %u",
          u.resident, u.swapped);
    for (int i = 0; i < 2; i++) {
        CHECK(switch_supervisor(0) == 0, "switch_supervisor(0)");
        resident("16 MiB after switch_supervisor");
        CHECK(switch_user(0) == 0, "switch_user(0)");
    }
    struct procinfo e = info();
    CHECK(e.walked == u.walked && e.switches == u.switches + 4,
          "16 MiB: 4 switches walked %u page-table entries", e.walked - u.walked);
    printf("16 MiB process: 4 switches, %u page-table entries walked\n", e.walked - u.walked);
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
    int pid = fork();
    if (pid == 0)
        big();
    CHECK(pid > 0 && wait_child(pid) == 0, "the 16 MiB child failed");
    // the test itself, switched and back: no pin is taken for Smode
    CHECK(switch_supervisor(0) == 0, "switch_supervisor(0)");
    resident("parent in Smode");
    CHECK(vm().pinned_frames == p0, "Smode took pins: %u, %u before", vm().pinned_frames, p0);
    CHECK(switch_user(0) == 0, "switch_user(0)");
    CHECK(vm().pinned_frames == p0, "pinned frames %u after switch_user, %u before",
          vm().pinned_frames, p0);
    pass();
}
