// t_smode_flags: an Smode program may set any flag (popf is legal in ring 0),
// and the kernel must neither die of it nor lose it. NT matters most: with
// NT set, the kernel's next iretd would be a task return through a null
// back-link (invalid TSS). Each case runs in an Smode child that sets NT
// (and AC, which ring 0 may set too), then makes a call that leaves the
// function receiver's fast path: switch_user(0), fork, exec, a bad number,
// calls that meet TW_RESCHED, and sleeps while other processes run. Each
// must work normally, and the program must come back with its own flags
// (but for what a switch to Umode drops). TF set in Smode traps in the
// program: a kill by vector 1, not a kernel panic.
#include <string.h>

#define TEST_NAME "t_smode_flags"
#include "testlib.h"

#define MINE (FL_NT | FL_AC) // the flags each case sets and checks

// Run fn as an Smode child with NT and AC set; return its wait status.
static int
in_smode_child(void (*fn)(void))
{
    int pid = fork();
    if (pid == 0) {
        if (switch_supervisor(0) != 0 || read_cs() != 0x08)
            _exit(90);
        set_flags(MINE);
        fn();
        _exit((eflags() & MINE) == MINE ? 0 : 91); // its flags came back
    }
    CHECK(pid > 0, "fork: %d", pid);
    return wait_child(pid);
}

static void
to_umode(void)
{
    if (switch_user(0) != 0 || read_cs() != 0x1b)
        _exit(2);
    if (eflags() & MINE)
        _exit(3); // the switch to ring 3 drops them (mode_set_frame)
    _exit(0);
}

static void
forks(void)
{
    int pid = fork();
    if (pid == 0)
        _exit((eflags() & MINE) == MINE && read_cs() == 0x08 ? 7 : 8);
    int status;
    if (pid < 0 || wait(&status) != pid || status != 7)
        _exit(4);
}

static void
execs(void)
{
    char *argv[] = {"echo", "t_smode_flags: exec with NT set", 0};
    exec("/bin/echo", argv);
    _exit(5);
}

static void
bad_number(void)
{
    if (syscall5(999, 0, 0, 0, 0, 0) != -ENOSYS || syscall5(0, 0, 0, 0, 0, 0) != -ENOSYS)
        _exit(6);
}

// Fast-path calls until 20 ticks have passed: the ticks that land in the
// kernel set TW_RESCHED, and the call that meets it leaves by the slow path.
static void
resched(void)
{
    unsigned int t0 = uptime();
    while (uptime() < t0 + 200)
        getpid();
}

// Sleeps: the fast path's handler blocks with NT set while others run and
// leave the kernel by iretd (swtch keeps flags per context).
static void
sleeps(void)
{
    for (int i = 0; i < 10; i++)
        if (msleep(10) != 0)
            _exit(7);
}

static void
single_step(void)
{
    set_flags(FL_TF);
    for (;;) // the trap comes at the next instruction
        ;
}

int
main(void)
{
    // something to preempt and to run while the children sleep
    int spinner = fork();
    if (spinner == 0)
        for (;;)
            ;
    static const struct {
        const char *name;
        void (*fn)(void);
    } cases[] = {
        {"switch_user(0)", to_umode}, {"fork", forks},   {"exec", execs},
        {"a bad number", bad_number}, {"TW_RESCHED", resched}, {"msleep", sleeps},
    };
    for (int round = 0; round < 2; round++)
        for (unsigned int i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            int s = in_smode_child(cases[i].fn);
            CHECK(s == 0, "NT and AC set in Smode, then %s: status 0x%x", cases[i].name, s);
        }
    printf("t_smode_flags: NT and AC in Smode: switch, fork, exec, bad number, resched, sleep\n");
    int s = in_smode_child(single_step);
    CHECK(WIFKILLED(s) && WKILLVEC(s) == 1, "TF in Smode: status 0x%x, expected vector 1", s);
    kill(spinner);
    wait_child(spinner);
    pass();
}
