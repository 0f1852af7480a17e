// t_kill: kill() of a sleeping child, of a child blocked in a pipe read, in
// a pipe write, in wait(), of a running child, of itself; kill of a bad pid
// or of a zombie gives -ESRCH and does not change the zombie's status.
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_NAME "t_kill"
#include "testlib.h"

// The state procinfo reports for pid, or -1 if it is not in the table.
static int
state_of(int pid)
{
    static struct procinfo rows[80];
    int n = procinfo(rows, 80);
    CHECK(n > 0, "procinfo: %d", n);
    for (int i = 0; i < n; i++)
        if (rows[i].pid == pid)
            return rows[i].state;
    return -1;
}

// Let pid run until procinfo shows it in state (bounded by a count, not time).
static void
wait_state(int pid, int state, const char *what)
{
    for (int i = 0; i < 600; i++) { // 100 yields, then up to 500 short sleeps
        int s = state_of(pid);
        if (s == state)
            return;
        CHECK(s >= 0, "%s: pid %d vanished", what, pid);
        if (i < 100)
            yield();
        else
            msleep(1);
    }
    FAIL("%s: pid %d never reached state %d (now %d)", what, pid, state, state_of(pid));
}

static void
expect_killed(int pid, const char *what)
{
    int st = -1;
    int w = wait(&st);
    CHECK(w == pid, "%s: wait returned %d, expected %d", what, w, pid);
    CHECK(WIFKILLED(st), "%s: status 0x%x, not killed", what, st);
    CHECK(WKILLVEC(st) == KILLED_BY_KILL, "%s: status 0x%x, expected KILLED_BY_KILL", what, st);
    CHECK(state_of(pid) == -1, "%s: pid %d still in the table after wait", what, pid);
}

