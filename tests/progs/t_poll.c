// t_poll: poll() over pipes, and the per-process system-call counter that
// modemgr reads. poll: POLLIN once data or end of file is there, POLLOUT
// while there is room, POLLHUP/POLLERR for a closed other end, POLLNVAL for
// a closed fd, timeout 0 only looks, a waiting poll is woken by a write in
// another process, a mode request ends a wait with -EINTR (and is applied at
// its tail), bad arguments give errors. The counter: exactly one per call,
// in Umode (int 0x80) and in Smode (the function receiver's fast path).
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_poll"
#include "testlib.h"

static unsigned int
my_calls(void)
{
    struct procinfo pi;
    CHECK(modeinfo(0, &pi) == 0, "modeinfo");
    return pi.syscalls;
}

// k getpid calls between two counter reads: the difference is k + 1 (the
// second modeinfo counts itself before it reads the counter).
static void
check_counter(const char *mode)
{
    unsigned int before = my_calls();
    for (int i = 0; i < 100; i++)
        getpid();
    unsigned int after = my_calls();
    CHECK(after - before == 101, "%s: 100 getpid calls counted as %u", mode, after - before - 1);
}

int
main(void)
{
    // ---- the system-call counter ----
    check_counter("Umode");
    CHECK(switch_supervisor(0) == 0 && current_mode() == MODE_SMODE, "become Smode");
    check_counter("Smode");
    CHECK(switch_user(0) == 0 && current_mode() == MODE_UMODE, "back to Umode");
    struct procinfo rows[64];
    int n = procinfo(rows, 64);
    CHECK(n >= 1 && rows[0].syscalls > 200, "procinfo reports the counter: %u", rows[0].syscalls);

    // ---- readiness ----
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    struct pollfd f[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {-1, POLLIN, 7}};
    CHECK(poll(f, 3, 0) == 1, "empty pipe: only the write end is ready");
    CHECK(f[0].revents == 0 && f[1].revents == POLLOUT && f[2].revents == 0,
          "empty pipe: revents %x %x %x", f[0].revents, f[1].revents, f[2].revents);
    CHECK(write(p[1], "x", 1) == 1, "write");
    CHECK(poll(f, 2, 0) == 2 && f[0].revents == POLLIN, "data: POLLIN (%x)", f[0].revents);
    char big[600];
    memset(big, 'y', sizeof(big));
    CHECK(write(p[1], big, 511) == 511, "fill the pipe");
    CHECK(poll(f, 2, 0) == 1 && f[1].revents == 0, "full pipe: no POLLOUT (%x)", f[1].revents);
    char buf[600];
    CHECK(read(p[0], buf, sizeof(buf)) == 512, "drain");

    // ---- a wait woken by another process ----
    int pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        close(p[0]);
        msleep(30); // let the parent wait first
        write(p[1], "z", 1);
        _exit(0);
    }
    close(p[1]);
    f[0] = (struct pollfd){p[0], POLLIN, 0};
    int r = poll(f, 1, -1);
    CHECK(r == 1 && (f[0].revents & POLLIN), "woken by the child's write: %d %x", r, f[0].revents);
    CHECK(read(p[0], buf, 1) == 1 && buf[0] == 'z', "the child's byte");
    CHECK(wait_child(pid) == 0, "child status");
    r = poll(f, 1, -1);
    CHECK(r == 1 && f[0].revents == (POLLIN | POLLHUP), "writer gone: POLLIN|POLLHUP (%x)",
          f[0].revents);
    CHECK(read(p[0], buf, 1) == 0, "end of file");

    // ---- closed ends ----
    CHECK(pipe(p) == 0, "pipe 2");
    close(p[0]);
    f[0] = (struct pollfd){p[1], POLLOUT, 0};
    CHECK(poll(f, 1, 0) == 1 && f[0].revents == (POLLERR | POLLHUP), "reader gone: %x",
          f[0].revents);
    f[0] = (struct pollfd){p[0], POLLIN, 0};
    CHECK(poll(f, 1, 0) == 1 && f[0].revents == POLLNVAL, "closed fd: POLLNVAL (%x)", f[0].revents);
    close(p[1]);

    // ---- bad arguments ----
    CHECK(poll(f, -1, 0) == -EINVAL, "nfds -1");
    CHECK(poll(f, POLL_MAX + 1, 0) == -EINVAL, "nfds above POLL_MAX");
    CHECK(poll(f, 1, 5) == -EINVAL, "a timed wait is not supported");
    CHECK(poll((struct pollfd *)0xC0001000, 1, 0) == -EFAULT, "kernel address");
    CHECK(poll(0, 0, 0) == 0, "nothing to look at");

    // ---- a mode request ends a wait, and applies at its tail ----
    CHECK(pipe(p) == 0, "pipe 3");
    pid = fork();
    CHECK(pid >= 0, "fork 2");
    if (pid == 0) {
        close(p[1]);
        struct pollfd w = {p[0], POLLIN, 0};
        int pr = poll(&w, 1, -1); // nobody writes: only the request can end this
        _exit(pr == -EINTR && current_mode() == MODE_SMODE ? 0 : 3);
    }
    close(p[0]);
    struct procinfo pi;
    for (int i = 0; i < 1000 && (modeinfo(pid, &pi) != 0 || pi.state != PS_SLEEPING); i++)
        yield();
    CHECK(pi.state == PS_SLEEPING, "the child did not start waiting");
    CHECK(switch_supervisor(pid) == 0, "request Smode for the waiting child");
    CHECK(wait_child(pid) == 0, "the child's poll did not end with -EINTR in Smode");
    close(p[1]);
    pass();
}
