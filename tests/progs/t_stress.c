// t_stress: N workers run tight loops of system calls, each result checked,
// while a manager flips their modes at random thousands of times, under
// preemption. After every call a worker checks that its CS and its mode flag
// agree (CS 0x08 iff Smode) and counts the changes of CS it sees. A switch
// happens only at the tail of a system call and a worker checks after every
// call, so the changes it counts must equal the switches the kernel applied
// to it (modeinfo.switches): every switch accounted for.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_stress"
#include "testlib.h"

#define NWORKERS 4
#define REQUESTS 10000
#define STOPFILE "/t_stress_stop"

struct result {
    unsigned int calls;    // system calls made
    unsigned int changes;  // CS changes observed
    unsigned int wrong;    // wrong results (or CS/flag disagreements)
    unsigned int switches; // modeinfo(0).switches at the end
    unsigned int smode_calls; // calls made in Smode
};

// ---- the worker ----
static struct result res;
static unsigned int prev_cs;
static int wid;

static void
wrong(const char *what, int got)
{
    res.wrong++;
    if (res.wrong <= 5)
        eprintf(TEST_NAME ": worker %d: WRONG %s (%d) after %u calls\n", wid, what, got, res.calls);
}

// After every system call: CS and the flag agree; count CS changes.
static void
after_call(void)
{
    unsigned int cs = read_cs();
    int mode = current_mode();
    res.calls++;
    if (!((cs == 0x08 && mode == MODE_SMODE) || (cs == 0x1b && mode == MODE_UMODE)))
        wrong("cs/flag disagree", (int)cs);
    if (cs != prev_cs)
        res.changes++;
    prev_cs = cs;
    if (mode == MODE_SMODE)
        res.smode_calls++;
}

#define CALL(expr, ok, what)                                                   \
    do {                                                                       \
        int r_ = (int)(expr);                                                  \
        after_call();                                                          \
        if (!(ok))                                                             \
            wrong(what, r_);                                                   \
    } while (0)

static void __attribute__((noreturn))
worker(int id, int out)
{
    prev_cs = read_cs(); // before any call: a request may be pending already
    wid = id;
    int pid = getpid();
    after_call();
    char name[32];
    snprintf(name, sizeof name, "/t_stress_%d", id);
    after_call();
    int fd = open(name, O_CREAT | O_RDWR | O_TRUNC);
    after_call();
    int p[2];
    int pr = pipe(p);
    after_call();
    void *brk = sbrk(0);
    after_call();
    if (fd < 0 || pr != 0 || sbrk_failed(brk))
        wrong("setup", fd);
    unsigned int x = 12345u * (unsigned int)(id + 1);
    char buf[16], back[16];
    struct stat st;
    for (unsigned int it = 0;; it++) {
        CALL(getpid(), r_ == pid, "getpid");
        x = x * 1103515245u + 12345u;
        memset(buf, (int)(x >> 24), sizeof buf);
        memcpy(buf, &x, sizeof x);
        CALL(write(fd, buf, sizeof buf), r_ == sizeof buf, "write");
        CALL(lseek(fd, -(int)sizeof buf, SEEK_CUR), r_ == 0, "lseek back");
        memset(back, 0, sizeof back);
        CALL(read(fd, back, sizeof back), r_ == sizeof back && memcmp(buf, back, sizeof buf) == 0,
             "file round trip");
        CALL(lseek(fd, 0, SEEK_SET), r_ == 0, "lseek 0");
        CALL(sbrk(0), (void *)r_ == brk, "sbrk(0)");
        unsigned int y = ~x;
        CALL(write(p[1], &x, sizeof x), r_ == sizeof x, "pipe write");
        CALL(read(p[0], &y, sizeof y), r_ == sizeof y && y == x, "pipe round trip");
        CALL(getppid(), r_ == 1, "getppid");
        if (it % 256 == (unsigned int)id * 64) {
            int child = fork();
            if (child == 0) { // the child has the mode the parent had at fork time
                unsigned int cs = read_cs();
                int mode = current_mode();
                _exit(((cs == 0x08) == (mode == MODE_SMODE)) ? 0 : 1);
            }
            after_call();
            int status = -1;
            CALL(wait(&status), r_ == child && status == 0, "fork/wait");
        }
        if (it % 32 == (unsigned int)id)
            CALL(yield(), r_ == 0, "yield");
        int s = stat(STOPFILE, &st);
        after_call();
        if (s == 0)
            break;
        if (s != -ENOENT)
            wrong("stat", s);
    }
    // The manager has stopped requesting: a request still pending applies at
    // the tail of the first call here; then the count is final.
    struct procinfo pi;
    CALL(modeinfo(0, &pi), r_ == 0, "modeinfo");
    CALL(modeinfo(0, &pi), r_ == 0 && pi.pending == MODE_NONE, "modeinfo");
    res.switches = pi.switches;
    if (res.switches != res.changes)
        eprintf(TEST_NAME ": worker %d: %u switches applied, %u CS changes seen\n", id,
                res.switches, res.changes);
    write(out, &res, sizeof res);
    close(fd);
    unlink(name);
    _exit(res.wrong == 0 && res.switches == res.changes ? 0 : 1);
}

