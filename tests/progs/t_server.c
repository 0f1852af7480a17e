// t_server: the file server (user/fileserver.c) answers every request
// correctly, in Umode and in Smode, with 1, 4 and 16 connections: files of
// 64 B and 4 KiB (opened, read and closed per request), the key-value store,
// errors for a missing file, a missing key and a malformed request. Clients
// that die mid-request (half a request line, or a 4 KiB reply never read)
// cost only their own connection: the others go on, and the server exits 0
// once all are closed. srv_spawn refuses what would overflow its argv.
//   t_server          the whole test
//   t_server quick    one pass with 4 connections (for Bochs)
#include "../../user/fsproto.h"

#define TEST_NAME "t_server"
#include "testlib.h"

static struct conn conns[SRV_MAXCONN];

static void
expect_file(struct conn *c, int size)
{
    char line[32];
    snprintf(line, sizeof(line), "GET /srv/f%d\n", size);
    int r = conn_call(c, line);
    CHECK(r == 1 && srv_body_is_file(c, size), "GET /srv/f%d: %d, body %d", size, r, c->body);
}

static void
expect_reply(struct conn *c, const char *req, int body, const char *want)
{
    int r = conn_call(c, req);
    CHECK(r == 1 && c->body == body, "%s-> %d, body %d, expected %d", req, r, c->body, body);
    if (want)
        CHECK(memcmp(c->buf + c->hdr, want, body) == 0, "%s: wrong value", req);
}

static void
wait_server(int pid)
{
    int st = wait_child(pid);
    CHECK(st == 0, "the server exited with status %d", st);
}

// n connections, the server in Smode if smode: every kind of request on
// every connection, with several requests outstanding at once.
static void
serve_all(int n, int smode)
{
    static const char *const opt_s[] = {"-S", "-k", "64", 0}, *const opt_u[] = {"-k", "64", 0};
    CHECK(conn_open(conns, n) == 0, "conn_open %d", n);
    int pid = srv_spawn(conns, n, smode ? opt_s : opt_u);
    CHECK(pid > 0, "spawn");
    for (int i = 0; i < n; i++) {
        expect_file(&conns[i], 64);
        expect_file(&conns[i], 4096);
        char req[64], val[32];
        snprintf(val, sizeof(val), "v%d-%d", i, smode);
        snprintf(req, sizeof(req), "KSET key%d %s\n", i, val);
        expect_reply(&conns[i], req, 0, 0);
    }
    struct procinfo pi;
    CHECK(modeinfo(pid, &pi) == 0 && pi.mode == (smode ? MODE_SMODE : MODE_UMODE),
          "server mode %d, expected %d", pi.mode, smode);
    for (int i = 0; i < n; i++) { // each value from another connection than set it
        char req[64], val[32];
        int j = (i + 1) % n;
        snprintf(val, sizeof(val), "v%d-%d", j, smode);
        snprintf(req, sizeof(req), "KGET key%d\n", j);
        expect_reply(&conns[i], req, (int)strlen(val), val);
        kv_initial_value(val, sizeof(val), 100 + i); // -k 64 fills k0..k127
        snprintf(req, sizeof(req), "KGET k%d\n", 100 + i);
        expect_reply(&conns[i], req, (int)strlen(val), val);
    }
    // all connections at once: every request sent before any reply is read
    for (int i = 0; i < n; i++)
        CHECK(conn_send(&conns[i], i % 2 ? "GET /srv/f4096\n" : "GET /srv/f64\n") == 0, "send");
    for (int i = 0; i < n; i++) {
        int r;
        while ((r = conn_recv_some(&conns[i])) == 0)
            ;
        CHECK(r == 1 && srv_body_is_file(&conns[i], i % 2 ? 4096 : 64), "concurrent GET %d", i);
    }
    expect_reply(&conns[0], "GET /srv/none\n", -ENOENT, 0);
    expect_reply(&conns[0], "GET /srv\n", -EISDIR, 0);
    expect_reply(&conns[0], "KGET nokey\n", -ENOENT, 0);
    expect_reply(&conns[0], "HELLO\n", -EINVAL, 0);
    expect_reply(&conns[0], "KSET onlykey\n", -EINVAL, 0);
    expect_file(&conns[0], 64); // still fine after the errors
    for (int i = 0; i < n; i++) {
        close(conns[i].req_w);
        close(conns[i].rep_r);
    }
    wait_server(pid);
}

