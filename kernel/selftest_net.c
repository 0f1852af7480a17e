// The network's kernel self-tests (selftest.c runs them by name):
//   test=e1000ring  both of the card's rings, full and wrapped, through slirp
//   test=tcprx      TCP's receive path, fed hand-made segments
// Each prints its findings and "selftest NAME: FAIL: why" on the first
// failure that stops it (then powers off with status 1); selftest_run
// prints PASS when it returns.
#include "kernel.h"
#include "net.h"
#include "x86.h"

// vformat's output into a bounded buffer (always NUL-terminated).
struct msgbuf {
    char *p;
    uint32_t n, max;
};

static void
put_msg(int c, void *arg)
{
    struct msgbuf *b = arg;
    if (b->n + 1 < b->max)
        b->p[b->n++] = (char)c;
    b->p[b->n] = 0;
}

static char why[160]; // the latest failure's reason

static const char *__attribute__((format(printf, 1, 2)))
reason(const char *fmt, ...)
{
    struct msgbuf b = {why, 0, sizeof why};
    va_list ap;
    va_start(ap, fmt);
    vformat(put_msg, &b, fmt, ap);
    va_end(ap);
    return why;
}

// Print "selftest TEST: FAIL: " and the reason (printf-style), power off with 1.
#define fail(test, ...)                                                        \
    do {                                                                       \
        printk("selftest %s: FAIL: %s\n", test, reason(__VA_ARGS__));        \
        poweroff(1);                                                           \
    } while (0)

// ---- test=e1000ring ----
//
// Frames go out in rounds. In each, the transmitter is turned off (as on a
// slow link) and frames are queued until e1000_transmit says the ring is
// full: exactly NTX-1 must fit, since TDT may not catch up with TDH. Then
// the transmitter is turned on, and slirp's answer to every frame must come
// back through the receive ring, in order and intact. Request k is an ARP
// request for 10.0.2.2 or 10.0.2.3 (k % 3 == 0), else an ICMP echo request
// to 10.0.2.2 with sequence number k and a payload of its own size (up to a
// full 1514-byte frame) and bytes. RING_ROUNDS rounds wrap both rings.

#define RING_ROUNDS 4
#define ECHO_ID 0x4c38                // our echo requests' identifier ("L8")
#define ETHERTYPE_IP 0x0800
#define ETHERTYPE_ARP 0x0806

static uint8_t our_mac[6], gw_mac[6];
static volatile uint32_t replies;     // answers received so far, in order
static volatile int gateway_known;    // the first ARP reply came

static int
is_arp(uint32_t k)
{
    return k % 3 == 0;
}

// The last byte of the address request k's ARP asks about: 10.0.2.2 or .3.
static uint8_t
arp_target(uint32_t k)
{
    return (k / 3) % 2 ? 3 : 2;
}

// Echo request k's payload: its size (every fourth a full frame's) and bytes.
static uint32_t
echo_len(uint32_t k)
{
    return k % 4 == 1 ? NET_MTU - IP_HLEN - 8 : (k * 397) % (NET_MTU - IP_HLEN - 8);
}

static uint8_t
echo_byte(uint32_t k, uint32_t i)
{
    return (uint8_t)(k * 7 + i * 13 + (i >> 8));
}

