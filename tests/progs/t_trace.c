// t_trace: the kernel event trace records what a scripted program does.
// Booted with trace=1: N getpid calls through each receiver (int 0x80,
// sysenter, the function receiver's fast path), one SC_FRAME call through
// its slow path, one switch each way applied at the tail of the switch call
// itself; then an overflow of the buffer, which must be counted as dropped
// events and show as a gap in the sequence numbers. `t_trace off` (booted
// without trace=) checks that nothing is recorded. Both: a nopromote child
// gets -EPERM for READ and DUMP.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_trace"
#include "testlib.h"

#define N 25
#define BATCH 64

static struct trace_event ev[BATCH];

// Counts of this process's events since seq >= from.
struct counts {
    int sys[5], ret[5];    // getpid entries by receiver, exits by path
    int ring0, ring3;      // getpid exits by the ring they return to
    int slow_fork;         // fork entered by the slow path
    int req, apply_s, apply_u, ret0_switch, ret3_switch;
    int events;
    unsigned int gaps;     // seq numbers missing between events read
};

static void
count(struct counts *c, unsigned int from, int pid)
{
    unsigned int last = 0;
    int first = 1, got;
    memset(c, 0, sizeof(*c));
    while ((got = tracectl(TRACE_READ, 0, ev, BATCH)) > 0) {
        for (int i = 0; i < got; i++) {
            struct trace_event *e = &ev[i];
            if (!first && e->seq != last + 1)
                c->gaps += e->seq - last - 1;
            first = 0;
            last = e->seq;
            if (e->seq < from || e->pid != pid)
                continue;
            c->events++;
            if (e->kind == TR_SYS && e->b == SYS_getpid && e->a < 5)
                c->sys[e->a]++;
            if (e->kind == TR_SYSRET && e->a == SYS_getpid && e->d < 5) {
                c->ret[e->d]++;
                e->c == 0 ? c->ring0++ : c->ring3++;
            }
            if (e->kind == TR_SYS && e->b == SYS_fork && e->a == TR_RECV_SLOW)
                c->slow_fork++;
            if (e->kind == TR_SYS && (e->b == SYS_switch_supervisor || e->b == SYS_switch_user) &&
                e->d == 0) // a request for the caller itself (pid 0)
                c->req++;
            if (e->kind == TR_APPLY)
                e->a == MODE_SMODE ? c->apply_s++ : c->apply_u++;
            if (e->kind == TR_SYSRET && e->a == SYS_switch_supervisor && e->c == 0 &&
                e->d == TR_EXIT_IRET0)
                c->ret0_switch++;
            if (e->kind == TR_SYSRET && e->a == SYS_switch_user && e->c == 3 &&
                e->d == TR_EXIT_IRET3)
                c->ret3_switch++;
        }
        if (got < BATCH)
            break;
    }
}

// A child without the right to promote may not take the events out (they
// hold other processes' system-call arguments) nor dump them: -EPERM for
// READ and DUMP, while STAT and reading the mask still work.
static void
nopromote_child_refused(void)
{
    int child = fork();
    CHECK(child >= 0, "fork: %d", child);
    if (child == 0) {
        struct trace_stat s;
        nopromote();
        if (tracectl(TRACE_READ, 0, ev, BATCH) != -EPERM)
            _exit(1);
        if (tracectl(TRACE_DUMP, 0, 0, 0) != -EPERM)
            _exit(2);
        if (tracectl(TRACE_MASK, 0, 0, 0) != -EPERM)
            _exit(3);
        if (tracectl(TRACE_STAT, 0, &s, 0) != 0 || tracectl(TRACE_MASK, -1, 0, 0) < 0)
            _exit(4);
        _exit(0);
    }
    int st = -1;
    CHECK(wait(&st) == child, "wait");
    CHECK(st == 0, "a nopromote child's tracectl: status %d (1 READ, 2 DUMP, 3 MASK not refused)",
          st);
}

