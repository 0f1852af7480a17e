// BSD sockets as file descriptors (docs/net.md): the socket system calls,
// and read, write, poll and close on a socket (file.c calls sock_*).
//
// A socket is a struct file of type FD_SOCKET pointing at a struct sock,
// which holds a TCP connection (tcp.c) or a UDP endpoint (udp.c). Calls that
// wait (accept, connect, read, write) sleep on the endpoint; the stack wakes
// it, and every poller, on any change (sock_wakeup). User memory is copied
// outside the stack's bracket (net_enter/net_leave): a copy may fault and
// sleep. Like every system call, these enter by either receiver.
#include "kernel.h"
#include "file.h"
#include "net.h"
#include "proc.h"
#include "syscall.h"

#define NSOCK 160
#define CHUNK 1024 // bytes copied through the kernel stack at a time

struct sock {
    int used;
    int type;              // SOCK_STREAM or SOCK_DGRAM
    int nonblock;          // SOCK_NONBLOCK: -EAGAIN instead of sleeping
    int reuse;             // SO_REUSEADDR, for bind
    struct tcb *tcb;       // SOCK_STREAM
    struct udpcb *udp;     // SOCK_DGRAM
    uint32_t peer_addr;    // SOCK_DGRAM after connect: where write sends
    uint16_t peer_port;
};

static struct sock socks[NSOCK];

// Wake whatever waits on endpoint (a tcb or udpcb), and every poller.
void
sock_wakeup(void *endpoint)
{
    wakeup(endpoint);
    wakeup(&poll_chan);
}

static void *
endpoint(struct sock *s)
{
    return s->type == SOCK_STREAM ? (void *)s->tcb : (void *)s->udp;
}

// A new socket (a struct sock, its endpoint and its file) in a new
// descriptor. The descriptor, or -ENOBUFS, -ENFILE, -EMFILE (an accepted
// connection that gets no descriptor is closed).
static int
sock_create(int type, int nonblock, struct tcb *accepted)
{
    struct sock *s = 0;
    for (int i = 0; i < NSOCK && !s; i++)
        if (!socks[i].used)
            s = &socks[i];
    struct file *f = s ? file_alloc() : 0;
    if (!f) {
        if (accepted) { // nobody will hold it: it closes (is reset) on its own
            net_enter();
            tcp_close(accepted);
            net_leave();
        }
        return -ENFILE;
    }
    *s = (struct sock){.used = 1, .type = type, .nonblock = nonblock};
    net_enter();
    if (accepted)
        s->tcb = accepted;
    else if (type == SOCK_STREAM)
        s->tcb = tcp_open();
    else
        s->udp = udp_open();
    net_leave();
    f->type = FD_SOCKET;
    f->readable = f->writable = 1;
    f->sock = s;
    int fd = endpoint(s) ? fd_alloc(f) : -ENOBUFS;
    if (fd < 0)
        file_close(f); // closes the endpoint too (an accepted one is reset)
    return fd;
}

// The socket behind descriptor fd: -EBADF, -ENOTSOCK.
static int
fd_sock(int fd, struct sock **out)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (f->type != FD_SOCKET)
        return -ENOTSOCK;
    *out = f->sock;
    return 0;
}

// Copy a user struct sockaddr_in in: 0, -EFAULT, -EINVAL (short), -EAFNOSUPPORT.
static int
get_addr(uint32_t uaddr, int len, uint32_t *addr, uint16_t *port)
{
    struct sockaddr_in sa;
    if (len < (int)sizeof(sa))
        return -EINVAL;
    if (copyin(curproc, &sa, uaddr, sizeof(sa)) < 0)
        return -EFAULT;
    if (sa.sin_family != AF_INET)
        return -EAFNOSUPPORT;
    *addr = __builtin_bswap32(sa.sin_addr);
    *port = (uint16_t)(sa.sin_port << 8 | sa.sin_port >> 8);
    return 0;
}

// Copy an address out to a user struct sockaddr_in and its length (uaddr 0:
// not wanted). 0 or -EFAULT.
static int
put_addr(uint32_t uaddr, uint32_t ulen, uint32_t addr, uint16_t port)
{
    if (!uaddr)
        return 0;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = (uint16_t)(port << 8 | port >> 8),
                             .sin_addr = __builtin_bswap32(addr)};
    int len = sizeof(sa);
    if (copyout(curproc, uaddr, &sa, sizeof(sa)) < 0 || (ulen && copyout(curproc, ulen, &len, 4) < 0))
        return -EFAULT;
    return 0;
}

