// TCP (RFC 793, with RFC 1122's and 5961's corrections that matter here).
//
// What it does: passive and active open; both ways of closing (we close
// first: FIN_WAIT_1/2 then TIME_WAIT; the peer closes first: CLOSE_WAIT then
// LAST_ACK); a segment outside the window, or a duplicate, is answered with an
// ACK; data in order only (an out-of-order segment is dropped and re-ACKed,
// the peer sends it again); the window is the room left in the receive buffer;
// the MSS option; one retransmission timer per connection, doubling on each
// expiry, go-back-N from the oldest unacknowledged byte, and a fast
// retransmit on the third duplicate ACK; a zero-window probe; RST for a port
// nobody listens on. Left out: congestion control (slirp and loopback are the
// only peers, both on this machine), out-of-order queues, urgent data,
// window scaling, timestamps, SACK, keep-alive.
//
// Memory: NTCB connections, each with its own receive and send buffer
// (struct tcb), and a small table of TIME_WAIT records that outlive their
// connections (an orphaned connection in TIME_WAIT needs 32 bytes, not a
// whole tcb). The table and the pool together stay under 1 MiB (asserted).
#include <stddef.h>
#include "kernel.h"
#include "net.h"

#define NTCB 72            // 64 idle connections, a listener, and a few busy ones
#define RXBUF 4096         // receive buffer: the largest window we offer
#define TXBUF 8192         // send buffer: data not yet acknowledged, and not yet sent
#define NTW 256            // TIME_WAIT records; when full, the oldest is recycled
#define TCP_HLEN 20
#define OUR_MSS (NET_MTU - IP_HLEN - TCP_HLEN)
#define DEFAULT_MSS 536    // RFC 1122: the peer's MSS when its SYN has no option
#define RTO_BASE (HZ / 2)  // the first retransmission timeout
#define RTO_MAX (8 * HZ)
#define MAX_RETRIES 10     // timeouts in a row, then the connection is dropped (about a minute)
#define TW_TICKS (2 * HZ)  // TIME_WAIT: 2 MSL, with a short MSL of 1 s
#define ORPHAN_TICKS (60 * HZ) // a closed socket's connection may linger this long

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

#define SEQ_LT(a, b) ((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((a) - (b)) <= 0)

enum tcp_state {
    FREE, CLOSED, LISTEN, SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2,
    CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK,
};

struct tcb {
    enum tcp_state state;
    uint32_t laddr, raddr;     // laddr 0: bound to any of our addresses
    uint16_t lport, rport;
    int has_socket;            // 0: an orphan, which finishes closing on its own
    int reuse;                 // SO_REUSEADDR
    int connected;             // reached ESTABLISHED once
    int err;                   // an error for the socket to report (ECONNRESET, ...)
    uint32_t deadline;         // orphan: freed at this tick; TIME_WAIT: ends then
    // listener and its children
    struct tcb *parent;        // a child not yet accepted: its listener
    int backlog, nchild;       // listener: limit and count of children
    int ready;                 // child: established, waiting for accept
    uint32_t ready_order;
    // send side: the buffer holds sequence numbers snd_una .. snd_una + tx_len,
    // then the FIN once queued
    uint32_t iss, snd_una, snd_nxt, snd_wnd;
    uint16_t mss;
    uint32_t tx_start, tx_len;
    int fin_queued, fin_sent, fin_acked;
    int dupacks;
    uint32_t oow_tick;         // when we last answered a segment outside the window
    int oow_answered;
    // receive side
    uint32_t irs, rcv_nxt, rcv_adv; // rcv_adv: right edge of the last window offered
    uint32_t rx_start, rx_len;
    int rcvd_fin, rd_shut, ack_now;
    // the retransmission (and persist) timer
    int timer_on;
    uint32_t timer_at, rto;
    int retries;
    uint8_t rx[RXBUF];
    uint8_t tx[TXBUF];
};

struct time_wait {             // what TIME_WAIT needs once its tcb is gone
    uint32_t laddr, raddr, rcv_nxt, snd_nxt, deadline;
    uint16_t lport, rport;
    int used;
};

_Static_assert(ESTABLISHED == TCP_STATE_ESTABLISHED, "net.h's TCP_STATE_ESTABLISHED");

static struct tcb tcbs[NTCB];
static struct time_wait tws[NTW];
static uint32_t ntcb, ntw;     // of them in use: the timer tick skips an idle stack
static uint32_t ready_counter, iss_salt = 0x5eed1234;

_Static_assert(sizeof(tcbs) + sizeof(tws) + NPKBUF * sizeof(struct pkbuf) <= 1024 * 1024,
               "the stack's memory (connections, TIME_WAIT, packet pool) must fit in 1 MiB");

static void output(struct tcb *t);
static void set_state(struct tcb *t, enum tcp_state s);

// ---- segments out ----

