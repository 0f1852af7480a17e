// t_smode_stack: an Smode AP that overflows its stack (past the 64 KiB
// reservation into the guard page) cannot take the page fault on that same
// stack: the double-fault task gate catches it and kills only that process,
// status WAIT_KILLED_BIT | 8. Three times (the task must work repeatedly),
// then the system still works. Inside the reservation the same double fault
// grows the stack instead: a timer tick that lands on a not yet mapped stack
// page maps it and the program runs on, the timer too.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TEST_NAME "t_smode_stack"
#include "testlib.h"
#include "faults.h"

// A child that overflows its stack in the given mode; returns its status.
static int
overflow(int smode)
{
    int pid = fork();
    if (pid == 0) {
        if (smode && current_mode() != MODE_SMODE && switch_supervisor(0) != 0)
            _exit(2);
        if (read_cs() != (smode ? 0x08u : 0x1bu))
            _exit(4);
        recurse(0);
        _exit(3);
    }
    CHECK(pid > 0, "fork");
    return wait_child(pid);
}

// The lowest address of the stack reservation (kernel/mmu.h USTACKBASE: 64
// KiB below USTACKTOP 0xBFFFE000); below it lies the guard page.
#define STACK_LOW (0xBFFFE000u - 64 * 1024u)

// An Smode child that puts its stack pointer 8 bytes above the guard page
// and spins: the next timer tick cannot push its 12-byte frame, the page
// fault cannot be delivered either, and the double-fault task kills it.
// That IRQ never reached trap(): unless the kill acknowledges it at the PIC,
// the timer is blocked for good and this test's msleep never returns.
static int
overflow_in_irq(void)
{
    int pid = fork();
    if (pid == 0) {
        if (current_mode() != MODE_SMODE && switch_supervisor(0) != 0)
            _exit(2);
        __asm__ volatile("mov %0, %%esp\n1: jmp 1b" : : "r"(STACK_LOW + 8));
    }
    CHECK(pid > 0, "fork");
    return wait_child(pid);
}

// An Smode child that puts its stack pointer on the boundary of a page of
// its stack reservation that was never touched (lazy) and spins: the next
// tick's delivery double-faults, the double-fault task maps the page and
// resumes it. It must still be running (and the timer too) afterwards.
static void
grow_in_irq(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    int pid = fork();
    if (pid == 0) {
        struct procinfo me;
        if (current_mode() != MODE_SMODE && switch_supervisor(0) != 0)
            _exit(2);
        if (modeinfo(0, &me) != 0 || write(fds[1], &me.faults, sizeof me.faults) != 4)
            _exit(3);
        __asm__ volatile("mov %0, %%esp\n1: jmp 1b" : : "r"(0xBFFFE000u - 8 * 4096u));
    }
    CHECK(pid > 0, "fork");
    struct procinfo before; // the child's count just before it moves its stack pointer
    CHECK(read(fds[0], &before.faults, 4) == 4, "the child did not report");
    unsigned int t0 = uptime();
    CHECK(msleep(50) == 0 && uptime() >= t0 + 50, "the timer stopped after a stack growth");
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0 && pi.state != PS_ZOMBIE && pi.mode == MODE_SMODE,
          "the spinner on a fresh stack page died (state %d)", pi.state);
    CHECK(pi.faults > before.faults, "no fault mapped its stack page (%u -> %u)", before.faults,
          pi.faults);
    CHECK(kill(pid) == 0, "kill");
    int st = wait_child(pid);
    CHECK(WIFKILLED(st) && WKILLVEC(st) == KILLED_BY_KILL, "spinner status 0x%x", st);
    printf("t_smode_stack: a tick on an unmapped Smode stack page: page mapped, runs on\n");
}

int
main(void)
{
    grow_in_irq();
    struct vmstat v0 = vm();
    int st = overflow_in_irq();
    CHECK(WIFKILLED(st) && WKILLVEC(st) == 8, "overflow in a tick: status 0x%x", st);
    unsigned int t0 = uptime();
    CHECK(msleep(30) == 0 && uptime() >= t0 + 30, "the timer stopped after the double fault");
    printf("t_smode_stack: a tick on an exhausted Smode stack: killed, the timer goes on\n");
    for (int i = 0; i < 3; i++) {
        int status = overflow(1);
        CHECK(WIFKILLED(status) && WKILLVEC(status) == 8,
              "Smode overflow %d: status 0x%x, expected killed by vector 8", i, status);
        // the system still works
        int pid = fork();
        if (pid == 0)
            _exit(getppid() == 1 ? 40 + i : 1);
        CHECK(pid > 0, "fork after a double fault");
        CHECK(wait(&status) == pid && status == 40 + i, "child after a double fault: 0x%x",
              status);
        CHECK(getpid() == 1, "getpid");
        struct vmstat v = vm();
        CHECK(v.pinned_frames == v0.pinned_frames && v.free_frames == v0.free_frames,
              "after a double fault: pinned %u (was %u), free %u (was %u)", v.pinned_frames,
              v0.pinned_frames, v.free_frames, v0.free_frames);
    }
    // In Umode the same overflow is an ordinary page fault.
    int status = overflow(0);
    CHECK(WIFKILLED(status) && WKILLVEC(status) == 14, "Umode overflow: status 0x%x", status);
    // The parent itself in Smode, after all that.
    CHECK(switch_supervisor(0) == 0 && read_cs() == 0x08, "switch_supervisor(0)");
    status = overflow(1); // forked from an Smode parent: an Smode child
    CHECK(WIFKILLED(status) && WKILLVEC(status) == 8, "overflow from Smode parent: 0x%x",
          status);
    CHECK(switch_user(0) == 0 && read_cs() == 0x1b, "switch_user(0)");
    pass();
}
