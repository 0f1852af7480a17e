// t_forkexec: fork, exit statuses, wait, exec with arguments, exec errors,
// getppid, and the reparenting of orphans to init (this test is pid 1).
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_NAME "t_forkexec"
#include "testlib.h"

// Fork a child that calls exit(code); wait for it; return the raw status.
static void
exit_status_case(int code, int expect)
{
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0)
        exit(code);
    int st = -12345;
    int w = wait(&st);
    CHECK(w == pid, "exit(%d): wait returned %d, expected pid %d", code, w, pid);
    CHECK(!WIFKILLED(st), "exit(%d): status 0x%x looks killed", code, st);
    CHECK(st == expect && WEXITSTATUS(st) == expect, "exit(%d): status 0x%x, expected %d", code,
          st, expect);
}

// Read everything from fd until end of file into buf (NUL-terminated).
static int
read_all(int fd, char *buf, int max)
{
    int n = 0;
    for (;;) {
        CHECK(n < max - 1, "read_all: more than %d bytes", max - 1);
        int r = read(fd, buf + n, max - 1 - n);
        CHECK(r >= 0, "read from pipe: %d", r);
        if (r == 0)
            break;
        n += r;
    }
    buf[n] = 0;
    return n;
}

// Run path with argv in a child whose stdout is a pipe; return its output.
static void
run_capture(const char *path, char *const argv[], char *out, int max, int expect_status)
{
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe failed");
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        close(fds[0]);
        if (dup2(fds[1], 1) != 1)
            _exit(120);
        close(fds[1]);
        exec(path, argv);
        _exit(121); // exec failed
    }
    close(fds[1]);
    read_all(fds[0], out, max);
    close(fds[0]);
    int st;
    int w = wait(&st);
    CHECK(w == pid, "wait after exec of %s: %d, expected %d", path, w, pid);
    CHECK(st == expect_status, "exec of %s: child status 0x%x, expected %d", path, st,
          expect_status);
}