// Build request k into f; returns its length.
static uint32_t
build_request(uint32_t k, uint8_t *f)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    memcpy(f + 6, our_mac, 6);
    if (is_arp(k)) {
        memcpy(f, bcast, 6);
        put16(f + 12, ETHERTYPE_ARP);
        put16(f + 14, 1);             // hardware: Ethernet
        put16(f + 16, ETHERTYPE_IP);  // protocol: IPv4
        f[18] = 6;
        f[19] = 4;
        put16(f + 20, 1);             // a request
        memcpy(f + 22, our_mac, 6);   // sender MAC and IP
        put32(f + 28, NET_IP_CARD);
        memset(f + 32, 0, 6);         // target MAC: unknown
        put32(f + 38, (NET_IP_GATEWAY & ~0xffu) | arp_target(k));
        return 42;                    // the card pads it to 60
    }
    uint32_t n = echo_len(k);
    uint8_t *ip = f + ETH_HLEN, *icmp = ip + IP_HLEN;
    memcpy(f, gw_mac, 6);
    put16(f + 12, ETHERTYPE_IP);
    memset(ip, 0, IP_HLEN);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(IP_HLEN + 8 + n));
    put16(ip + 4, (uint16_t)k);
    ip[8] = 64;
    ip[9] = IPPROTO_ICMP;
    put32(ip + 12, NET_IP_CARD);
    put32(ip + 16, NET_IP_GATEWAY);
    put16(ip + 10, ip_checksum(ip, IP_HLEN, 0));
    icmp[0] = 8; // echo request
    icmp[1] = 0;
    put16(icmp + 2, 0);
    put16(icmp + 4, ECHO_ID);
    put16(icmp + 6, (uint16_t)k);
    for (uint32_t i = 0; i < n; i++)
        icmp[8 + i] = echo_byte(k, i);
    put16(icmp + 2, ip_checksum(icmp, 8 + n, 0));
    return ETH_HLEN + IP_HLEN + 8 + n;
}

// 0 if frame f (len bytes) is the right answer to request k, else why not.
static const char *
check_reply(uint32_t k, const uint8_t *f, uint32_t len)
{
    if (net16(f + 12) == ETHERTYPE_ARP) {
        if (!is_arp(k))
            return "an ARP reply where an echo reply was due";
        if (net32(f + 28) != ((NET_IP_GATEWAY & ~0xffu) | arp_target(k)) ||
            net32(f + 38) != NET_IP_CARD)
            return "an ARP reply about the wrong address";
        return 0;
    }
    if (is_arp(k))
        return "an echo reply where an ARP reply was due";
    const uint8_t *ip = f + ETH_HLEN, *icmp = ip + IP_HLEN;
    uint32_t n = echo_len(k);
    if (net16(icmp + 6) != (uint16_t)k)
        return "an echo reply with the wrong sequence number";
    if (net16(ip + 2) != IP_HLEN + 8 + n || len < ETH_HLEN + IP_HLEN + 8 + n)
        return "an echo reply of the wrong length";
    for (uint32_t i = 0; i < n; i++)
        if (icmp[8 + i] != echo_byte(k, i))
            return "an echo reply whose data differ from the request's";
    return 0;
}

// The card's receiver during the test (its interrupt, interrupts off):
// ARP replies and our echo replies are answers, checked in order; other
// frames are not ours to judge.
static void
ring_receiver(const void *frame, uint32_t len)
{
    const uint8_t *f = frame;
    if (len < 42)
        return;
    int arp = net16(f + 12) == ETHERTYPE_ARP && net16(f + 20) == 2;
    int echo = net16(f + 12) == ETHERTYPE_IP && f[ETH_HLEN + 9] == IPPROTO_ICMP &&
               len >= ETH_HLEN + IP_HLEN + 8 && f[ETH_HLEN + IP_HLEN] == 0 &&
               net16(f + ETH_HLEN + IP_HLEN + 4) == ECHO_ID;
    if (!gateway_known) { // the first exchange: learn the gateway's MAC
        if (arp && net32(f + 28) == NET_IP_GATEWAY) {
            memcpy(gw_mac, f + 22, 6);
            gateway_known = 1;
        }
        return;
    }
    if (!arp && !echo)
        return;
    const char *bad = check_reply(replies, f, len);
    if (bad) // at once: a driver that re-reads old frames may never leave its loop
        fail("e1000ring", "answer %u (to request %u): %s", replies, replies, bad);
    replies++;
}

// Halt with interrupts on until cond() holds (the card's interrupt, or the
// timer's, ends each hlt).
static void
wait_until(int (*cond)(void))
{
    sti();
    while (!cond())
        hlt();
    cli();
}

static uint32_t ring_wanted;

static int
answered(void)
{
    return gateway_known && replies >= ring_wanted;
}

