// The file server's protocol, and the client's side of a connection. Served
// by user/fileserver.c; used by user/loadgen.c, user/scenario.c and
// tests/progs/t_server.c (docs/workloads.md describes it).
//
// A connection is two pipes: requests flow client -> server, replies
// server -> client. The client forks the server (srv_spawn), which gets the
// server's ends of every connection as "R:W" descriptor pairs in its argv.
// One request per line, one reply per request, in order:
//   GET /path          the file's bytes (opened, read, closed per request)
//   KSET key value     store value under key (key up to KV_KEY-1 bytes)
//   KGET key           the value stored under key
// Reply: "OK <len>\n" and len bytes of body, or "ERR <errno>\n".
// A client sends a request only when the previous reply has arrived, so a
// request pipe never holds more than one request and its write never blocks.
#ifndef FSPROTO_H
#define FSPROTO_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SRV_MAXCONN 16    // connections one server takes (32 pipe ends)
#define SRV_MAXREQ 256    // longest request line, with its newline
#define SRV_MAXBODY 8192  // largest reply body a client accepts
#define KV_KEY 32         // key bytes in a store slot, with the NUL
#define KV_VAL 222        // value bytes in a store slot
#define KV_SLOT 256       // bytes of a store slot (key, length, value)

struct conn {
    int req_w, rep_r;     // the client's ends: write requests, read replies
    int srv_r, srv_w;     // the server's ends (closed in the client once spawned)
    char buf[SRV_MAXBODY + 32];
    int have;             // bytes of the current reply in buf
    int hdr;              // length of its "OK n\n" header once seen, else 0
    int body;             // its body length (-errno for an ERR reply)
};

// Closes both ends of each of the n connections c.
static inline void
conn_close_all(struct conn *c, int n)
{
    for (int i = 0; i < n; i++) {
        close(c[i].req_w);
        close(c[i].rep_r);
        close(c[i].srv_r);
        close(c[i].srv_w);
    }
}

// Make the pipes of n connections. 0, or a negative errno (all closed again).
static inline int
conn_open(struct conn *c, int n)
{
    for (int i = 0; i < n; i++) {
        int req[2], rep[2];
        int r = pipe(req);
        if (r == 0 && (r = pipe(rep)) < 0) {
            close(req[0]);
            close(req[1]);
        }
        if (r < 0) {
            conn_close_all(c, i);
            return r;
        }
        c[i] = (struct conn){.req_w = req[1], .rep_r = rep[0], .srv_r = req[0], .srv_w = rep[1]};
    }
    return 0;
}

#define SRV_MAXOPTS 12    // options srv_spawn passes on before the pairs

// Fork /bin/fileserver serving the n connections c (n <= SRV_MAXCONN), with
// the options in opts (a NULL-terminated list of at most SRV_MAXOPTS, or
// NULL). Returns its pid (the server's ends are then closed here) or a
// negative errno (-EINVAL for too many connections or options; every end
// of the n connections is closed then).
static inline int
srv_spawn(struct conn *c, int n, const char *const *opts)
{
    int nopts = 0;
    while (opts && opts[nopts])
        nopts++;
    int pid = n < 0 || n > SRV_MAXCONN || nopts > SRV_MAXOPTS ? -EINVAL : fork();
    if (pid < 0) {
        conn_close_all(c, n < 0 ? 0 : n);
        return pid;
    }
    if (pid == 0) {
        static char pairs[SRV_MAXCONN][16];
        char *argv[1 + SRV_MAXOPTS + SRV_MAXCONN + 1]; // name, options, pairs, NULL
        int a = 0;
        argv[a++] = "fileserver";
        for (int i = 0; i < nopts; i++)
            argv[a++] = (char *)opts[i];
        for (int i = 0; i < n; i++) {
            close(c[i].req_w);
            close(c[i].rep_r);
            snprintf(pairs[i], sizeof(pairs[i]), "%d:%d", c[i].srv_r, c[i].srv_w);
            argv[a++] = pairs[i];
        }
        argv[a] = 0;
        exec("/bin/fileserver", argv);
        eprintf("srv_spawn: exec /bin/fileserver failed\n");
        _exit(127);
    }
    for (int i = 0; i < n; i++) {
        close(c[i].srv_r);
        close(c[i].srv_w);
        c[i].srv_r = c[i].srv_w = -1;
    }
    return pid;
}

