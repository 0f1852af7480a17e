// The network stack over loopback (127.0.0.1), no card needed: UDP there and
// back, a TCP connection opened, used both ways and closed by each side in
// turn, a refused connect, and the packet pool back to its starting count.
#define TEST_NAME "t_loopback"
#include "testlib.h"
#include <string.h>

static struct sockaddr_in
loop_addr(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                            .sin_addr = htonl(INADDR_LOOPBACK)};
    return a;
}

static void
udp_round_trip(void)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(a >= 0 && b >= 0, "udp socket: %d %d", a, b);
    struct sockaddr_in sa = loop_addr(7000), from;
    CHECK(bind(a, &sa, sizeof(sa)) == 0, "udp bind");
    CHECK(sendto(b, "ping", 4, &sa, sizeof(sa)) == 4, "udp sendto");
    char buf[16];
    int len = sizeof(from);
    int n = recvfrom(a, buf, sizeof(buf), &from, &len);
    CHECK(n == 4 && memcmp(buf, "ping", 4) == 0, "udp recvfrom: %d", n);
    CHECK(sendto(a, "pong", 4, &from, sizeof(from)) == 4, "udp reply");
    CHECK(read(b, buf, sizeof(buf)) == 4 && memcmp(buf, "pong", 4) == 0, "udp reply read");
    close(a);
    close(b);
    printf("t_loopback: UDP there and back\n");
}

// One connection: the client sends msg, the server echoes it, then `first`
// (0 client, 1 server) closes first and the other sees end of file.
static void
tcp_once(int lfd, int first)
{
    struct sockaddr_in sa = loop_addr(8000);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(c >= 0, "tcp socket: %d", c);
    CHECK(connect(c, &sa, sizeof(sa)) == 0, "connect");
    int s = accept(lfd, 0, 0);
    CHECK(s >= 0, "accept: %d", s);
    char buf[64];
    CHECK(write(c, "hello, server", 13) == 13, "client write");
    int n = read(s, buf, sizeof(buf));
    CHECK(n == 13 && memcmp(buf, "hello, server", 13) == 0, "server read: %d", n);
    CHECK(write(s, buf, n) == n, "server write");
    CHECK(read(c, buf, sizeof(buf)) == 13, "client read");
    int a = first ? s : c, b = first ? c : s;
    close(a);
    CHECK(read(b, buf, sizeof(buf)) == 0, "end of file after the other side's close");
    close(b);
}

int
main(void)
{
    struct netstat before, after;
    CHECK(netstat(&before) == 0, "netstat");
    udp_round_trip();
    struct sockaddr_in sa = loop_addr(8000);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(l >= 0, "socket: %d", l);
    CHECK(bind(l, &sa, sizeof(sa)) == 0, "bind");
    CHECK(listen(l, 4) == 0, "listen");
    tcp_once(l, 0);
    tcp_once(l, 1);
    printf("t_loopback: TCP echo, closed by the client, then by the server\n");
    struct sockaddr_in closed = loop_addr(8001);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    int r = connect(c, &closed, sizeof(closed));
    CHECK(r == -ECONNREFUSED, "connect to a closed port: %d", r);
    close(c);
    close(l);
    CHECK(netstat(&after) == 0, "netstat");
    CHECK(after.pool_free == before.pool_free, "pool: %u free before, %u after", before.pool_free,
          after.pool_free);
    printf("t_loopback: pool %u of %u free, as before\n", after.pool_free, after.pool_bufs);
    pass();
}
