// UDP (RFC 768): endpoints bound to a port, each with a short queue of
// received datagrams (packet buffers from the pool, so a slow reader costs
// the pool at most UDP_QUEUE buffers).
#include "kernel.h"
#include "net.h"

#define NUDP 16
#define UDP_QUEUE 8        // datagrams one endpoint holds; more are dropped
#define UDP_HLEN 8

struct udpcb {
    int used;
    uint32_t addr;         // bound address (0: any)
    uint16_t port;         // bound port (0: not bound)
    struct pkbuf *head, *tail;
    int queued;
};

static struct udpcb table[NUDP];

// A new unbound endpoint, or 0 if the table is full.
struct udpcb *
udp_open(void)
{
    for (int i = 0; i < NUDP; i++)
        if (!table[i].used) {
            table[i] = (struct udpcb){.used = 1};
            return &table[i];
        }
    return 0;
}

static int
port_taken(uint16_t port, void *unused)
{
    (void)unused;
    for (int i = 0; i < NUDP; i++)
        if (table[i].used && table[i].port == port)
            return 1;
    return 0;
}

// Bind u to addr:port (port 0: a free ephemeral one). -EINVAL if already
// bound, -EADDRINUSE, -EADDRNOTAVAIL for an address that is not ours.
int
udp_bind(struct udpcb *u, uint32_t addr, uint16_t port)
{
    if (u->port)
        return -EINVAL;
    if (addr && !net_is_local(addr))
        return -EADDRNOTAVAIL;
    if (port == 0 && (port = net_ephemeral_port(port_taken, 0)) == 0)
        return -ENOBUFS;
    if (port_taken(port, 0))
        return -EADDRINUSE;
    u->addr = addr;
    u->port = port;
    return 0;
}

// Send n bytes to dst:dport (binding u to an ephemeral port first if need
// be). n bytes, or -EMSGSIZE-like -EINVAL (too big), -ENETUNREACH, -ENOBUFS.
int
udp_send(struct udpcb *u, const void *data, uint32_t n, uint32_t dst, uint16_t dport)
{
    if (n > NET_MTU - IP_HLEN - UDP_HLEN || dport == 0)
        return -EINVAL;
    if (!net_route_ok(dst))
        return -ENETUNREACH;
    if (!u->port) {
        int r = udp_bind(u, 0, 0);
        if (r < 0)
            return r;
    }
    struct pkbuf *pb = pkbuf_alloc();
    if (!pb)
        return -ENOBUFS;
    uint32_t src = u->addr ? u->addr : net_source_for(dst);
    uint8_t *h = pkbuf_ip(pb) + IP_HLEN;
    put16(h, u->port);
    put16(h + 2, dport);
    put16(h + 4, (uint16_t)(UDP_HLEN + n));
    put16(h + 6, 0);
    memcpy(h + UDP_HLEN, data, n);
    uint16_t sum = ip_checksum(h, UDP_HLEN + n, ip_pseudo_sum(src, dst, IPPROTO_UDP, UDP_HLEN + n));
    put16(h + 6, sum ? sum : 0xffff);
    ip_output(pb, src, dst, IPPROTO_UDP, UDP_HLEN + n);
    return (int)n;
}

// A datagram in: queued on the endpoint bound to its port, if any and if
// its queue has room; else dropped.
void
udp_input(const uint8_t *h, uint32_t len, uint32_t src, uint32_t dst)
{
    if (len < UDP_HLEN || net16(h + 4) < UDP_HLEN || net16(h + 4) > len) {
        net_stats.drops_bad++;
        return;
    }
    len = net16(h + 4);
    if (net16(h + 6) && ip_checksum(h, len, ip_pseudo_sum(src, dst, IPPROTO_UDP, len)) != 0) {
        net_stats.drops_bad++;
        return;
    }
    struct udpcb *u = 0;
    for (int i = 0; i < NUDP && !u; i++)
        if (table[i].used && table[i].port == net16(h + 2) && (!table[i].addr || table[i].addr == dst))
            u = &table[i];
    if (!u || u->queued >= UDP_QUEUE) {
        net_stats.drops_bad++;
        return;
    }
    struct pkbuf *pb = pkbuf_alloc();
    if (!pb)
        return;
    pb->len = len - UDP_HLEN;
    memcpy(pb->data, h + UDP_HLEN, pb->len);
    pb->from_ip = src;
    pb->from_port = net16(h);
    if (u->tail)
        u->tail->next = pb;
    else
        u->head = pb;
    u->tail = pb;
    u->queued++;
    sock_wakeup(u);
}

// Take the oldest datagram: up to n bytes of it into buf (the rest is
// discarded, as on BSD), its sender into *src, *sport. -EAGAIN if none.
int
udp_recv(struct udpcb *u, void *buf, uint32_t n, uint32_t *src, uint16_t *sport)
{
    struct pkbuf *pb = u->head;
    if (!pb)
        return -EAGAIN;
    u->head = pb->next;
    if (!u->head)
        u->tail = 0;
    u->queued--;
    uint32_t c = MIN(n, pb->len);
    memcpy(buf, pb->data, c);
    *src = pb->from_ip;
    *sport = pb->from_port;
    pkbuf_free(pb);
    return (int)c;
}

int
udp_readable(struct udpcb *u)
{
    return u->head != 0;
}

void
udp_name(struct udpcb *u, uint32_t *addr, uint16_t *port)
{
    *addr = u->addr;
    *port = u->port;
}

// Free u and every datagram it still holds.
void
udp_close(struct udpcb *u)
{
    while (u->head) {
        struct pkbuf *pb = u->head;
        u->head = pb->next;
        pkbuf_free(pb);
    }
    *u = (struct udpcb){0};
}
