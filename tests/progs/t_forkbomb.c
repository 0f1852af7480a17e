// t_forkbomb: fill the process table: fork until it says -EAGAIN, with the
// children blocked reading a pipe; then release them all (close the pipe's
// write end: their reads return 0 and they exit), reap every one, and check
// that fork works again. Twice, with the same count both times.
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_NAME "t_forkbomb"
#include "testlib.h"

#define MAXKIDS 200

static int pids[MAXKIDS];

static int
count_procs(void)
{
    static struct procinfo rows[80];
    int n = procinfo(rows, 80);
    CHECK(n > 0, "procinfo: %d", n);
    return n;
}

static int
cycle(int round)
{
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    fflush_stdout();
    int n = 0, r;
    for (;;) {
        CHECK(n < MAXKIDS, "round %d: more than %d forks succeeded", round, MAXKIDS);
        r = fork();
        if (r < 0)
            break;
        if (r == 0) {
            close(fds[1]);
            char c;
            int got = read(fds[0], &c, 1); // blocks until the parent lets go
            _exit(got == 0 ? 0 : 1);
        }
        pids[n++] = r;
    }
    CHECK(r == -EAGAIN, "round %d: fork failed with %d after %d children, expected -EAGAIN", round,
          r, n);
    // still full: another attempt fails the same way
    CHECK(fork() == -EAGAIN, "round %d: second fork on a full table did not give -EAGAIN", round);
    CHECK(count_procs() == n + 1, "round %d: procinfo shows %d processes, expected %d", round,
          count_procs(), n + 1);
    printf("round %d: %d children before fork gave -EAGAIN\n", round, n);
    CHECK(n >= 50 && n <= 63, "round %d: %d children, expected 50..63", round, n);

    // release them: the last writer goes away
    close(fds[1]);
    close(fds[0]);
    for (int k = 0; k < n; k++) {
        int st = -1;
        int w = wait(&st);
        CHECK(w > 0, "round %d: wait %d returned %d", round, k, w);
        int i;
        for (i = 0; i < n && pids[i] != w; i++)
            ;
        CHECK(i < n, "round %d: wait returned unknown pid %d", round, w);
        pids[i] = -1;
        CHECK(st == 0, "round %d: child %d exited with status 0x%x", round, w, st);
    }
    int st;
    CHECK(wait(&st) == -ECHILD, "round %d: children left after reaping %d", round, n);
    CHECK(count_procs() == 1, "round %d: %d processes left", round, count_procs());

    // fork works again
    r = fork();
    CHECK(r >= 0, "round %d: fork after reaping all failed: %d", round, r);
    if (r == 0)
        _exit(9);
    CHECK(wait(&st) == r && st == 9, "round %d: the new child", round);
    return n;
}

int
main(void)
{
    unsigned int f0 = vm().free_frames;
    int n1 = cycle(1);
    unsigned int f1 = vm().free_frames;
    int n2 = cycle(2);
    unsigned int f2 = vm().free_frames;
    CHECK(n1 == n2, "first round %d children, second %d", n1, n2);
    // the second round must not lose memory compared to the first
    CHECK(f2 + 4 >= f1, "memory lost by a fork bomb round: %u free frames, then %u", f1, f2);
    CHECK(f1 + 64 >= f0, "memory lost by the first round: %u free frames, then %u", f0, f1);
    pass();
}
