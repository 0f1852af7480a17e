// t_sockerr: the sockets' error codes (docs/net.md), each case one line:
// an unknown address family, socket calls on a pipe and on a closed
// descriptor, bad pointers and lengths, connect to a closed loopback port,
// a port bound twice (and SO_REUSEADDR taking a port whose connection is in
// TIME_WAIT), read and write on a socket never connected, accept on a
// socket that does not listen, listen on UDP, a non-blocking connect
// (-EINPROGRESS, then POLLOUT, then -EISCONN), a UDP round trip on the
// loopback interface, and last a write after the peer closed (-EPIPE, maybe
// after a few accepted writes and one -ECONNRESET: the closed end answers
// data with a reset, as RFC 1122 4.2.2.13 has it).
// Runs in either mode: cases.ini boots it as Umode and, through /bin/smode,
// as Smode.
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_sockerr"
#include "testlib.h"

#define KERNBASE 0xC0000000u
#define BAD_PTR ((void *)KERNBASE) // the kernel's half: never a user buffer
#define PORT_CLOSED 9              // nothing listens there
#define PORT_TWICE 7101
#define PORT_TW 7102
#define PORT_NB 7103
#define PORT_PIPE 7104
#define PORT_UDP_A 7105
#define PORT_UDP_B 7106
#define PORT_FAULT 7107
#define PORT_NOLISTEN 7108

static struct sockaddr_in
loopback(int port)
{
    return (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                                .sin_addr = htonl(INADDR_LOOPBACK)};
}

static int
tcp_socket(int flags)
{
    int fd = socket(AF_INET, SOCK_STREAM | flags, 0);
    CHECK(fd >= 0, "socket: %d", fd);
    return fd;
}

// A socket listening on 127.0.0.1:port (SO_REUSEADDR if reuse).
static int
listener(int port, int reuse)
{
    int fd = tcp_socket(0), one = 1;
    struct sockaddr_in a = loopback(port);
    if (reuse)
        CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0, "SO_REUSEADDR");
    int r = bind(fd, &a, sizeof(a));
    CHECK(r == 0, "bind port %d: %d", port, r);
    CHECK(listen(fd, 4) == 0, "listen port %d", port);
    return fd;
}

// A connected pair over loopback through lfd (listening on port): *cli, *srv.
static void
tcp_pair(int lfd, int port, int *cli, int *srv)
{
    struct sockaddr_in a = loopback(port);
    *cli = tcp_socket(0);
    int r = connect(*cli, &a, sizeof(a));
    CHECK(r == 0, "connect port %d: %d", port, r);
    *srv = accept(lfd, 0, 0);
    CHECK(*srv >= 0, "accept port %d: %d", port, *srv);
}

static void
check_family_and_notsock(void)
{
    int r = socket(99, SOCK_STREAM, 0);
    CHECK(r == -EAFNOSUPPORT, "socket(99, ...): %d", r);
    printf("t_sockerr: socket(99, SOCK_STREAM): -EAFNOSUPPORT\n");

    int p[2], one = 1, len = sizeof(struct sockaddr_in);
    CHECK(pipe(p) == 0, "pipe");
    struct sockaddr_in a = loopback(PORT_PIPE);
    char b[4];
    int rs[] = {bind(p[0], &a, sizeof(a)), listen(p[0], 1), accept(p[0], 0, 0),
                connect(p[1], &a, sizeof(a)), shutdown(p[1], SHUT_RD),
                setsockopt(p[0], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)),
                sendto(p[1], "x", 1, &a, sizeof(a)), recvfrom(p[0], b, 1, 0, 0),
                getsockname(p[0], &a, &len)};
    for (unsigned int i = 0; i < sizeof(rs) / sizeof(rs[0]); i++)
        CHECK(rs[i] == -ENOTSOCK, "socket call %u on a pipe: %d", i, rs[i]);
    close(p[0]);
    close(p[1]);
    CHECK(listen(p[0], 1) == -EBADF && accept(p[1], 0, 0) == -EBADF, "closed descriptor: -EBADF");
    printf("t_sockerr: 9 socket calls on a pipe: -ENOTSOCK; on a closed descriptor: -EBADF\n");
}

