// modemgr: the adaptive mode manager, the paper's data-centre scenario made
// real (docs/workloads.md). Each period it reads every process's system-call
// count (procinfo), promotes the hottest to Smode while their memory fits a
// budget, and demotes those that cooled. Every decision is logged with its
// reason, one "modemgr:" line each.
//
// usage: modemgr [-p MS] [-b KIB] [-hi R] [-lo R] [-hold K] [-n PERIODS]
//                [-step] [-q] [NAME ...]
//   -p MS      the period (default 100 ms)
//   -b KIB     budget: the user memory of all Smode processes together may
//              not exceed KIB (an Smode process is resident, never paged
//              out, so its size is what it costs; default 4096)
//   -hi R      promote at R system calls a second or more (default 2000) ...
//   -lo R      ... demote below R (default 500): between the two nothing moves
//   -hold K    ... only after K periods in a row above hi / below lo (default 2)
//   -n N       stop after N periods (default: run until killed)
//   -step      a period ends when a line arrives on stdin (end of file: stop),
//              and rates are calls per period: decisions by counts, not time;
//              "modemgr: period N done" ends each period's log
//   -q         log decisions only, no summary
//   NAME ...   manage only processes of these names (default: all); never
//              itself or pid 1
// A refusal is logged. -EPERM (the target may not be promoted, e.g. a
// program from an untrusted tree) is final: that process is not asked
// again. Any other (-ENOMEM: its memory could not be made resident) holds
// the process back for RETRY_PERIODS periods.
//
// Budget: a process counts from the promotion request until its demotion
// has been applied (it is resident until then), so making room for a
// hotter process takes two periods: demote the colder one, then promote.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXPROC 64
#define MAXNAMES 8
#define RETRY_PERIODS 10

struct track {
    int pid;              // 0: a free entry
    unsigned int calls;   // its system calls at the last period
    unsigned int rate;    // calls per second (per period with -step)
    int hot, cold;        // periods in a row above hi / below lo
    int refused;          // promotion refused with -EPERM: do not ask again
    int backoff;          // periods to wait after another refusal
    int note;             // what was last logged about it (no repeats)
    int seen;             // present in this period's list
    int fresh;            // first period seen: no rate yet
    int skip;             // already considered for promotion this period
    int asked;            // a promotion was requested last period
};

enum { NOTE_NONE, NOTE_BUDGET };

static struct track tracks[MAXPROC];
static struct procinfo rows[MAXPROC];
static const char *names[MAXNAMES];
static int nnames, self;
static unsigned int budget_kib = 4096, hi = 2000, lo = 500, hold = 2;
static unsigned int promotions, demotions, refusals;
static unsigned int clock_ms;      // ms since modemgr started (periods with -step), for the log
static const char *clock_before = "", *clock_after = " ms"; // "period N" with -step
#define LOG(fmt, ...) printf("modemgr: %s%u%s: " fmt, clock_before, clock_ms, clock_after, __VA_ARGS__)
static const char *unit = "s"; // rates are calls per second, or per period with -step

static int
managed(const struct procinfo *p)
{
    if (p->pid == self || p->pid == 1 || p->state == PS_ZOMBIE || p->state == PS_EMBRYO)
        return 0;
    if (!nnames)
        return 1;
    for (int i = 0; i < nnames; i++)
        if (strncmp(p->name, names[i], PROC_NAME_MAX) == 0)
            return 1;
    return 0;
}

static struct track *
track_of(int pid)
{
    struct track *free_one = 0;
    for (int i = 0; i < MAXPROC; i++) {
        if (tracks[i].pid == pid)
            return &tracks[i];
        if (!tracks[i].pid && !free_one)
            free_one = &tracks[i];
    }
    if (free_one)
        *free_one = (struct track){.pid = pid, .fresh = 1};
    return free_one;
}

static unsigned int
kib(const struct procinfo *p)
{
    return (p->size + 1023) / 1024;
}

// Smode, or about to be: what counts against the budget (a process with a
// pending demotion is still resident).
static int
smode_or_pending(const struct procinfo *p)
{
    return p->mode == MODE_SMODE || p->pending == MODE_SMODE;
}

