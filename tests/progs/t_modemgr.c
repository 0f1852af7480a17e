// t_modemgr: /bin/modemgr's policy, by counts, not by time (modemgr -step:
// a period ends when this test writes a line to its stdin; rates are system
// calls per period). Three workers, forked from this test, make exactly the
// calls the test orders each period:
//   - the idle worker starts in Smode: it is demoted once cold (the demotion
//     applies when it next returns from a call), and its pins count against
//     the budget until then;
//   - the busy worker is promoted, the hottest first, once the budget has
//     room; it stays Smode while its rate is between the thresholds
//     (hysteresis) and is demoted once it cooled;
//   - the second busy worker is kept in Umode while it does not fit the
//     budget (one worker's size and a half), and promoted when room is made.
// Then a busy worker running a copy of this program outside the trusted
// trees (/u/t_modemgr) may not be promoted (the trust rule): modemgr gets
// -EPERM, logs it once and does not ask again. Every decision must be in
// modemgr's log.
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_modemgr"
#include "testlib.h"

enum { IDLE, BUSY, BUSY2, NW };

struct worker {
    int pid, cmd, ack; // our ends: orders to it, its acknowledgements
};

static struct worker w[NW];
static int tick_w, log_r, period_no;
static char log_text[4096]; // modemgr's lines in the last period

// A worker: for each order k read from cmd, make k getpid calls and
// acknowledge; k < 0 ends it. Each period it makes k + 2 calls (read, write).
static void __attribute__((noreturn))
worker_loop(int cmd, int ack, int smode)
{
    if (smode && switch_supervisor(0) != 0)
        _exit(3);
    for (;;) {
        int k;
        if (read(cmd, &k, sizeof(k)) != sizeof(k) || k < 0)
            _exit(0);
        for (int i = 0; i < k; i++)
            getpid();
        write(ack, "a", 1);
    }
}

// Fork a worker; it runs the program at path (a copy of this one, with the
// "worker" arguments) if path is not 0.
static void
start_worker(struct worker *x, int smode, const char *path)
{
    int c[2], a[2];
    CHECK(pipe(c) == 0 && pipe(a) == 0, "pipes");
    x->pid = fork();
    CHECK(x->pid >= 0, "fork");
    if (x->pid == 0) {
        close(c[1]);
        close(a[0]);
        if (!path)
            worker_loop(c[0], a[1], smode);
        char cs[12], as[12];
        snprintf(cs, sizeof(cs), "%d", c[0]);
        snprintf(as, sizeof(as), "%d", a[1]);
        char *argv[] = {"t_modemgr", "worker", cs, as, 0};
        exec(path, argv);
        _exit(127);
    }
    close(c[0]);
    close(a[1]);
    x->cmd = c[1];
    x->ack = a[0];
}

// Copy this program to /u/t_modemgr, a writable (so untrusted) directory.
static void
copy_untrusted(void)
{
    mkdir("/u");
    copy_file("/test/t_modemgr", "/u/t_modemgr");
}

static void
order(struct worker *x, int k)
{
    char c;
    CHECK(write(x->cmd, &k, sizeof(k)) == sizeof(k), "order to %d", x->pid);
    if (k >= 0)
        CHECK(read(x->ack, &c, 1) == 1, "ack from %d", x->pid);
}

// Start modemgr -step with these options, its stdin and stdout our pipes.
static int
start_modemgr(char **argv)
{
    int t[2], l[2];
    CHECK(pipe(t) == 0 && pipe(l) == 0, "modemgr pipes");
    int pid = fork();
    CHECK(pid >= 0, "fork modemgr");
    if (pid == 0) {
        dup2(t[0], 0);
        dup2(l[1], 1);
        for (int i = 0; i < NW; i++) {
            close(w[i].cmd);
            close(w[i].ack);
        }
        close(t[0]);
        close(t[1]);
        close(l[0]);
        close(l[1]);
        exec("/bin/modemgr", argv);
        _exit(127);
    }
    close(t[0]);
    close(l[1]);
    tick_w = t[1];
    log_r = l[0];
    period_no = 0;
    char line[200];
    CHECK(fgets_fd(line, sizeof(line), log_r) > 0 && strstr(line, "modemgr: period 1 step"),
          "modemgr's first line: %s", line);
    return pid;
}