void
selftest_e1000ring(void)
{
    static uint8_t f[ETH_HLEN + NET_MTU];
    const char *T = "e1000ring";
    if (!e1000_present())
        fail(T, "no e1000 card (boot QEMU with -device e1000)");
    e1000_mac(our_mac);
    e1000_set_receiver(ring_receiver);
    uint32_t len = build_request(0, f); // learn the gateway's MAC: request 0 is for 10.0.2.2
    if (e1000_transmit(f, len) != 0)
        fail(T, "e1000_transmit refused the first ARP request");
    wait_until(answered);
    struct e1000_rings r;
    e1000_rings(&r);
    uint32_t k = 0;
    for (int round = 1; round <= RING_ROUNDS; round++) {
        e1000_test_transmitter(0);
        uint32_t first = k;
        int err = 0;
        while (k - first <= r.ntx && (err = e1000_transmit(f, build_request(k, f))) == 0)
            k++;
        printk("e1000ring: round %d: the transmit ring took %u frames while the card sent none\n",
               round, k - first);
        if (k - first > r.ntx)
            fail(T, "round %d: the ring took more frames than it has descriptors (%u)", round, r.ntx);
        if (err != -ENOSPC)
            fail(T, "round %d: frame %u: e1000_transmit returned %d, not -ENOSPC", round, k, err);
        if (k - first != r.ntx - 1)
            fail(T, "round %d: the ring took %u frames, not NTX-1 = %u (TDT == TDH is an empty ring)",
                 round, k - first, r.ntx - 1);
        ring_wanted = k;
        printk("e1000ring: round %d: the transmitter on again: waiting for %u answers\n", round,
               k - first);
        e1000_test_transmitter(1);
        wait_until(answered);
        e1000_rings(&r);
        if (r.tdh != r.tdt)
            fail(T, "round %d: every answer came, but TDH %u != TDT %u", round, r.tdh, r.tdt);
        if ((r.rdt + 1) % r.nrx != r.rdh)
            fail(T, "round %d: RDH %u, RDT %u: every descriptor but one must be the card's again",
                 round, r.rdh, r.rdt);
        printk("e1000ring: round %d: %u answers, in order and intact\n", round, k - first);
    }
    e1000_set_receiver(0);
    const struct e1000_stats *st = e1000_stats();
    printk("e1000ring: %u requests and %u answers through rings of %u and %u descriptors\n", k,
           replies, r.ntx, r.nrx);
    if (st->rx_errors)
        fail(T, "%u receive errors", st->rx_errors);
    if (st->tx_frames != k + 1 || st->tx_full != RING_ROUNDS || st->rx_frames < k + 1)
        fail(T, "the driver counted %u frames sent, %u refused, %u received; not %u, %u, %u or more",
             st->tx_frames, st->tx_full, st->rx_frames, k + 1, RING_ROUNDS, k + 1);
}

// ---- test=tcprx ----
//
// TCP's receive path (tcp.c: acceptable, data_input) fed hand-made segments
// from a made-up peer, 10.0.2.2, for our port 7. Everything the stack sends
// goes to a tap (net_test_tap) instead of out, so each scenario reads the
// stack's answers one by one. No timer runs (interrupts stay off), so
// nothing is sent again behind a scenario's back; the test moves the clock
// on by one tick before each segment instead (the stack answers at most
// one segment outside the window per tick and connection). Each scenario has a
// connection of its own and prints "tcprx: NAME: ok" or "tcprx: NAME: FAIL:
// why"; the test goes on to the next either way.
//
// The peer's data byte at offset o (sequence number irs + 1 + o) is pat(o),
// so that any byte out of place shows.

#define PEER_IP NET_IP_GATEWAY
#define OUR_PORT 7
#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10
#define NSENT 16
#define SEG_MAX 8192

struct sent {                 // a segment the stack sent, as the tap saw it
    uint8_t flags;
    uint32_t seq, ack, len;
    uint16_t wnd;
};
static struct sent sent[NSENT];
static uint32_t nsent, sent_lost;