int
main(int argc, char **argv)
{
    struct trace_stat st;
    int pid = getpid();
    CHECK(tracectl(TRACE_STAT, 0, &st, 0) == 0, "TRACE_STAT");
    if (argc > 1 && strcmp(argv[1], "off") == 0) {
        CHECK(st.mask == 0, "trace on by default (mask 0x%x)", st.mask);
        for (int i = 0; i < N; i++)
            getpid();
        CHECK(tracectl(TRACE_STAT, 0, &st, 0) == 0 && st.pending == 0 && st.next_seq == 0,
              "events recorded with the trace off: %u", st.next_seq);
        CHECK(tracectl(TRACE_READ, 0, ev, BATCH) == 0, "events to read with the trace off");
        nopromote_child_refused();
        pass();
    }
    CHECK(st.mask == TR_ALL, "trace=1 did not turn every kind on (mask 0x%x)", st.mask);
    unsigned int from = st.next_seq;

    for (int i = 0; i < N; i++)
        getpid(); // Umode: int 0x80
    for (int i = 0; i < N; i++)
        sysenter_getpid();
    CHECK(switch_supervisor(0) == 0, "switch_supervisor(0)");
    CHECK(read_cs() == 0x08, "not in ring 0 after the switch");
    for (int i = 0; i < N; i++)
        getpid(); // Smode: the function receiver's fast path
    int child = fork(); // SC_FRAME: the slow path
    if (child == 0)
        _exit(0);
    CHECK(child > 0 && wait(0) == child, "fork/wait");
    CHECK(switch_user(0) == 0, "switch_user(0)");
    CHECK(read_cs() == 0x1b, "not in ring 3 after the switch back");

    struct counts c;
    count(&c, from, pid);
    printf("getpid entries: int80 %d, sysenter %d, fast %d; exits: ring 3 %d, ring 0 %d; "
           "slow fork %d; requests %d, applied to Smode %d, to Umode %d\n",
           c.sys[TR_RECV_INT80], c.sys[TR_RECV_SYSENTER], c.sys[TR_RECV_FAST], c.ring3, c.ring0,
           c.slow_fork, c.req, c.apply_s, c.apply_u);
    CHECK(c.gaps == 0, "%u events lost without an overflow", c.gaps);
    // A tick during a call sends its exit by the slow path (iret), so the
    // exits are counted by ring; most still take their fast exit.
    CHECK(c.sys[TR_RECV_INT80] == N, "int 0x80 getpid count");
    CHECK(c.sys[TR_RECV_SYSENTER] == N, "sysenter getpid count");
    CHECK(c.sys[TR_RECV_FAST] == N, "fast-path getpid count");
    CHECK(c.ring3 == 2 * N && c.ring0 == N, "getpid exits: %d to ring 3, %d to ring 0", c.ring3,
          c.ring0);
    CHECK(c.ret[TR_EXIT_RET] > N / 2 && c.ret[TR_EXIT_SYSEXIT] > N / 2 &&
              c.ret[TR_EXIT_RET] + c.ret[TR_EXIT_IRET0] == N,
          "exit paths: ret %d, sysexit %d", c.ret[TR_EXIT_RET], c.ret[TR_EXIT_SYSEXIT]);
    CHECK(c.sys[TR_RECV_SLOW] == 0 && c.slow_fork == 1, "fork not seen on the slow path");
    CHECK(c.req == 2 && c.apply_s == 1 && c.apply_u == 1, "switch requests/applications");
    CHECK(c.ret0_switch == 1 && c.ret3_switch == 1,
          "the switch calls did not return to the new ring (%d, %d)", c.ret0_switch,
          c.ret3_switch);

    // Overflow: two events per call, more calls than the buffer holds.
    CHECK(tracectl(TRACE_STAT, 0, &st, 0) == 0, "TRACE_STAT");
    unsigned int dropped_before = st.dropped;
    for (unsigned int i = 0; i < st.capacity; i++)
        getpid();
    CHECK(tracectl(TRACE_STAT, 0, &st, 0) == 0, "TRACE_STAT");
    unsigned int dropped = st.dropped - dropped_before;
    CHECK(st.pending == st.capacity, "buffer not full: %u of %u", st.pending, st.capacity);
    CHECK(dropped > 0, "nothing counted as dropped");
    count(&c, 0, pid);
    // (the calls up to the first read freed space were dropped too)
    CHECK(tracectl(TRACE_STAT, 0, &st, 0) == 0, "TRACE_STAT");
    dropped = st.dropped - dropped_before;
    printf("overflow: %u events dropped, %u missing in the sequence\n", dropped, c.gaps);
    CHECK(c.gaps == dropped, "gaps %u != dropped %u", c.gaps, dropped);
    nopromote_child_refused();
    pass();
}
