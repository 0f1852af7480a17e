// t_regs: lab 3. The system-call contract of libsys: EAX returns the result
// and every other register comes back as it was, on every path: the
// interrupt receiver (Umode), the function receiver's fast path (getpid in
// Smode), its slow path (fork needs the full frame, in parent and child),
// and a call whose tail switches the caller back to Umode. The slow paths
// take the caller's ECX and EDX from where the fast path saved them, below
// the reserved frame slot: if that slot overlapped them, they would come
// back as whatever the frame put there.
#include <stdio.h>
#include <unistd.h>

#define TEST_NAME "t_regs"
#include "testlib.h"

// globals, so that the asm below can address them while every register is in use
unsigned int regs_out[6];
void *regs_fn; // a libsys stub
int regs_result;

static const unsigned int want[6] = {0x11111111, 0x22222222, 0x33333333,
                                     0x44444444, 0x55555555, 0x66666666};
static const char *const names[6] = {"ebx", "ecx", "edx", "esi", "edi", "ebp"};

// Call fn(0) with known values in EBX, ECX, EDX, ESI, EDI, EBP; return its
// result; regs_out gets what those registers held after the call.
static int
call_with_known_regs(void *fn)
{
    regs_fn = fn;
    __asm__ volatile("push %%ebp\n\t"
                     "mov $0x11111111, %%ebx\n\t"
                     "mov $0x22222222, %%ecx\n\t"
                     "mov $0x33333333, %%edx\n\t"
                     "mov $0x44444444, %%esi\n\t"
                     "mov $0x55555555, %%edi\n\t"
                     "mov $0x66666666, %%ebp\n\t"
                     "push $0\n\t"
                     "call *regs_fn\n\t"
                     "add $4, %%esp\n\t"
                     "mov %%eax, regs_result\n\t"
                     "mov %%ebx, regs_out\n\t"
                     "mov %%ecx, regs_out+4\n\t"
                     "mov %%edx, regs_out+8\n\t"
                     "mov %%esi, regs_out+12\n\t"
                     "mov %%edi, regs_out+16\n\t"
                     "mov %%ebp, regs_out+20\n\t"
                     "pop %%ebp"
                     :
                     :
                     : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");
    return regs_result;
}

static void
check_regs(const char *what)
{
    for (int i = 0; i < 6; i++)
        CHECK(regs_out[i] == want[i], "%s: %s came back 0x%08x, expected 0x%08x", what, names[i],
              regs_out[i], want[i]);
}


// fork through the stub, then check the registers in both processes.
static void
check_fork(const char *mode)
{
    int pid = call_with_known_regs((void *)fork);
    if (pid == 0) {
        check_regs("fork, in the child");
        exit(eflags() & FL_IF ? 0 : 2); // the program's flags come back, IF set
    }
    CHECK(pid > 0, "fork: %d", pid);
    check_regs("fork, in the parent");
    CHECK(eflags() & FL_IF, "%s fork came back with interrupts off (the frame's EFLAGS must be "
          "the program's)", mode);
    CHECK(wait_child(pid) == 0, "the child's registers were not preserved");
    printf("regs: %s fork preserves them in parent and child\n", mode);
}

// The segment registers come back from a system call as they went in: a
// program may hold a null selector in FS and GS (ring 3 may load one).
static void
check_segments(void)
{
    unsigned short ds, es, fs, gs;
    __asm__ volatile("mov %4, %%fs; mov %4, %%gs\n\t"
                     "mov %6, %%eax; int $0x80\n\t"
                     "mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3\n\t"
                     "mov %5, %%fs; mov %5, %%gs"
                     : "=m"(ds), "=m"(es), "=m"(fs), "=m"(gs)
                     : "r"(0), "r"(0x23), "i"(SYS_getpid)
                     : "eax", "memory");
    CHECK(ds == 0x23 && es == 0x23 && fs == 0 && gs == 0,
          "segments after int 0x80: ds 0x%x es 0x%x fs 0x%x gs 0x%x, expected 0x23 0x23 0 0",
          ds, es, fs, gs);
    printf("regs: the segment registers survive int 0x80\n");
}

int
main(void)
{
    check_segments();
    int pid = getpid();
    CHECK(call_with_known_regs((void *)getpid) == pid, "getpid's result");
    check_regs("Umode getpid (int 0x80)");
    printf("regs: Umode getpid preserves every register but EAX\n");
    check_fork("Umode");

    CHECK(switch_supervisor(0) == 0, "switch_supervisor");
    CHECK(read_cs() == 0x08, "not Smode after the switch");
    CHECK(call_with_known_regs((void *)getpid) == pid, "Smode getpid's result");
    check_regs("Smode getpid (the fast path)");
    printf("regs: Smode getpid (fast path) preserves every register but EAX\n");
    check_fork("Smode (slow path)");
    CHECK(call_with_known_regs((void *)switch_user) == 0, "switch_user");
    CHECK(read_cs() == 0x1b, "not Umode after switch_user");
    check_regs("switch_user (the tail path, back to ring 3)");
    printf("regs: the tail path to ring 3 preserves them too\n");
    pass();
}
