// bench: what a system call costs on each path, timed with RDTSC.
// Reproduces the paper's figures (7: getpid/read/write/sbrk; 8: switch
// costs; 9: ls -l over 5 and 408 files, with the system calls each run
// made) and adds the sysenter path, the floor (a plain call of the kernel
// routine from ring 0, no receiver), two scale figures (the switch against
// the process's size, getpid against the number of processes), and libsys's
// malloc under a load that once made it quadratic, and a byte's round trip
// through two pipes between two processes (both Umode, both Smode).
//
// usage: bench [-q] [-check] [-fig7]
//   -q      a quick run (fewer rounds), for the test suite
//   -fig7   Fig. 7 only, in both modes, its paths labelled "...-dynamic" or
//           "...-static" by how this bench was linked: bench runs itself and
//           /bin/bench-static (the same source, linked statically) so, as
//           children, to compare the two ways of linking
//   -check  also check that the figures are right: the bands, orderings and
//           relations a correct measurement satisfies (check_figures), one
//           "check: ... ok" (or NO) line each, and exit 1 if one fails. Only
//           for -icount runs, where RDTSC counts instructions exactly: under
//           TCG the bands (in instructions) mean nothing.
// Each figure is cycles per call: the median and the minimum over ROUNDS
// batches of BATCH calls (after a warm-up), loop overhead included. Lines
// starting "BENCH" are for tools/bench.py, which writes docs/bench.md.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <unistd.h>
#include <tsc.h>

typedef unsigned long long u64;

#define MALLOC_BLOCKS 20000 // bench_malloc's blocks (-q: fewer)

static int rounds = 31, batch = 2000, ls_reps = 5, malloc_blocks = MALLOC_BLOCKS;
static int fd_file;              // an in-memory file for read/write
// read and write's buffer: aligned, so that the kernel's copy costs the same
// wherever the linker puts it (static and dynamic builds differ)
static char buf[64] __attribute__((aligned(64)));

struct result {
    u64 median10, min10; // tenths of a cycle per call
};

// What -check compares (check_figures): Fig. 7's getpid, Fig. 8's switches
// (self, and the 64 KiB child's of fig8_scale; [0] switch_supervisor, [1]
// switch_user), Fig. 9's runs and their system calls ([dir][output][smode]),
// and the pipe round trip ([0] Umode, [1] Smode).
static struct result getpid_conv, getpid_int, getpid_func, getpid_floor;
static struct result switch_self[2], switch_64k[2];
static struct result ls_run[2][2][2];
static unsigned int ls_calls[2][2][2];
static struct result rtt[2];

// Defined by the linker in a dynamically linked program only (weak: 0 in a
// static one): how this bench was linked.
extern char _DYNAMIC[] __attribute__((weak));
static const char *link_suffix; // "-static" in a static bench's Fig. 7 lines

// Time each of the n ops BATCH times per round, the ops taking turns round
// by round so that a slow stretch of the host hits them all alike; setup
// (untimed) runs before each batch. res[i] gets op i's median and minimum.
static void
measure_set(void (*const *ops)(void), int n, void (*setup)(void), struct result *res)
{
    static u64 per[8][64];
    for (int k = 0; k < n; k++) { // warm-up
        if (setup)
            setup();
        for (int i = 0; i < batch; i++)
            ops[k]();
    }
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < n; k++) {
            if (setup)
                setup();
            // BEGIN LAB 7: timing one batch
            // STUB: per[k][r] = 0; // time BATCH calls of ops[k] with rdtsc()
            u64 t0 = rdtsc();
            for (int i = 0; i < batch; i++)
                ops[k]();
            u64 t1 = rdtsc();
            per[k][r] = (t1 - t0) * 10 / batch;
            // END LAB 7
        }
    for (int k = 0; k < n; k++) {
        qsort(per[k], rounds, sizeof(per[k][0]), cmp_u64);
        res[k] = (struct result){per[k][rounds / 2], per[k][0]};
    }
}

static void
report(const char *call, const char *path, struct result r)
{
    printf("BENCH %s %s%s median=%llu.%llu min=%llu.%llu\n", call, path,
           link_suffix ? link_suffix : "", r.median10 / 10, r.median10 % 10, r.min10 / 10,
           r.min10 % 10);
}

