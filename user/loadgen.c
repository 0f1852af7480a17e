// loadgen: the file server's load generator. It forks /bin/fileserver with
// N connections, keeps one request outstanding on each (a closed loop, like
// N users of a web server), checks every reply, and reports requests per
// second and the latency percentiles in TSC ticks (docs/workloads.md).
//
// usage: loadgen [-n N] [-r REQS] [-s SIZE] [-S] [-q]   one run
//        loadgen -bench [-r REQS] [-rounds K]           make bench's matrix
//   -n N     connections (1..16, default 4)
//   -r REQS  measured requests (default 1000; N*4 more warm up first)
//   -s SIZE  GET /srv/f<SIZE>, a file of SIZE bytes (default 64)
//   -S       the server runs in Smode (it promotes itself); else Umode
//   -bench   every N in 1, 4, 16, SIZE in 64, 4096, Umode and Smode, each
//            K times (default 1), the modes alternating
// Prints one line per run:
//   SERVER mode=M n=N size=S reqs=R rps=X p50=T p99=T calls=C bad=B
// calls = the server's system calls per request. Exit status 1 if any
// reply was wrong.
#include "fsproto.h"
#include <tsc.h>

static struct conn conns[SRV_MAXCONN];
static unsigned long long tsc_hz; // TSC ticks per second, calibrated at start

// TSC ticks per second, measured against the timer over 200 ms: a
// frequency under TCG, virtual instructions per second under icount.
static unsigned long long
calibrate(void)
{
    unsigned int t = uptime();
    while (uptime() == t)
        ;
    unsigned long long c0 = rdtsc();
    unsigned int t0 = uptime();
    msleep(200);
    t = uptime();
    while (uptime() == t)
        ;
    unsigned long long c1 = rdtsc();
    unsigned int t1 = uptime();
    return (c1 - c0) * 1000 / (t1 - t0 ? t1 - t0 : 1);
}

// The server's system calls so far (0 if it cannot be read).
static unsigned int
server_calls(int pid)
{
    struct procinfo pi;
    return modeinfo(pid, &pi) == 0 ? pi.syscalls : 0;
}

// One run: n connections, warm-up then reqs measured requests for the
// file of size bytes, the server in Smode if smode. Returns the number of
// wrong replies, or -1 if the run could not be set up.
static int
run(int n, int reqs, int size, int smode, int quiet)
{
    static unsigned long long lat[20000];
    static const char *const opt_smode[] = {"-S", 0};
    if (reqs > (int)(sizeof(lat) / sizeof(lat[0])))
        reqs = (int)(sizeof(lat) / sizeof(lat[0]));
    int r = srv_make_file(size);
    if (r < 0 || (r = conn_open(conns, n)) < 0) {
        eprintf("loadgen: setting up: %s\n", strerror(-r));
        return -1;
    }
    int pid = srv_spawn(conns, n, smode ? opt_smode : 0);
    if (pid < 0) {
        eprintf("loadgen: fork: %s\n", strerror(-pid));
        return -1;
    }
    char line[48];
    snprintf(line, sizeof(line), "GET /srv/f%d\n", size);
    int warm = 4 * n, total = warm + reqs, sent = 0, done = 0, bad = 0;
    unsigned long long start[SRV_MAXCONN], t_begin = 0;
    unsigned int calls0 = 0;
    struct pollfd fds[SRV_MAXCONN];
    for (int i = 0; i < n; i++, sent++) {
        start[i] = rdtsc();
        if (conn_send(&conns[i], line) < 0)
            bad++;
    }
    while (done < total && !bad) {
        for (int i = 0; i < n; i++)
            fds[i] = (struct pollfd){.fd = conns[i].rep_r, .events = POLLIN};
        if ((r = poll(fds, n, -1)) == -EINTR) // a mode request for us: poll again
            continue;
        if (r < 0)
            break;
        for (int i = 0; i < n; i++) {
            if (!fds[i].revents)
                continue;
            r = conn_recv_some(&conns[i]);
            if (r == 0)
                continue;
            if (r < 0 || !srv_body_is_file(&conns[i], size)) {
                bad++;
                continue;
            }
            unsigned long long now = rdtsc();
            if (done >= warm)
                lat[done - warm] = now - start[i];
            if (++done == warm) { // the measured part starts now
                t_begin = now;
                calls0 = server_calls(pid);
            }
            if (sent < total) {
                start[i] = rdtsc();
                sent++;
                if (conn_send(&conns[i], line) < 0)
                    bad++;
            }
        }
    }
    unsigned long long t_end = rdtsc();
    unsigned int calls = server_calls(pid) - calls0;
    for (int i = 0; i < n; i++) { // end of file on every connection: the server exits
        close(conns[i].req_w);
        close(conns[i].rep_r);
    }
    int status = 0, w;
    while ((w = wait(&status)) != pid && w >= 0)
        ;
    if (status != 0)
        bad++;
    if (done < total)
        bad += total - done;
    int m = done - warm > 0 ? done - warm : 0;
    qsort(lat, m, sizeof(lat[0]), cmp_u64);
    unsigned long long el = t_end - t_begin ? t_end - t_begin : 1;
    if (!quiet || bad)
        printf("SERVER mode=%s n=%d size=%d reqs=%d rps=%llu p50=%llu p99=%llu calls=%u.%u bad=%d\n",
               smode ? "smode" : "umode", n, size, m, (unsigned long long)m * tsc_hz / el,
               m ? lat[m / 2] : 0, m ? lat[m * 99 / 100] : 0, m ? calls / m : 0,
               m ? calls * 10 / m % 10 : 0, bad);
    return bad;
}

int
main(int argc, char **argv)
{
    int n = 4, reqs = 1000, size = 64, smode = 0, bench = 0, quiet = 0, rounds = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n = atoi(argv[++i]);
        else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            reqs = atoi(argv[++i]);
        else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
            size = atoi(argv[++i]);
        else if (strcmp(argv[i], "-S") == 0)
            smode = 1;
        else if (strcmp(argv[i], "-q") == 0)
            quiet = 1;
        else if (strcmp(argv[i], "-rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "-bench") == 0)
            bench = 1;
        else
            n = -1;
    }
    if (n < 1 || n > SRV_MAXCONN || reqs < 1 || size < 0 || size > SRV_MAXBODY || rounds < 1) {
        eprintf("usage: loadgen [-n 1..%d] [-r REQS] [-s SIZE] [-S] [-q] | "
                "loadgen -bench [-r REQS] [-rounds K]\n", SRV_MAXCONN);
        return 2;
    }
    tsc_hz = calibrate();
    printf("SERVER tsc_hz=%llu\n", tsc_hz);
    int bad = 0;
    if (!bench)
        return run(n, reqs, size, smode, quiet) != 0;
    static const int sizes[] = {64, 4096}, ns[] = {1, 4, 16};
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < 2 * rounds; i++)
                bad += run(ns[k], reqs, sizes[s], i % 2, 0) != 0;
    printf("SERVER done bad=%d\n", bad);
    return bad != 0;
}