// One period: order each worker's calls (-1: leave it alone), then end
// the period and collect modemgr's log of it.
static void
period(int idle, int busy, int busy2)
{
    int k[NW] = {idle, busy, busy2};
    for (int i = 0; i < NW; i++)
        if (k[i] >= 0 && w[i].pid)
            order(&w[i], k[i]);
    CHECK(write(tick_w, "tick\n", 5) == 5, "tick");
    period_no++;
    char done[40], line[200];
    snprintf(done, sizeof(done), "modemgr: period %d done", period_no);
    log_text[0] = 0;
    for (;;) {
        CHECK(fgets_fd(line, sizeof(line), log_r) > 0, "modemgr's log ended in period %d",
              period_no);
        if (strstr(line, done))
            break;
        printf("  %s", line); // the decisions, for the log of the run
        if (strlen(log_text) + strlen(line) < sizeof(log_text))
            strcat(log_text, line);
    }
}

// Does this period's log have a line with both a and b?
static int
logged(const char *a, const char *b)
{
    for (const char *s = log_text; *s;) {
        const char *nl = strchr(s, '\n');
        int len = nl ? (int)(nl - s) : (int)strlen(s);
        char line[200];
        snprintf(line, sizeof(line), "%.*s", len, s);
        if (strstr(line, a) && strstr(line, b))
            return 1;
        s += len + (nl != 0);
    }
    return 0;
}

static int
mode_of(struct worker *x, int *pending)
{
    struct procinfo pi;
    CHECK(modeinfo(x->pid, &pi) == 0, "modeinfo %d", x->pid);
    if (pending)
        *pending = pi.pending;
    return pi.mode;
}

// "VERB pid N ": how modemgr's log line about worker x begins.
static const char *
tag(struct worker *x, const char *verb)
{
    static char buf[40]; // one: each caller uses the result at once
    snprintf(buf, sizeof buf, "%s pid %d ", verb, x->pid);
    return buf;
}

