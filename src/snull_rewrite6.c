// SPDX-License-Identifier: GPL-2.0
/*
 * The address trick for IPv6.
 *
 * The low bit of byte 7 of both addresses, the last byte of a /64 prefix,
 * flips on the way: fd00::1 -> fd00::2 leaves sn0 and reaches sn1 as
 * fd00:0:0:1::1 -> fd00:0:0:1::2, as 192.168.0.0/24 and 192.168.1.0/24 do
 * for IPv4 (snull_rewrite4.c). IPv6 has no header checksum, but TCP, UDP,
 * UDP-Lite, DCCP and ICMPv6 all cover both addresses in their
 * pseudo-header, so their sums get the same incremental update
 * (snull_csum.c).
 *
 * The rule (docs/interface.md):
 * - Only a packet between two global unicast addresses is rewritten. One
 *   with an unspecified, loopback, link-local, multicast or IPv4-mapped
 *   address is link-scope traffic of the wire between the two ends (DAD,
 *   router solicitations, MLD reports, solicited-node neighbour
 *   solicitations, fe80:: pings): it passes unchanged, as on a real link.
 * - Neighbour discovery messages pass unchanged even between global
 *   addresses: their bodies carry addresses (the target, the link-layer
 *   options) that a header rewrite would leave contradicting the header.
 * - Otherwise the next header must be TCP, UDP, UDP-Lite, DCCP or ICMPv6,
 *   the transports whose checksums the trick updates. The trick parses
 *   no extension header (hop-by-hop, routing, fragment, destination
 *   options, AH, ESP, ...) and knows no other transport's checksum: such a
 *   packet is dropped and counted (tx_drop_ipv6_nexthdr), never half
 *   rewritten.
 */
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/ipv6.h>
#include <net/ndisc.h>

#include "snull.h"

/* What the trick may rewrite: neither link scope nor special. */
static bool snull_addr6_global(const struct in6_addr *a)
{
	/* fe80::/10 */
	bool link_local = (a->s6_addr32[0] & htonl(0xffc00000)) ==
			  htonl(0xfe800000);

	return !link_local && !ipv6_addr_any(a) && !ipv6_addr_loopback(a) &&
	       !ipv6_addr_is_multicast(a) && !ipv6_addr_v4mapped(a);
}

static bool snull_icmp6_is_nd(u8 type)
{
	return type >= NDISC_ROUTER_SOLICITATION && type <= NDISC_REDIRECT;
}

/*
 * Flip the prefix bit of @addr and bring the checksum at @check (if any)
 * up to date: only the second 32-bit word of the address changes.
 */
static void snull_flip6(struct in6_addr *addr, __sum16 *check, bool partial)
{
	const __be32 flip = htonl(0x00000001);	/* low bit of byte 7 */
	__be32 old = addr->s6_addr32[1];

	addr->s6_addr32[1] ^= flip;
	if (check)
		snull_csum_replace4(check, old, addr->s6_addr32[1], partial);
}

/*
 * The IPv6 leaf of snull_rewrite(): @frame is an Ethernet frame of @len
 * bytes with the IPv6 EtherType, rewritten in place; the same contract.
 */
int snull_rewrite6(u8 *frame, unsigned int len, bool partial)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)(frame + ETH_HLEN);
	u8 *l4 = frame + ETH_HLEN + sizeof(*ip6h);
	__sum16 *check;
	unsigned int plen;

	if (len < ETH_HLEN + sizeof(*ip6h))
		return SNULL_TX_DROP_RUNT;
	if (ip6h->version != 6)
		return SNULL_TX_DROP_BAD_IHL;
	plen = ntohs(ip6h->payload_len);
	if (ETH_HLEN + sizeof(*ip6h) + plen > len)
		return SNULL_TX_DROP_BAD_LEN;
	if (!snull_addr6_global(&ip6h->saddr) ||
	    !snull_addr6_global(&ip6h->daddr))
		return 0;
	if (snull_l4_check_off(ip6h->nexthdr, true) < 0)
		return SNULL_TX_DROP_IPV6_NEXTHDR;
	if (ip6h->nexthdr == IPPROTO_ICMPV6 && plen && snull_icmp6_is_nd(l4[0]))
		return 0;

	check = snull_l4_check(ip6h->nexthdr, true, l4, plen, partial);
	snull_flip6(&ip6h->saddr, check, partial);
	snull_flip6(&ip6h->daddr, check, partial);
	snull_l4_check_done(ip6h->nexthdr, check, partial);
	return 0;
}

/*
 * How much of the IPv6 frame @skb the trick reads and writes: Ethernet, the
 * fixed IPv6 header and the transport header up to its checksum (which
 * holds ICMPv6's type too), bounded by the frame.
 */
unsigned int snull_hdrs_len6(struct sk_buff *skb)
{
	unsigned int len = ETH_HLEN + sizeof(struct ipv6hdr);
	const struct ipv6hdr *ip6h;
	int off;

	if (skb->len < len || !pskb_may_pull(skb, len))
		return min(skb->len, len);
	ip6h = (const struct ipv6hdr *)(skb->data + ETH_HLEN);
	off = snull_l4_check_off(ip6h->nexthdr, true);
	if (off >= 0)
		len += off + sizeof(__sum16);
	return min(skb->len, len);
}