// Refused by switch_supervisor or at the target's tail: log, hold back.
static void
refused(const struct procinfo *p, struct track *t, int err, const char *where)
{
    int final = err == -EPERM;
    LOG("promote pid %d (%s) refused%s: %s; %s\n", p->pid, p->name, where, strerror(-err),
        final ? "not asking again" : "retry later");
    t->refused = final;
    t->backoff = final ? 0 : RETRY_PERIODS;
    refusals++;
}

static void
demote(struct procinfo *p, struct track *t, const char *why)
{
    int r = switch_user(p->pid);
    if (r < 0 && r != -EALREADY) {
        LOG("demote pid %d (%s) failed: %s\n", p->pid, p->name, strerror(-r));
        return;
    }
    LOG("demote pid %d (%s): %s\n", p->pid, p->name, why);
    demotions++;
    p->pending = MODE_UMODE;
    t->hot = t->cold = 0;
}

// Ask that p become Smode; 1 if the request was registered.
static int
promote(struct procinfo *p, struct track *t, unsigned int used)
{
    int r = switch_supervisor(p->pid);
    if (r == -EALREADY)
        return 0;
    if (r < 0) {
        refused(p, t, r, "");
        return 0;
    }
    LOG("promote pid %d (%s): %u calls/%s >= %u for %d periods; %u KiB, "
           "Smode total %u of %u KiB\n", p->pid, p->name, t->rate, unit, hi, t->hot, kib(p),
           used + kib(p), budget_kib);
    promotions++;
    t->asked = 1;
    p->pending = MODE_SMODE;
    t->hot = t->cold = 0;
    t->note = NOTE_NONE;
    return 1;
}

// One period: update every rate, then demote the cooled, then promote the
// hottest that fit (making room by demoting a much colder Smode process).
static void
period(unsigned int elapsed_ms, int step)
{
    int n = procinfo(rows, MAXPROC);
    if (n < 0) {
        LOG("procinfo: %s\n", strerror(-n));
        return;
    }
    for (int i = 0; i < MAXPROC; i++)
        tracks[i].seen = tracks[i].skip = 0;
    unsigned int used = 0;
    for (int i = 0; i < n; i++) {
        struct procinfo *p = &rows[i];
        if (smode_or_pending(p) && p->state != PS_ZOMBIE)
            used += kib(p);
        if (!managed(p))
            continue;
        struct track *t = track_of(p->pid);
        if (!t)
            continue;
        unsigned int d = p->syscalls - t->calls;
        t->calls = p->syscalls;
        t->seen = 1;
        if (t->fresh) { // first sight: no rate yet
            t->fresh = 0;
            continue;
        }
        t->rate = step ? d : (unsigned int)((unsigned long long)d * 1000 / (elapsed_ms ? elapsed_ms : 1));
        t->hot = t->rate >= hi ? t->hot + 1 : 0;
        t->cold = t->rate < lo ? t->cold + 1 : 0;
        if (t->backoff > 0)
            t->backoff--;
        if (p->refused && !t->refused && !t->backoff && t->asked && p->mode == MODE_UMODE)
            refused(p, t, p->refused, " at its tail");
        t->asked = 0;
    }
    for (int i = 0; i < MAXPROC; i++) // forget processes that are gone
        if (tracks[i].pid && !tracks[i].seen)
            tracks[i].pid = 0;

    for (int i = 0; i < n; i++) { // demote what cooled
        struct procinfo *p = &rows[i];
        struct track *t = managed(p) ? track_of(p->pid) : 0;
        if (t && t->seen && p->mode == MODE_SMODE && p->pending != MODE_UMODE &&
            t->cold >= (int)hold) {
            char why[96];
            snprintf(why, sizeof(why), "%u calls/%s < %u for %d periods", t->rate,
                     unit, lo, t->cold);
            demote(p, t, why); // (its KiB stay counted until it has left Smode)
        }
    }
    for (;;) { // promote the hottest first, while they fit
        struct procinfo *best = 0;
        struct track *bt = 0;
        for (int i = 0; i < n; i++) {
            struct procinfo *p = &rows[i];
            struct track *t = managed(p) ? track_of(p->pid) : 0;
            if (!t || !t->seen || t->skip || t->refused || t->backoff || smode_or_pending(p) ||
                t->hot < (int)hold)
                continue;
            if (!best || t->rate > bt->rate)
                best = p, bt = t;
        }
        if (!best)
            break;
        if (used + kib(best) > budget_kib) { // room by demoting a much colder Smode process?
            struct procinfo *victim = 0;
            struct track *vt = 0;
            for (int i = 0; i < n; i++) {
                struct procinfo *p = &rows[i];
                struct track *t = managed(p) ? track_of(p->pid) : 0;
                if (t && t->seen && p->mode == MODE_SMODE && p->pending != MODE_UMODE &&
                    t->rate * 2 < bt->rate && used - kib(p) + kib(best) <= budget_kib &&
                    (!victim || t->rate < vt->rate))
                    victim = p, vt = t;
            }
            if (!victim) {
                if (bt->note != NOTE_BUDGET)
                    LOG("keep pid %d (%s) in Umode: %u calls/%s but %u KiB does not "
                           "fit (Smode total %u of %u KiB)\n", best->pid, best->name, bt->rate,
                           unit, kib(best), used, budget_kib);
                bt->note = NOTE_BUDGET;
                bt->skip = 1;
                continue;
            }
            char why[96];
            snprintf(why, sizeof(why), "make room for pid %d (%u vs %u calls/%s)", best->pid,
                     bt->rate, vt->rate, unit);
            demote(victim, vt, why);
            bt->skip = 1; // promoted once the victim has left Smode (next period)
            continue;
        }
        bt->skip = 1;
        if (promote(best, bt, used))
            used += kib(best);
    }
}