int
main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "worker") == 0) // the untrusted copy
        worker_loop(atoi(argv[2]), atoi(argv[3]), 0);
    start_worker(&w[IDLE], 1, 0);
    start_worker(&w[BUSY], 0, 0);
    start_worker(&w[BUSY2], 0, 0);
    for (int i = 0; i < 1000 && mode_of(&w[IDLE], 0) != MODE_SMODE; i++)
        yield();
    CHECK(mode_of(&w[IDLE], 0) == MODE_SMODE, "the idle worker did not become Smode");
    struct procinfo pi;
    CHECK(modeinfo(w[BUSY].pid, &pi) == 0, "modeinfo");
    static char budget[16];
    snprintf(budget, sizeof(budget), "%u", (pi.size + 1023) / 1024 * 3 / 2); // one fits
    char *margv[] = {"modemgr", "-step", "-hi", "100", "-lo", "20", "-hold", "2", "-b", budget,
                    "t_modemgr", 0};
    int mgr = start_modemgr(margv);
    int pend;

    period(-1, 400, 100); // first sight: no rates yet
    CHECK(!log_text[0], "a decision without a rate: %s", log_text);
    period(-1, 400, 100); // one period hot / cold: not enough (hold 2)
    CHECK(!log_text[0], "a decision after one period: %s", log_text);
    period(-1, 400, 100);
    CHECK(logged(tag(&w[IDLE], "demote"), "< 20 for 2 periods"), "the idle worker not demoted");
    CHECK(logged(tag(&w[BUSY], "keep"), "does not fit"), "the busy worker's wait not logged");
    CHECK(mode_of(&w[IDLE], &pend) == MODE_SMODE && pend == MODE_UMODE,
          "the demotion should be pending while the idle worker sleeps");
    CHECK(mode_of(&w[BUSY], 0) == MODE_UMODE, "promoted over the budget");
    period(0, 400, 100); // the idle worker wakes: its demotion applies; now there is room
    CHECK(mode_of(&w[IDLE], 0) == MODE_UMODE, "the idle worker is still Smode");
    CHECK(logged(tag(&w[BUSY], "promote"), ">= 100 for"), "the busy worker not promoted");
    CHECK(!logged(tag(&w[BUSY2], "promote"), ""), "both busy workers promoted: over the budget");
    printf("t_modemgr: the idle worker was demoted, the busy one promoted within the budget\n");
    for (int i = 0; i < 3; i++) { // between the thresholds: nothing moves
        period(0, 60, 100);
        CHECK(mode_of(&w[BUSY], 0) == MODE_SMODE, "the busy worker is not Smode");
        CHECK(!log_text[0], "a decision between the thresholds: %s", log_text);
    }
    printf("t_modemgr: hysteresis: no change between the thresholds\n");
    period(0, 0, 0);
    CHECK(!log_text[0], "demoted after one cold period: %s", log_text);
    period(0, 0, 0);
    CHECK(logged(tag(&w[BUSY], "demote"), "< 20 for 2 periods"), "the cooled worker not demoted");
    period(0, 0, 400);
    CHECK(mode_of(&w[BUSY], 0) == MODE_UMODE, "the cooled worker is still Smode");
    period(0, 0, 400);
    CHECK(logged(tag(&w[BUSY2], "promote"), ">= 100 for 2"), "the second worker not promoted");
    period(0, 0, 0);
    CHECK(mode_of(&w[BUSY2], 0) == MODE_SMODE, "the second worker did not become Smode");
    printf("t_modemgr: the cooled worker was demoted, the other one promoted\n");
    close(tick_w); // end of file: modemgr stops
    char line[200];
    CHECK(fgets_fd(line, sizeof(line), log_r) > 0 && strstr(line, "2 promotions, 2 demotions"),
          "modemgr's summary: %s", line);
    CHECK(wait_child(mgr) == 0, "modemgr's status");
    close(log_r);

    // ---- an untrusted busy process: -EPERM, logged once ----
    order(&w[BUSY2], -1);
    CHECK(wait_child(w[BUSY2].pid) == 0, "the second worker's status");
    copy_untrusted();
    start_worker(&w[BUSY2], 0, "/u/t_modemgr");
    order(&w[BUSY2], 0); // acknowledged: it runs the copy now
    CHECK(modeinfo(w[BUSY2].pid, &pi) == 0 && !pi.trusted, "/u/t_modemgr should be untrusted");
    mgr = start_modemgr(margv);
    int refusals = 0, any_refused = 0; // periods with that refusal, with any
    for (int i = 0; i < 6; i++) {
        period(0, 0, 400);
        refusals += logged(tag(&w[BUSY2], "promote"), "refused: operation not permitted; not asking again");
        any_refused += logged("", "refused");
    }
    CHECK(refusals == 1 && any_refused == 1, "the refusal was logged in %d periods (%d with any "
          "refusal): asked again after -EPERM?", refusals, any_refused);
    CHECK(mode_of(&w[BUSY2], 0) == MODE_UMODE, "the untrusted worker is Smode");
    close(tick_w);
    CHECK(wait_child(mgr) == 0, "second modemgr's status");
    close(log_r);
    printf("t_modemgr: -EPERM (untrusted program) was logged once and not retried\n");
    for (int i = 0; i < NW; i++) {
        order(&w[i], -1);
        CHECK(wait_child(w[i].pid) == 0, "worker %d's status", i);
    }
    pass();
}