// A client process on connection 0 that dies mid-request; the parent goes
// on with connection 1. how: 0 = half a request line, then killed;
// 1 = a GET of 4 KiB, then exit without reading the reply.
static void
client_dies(int how, int smode)
{
    static const char *const opt_s[] = {"-S", 0};
    CHECK(conn_open(conns, 2) == 0, "conn_open 2");
    int srv = srv_spawn(conns, 2, smode ? opt_s : 0);
    CHECK(srv > 0, "spawn");
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    int child = fork();
    CHECK(child >= 0, "fork");
    if (child == 0) {
        close(p[0]);
        close(conns[1].req_w);
        close(conns[1].rep_r);
        const char *req = how == 0 ? "GET /srv/f40" : "GET /srv/f4096\n";
        write(conns[0].req_w, req, strlen(req));
        write(p[1], "s", 1); // sent
        if (how == 0)
            for (;;)
                msleep(1000); // killed here, mid-request
        _exit(0);
    }
    close(p[1]);
    close(conns[0].req_w); // only the child holds connection 0 now
    close(conns[0].rep_r);
    char c;
    CHECK(read(p[0], &c, 1) == 1, "the client did not send");
    close(p[0]);
    if (how == 0)
        CHECK(kill(child) == 0, "kill the client");
    int st = wait_child(child);
    CHECK(how == 0 ? WIFKILLED(st) : st == 0, "client status %d", st);
    for (int i = 0; i < 20; i++) // the other connection is served throughout
        expect_file(&conns[1], i % 2 ? 4096 : 64);
    close(conns[1].req_w);
    close(conns[1].rep_r);
    wait_server(srv);
}

// srv_spawn refuses more connections than a server takes (SRV_MAXCONN:
// its argv and pair strings have room for no more) and more options than
// SRV_MAXOPTS, with -EINVAL and no child started.
static void
spawn_refuses(void)
{
    static struct conn many[SRV_MAXCONN + 1];
    for (int i = 0; i < SRV_MAXCONN + 1; i++) // no pipes: closing them is harmless
        many[i].req_w = many[i].rep_r = many[i].srv_r = many[i].srv_w = -1;
    int r = srv_spawn(many, SRV_MAXCONN + 1, 0);
    CHECK(r == -EINVAL, "srv_spawn of %d connections: %d, expected -EINVAL", SRV_MAXCONN + 1, r);
    const char *opts[SRV_MAXOPTS + 2];
    for (int i = 0; i < SRV_MAXOPTS + 1; i++)
        opts[i] = "-v";
    opts[SRV_MAXOPTS + 1] = 0;
    r = srv_spawn(many, 1, opts);
    CHECK(r == -EINVAL, "srv_spawn with %d options: %d, expected -EINVAL", SRV_MAXOPTS + 1, r);
    CHECK(wait(0) == -ECHILD, "srv_spawn started a server it refused");
}

int
main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
    CHECK(srv_make_file(64) == 0 && srv_make_file(4096) == 0, "make the files");
    spawn_refuses();
    printf("t_server: srv_spawn refuses too many connections or options\n");
    static const int ns[] = {1, 4, 16};
    for (int smode = 0; smode < 2; smode++) {
        for (int k = quick ? 1 : 0; k < (quick ? 2 : 3); k++) {
            serve_all(ns[k], smode);
            printf("t_server: %s, %d connections: every reply right\n",
                   smode ? "Smode" : "Umode", ns[k]);
        }
        for (int how = 0; how < 2; how++) {
            client_dies(how, smode);
            printf("t_server: %s: a client %s; the others were served\n",
                   smode ? "Smode" : "Umode",
                   how ? "left without reading its reply" : "was killed mid-request");
        }
    }
    pass();
}