int
main(void)
{
    int st;

    // ---- bad pids ----
    CHECK(kill(9999) == -ESRCH, "kill(9999) did not give -ESRCH");
    CHECK(kill(123456) == -ESRCH, "kill(123456) did not give -ESRCH");

    // ---- a sleeping child ----
    fflush_stdout();
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        msleep(100000);
        _exit(1); // must not get here
    }
    wait_state(pid, PS_SLEEPING, "msleep child");
    CHECK(kill(pid) == 0, "kill of a sleeping child failed");
    expect_killed(pid, "msleep child");
    // the pid is gone now
    CHECK(kill(pid) == -ESRCH, "kill of a reaped pid did not give -ESRCH");

    // ---- a child blocked reading an empty pipe ----
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        close(fds[1]); // the parent keeps a writer: the read blocks
        char c;
        read(fds[0], &c, 1);
        _exit(1);
    }
    wait_state(pid, PS_SLEEPING, "pipe reader");
    CHECK(kill(pid) == 0, "kill of a pipe reader failed");
    expect_killed(pid, "pipe reader");
    // the pipe still works for others
    CHECK(write(fds[1], "ok", 2) == 2, "pipe write after the reader was killed");
    char buf[8];
    CHECK(read(fds[0], buf, 8) == 2 && memcmp(buf, "ok", 2) == 0, "pipe damaged");
    close(fds[0]);
    close(fds[1]);

    // ---- a child blocked writing a full pipe ----
    CHECK(pipe(fds) == 0, "pipe");
    pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        close(fds[0]);
        static char big[65536];
        write(fds[1], big, sizeof(big)); // fills the pipe and blocks
        _exit(1);
    }
    wait_state(pid, PS_SLEEPING, "pipe writer");
    CHECK(kill(pid) == 0, "kill of a pipe writer failed");
    expect_killed(pid, "pipe writer");
    // its write end closed at exit: after what it wrote, EOF
    close(fds[1]);
    int total = 0, r;
    while ((r = read(fds[0], buf, sizeof(buf))) > 0)
        total += r;
    CHECK(r == 0, "read after the killed writer: %d", r);
    CHECK(total > 0 && total < 65536, "killed writer delivered %d bytes", total);
    close(fds[0]);

    // ---- a killed child's files are closed: a reader sees EOF ----
    CHECK(pipe(fds) == 0, "pipe");
    pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        close(fds[0]);
        msleep(100000);
        _exit(1);
    }
    close(fds[1]);
    wait_state(pid, PS_SLEEPING, "holder");
    CHECK(kill(pid) == 0, "kill of the holder failed");
    CHECK(read(fds[0], buf, 1) == 0, "the killed child's write end stayed open");
    expect_killed(pid, "holder");
    close(fds[0]);

    // ---- a running child (no system calls) ----
    pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        volatile unsigned int x = 0;
        for (;;)
            x++;
    }
    yield();
    CHECK(kill(pid) == 0, "kill of a running child failed");
    expect_killed(pid, "spinning child");

    // ---- a child that kills itself ----
    pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        kill(getpid());
        _exit(1); // must not get here: the kill takes effect at the call's end
    }
    expect_killed(pid, "self-kill");

    // ---- a child blocked in wait() for its own sleeping child ----
    CHECK(pipe(fds) == 0, "pipe");
    pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        close(fds[0]);
        int g = fork();
        if (g < 0)
            _exit(2);
        if (g == 0) {
            close(fds[1]);
            msleep(100000);
            _exit(3);
        }
        write(fds[1], &g, sizeof(g));
        int s;
        wait(&s); // blocks: the grandchild sleeps
        _exit(1);
    }
    close(fds[1]);
    int g = 0;
    CHECK(read(fds[0], &g, sizeof(g)) == sizeof(g) && g > 0, "grandchild pid");
    close(fds[0]);
    wait_state(pid, PS_SLEEPING, "waiting child");
    wait_state(g, PS_SLEEPING, "sleeping grandchild");
    CHECK(kill(pid) == 0, "kill of a waiting child failed");
    expect_killed(pid, "waiting child");
    if (getpid() == 1) {
        // the grandchild is ours now; it is still asleep and can be killed
        CHECK(state_of(g) == PS_SLEEPING, "grandchild state %d after its parent died", state_of(g));
        CHECK(kill(g) == 0, "kill of the orphaned grandchild failed");
        expect_killed(g, "orphaned grandchild");
    } else {
        CHECK(kill(g) == 0, "kill of the grandchild failed");
    }

    // ---- a zombie: kill gives -ESRCH and leaves its status alone ----
    pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0)
        _exit(17);
    wait_state(pid, PS_ZOMBIE, "exiting child");
    CHECK(kill(pid) == -ESRCH, "kill of a zombie did not give -ESRCH");
    CHECK(wait(&st) == pid, "wait for the zombie");
    CHECK(!WIFKILLED(st) && st == 17, "zombie's status changed to 0x%x by kill", st);

    // ---- several sleepers killed at once ----
    int many[5];
    for (int i = 0; i < 5; i++) {
        many[i] = fork();
        CHECK(many[i] >= 0, "fork: %d", many[i]);
        if (many[i] == 0) {
            msleep(100000);
            _exit(1);
        }
    }
    for (int i = 0; i < 5; i++)
        wait_state(many[i], PS_SLEEPING, "one of many");
    for (int i = 0; i < 5; i++)
        CHECK(kill(many[i]) == 0, "kill %d", many[i]);
    for (int k = 0; k < 5; k++) {
        int w = wait(&st);
        int i;
        for (i = 0; i < 5 && many[i] != w; i++)
            ;
        CHECK(i < 5, "wait returned %d", w);
        CHECK(WIFKILLED(st) && WKILLVEC(st) == KILLED_BY_KILL, "status 0x%x", st);
        many[i] = -1;
    }
    CHECK(wait(&st) == -ECHILD, "children left");

    printf("kills of sleeping, blocked, running, waiting and self-killing children ok\n");
    pass();
}