static void
check_bad_pointers(void)
{
    int fd = tcp_socket(0), one = 1, len = sizeof(struct sockaddr_in);
    struct sockaddr_in a = loopback(PORT_FAULT);
    CHECK(bind(fd, 0, sizeof(a)) == -EFAULT, "bind(NULL)");
    CHECK(bind(fd, BAD_PTR, sizeof(a)) == -EFAULT, "bind(kernel address)");
    CHECK(connect(fd, BAD_PTR, sizeof(a)) == -EFAULT, "connect(kernel address)");
    CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, BAD_PTR, sizeof(one)) == -EFAULT,
          "setsockopt(kernel address)");
    int r = bind(fd, &a, 4);
    CHECK(r == -EINVAL, "bind with addrlen 4: %d", r);
    CHECK(bind(fd, &a, sizeof(a)) == 0, "bind");
    CHECK(getsockname(fd, BAD_PTR, &len) == -EFAULT, "getsockname(kernel address)");
    CHECK(getsockname(fd, &a, BAD_PTR) == -EFAULT, "getsockname(&a, kernel address)");
    CHECK(netstat(BAD_PTR) == -EFAULT, "netstat(kernel address)");
    CHECK(listen(fd, 1) == 0, "listen");
    int cli, srv;
    tcp_pair(fd, PORT_FAULT, &cli, &srv);
    CHECK(write(cli, BAD_PTR, 16) == -EFAULT, "write(kernel address)");
    CHECK(write(cli, "data", 4) == 4, "write");
    struct pollfd p = {srv, POLLIN, 0};
    while (poll(&p, 1, -1) == -EINTR)
        ;
    CHECK(read(srv, BAD_PTR, 4) == -EFAULT, "read(kernel address) with data waiting");
    close(cli);
    close(srv);
    close(fd);
    printf("t_sockerr: bad pointers: -EFAULT; a short address: -EINVAL\n");
}

static void
check_refused_and_unconnected(void)
{
    int fd = tcp_socket(0);
    struct sockaddr_in a = loopback(PORT_CLOSED);
    char b[4];
    CHECK(read(fd, b, 1) == -ENOTCONN, "read on a socket never connected");
    CHECK(write(fd, "x", 1) == -ENOTCONN, "write on a socket never connected");
    CHECK(shutdown(fd, SHUT_RDWR) == -ENOTCONN, "shutdown on a socket never connected");
    CHECK(accept(fd, 0, 0) == -EINVAL, "accept on a socket that is not listening");
    int r = connect(fd, &a, sizeof(a));
    CHECK(r == -ECONNREFUSED, "connect to closed port %d: %d", PORT_CLOSED, r);
    close(fd);
    printf("t_sockerr: read, write, shutdown unconnected: -ENOTCONN; accept unlistened: -EINVAL; "
           "connect to a closed port: -ECONNREFUSED\n");

    fd = tcp_socket(0);
    a = loopback(PORT_NOLISTEN);
    CHECK(bind(fd, &a, sizeof(a)) == 0, "bind");
    CHECK(accept(fd, 0, 0) == -EINVAL, "accept on a bound socket that is not listening");
    close(fd);
}

static void
check_bind_twice(void)
{
    int s1 = tcp_socket(0), s2 = tcp_socket(0);
    struct sockaddr_in a = loopback(PORT_TWICE);
    CHECK(bind(s1, &a, sizeof(a)) == 0, "first bind");
    int r = bind(s2, &a, sizeof(a));
    CHECK(r == -EADDRINUSE, "second bind of port %d: %d", PORT_TWICE, r);
    close(s1);
    close(s2);

    // A connection closed first by the server's end leaves that end in
    // TIME_WAIT, on the server's port.
    int lfd = listener(PORT_TW, 0), cli, srv;
    tcp_pair(lfd, PORT_TW, &cli, &srv);
    close(srv);
    char b[4];
    struct pollfd p = {cli, POLLIN, 0};
    while (poll(&p, 1, -1) == -EINTR)
        ;
    CHECK(read(cli, b, 1) == 0, "end of file after the server's close");
    close(cli);
    close(lfd);
    int s3 = tcp_socket(0);
    a = loopback(PORT_TW);
    r = bind(s3, &a, sizeof(a));
    CHECK(r == -EADDRINUSE, "bind over TIME_WAIT without SO_REUSEADDR: %d", r);
    close(s3);
    lfd = listener(PORT_TW, 1); // (CHECKs the bind)
    tcp_pair(lfd, PORT_TW, &cli, &srv);
    CHECK(write(cli, "ok", 2) == 2 && read(srv, b, 2) == 2 && b[0] == 'o', "data over it");
    close(cli);
    close(srv);
    close(lfd);
    printf("t_sockerr: bind twice: -EADDRINUSE; over TIME_WAIT: -EADDRINUSE, with SO_REUSEADDR: "
           "bound and serving\n");
}

