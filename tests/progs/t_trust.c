// t_trust: the trust rule for ring 0 (docs/dmsm.md section 10). The boot
// image's /bin and /test are read-only (-EROFS), so a sandboxed child cannot
// replace /bin/echo with its own program for a parent to run in Smode; and a
// program from anywhere writable (a copy of this very test in /tmp) can
// never be promoted: not by itself, not by a manager by pid, not by
// `smode PROG`, not by exec from Smode. fork keeps the trusted image.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_trust"
#include "testlib.h"

#define SELF "/test/t_trust"
#define COPY "/tmp/t_trust"

// Child exit codes: 0 ok, else the number of the failed check (CHILD_CHECK).

// A sum of the bytes of path, to see it unchanged.
static unsigned int
checksum(const char *path)
{
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0, "open %s: %d", path, fd);
    unsigned int sum = 0;
    char buf[512];
    int n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        for (int i = 0; i < n; i++)
            sum = sum * 31 + (unsigned char)buf[i];
    close(fd);
    return sum;
}

static int
trusted(int pid)
{
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0, "modeinfo(%d)", pid);
    return pi.trusted;
}

// The roles of the copy in /tmp (argv[1]); each exits 0 if all is as it must be.
static int
role(int argc, char **argv)
{
    if (strcmp(argv[1], "start") == 0) // must never run at all (exec refused)
        return 40 + current_mode();
    if (strcmp(argv[1], "promote") == 0) { // promote itself: refused
        CHILD_CHECK(20, current_mode() == MODE_UMODE && !trusted(0));
        CHILD_CHECK(21, switch_supervisor(0) == -EPERM);
        CHILD_CHECK(22, read_cs() == 0x1b && current_mode() == MODE_UMODE);
        return 0;
    }
    if (strcmp(argv[1], "wait") == 0 && argc == 4) { // a manager will try by pid
        int in = atoi(argv[2]), out = atoi(argv[3]);
        char c;
        CHILD_CHECK(30, write(out, "r", 1) == 1 && read(in, &c, 1) == 1);
        CHILD_CHECK(31, read_cs() == 0x1b && current_mode() == MODE_UMODE);
        return 0;
    }
    if (strcmp(argv[1], "smode") == 0) // a trusted program exec'd from Smode
        return read_cs() == 0x08 && trusted(0) ? 0 : 50;
    return 99;
}

