// t_tcpecho: TCP over the loopback interface (127.0.0.1), a mebibyte each
// way. A child echoes every byte it reads back to its sender; the parent
// connects without blocking (SOCK_NONBLOCK: connect says -EINPROGRESS, poll
// says POLLOUT once it is up) and sends a pseudo-random pattern while it
// reads the echo, each byte checked against the pattern as it arrives (a
// write may be short: the rest waits for the next POLLOUT). Both ends
// checksum what they saw (FNV-1a); the echo's figure comes back through a
// pipe. Afterwards every packet buffer is back in the pool (netstat): a
// connection in TIME_WAIT keeps its table entry but no buffer.
// Runs in either mode: cases.ini boots it as Umode and, through /bin/smode,
// as Smode.
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_tcpecho"
#include "testlib.h"

#define TOTAL (1024 * 1024)
#define PORT 7007
#define CHUNK 4096
#define SEED 0x2545F491u
#define FNV_START 2166136261u
#define FNV_PRIME 16777619u

// The pattern: a xorshift32 sequence, one byte of each step.
static unsigned char
pattern_next(unsigned int *state)
{
    unsigned int x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return (unsigned char)(x >> 11);
}

static unsigned int
fnv(unsigned int h, const unsigned char *p, int n)
{
    for (int i = 0; i < n; i++)
        h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

// What the echo saw, sent to the parent through a pipe.
struct echo_report {
    unsigned int bytes, sum;
    int err; // 0, or the failed call's negative errno
};

// The child: accept one connection on lfd, send back everything it reads
// until end of file, report on fd out. Never returns.
static void __attribute__((noreturn))
echo_server(int lfd, int out)
{
    static unsigned char buf[CHUNK];
    struct echo_report rep = {0, FNV_START, 0};
    int fd = accept(lfd, 0, 0);
    close(lfd);
    if (fd < 0)
        rep.err = fd;
    while (fd >= 0) {
        int n = read(fd, buf, sizeof(buf));
        if (n <= 0) {
            rep.err = n;
            break;
        }
        rep.bytes += (unsigned int)n;
        rep.sum = fnv(rep.sum, buf, n);
        int w = write_all(fd, buf, (size_t)n);
        if (w < 0) {
            rep.err = w;
            break;
        }
    }
    close(fd);
    write(out, &rep, sizeof(rep));
    _exit(0);
}

// The client's side of the transfer, on a non-blocking socket.
struct client {
    int fd;
    unsigned int sent, got;        // bytes written, bytes read
    unsigned int tx_state, rx_state; // the pattern generator of each direction
    unsigned int tx_sum, rx_sum;
    unsigned char out[CHUNK];
    int out_off, out_len;
};

// POLLOUT: one write (refilling the chunk from the pattern when it is spent).
static void
client_send(struct client *c)
{
    if (c->out_off == c->out_len) {
        int n = TOTAL - c->sent < CHUNK ? TOTAL - c->sent : CHUNK;
        for (int i = 0; i < n; i++)
            c->out[i] = pattern_next(&c->tx_state);
        c->out_off = 0;
        c->out_len = n;
    }
    int w = write(c->fd, c->out + c->out_off, (size_t)(c->out_len - c->out_off));
    if (w == -EAGAIN)
        return;
    CHECK(w > 0, "write after %u bytes: %d", c->sent, w);
    c->tx_sum = fnv(c->tx_sum, c->out + c->out_off, w);
    c->out_off += w;
    c->sent += (unsigned int)w;
    if (c->sent == TOTAL)
        CHECK(shutdown(c->fd, SHUT_WR) == 0, "shutdown(SHUT_WR)");
}

// POLLIN: one read, every byte checked against the pattern.
static void
client_recv(struct client *c)
{
    static unsigned char buf[CHUNK];
    int n = read(c->fd, buf, sizeof(buf));
    if (n == -EAGAIN)
        return;
    CHECK(n > 0, "read after %u bytes: %d", c->got, n);
    for (int i = 0; i < n; i++) {
        unsigned char want = pattern_next(&c->rx_state);
        CHECK(buf[i] == want, "echoed byte %u is 0x%x, sent 0x%x", c->got + i, buf[i], want);
    }
    c->rx_sum = fnv(c->rx_sum, buf, n);
    c->got += (unsigned int)n;
}

// Connect without blocking: -EINPROGRESS (or at once), then POLLOUT.
static int
connect_nonblocking(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(fd >= 0, "socket: %d", fd);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT),
                            .sin_addr = htonl(INADDR_LOOPBACK)};
    int r = connect(fd, &a, sizeof(a));
    CHECK(r == -EINPROGRESS || r == 0, "non-blocking connect: %d", r);
    struct pollfd p = {fd, POLLOUT, 0};
    while ((r = poll(&p, 1, -1)) == -EINTR)
        ;
    CHECK(r == 1 && p.revents == POLLOUT, "connect: poll %d, revents 0x%x", r, p.revents);
    return fd;
}