// Send one segment with no connection behind it (a RST, a TIME_WAIT ACK).
static void
send_raw(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint32_t seq, uint32_t ack,
         uint8_t flags, uint16_t wnd)
{
    struct pkbuf *pb = pkbuf_alloc();
    if (!pb)
        return;
    uint8_t *h = pkbuf_ip(pb) + IP_HLEN;
    memset(h, 0, TCP_HLEN);
    put16(h, sport);
    put16(h + 2, dport);
    put32(h + 4, seq);
    put32(h + 8, ack);
    h[12] = (TCP_HLEN / 4) << 4;
    h[13] = flags;
    put16(h + 14, wnd);
    put16(h + 16, ip_checksum(h, TCP_HLEN, ip_pseudo_sum(src, dst, IPPROTO_TCP, TCP_HLEN)));
    if (flags & TH_RST)
        net_stats.tcp_rst_sent++;
    ip_output(pb, src, dst, IPPROTO_TCP, TCP_HLEN);
}

// The window we offer: the room in the receive buffer.
static uint32_t
rcv_window(struct tcb *t)
{
    return RXBUF - t->rx_len;
}

// Send a segment of t: flags, sequence number seq, and len bytes of the send
// buffer starting at sequence number seq (len 0: none). Every segment but the
// first SYN carries an ACK of rcv_nxt and our window.
static void
send_segment(struct tcb *t, uint32_t seq, uint8_t flags, uint32_t len)
{
    struct pkbuf *pb = pkbuf_alloc();
    if (!pb)
        return; // the timer sends it again
    uint8_t *h = pkbuf_ip(pb) + IP_HLEN;
    uint32_t hlen = (flags & TH_SYN) ? TCP_HLEN + 4 : TCP_HLEN;
    memset(h, 0, hlen);
    if (t->state != SYN_SENT)
        flags |= TH_ACK;
    put16(h, t->lport);
    put16(h + 2, t->rport);
    put32(h + 4, seq);
    put32(h + 8, (flags & TH_ACK) ? t->rcv_nxt : 0);
    h[12] = (uint8_t)((hlen / 4) << 4);
    h[13] = flags;
    put16(h + 14, (uint16_t)rcv_window(t));
    if (flags & TH_SYN) { // the MSS option: kind 2, length 4
        h[20] = 2;
        h[21] = 4;
        put16(h + 22, OUR_MSS);
    }
    uint32_t off = seq - t->snd_una; // where the data starts in the send buffer
    for (uint32_t i = 0; i < len; i++)
        h[hlen + i] = t->tx[(t->tx_start + off + i) % TXBUF];
    put16(h + 16, ip_checksum(h, hlen + len, ip_pseudo_sum(t->laddr, t->raddr, IPPROTO_TCP, hlen + len)));
    t->rcv_adv = t->rcv_nxt + rcv_window(t);
    t->ack_now = 0;
    ip_output(pb, t->laddr, t->raddr, IPPROTO_TCP, hlen + len);
}

// Answer a segment outside the window (or one that acknowledges what we never
// sent, or a challenge) with an ACK: at most once per tick per connection.
// Two ends that disagree about the numbers would otherwise answer each
// other's ACKs for ever, and over loopback that loop never leaves net_leave.
static void
ack_out_of_window(struct tcb *t)
{
    if (t->oow_answered && t->oow_tick == ticks)
        return;
    t->oow_answered = 1;
    t->oow_tick = ticks;
    send_segment(t, t->snd_nxt, 0, 0);
}

static void
timer_start(struct tcb *t)
{
    if (!t->timer_on) {
        t->timer_on = 1;
        t->timer_at = ticks + t->rto;
    }
}

// Send what the window allows of the send buffer, then the FIN once queued
// and everything before it is sent; else a bare ACK if one is owed.
static void
output(struct tcb *t)
{
    if (t->state == SYN_SENT || t->state == SYN_RCVD) {
        if (t->snd_nxt == t->iss) {
            send_segment(t, t->iss, TH_SYN, 0);
            t->snd_nxt = t->iss + 1;
            timer_start(t);
        }
        return;
    }
    if (t->state < ESTABLISHED || t->state == TIME_WAIT)
        return;
    uint32_t wnd_end = t->snd_una + t->snd_wnd;
    for (;;) {
        uint32_t sent = t->snd_nxt - t->snd_una; // bytes in flight (the FIN counts)
        if (sent < t->tx_len && SEQ_LT(t->snd_nxt, wnd_end)) {
            uint32_t n = MIN(MIN(t->tx_len - sent, (uint32_t)t->mss), wnd_end - t->snd_nxt);
            send_segment(t, t->snd_nxt, n == t->tx_len - sent ? TH_PSH : 0, n);
            t->snd_nxt += n;
            timer_start(t);
            continue;
        }
        if (t->fin_queued && !t->fin_sent && sent == t->tx_len) {
            send_segment(t, t->snd_nxt, TH_FIN, 0);
            t->snd_nxt++;
            t->fin_sent = 1;
            timer_start(t);
            if (t->state == ESTABLISHED)
                set_state(t, FIN_WAIT_1);
            else if (t->state == CLOSE_WAIT)
                set_state(t, LAST_ACK);
        }
        break;
    }
    if (t->ack_now)
        send_segment(t, t->snd_nxt, 0, 0);
    if (t->snd_wnd == 0 && t->tx_len > t->snd_nxt - t->snd_una)
        timer_start(t); // the persist timer: probe the closed window
}

// ---- the table ----

static void
tcb_free(struct tcb *t)
{
    ASSERT(t->state != FREE && ntcb > 0);
    if (t->parent)
        t->parent->nchild--;
    memset(t, 0, offsetof(struct tcb, rx)); // the buffers need no clearing
    ntcb--;
}