struct conn {                 // one scenario's connection
    struct tcb *t;
    uint16_t port;            // the peer's
    uint32_t irs, iss;        // the peer's first sequence number, and ours
    uint32_t ack;             // what the peer acknowledges: iss + 1 (+ 1 once our FIN is)
    uint32_t wnd0;            // the window we offered first: the whole receive buffer
};
static struct tcb *listener;
static uint8_t segbuf[20 + SEG_MAX];

#define TRY(check)                                                             \
    do {                                                                       \
        const char *e_ = (check);                                              \
        if (e_)                                                                \
            return e_;                                                         \
    } while (0)

static uint8_t
pat(uint32_t off)
{
    return (uint8_t)(off * 31 + (off >> 8) + 1);
}

// The tap: record each TCP segment the stack sends (inside the stack).
static void
tap(const uint8_t *ip, uint32_t len)
{
    if (len < IP_HLEN + 20 || ip[9] != IPPROTO_TCP)
        return;
    const uint8_t *h = ip + IP_HLEN;
    if (nsent == NSENT) {
        sent_lost++;
        return;
    }
    sent[nsent++] = (struct sent){.flags = h[13], .seq = net32(h + 4), .ack = net32(h + 8),
                                  .wnd = net16(h + 14), .len = len - IP_HLEN - (h[12] >> 4) * 4u};
}

// The peer sends one segment to our port: seq, flags, len bytes of data
// from offset off of its stream (the acknowledgment is c->ack).
static void
peer_send(struct conn *c, uint32_t seq, uint8_t flags, uint32_t off, uint32_t len)
{
    uint8_t *h = segbuf;
    memset(h, 0, 20);
    put16(h, c->port);
    put16(h + 2, OUR_PORT);
    put32(h + 4, seq);
    put32(h + 8, (flags & F_ACK) ? c->ack : 0);
    h[12] = 5 << 4;
    h[13] = flags;
    put16(h + 14, 65535);
    for (uint32_t i = 0; i < len; i++)
        h[20 + i] = pat(off + i);
    put16(h + 16, ip_checksum(h, 20 + len, ip_pseudo_sum(PEER_IP, NET_IP_CARD, IPPROTO_TCP, 20 + len)));
    nsent = sent_lost = 0;
    ticks++; // (no timer runs: see above)
    net_enter();
    tcp_input(h, 20 + len, PEER_IP, NET_IP_CARD);
    net_leave();
}

// The peer sends len bytes at offset off of its stream (with ACK, PSH and
// extra flags: F_FIN puts its FIN right after them).
static void
send_data(struct conn *c, uint32_t off, uint32_t len, uint8_t extra)
{
    peer_send(c, c->irs + 1 + off, F_ACK | (len ? F_PSH : 0) | extra, off, len);
}

// The peer sends a segment without data at offset off (flags as given; an
// ACK carries c->ack).
static void
send_ctl(struct conn *c, uint32_t off, uint8_t flags)
{
    peer_send(c, c->irs + 1 + off, flags, off, 0);
}

// The stack answered with exactly one bare ACK of offset off (the next byte
// it wants, counted like data offsets; a FIN counts one) and window wnd
// (-1: any).
static const char *
expect_ack(struct conn *c, uint32_t off, int wnd)
{
    if (nsent != 1)
        return reason("%u segments in answer, not one ACK of offset %u", nsent, off);
    struct sent *s = &sent[0];
    if (s->flags != F_ACK || s->len)
        return reason("answered with flags 0x%x and %u bytes, not a bare ACK", s->flags, s->len);
    if (s->ack != c->irs + 1 + off)
        return reason("ACK of offset %d, not %u", (int)(s->ack - c->irs - 1), off);
    if (wnd >= 0 && s->wnd != wnd)
        return reason("ACK of offset %u offers window %u, not %d", off, s->wnd, wnd);
    return 0;
}

