// t_rings: lab 1. The program runs in ring 3 (CS 0x1b), reaches the kernel
// through the DPL-3 gate of int 0x80 and comes back to ring 3. Ring 3 may
// not run a privileged instruction nor load a ring-0 segment: the CPU
// raises a general-protection fault and the kernel kills only that child.
#include <stdio.h>
#include <unistd.h>

#define TEST_NAME "t_rings"
#include "testlib.h"

// Fork a child that runs what(); it must be killed by a GPF (vector 13).
static void
must_fault(void (*what)(void), const char *name)
{
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        what();
        FAIL("%s ran in ring 3", name);
    }
    int st = wait_child(pid);
    CHECK(st == (WAIT_KILLED_BIT | 13), "%s in ring 3: child status 0x%x, expected 0x%x", name, st,
          WAIT_KILLED_BIT | 13);
    printf("rings: %s in ring 3 is a general-protection fault\n", name);
}

static void do_cli(void) { __asm__ volatile("cli"); }
static void do_load_kdata(void) { __asm__ volatile("mov %0, %%ds" : : "r"(0x10)); }

int
main(void)
{
    unsigned int cs = read_cs();
    CHECK(cs == 0x1b, "CS is 0x%x, expected 0x1b (GDT entry 3, RPL 3)", cs);
    printf("rings: running in ring %u (cs 0x%x)\n", cs & 3, cs);
    int pid = getpid();
    CHECK(pid > 0, "getpid: %d", pid);
    CHECK(read_cs() == 0x1b, "back from int 0x80 in another ring: cs 0x%x", read_cs());
    printf("rings: int 0x80 and back, pid %d\n", pid);
    must_fault(do_cli, "cli");
    must_fault(do_load_kdata, "loading the kernel data segment");
    pass();
}