// Record a TIME_WAIT for t's connection (recycling the oldest record if the
// table is full).
static void
tw_add(struct tcb *t, uint32_t deadline)
{
    struct time_wait *w = &tws[0];
    for (int i = 0; i < NTW; i++) {
        if (!tws[i].used) {
            w = &tws[i];
            break;
        }
        if (SEQ_LT(tws[i].deadline, w->deadline))
            w = &tws[i];
    }
    ntw += !w->used;
    *w = (struct time_wait){.laddr = t->laddr, .raddr = t->raddr, .lport = t->lport,
                            .rport = t->rport, .rcv_nxt = t->rcv_nxt, .snd_nxt = t->snd_nxt,
                            .deadline = deadline, .used = 1};
}

// Every change of state goes through here. An orphan that reaches TIME_WAIT
// becomes a record; one that reaches CLOSED is freed; a connection that is
// still a socket's stays for the socket to read its end or error.
static void
set_state(struct tcb *t, enum tcp_state s)
{
    t->state = s;
    if (s == ESTABLISHED && !t->connected) {
        t->connected = 1;
        net_stats.tcp_conns++;
    }
    if (s == TIME_WAIT || s == CLOSED)
        t->timer_on = 0;
    if (s == TIME_WAIT)
        t->deadline = ticks + TW_TICKS;
    sock_wakeup(t);
    if (t->parent)
        sock_wakeup(t->parent);
    if (!t->has_socket && !t->parent && s == TIME_WAIT) {
        tw_add(t, t->deadline);
        tcb_free(t);
    } else if (!t->has_socket && s == CLOSED) {
        tcb_free(t);
    }
}

// The connection is over with error err (0: none): CLOSED, and the socket
// (if any) sees err.
static void
drop(struct tcb *t, int err)
{
    if (err && !t->err)
        t->err = err;
    set_state(t, CLOSED);
}

static struct tcb *
tcb_alloc(void)
{
    for (int i = 0; i < NTCB; i++)
        if (tcbs[i].state == FREE) {
            struct tcb *t = &tcbs[i];
            memset(t, 0, offsetof(struct tcb, rx));
            t->state = CLOSED;
            t->rto = RTO_BASE;
            t->mss = DEFAULT_MSS;
            ntcb++;
            return t;
        }
    return 0;
}

// The connection of this segment (exact addresses and ports), or 0.
static struct tcb *
find_conn(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
    for (int i = 0; i < NTCB; i++) {
        struct tcb *t = &tcbs[i];
        if (t->state > LISTEN && t->lport == lport && t->rport == rport && t->raddr == raddr &&
            t->laddr == laddr)
            return t;
    }
    return 0;
}

static struct tcb *
find_listener(uint32_t laddr, uint16_t lport)
{
    for (int i = 0; i < NTCB; i++) {
        struct tcb *t = &tcbs[i];
        if (t->state == LISTEN && t->lport == lport && (!t->laddr || t->laddr == laddr))
            return t;
    }
    return 0;
}

static struct time_wait *
find_tw(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
    for (int i = 0; i < NTW; i++) {
        struct time_wait *w = &tws[i];
        if (w->used && w->lport == lport && w->rport == rport && w->raddr == raddr && w->laddr == laddr)
            return w;
    }
    return 0;
}

static uint32_t
new_iss(void)
{
    iss_salt = iss_salt * 1103515245u + 12345u;
    return ticks * 64000u + iss_salt;
}

// ---- segments in ----

struct seg {                   // a parsed segment
    uint32_t src, dst, seq, ack;
    uint16_t sport, dport, wnd, mss;
    uint8_t flags;
    const uint8_t *data;
    uint32_t len;              // bytes of data
};

// Parse and check a segment: 0, or -1 if it is malformed or its checksum is bad.
static int
parse(struct seg *s, const uint8_t *h, uint32_t len, uint32_t src, uint32_t dst)
{
    if (len < TCP_HLEN)
        return -1;
    uint32_t hlen = (h[12] >> 4) * 4u;
    if (hlen < TCP_HLEN || hlen > len || ip_checksum(h, len, ip_pseudo_sum(src, dst, IPPROTO_TCP, len)))
        return -1;
    *s = (struct seg){.src = src, .dst = dst, .sport = net16(h), .dport = net16(h + 2),
                      .seq = net32(h + 4), .ack = net32(h + 8), .flags = h[13],
                      .wnd = net16(h + 14), .mss = DEFAULT_MSS, .data = h + hlen,
                      .len = len - hlen};
    for (uint32_t i = TCP_HLEN; i < hlen;) { // options: only MSS matters
        uint8_t kind = h[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= hlen || h[i + 1] < 2 || i + h[i + 1] > hlen)
            return -1;
        if (kind == 2 && h[i + 1] == 4 && net16(h + i + 2) >= 64)
            s->mss = net16(h + i + 2);
        i += h[i + 1];
    }
    return 0;
}

// Answer a segment that has no connection with a reset (never a reset for a reset).
static void
reset_for(const struct seg *s)
{
    if (s->flags & TH_RST)
        return;
    if (s->flags & TH_ACK)
        send_raw(s->dst, s->dport, s->src, s->sport, s->ack, 0, TH_RST, 0);
    else
        send_raw(s->dst, s->dport, s->src, s->sport, 0,
                 s->seq + s->len + !!(s->flags & TH_SYN) + !!(s->flags & TH_FIN), TH_RST | TH_ACK, 0);
}