// The stack sent nothing in answer to what.
static const char *
expect_nothing(struct conn *c, const char *what)
{
    if (nsent)
        return reason("%s: answered with %u segments (flags 0x%x, ACK of offset %d), not silence",
                      what, nsent, sent[0].flags, (int)(sent[0].ack - c->irs - 1));
    return 0;
}

static const char *
expect_state(struct conn *c, const char *want)
{
    const char *got = tcp_state_name(c->t);
    if (strcmp(got, want) != 0)
        return reason("in state %s, not %s", got, want);
    return 0;
}

// Read what the socket would: all that is readable must be the len bytes
// of the stream from offset off; consume takes them (else they stay).
static const char *
expect_data(struct conn *c, uint32_t off, uint32_t len, int consume)
{
    static uint8_t buf[SEG_MAX];
    net_enter();
    int n = tcp_recv(c->t, buf, sizeof buf, !consume);
    nsent = 0;
    net_leave();
    if (len == 0 && n <= 0)
        return 0;
    if (n != (int)len)
        return reason("%d bytes readable, not %u", n, len);
    for (uint32_t i = 0; i < len; i++)
        if (buf[i] != pat(off + i))
            return reason("byte %u of the stream reads 0x%02x, not 0x%02x", off + i, buf[i],
                          pat(off + i));
    return 0;
}

// A new connection from the peer's port (its first sequence number irs),
// accepted: the handshake, checked on the way.
static const char *
open_conn(struct conn *c, uint16_t port, uint32_t irs)
{
    *c = (struct conn){.port = port, .irs = irs};
    peer_send(c, irs, F_SYN, 0, 0);
    if (nsent != 1 || sent[0].flags != (F_SYN | F_ACK) || sent[0].ack != irs + 1)
        return reason("the SYN got %u segments (flags 0x%x), not one SYN-ACK of it", nsent,
                      nsent ? sent[0].flags : 0);
    c->iss = sent[0].seq;
    c->ack = c->iss + 1;
    c->wnd0 = sent[0].wnd;
    send_ctl(c, 0, F_ACK);
    TRY(expect_nothing(c, "the handshake's ACK"));
    uint32_t addr;
    uint16_t p;
    net_enter();
    c->t = tcp_accept(listener, &addr, &p);
    net_leave();
    if (!c->t || p != port)
        return reason("the connection from port %u is not ready for accept", port);
    return 0;
}

// Fill the peer's stream from offset off up to end, in segments of at most
// 1000 bytes, each ACKed at once (and the window shrinking by it).
static const char *
send_run(struct conn *c, uint32_t off, uint32_t end, uint32_t unread)
{
    while (off < end) {
        uint32_t n = MIN(1000u, end - off);
        send_data(c, off, n, 0);
        off += n;
        unread += n;
        TRY(expect_ack(c, off, (int)(c->wnd0 - unread)));
    }
    return 0;
}

// in_order: segments in order are taken, ACKed at once, and readable.
static const char *
sc_in_order(struct conn *c)
{
    send_data(c, 0, 100, 0);
    TRY(expect_ack(c, 100, (int)c->wnd0 - 100));
    send_data(c, 100, 200, 0);
    TRY(expect_ack(c, 300, (int)c->wnd0 - 300));
    return expect_data(c, 0, 300, 0);
}

// duplicate: a segment received already, or one that ends right where the
// stream is, or an old bare ACK, is ACKed again and changes nothing.
static const char *
sc_duplicate(struct conn *c)
{
    send_data(c, 0, 300, 0);
    TRY(expect_ack(c, 300, (int)c->wnd0 - 300));
    send_data(c, 0, 100, 0);
    TRY(expect_ack(c, 300, (int)c->wnd0 - 300));
    send_data(c, 200, 100, 0);
    TRY(expect_ack(c, 300, (int)c->wnd0 - 300));
    send_ctl(c, 299, F_ACK);
    TRY(expect_ack(c, 300, (int)c->wnd0 - 300));
    return expect_data(c, 0, 300, 0);
}