int
main(int argc, char **argv)
{
    unsigned int period_ms = 100;
    int step = 0, quiet = 0, max_periods = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (strcmp(a, "-p") == 0 && more)
            period_ms = (unsigned int)atoi(argv[++i]);
        else if (strcmp(a, "-b") == 0 && more)
            budget_kib = (unsigned int)atoi(argv[++i]);
        else if (strcmp(a, "-hi") == 0 && more)
            hi = (unsigned int)atoi(argv[++i]);
        else if (strcmp(a, "-lo") == 0 && more)
            lo = (unsigned int)atoi(argv[++i]);
        else if (strcmp(a, "-hold") == 0 && more)
            hold = (unsigned int)atoi(argv[++i]);
        else if (strcmp(a, "-n") == 0 && more)
            max_periods = atoi(argv[++i]);
        else if (strcmp(a, "-step") == 0)
            step = 1;
        else if (strcmp(a, "-q") == 0)
            quiet = 1;
        else if (a[0] != '-' && nnames < MAXNAMES)
            names[nnames++] = a;
        else {
            eprintf("usage: modemgr [-p MS] [-b KIB] [-hi R] [-lo R] [-hold K] [-n N] [-step] "
                    "[-q] [NAME ...]\n");
            return 2;
        }
    }
    if (lo > hi || hold < 1 || period_ms < 10) {
        eprintf("modemgr: need lo <= hi, hold >= 1, a period of 10 ms or more\n");
        return 2;
    }
    self = getpid();
    if (step)
        unit = "period", clock_before = "period ", clock_after = "";
    printf("modemgr: period %u %s, budget %u KiB, promote at >= %u, demote below %u, "
           "after %u periods\n", step ? 1 : period_ms, step ? "step (stdin)" : "ms", budget_kib,
           hi, lo, hold);
    unsigned int start = uptime(), last = start;
    for (int k = 0; max_periods < 0 || k < max_periods; k++) {
        if (step) {
            char line[32];
            if (fgets_fd(line, sizeof(line), STDIN_FILENO) <= 0)
                break;
        } else {
            msleep(period_ms);
        }
        unsigned int now = uptime();
        clock_ms = step ? (unsigned int)k + 1 : now - start;
        period(now - last, step);
        last = now;
        if (step)
            printf("modemgr: period %d done\n", k + 1);
    }
    if (!quiet)
        printf("modemgr: done: %u promotions, %u demotions, %u refused\n", promotions,
               demotions, refusals);
    return 0;
}
