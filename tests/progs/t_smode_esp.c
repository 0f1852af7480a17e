// t_smode_esp: an Smode program whose stack pointer is at the boundary of
// user space, or past it into kernel space (its bug: ring 0 lets it), is
// killed with a one-line report and the kernel lives on. The rule is trap.h's
// RING0_IS_AP: ESP at or below KERNBASE is an AP stack, and ring-0 code at a
// user EIP is the AP whatever its ESP. Each value is tried three ways: spin
// until a tick comes, enter by `int 0x80`, and call the function receiver.
//   KERNBASE-4, KERNBASE: the pushes land in the read-only control area:
//     the delivery double-faults (vector 8);
//   KERNBASE+8: the first words land in kernel memory, the rest in the
//     control area: a double fault too;
//   KERNBASE+24, KERNBASE+64: the CPU's words fit above KERNBASE (physical
//     page 0, which the kernel never uses) and the AP must not be taken for
//     the kernel: a double fault in alltraps, or a kill at trapret (vector 12).
#define TEST_NAME "t_smode_esp"
#include "testlib.h"
#include "faults.h"

// An Smode child that sets ESP to esp and then does `how`; returns its status.
static int
child(unsigned int esp, int how)
{
    int pid = fork();
    if (pid == 0) {
        if (switch_supervisor(0) != 0 || read_cs() != 0x08)
            _exit(2);
        if (how == 0) // spin: the next tick is delivered on that stack
            __asm__ volatile("mov %0, %%esp\n1: jmp 1b" : : "r"(esp));
        else if (how == 1) // int 0x80 from ring 0 (getpid), then spin
            __asm__ volatile("mov %0, %%esp; int $0x80\n1: jmp 1b"
                             : : "r"(esp), "a"(SYS_getpid));
        else // the function receiver (getpid), then spin
            call_with_esp(esp);
        _exit(3);
    }
    CHECK(pid > 0, "fork: %d", pid);
    return wait_child(pid);
}

int
main(void)
{
    static const char *const ways[] = {"spin", "int 0x80", "call"};
    for (unsigned int i = 0; i < NBOUNDARY_ESPS; i++)
        for (int how = 0; how < 3; how++) {
            int s = child(boundary_esps[i], how);
            CHECK(WIFKILLED(s) && (WKILLVEC(s) == 8 || WKILLVEC(s) == 12),
                  "ESP 0x%08x, %s: status 0x%x, expected a kill by vector 8 or 12", boundary_esps[i],
                  ways[how], s);
            printf("t_smode_esp: ESP 0x%08x, %s: killed by vector %d\n", boundary_esps[i], ways[how],
                   WKILLVEC(s));
        }
    // the machine still works: processes, the timer
    int pid = fork();
    if (pid == 0)
        _exit(42);
    CHECK(pid > 0 && wait_child(pid) == 42, "fork after the kills");
    unsigned int t0 = uptime();
    CHECK(msleep(30) == 0 && uptime() >= t0 + 30, "the timer stopped");
    pass();
}
