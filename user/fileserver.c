// fileserver: a request/response server over pipes, in the spirit of a
// static web server (protocol: user/fsproto.h, docs/workloads.md). It
// waits on all its connections with poll(), and for every GET opens, reads
// and closes the file, as a web server does; KSET/KGET serve a small
// key-value store in its own memory.
//
// usage: fileserver [-S] [-k KIB] [-v] R:W ...
//   R:W    the descriptors of one connection: read requests from R, write
//          replies to W (srv_spawn in fsproto.h passes them)
//   -S     become Smode at once (switch_supervisor(0)); else stay as started
//   -k KIB a key-value store of KIB KiB, filled with keys k0, k1, ... (half
//          its slots) so that every page of it is in use
//   -v     print a line when a connection closes or misbehaves
// It exits 0 when every connection is closed, printing its counts.
#include "fsproto.h"

struct kvslot {
    char key[KV_KEY];     // "" for a free slot
    unsigned short len;
    char val[KV_VAL];
};
_Static_assert(sizeof(struct kvslot) == KV_SLOT, "kv_initial_keys counts slots of KV_SLOT bytes");

struct client {
    int r, w;             // -1 once closed
    char in[SRV_MAXREQ];  // the request line as it arrives
    int have;
};

static struct client clients[SRV_MAXCONN];
static struct kvslot *store;
static unsigned int nslots;
static int verbose;
static unsigned int served, errors;
static char reply[SRV_MAXBODY + 32];

static unsigned int
hash(const char *s)
{
    unsigned int h = 2166136261u; // FNV-1a
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

// The slot for key: the one holding it, else the free one where it would
// go (linear probing), or 0 if the store is full or missing.
static struct kvslot *
kv_slot(const char *key)
{
    for (unsigned int i = 0, h = hash(key); i < nslots; i++) {
        struct kvslot *s = &store[(h + i) % nslots];
        if (s->key[0] == 0 || strcmp(s->key, key) == 0)
            return s;
    }
    return 0;
}

// Make a store of kib KiB holding keys k0.. (kv_initial_keys: half its
// slots). 0 or -ENOMEM.
static int
kv_init(unsigned int kib)
{
    nslots = kib * 1024 / sizeof(struct kvslot);
    store = nslots ? calloc(nslots, sizeof(struct kvslot)) : 0;
    if (nslots && !store)
        return -ENOMEM;
    for (unsigned int i = 0; i < kv_initial_keys(kib); i++) {
        char key[KV_KEY];
        snprintf(key, sizeof(key), "k%u", i);
        struct kvslot *s = kv_slot(key);
        strcpy(s->key, key);
        kv_initial_value(s->val, KV_VAL, (int)i);
        s->len = (unsigned short)strlen(s->val);
    }
    return 0;
}

// Put "ERR e\n" in reply; its length.
static int
err_reply(int e)
{
    errors++;
    return snprintf(reply, sizeof(reply), "ERR %d\n", e < 0 ? -e : e);
}

// Put "OK n\n" and the n body bytes at body in reply; its length.
static int
ok_reply(const char *body, int n)
{
    int h = snprintf(reply, sizeof(reply), "OK %d\n", n);
    memcpy(reply + h, body, n);
    return h + n;
}

// GET path: open, fstat, read, close, every time. The reply's length.
static int
serve_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return err_reply(fd);
    struct stat st;
    int r = fstat(fd, &st);
    if (r == 0 && (st.type != T_FILE || st.size > SRV_MAXBODY))
        r = st.type != T_FILE ? -EISDIR : -E2BIG;
    int h = 0, got = 0;
    if (r == 0) {
        h = snprintf(reply, sizeof(reply), "OK %u\n", st.size);
        while (got < (int)st.size && (r = read(fd, reply + h + got, st.size - got)) > 0)
            got += r;
        if (r >= 0 && got < (int)st.size)
            r = -EIO; // the file shrank under us
    }
    close(fd);
    return r < 0 ? err_reply(r) : h + got;
}