// overlap: a segment that starts with bytes received already and goes on
// with new ones: the new ones are taken.
static const char *
sc_overlap(struct conn *c)
{
    send_data(c, 0, 300, 0);
    TRY(expect_ack(c, 300, -1));
    send_data(c, 250, 150, 0);
    TRY(expect_ack(c, 400, (int)c->wnd0 - 400));
    return expect_data(c, 0, 400, 0);
}

// out_of_order: a segment after a hole is dropped and answered with the
// ACK of what is missing; once the hole is filled, the dropped bytes are
// still missing (in order only); a FIN after a hole is not taken either.
static const char *
sc_out_of_order(struct conn *c)
{
    send_data(c, 0, 100, 0);
    TRY(expect_ack(c, 100, -1));
    send_data(c, 150, 50, 0);
    TRY(expect_ack(c, 100, (int)c->wnd0 - 100));
    send_data(c, 100, 50, 0);
    TRY(expect_ack(c, 150, (int)c->wnd0 - 150));
    send_data(c, 200, 20, F_FIN);
    TRY(expect_ack(c, 150, (int)c->wnd0 - 150));
    TRY(expect_state(c, "ESTABLISHED"));
    return expect_data(c, 0, 150, 0);
}

// window: a segment with a FIN that does not fit: what fits is taken, the
// rest and the FIN are not; once read, the rest and the FIN come again.
static const char *
sc_window(struct conn *c)
{
    uint32_t w = c->wnd0;
    TRY(send_run(c, 0, w - 100, 0));
    send_data(c, w - 100, 300, F_FIN);
    TRY(expect_ack(c, w, 0));
    TRY(expect_state(c, "ESTABLISHED"));
    TRY(expect_data(c, 0, w, 1));
    send_data(c, w, 200, F_FIN);
    TRY(expect_ack(c, w + 201, (int)w - 200));
    TRY(expect_state(c, "CLOSE_WAIT"));
    return expect_data(c, w, 200, 1);
}

// zero_window: with the buffer full, a bare ACK at the expected sequence
// number is acceptable (no answer), a byte is not (ACKed), nor is a FIN,
// which takes a sequence number too; a RST there resets.
static const char *
sc_zero_window(struct conn *c)
{
    uint32_t w = c->wnd0;
    TRY(send_run(c, 0, w, 0));
    send_ctl(c, w, F_ACK);
    TRY(expect_nothing(c, "a bare ACK with our window 0"));
    send_data(c, w, 1, 0);
    TRY(expect_ack(c, w, 0));
    send_ctl(c, w, F_FIN | F_ACK);
    TRY(expect_ack(c, w, 0));
    TRY(expect_state(c, "ESTABLISHED"));
    send_ctl(c, w, F_RST);
    TRY(expect_nothing(c, "a RST with our window 0"));
    return expect_state(c, "CLOSED");
}

// edges: RSTs just outside the window are ignored, one inside it (but not
// at the expected number) is answered with a challenge ACK (RFC 5961); a
// segment that covers the whole window and more is not acceptable (RFC
// 793: its first or its last byte must be in the window); a RST at the
// expected number resets.
static const char *
sc_edges(struct conn *c)
{
    uint32_t w = c->wnd0;
    send_ctl(c, w, F_RST);
    TRY(expect_nothing(c, "a RST just past the window"));
    send_ctl(c, (uint32_t)-1, F_RST);
    TRY(expect_nothing(c, "a RST just before the window"));
    send_ctl(c, w - 1, F_RST);
    TRY(expect_ack(c, 0, (int)w));
    TRY(expect_state(c, "ESTABLISHED"));
    peer_send(c, c->irs + 1 - 10, F_ACK, (uint32_t)-10, w + 11);
    TRY(expect_ack(c, 0, (int)w));
    TRY(expect_data(c, 0, 0, 0));
    send_ctl(c, 0, F_RST);
    TRY(expect_nothing(c, "a RST at the expected number"));
    return expect_state(c, "CLOSED");
}

