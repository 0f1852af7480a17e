// IPv4 (RFC 791) and ICMP echo (RFC 792). Left out on purpose: fragments
// (a fragment is dropped; we never send one: TCP's MSS and UDP's limit keep
// packets within the MTU), options (skipped on input, never sent),
// forwarding, multicast, and ICMP errors other than echo.
#include "kernel.h"
#include "net.h"

// The Internet checksum's running sum of len bytes at data, added to start
// (a partial sum, e.g. the pseudo-header's); returns the folded complement.
uint16_t
ip_checksum(const void *data, uint32_t len, uint32_t start)
{
    const uint8_t *p = data;
    uint32_t sum = start;
    for (; len > 1; len -= 2, p += 2)
        sum += (uint32_t)(p[0] << 8 | p[1]);
    if (len)
        sum += (uint32_t)p[0] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

// The unfolded sum of TCP's and UDP's pseudo-header.
uint32_t
ip_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint32_t len)
{
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

// Answer an echo request (type 8) with an echo reply carrying the same data.
static void
icmp_input(const uint8_t *m, uint32_t len, uint32_t src, uint32_t dst)
{
    if (len < 8 || ip_checksum(m, len, 0) != 0 || m[0] != 8 || len > NET_MTU - IP_HLEN) {
        net_stats.drops_bad++;
        return;
    }
    struct pkbuf *pb = pkbuf_alloc();
    if (!pb)
        return;
    uint8_t *r = pkbuf_ip(pb) + IP_HLEN;
    memcpy(r, m, len);
    r[0] = 0; // echo reply
    put16(r + 2, 0);
    put16(r + 2, ip_checksum(r, len, 0));
    net_stats.icmp_echo++;
    ip_output(pb, dst, src, IPPROTO_ICMP, len);
}

// One IPv4 packet in (from the card or the loopback queue): checked, then
// handed to its protocol. Every length is checked against len. 127/8 is
// loopback's on both ends or on neither (a martian is dropped).
void
ip_input(const uint8_t *ip, uint32_t len)
{
    if (len < IP_HLEN || (ip[0] >> 4) != 4) {
        net_stats.drops_bad++;
        return;
    }
    uint32_t hlen = (ip[0] & 0xf) * 4u, total = net16(ip + 2);
    uint32_t src = net32(ip + 12), dst = net32(ip + 16);
    int fragment = (net16(ip + 6) & 0x3fff) != 0; // MF, or an offset
    if (hlen < IP_HLEN || total < hlen || total > len || ip_checksum(ip, hlen, 0) != 0 ||
        fragment || !net_is_local(dst) || ((src >> 24) == 127) != ((dst >> 24) == 127)) {
        net_stats.drops_bad++;
        return;
    }
    const uint8_t *l4 = ip + hlen;
    uint32_t l4len = total - hlen; // bytes past total (Ethernet padding) are ignored
    switch (ip[9]) {
    case IPPROTO_ICMP:
        icmp_input(l4, l4len, src, dst);
        break;
    case IPPROTO_TCP:
        tcp_input(l4, l4len, src, dst);
        break;
    case IPPROTO_UDP:
        udp_input(l4, l4len, src, dst);
        break;
    default:
        net_stats.drops_bad++;
    }
}

// Fill pb's IP header (l4len bytes of protocol data already follow it) and
// send it. Consumes pb.
void
ip_output(struct pkbuf *pb, uint32_t src, uint32_t dst, uint8_t proto, uint32_t l4len)
{
    static uint16_t next_id;
    uint8_t *ip = pkbuf_ip(pb);
    ip[0] = 0x45; // version 4, 5 words of header
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(IP_HLEN + l4len));
    put16(ip + 4, next_id++);
    put16(ip + 6, 0x4000); // don't fragment
    ip[8] = 64;            // TTL
    ip[9] = proto;
    put16(ip + 10, 0);
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, ip_checksum(ip, IP_HLEN, 0));
    pb->len = IP_HLEN + l4len;
    net_output_ip(pb, dst);
}