// Send one request line (its newline included). 0 or a negative errno.
static inline int
conn_send(struct conn *c, const char *line)
{
    c->have = c->hdr = c->body = 0;
    int n = (int)strlen(line);
    int r = write(c->req_w, line, n);
    return r == n ? 0 : r < 0 ? r : -EPIPE;
}

// Read what has arrived of the current reply (one read: call it when poll
// says POLLIN, or in a loop to block). 1 when the reply is complete (body in
// buf + hdr, length body, or body < 0 for "ERR"), 0 if more is to come,
// -EPIPE if the server closed the connection, -EINVAL for a malformed reply.
static inline int
conn_recv_some(struct conn *c)
{
    int want = c->hdr ? c->hdr + c->body - c->have : (int)sizeof(c->buf) - 1 - c->have;
    if (want > 0) {
        int r = read(c->rep_r, c->buf + c->have, want);
        if (r <= 0)
            return r == 0 ? -EPIPE : r;
        c->have += r;
    }
    if (!c->hdr) {
        int nl = 0;
        while (nl < c->have && c->buf[nl] != '\n')
            nl++;
        if (nl == c->have)
            return c->have >= 32 ? -EINVAL : 0;
        c->buf[nl] = 0;
        if (strncmp(c->buf, "OK ", 3) == 0)
            c->body = atoi(c->buf + 3);
        else if (strncmp(c->buf, "ERR ", 4) == 0)
            c->body = -atoi(c->buf + 4);
        else
            return -EINVAL;
        if (c->body > SRV_MAXBODY)
            return -EINVAL;
        c->hdr = nl + 1;
        if (c->body < 0) // an error has no body
            return c->have == c->hdr ? 1 : -EINVAL;
    }
    if (c->have > c->hdr + c->body)
        return -EINVAL; // more than one reply: the server broke the protocol
    return c->have == c->hdr + c->body;
}

// Send a request and wait for its whole reply: 1, or conn_recv_some's error.
static inline int
conn_call(struct conn *c, const char *line)
{
    int r = conn_send(c, line);
    while (r == 0)
        r = conn_recv_some(c);
    return r;
}

// The content of the test file of size bytes, byte i (GET /srv/f<size>).
static inline char
srv_file_byte(int size, int i)
{
    return (char)('a' + (i * 7 + size) % 26);
}

// Create /srv/f<size> with srv_file_byte's content unless it exists with
// the right size. 0 or a negative errno.
static inline int
srv_make_file(int size)
{
    char path[32];
    struct stat st;
    snprintf(path, sizeof(path), "/srv/f%d", size);
    if (stat(path, &st) == 0 && (int)st.size == size)
        return 0;
    mkdir("/srv"); // may exist
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC);
    if (fd < 0)
        return fd;
    char buf[512];
    int r = 0;
    for (int off = 0; off < size && r >= 0; off += (int)sizeof(buf)) {
        int n = size - off < (int)sizeof(buf) ? size - off : (int)sizeof(buf);
        for (int i = 0; i < n; i++)
            buf[i] = srv_file_byte(size, off + i);
        r = write_all(fd, buf, n);
    }
    close(fd);
    return r < 0 ? r : 0;
}

// Does the completed reply in c carry /srv/f<size>'s bytes?
static inline int
srv_body_is_file(const struct conn *c, int size)
{
    if (c->body != size)
        return 0;
    for (int i = 0; i < size; i++)
        if (c->buf[c->hdr + i] != srv_file_byte(size, i))
            return 0;
    return 1;
}

// How many keys (k0, k1, ...) the server's -k store of kib KiB holds when
// it starts: half its slots, so that every page of the store is in use.
static inline unsigned int
kv_initial_keys(unsigned int kib)
{
    return kib * 1024 / KV_SLOT / 2;
}

// The value the server's -k store holds for key k<i> when it starts.
static inline void
kv_initial_value(char *out, int size, int i)
{
    snprintf(out, size, "value-%d-%08x", i, (unsigned)i * 2654435761u);
}

#endif