// stream: 16 KiB through the 4 KiB buffer, the peer sending what the window
// allows and the socket reading 700 bytes at a time, so the buffer wraps
// many times; the sequence numbers wrap past 2^32 on the way.
static const char *
sc_stream(struct conn *c)
{
    const uint32_t total = 16384;
    uint32_t sent_off = 0, read_off = 0, edge = c->wnd0; // edge: the offered window's end
    while (read_off < total) {
        uint32_t n = MIN(MIN(1000u, total - sent_off), edge - sent_off);
        if (n) {
            send_data(c, sent_off, n, 0);
            sent_off += n;
            TRY(expect_ack(c, sent_off, -1));
            edge = sent_off + sent[0].wnd;
        }
        static uint8_t buf[700];
        net_enter();
        int got = tcp_recv(c->t, buf, sizeof buf, 0);
        net_leave();
        if (got <= 0 || (uint32_t)got > sent_off - read_off)
            return reason("at offset %u: read %d bytes of %u", read_off, got, sent_off - read_off);
        for (int i = 0; i < got; i++, read_off++)
            if (buf[i] != pat(read_off))
                return reason("byte %u of the stream reads 0x%02x, not 0x%02x", read_off, buf[i],
                              pat(read_off));
        for (uint32_t i = 0; i < nsent; i++) // window updates
            if (sent[i].flags == F_ACK && sent[i].ack == c->irs + 1 + sent_off)
                edge = sent_off + sent[i].wnd;
    }
    return 0;
}

// fin: data and a FIN in one segment: both taken, CLOSE_WAIT, the data
// then the end of the stream; data after the FIN is ignored (nothing can
// follow a FIN), and the segment sent again is ACKed again.
static const char *
sc_fin(struct conn *c)
{
    send_data(c, 0, 10, F_FIN);
    TRY(expect_ack(c, 11, (int)c->wnd0 - 10));
    TRY(expect_state(c, "CLOSE_WAIT"));
    TRY(expect_data(c, 0, 10, 1));
    send_data(c, 11, 5, 0);
    TRY(expect_nothing(c, "data after the FIN"));
    TRY(expect_data(c, 0, 0, 0));
    send_data(c, 0, 10, F_FIN);
    return expect_ack(c, 11, -1);
}

// Our side closes first: shutdown(SHUT_WR) sends our FIN (FIN_WAIT_1).
static const char *
our_fin(struct conn *c)
{
    nsent = 0;
    net_enter();
    tcp_shutdown(c->t, SHUT_WR);
    net_leave();
    if (nsent != 1 || !(sent[0].flags & F_FIN) || sent[0].seq != c->iss + 1)
        return reason("shutdown sent %u segments (flags 0x%x), not our FIN", nsent,
                      nsent ? sent[0].flags : 0);
    return expect_state(c, "FIN_WAIT_1");
}

// closing: both FINs cross: the peer's FIN before it ACKs ours: CLOSING,
// then TIME_WAIT when it does.
static const char *
sc_closing(struct conn *c)
{
    TRY(our_fin(c));
    send_ctl(c, 0, F_FIN | F_ACK);
    TRY(expect_ack(c, 1, -1));
    TRY(expect_state(c, "CLOSING"));
    c->ack++;
    send_ctl(c, 1, F_ACK);
    TRY(expect_nothing(c, "the ACK of our FIN"));
    return expect_state(c, "TIME_WAIT");
}

// fin_wait_2: our FIN ACKed (FIN_WAIT_2), then the peer's data still
// arrives, then its FIN: TIME_WAIT.
static const char *
sc_fin_wait_2(struct conn *c)
{
    TRY(our_fin(c));
    c->ack++;
    send_ctl(c, 0, F_ACK);
    TRY(expect_nothing(c, "the ACK of our FIN"));
    TRY(expect_state(c, "FIN_WAIT_2"));
    send_data(c, 0, 5, 0);
    TRY(expect_ack(c, 5, -1));
    send_ctl(c, 5, F_FIN | F_ACK);
    TRY(expect_ack(c, 6, -1));
    TRY(expect_state(c, "TIME_WAIT"));
    return expect_data(c, 0, 5, 1);
}

