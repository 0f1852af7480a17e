// t_smode_faults: a fault in Smode program code (ring 0, on the AP's stack)
// kills only that process, with the same report as in ring 3: status
// WAIT_KILLED_BIT | vector. NULL dereference and a write to the read-only
// code page (CR0.WP holds in ring 0) -> 14, divide error -> 0, ud2 -> 6,
// a bogus selector loaded into DS -> 13, int 8 -> 8 (the double-fault task;
// in ring 3 the gate's DPL 0 makes it 13). The parent carries on each time.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TEST_NAME "t_smode_faults"
#include "testlib.h"
#include "faults.h"

static void
code_write(void)
{
    *(volatile unsigned char *)(void *)&code_write = 0xC3;
}

static void
divide_zero(void)
{
    sink = 100 / zero;
}

static void
do_ud2(void)
{
    __asm__ volatile("ud2");
}

static void
bad_ds(void)
{
    // beyond the GDT's limit
    __asm__ volatile("movw $0x1230, %%ax\n\tmovw %%ax, %%ds" : : : "eax", "memory");
}

static void
ldt_ds(void)
{
    // TI=1: there is no LDT (LDTR must be null, not its reset value with base 0)
    __asm__ volatile("movw $0x1234, %%ax\n\tmovw %%ax, %%es" : : : "eax", "memory");
}

static void
bad_ss(void)
{
    // a data selector with RPL 3 into SS at CPL 0: a GPF (not a stack fault)
    __asm__ volatile("movw $0x23, %%ax\n\tmovw %%ax, %%ss" : : : "eax", "memory");
}

static void
do_int8(void)
{
    // the double-fault vector by hand: a task gate of DPL 0, so ring 3 gets
    // a GPF; ring 0 reaches the double-fault task, which kills the program
    __asm__ volatile("int $8");
}

static const struct {
    const char *name;
    void (*fn)(void);
    int vector;
    int ring3; // the vector in ring 3, or -1: no fault there
} cases[] = {
    {"null read", null_read, 14, 14},   {"null write", null_write, 14, 14},
    {"code write", code_write, 14, 14}, {"divide by zero", divide_zero, 0, 0},
    {"ud2", do_ud2, 6, 6},              {"bogus DS", bad_ds, 13, 13},
    {"LDT selector", ldt_ds, 13, 13},   {"RPL-3 SS", bad_ss, 13, -1},
    {"int 8", do_int8, 8, 13},
};

int
main(void)
{
    int n = (int)(sizeof cases / sizeof cases[0]);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < n; i++) {
            int pid = fork();
            if (pid == 0) {
                if (switch_supervisor(0) != 0 || read_cs() != 0x08 ||
                    current_mode() != MODE_SMODE)
                    _exit(2);
                cases[i].fn();
                _exit(3); // survived the fault
            }
            CHECK(pid > 0, "fork");
            int status = wait_child(pid);
            CHECK(WIFKILLED(status) && WKILLVEC(status) == cases[i].vector,
                  "%s in Smode: status 0x%x, expected killed by vector %d", cases[i].name,
                  status, cases[i].vector);
        }
    }
    // and the same faults in ring 3, for the same reports
    for (int i = 0; i < n; i++) {
        int pid = fork();
        if (pid == 0) {
            cases[i].fn();
            _exit(3);
        }
        CHECK(pid > 0, "fork");
        int status = wait_child(pid);
        if (cases[i].ring3 < 0)
            CHECK(status == 3, "%s in Umode: status 0x%x", cases[i].name, status);
        else
            CHECK(WIFKILLED(status) && WKILLVEC(status) == cases[i].ring3,
                  "%s in Umode: status 0x%x, expected vector %d", cases[i].name, status,
                  cases[i].ring3);
    }
    CHECK(getpid() == 1 && read_cs() == 0x1b, "parent");
    pass();
}