// ---- the operations ----
static void op_conv_getpid(void) { conv_getpid(); }
static void op_getpid(void) { getpid(); }
static void op_sysenter_getpid(void) { sysenter_getpid(); }
static void
op_floor_getpid(void)
{
    ((int (*)(void))((struct modepage *)MODEPAGE)->floor)();
}
static void op_conv_read(void) { conv_read(fd_file, buf, sizeof buf); }
static void op_read(void) { read(fd_file, buf, sizeof buf); }
static void op_conv_write(void) { conv_write(fd_file, buf, sizeof buf); }
static void op_write(void) { write(fd_file, buf, sizeof buf); }
static void op_conv_sbrk(void) { conv_sbrk(0); }
static void op_sbrk(void) { sbrk(0); }
static void op_sysenter_sbrk(void) { sysenter_sbrk(0); }
static void rewind_file(void) { lseek(fd_file, 0, SEEK_SET); }

// Fig. 7 (and beyond): every call through every path the current mode
// allows, each call's paths measured together (measure_set).
static void
fig7(int smode)
{
    struct result r[4];
    if (!smode) {
        measure_set((void (*const[])(void)){op_conv_getpid, op_getpid, op_sysenter_getpid}, 3, 0, r);
        report("getpid", "conventional", getpid_conv = r[0]);
        report("getpid", "dmsm-int", getpid_int = r[1]);
        report("getpid", "sysenter", r[2]);
        measure_set((void (*const[])(void)){op_conv_read, op_read}, 2, rewind_file, r);
        report("read", "conventional", r[0]);
        report("read", "dmsm-int", r[1]);
        measure_set((void (*const[])(void)){op_conv_write, op_write}, 2, rewind_file, r);
        report("write", "conventional", r[0]);
        report("write", "dmsm-int", r[1]);
        measure_set((void (*const[])(void)){op_conv_sbrk, op_sbrk, op_sysenter_sbrk}, 3, 0, r);
        report("sbrk", "conventional", r[0]);
        report("sbrk", "dmsm-int", r[1]);
        report("sbrk", "sysenter", r[2]);
    } else {
        measure_set((void (*const[])(void)){op_getpid, op_floor_getpid}, 2, 0, r);
        report("getpid", "dmsm-func", getpid_func = r[0]);
        report("getpid", "floor", getpid_floor = r[1]);
        measure_set((void (*const[])(void)){op_read}, 1, rewind_file, r);
        report("read", "dmsm-func", r[0]);
        measure_set((void (*const[])(void)){op_write}, 1, rewind_file, r);
        report("write", "dmsm-func", r[0]);
        measure_set((void (*const[])(void)){op_sbrk}, 1, 0, r);
        report("sbrk", "dmsm-func", r[0]);
    }
}

// Fig. 8: the cost of switching oneself, each way (called from Smode).
static void
fig8(void)
{
    u64 up[64], down[64];
    for (int r = 0; r < rounds; r++) {
        // BEGIN LAB 7: timing the two switches
        // STUB: up[r] = down[r] = 0; // time switch_user(0), then switch_supervisor(0)
        u64 t0 = rdtsc();
        switch_user(0);       // entered by call, leaves to ring 3
        u64 t1 = rdtsc();
        switch_supervisor(0); // entered by int 0x80, leaves to ring 0
        u64 t2 = rdtsc();
        down[r] = (t1 - t0) * 10;
        up[r] = (t2 - t1) * 10;
        // END LAB 7
    }
    qsort(up, rounds, sizeof(up[0]), cmp_u64);
    qsort(down, rounds, sizeof(down[0]), cmp_u64);
    switch_self[0] = (struct result){up[rounds / 2], up[0]};
    switch_self[1] = (struct result){down[rounds / 2], down[0]};
    report("switch_supervisor", "self", switch_self[0]);
    report("switch_user", "self", switch_self[1]);
}

// A child that sends its figures to the parent: pipe() into fds, then
// fork(). Returns fork()'s result, or -2 (with a line) if pipe() failed.
static int
fork_piped(int fds[2])
{
    if (pipe(fds) < 0) {
        printf("bench: pipe failed\n");
        return -2;
    }
    return fork();
}