// both_fin: the peer's FIN and its ACK of ours in one segment: TIME_WAIT.
static const char *
sc_both_fin(struct conn *c)
{
    TRY(our_fin(c));
    c->ack++;
    send_ctl(c, 0, F_FIN | F_ACK);
    TRY(expect_ack(c, 1, -1));
    return expect_state(c, "TIME_WAIT");
}

// shut_rd: after shutdown(SHUT_RD) data is ACKed and thrown away: the
// window stays whole, and reading finds the end of the stream.
static const char *
sc_shut_rd(struct conn *c)
{
    net_enter();
    tcp_shutdown(c->t, SHUT_RD);
    net_leave();
    send_data(c, 0, 10, 0);
    TRY(expect_ack(c, 10, (int)c->wnd0));
    return expect_data(c, 0, 0, 0);
}

// orphan: the socket closes (our FIN goes out, and no socket holds the
// connection any more); data that still comes is answered with a RST, and
// the connection is freed (RFC 1122 4.2.2.13: nobody can ever read it).
static const char *
sc_orphan(struct conn *c)
{
    nsent = 0;
    net_enter();
    tcp_close(c->t);
    net_leave();
    if (nsent != 1 || !(sent[0].flags & F_FIN))
        return reason("close sent %u segments (flags 0x%x), not our FIN", nsent,
                      nsent ? sent[0].flags : 0);
    TRY(expect_state(c, "FIN_WAIT_1"));
    send_data(c, 0, 10, 0);
    if (nsent != 1 || sent[0].flags != F_RST || sent[0].seq != c->iss + 2)
        return reason("data for a closed socket: %u segments (flags 0x%x), not one RST", nsent,
                      nsent ? sent[0].flags : 0);
    return expect_state(c, "FREE");
}

static const struct {
    const char *name;
    const char *(*run)(struct conn *c);
    uint32_t irs;
} scenarios[] = {
    {"in_order", sc_in_order, 1000},        {"duplicate", sc_duplicate, 2000},
    {"overlap", sc_overlap, 3000},          {"out_of_order", sc_out_of_order, 4000},
    {"window", sc_window, 5000},            {"zero_window", sc_zero_window, 6000},
    {"edges", sc_edges, 7000},              {"stream", sc_stream, 0xffffe800u},
    {"fin", sc_fin, 9000},                  {"closing", sc_closing, 10000},
    {"fin_wait_2", sc_fin_wait_2, 11000},   {"both_fin", sc_both_fin, 12000},
    {"shut_rd", sc_shut_rd, 13000},         {"orphan", sc_orphan, 14000},
};

void
selftest_tcprx(void)
{
    const char *T = "tcprx";
    net_test_tap = tap;
    net_enter();
    listener = tcp_open();
    int r = listener ? tcp_bind(listener, 0, OUR_PORT, 0) : -ENOMEM;
    if (r == 0)
        r = tcp_listen(listener, 4);
    net_leave();
    if (r < 0)
        fail(T, "a listener on port %d: %d", OUR_PORT, r);
    static char failures[ARRAY_SIZE(scenarios)][sizeof why];
    uint32_t bad = 0;
    for (uint32_t i = 0; i < ARRAY_SIZE(scenarios); i++) {
        struct conn c;
        const char *e = open_conn(&c, (uint16_t)(40000 + i), scenarios[i].irs);
        if (!e)
            e = scenarios[i].run(&c);
        if (!e && sent_lost)
            e = "more answers than the tap holds";
        printk("tcprx: %s: %s%s\n", scenarios[i].name, e ? "FAIL: " : "ok", e ? e : "");
        if (e)
            snprintk(failures[bad++], sizeof why, "%s: %s", scenarios[i].name, e);
    }
    net_test_tap = 0;
    for (uint32_t i = 0; i < bad; i++) // again, where the end of the output shows them
        printk("tcprx: failed: %s\n", failures[i]);
    if (bad)
        fail(T, "%u of %u scenarios failed", bad, (uint32_t)ARRAY_SIZE(scenarios));
}