static void
check_nonblocking_connect(void)
{
    int lfd = listener(PORT_NB, 0);
    int fd = tcp_socket(SOCK_NONBLOCK);
    struct sockaddr_in a = loopback(PORT_NB);
    int r = connect(fd, &a, sizeof(a));
    CHECK(r == -EINPROGRESS, "non-blocking connect: %d", r);
    struct pollfd p = {fd, POLLOUT, 0};
    while ((r = poll(&p, 1, -1)) == -EINTR)
        ;
    CHECK(r == 1 && p.revents == POLLOUT, "then POLLOUT: poll %d, revents 0x%x", r, p.revents);
    r = connect(fd, &a, sizeof(a)); // (0 is allowed once: the outcome, as Linux gives it)
    CHECK(r == -EISCONN || r == 0, "connect again: %d", r);
    r = connect(fd, &a, sizeof(a));
    CHECK(r == -EISCONN, "connect on a connected socket: %d", r);
    char b[4];
    CHECK(read(fd, b, 1) == -EAGAIN, "non-blocking read with nothing there: -EAGAIN");
    int srv = accept(lfd, 0, 0);
    CHECK(srv >= 0, "accept: %d", srv);
    int nb = tcp_socket(SOCK_NONBLOCK);
    a = loopback(PORT_NB + 100);
    CHECK(bind(nb, &a, sizeof(a)) == 0 && listen(nb, 1) == 0, "a non-blocking listener");
    CHECK(accept(nb, 0, 0) == -EAGAIN, "accept with nobody waiting: -EAGAIN");
    close(nb);
    close(srv);
    close(fd);
    close(lfd);
    printf("t_sockerr: non-blocking connect: -EINPROGRESS, POLLOUT, then -EISCONN; -EAGAIN\n");
}

static void
check_epipe(void)
{
    int lfd = listener(PORT_PIPE, 0), cli, srv;
    tcp_pair(lfd, PORT_PIPE, &cli, &srv);
    close(srv);
    close(lfd);
    int r, writes = 0, resets = 0;
    for (int i = 0; i < 100; i++) {
        r = write(cli, "after the close", 15);
        if (r == -EPIPE)
            break;
        CHECK(r == 15 || r == -ECONNRESET, "write %d after the peer closed: %d", i, r);
        writes += r == 15;
        resets += r == -ECONNRESET;
        msleep(10); // (the peer's reset takes a moment)
    }
    CHECK(r == -EPIPE, "no -EPIPE after 100 writes to a closed peer (last %d)", r);
    struct pollfd p = {cli, POLLOUT, 0};
    CHECK(poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)), "then POLLERR or POLLHUP "
          "(0x%x)", p.revents);
    close(cli);
    printf("t_sockerr: write after the peer closed: -EPIPE (after %d writes, %d resets)\n",
           writes, resets);
}

static void
check_udp(void)
{
    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    CHECK(u1 >= 0 && u2 >= 0, "UDP sockets: %d %d", u1, u2);
    CHECK(listen(u1, 1) == -EOPNOTSUPP, "listen on UDP: -EOPNOTSUPP");
    struct sockaddr_in a1 = loopback(PORT_UDP_A), a2 = loopback(PORT_UDP_B), from;
    CHECK(bind(u1, &a1, sizeof(a1)) == 0 && bind(u2, &a2, sizeof(a2)) == 0, "bind UDP");
    char b[16];
    int len = sizeof(from);
    CHECK(recvfrom(u2, b, sizeof(b), &from, &len) == -EAGAIN, "empty UDP socket: -EAGAIN");
    CHECK(sendto(u2, "ping", 4, &a1, sizeof(a1)) == 4, "sendto");
    memset(&from, 0, sizeof(from));
    int r = recvfrom(u1, b, sizeof(b), &from, &len);
    CHECK(r == 4 && memcmp(b, "ping", 4) == 0, "recvfrom: %d", r);
    CHECK(from.sin_port == htons(PORT_UDP_B) && from.sin_addr == htonl(INADDR_LOOPBACK),
          "from port %d", ntohs(from.sin_port));
    CHECK(sendto(u1, "pong!", 5, &from, sizeof(from)) == 5, "sendto back");
    struct pollfd p = {u2, POLLIN, 0};
    while (poll(&p, 1, -1) == -EINTR)
        ;
    r = recvfrom(u2, b, sizeof(b), 0, 0);
    CHECK(r == 5 && memcmp(b, "pong!", 5) == 0, "recvfrom the answer: %d", r);
    CHECK(sendto(u2, BAD_PTR, 4, &a1, sizeof(a1)) == -EFAULT, "sendto(kernel address)");
    CHECK(sendto(u2, "x", 1, &a1, sizeof(a1)) == 1, "sendto");
    p = (struct pollfd){u1, POLLIN, 0};
    while (poll(&p, 1, -1) == -EINTR)
        ;
    CHECK(recvfrom(u1, BAD_PTR, 4, 0, 0) == -EFAULT, "recvfrom(kernel address)");
    close(u1);
    close(u2);
    printf("t_sockerr: UDP on loopback: ping and pong; listen: -EOPNOTSUPP\n");
}

int
main(void)
{
    printf("t_sockerr: %s\n", current_mode() == MODE_SMODE ? "Smode" : "Umode");
    check_family_and_notsock();
    check_bad_pointers();
    check_refused_and_unconnected();
    check_bind_twice();
    check_nonblocking_connect();
    check_udp();
    check_epipe();
    pass();
}