// One request line (NUL-terminated, without its newline): the reply's length.
static int
serve(char *line)
{
    if (strncmp(line, "GET ", 4) == 0)
        return serve_file(line + 4);
    if (strncmp(line, "KGET ", 5) == 0 || strncmp(line, "KSET ", 5) == 0) {
        char *key = line + 5, *val = strchr(key, ' ');
        int set = line[1] == 'S';
        if (set != (val != 0))
            return err_reply(EINVAL);
        if (val)
            *val++ = 0;
        if (!key[0] || strlen(key) >= KV_KEY || (val && strlen(val) >= KV_VAL))
            return err_reply(EINVAL);
        struct kvslot *s = kv_slot(key);
        if (!set)
            return s && s->key[0] ? ok_reply(s->val, s->len) : err_reply(ENOENT);
        if (!s)
            return err_reply(ENOSPC);
        strcpy(s->key, key);
        strcpy(s->val, val);
        s->len = (unsigned short)strlen(val);
        return ok_reply("", 0);
    }
    return err_reply(EINVAL);
}

static void
drop(struct client *c, const char *why)
{
    if (verbose)
        printf("fileserver: connection %d:%d closed (%s)\n", c->r, c->w, why);
    close(c->r);
    close(c->w);
    c->r = c->w = -1;
}

// Read what client c sent and answer every complete line in it. A client
// that closed, sent a line too long, or stopped reading its replies (-EPIPE:
// it died) is dropped; the server goes on with the others.
static void
on_readable(struct client *c)
{
    int r = read(c->r, c->in + c->have, sizeof(c->in) - c->have);
    if (r <= 0) {
        drop(c, r == 0 ? (c->have ? "end of file mid-request" : "end of file") : strerror(-r));
        return;
    }
    c->have += r;
    for (;;) {
        char *nl = 0;
        for (int i = 0; i < c->have && !nl; i++)
            if (c->in[i] == '\n')
                nl = &c->in[i];
        if (!nl) {
            if (c->have == (int)sizeof(c->in))
                drop(c, "request line too long");
            return;
        }
        *nl = 0;
        int n = serve(c->in);
        int used = (int)(nl - c->in) + 1;
        memmove(c->in, nl + 1, c->have - used);
        c->have -= used;
        served++;
        if ((r = write_all(c->w, reply, n)) < 0) {
            drop(c, r == -EPIPE ? "client gone before its reply" : strerror(-r));
            return;
        }
    }
}

int
main(int argc, char **argv)
{
    int smode = 0, n = 0;
    unsigned int kib = 0;
    for (int i = 1; i < argc; i++) {
        char *colon = strchr(argv[i], ':');
        if (strcmp(argv[i], "-S") == 0) {
            smode = 1;
        } else if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
        } else if (strcmp(argv[i], "-k") == 0 && i + 1 < argc) {
            kib = (unsigned int)atoi(argv[++i]);
        } else if (colon && n < SRV_MAXCONN) {
            clients[n].r = atoi(argv[i]);
            clients[n++].w = atoi(colon + 1);
        } else {
            eprintf("usage: fileserver [-S] [-k KIB] [-v] R:W ... (at most %d)\n", SRV_MAXCONN);
            return 1;
        }
    }
    if (kv_init(kib) < 0) {
        eprintf("fileserver: no memory for a %u KiB store\n", kib);
        return 1;
    }
    if (smode) {
        int r = switch_supervisor(0);
        if (r < 0)
            eprintf("fileserver: staying Umode: switch_supervisor: %s\n", strerror(-r));
    }
    struct pollfd fds[SRV_MAXCONN];
    for (;;) {
        int live = 0;
        for (int i = 0; i < n; i++) {
            fds[i] = (struct pollfd){.fd = clients[i].r, .events = POLLIN};
            live += clients[i].r >= 0;
        }
        if (!live)
            break;
        int r = poll(fds, n, -1);
        if (r == -EINTR) // a mode switch was requested: it has been applied, go on
            continue;
        if (r < 0) {
            eprintf("fileserver: poll: %s\n", strerror(-r));
            return 1;
        }
        for (int i = 0; i < n; i++)
            if (fds[i].revents)
                on_readable(&clients[i]);
    }
    if (verbose)
        printf("fileserver: served %u requests, %u errors\n", served, errors);
    return 0;
}