// A segment for a TIME_WAIT record. Returns 1 if it is dealt with; 0 for a
// SYN (a new connection with the same addresses: the record goes, and the
// listener takes it).
static int
tw_input(struct time_wait *w, const struct seg *s)
{
    if (s->flags & (TH_RST | TH_SYN)) {
        w->used = 0;
        ntw--;
        return !(s->flags & TH_SYN);
    }
    if (s->flags & TH_FIN) // our last ACK was lost: send it again
        send_raw(w->laddr, w->lport, w->raddr, w->rport, w->snd_nxt, w->rcv_nxt, TH_ACK, 0);
    return 1;
}

// A SYN for a listener: a child connection in SYN_RCVD, if the backlog and
// the table have room (else the SYN is dropped, and the peer tries again).
static void
listen_input(struct tcb *l, const struct seg *s)
{
    if (s->flags & TH_RST)
        return;
    if (s->flags & TH_ACK) {
        reset_for(s);
        return;
    }
    if (!(s->flags & TH_SYN) || l->nchild >= l->backlog)
        return;
    struct tcb *c = tcb_alloc();
    if (!c)
        return;
    c->parent = l;
    l->nchild++;
    c->laddr = s->dst;
    c->lport = s->dport;
    c->raddr = s->src;
    c->rport = s->sport;
    c->irs = s->seq;
    c->rcv_nxt = s->seq + 1;
    c->iss = c->snd_una = c->snd_nxt = new_iss();
    c->snd_wnd = s->wnd;
    c->mss = MIN(s->mss, OUR_MSS);
    c->reuse = l->reuse;
    c->state = SYN_RCVD;
    output(c);
}

// A segment for a connection in SYN_SENT (our connect).
static void
syn_sent_input(struct tcb *t, const struct seg *s)
{
    int ack_ok = (s->flags & TH_ACK) && s->ack == t->iss + 1;
    if ((s->flags & TH_ACK) && !ack_ok) {
        reset_for(s);
        return;
    }
    if (s->flags & TH_RST) {
        if (ack_ok)
            drop(t, ECONNREFUSED);
        return;
    }
    if (!(s->flags & TH_SYN))
        return;
    t->irs = s->seq;
    t->rcv_nxt = s->seq + 1;
    t->mss = MIN(s->mss, OUR_MSS);
    t->snd_wnd = s->wnd;
    if (ack_ok) {
        t->snd_una = s->ack;
        t->timer_on = 0;
        t->retries = 0;
        t->rto = RTO_BASE;
        t->ack_now = 1;
        set_state(t, ESTABLISHED);
        output(t);
    } else { // both sides opened at once: answer with our SYN again, and an ACK
        t->state = SYN_RCVD;
        t->snd_nxt = t->iss;
        output(t);
    }
}

// 1 if the segment's sequence numbers fall in our receive window (RFC 793's
// four cases).
static int
acceptable(struct tcb *t, const struct seg *s)
{
    // BEGIN LAB 8: which segments are acceptable
    // STUB: return s->seq == t->rcv_nxt; // only the very next one: not RFC 793's test
    uint32_t wnd = rcv_window(t);
    uint32_t seg_len = s->len + !!(s->flags & TH_FIN);
    int32_t start = (int32_t)(s->seq - t->rcv_nxt);
    if (seg_len == 0)
        return wnd == 0 ? start == 0 : start >= 0 && (uint32_t)start < wnd;
    if (wnd == 0)
        return 0;
    int32_t end = start + (int32_t)seg_len - 1;
    return (start >= 0 && (uint32_t)start < wnd) || (end >= 0 && (uint32_t)end < wnd);
    // END LAB 8
}

// Take the acknowledgment s->ack: free acknowledged data, restart or stop
// the timer, move the closing states on. Returns 0 if processing continues.
static int
ack_input(struct tcb *t, const struct seg *s)
{
    if (t->state == SYN_RCVD) {
        if (s->ack != t->iss + 1) {
            reset_for(s);
            return -1;
        }
        t->snd_una = s->ack;
        t->snd_wnd = s->wnd;
        t->timer_on = 0;
        t->retries = 0;
        t->ready = 1;
        t->ready_order = ready_counter++;
        set_state(t, ESTABLISHED);
        return 0;
    }
    if (SEQ_LT(t->snd_nxt, s->ack)) { // acknowledges what we never sent
        ack_out_of_window(t);
        return -1;
    }
    if (SEQ_LT(t->snd_una, s->ack)) {
        uint32_t acked = s->ack - t->snd_una;
        uint32_t data = MIN(acked, t->tx_len);
        if (t->fin_sent && acked > t->tx_len)
            t->fin_acked = 1;
        t->tx_start = (t->tx_start + data) % TXBUF;
        t->tx_len -= data;
        t->snd_una = s->ack;
        t->snd_wnd = s->wnd;
        t->retries = 0;
        t->dupacks = 0;
        t->rto = RTO_BASE;
        t->timer_on = 0;
        if (t->snd_una != t->snd_nxt)
            timer_start(t);
        sock_wakeup(t); // room to write
    } else if (s->ack == t->snd_una) {
        if (s->len == 0 && s->wnd == t->snd_wnd && t->snd_nxt != t->snd_una &&
            ++t->dupacks == 3) { // the third duplicate: send the oldest again now
            net_stats.tcp_retransmits++;
            t->snd_nxt = t->snd_una;
            t->fin_sent = t->fin_acked;
        }
        if (s->len == 0 && s->wnd == t->snd_wnd && t->snd_nxt != t->snd_una)
            net_stats.tcp_dupacks++; // RFC 5681's duplicate: something is in flight
        t->snd_wnd = s->wnd;
    }
    if (t->fin_acked) {
        if (t->state == FIN_WAIT_1)
            set_state(t, FIN_WAIT_2);
        else if (t->state == CLOSING)
            set_state(t, TIME_WAIT);
        else if (t->state == LAST_ACK) {
            drop(t, 0);
            return -1;
        }
    }
    return 0;
}

