// scenario: the paper's data-centre case. Two services, A and B (two
// file servers with a key-value store each), share the machine; the load
// is on A for the first half and moves to B for the second. Run under three
// policies: all Umode, A fixed in Smode, and /bin/modemgr deciding. Reports
// the throughput over time and each service's page-ins by mode
// (docs/workloads.md).
//
// usage: scenario [-p all|umode|fixed|modemgr] [-t BUCKETS] [-ms MS] [-k KIB]
//                 [-c CONNS] [-r ROUNDS] [-mp MS] [-q]
//   -p       the policy (default all three, one after the other)
//   -t, -ms  BUCKETS buckets of MS ms each (default 20 x 100 ms); the load
//            moves from A to B at the middle
//   -k KIB   each service's store (default 512 KiB); modemgr's budget is
//            1.5 times a service's size, so one fits in Smode, not both
//   -c CONNS connections to each service (default 4)
//   -r N     N rounds of the policies (default 1), each round in another
//            order, so that a drift of the host's speed spreads over all
//   -mp MS   modemgr's period (default 100 ms)
//   -q       no per-bucket lines
// Output, per policy:
//   SCEN policy=P round=R bucket=I reqs=N        (throughput over time)
//   SCEN policy=P round=R service=A|B pageins_smode=X pageins_umode=Y pageins_switching=Z
//   SCEN policy=P round=R total=N first=N second=N bad=B
// Each request alternates GET /srv/f64 and KGET of a random key; every
// reply is checked.
#include "fsproto.h"

#define MAXBUCKETS 200

enum { UMODE, FIXED, MODEMGR, NPOLICY };
static const char *const policy_name[NPOLICY] = {"umode", "fixed", "modemgr"};

struct service {
    const char *label;
    int pid;
    struct conn *conns;
    unsigned int pageins[3]; // while Smode, Umode, switching (mode changed in the bucket)
    unsigned int last_pageins;
    int last_mode;
};

static struct conn conns_a[SRV_MAXCONN], conns_b[SRV_MAXCONN];
static unsigned int per_bucket[MAXBUCKETS];
static int nbuckets = 20, bucket_ms = 100, kv_kib = 512, nconn = 4, quiet, round, mgr_ms = 100;
static unsigned int nkeys;

// The mode of s now and the page-ins since the last look, added to the
// bucket of the mode it had at both looks (or "switching").
static void
sample(struct service *s)
{
    struct procinfo pi;
    if (modeinfo(s->pid, &pi) < 0)
        return;
    int both = pi.mode == s->last_mode ? pi.mode : -1;
    s->pageins[both == MODE_SMODE ? 0 : both == MODE_UMODE ? 1 : 2] += pi.pageins - s->last_pageins;
    s->last_pageins = pi.pageins;
    s->last_mode = pi.mode;
}

static void
make_request(char *line, int size, int seq, int *key)
{
    if (seq % 2 == 0) {
        snprintf(line, size, "GET /srv/f64\n");
        *key = -1;
    } else {
        *key = (int)((unsigned int)rand() % nkeys);
        snprintf(line, size, "KGET k%d\n", *key);
    }
}

static int
reply_ok(const struct conn *c, int key)
{
    if (key < 0)
        return srv_body_is_file(c, 64);
    char want[KV_VAL];
    kv_initial_value(want, sizeof(want), key);
    return c->body == (int)strlen(want) && memcmp(c->buf + c->hdr, want, c->body) == 0;
}

// Starts a server for service s on conns and waits until its store is
// filled. 0, or a negative errno; s->pid > 0 once a server runs (even if
// its warm-up then failed): stop_all stops and reaps it.
static int
spawn(struct service *s, struct conn *conns, const char *label)
{
    static char kib_arg[16];
    snprintf(kib_arg, sizeof(kib_arg), "%d", kv_kib);
    const char *const opts[] = {"-k", kib_arg, 0};
    *s = (struct service){.label = label, .conns = conns};
    int r = conn_open(conns, nconn);
    if (r < 0)
        return r;
    r = srv_spawn(conns, nconn, opts);
    if (r < 0)
        return r;
    s->pid = r;
    for (int i = 0; i < nconn; i++) // warm up: the store is filled
        if (conn_call(&conns[i], "KGET k0\n") != 1)
            return -EIO;
    struct procinfo pi;
    if (modeinfo(s->pid, &pi) == 0) {
        s->last_pageins = pi.pageins;
        s->last_mode = pi.mode;
    }
    return 0;
}