// The parent's side of fork_piped(): reads n bytes of the child's figures
// into a, then n more into b (unless b is NULL), closes the pipe and reaps
// the child (pid; a failed fork leaves none). 1 if everything arrived and
// the child exited 0, else 0; *status gets the child's status.
static int
from_child(int pid, int fds[2], void *a, void *b, int n, int *status)
{
    close(fds[1]);
    int got = pid > 0 && read(fds[0], a, n) == n && (!b || read(fds[0], b, n) == n);
    close(fds[0]);
    *status = 0;
    if (pid > 0)
        wait(status);
    return got && *status == 0;
}

// Scale: the cost of a switch against the process's size (every page of
// the heap touched, so resident): a child grows to size_kib, becomes Smode
// once (the first switch), then switches both ways like fig8 and sends its
// timings to the parent through a pipe. The sizes take turns over three
// passes, a third of the rounds each, so that a slow stretch of the host
// does not land on one size alone. Called from Umode.
static void
fig8_scale(void)
{
    static const int sizes_kib[] = {64, 1024, 4096, 16384};
    enum { NSIZES = 4, PASSES = 3 };
    static u64 up[NSIZES][96], down[NSIZES][96];
    int per_pass = (rounds + PASSES - 1) / PASSES, n = 0;
    for (int pass = 0; pass < PASSES; pass++, n += per_pass)
        for (int s = 0; s < NSIZES; s++) {
            int fds[2], pid = fork_piped(fds);
            if (pid == -2)
                return;
            if (pid == 0) {
                close(fds[0]);
                char *m = sbrk(sizes_kib[s] * 1024);
                if (sbrk_failed(m))
                    exit(92);
                for (int off = 0; off < sizes_kib[s] * 1024; off += 4096)
                    m[off] = 1;
                if (switch_supervisor(0) != 0)
                    exit(93);
                u64 t[2][32];
                for (int r = 0; r < per_pass; r++) {
                    u64 t0 = rdtsc();
                    switch_user(0);
                    u64 t1 = rdtsc();
                    switch_supervisor(0);
                    u64 t2 = rdtsc();
                    t[0][r] = (t2 - t1) * 10;
                    t[1][r] = (t1 - t0) * 10;
                }
                int n = per_pass * (int)sizeof(u64);
                exit(write(fds[1], t[0], n) == n && write(fds[1], t[1], n) == n ? 0 : 94);
            }
            int status;
            if (!from_child(pid, fds, &up[s][n], &down[s][n], per_pass * (int)sizeof(u64),
                            &status)) {
                printf("bench: the %d KiB child failed (fork %d, status %d)\n", sizes_kib[s], pid,
                       status);
                return;
            }
        }
    for (int s = 0; s < NSIZES; s++) {
        qsort(up[s], n, sizeof(up[s][0]), cmp_u64);
        qsort(down[s], n, sizeof(down[s][0]), cmp_u64);
        char call[40];
        snprintf(call, sizeof call, "size-%d", sizes_kib[s]);
        struct result sup = {up[s][n / 2], up[s][0]}, user = {down[s][n / 2], down[s][0]};
        report("switch_supervisor", call, sup);
        report("switch_user", call, user);
        if (s == 0)
            switch_64k[0] = sup, switch_64k[1] = user;
    }
}

// Scale: the conventional getpid with 1, 8 and 32 processes in the system
// (the others asleep in a pipe read). A count that cannot be reached is
// not measured (a BENCH-SKIP line). Called from Umode.
static void
getpid_scale(void)
{
    static const int counts[] = {1, 8, 32};
    for (int c = 0; c < 3; c++) {
        int fds[2];
        if (pipe(fds) != 0) {
            printf("bench: pipe failed\n");
            return;
        }
        int procs = 1, pid = 1; // processes in the set; the last fork's result
        while (procs < counts[c] && (pid = fork()) > 0)
            procs++;
        if (pid == 0) {
            char ch;
            close(fds[1]);
            read(fds[0], &ch, 1);
            exit(0);
        }
        close(fds[0]);
        if (pid > 0) {
            struct result r;
            measure_set((void (*const[])(void)){op_conv_getpid}, 1, 0, &r);
            char path[32];
            snprintf(path, sizeof path, "procs-%d", counts[c]);
            report("getpid", path, r);
        } else {
            printf("BENCH-SKIP getpid/procs-%d: fork failed (%d) with %d processes\n", counts[c],
                   pid, procs);
        }
        close(fds[1]); // every sleeper's read returns 0
        for (int i = 1; i < procs; i++)
            wait(0);
        if (pid < 0)
            return;
    }
}

