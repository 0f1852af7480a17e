// t_manager: a manager process switches other processes by pid while they
// run (the paper's requirement 1): an unmodified program (/bin/spin) and a
// loop of its own that checks every result and reports each mode change it
// sees. Also the request rules: -ESRCH for a bad pid, -EALREADY for a
// repeated request, and a newer opposite request cancelling a pending one
// (on a child asleep in read(), which then applies a pending request at the
// tail of that very read).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_manager"
#include "testlib.h"

#define STOPFILE "/t_manager_stop"
#define CYCLES 6

// Poll modeinfo until pid runs in mode with nothing pending (bounded).
static void
await_mode(int pid, int mode, const char *what)
{
    struct procinfo pi;
    for (int tries = 0; tries < 1000; tries++) {
        CHECK(modeinfo(pid, &pi) == 0, "%s: modeinfo(%d)", what, pid);
        CHECK(pi.state != PS_ZOMBIE, "%s: pid %d exited early", what, pid);
        if (pi.mode == mode && pi.pending == MODE_NONE)
            return;
        msleep(10);
    }
    FAIL("%s: pid %d never became %s (mode %d pending %d)", what, pid,
         mode == MODE_SMODE ? "Smode" : "Umode", pi.mode, pi.pending);
}

// Switch pid back and forth CYCLES times, waiting for each switch to apply.
static void
flip(int pid, const char *what)
{
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0, "modeinfo");
    unsigned int before = pi.switches;
    for (int i = 0; i < CYCLES; i++) {
        int r = switch_supervisor(pid);
        CHECK(r == 0, "%s: switch_supervisor(%d) = %d", what, pid, r);
        await_mode(pid, MODE_SMODE, what);
        msleep(20); // let it run in Smode for a while
        r = switch_user(pid);
        CHECK(r == 0, "%s: switch_user(%d) = %d", what, pid, r);
        await_mode(pid, MODE_UMODE, what);
        msleep(20);
    }
    CHECK(modeinfo(pid, &pi) == 0, "modeinfo");
    CHECK(pi.switches == before + 2 * CYCLES, "%s: %u switches, expected %u", what,
          pi.switches, before + 2 * CYCLES);
}

static volatile unsigned int seed = 777;

static unsigned int
work(void)
{
    unsigned int x = seed, sum = 0;
    for (int i = 0; i < 20000; i++) {
        x = x * 1103515245u + 12345u;
        sum += (x >> 7) ^ (unsigned int)i;
    }
    return sum;
}

// The child's own loop: compute, make system calls, check every result, and
// report over fd each mode change it observes (after a call, the only place
// one can happen). Ends when the stop file appears; exit 0 if all was right.
static void __attribute__((noreturn))
looper(int fd, int other)
{
    unsigned int cs = read_cs(); // before any call: a request may be pending already
    close(other);
    int pid = getpid(), ppid = getppid();
    unsigned int expect = work();
    int changes = 0;
    for (;;) {
        if (work() != expect) {
            eprintf(TEST_NAME ": child: wrong checksum\n");
            _exit(1);
        }
        struct stat st;
        int s = stat(STOPFILE, &st);
        if (getpid() != pid || getppid() != ppid || (s != 0 && s != -ENOENT)) {
            eprintf(TEST_NAME ": child: wrong system-call result\n");
            _exit(1);
        }
        unsigned int now = read_cs();
        int mode = current_mode();
        if ((now == 0x08) != (mode == MODE_SMODE) || (now != 0x08 && now != 0x1b)) {
            eprintf(TEST_NAME ": child: cs %x but mode flag %d\n", now, mode);
            _exit(1);
        }
        if (now != cs) {
            changes++;
            char c = mode == MODE_SMODE ? 'S' : 'U';
            if (write(fd, &c, 1) != 1)
                _exit(1);
            cs = now;
        }
        if (s == 0)
            break;
    }
    // The last report: how many changes were seen in all.
    if (write(fd, &changes, sizeof changes) != sizeof changes)
        _exit(1);
    _exit(0);
}

static void
test_spin(void)
{
    int pid = fork();
    if (pid == 0) {
        char *argv[] = {"spin", "1000000", 0};
        exec("/bin/spin", argv);
        _exit(2);
    }
    CHECK(pid > 0, "fork");
    msleep(30);
    flip(pid, "spin");
    // spin exits 1 on a wrong result; it must still be running
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0 && pi.state != PS_ZOMBIE, "spin exited early");
    CHECK(strcmp(pi.name, "spin") == 0, "name %s", pi.name);
    CHECK(kill(pid) == 0, "kill spin");
    int status;
    CHECK(wait(&status) == pid, "wait spin");
    CHECK(status == (WAIT_KILLED_BIT | KILLED_BY_KILL), "spin status 0x%x", status);
}