// The data and the FIN of an acceptable segment: in order only.
static void
data_input(struct tcb *t, const struct seg *s)
{
    // BEGIN LAB 8: taking a segment's data and FIN
    // STUB: panic("lab 8: data_input is not written yet (a segment of %u bytes, flags 0x%x, in %s)",
    // STUB:       s->len, s->flags, tcp_state_name(t));
    const uint8_t *data = s->data;
    uint32_t len = s->len, seq = s->seq;
    if (SEQ_LT(seq, t->rcv_nxt)) { // the front was received already
        uint32_t skip = t->rcv_nxt - seq;
        if (skip > len) {
            t->ack_now = 1;
            return;
        }
        data += skip;
        len -= skip;
        seq = t->rcv_nxt;
    }
    int open = t->state == ESTABLISHED || t->state == FIN_WAIT_1 || t->state == FIN_WAIT_2;
    if (len && open && !t->has_socket && !t->parent) { // nobody will read it: RFC 1122 4.2.2.13
        send_raw(t->laddr, t->lport, t->raddr, t->rport, t->snd_nxt, 0, TH_RST, 0);
        tcb_free(t);
        return;
    }
    if (seq != t->rcv_nxt) { // a hole before it: drop, and say what we wait for
        net_stats.tcp_ooo++;
        t->ack_now = 1;
        return;
    }
    if (len && open) {
        uint32_t n = MIN(len, rcv_window(t));
        for (uint32_t i = 0; i < n && !t->rd_shut; i++)
            t->rx[(t->rx_start + t->rx_len + i) % RXBUF] = data[i];
        if (!t->rd_shut)
            t->rx_len += n;
        t->rcv_nxt += n;
        t->ack_now = 1;
        if (n < len)
            return; // the rest (and any FIN) did not fit: the peer sends it again
        sock_wakeup(t);
    }
    if ((s->flags & TH_FIN) && open) {
        t->rcv_nxt++;
        t->rcvd_fin = 1;
        send_segment(t, t->snd_nxt, 0, 0); // now: an orphan entering TIME_WAIT is freed below
        if (t->state == ESTABLISHED)
            set_state(t, CLOSE_WAIT);
        else if (t->state == FIN_WAIT_2 || t->fin_acked)
            set_state(t, TIME_WAIT);
        else
            set_state(t, CLOSING);
    }
    // END LAB 8
}

// A segment for a synchronized connection (SYN_RCVD and after).
static void
conn_input(struct tcb *t, const struct seg *s)
{
    if (t->state == TIME_WAIT) { // a socket still holds it
        if (s->flags & TH_FIN)
            ack_out_of_window(t);
        return;
    }
    if (t->state == SYN_RCVD && (s->flags & TH_SYN) && s->seq == t->irs) {
        t->snd_nxt = t->iss; // our SYN-ACK was lost: send it again
        output(t);
        return;
    }
    if (!acceptable(t, s)) { // a duplicate, or beyond the window: ACK what we have
        if (s->flags & TH_RST)
            return;
        // RFC 793: a full window accepts no data, but the ACK in it still counts
        if ((s->flags & (TH_ACK | TH_SYN)) == TH_ACK && t->state != SYN_RCVD && ack_input(t, s) < 0)
            return;
        ack_out_of_window(t);
        output(t);
        return;
    }
    if (s->flags & TH_RST) {
        if (s->seq != t->rcv_nxt)
            ack_out_of_window(t); // RFC 5961: a challenge ACK
        else if (t->parent)
            tcb_free(t); // a child never accepted: forget it
        else
            drop(t, ECONNRESET);
        return;
    }
    if (s->flags & TH_SYN) { // a SYN inside a connection: RFC 5961's challenge ACK
        ack_out_of_window(t);
        return;
    }
    if (!(s->flags & TH_ACK))
        return;
    if (ack_input(t, s) < 0) {
        if (t->state != FREE && t->state != CLOSED)
            output(t);
        return;
    }
    data_input(t, s);
    if (t->state != FREE)
        output(t);
}

// One TCP segment in, from ip_input.
void
tcp_input(const uint8_t *h, uint32_t len, uint32_t src, uint32_t dst)
{
    struct seg s;
    if (parse(&s, h, len, src, dst) < 0 || s.sport == 0 || s.dport == 0) {
        net_stats.drops_bad++;
        return;
    }
    struct tcb *t = find_conn(dst, s.dport, src, s.sport);
    if (t) {
        if (t->state == SYN_SENT)
            syn_sent_input(t, &s);
        else
            conn_input(t, &s);
        return;
    }
    struct time_wait *w = find_tw(dst, s.dport, src, s.sport);
    if (w && tw_input(w, &s))
        return;
    struct tcb *l = find_listener(dst, s.dport);
    if (l)
        listen_input(l, &s);
    else
        reset_for(&s);
}