// The pipe round trip (the design exercise): this process and a partner it
// forks pass one byte back and forth through two pipes, `trips` round trips
// per round, `rounds` rounds, both processes Umode or both Smode, the two
// modes taking turns round by round. res[0] gets the Umode figures, res[1]
// the Smode ones: tenths of a cycle per round trip, median and minimum over
// the rounds. Only the round trips are timed (no fork, switch, or setup).
// Called from Umode; returns in Umode, the partner reaped and every pipe
// end closed: 1, or 0 (with a "bench:" line saying why) if anything failed.
// BEGIN LAB 7: the pipe round trip
// STUB: static int
// STUB: pipe_rtt(int trips, struct result res[2])
// STUB: {
// STUB:     (void)trips, (void)res;
// STUB:     printf("bench: lab 7: pipe_rtt (the pipe round trip) is not written yet\n");
// STUB:     return 0;
// STUB: }
// The partner: sends back every byte that arrives on fd in through fd out,
// after putting itself in the mode a command byte names ('S' Smode, 'U'
// Umode). Exits 0 at the end of file, nonzero if a switch or a write fails.
static void
rtt_partner(int in, int out)
{
    char c;
    while (read(in, &c, 1) == 1) {
        if (c == 'S' && current_mode() != MODE_SMODE && switch_supervisor(0) != 0)
            exit(95);
        if (c == 'U' && current_mode() != MODE_UMODE && switch_user(0) != 0)
            exit(96);
        if (write(out, &c, 1) != 1)
            exit(97);
    }
    exit(0);
}

// One round trip: byte c out through fd ping, back through fd pong. 1 if it came back.
static int
round_trip(int ping, int pong, char c)
{
    char back;
    return write(ping, &c, 1) == 1 && read(pong, &back, 1) == 1 && back == c;
}

// Puts this process, then the partner, in mode: the partner switches when
// the command byte arrives, before it echoes it, so that both run in mode
// once the echo is back. 1 on success.
static int
both_in_mode(int mode, int ping, int pong)
{
    int r = mode == MODE_SMODE ? switch_supervisor(0) : switch_user(0);
    return (r == 0 || r == -EALREADY) && round_trip(ping, pong, mode == MODE_SMODE ? 'S' : 'U');
}

static int
pipe_rtt(int trips, struct result res[2])
{
    static u64 per[2][64];
    int ping[2], pong[2];
    if (pipe(ping) != 0) {
        printf("bench: pipe failed\n");
        return 0;
    }
    if (pipe(pong) != 0) {
        printf("bench: pipe failed\n");
        close(ping[0]);
        close(ping[1]);
        return 0;
    }
    int pid = fork();
    if (pid == 0) {
        close(ping[1]);
        close(pong[0]);
        rtt_partner(ping[0], pong[1]);
    }
    close(ping[0]);
    close(pong[1]);
    int ok = pid > 0;
    for (int r = 0; ok && r < rounds; r++)
        for (int smode = 0; ok && smode < 2; smode++) {
            ok = both_in_mode(smode ? MODE_SMODE : MODE_UMODE, ping[1], pong[0]);
            u64 t0 = rdtsc();
            for (int i = 0; ok && i < trips; i++)
                ok = round_trip(ping[1], pong[0], 'x');
            u64 t1 = rdtsc();
            per[smode][r] = (t1 - t0) * 10 / trips;
        }
    if (current_mode() != MODE_UMODE && switch_user(0) != 0)
        ok = 0;
    close(ping[1]); // the partner reads the end of file and exits
    int status = -1;
    if (pid > 0)
        wait(&status);
    close(pong[0]);
    if (!ok || status != 0) {
        printf("bench: the pipe round trip failed (fork %d, status %d)\n", pid, status);
        return 0;
    }
    for (int smode = 0; smode < 2; smode++) {
        qsort(per[smode], rounds, sizeof(per[smode][0]), cmp_u64);
        res[smode] = (struct result){per[smode][rounds / 2], per[smode][0]};
    }
    return 1;
}
// END LAB 7