static void
test_looper(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    unlink(STOPFILE);
    int pid = fork();
    if (pid == 0) {
        looper(fds[1], fds[0]);
    }
    CHECK(pid > 0, "fork");
    close(fds[1]);
    for (int i = 0; i < CYCLES; i++) {
        char c;
        CHECK(switch_supervisor(pid) == 0, "switch_supervisor(looper)");
        CHECK(read(fds[0], &c, 1) == 1 && c == 'S', "looper report %d: %c", i, c);
        await_mode(pid, MODE_SMODE, "looper");
        CHECK(switch_user(pid) == 0, "switch_user(looper)");
        CHECK(read(fds[0], &c, 1) == 1 && c == 'U', "looper report %d: %c", i, c);
        await_mode(pid, MODE_UMODE, "looper");
    }
    CHECK(switch_supervisor(pid) == 0, "switch_supervisor(looper)");
    char c;
    CHECK(read(fds[0], &c, 1) == 1 && c == 'S', "looper last report %c", c);
    int fd = open(STOPFILE, O_CREAT | O_RDWR);
    CHECK(fd >= 0, "create stop file");
    close(fd);
    int changes = -1;
    CHECK(read(fds[0], &changes, sizeof changes) == sizeof changes, "looper count");
    CHECK(changes == 2 * CYCLES + 1, "looper saw %d changes", changes);
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0 && pi.switches == 2 * CYCLES + 1, "looper switches %u",
          pi.switches);
    int status;
    CHECK(wait(&status) == pid, "wait looper");
    CHECK(status == 0, "looper status 0x%x", status); // it exits in Smode
    close(fds[0]);
    unlink(STOPFILE);
}

static void
test_rules(void)
{
    CHECK(switch_supervisor(9999) == -ESRCH, "switch_supervisor(9999)");
    CHECK(switch_user(9999) == -ESRCH, "switch_user(9999)");
    CHECK(switch_supervisor(-3) == -ESRCH, "switch_supervisor(-3)");
    struct procinfo pi;
    CHECK(modeinfo(9999, &pi) == -ESRCH, "modeinfo(9999)");

    // A child asleep in read() on a pipe.
    int to[2], from[2];
    CHECK(pipe(to) == 0 && pipe(from) == 0, "pipe");
    int pid = fork();
    if (pid == 0) {
        char c;
        for (int round = 0; round < 2; round++) {
            if (read(to[0], &c, 1) != 1)
                _exit(1);
            unsigned int cs = read_cs(); // right after the read's tail
            if (write(from[1], &cs, sizeof cs) != sizeof cs)
                _exit(1);
        }
        _exit(0);
    }
    CHECK(pid > 0, "fork");
    for (int tries = 0; tries < 1000; tries++) {
        CHECK(modeinfo(pid, &pi) == 0, "modeinfo child");
        if (pi.state == PS_SLEEPING)
            break;
        msleep(10);
    }
    CHECK(pi.state == PS_SLEEPING, "child not asleep in read");
    CHECK(switch_user(pid) == -EALREADY, "switch_user on a Umode process");
    CHECK(switch_supervisor(pid) == 0, "switch_supervisor(child)");
    CHECK(modeinfo(pid, &pi) == 0 && pi.pending == MODE_SMODE && pi.mode == MODE_UMODE,
          "after ->S: mode %d pending %d", pi.mode, pi.pending);
    CHECK(switch_supervisor(pid) == -EALREADY, "repeated switch_supervisor");
    CHECK(switch_user(pid) == 0, "switch_user cancelling");
    CHECK(modeinfo(pid, &pi) == 0 && pi.pending == MODE_NONE && pi.mode == MODE_UMODE,
          "after ->S ->U: mode %d pending %d", pi.mode, pi.pending);
    CHECK(switch_user(pid) == -EALREADY, "switch_user after the cancel");
    CHECK(pi.state == PS_SLEEPING && pi.switches == 0, "child woke or switched");

    // Wake it: the cancelled request must not apply.
    unsigned int cs;
    CHECK(write(to[1], "x", 1) == 1, "write");
    CHECK(read(from[0], &cs, sizeof cs) == sizeof cs, "read cs");
    CHECK(cs == 0x1b, "cancelled request applied: cs %x", cs);

    // A pending request on a sleeper applies at the tail of its read().
    for (int tries = 0; tries < 1000; tries++) {
        CHECK(modeinfo(pid, &pi) == 0, "modeinfo child");
        if (pi.state == PS_SLEEPING)
            break;
        msleep(10);
    }
    CHECK(switch_supervisor(pid) == 0, "switch_supervisor(sleeper)");
    CHECK(write(to[1], "y", 1) == 1, "write");
    CHECK(read(from[0], &cs, sizeof cs) == sizeof cs, "read cs");
    CHECK(cs == 0x08, "pending request not applied at the read's tail: cs %x", cs);
    int status;
    CHECK(wait(&status) == pid && status == 0, "child status 0x%x", status);
    CHECK(switch_supervisor(pid) == -ESRCH, "switch of a reaped child");
    close(to[0]), close(to[1]), close(from[0]), close(from[1]);
}

int
main(void)
{
    test_rules();
    test_spin();
    test_looper();
    pass();
}