// Stops the manager mgr (if > 0, by kill) and the services of svc[0..n)
// that run (closing its connections makes a server exit), and reaps them
// all. Returns how many services did not exit with 0; *mgr_st gets the
// manager's status.
static int
stop_all(struct service *svc, int n, int mgr, int *mgr_st)
{
    if (mgr > 0)
        kill(mgr);
    int left = mgr > 0, bad = 0, st, w;
    for (int s = 0; s < n; s++)
        if (svc[s].pid > 0) {
            for (int i = 0; i < nconn; i++) {
                close(svc[s].conns[i].req_w);
                close(svc[s].conns[i].rep_r);
            }
            left++;
        }
    for (; left > 0 && (w = wait(&st)) >= 0; left--)
        if (w == mgr)
            *mgr_st = st;
        else if (st != 0)
            bad++;
    return bad;
}

// One run of policy pol. Returns the number of wrong replies, or -1.
static int
run(int pol)
{
    struct service svc[2] = {0};
    int r = spawn(&svc[0], conns_a, "A");
    if (r == 0)
        r = spawn(&svc[1], conns_b, "B");
    if (r < 0) {
        eprintf("scenario: cannot start the services: %s\n", strerror(-r));
        stop_all(svc, 2, 0, 0);
        return -1;
    }
    struct procinfo pi;
    unsigned int size_kib = modeinfo(svc[0].pid, &pi) == 0 ? (pi.size + 1023) / 1024 : 0;
    int mgr = 0;
    if (pol == FIXED) {
        int r = switch_supervisor(svc[0].pid);
        if (r < 0)
            printf("SCEN policy=fixed: switch_supervisor(A): %s\n", strerror(-r));
    } else if (pol == MODEMGR) {
        static char budget[16], period[16];
        snprintf(budget, sizeof(budget), "%u", size_kib * 3 / 2);
        snprintf(period, sizeof(period), "%d", mgr_ms);
        char *argv[] = {"modemgr", "-p", period, "-b", budget, "-q", "fileserver", 0};
        mgr = fork();
        if (mgr == 0) {
            int e = exec("/bin/modemgr", argv);
            eprintf("scenario: exec /bin/modemgr: %s\n", strerror(-e));
            _exit(127);
        }
        if (mgr < 0) {
            eprintf("scenario: cannot fork the mode manager: %s\n", strerror(-mgr));
            stop_all(svc, 2, 0, 0);
            return -1;
        }
    }
    memset(per_bucket, 0, sizeof(per_bucket));
    int key[2][SRV_MAXCONN], bad = 0, seq = 0, phase = 0, bucket = 0;
    unsigned int first = 0, second = 0;
    char line[48];
    struct pollfd fds[2 * SRV_MAXCONN];
    unsigned int t0 = uptime();
    for (int i = 0; i < nconn; i++) { // the load starts on A
        make_request(line, sizeof(line), seq++, &key[0][i]);
        bad += conn_send(&conns_a[i], line) < 0;
    }
    for (int busy = nconn; busy > 0 && bad == 0;) {
        for (int s = 0; s < 2; s++)
            for (int i = 0; i < nconn; i++)
                fds[s * nconn + i] = (struct pollfd){.fd = svc[s].conns[i].rep_r, .events = POLLIN};
        int r = poll(fds, 2 * nconn, -1);
        if (r == -EINTR) // a mode request for us: poll again
            continue;
        if (r < 0)
            break;
        int now_bucket = (int)((uptime() - t0) / (unsigned int)bucket_ms);
        for (; bucket < now_bucket && bucket < nbuckets; bucket++) { // a bucket ended
            sample(&svc[0]);
            sample(&svc[1]);
        }
        if (phase == 0 && now_bucket >= nbuckets / 2) { // the load moves to B
            phase = 1;
            for (int i = 0; i < nconn; i++, busy++) {
                make_request(line, sizeof(line), seq++, &key[1][i]);
                bad += conn_send(&conns_b[i], line) < 0;
            }
        }
        for (int k = 0; k < 2 * nconn; k++) {
            int s = k / nconn, i = k % nconn;
            struct conn *c = &svc[s].conns[i];
            if (!fds[k].revents)
                continue;
            int r = conn_recv_some(c);
            if (r == 0)
                continue;
            if (r < 0 || !reply_ok(c, key[s][i])) {
                bad++;
                continue;
            }
            if (now_bucket < nbuckets) {
                per_bucket[now_bucket]++;
                *(now_bucket < nbuckets / 2 ? &first : &second) += 1;
            }
            if (s == phase && now_bucket < nbuckets) { // still this service's turn: next request
                make_request(line, sizeof(line), seq++, &key[s][i]);
                bad += conn_send(c, line) < 0;
            } else {
                busy--;
            }
        }
    }
    int mgr_st = 0;
    bad += stop_all(svc, 2, mgr, &mgr_st);
    if (mgr > 0 && !(WIFKILLED(mgr_st) && WKILLVEC(mgr_st) == KILLED_BY_KILL)) {
        // it ended on its own (127: no /bin/modemgr): the figures had no manager
        eprintf("scenario: the mode manager ended with status 0x%x before it was killed; "
                "no results for policy=modemgr\n", mgr_st);
        return -1;
    }
    const char *pn = policy_name[pol];
    for (int b = 0; b < nbuckets && !quiet; b++)
        printf("SCEN policy=%s round=%d bucket=%d reqs=%u\n", pn, round, b, per_bucket[b]);
    for (int s = 0; s < 2; s++)
        printf("SCEN policy=%s round=%d service=%s pageins_smode=%u pageins_umode=%u "
               "pageins_switching=%u\n", pn, round, svc[s].label, svc[s].pageins[0], svc[s].pageins[1], svc[s].pageins[2]);
    printf("SCEN policy=%s round=%d total=%u first=%u second=%u bad=%d\n", pn, round,
           first + second, first, second, bad);
    return bad;
}