int
main(void)
{
    int me = getpid();
    char buf[512];

    // No children yet: wait must say so, and must not block.
    int st = 0;
    CHECK(wait(&st) == -ECHILD, "wait with no children did not give -ECHILD");
    CHECK(wait(0) == -ECHILD, "wait(NULL) with no children did not give -ECHILD");

    // Exit statuses.
    exit_status_case(0, 0);
    exit_status_case(7, 7);
    exit_status_case(255, 255);
    exit_status_case(256 + 3, 3); // only the low 8 bits are kept
    exit_status_case(1, 1);

    // Several children at once: each pid reaped exactly once with its status.
    enum { NKIDS = 6 };
    int pids[NKIDS], seen[NKIDS];
    for (int i = 0; i < NKIDS; i++) {
        pids[i] = fork();
        CHECK(pids[i] >= 0, "fork %d: %d", i, pids[i]);
        if (pids[i] == 0)
            exit(10 + i);
        seen[i] = 0;
        for (int j = 0; j < i; j++)
            CHECK(pids[j] != pids[i], "fork returned pid %d twice", pids[i]);
    }
    for (int k = 0; k < NKIDS; k++) {
        int w = wait(&st);
        int i;
        for (i = 0; i < NKIDS && pids[i] != w; i++)
            ;
        CHECK(i < NKIDS, "wait returned %d, not one of my children", w);
        CHECK(!seen[i], "child %d reaped twice", w);
        seen[i] = 1;
        CHECK(st == 10 + i, "child %d: status %d, expected %d", w, st, 10 + i);
    }
    CHECK(wait(&st) == -ECHILD, "wait after reaping all did not give -ECHILD");

    // fork returns 0 in the child, the child has a new pid and its parent is us.
    {
        int fds[2];
        CHECK(pipe(fds) == 0, "pipe");
        int pid = fork();
        CHECK(pid >= 0, "fork: %d", pid);
        if (pid == 0) {
            int info[2] = {getpid(), getppid()};
            write(fds[1], info, sizeof(info));
            exit(0);
        }
        int info[2] = {0, 0};
        CHECK(read(fds[0], info, sizeof(info)) == sizeof(info), "short read of child info");
        CHECK(info[0] == pid, "child's getpid %d != fork's %d", info[0], pid);
        CHECK(info[0] != me, "child's pid equals parent's");
        CHECK(info[1] == me, "child's getppid %d != parent's pid %d", info[1], me);
        CHECK(wait(&st) == pid && st == 0, "wait for getppid child");
        close(fds[0]);
        close(fds[1]);
    }

    // Memory is copied, not shared.
    {
        static volatile int shared_var = 5;
        int pid = fork();
        CHECK(pid >= 0, "fork: %d", pid);
        if (pid == 0) {
            shared_var = 99;
            exit(shared_var == 99 ? 0 : 1);
        }
        CHECK(wait(&st) == pid && st == 0, "copy child status %d", st);
        CHECK(shared_var == 5, "child's write is visible in the parent (%d)", shared_var);
    }

    // exec /bin/echo with arguments, its output captured through a pipe.
    {
        char *argv[] = {"echo", "hello", "world 42", "", "x", 0};
        run_capture("/bin/echo", argv, buf, sizeof(buf), 0);
        CHECK(strcmp(buf, "hello world 42  x\n") == 0, "echo printed \"%s\"", buf);
    }
    {
        char *argv[] = {"echo", 0}; // no arguments: just a newline
        run_capture("/bin/echo", argv, buf, sizeof(buf), 0);
        CHECK(strcmp(buf, "\n") == 0, "echo without args printed \"%s\"", buf);
    }
    {
        // many arguments
        char *argv[32];
        char words[30][8];
        char expect[300] = "";
        argv[0] = "echo";
        for (int i = 0; i < 30; i++) {
            snprintf(words[i], sizeof(words[i]), "a%d", i * 37);
            argv[i + 1] = words[i];
            strcat(expect, words[i]);
            strcat(expect, i < 29 ? " " : "\n");
        }
        argv[31] = 0;
        run_capture("/bin/echo", argv, buf, sizeof(buf), 0);
        CHECK(strcmp(buf, expect) == 0, "echo of 30 args printed \"%s\"", buf);
    }
    {
        // a relative path after chdir
        CHECK(chdir("/bin") == 0, "chdir /bin");
        char *argv[] = {"echo", "relative", 0};
        run_capture("echo", argv, buf, sizeof(buf), 0);
        CHECK(strcmp(buf, "relative\n") == 0, "relative exec printed \"%s\"", buf);
        CHECK(chdir("/") == 0, "chdir /");
    }

    // exec errors leave the caller running, unchanged.
    {
        char *argv[] = {"nothing", 0};
        int r = exec("/no/such/program", argv);
        CHECK(r == -ENOENT, "exec of a missing file: %d, expected -ENOENT", r);
        r = exec("/bin/no_such_program", argv);
        CHECK(r == -ENOENT, "exec of /bin/no_such_program: %d, expected -ENOENT", r);
        r = exec("", argv);
        CHECK(r < 0, "exec of the empty path returned %d", r);
        r = exec("/README", argv);
        CHECK(r == -ENOEXEC, "exec of a text file: %d, expected -ENOEXEC", r);
        r = exec("/bin", argv);
        CHECK(r < 0, "exec of a directory returned %d", r);
        CHECK(getpid() == me, "pid changed after failed exec");
        // the process still works: fork and a successful exec afterwards
        char *eargv[] = {"echo", "still", "alive", 0};
        run_capture("/bin/echo", eargv, buf, sizeof(buf), 0);
        CHECK(strcmp(buf, "still alive\n") == 0, "echo after failed exec printed \"%s\"", buf);
    }
    // exec failing in a child: it continues and reports
    {
        int pid = fork();
        CHECK(pid >= 0, "fork: %d", pid);
        if (pid == 0) {
            char *argv[] = {"x", 0};
            int r = exec("/missing", argv);
            exit(r == -ENOENT ? 33 : 34);
        }
        CHECK(wait(&st) == pid && st == 33, "child's failed exec: status %d", st);
    }
    printf("fork/exec/wait basics ok\n");

    // Orphans are given to init. Only meaningful when we are init.
    if (me == 1) {
        int report[2], go[2], ready[2];
        CHECK(pipe(report) == 0 && pipe(go) == 0 && pipe(ready) == 0, "pipes");
        int mid = fork();
        CHECK(mid >= 0, "fork: %d", mid);
        if (mid == 0) {
            int g = fork();
            if (g < 0)
                _exit(50);
            if (g == 0) {
                // grandchild: wait until init tells us our parent is gone
                close(go[1]);
                close(report[0]);
                int before = getppid();
                if (write(ready[1], "r", 1) != 1) // the middle process waits for this
                    _exit(52);
                char c;
                if (read(go[0], &c, 1) != 1)
                    _exit(51);
                int info[3] = {getpid(), before, getppid()};
                write(report[1], info, sizeof(info));
                exit(42);
            }
            char c;
            if (read(ready[0], &c, 1) != 1)
                _exit(53);
            exit(5); // the middle process leaves its child behind
        }
        close(go[0]);
        close(report[1]);
        close(ready[0]);
        close(ready[1]);
        int w = wait(&st);
        CHECK(w == mid, "wait for the middle process returned %d (expected %d)", w, mid);
        CHECK(st == 5, "middle process status %d", st);
        // now the grandchild is an orphan: ours to reap
        CHECK(write(go[1], "g", 1) == 1, "write to go pipe");
        int info[3] = {0, 0, 0};
        int r = read(report[0], info, sizeof(info));
        CHECK(r == sizeof(info), "grandchild report: read %d", r);
        CHECK(info[1] == mid, "grandchild's first getppid %d, expected %d", info[1], mid);
        CHECK(info[2] == 1, "orphan's getppid is %d after its parent exited, expected 1",
              info[2]);
        w = wait(&st);
        CHECK(w == info[0], "init reaped %d, expected the orphan %d", w, info[0]);
        CHECK(st == 42, "orphan status %d, expected 42", st);
        CHECK(wait(&st) == -ECHILD, "children left after reaping the orphan");
        close(go[1]);
        close(report[0]);

        // Orphan that is already a zombie when its parent exits.
        int mid2 = fork();
        CHECK(mid2 >= 0, "fork: %d", mid2);
        if (mid2 == 0) {
            int g = fork();
            if (g < 0)
                _exit(50);
            if (g == 0)
                exit(77);
            // let the grandchild become a zombie first: sleep a little, not reaping it
            msleep(50);
            exit(6);
        }
        int got_mid = 0, got_orphan = 0;
        for (int i = 0; i < 2; i++) {
            w = wait(&st);
            CHECK(w > 0, "wait for mid2/orphan returned %d", w);
            if (w == mid2) {
                CHECK(st == 6, "mid2 status %d", st);
                got_mid++;
            } else {
                CHECK(st == 77, "zombie orphan %d status %d", w, st);
                got_orphan++;
            }
        }
        CHECK(got_mid == 1 && got_orphan == 1, "zombie orphan not reaped by init");
        CHECK(wait(&st) == -ECHILD, "children left after the zombie orphan");
        printf("orphans reparented to init and reaped\n");
    } else {
        printf("not pid 1: orphan checks skipped\n");
    }

    pass();
}