// ---- the manager ----
int
main(void)
{
    unlink(STOPFILE);
    int out[2];
    CHECK(pipe(out) == 0, "pipe");
    int pids[NWORKERS];
    for (int i = 0; i < NWORKERS; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            close(out[0]);
            worker(i, out[1]);
        }
        CHECK(pids[i] > 0, "fork");
    }
    close(out[1]);

    unsigned int ok = 0, already = 0;
    srand(4242);
    for (int n = 0; n < REQUESTS; n++) {
        int i = rand() % NWORKERS;
        int smode = rand() & 1;
        int r = smode ? switch_supervisor(pids[i]) : switch_user(pids[i]);
        if (r == 0)
            ok++;
        else if (r == -EALREADY)
            already++;
        else
            FAIL("request %d for worker %d: %d", n, i, r);
        switch (rand() % 8) {
        case 0:
        case 1:
            yield();
            break;
        case 2:
            msleep(0);
            break;
        default:
            break;
        }
        if (n % 1000 == 0) // let them run on their own for a while
            msleep(30);
    }
    unsigned int applied = 0;
    for (int i = 0; i < NWORKERS; i++) {
        struct procinfo pi;
        CHECK(modeinfo(pids[i], &pi) == 0 && pi.state != PS_ZOMBIE, "worker %d died", i);
        applied += pi.switches;
    }
    int fd = open(STOPFILE, O_CREAT | O_RDWR);
    CHECK(fd >= 0, "create the stop file");
    close(fd);

    struct result total = {0, 0, 0, 0, 0};
    for (int k = 0; k < NWORKERS; k++) {
        struct result r;
        CHECK(read(out[0], &r, sizeof r) == sizeof r, "worker result %d", k);
        total.calls += r.calls;
        total.changes += r.changes;
        total.wrong += r.wrong;
        total.switches += r.switches;
        total.smode_calls += r.smode_calls;
        CHECK(r.changes == r.switches, "a worker saw %u changes but had %u switches", r.changes,
              r.switches);
    }
    unsigned int final = 0;
    for (int i = 0; i < NWORKERS; i++) {
        struct procinfo pi;
        CHECK(modeinfo(pids[i], &pi) == 0, "modeinfo(worker %d)", i);
        final += pi.switches;
    }
    for (int i = 0; i < NWORKERS; i++) {
        int status;
        int pid = wait(&status);
        CHECK(pid > 0, "wait");
        CHECK(status == 0, "worker pid %d status 0x%x", pid, status);
    }
    unlink(STOPFILE);
    printf(TEST_NAME ": %d requests (%u accepted, %u already), %u switches applied (%u before the "
                     "stop), %u calls (%u in Smode), %u wrong\n",
           REQUESTS, ok, already, total.switches, applied, total.calls, total.smode_calls,
           total.wrong);
    CHECK(total.wrong == 0, "%u wrong results", total.wrong);
    CHECK(final == total.switches, "kernel counts %u switches, workers %u", final,
          total.switches);
    CHECK(total.switches >= applied && total.switches <= ok, "switch counts out of range");
    CHECK(applied >= 100, "only %u switches applied: the test did not stress", applied);
    CHECK(total.smode_calls > 1000 && total.calls - total.smode_calls > 1000,
          "calls not spread over both modes");
    pass();
}
