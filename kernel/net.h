// The network stack's internal interfaces (docs/net.md). One file per layer:
//   net.c    packet buffers, the two interfaces (the e1000 and loopback),
//            Ethernet, and the stack's entry and exit (net_enter/net_leave)
//   arp.c    ARP: the cache, requests and replies, one packet waiting per entry
//   ip.c     IPv4 in and out, checksums, ICMP echo
//   udp.c    UDP endpoints and their datagram queues
//   tcp.c    TCP: connections, the state machine, timers, TIME_WAIT
//   socket.c sockets as files, and the system calls
//
// Locking: one CPU, so the whole stack runs with interrupts off. Every entry
// (a system call, the card's interrupt, the timer tick) brackets its work with
// net_enter()/net_leave(); user memory is copied outside that bracket, since
// a copy may fault and sleep. Packets for 127.0.0.1 or our own address go to
// the loopback queue, which the outermost net_leave() drains: so input never
// runs inside output, and a handler never meets itself on the stack.
#ifndef NET_H
#define NET_H

#include <stdint.h>

// Addresses are kept in host byte order inside the stack; the wire and
// struct sockaddr_in hold network order.
#define NET_IP_CARD 0x0a00020fu  // 10.0.2.15: the address both emulators' slirp expects
#define NET_IP_GATEWAY 0x0a000202u // 10.0.2.2: slirp's gateway (the host's side)
#define NET_MASK 0xffffff00u     // a /24
#define NET_IP_LOOPBACK 0x7f000001u

#define ETH_HLEN 14
#define IP_HLEN 20               // we send no options
#define NET_MTU 1500             // both interfaces
#define PKBUF_DATA 1536          // a full Ethernet frame (1514) and a little room
#define NPKBUF 64                // buffers in the pool (net.c)

static inline uint16_t net16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t net32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

// A packet buffer: one frame, built or queued. The IP packet always starts
// at data + ETH_HLEN, so a packet can go out either interface unchanged.
struct pkbuf {
    struct pkbuf *next;          // on a queue (loopback, ARP wait, a UDP socket)
    uint32_t len;                // bytes of the IP packet (from data + ETH_HLEN)
    uint32_t from_ip;            // UDP queue: the sender
    uint16_t from_port;
    uint8_t data[PKBUF_DATA];
};

// net.c
void net_enter(void);
void net_leave(void);
void net_sleep(void *chan);               // wait inside a system call (depth 1 only)
struct pkbuf *pkbuf_alloc(void);         // 0 when the pool is empty (counted: drops_nobuf)
void pkbuf_free(struct pkbuf *pb);
uint32_t pkbuf_free_count(void);
static inline uint8_t *pkbuf_ip(struct pkbuf *pb) { return pb->data + ETH_HLEN; }
int net_is_local(uint32_t ip);           // one of our addresses (card, loopback)
uint32_t net_source_for(uint32_t dst);   // our address that reaches dst
int net_route_ok(uint32_t dst);          // 0: no interface reaches dst
void net_output_ip(struct pkbuf *pb, uint32_t dst); // consumes pb
void net_eth_send(struct pkbuf *pb, const uint8_t mac[6], uint16_t type); // consumes pb
void net_input_frame(const void *frame, uint32_t len); // an Ethernet frame, any source
void net_mac(uint8_t mac[6]);
uint16_t net_ephemeral_port(int (*taken)(uint16_t port, void *arg), void *arg); // 0: none free
extern struct netstat net_stats;
// Tests only (test=tcprx): when set, every IP packet the stack sends goes to
// it (ip: the packet, header first), not out of an interface.
extern void (*net_test_tap)(const uint8_t *ip, uint32_t len);

// arp.c
void arp_input(const uint8_t *pkt, uint32_t len);
void arp_resolve_and_send(struct pkbuf *pb, uint32_t next_hop); // consumes pb
void arp_tick(void);
void arp_reset(void);                    // forget everything (tests)

// ip.c
uint16_t ip_checksum(const void *data, uint32_t len, uint32_t start);
uint32_t ip_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint32_t len);
void ip_input(const uint8_t *pkt, uint32_t len);
void ip_output(struct pkbuf *pb, uint32_t src, uint32_t dst, uint8_t proto, uint32_t l4len);
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

// udp.c
struct udpcb;
void udp_input(const uint8_t *seg, uint32_t len, uint32_t src, uint32_t dst);
struct udpcb *udp_open(void);
int udp_bind(struct udpcb *u, uint32_t addr, uint16_t port);
int udp_send(struct udpcb *u, const void *data, uint32_t n, uint32_t dst, uint16_t dport);
int udp_recv(struct udpcb *u, void *buf, uint32_t n, uint32_t *src, uint16_t *sport); // -EAGAIN if empty
int udp_readable(struct udpcb *u);
void udp_close(struct udpcb *u);
void udp_name(struct udpcb *u, uint32_t *addr, uint16_t *port);

// tcp.c
struct tcb;
void tcp_input(const uint8_t *seg, uint32_t len, uint32_t src, uint32_t dst);
void tcp_tick(void);
struct tcb *tcp_open(void);              // a new, closed endpoint, or 0 (table full)
int tcp_bind(struct tcb *t, uint32_t addr, uint16_t port, int reuse);
int tcp_listen(struct tcb *t, int backlog);
int tcp_connect(struct tcb *t, uint32_t addr, uint16_t port);
struct tcb *tcp_accept(struct tcb *t, uint32_t *addr, uint16_t *port); // 0 if none ready
int tcp_recv(struct tcb *t, void *buf, uint32_t n, int peek); // bytes, 0 at end, -EAGAIN, -errno
int tcp_consume(struct tcb *t, uint32_t n);
int tcp_send(struct tcb *t, const void *buf, uint32_t n);     // bytes queued, -EAGAIN, -errno
int tcp_shutdown(struct tcb *t, int how);
void tcp_close(struct tcb *t);           // the socket is gone; the connection closes on its own
int tcp_poll(struct tcb *t, int events);
int tcp_connect_result(struct tcb *t);   // 0 established, -EINPROGRESS, or -errno
void tcp_name(struct tcb *t, uint32_t *addr, uint16_t *port);
const char *tcp_state_name(struct tcb *t); // "ESTABLISHED", ... (tests, diagnostics)
int tcp_listening(struct tcb *t);
void tcp_reset_all(void);                // tests: drop every connection no socket holds
int tcp_test_state(struct tcb *t, uint32_t *snd_nxt, uint32_t *rcv_nxt, uint16_t *lport);
#define TCP_STATE_ESTABLISHED 5          // tcp_test_state's value for ESTABLISHED
uint32_t tcp_table_size(void);
uint32_t tcp_table_used(void);
uint32_t tcp_table_bytes(void);

// socket.c
void sock_wakeup(void *endpoint);        // a TCP or UDP endpoint changed: wake its sleepers, pollers

#endif