// Free packet buffers now.
static unsigned int
pool_free(void)
{
    struct netstat ns;
    CHECK(netstat(&ns) == 0, "netstat");
    return ns.pool_free;
}

int
main(void)
{
    printf("t_tcpecho: %s\n", current_mode() == MODE_SMODE ? "Smode" : "Umode");
    unsigned int free_before = pool_free();
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(lfd >= 0, "socket: %d", lfd);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT),
                            .sin_addr = htonl(INADDR_LOOPBACK)};
    CHECK(bind(lfd, &a, sizeof(a)) == 0, "bind 127.0.0.1:%d", PORT);
    CHECK(listen(lfd, 1) == 0, "listen");
    int rep_pipe[2];
    CHECK(pipe(rep_pipe) == 0, "pipe");
    int pid = fork();
    CHECK(pid >= 0, "fork: %d", pid);
    if (pid == 0) {
        close(rep_pipe[0]);
        echo_server(lfd, rep_pipe[1]);
    }
    close(lfd);
    close(rep_pipe[1]);

    static struct client c;
    c.fd = connect_nonblocking();
    c.tx_state = c.rx_state = SEED;
    c.tx_sum = c.rx_sum = FNV_START;
    while (c.got < TOTAL) {
        struct pollfd p = {c.fd, (short)(POLLIN | (c.sent < TOTAL ? POLLOUT : 0)), 0};
        int r = poll(&p, 1, -1);
        if (r == -EINTR)
            continue;
        CHECK(r == 1, "poll: %d", r);
        CHECK(!(p.revents & (POLLERR | POLLNVAL)), "poll: revents 0x%x", p.revents);
        if ((p.revents & POLLOUT) && c.sent < TOTAL)
            client_send(&c);
        if (p.revents & (POLLIN | POLLHUP))
            client_recv(&c);
    }
    struct pollfd p = {c.fd, POLLIN, 0};
    char x;
    int r;
    while ((r = read(c.fd, &x, 1)) == -EAGAIN)
        poll(&p, 1, -1);
    CHECK(r == 0, "end of file after the echo: %d", r);
    CHECK(close(c.fd) == 0, "close");

    struct echo_report rep;
    CHECK(read(rep_pipe[0], &rep, sizeof(rep)) == sizeof(rep), "the echo's report");
    CHECK(wait_child(pid) == 0, "the echo's status");
    CHECK(rep.err == 0, "the echo failed: %d", rep.err);
    CHECK(rep.bytes == TOTAL && c.got == TOTAL, "bytes: echo read %u, client read %u", rep.bytes,
          c.got);
    CHECK(rep.sum == c.tx_sum && c.rx_sum == c.tx_sum,
          "checksums: sent 0x%x, echo read 0x%x, echoed back 0x%x", c.tx_sum, rep.sum, c.rx_sum);
    printf("t_tcpecho: %d bytes each way, checksums equal (0x%x)\n", TOTAL, c.tx_sum);

    // The closes' last segments may still be on their way: wait for the pool.
    unsigned int now = pool_free();
    for (int i = 0; i < 200 && now != free_before; i++) {
        msleep(50);
        now = pool_free();
    }
    CHECK(now == free_before, "packet buffers free: %u before, %u after the close", free_before,
          now);
    printf("t_tcpecho: all %u packet buffers back in the pool\n", now);
    pass();
}