// socket(domain, type, protocol): AF_INET with SOCK_STREAM (TCP, protocol 0
// or 6) or SOCK_DGRAM (UDP, 0 or 17), or'ed with SOCK_NONBLOCK. The new
// descriptor, or -EAFNOSUPPORT, -EINVAL (type), -EPROTONOSUPPORT, -ENOBUFS
// (the stack's tables are full), -ENFILE, -EMFILE.
int
sys_socket(int domain, int type, int protocol)
{
    int base = type & ~SOCK_NONBLOCK;
    if (domain != AF_INET)
        return -EAFNOSUPPORT;
    if (base != SOCK_STREAM && base != SOCK_DGRAM)
        return -EINVAL;
    if (protocol != 0 && protocol != (base == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
        return -EPROTONOSUPPORT;
    return sock_create(base, !!(type & SOCK_NONBLOCK), 0);
}

// bind(fd, addr, len): the local address and port (0.0.0.0 for any of ours;
// port 0 for a free one). 0, or -EBADF, -ENOTSOCK, -EFAULT, -EINVAL,
// -EAFNOSUPPORT, -EADDRNOTAVAIL, -EADDRINUSE.
int
sys_bind(int fd, uint32_t uaddr, int addrlen)
{
    struct sock *s;
    uint32_t addr;
    uint16_t port;
    int r = fd_sock(fd, &s);
    if (r == 0)
        r = get_addr(uaddr, addrlen, &addr, &port);
    if (r < 0)
        return r;
    net_enter();
    r = s->type == SOCK_STREAM ? tcp_bind(s->tcb, addr, port, s->reuse) : udp_bind(s->udp, addr, port);
    net_leave();
    return r;
}

// listen(fd, backlog): accept connections on a TCP socket (bound to a free
// port if it was not). 0, or -EBADF, -ENOTSOCK, -EOPNOTSUPP (UDP), -EINVAL.
int
sys_listen(int fd, int backlog)
{
    struct sock *s;
    int r = fd_sock(fd, &s);
    if (r < 0)
        return r;
    if (s->type != SOCK_STREAM)
        return -EOPNOTSUPP;
    net_enter();
    r = tcp_listen(s->tcb, backlog);
    net_leave();
    return r;
}

// accept(fd, addr, addrlen): the next connection of a listening socket as a
// new descriptor (non-blocking if the listener is: as on BSD), its peer in
// *addr. Waits for one unless SOCK_NONBLOCK (-EAGAIN). -EINVAL if fd does
// not listen, -EINTR if killed, -EOPNOTSUPP for UDP.
int
sys_accept(int fd, uint32_t uaddr, uint32_t uaddrlen)
{
    struct sock *s;
    int r = fd_sock(fd, &s);
    if (r < 0)
        return r;
    if (s->type != SOCK_STREAM)
        return -EOPNOTSUPP;
    uint32_t addr;
    uint16_t port;
    struct tcb *c;
    net_enter();
    while (!(c = tcp_accept(s->tcb, &addr, &port))) {
        r = !tcp_listening(s->tcb) ? -EINVAL : s->nonblock ? -EAGAIN : curproc->killed ? -EINTR : 0;
        if (r < 0) {
            net_leave();
            return r;
        }
        net_sleep(s->tcb);
    }
    net_leave();
    int nfd = sock_create(SOCK_STREAM, s->nonblock, c);
    if (nfd >= 0 && put_addr(uaddr, uaddrlen, addr, port) < 0) {
        struct file *f = curproc->ofile[nfd];
        curproc->ofile[nfd] = 0;
        file_close(f); // the connection is reset
        return -EFAULT;
    }
    return nfd;
}

// connect(fd, addr, len): TCP: open a connection to addr and wait until it is
// established (SOCK_NONBLOCK: -EINPROGRESS at once; poll for POLLOUT, then a
// second connect gives the result). UDP: set where write sends, and whom
// read hears. 0, or -ECONNREFUSED, -ETIMEDOUT, -EISCONN, -EALREADY,
// -ENETUNREACH, -EINTR, and bind's and the address's errors.
int
sys_connect(int fd, uint32_t uaddr, int addrlen)
{
    struct sock *s;
    uint32_t addr;
    uint16_t port;
    int r = fd_sock(fd, &s);
    if (r == 0)
        r = get_addr(uaddr, addrlen, &addr, &port);
    if (r < 0)
        return r;
    if (s->type == SOCK_DGRAM) {
        s->peer_addr = addr;
        s->peer_port = port;
        return 0;
    }
    net_enter();
    r = tcp_connect(s->tcb, addr, port);
    if (r == 0 && s->nonblock)
        r = tcp_connect_result(s->tcb);
    while (r == 0 && (r = tcp_connect_result(s->tcb)) == -EINPROGRESS && !s->nonblock) {
        if (curproc->killed) {
            r = -EINTR;
            break;
        }
        net_sleep(s->tcb);
        r = 0;
    }
    net_leave();
    return r;
}

// shutdown(fd, how): SHUT_RD, SHUT_WR (send the FIN after what is queued)
// or SHUT_RDWR. 0, or -EBADF, -ENOTSOCK, -EINVAL, -ENOTCONN.
int
sys_shutdown(int fd, int how)
{
    struct sock *s;
    int r = fd_sock(fd, &s);
    if (r < 0)
        return r;
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return -EINVAL;
    if (s->type != SOCK_STREAM)
        return -ENOTCONN;
    net_enter();
    r = tcp_shutdown(s->tcb, how);
    net_leave();
    return r;
}

// setsockopt(fd, level, name, val, len): only SOL_SOCKET SO_REUSEADDR, an int
// (non-zero: bind may take a port that connections in TIME_WAIT, or others
// not listening, still use). 0, or -EBADF, -ENOTSOCK, -EFAULT, -EINVAL,
// -ENOPROTOOPT.
int
sys_setsockopt(int fd, int level, int name, uint32_t uval, int len)
{
    struct sock *s;
    int r = fd_sock(fd, &s), val;
    if (r < 0)
        return r;
    if (level != SOL_SOCKET || name != SO_REUSEADDR)
        return -ENOPROTOOPT;
    if (len < (int)sizeof(int))
        return -EINVAL;
    if (copyin(curproc, &val, uval, sizeof(val)) < 0)
        return -EFAULT;
    s->reuse = val != 0;
    return 0;
}

// Send n bytes (at most one datagram's worth) from user buf to addr:port
// on UDP endpoint s.
static int
udp_send_user(struct sock *s, uint32_t ubuf, uint32_t n, uint32_t addr, uint16_t port)
{
    char buf[NET_MTU];
    if (n > sizeof(buf))
        return -EINVAL;
    if (copyin(curproc, buf, ubuf, n) < 0)
        return -EFAULT;
    net_enter();
    int r = udp_send(s->udp, buf, n, addr, port);
    net_leave();
    return r;
}

// Receive one datagram on s into user buf (up to n bytes; the rest of it is
// lost), its sender into *addr, *port. Waits unless SOCK_NONBLOCK.
static int
udp_recv_user(struct sock *s, uint32_t ubuf, uint32_t n, uint32_t *addr, uint16_t *port)
{
    char buf[NET_MTU];
    int r;
    net_enter();
    while ((r = udp_recv(s->udp, buf, MIN(n, sizeof(buf)), addr, port)) == -EAGAIN) {
        if (s->nonblock || curproc->killed)
            break;
        net_sleep(s->udp);
    }
    net_leave();
    if (r == -EAGAIN && curproc->killed)
        return -EINTR;
    if (r > 0 && copyout(curproc, ubuf, buf, r) < 0)
        return -EFAULT;
    return r;
}

// sendto(fd, buf, n, addr, addrlen): one UDP datagram to addr (no flags
// argument: this kernel has none). A TCP socket ignores addr and writes.
// Bytes sent, or -EINVAL (too big for one packet: 1472 bytes), -ENOBUFS,
// -ENETUNREACH, and the address's errors.
int
sys_sendto(int fd, uint32_t ubuf, uint32_t n, uint32_t uaddr, int addrlen)
{
    struct sock *s;
    uint32_t addr;
    uint16_t port;
    int r = fd_sock(fd, &s);
    if (r < 0)
        return r;
    if (s->type == SOCK_STREAM)
        return file_write(curproc->ofile[fd], ubuf, n);
    if (!uaddr)
        return s->peer_port ? udp_send_user(s, ubuf, n, s->peer_addr, s->peer_port) : -ENOTCONN;
    r = get_addr(uaddr, addrlen, &addr, &port);
    return r < 0 ? r : udp_send_user(s, ubuf, n, addr, port);
}

// recvfrom(fd, buf, n, addr, addrlen): one UDP datagram, its sender in addr
// (if not 0). A TCP socket reads, and leaves addr as it is.
int
sys_recvfrom(int fd, uint32_t ubuf, uint32_t n, uint32_t uaddr, uint32_t uaddrlen)
{
    struct sock *s;
    int r = fd_sock(fd, &s);
    if (r < 0)
        return r;
    if (s->type == SOCK_STREAM)
        return file_read(curproc->ofile[fd], ubuf, n);
    uint32_t addr;
    uint16_t port;
    r = udp_recv_user(s, ubuf, n, &addr, &port);
    if (r >= 0 && put_addr(uaddr, uaddrlen, addr, port) < 0)
        return -EFAULT;
    return r;
}

// getsockname(fd, addr, addrlen): the socket's local address and port.
int
sys_getsockname(int fd, uint32_t uaddr, uint32_t uaddrlen)
{
    struct sock *s;
    int r = fd_sock(fd, &s);
    if (r < 0)
        return r;
    uint32_t addr;
    uint16_t port;
    net_enter();
    if (s->type == SOCK_STREAM)
        tcp_name(s->tcb, &addr, &port);
    else
        udp_name(s->udp, &addr, &port);
    net_leave();
    return uaddr ? put_addr(uaddr, uaddrlen, addr, port) : -EFAULT;
}

// netstat(st): the stack's counters and memory (struct netstat). 0 or -EFAULT.
int
sys_netstat(uint32_t ustat)
{
    struct netstat st;
    net_enter();
    st = net_stats;
    st.pool_free = pkbuf_free_count();
    st.tcb_max = tcp_table_size();
    st.tcb_used = tcp_table_used();
    st.tcb_bytes = tcp_table_bytes();
    net_leave();
    return copyout(curproc, ustat, &st, sizeof(st));
}

// ---- read, write, poll and close on a socket (file.c) ----

// read(2) on a socket: TCP waits for data (unless SOCK_NONBLOCK), then takes
// what is there, up to n bytes; 0 at the end of the stream. UDP: one datagram.
int
sock_read(struct sock *s, uint32_t uva, uint32_t n)
{
    if (s->type == SOCK_DGRAM) {
        uint32_t addr;
        uint16_t port;
        return udp_recv_user(s, uva, n, &addr, &port);
    }
    char buf[CHUNK];
    uint32_t total = 0;
    while (total < n) {
        net_enter();
        int r;
        while ((r = tcp_recv(s->tcb, buf, MIN(n - total, CHUNK), 1)) == -EAGAIN && total == 0 &&
               !s->nonblock && !curproc->killed)
            net_sleep(s->tcb);
        net_leave();
        if (r <= 0) {
            if (total)
                break;
            return r == -EAGAIN && curproc->killed ? -EINTR : r;
        }
        if (copyout(curproc, uva + total, buf, r) < 0)
            return total ? (int)total : -EFAULT; // the bytes stay for the next read
        net_enter();
        tcp_consume(s->tcb, r);
        net_leave();
        total += r;
    }
    return (int)total;
}

// Queue len bytes at buf on s's connection, waiting for room unless
// SOCK_NONBLOCK. Bytes queued (fewer if it could not wait), or an error.
static int
tcp_send_all(struct sock *s, const char *buf, uint32_t len)
{
    uint32_t done = 0;
    net_enter();
    while (done < len) {
        int r = tcp_send(s->tcb, buf + done, len - done);
        if (r == -EAGAIN && !s->nonblock && !curproc->killed) {
            net_sleep(s->tcb);
            continue;
        }
        if (r < 0) {
            net_leave();
            return done ? (int)done : (r == -EAGAIN && curproc->killed ? -EINTR : r);
        }
        done += r;
    }
    net_leave();
    return (int)done;
}

// write(2) on a socket: TCP queues all n bytes (waiting for room) unless
// SOCK_NONBLOCK, which takes what fits now. UDP: one datagram to the
// connected peer.
int
sock_write(struct sock *s, uint32_t uva, uint32_t n)
{
    if (s->type == SOCK_DGRAM)
        return s->peer_port ? udp_send_user(s, uva, n, s->peer_addr, s->peer_port) : -ENOTCONN;
    char buf[CHUNK];
    uint32_t total = 0;
    while (total < n) {
        uint32_t c = MIN(n - total, CHUNK);
        if (copyin(curproc, buf, uva + total, c) < 0)
            return total ? (int)total : -EFAULT;
        int r = tcp_send_all(s, buf, c);
        if (r < 0)
            return total ? (int)total : r;
        total += r;
        if ((uint32_t)r < c)
            break;
    }
    return (int)total;
}

// What poll sees on s (file_poll; interrupts are off).
int
sock_poll(struct sock *s, int events)
{
    if (s->type == SOCK_DGRAM)
        return (udp_readable(s->udp) ? events & POLLIN : 0) | (events & POLLOUT);
    return tcp_poll(s->tcb, events);
}

// The last descriptor of s closed: its endpoint is released (a TCP
// connection finishes closing on its own).
void
sock_close(struct sock *s)
{
    net_enter();
    if (s->tcb)
        tcp_close(s->tcb);
    if (s->udp)
        udp_close(s->udp);
    net_leave();
    *s = (struct sock){0};
}