// ---- timers ----

// The retransmission timer of t expired: send again from the oldest
// unacknowledged byte with a doubled timeout, or give up. With a zero window
// it is the persist timer: a one-byte probe, which never gives up.
static void
timeout(struct tcb *t)
{
    t->timer_on = 0;
    int probing = t->snd_wnd == 0 && t->state >= ESTABLISHED && t->state != TIME_WAIT && t->tx_len > 0;
    if (!probing && ++t->retries > MAX_RETRIES) {
        if (t->state != SYN_SENT)
            send_raw(t->laddr, t->lport, t->raddr, t->rport, t->snd_nxt, t->rcv_nxt, TH_RST | TH_ACK, 0);
        if (t->parent)
            tcb_free(t);
        else
            drop(t, ETIMEDOUT);
        return;
    }
    t->rto = MIN(t->rto * 2, RTO_MAX);
    net_stats.tcp_retransmits++;
    if (t->state == SYN_SENT || t->state == SYN_RCVD) {
        t->snd_nxt = t->iss;
    } else if (probing) {
        send_segment(t, t->snd_una, 0, 1); // a byte past the window
        if (t->snd_nxt == t->snd_una)
            t->snd_nxt++;
        timer_start(t);
        return;
    } else {
        t->snd_nxt = t->snd_una;
        t->fin_sent = t->fin_acked;
    }
    output(t);
}

// Every tick: timers that expired, orphans past their time, TIME_WAITs over.
void
tcp_tick(void)
{
    if (ntcb == 0 && ntw == 0)
        return; // nothing open: the timer interrupt pays one test
    for (int i = 0; i < NTCB; i++) {
        struct tcb *t = &tcbs[i];
        if (t->state == FREE)
            continue;
        if (t->timer_on && SEQ_LEQ(t->timer_at, ticks))
            timeout(t);
        if (t->state == TIME_WAIT && SEQ_LEQ(t->deadline, ticks)) {
            set_state(t, CLOSED);
        } else if (!t->has_socket && !t->parent && t->state != FREE && SEQ_LEQ(t->deadline, ticks)) {
            send_raw(t->laddr, t->lport, t->raddr, t->rport, t->snd_nxt, t->rcv_nxt, TH_RST | TH_ACK, 0);
            tcb_free(t);
        }
    }
    for (int i = 0; i < NTW; i++)
        if (tws[i].used && SEQ_LEQ(tws[i].deadline, ticks)) {
            tws[i].used = 0;
            ntw--;
        }
}

// ---- what sockets call (socket.c), inside net_enter/net_leave ----

// A new closed connection held by a socket, or 0 if the table is full.
struct tcb *
tcp_open(void)
{
    struct tcb *t = tcb_alloc();
    if (t)
        t->has_socket = 1;
    return t;
}

// 1 if port is in use in a way that forbids binding addr:port (self, the
// tcb that binds, does not count).
static int
port_busy(uint32_t addr, uint16_t port, int reuse, struct tcb *self)
{
    for (int i = 0; i < NTCB; i++) {
        struct tcb *t = &tcbs[i];
        if (t == self || t->state == FREE || t->lport != port)
            continue;
        if (addr && t->laddr && addr != t->laddr)
            continue;
        int passive = t->state == LISTEN || (t->state == CLOSED && t->has_socket && !t->connected);
        if (passive || !reuse)
            return 1;
    }
    for (int i = 0; i < NTW && !reuse; i++)
        if (tws[i].used && tws[i].lport == port)
            return 1;
    return 0;
}

struct bind_try {
    uint32_t addr;
    struct tcb *self;
};

// net_ephemeral_port's test: port is used at all (SO_REUSEADDR or not).
static int
ephemeral_taken(uint16_t port, void *arg)
{
    struct bind_try *try = arg;
    return port_busy(try->addr, port, 0, try->self);
}

// Bind t to addr:port (port 0: a free ephemeral port). 0, -EINVAL (bound
// already), -EADDRNOTAVAIL, -EADDRINUSE.
int
tcp_bind(struct tcb *t, uint32_t addr, uint16_t port, int reuse)
{
    if (t->lport || t->state != CLOSED || t->connected)
        return -EINVAL;
    if (addr && !net_is_local(addr))
        return -EADDRNOTAVAIL;
    struct bind_try try = {addr, t};
    if (port == 0 && (port = net_ephemeral_port(ephemeral_taken, &try)) == 0)
        return -EADDRINUSE;
    if (port_busy(addr, port, reuse, t))
        return -EADDRINUSE;
    t->laddr = addr;
    t->lport = port;
    t->reuse = reuse;
    return 0;
}

