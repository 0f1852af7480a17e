// The network stack's base: the packet-buffer pool, the two interfaces
// (the e1000 at 10.0.2.15, loopback at 127.0.0.1), Ethernet in and out, and
// the bracket every entry into the stack takes (net.h explains the locking).
#include "kernel.h"
#include "net.h"

// The pool: a fixed array in the kernel's BSS, so the stack's memory is
// bounded, known at link time, and never taken from what processes have
// committed. Packets live in it only briefly (while built, on the loopback
// queue, waiting for ARP, or queued on a UDP socket): TCP keeps its data in
// each connection's own buffers, not in packets.
static struct pkbuf pool[NPKBUF];
static struct pkbuf *free_list;
static uint32_t nfree;
static struct pkbuf *loop_head, *loop_tail; // loopback: IP packets to deliver
static int depth;                            // net_enter nesting
static uint8_t card_mac[6];
struct netstat net_stats;
void (*net_test_tap)(const uint8_t *ip, uint32_t len);

static void deliver_frame(const void *frame, uint32_t len);

// Boot: the pool, and the card's frames routed to the stack. After e1000_init.
void
net_init(void)
{
    for (int i = 0; i < NPKBUF; i++)
        pkbuf_free(&pool[i]);
    net_stats.pool_bufs = NPKBUF;
    net_stats.pool_bytes = sizeof(pool);
    if (e1000_present()) {
        e1000_mac(card_mac);
        e1000_set_receiver(deliver_frame);
    }
}

// A free buffer, or 0 when the pool is empty (the caller drops its packet).
struct pkbuf *
pkbuf_alloc(void)
{
    pushcli();
    struct pkbuf *pb = free_list;
    if (pb) {
        free_list = pb->next;
        nfree--;
        pb->next = 0;
        pb->len = 0;
    } else {
        net_stats.drops_nobuf++;
    }
    popcli();
    return pb;
}

// Give pb back. Panics on a buffer that is not the pool's.
void
pkbuf_free(struct pkbuf *pb)
{
    if (pb < pool || pb >= &pool[NPKBUF] || (uint32_t)((char *)pb - (char *)pool) % sizeof(*pb))
        panic("pkbuf_free: %p is not a packet buffer", pb);
    pushcli();
    pb->next = free_list;
    free_list = pb;
    nfree++;
    ASSERT(nfree <= NPKBUF);
    popcli();
}

uint32_t
pkbuf_free_count(void)
{
    return nfree;
}

// A free port for a bind that names none: the next one after the last
// given, in 49152..65535 (IANA's dynamic range), for which taken(port, arg)
// says no; 0 if all are taken. TCP and UDP each pass their own test.
uint16_t
net_ephemeral_port(int (*taken)(uint16_t port, void *arg), void *arg)
{
    static uint16_t next = 49152;
    for (int tries = 0; tries < 65536 - 49152; tries++) {
        uint16_t p = next;
        next = next == 65535 ? 49152 : next + 1;
        if (!taken(p, arg))
            return p;
    }
    return 0;
}

// Enter the stack: interrupts off until the matching net_leave.
void
net_enter(void)
{
    pushcli();
    depth++;
}

// Deliver every packet on the loopback queue (delivering one may queue
// more: a reply).
static void
drain_loopback(void)
{
    while (loop_head) {
        struct pkbuf *pb = loop_head;
        loop_head = pb->next;
        if (!loop_head)
            loop_tail = 0;
        net_stats.rx_frames++;
        ip_input(pkbuf_ip(pb), pb->len);
        pkbuf_free(pb);
    }
}

// Leave the stack; the outermost leave delivers what loopback holds.
void
net_leave(void)
{
    ASSERT(depth > 0);
    if (depth == 1)
        drain_loopback();
    depth--;
    popcli();
}