// Fig. 9: `ls -l DIR` as a whole program (fork, exec, a stat per entry,
// output), run as a Umode or an Smode process, output to the console or
// to a file. The two modes take turns run by run, so that a slow stretch of
// the host hits both alike; the short directory gets more runs (each is
// short, and its gain is a fraction of a percent). Called from Umode.
static void
fig9(void)
{
    static const char *dirs[] = {"/lsdata/5", "/lsdata/408"};
    for (int d = 0; d < 2; d++)
        for (int out = 0; out < 2; out++) {
            u64 t[2][16];
            unsigned int calls[2] = {0, 0};
            int reps = d == 0 ? ls_reps * 3 : ls_reps; // at most 16
            for (int r = 0; r < reps; r++)
                for (int smode = 0; smode < 2; smode++) {
                    struct vmstat v0, v1;
                    vmstat(&v0);
                    u64 t0 = rdtsc();
                    int pid = fork();
                    if (pid == 0) {
                        if (smode && switch_supervisor(0) != 0)
                            exit(90);
                        if (out) {
                            int fd = open("/ls.out", O_WRONLY | O_CREAT | O_TRUNC);
                            dup2(fd, 1);
                            close(fd);
                        }
                        char *argv[] = {"ls", "-l", (char *)dirs[d], 0};
                        exec("/bin/ls", argv);
                        exit(91);
                    }
                    int status;
                    wait(&status);
                    // BEGIN LAB 7: timing a whole program, fork to wait
                    // STUB: t[smode][r] = 0 * t0; // the cycles from before fork() to after wait()
                    t[smode][r] = (rdtsc() - t0) * 10;
                    // END LAB 7
                    vmstat(&v1);
                    calls[smode] = v1.syscalls - v0.syscalls; // fork/wait/vmstat included
                    if (status != 0)
                        printf("bench: ls exited with status %d\n", status);
                }
            char call[32];
            snprintf(call, sizeof call, "ls%s-%s", dirs[d] + 7, out ? "file" : "console");
            fflush_stdout();
            for (int smode = 0; smode < 2; smode++) {
                qsort(t[smode], reps, sizeof(t[smode][0]), cmp_u64);
                ls_run[d][out][smode] = (struct result){t[smode][reps / 2], t[smode][0]};
                ls_calls[d][out][smode] = calls[smode];
                report(call, smode ? "smode" : "umode", ls_run[d][out][smode]);
                printf("BENCH %s %s-calls median=%u.0 min=%u.0\n", call, smode ? "smode" : "umode",
                       calls[smode], calls[smode]);
            }
        }
}

// malloc: malloc_blocks blocks of malloc(10001), then free them all in the
// same order; the whole run is timed. Each run is a fresh child (its own
// empty heap), which sends its count through a pipe: a second run in the
// same process would start from an already grown heap. Called from Umode.
static void
bench_malloc(void)
{
    static void *blk[MALLOC_BLOCKS];
    u64 t[16];
    for (int r = 0; r < ls_reps; r++) {
        int fds[2], pid = fork_piped(fds);
        if (pid == -2)
            return;
        if (pid == 0) {
            u64 t0 = rdtsc();
            for (int i = 0; i < malloc_blocks; i++)
                if ((blk[i] = malloc(10001)) == NULL)
                    exit(92);
            for (int i = 0; i < malloc_blocks; i++)
                free(blk[i]);
            u64 d = (rdtsc() - t0) * 10;
            write(fds[1], &d, sizeof d);
            exit(0);
        }
        int status;
        if (!from_child(pid, fds, &t[r], NULL, sizeof t[r], &status)) { // e.g. 92: the commit refused ~200 MB (no swap, small MEM)
            printf("BENCH-SKIP malloc/%dx10001: a run failed (fork %d, status 0x%x)\n",
                   malloc_blocks, pid, status);
            return;
        }
    }
    qsort(t, ls_reps, sizeof(t[0]), cmp_u64);
    char call[32];
    snprintf(call, sizeof call, "malloc/%dx10001", malloc_blocks);
    report(call, "umode", (struct result){t[ls_reps / 2], t[0]});
}

// ---- -check: what a correct measurement satisfies under -icount ----
// RDTSC counts instructions there, exactly and alike on every machine, so
// these are bands (with margins of 2.5x or more around today's kernel) and
// relations between figures, never exact counts.