int
main(int argc, char **argv)
{
    if (argc > 1)
        return role(argc, argv);
    CHECK(trusted(0), "%s is not trusted", SELF);
    unsigned int echo_sum = checksum("/bin/echo");

    // ---- the attack: a sandboxed child tries to replace /bin/echo ----
    int pid = fork();
    if (pid == 0) {
        CHILD_CHECK(1, nopromote() == 0);
        CHILD_CHECK(2, open("/bin/echo", O_WRONLY | O_TRUNC) == -EROFS);
        CHILD_CHECK(3, open("/bin/echo", O_RDWR) == -EROFS);
        CHILD_CHECK(4, open("/bin/echo", O_WRONLY) == -EROFS);
        CHILD_CHECK(5, open("/bin/echo", O_RDONLY | O_TRUNC) == -EROFS);
        CHILD_CHECK(6, open("/bin/evil", O_CREAT | O_WRONLY) == -EROFS);
        CHILD_CHECK(7, open("/test/evil", O_CREAT | O_RDONLY) == -EROFS);
        CHILD_CHECK(8, unlink("/bin/echo") == -EROFS && unlink("/bin") == -EROFS);
        CHILD_CHECK(9, mkdir("/bin/d") == -EROFS && mkdir("/test/d") == -EROFS);
        int fd = open("/tmp/evil", O_CREAT | O_WRONLY);
        CHILD_CHECK(10, fd >= 0 && write(fd, "x", 1) == 1 && close(fd) == 0);
        CHILD_CHECK(11, link("/tmp/evil", "/bin/evil") == -EROFS);
        CHILD_CHECK(12, link("/bin/echo", "/tmp/echo") == -EROFS);
        CHILD_CHECK(13, rename("/tmp/evil", "/bin/echo") == -EROFS);
        CHILD_CHECK(14, rename("/tmp/evil", "/bin/evil") == -EROFS);
        CHILD_CHECK(15, rename("/bin/echo", "/tmp/echo") == -EROFS);
        CHILD_CHECK(16, rename("/bin", "/tmp/bin") == -EROFS);
        CHILD_CHECK(17, mkdir("/tmp/d") == 0 && rename("/tmp/d", "/test") == -EROFS);
        CHILD_CHECK(18, unlink("/tmp/d") == 0 && unlink("/tmp/evil") == 0);
        // and reading a system program is still fine
        fd = open("/bin/echo", O_RDONLY);
        CHILD_CHECK(19, fd >= 0 && close(fd) == 0);
        _exit(0);
    }
    CHECK(pid > 0, "fork");
    int st = wait_child(pid);
    CHECK(st == 0, "the sandboxed child: check %d failed (0x%x)", st & 0xff, st);
    CHECK(checksum("/bin/echo") == echo_sum, "/bin/echo was changed");
    // The right to promote does not open the trees either, nor does Smode.
    CHECK(open("/bin/echo", O_WRONLY) == -EROFS, "the parent may write /bin/echo");
    CHECK(switch_supervisor(0) == 0 && read_cs() == 0x08, "promote self");
    CHECK(open("/bin/echo", O_WRONLY) == -EROFS, "an Smode process may write /bin/echo");
    CHECK(switch_user(0) == 0 && read_cs() == 0x1b, "demote self");
    printf("t_trust: /bin and /test are read-only (-EROFS)\n");

    // ---- a program written to /tmp cannot promote itself ----
    copy_file(SELF, COPY);
    pid = fork();
    if (pid == 0) {
        char *args[] = {"t_trust", "promote", 0};
        exec(COPY, args);
        _exit(98);
    }
    st = wait_child(pid);
    CHECK(st == 0, "the copy promoting itself: check %d (0x%x)", st & 0xff, st);

    // ---- nor can a manager with the right promote it by pid ----
    int to[2], from[2];
    CHECK(pipe(to) == 0 && pipe(from) == 0, "pipe");
    pid = fork();
    if (pid == 0) {
        char in[12], out[12];
        snprintf(in, sizeof in, "%d", to[0]);
        snprintf(out, sizeof out, "%d", from[1]);
        char *args[] = {"t_trust", "wait", in, out, 0};
        exec(COPY, args);
        _exit(98);
    }
    char c;
    CHECK(read(from[0], &c, 1) == 1, "the copy did not start");
    CHECK(!trusted(pid), "the copy in /tmp counts as trusted");
    int r = switch_supervisor(pid);
    CHECK(r == -EPERM, "switch_supervisor(the copy) = %d, not -EPERM", r);
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0 && pi.pending == MODE_NONE && pi.refused == -EPERM,
          "after the refusal: pending %d refused %d", pi.pending, pi.refused);
    CHECK(write(to[1], "g", 1) == 1, "write go");
    st = wait_child(pid);
    CHECK(st == 0, "the copy asked for by pid: check %d (0x%x)", st & 0xff, st);

    // ---- nor `smode PROG` ----
    pid = fork();
    if (pid == 0) {
        char *args[] = {"smode", COPY, "start", 0};
        exec("/bin/smode", args);
        _exit(98);
    }
    st = wait_child(pid);
    CHECK(st == 1, "smode %s: status 0x%x, not 1 (exec refused)", COPY, st);

    // ---- exec from Smode: an untrusted program is refused, a trusted one runs;
    // fork in Smode keeps the trusted image ----
    pid = fork();
    if (pid == 0) {
        CHILD_CHECK(60, switch_supervisor(0) == 0 && read_cs() == 0x08);
        char *args[] = {"t_trust", "start", 0};
        CHILD_CHECK(61, exec(COPY, args) == -EPERM);
        CHILD_CHECK(62, read_cs() == 0x08 && trusted(0));
        int g = fork();
        if (g == 0) {
            CHILD_CHECK(63, read_cs() == 0x08 && trusted(0));
            CHILD_CHECK(64, exec(COPY, args) == -EPERM);
            char *sargs[] = {"t_trust", "smode", 0};
            exec(SELF, sargs);
            _exit(65);
        }
        int gs;
        CHILD_CHECK(66, wait(&gs) == g && gs == 0);
        _exit(0);
    }
    st = wait_child(pid);
    CHECK(st == 0, "exec from Smode: check %d (0x%x)", st & 0xff, st);
    CHECK(unlink(COPY) == 0, "unlink %s", COPY);
    printf("t_trust: a program from /tmp cannot run in Smode\n");
    pass();
}