// Listen on t's port with room for backlog connections not yet accepted.
int
tcp_listen(struct tcb *t, int backlog)
{
    if (t->state == LISTEN) {
        t->backlog = backlog < 1 ? 1 : MIN(backlog, NTCB);
        return 0;
    }
    if (t->state != CLOSED || t->connected)
        return -EINVAL;
    if (!t->lport) {
        int r = tcp_bind(t, 0, 0, t->reuse);
        if (r < 0)
            return r;
    }
    t->backlog = backlog < 1 ? 1 : MIN(backlog, NTCB);
    t->state = LISTEN;
    return 0;
}

// Start an active open to addr:port: send the SYN. 0, or -EISCONN,
// -EALREADY (under way), -EINVAL (listening), -ENETUNREACH, -EADDRINUSE.
int
tcp_connect(struct tcb *t, uint32_t addr, uint16_t port)
{
    if (t->state == SYN_SENT)
        return -EALREADY;
    if (t->state == LISTEN)
        return -EINVAL;
    if (t->connected || t->state != CLOSED || t->err)
        return t->err ? -t->err : -EISCONN;
    if (!net_route_ok(addr) || addr == 0 || port == 0)
        return addr && port ? -ENETUNREACH : -EINVAL;
    if (!t->lport) {
        int r = tcp_bind(t, 0, 0, 0);
        if (r < 0)
            return r;
    }
    t->laddr = net_source_for(addr);
    t->raddr = addr;
    t->rport = port;
    if (find_conn(t->laddr, t->lport, addr, port) != t && find_conn(t->laddr, t->lport, addr, port))
        return -EADDRINUSE;
    t->iss = t->snd_una = t->snd_nxt = new_iss();
    t->state = SYN_SENT;
    output(t);
    return 0;
}

// 0 once t is established, -EINPROGRESS while it opens, else its error.
int
tcp_connect_result(struct tcb *t)
{
    if (t->state == SYN_SENT || t->state == SYN_RCVD)
        return -EINPROGRESS;
    if (t->connected)
        return 0;
    return t->err ? -t->err : -ECONNREFUSED;
}

// The oldest connection of listener l that is ready, detached from it and
// now the caller's; its peer in *addr, *port. 0 if none is ready.
struct tcb *
tcp_accept(struct tcb *l, uint32_t *addr, uint16_t *port)
{
    struct tcb *best = 0;
    for (int i = 0; i < NTCB; i++) {
        struct tcb *c = &tcbs[i];
        if (c->state != FREE && c->parent == l && c->ready &&
            (!best || SEQ_LT(c->ready_order, best->ready_order)))
            best = c;
    }
    if (!best)
        return 0;
    l->nchild--;
    best->parent = 0;
    best->has_socket = 1;
    *addr = best->raddr;
    *port = best->rport;
    if (best->state == CLOSED) // reset after it was ready: the socket reads the error
        best->err = best->err ? best->err : ECONNRESET;
    return best;
}

// Copy up to n received bytes into buf; with peek they stay (tcp_consume
// takes them). Bytes, 0 at the end of the stream, -EAGAIN if it would
// block, -ENOTCONN, or the connection's error.
int
tcp_recv(struct tcb *t, void *buf, uint32_t n, int peek)
{
    if (t->rx_len == 0) {
        if (t->rcvd_fin || t->rd_shut)
            return 0;
        if (t->err)
            return -t->err;
        if (t->state == SYN_SENT || t->state == SYN_RCVD)
            return -EAGAIN;
        if (!t->connected || t->state == LISTEN)
            return -ENOTCONN;
        if (t->state == CLOSED)
            return 0;
        return -EAGAIN;
    }
    uint32_t c = MIN(n, t->rx_len);
    uint8_t *d = buf;
    for (uint32_t i = 0; i < c; i++)
        d[i] = t->rx[(t->rx_start + i) % RXBUF];
    if (!peek)
        tcp_consume(t, c);
    return (int)c;
}

// Drop n bytes the socket has read; offer the larger window at once if it
// grew by half the buffer or a segment.
int
tcp_consume(struct tcb *t, uint32_t n)
{
    n = MIN(n, t->rx_len);
    t->rx_start = (t->rx_start + n) % RXBUF;
    t->rx_len -= n;
    uint32_t edge = t->rcv_nxt + rcv_window(t);
    if (t->state >= ESTABLISHED && t->state != TIME_WAIT &&
        edge - t->rcv_adv >= MIN((uint32_t)RXBUF / 2, (uint32_t)t->mss)) {
        t->ack_now = 1;
        output(t);
    }
    return (int)n;
}

// Queue up to n bytes of buf for sending, and send what the window allows.
// Bytes queued (maybe fewer than n), -EAGAIN if the buffer is full or the
// connection still opening, -EPIPE after shutdown or the peer's reset
// (reported once as -ECONNRESET first), -ENOTCONN.
int
tcp_send(struct tcb *t, const void *buf, uint32_t n)
{
    if (t->err) {
        int e = t->err;
        if (e == ECONNRESET)
            t->err = EPIPE; // the reset is reported once; then writes get EPIPE
        return -e;
    }
    if (t->state == SYN_SENT || t->state == SYN_RCVD)
        return -EAGAIN;
    if (!t->connected)
        return -ENOTCONN;
    if (t->fin_queued || (t->state != ESTABLISHED && t->state != CLOSE_WAIT))
        return -EPIPE;
    uint32_t c = MIN(n, TXBUF - t->tx_len);
    if (c == 0)
        return -EAGAIN;
    const uint8_t *s = buf;
    for (uint32_t i = 0; i < c; i++)
        t->tx[(t->tx_start + t->tx_len + i) % TXBUF] = s[i];
    t->tx_len += c;
    output(t);
    return (int)c;
}

