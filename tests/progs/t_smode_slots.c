// t_smode_slots: an Smode process keeps no slot on swap (docs/memory.md
// sections 7 and 10), and the count of kept copies (vm->nslotted) stays
// true (run with MEM=16). A Umode target is paged out, reads every page
// back (a page read back keeps its copy on swap), is paged out again (those
// clean pages go without a write, their copy becoming the page itself), and
// reads every page back again: nothing of it is on swap but the copies its
// resident pages keep. Its switch to Smode must drop every one of them:
// afterwards the swap holds nothing (this process is Smode and the hogs
// are gone), and the switch read nothing.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_smode_slots"
#include "testlib.h"
#include "hog.h"

#define PAGE 4096
#define NPAGES 512
#define USERBASE 0x00400000u   // kernel/mmu.h: the program, then the heap
#define LIBBASE 0xBFC00000u    // kernel/mmu.h: the shared libraries
#define LIB_PROBE (256 * 1024) // more than libsys.so takes
#define STACK_TOP 0xBFFFE000u  // kernel/mmu.h USTACKTOP
#define STACK_LOW (STACK_TOP - 16 * PAGE) // USTACKBASE: 16 pages reserved

// Read one byte of every page in [lo, hi) through stat(), whose copyinstr
// faults a page in (from swap too), or says -EFAULT where nothing is mapped.
static void
probe(unsigned int lo, unsigned int hi)
{
    struct stat st;
    for (unsigned int a = lo; a < hi; a += PAGE)
        stat((const char *)a, &st);
}

// Bring every page of this process back from swap by page faults (which
// keep the copies on swap): the program and heap, the shared library's
// pages, the stack reservation (its untouched pages just become present).
static void
touch_all(void)
{
    probe(USERBASE, (unsigned int)sbrk(0));
    probe(LIBBASE, LIBBASE + LIB_PROBE);
    probe(STACK_LOW, STACK_TOP);
}

// The target: fills its heap, then on each byte from go: 't' reads every
// page back and checks the heap, 'w' waits once more (the switch applies at
// that read's tail) and reports its ring, 'f' exits.
static void __attribute__((noreturn))
target(int ready, int go)
{
    if (switch_user(0) != 0) // forked from the Smode parent
        exit(4);
    unsigned char *m = sbrk(NPAGES * PAGE);
    if (sbrk_failed(m))
        exit(2);
    for (int i = 0; i < NPAGES; i++)
        memset(m + i * PAGE, (unsigned char)(i + 1), PAGE);
    write(ready, "r", 1);
    char c;
    while (read(go, &c, 1) == 1 && c != 'f') {
        if (c == 't') {
            touch_all();
            for (int i = 0; i < NPAGES; i++)
                if (m[i * PAGE] != (unsigned char)(i + 1))
                    exit(3);
            write(ready, "t", 1);
        } else {
            write(ready, read_cs() == 8 ? "S" : "U", 1);
        }
    }
    exit(0);
}


// Tell the target c and read its answer, which must be want.
static void
ask(int go, int ready, char c, char want)
{
    char got = 0;
    CHECK(write(go, &c, 1) == 1 && read(ready, &got, 1) == 1, "talk to the target");
    CHECK(got == want, "the target answered '%c' to '%c', expected '%c'", got, c, want);
}

// Push the target out, then have it read every page back; FAIL unless most
// of it went out and all of it came back.
static void
out_and_back(int pid, int go, int ready)
{
    run_hog(vm().free_frames + NPAGES);
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0, "modeinfo(target)");
    unsigned int out = pi.swapped;
    CHECK(out > NPAGES / 2, "the target was not paged out (%u pages on swap)", out);
    ask(go, ready, 't', 't');
    CHECK(modeinfo(pid, &pi) == 0, "modeinfo(target)");
    printf("target: %u pages went out and came back (%u still on swap)\n", out, pi.swapped);
    CHECK(pi.swapped == 0, "the target could not read all its pages back: %u on swap",
          pi.swapped);
}

int
main(void)
{
    // This process is Smode: it never has a page or a copy on swap.
    CHECK(switch_supervisor(0) == 0, "switch_supervisor(0)");
    struct vmstat start = vm();
    CHECK(start.swap_slots > 0, "no swap disk");
    int ready[2], go[2];
    CHECK(pipe(ready) == 0 && pipe(go) == 0, "pipe");
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0)
        target(ready[1], go[0]);
    char c;
    CHECK(read(ready[0], &c, 1) == 1, "target ready");
    out_and_back(pid, go[1], ready[0]);
    out_and_back(pid, go[1], ready[0]); // clean pages with copies go out, and back
    struct vmstat kept = vm();
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0, "modeinfo(target)");
    CHECK(kept.swap_used > start.swap_used + NPAGES / 2, "no copies kept on swap (%u slots used)",
          kept.swap_used);
    unsigned int pageins0 = pi.pageins;
    CHECK(switch_supervisor(pid) == 0, "switch_supervisor(target)");
    ask(go[1], ready[0], 'w', 'S');
    struct vmstat smode = vm();
    CHECK(modeinfo(pid, &pi) == 0, "modeinfo(target)");
    printf("swap slots used: %u with the copies, %u once the target is Smode\n", kept.swap_used,
           smode.swap_used);
    CHECK(smode.swap_used == start.swap_used, "the Smode target keeps %u slots on swap",
          smode.swap_used - start.swap_used);
    CHECK(pi.pageins == pageins0, "the switch read %u pages back, with none on swap",
          pi.pageins - pageins0);
    CHECK(write(go[1], "f", 1) == 1, "finish");
    int status = wait_child(pid);
    CHECK(status == 0, "target status 0x%x", status);
    pass();
}
