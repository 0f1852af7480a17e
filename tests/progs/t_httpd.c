// t_httpd: the guest's half of the web server's tests. A host program (a
// case's `client`, tests/net/) does the requests; this one boots as init,
// starts /bin/httpd and waits for a line on the console, which the harness
// types once the client is done (tests/run.py). Then it checks that httpd
// is still there (it did not crash under the client), reports its mode,
// its mode switches and the network's counters, and stops it with kill.
//
// usage: t_httpd [-smode] [-flip MS] [HTTPD-ARGS ...]
//   -smode    httpd runs as an Smode process (switched before its exec)
//   -flip MS  a second child switches httpd to the other mode every MS
//             milliseconds while the client runs (the paper's switch, live
//             under load); httpd must have been switched at least once
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_httpd"
#include "testlib.h"

#define MAXARGS 8

// The child that becomes httpd, in Smode if smode. Returns its pid.
static int
start_httpd(int smode, char **args)
{
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        if (smode)
            CHECK(switch_supervisor(0) == 0, "httpd's switch to Smode");
        int r = exec("/bin/httpd", args);
        FAIL("exec /bin/httpd: %d", r);
    }
    return pid;
}

// The child that switches pid to the other mode every ms milliseconds
// until it is killed. Returns its pid.
static int
start_flipper(int pid, int ms)
{
    int f = fork();
    CHECK(f >= 0, "fork: %d", f);
    if (f != 0)
        return f;
    for (;;) {
        msleep((unsigned int)ms);
        struct procinfo pi;
        if (modeinfo(pid, &pi) < 0)
            _exit(1);
        if (pi.pending != MODE_NONE)
            continue; // the last request is not applied yet
        int r = pi.mode == MODE_SMODE ? switch_user(pid) : switch_supervisor(pid);
        if (r < 0 && r != -EALREADY)
            _exit(2);
    }
}

// Stop a child with kill and reap it; its status must say "killed by kill".
static void
stop(int pid, const char *what)
{
    CHECK(kill(pid) == 0, "kill %s", what);
    int st = wait_child(pid);
    CHECK(st == (WAIT_KILLED_BIT | KILLED_BY_KILL), "%s ended with status 0x%x before the kill",
          what, st);
}

static void
print_netstat(void)
{
    struct netstat n;
    CHECK(netstat(&n) == 0, "netstat");
    printf("t_httpd: net: %u connections, %u resets sent, %u retransmits, %u dup acks, "
           "%u out of order, drops %u no buffer %u bad, %u of %u buffers free\n",
           n.tcp_conns, n.tcp_rst_sent, n.tcp_retransmits, n.tcp_dupacks, n.tcp_ooo,
           n.drops_nobuf, n.drops_bad, n.pool_free, n.pool_bufs);
}

int
main(int argc, char **argv)
{
    int smode = 0, flip = 0, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-smode") == 0)
            smode = 1;
        else if (strcmp(argv[i], "-flip") == 0 && i + 1 < argc)
            flip = atoi(argv[++i]);
        else
            FAIL("usage: t_httpd [-smode] [-flip MS] [HTTPD-ARGS ...]");
    }
    char *args[MAXARGS + 2] = {"httpd"};
    for (int k = 1; i < argc && k <= MAXARGS; i++, k++)
        args[k] = argv[i];
    printf("t_httpd: httpd starts in %s%s\n", smode ? "Smode" : "Umode",
           flip ? ", switched to the other mode periodically" : "");
    int httpd = start_httpd(smode, args);
    int flipper = flip ? start_flipper(httpd, flip) : 0;

    char line[64];
    CHECK(fgets_fd(line, sizeof(line), STDIN_FILENO) > 0, "no line on the console");
    if (flipper)
        stop(flipper, "the switcher");
    struct procinfo pi;
    CHECK(modeinfo(httpd, &pi) == 0, "modeinfo of httpd");
    if (pi.state == PS_ZOMBIE) {
        int st = wait_child(httpd);
        FAIL("httpd ended while the client ran: status 0x%x", st);
    }
    printf("t_httpd: httpd still serving, in %s: %u mode switches, %u system calls\n",
           pi.mode == MODE_SMODE ? "Smode" : "Umode", pi.switches, pi.syscalls);
    if (flip)
        CHECK(pi.switches > 0, "httpd was never switched");
    else
        CHECK(pi.mode == (smode ? MODE_SMODE : MODE_UMODE), "httpd's mode %d", pi.mode);
    print_netstat();
    stop(httpd, "httpd");
    pass();
}