// Wait on chan from inside the stack (a system call whose condition does not
// hold yet): the stack is left for the sleep, so that others may enter, and
// entered again after it. If loopback held packets, they are delivered
// instead of sleeping (one may be the awaited change): the caller tests its
// condition again either way. At depth 1 only.
void
net_sleep(void *chan)
{
    ASSERT(depth == 1);
    if (loop_head) {
        drain_loopback();
        return;
    }
    depth = 0;
    sleep(chan);
    depth = 1;
}

void
net_mac(uint8_t mac[6])
{
    memcpy(mac, card_mac, 6);
}

// 1 if ip is one of this machine's addresses.
int
net_is_local(uint32_t ip)
{
    return (ip >> 24) == 127 || (ip == NET_IP_CARD && e1000_present());
}

// The source address a packet to dst carries.
uint32_t
net_source_for(uint32_t dst)
{
    return (dst >> 24) == 127 ? NET_IP_LOOPBACK : NET_IP_CARD;
}

// 1 if some interface reaches dst: loopback always, anything else only
// through the card.
int
net_route_ok(uint32_t dst)
{
    return net_is_local(dst) || e1000_present();
}

// Send the IP packet in pb (its header filled) towards dst: to the loopback
// queue if dst is ours, else out of the card to dst (on our /24) or to the
// gateway. Consumes pb.
void
net_output_ip(struct pkbuf *pb, uint32_t dst)
{
    if (net_test_tap) { // tests only (test=tcprx): the test reads it instead
        net_test_tap(pkbuf_ip(pb), pb->len);
        pkbuf_free(pb);
        return;
    }
    net_stats.tx_frames++;
    if (net_is_local(dst)) {
        pb->next = 0;
        if (loop_tail)
            loop_tail->next = pb;
        else
            loop_head = pb;
        loop_tail = pb;
        return;
    }
    if (!e1000_present()) {
        pkbuf_free(pb);
        return;
    }
    uint32_t hop = (dst & NET_MASK) == (NET_IP_CARD & NET_MASK) ? dst : NET_IP_GATEWAY;
    arp_resolve_and_send(pb, hop);
}

// Put an Ethernet header (to mac, of type) before pb's packet and send the
// frame out of the card. Consumes pb.
void
net_eth_send(struct pkbuf *pb, const uint8_t mac[6], uint16_t type)
{
    memcpy(pb->data, mac, 6);
    memcpy(pb->data + 6, card_mac, 6);
    put16(pb->data + 12, type);
    uint32_t len = ETH_HLEN + pb->len;
    if (len < 60) { // the card pads (TCTL.PSP), but zero the pad ourselves
        memset(pb->data + len, 0, 60 - len);
        len = 60;
    }
    e1000_transmit(pb->data, len); // a full ring drops it: TCP sends again
    pkbuf_free(pb);
}

// One Ethernet frame in: to us (or broadcast), IPv4 or ARP. Anything else,
// and anything short, is dropped and counted. Never trusts a length field.
void
net_input_frame(const void *frame, uint32_t len)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const uint8_t *f = frame;
    net_stats.rx_frames++;
    if (len < ETH_HLEN || (memcmp(f, card_mac, 6) != 0 && memcmp(f, bcast, 6) != 0)) {
        net_stats.drops_bad++;
        return;
    }
    uint16_t type = net16(f + 12);
    if (type == 0x0800)
        ip_input(f + ETH_HLEN, len - ETH_HLEN);
    else if (type == 0x0806)
        arp_input(f + ETH_HLEN, len - ETH_HLEN);
    else
        net_stats.drops_bad++;
}

// The card's receiver (e1000_set_receiver): its interrupt, interrupts off.
static void
deliver_frame(const void *frame, uint32_t len)
{
    net_enter();
    net_input_frame(frame, len);
    net_leave();
}

// The timer tick (timer_intr, HZ times a second): TCP's timers and ARP's.
void
net_tick(void)
{
    net_enter();
    arp_tick();
    tcp_tick();
    net_leave();
}
