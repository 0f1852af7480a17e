// t_exec_pending: exec cancels a pending mode request (docs/dmsm.md section
// 11). The request was made for the program the process ran then; applied at
// exec's own tail it would switch the new program instead, and an untrusted
// one would start in ring 0. A child loops with no system calls while the
// parent asks for its switch, then execs: the new program must start in the
// mode the child had, with nothing pending. Three cases: a promotion before
// exec of a trusted program, of an untrusted copy in /tmp, and a demotion of
// an Smode child before exec of a trusted program.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_exec_pending"
#include "testlib.h"

#define SELF "/test/t_exec_pending"
#define COPY "/tmp/t_exec_pending"

static volatile unsigned int sink;

// The role of the exec'd program: its mode before any system call, to fd out.
static int
report(int out)
{
    unsigned int r[2] = {read_cs(), (unsigned int)current_mode()};
    return write(out, r, sizeof r) == sizeof r ? 0 : 1;
}

// The child: become mode, wait for "go", say "ready", loop with no system
// calls (the parent's request stays pending), then exec prog.
static void __attribute__((noreturn))
child(int mode, int in, int out, const char *prog)
{
    char c, fd[12];
    if (mode == MODE_SMODE && switch_supervisor(0) != 0)
        _exit(2);
    snprintf(fd, sizeof fd, "%d", out);
    char *args[] = {"t_exec_pending", fd, 0};
    if (read(in, &c, 1) != 1 || write(out, "r", 1) != 1)
        _exit(1);
    unsigned int x = 1;
    for (unsigned int i = 0; i < 400u * 1000 * 1000; i++)
        x = x * 1103515245u + 12345u;
    sink = x;
    exec(prog, args);
    _exit(3);
}

// One case: a child in mode `from` is asked to switch to the other mode
// while it loops, then execs prog.
static void
one_case(int from, const char *prog)
{
    int to[2], back[2];
    CHECK(pipe(to) == 0 && pipe(back) == 0, "pipe");
    int pid = fork();
    if (pid == 0)
        child(from, to[0], back[1], prog);
    CHECK(pid > 0, "fork");
    char c;
    CHECK(write(to[1], "g", 1) == 1 && read(back[0], &c, 1) == 1 && c == 'r', "ready");
    int want = from == MODE_SMODE ? MODE_UMODE : MODE_SMODE;
    int r = want == MODE_SMODE ? switch_supervisor(pid) : switch_user(pid);
    CHECK(r == 0, "the request for the looping child: %d", r);
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0 && pi.pending == want && pi.mode == from,
          "the request is not pending: the loop ended too soon? (mode %d pending %d)",
          pi.mode, pi.pending);
    unsigned int rep[2];
    CHECK(read(back[0], rep, sizeof rep) == sizeof rep, "no report from %s", prog);
    int status = wait_child(pid);
    CHECK(status == 0, "child status 0x%x", status);
    unsigned int cs = from == MODE_SMODE ? 0x08 : 0x1b;
    CHECK(rep[0] == cs && rep[1] == (unsigned int)from,
          "%s started with cs %x mode %u: the request made before exec was applied to it",
          prog, rep[0], rep[1]);
    close(to[0]);
    close(to[1]);
    close(back[0]);
    close(back[1]);
    printf("t_exec_pending: %s: the request for the old program was cancelled\n", prog);
}

int
main(int argc, char **argv)
{
    if (argc > 1)
        return report(atoi(argv[1]));
    copy_file(SELF, COPY); // a copy anyone could have written

    one_case(MODE_UMODE, SELF);
    one_case(MODE_UMODE, COPY);
    one_case(MODE_SMODE, SELF);
    CHECK(unlink(COPY) == 0, "unlink");
    pass();
}