// One check's line, "check: TEXT: ok" (or NO), from a printf format; returns ok.
static int PRINTF_LIKE(2, 3)
verdict(int ok, const char *fmt, ...)
{
    char text[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    printf("check: %s: %s\n", text, ok ? "ok" : "NO");
    return ok;
}

// A figure in tenths as text ("107.0", "-3.5"); the last 8 stay valid.
static const char *
tenths(long long v10)
{
    static char ring[8][24];
    static int next;
    char *s = ring[next++ % 8];
    long long a = v10 < 0 ? -v10 : v10;
    snprintf(s, sizeof ring[0], "%s%lld.%lld", v10 < 0 ? "-" : "", a / 10, a % 10);
    return s;
}

// Does a per-call figure (tenths) measured over half the batch agree with
// the full batch's? The loop overhead outside the loop is a few
// instructions, so a right figure moves by under 0.3 instructions or 0.1 %;
// an extra call, or work timed once per batch, moves it by much more.
static int
batch_independent(u64 full10, u64 half10)
{
    long long d = (long long)half10 - (long long)full10, slack = full10 / 1000;
    if (d < 0)
        d = -d;
    return full10 > 0 && d <= (slack > 3 ? slack : 3);
}

// Fig. 7 (measure_set): a sane band, the same figure at half the batch,
// and the orderings of the paths. Called from Umode.
static int
check_fig7(void)
{
    int ok = verdict(getpid_conv.min10 >= 400 && getpid_conv.min10 <= 4000,
                     "Fig. 7 getpid conventional (%s) within 40-400 instructions per call",
                     tenths(getpid_conv.min10));
    int full = batch;
    struct result half;
    batch = full / 2;
    measure_set((void (*const[])(void)){op_conv_getpid}, 1, 0, &half);
    batch = full;
    ok &= verdict(batch_independent(getpid_conv.min10, half.min10),
                  "Fig. 7 getpid conventional over half the batch (%s) agrees with the full batch's",
                  tenths(half.min10));
    ok &= verdict(getpid_func.min10 < getpid_int.min10,
                  "function-type getpid (%s) below interrupt-type (%s)",
                  tenths(getpid_func.min10), tenths(getpid_int.min10));
    u64 lo = getpid_conv.min10 * 95 / 100, hi = getpid_conv.min10 * 105 / 100;
    ok &= verdict(getpid_int.min10 >= lo && getpid_int.min10 <= hi && getpid_int.min10 > 0,
                  "DMSM interrupt-type getpid within 5%% of conventional (%s)",
                  tenths(getpid_conv.min10));
    ok &= verdict(getpid_floor.min10 > 0 && getpid_floor.min10 < getpid_func.min10,
                  "the floor (%s) below function-type getpid: the receiver costs something",
                  tenths(getpid_floor.min10));
    return ok;
}

// Fig. 8 (fig8): a switch is a system call and more, so it costs more than
// a getpid entering the same way; and the self figures agree within 10 %
// with the same switches timed by fig8_scale's 64 KiB child.
static int
check_fig8(void)
{
    int ok = verdict(switch_self[0].min10 > getpid_int.min10 && switch_self[1].min10 > getpid_func.min10,
                     "Fig. 8 switch_supervisor (%s) above interrupt-type getpid, switch_user (%s) "
                     "above function-type getpid", tenths(switch_self[0].min10),
                     tenths(switch_self[1].min10));
    int agree = switch_64k[0].min10 > 0 && switch_64k[1].min10 > 0;
    for (int w = 0; w < 2; w++) {
        long long d = (long long)switch_self[w].min10 - (long long)switch_64k[w].min10;
        agree &= (d < 0 ? -d : d) * 10 <= (long long)switch_64k[w].min10;
    }
    ok &= verdict(agree, "Fig. 8 self switches within 10%% of the 64 KiB child's (%s, %s)",
                  tenths(switch_64k[0].min10), tenths(switch_64k[1].min10));
    return ok;
}

// Fig. 9 (fig9), for each output: every run costs more than its system
// calls at a getpid each (on its path); over 408 files the Smode saving is
// about the number of calls times the getpid saving (dmsm-int minus
// dmsm-func): within 0.5-2x, since some calls save more (exec, page faults)
// and some less (fork); and the 5-file run costs more than its 5 files'
// share of the 408-file run (the rest is fork, exec and ls's own start).
static int
check_fig9(void)
{
    static const char *outs[] = {"console", "file"};
    long long getpid_saving = (long long)getpid_int.min10 - (long long)getpid_func.min10;
    int above = 1, ok = 1;
    for (int d = 0; d < 2; d++)
        for (int out = 0; out < 2; out++)
            for (int smode = 0; smode < 2; smode++)
                above &= ls_run[d][out][smode].min10 >
                         ls_calls[d][out][smode] * (smode ? getpid_func : getpid_int).min10;
    ok &= verdict(above, "Fig. 9 every ls run costs more than its system calls at a getpid each");
    for (int out = 0; out < 2; out++) {
        struct result *u408 = &ls_run[1][out][0], *s408 = &ls_run[1][out][1], *u5 = &ls_run[0][out][0];
        long long saving = (long long)u408->min10 - (long long)s408->min10;
        long long predicted = ls_calls[1][out][0] * getpid_saving;
        ok &= verdict(predicted > 0 && 2 * saving >= predicted && saving <= 2 * predicted,
                      "Fig. 9 ls/408-%s Smode saving (%s) within 0.5-2x of %u calls x getpid saving (%s)",
                      outs[out], tenths(saving), ls_calls[1][out][0], tenths(predicted));
        long long share = ((long long)u408->min10 - (long long)u5->min10) * 5 / 403;
        ok &= verdict(share > 0 && (long long)u5->min10 > share,
                      "Fig. 9 ls/5-%s umode (%s) above its 5 files' share of ls/408 (%s)", outs[out],
                      tenths(u5->min10), tenths(share));
    }
    return ok;
}

// The pipe round trip (pipe_rtt): a round trip is four system calls (a
// write and a read in each process), each at least a getpid on its path;
// half the trips give the same figures; and the Smode saving per round trip
// is four getpid savings within 10 %: the two context switches and the pipe
// work cost the same in both modes, only the four entries and exits differ.
static int
check_pipe(void)
{
    int ok = verdict(rtt[0].min10 > 4 * getpid_int.min10 && rtt[1].min10 > 4 * getpid_func.min10,
                     "pipe round trip umode (%s) above 4 interrupt-type getpids, smode (%s) above "
                     "4 function-type ones", tenths(rtt[0].min10), tenths(rtt[1].min10));
    struct result half[2] = {{0, 0}, {0, 0}};
    int got = pipe_rtt(batch / 2, half);
    ok &= verdict(got && batch_independent(rtt[0].min10, half[0].min10) &&
                      batch_independent(rtt[1].min10, half[1].min10),
                  "pipe round trip over half the trips (%s, %s) agrees with the full count's",
                  tenths(half[0].min10), tenths(half[1].min10));
    long long saving = (long long)rtt[0].min10 - (long long)rtt[1].min10;
    long long predicted = 4 * ((long long)getpid_int.min10 - (long long)getpid_func.min10);
    long long d = saving - predicted;
    ok &= verdict(predicted > 0 && (d < 0 ? -d : d) * 10 <= predicted,
                  "pipe round trip Smode saving (%s) within 10%% of 4 calls x getpid saving (%s)",
                  tenths(saving), tenths(predicted));
    return ok;
}

// ---- the two ways of linking (the paper's Fig. 7, static against dynamic) ----

// Fig. 7 again in a child running prog -fig7: /bin/bench-static (this
// source linked statically) or /bin/bench itself, so that the two ways of
// linking are measured alike, each in a new process; its lines carry
// "-static" or "-dynamic" after the path. Returns its status.
static int
fig7_child(const char *prog)
{
    int pid = fork();
    if (pid == 0) {
        char *argv[] = {(char *)prog, "-fig7", rounds == 5 ? "-q" : 0, 0};
        exec(argv[0], argv);
        _exit(99);
    }
    int status;
    return pid > 0 && wait(&status) == pid ? status : -1;
}

// fork + exec + exit + wait of a program that does nothing, dynamically
// linked (/bin/true) and statically (/bin/true-static), taking turns round
// by round: cycles per whole run.
static void
spawn_cost(void)
{
    static const char *const progs[2] = {"/bin/true", "/bin/true-static"};
    static u64 per[2][64];
    int n = rounds < 64 ? rounds : 64;
    for (int r = 0; r < n; r++)
        for (int k = 0; k < 2; k++) {
            u64 t0 = rdtsc();
            int pid = fork();
            if (pid == 0) {
                char *argv[] = {(char *)progs[k], 0};
                exec(progs[k], argv);
                _exit(99);
            }
            int status;
            if (pid < 0 || wait(&status) != pid || status != 0) {
                printf("BENCH-SKIP spawn: %s did not run\n", progs[k]);
                return;
            }
            per[k][r] = (rdtsc() - t0) * 10;
        }
    struct result res[2];
    for (int k = 0; k < 2; k++) {
        qsort(per[k], n, sizeof(per[k][0]), cmp_u64);
        res[k] = (struct result){per[k][n / 2], per[k][0]};
    }
    report("spawn", "dynamic", res[0]);
    report("spawn", "static", res[1]);
}

// Frames in use while 10 copies of one program run (they sleep), for /bin/
// sleep (dynamically linked: libsys's text once for all, in the shared
// frames) and /bin/sleep-static (each copy has its own).
static void
frames_for_copies(void)
{
    static const char *const progs[2] = {"/bin/sleep", "/bin/sleep-static"};
    for (int k = 0; k < 2; k++) {
        struct vmstat before, during;
        int pids[10];
        vmstat(&before);
        for (int i = 0; i < 10; i++)
            if ((pids[i] = fork()) == 0) {
                char *argv[] = {(char *)progs[k], "5", 0};
                exec(progs[k], argv);
                _exit(99);
            }
        msleep(500); // every copy has started and sleeps
        vmstat(&during);
        for (int i = 0; i < 10; i++)
            if (pids[i] > 0)
                kill(pids[i]), wait(0);
        printf("BENCH frames10 %s used=%u shared=%u\n", k ? "static" : "dynamic",
               before.free_frames - during.free_frames, during.shared_frames);
    }
}

// Every check (one line each, all printed); 1 if all hold. Called from Umode.
static int
check_figures(void)
{
    int ok = check_fig7();
    ok &= check_fig8();
    ok &= check_fig9();
    ok &= check_pipe();
    return ok;
}

// bench -fig7: Fig. 7 only, both modes (a static bench's lines say so).
static int
fig7_only(void)
{
    link_suffix = _DYNAMIC ? "-dynamic" : "-static";
    fig7(0);
    if (switch_supervisor(0) != 0)
        return 1;
    fig7(1);
    return switch_user(0) != 0;
}

int
main(int argc, char **argv)
{
    int check = 0, only7 = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-q") == 0)
            rounds = 5, batch = 200, ls_reps = 1, malloc_blocks = 2000;
        else if (strcmp(argv[i], "-check") == 0)
            check = 1;
        else if (strcmp(argv[i], "-fig7") == 0)
            only7 = 1;
        else {
            eprintf("usage: bench [-q] [-check] [-fig7]\n");
            return 2;
        }
    }
    if (current_mode() != MODE_UMODE && switch_user(0) != 0) {
        eprintf("bench: cannot start in Umode\n");
        return 1;
    }
    // a file longer than a whole batch reads or writes, so that no read
    // ever meets the end of the file and no write grows it
    fd_file = open("/bench.dat", O_RDWR | O_CREAT | O_TRUNC);
    static char block[4096];
    for (int i = 0; i < batch * (int)sizeof(buf) / (int)sizeof(block) + 1; i++)
        if (write(fd_file, block, sizeof block) != sizeof block) {
            eprintf("bench: cannot create /bench.dat\n");
            return 1;
        }
    if (only7) {
        int r = fig7_only();
        close(fd_file);
        return r;
    }
    printf("bench: %d rounds of %d calls, cycles per call (RDTSC)\n", rounds, batch);
    fig7(0);
    if (switch_supervisor(0) != 0 || current_mode() != MODE_SMODE) {
        eprintf("bench: switch_supervisor(0) failed\n");
        return 1;
    }
    fig7(1);
    fig8();
    if (switch_user(0) != 0) {
        eprintf("bench: switch_user(0) after Fig. 8 failed: bench must be Smode there\n");
        return 1;
    }
    fig8_scale();
    getpid_scale();
    if (pipe_rtt(batch, rtt)) {
        report("pipe-rtt", "umode", rtt[0]);
        report("pipe-rtt", "smode", rtt[1]);
    }
    fig9();
    if (fig7_child("/bin/bench") != 0 || fig7_child("/bin/bench-static") != 0)
        printf("BENCH-SKIP fig7-linking: /bin/bench -fig7 or /bin/bench-static -fig7 failed\n");
    spawn_cost();
    frames_for_copies();
    bench_malloc();
    close(fd_file);
    unlink("/bench.dat");
    unlink("/ls.out");
    printf("BENCH done\n");
    if (check && !check_figures())
        return 1;
    return 0;
}
