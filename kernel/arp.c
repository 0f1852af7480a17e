// ARP (RFC 826) for IPv4 over Ethernet: a small cache of address -> MAC,
// requests for what is not in it, replies to requests for our address.
// While an address is being resolved, one packet waits for it (the newest:
// an older one is dropped, and TCP sends it again).
#include "kernel.h"
#include "net.h"

#define NARP 16
#define ARP_TTL (60 * HZ)     // an entry is trusted this long
#define ARP_RETRY (HZ / 2)    // a request is repeated this often while unanswered
#define ARP_TRIES 6           // ... this many times, then the waiting packet is dropped

struct arp_entry {
    uint32_t ip;              // 0: a free entry
    uint8_t mac[6];
    int resolved;
    uint32_t when;            // resolved: when learnt; else when last asked
    int tries;
    struct pkbuf *waiting;    // a packet for ip, until it resolves
};

static struct arp_entry cache[NARP];
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

// The entry for ip, or 0.
static struct arp_entry *
lookup(uint32_t ip)
{
    for (int i = 0; i < NARP; i++)
        if (cache[i].ip == ip)
            return &cache[i];
    return 0;
}

// A free entry, or else the oldest one (its waiting packet dropped).
static struct arp_entry *
claim(uint32_t ip)
{
    struct arp_entry *e = &cache[0];
    for (int i = 0; i < NARP; i++) {
        if (!cache[i].ip) {
            e = &cache[i];
            break;
        }
        if ((int32_t)(cache[i].when - e->when) < 0)
            e = &cache[i];
    }
    if (e->waiting)
        pkbuf_free(e->waiting);
    *e = (struct arp_entry){.ip = ip, .when = ticks};
    return e;
}

// Send an ARP packet: op 1 (request) or 2 (reply), to MAC tha (ff.. for a
// request) about tpa.
static void
send_arp(int op, const uint8_t tha[6], uint32_t tpa)
{
    struct pkbuf *pb = pkbuf_alloc();
    if (!pb)
        return;
    uint8_t *a = pkbuf_ip(pb), mac[6];
    net_mac(mac);
    put16(a, 1);          // hardware: Ethernet
    put16(a + 2, 0x0800); // protocol: IPv4
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, (uint16_t)op);
    memcpy(a + 8, mac, 6);
    put32(a + 14, NET_IP_CARD);
    memcpy(a + 18, op == 1 ? (const uint8_t[6]){0} : tha, 6);
    put32(a + 24, tpa);
    pb->len = 28;
    if (op == 2)
        net_stats.arp_replies++;
    net_eth_send(pb, op == 1 ? bcast : tha, 0x0806);
}

// An ARP packet from the card: learn the sender if the packet is for us (and
// send what waited for it), and answer a request for our address.
void
arp_input(const uint8_t *a, uint32_t len)
{
    if (len < 28 || net16(a) != 1 || net16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4) {
        net_stats.drops_bad++;
        return;
    }
    int op = net16(a + 6);
    uint32_t spa = net32(a + 14), tpa = net32(a + 24);
    if (tpa != NET_IP_CARD || spa == 0 || (op != 1 && op != 2)) {
        net_stats.drops_bad++;
        return;
    }
    struct arp_entry *e = lookup(spa);
    if (!e)
        e = claim(spa);
    memcpy(e->mac, a + 8, 6);
    e->resolved = 1;
    e->when = ticks;
    if (e->waiting) {
        struct pkbuf *pb = e->waiting;
        e->waiting = 0;
        net_eth_send(pb, e->mac, 0x0800);
    }
    if (op == 1)
        send_arp(2, a + 8, spa);
}

// Send pb's IP packet to next_hop on the card, asking for its MAC first if
// the cache lacks it. Consumes pb.
void
arp_resolve_and_send(struct pkbuf *pb, uint32_t next_hop)
{
    struct arp_entry *e = lookup(next_hop);
    if (e && e->resolved && ticks - e->when < ARP_TTL) {
        net_eth_send(pb, e->mac, 0x0800);
        return;
    }
    if (!e)
        e = claim(next_hop);
    if (e->waiting)
        pkbuf_free(e->waiting);
    e->waiting = pb;
    if (e->resolved || e->tries == 0) { // expired, or new: ask now
        e->resolved = 0;
        e->tries = 1;
        e->when = ticks;
        send_arp(1, bcast, next_hop);
    }
}

// Every tick: ask again for unresolved addresses; give up after ARP_TRIES.
void
arp_tick(void)
{
    for (int i = 0; i < NARP; i++) {
        struct arp_entry *e = &cache[i];
        if (!e->ip || e->resolved || ticks - e->when < ARP_RETRY)
            continue;
        if (e->tries >= ARP_TRIES) {
            if (e->waiting)
                pkbuf_free(e->waiting);
            *e = (struct arp_entry){0};
            continue;
        }
        e->tries++;
        e->when = ticks;
        send_arp(1, bcast, e->ip);
    }
}

// Forget every entry, and free what waited (the fuzz test's clean start).
void
arp_reset(void)
{
    for (int i = 0; i < NARP; i++) {
        if (cache[i].waiting)
            pkbuf_free(cache[i].waiting);
        cache[i] = (struct arp_entry){0};
    }
}