// shutdown(how): SHUT_RD ends reading (what arrives is discarded), SHUT_WR
// queues the FIN after the data. -ENOTCONN if never connected.
int
tcp_shutdown(struct tcb *t, int how)
{
    if (!t->connected)
        return -ENOTCONN;
    if (how == SHUT_RD || how == SHUT_RDWR) {
        t->rd_shut = 1;
        t->rx_len = 0;
    }
    if ((how == SHUT_WR || how == SHUT_RDWR) && !t->fin_queued &&
        (t->state == ESTABLISHED || t->state == CLOSE_WAIT)) {
        t->fin_queued = 1;
        output(t);
    }
    sock_wakeup(t);
    return 0;
}

// The socket closed t. A listener resets and frees the connections it has
// not handed out; a connection with unread data is reset (RFC 2525); any
// other sends its FIN and finishes closing on its own, within ORPHAN_TICKS.
void
tcp_close(struct tcb *t)
{
    t->has_socket = 0;
    t->deadline = ticks + ORPHAN_TICKS;
    if (t->state == LISTEN) {
        for (int i = 0; i < NTCB; i++) {
            struct tcb *c = &tcbs[i];
            if (c->state != FREE && c->parent == t) {
                send_raw(c->laddr, c->lport, c->raddr, c->rport, c->snd_nxt, c->rcv_nxt,
                         TH_RST | TH_ACK, 0);
                tcb_free(c);
            }
        }
        tcb_free(t);
    } else if (t->state == CLOSED || t->state == SYN_SENT) {
        tcb_free(t);
    } else if (t->state == TIME_WAIT) {
        tw_add(t, t->deadline);
        tcb_free(t);
    } else if (t->rx_len > 0 && !t->rd_shut) {
        send_raw(t->laddr, t->lport, t->raddr, t->rport, t->snd_nxt, t->rcv_nxt, TH_RST | TH_ACK, 0);
        tcb_free(t);
    } else if (!t->fin_queued && (t->state == ESTABLISHED || t->state == CLOSE_WAIT)) {
        t->fin_queued = 1;
        output(t);
    }
}

// What poll sees on t (net.h; interrupts off).
int
tcp_poll(struct tcb *t, int events)
{
    if (t->state == LISTEN) {
        for (int i = 0; i < NTCB; i++)
            if (tcbs[i].state != FREE && tcbs[i].parent == t && tcbs[i].ready)
                return events & POLLIN;
        return 0;
    }
    int r = 0;
    if (t->rx_len || t->rcvd_fin || t->rd_shut || t->err || (t->connected && t->state == CLOSED))
        r |= events & POLLIN;
    if (((t->state == ESTABLISHED || t->state == CLOSE_WAIT) && !t->fin_queued && t->tx_len < TXBUF) ||
        t->err)
        r |= events & POLLOUT;
    if (t->err)
        r |= POLLERR;
    if (t->state == CLOSED && (t->connected || t->err))
        r |= POLLHUP;
    return r;
}

int
tcp_listening(struct tcb *t)
{
    return t->state == LISTEN;
}

void
tcp_name(struct tcb *t, uint32_t *addr, uint16_t *port)
{
    *addr = t->laddr;
    *port = t->lport;
}

// The name of t's state ("ESTABLISHED", "CLOSE_WAIT", ...), for tests and diagnostics.
const char *
tcp_state_name(struct tcb *t)
{
    static const char *const names[] = {
        [FREE] = "FREE", [CLOSED] = "CLOSED", [LISTEN] = "LISTEN", [SYN_SENT] = "SYN_SENT",
        [SYN_RCVD] = "SYN_RCVD", [ESTABLISHED] = "ESTABLISHED", [FIN_WAIT_1] = "FIN_WAIT_1",
        [FIN_WAIT_2] = "FIN_WAIT_2", [CLOSING] = "CLOSING", [TIME_WAIT] = "TIME_WAIT",
        [CLOSE_WAIT] = "CLOSE_WAIT", [LAST_ACK] = "LAST_ACK",
    };
    return names[t->state];
}

// Tests (the fuzzer): t's state (enum tcp_state: 5 ESTABLISHED, and the
// states after it) and the next sequence numbers it sends and expects.
int
tcp_test_state(struct tcb *t, uint32_t *snd_nxt, uint32_t *rcv_nxt, uint16_t *lport)
{
    *snd_nxt = t->snd_nxt;
    *rcv_nxt = t->rcv_nxt;
    *lport = t->lport;
    return t->state;
}

// Tests: reset and forget every connection, listener and TIME_WAIT that no
// socket holds.
void
tcp_reset_all(void)
{
    for (int i = 0; i < NTCB; i++)
        if (tcbs[i].state != FREE && !tcbs[i].has_socket)
            tcb_free(&tcbs[i]);
    for (int i = 0; i < NTW; i++)
        tws[i].used = 0;
    ntw = 0;
}

uint32_t tcp_table_size(void) { return NTCB; }
uint32_t tcp_table_bytes(void) { return sizeof(tcbs) + sizeof(tws); }

uint32_t
tcp_table_used(void)
{
    return ntcb;
}