int
main(int argc, char **argv)
{
    int only = -1, rounds = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (strcmp(a, "-p") == 0 && more) {
            a = argv[++i];
            only = -2;
            for (int p = 0; p < NPOLICY; p++)
                if (strcmp(a, policy_name[p]) == 0)
                    only = p;
            if (strcmp(a, "all") == 0)
                only = -1;
        } else if (strcmp(a, "-t") == 0 && more) {
            nbuckets = atoi(argv[++i]);
        } else if (strcmp(a, "-ms") == 0 && more) {
            bucket_ms = atoi(argv[++i]);
        } else if (strcmp(a, "-k") == 0 && more) {
            kv_kib = atoi(argv[++i]);
        } else if (strcmp(a, "-c") == 0 && more) {
            nconn = atoi(argv[++i]);
        } else if (strcmp(a, "-mp") == 0 && more) {
            mgr_ms = atoi(argv[++i]);
        } else if (strcmp(a, "-r") == 0 && more) {
            rounds = atoi(argv[++i]);
        } else if (strcmp(a, "-q") == 0) {
            quiet = 1;
        } else {
            only = -2;
        }
    }
    if (only == -2 || nbuckets < 2 || nbuckets > MAXBUCKETS || bucket_ms < 10 || kv_kib < 4 ||
        nconn < 1 || nconn > SRV_MAXCONN || rounds < 1 || mgr_ms < 10) {
        eprintf("usage: scenario [-p all|umode|fixed|modemgr] [-t 2..%d] [-ms MS] [-k KIB] "
                "[-c 1..%d] [-r ROUNDS] [-mp MS] [-q]\n", MAXBUCKETS, SRV_MAXCONN);
        return 2;
    }
    nkeys = kv_initial_keys((unsigned int)kv_kib);
    int r = srv_make_file(64);
    if (r < 0) {
        eprintf("scenario: /srv/f64: %s\n", strerror(-r));
        return 1;
    }
    printf("SCEN buckets=%d ms=%d kib=%d conns=%d rounds=%d modemgr_ms=%d\n", nbuckets,
           bucket_ms, kv_kib, nconn, rounds, mgr_ms);
    int bad = 0;
    for (round = 0; round < rounds; round++)
        for (int k = 0; k < NPOLICY; k++) {
            int p = (k + round) % NPOLICY;
            if (only < 0 || only == p)
                bad += run(p) != 0;
        }
    printf("SCEN done bad=%d\n", bad);
    return bad != 0;
}
