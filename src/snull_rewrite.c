// SPDX-License-Identifier: GPL-2.0
/*
 * The address trick.
 *
 * A frame from sn0 to 192.168.0.2 must reach sn1 as if it came from a
 * remote host, 192.168.1.1, for 192.168.1.2: the low bit of the third octet
 * of both IPv4 addresses flips on the way, in both directions. The header
 * is parsed with every length checked against the frame before it is used
 * (pitfalls.md #9), and the checksums that cover the addresses are brought
 * up to date (#10), never recomputed.
 *
 * With copy=1 the frame is our copy in a ring buffer, its checksums all
 * complete. In zero-copy mode it is the skb itself, whose data TCP may
 * share with the clone it keeps for retransmission, or a packet socket
 * with its copy: snull_rewrite_skb() first makes the headers private.
 */
#include <linux/skbuff.h>
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>

#include "snull.h"

/*
 * Replace @from by @to in the sum at @sum. A complete checksum is updated
 * as RFC 1624 says. With CHECKSUM_PARTIAL (@partial) the field holds the
 * pseudo-header's sum, not complemented, which the "hardware" (or the
 * stack, at the far end) completes over the payload: it gets the same
 * change, uncomplemented, as inet_proto_csum_replace4() does for NAT.
 */
void snull_csum_replace4(__sum16 *sum, __be32 from, __be32 to, bool partial)
{
	if (!partial) {
		csum_replace4(sum, from, to);
		return;
	}
	*sum = ~csum_fold(csum_add(csum_sub(csum_unfold(*sum),
					    (__force __wsum)from),
				   (__force __wsum)to));
}

/*
 * TCP and UDP checksums cover a pseudo-header with both addresses, so they
 * are updated incrementally (RFC 1624). ICMP's does not, and needs nothing.
 * @l4 points at the transport header, @l4len bytes of which are in the frame.
 */
static void snull_fix_l4(const struct iphdr *iph, u8 *l4, unsigned int l4len,
			 __be32 old_saddr, __be32 old_daddr, bool partial)
{
	__sum16 *check;

	switch (iph->protocol) {
	case IPPROTO_TCP:
		if (l4len < sizeof(struct tcphdr))
			return;
		check = &((struct tcphdr *)l4)->check;
		break;
	case IPPROTO_UDP:
		if (l4len < sizeof(struct udphdr))
			return;
		check = &((struct udphdr *)l4)->check;
		if (!*check && !partial) /* the sender chose no checksum */
			return;
		break;
	default:
		return;
	}
	snull_csum_replace4(check, old_saddr, iph->saddr, partial);
	snull_csum_replace4(check, old_daddr, iph->daddr, partial);
	/* A partial sum is no checksum yet: 0 is a value like any other. */
	if (iph->protocol == IPPROTO_UDP && !*check && !partial)
		*check = CSUM_MANGLED_0;
}

/*
 * Rewrite the @len-byte Ethernet frame at @frame in place: its headers, up
 * to the transport header's checksum, are in the @len bytes (the caller
 * sees to that). @partial: the L4 checksum is CHECKSUM_PARTIAL's
 * pseudo-header sum. Returns 0, or the drop counter that says why the
 * frame cannot be rewritten.
 */
int snull_rewrite(u8 *frame, unsigned int len, bool partial)
{
	const __be32 flip = htonl(0x00000100);	/* low bit of octet 3 */
	const struct ethhdr *eth = (const struct ethhdr *)frame;
	struct iphdr *iph = (struct iphdr *)(frame + ETH_HLEN);
	__be32 old_saddr, old_daddr;
	unsigned int ihl, tot_len;

	if (len < ETH_HLEN)
		return SNULL_TX_DROP_RUNT;
	if (eth->h_proto == htons(ETH_P_IPV6))
		return snull_rewrite6(frame, len, partial);
	if (eth->h_proto != htons(ETH_P_IP))
		return SNULL_TX_DROP_NOT_IPV4;
	if (len < ETH_HLEN + sizeof(*iph))
		return SNULL_TX_DROP_RUNT;
	ihl = iph->ihl * 4;
	if (iph->version != 4 || ihl < sizeof(*iph) || ETH_HLEN + ihl > len)
		return SNULL_TX_DROP_BAD_IHL;
	tot_len = ntohs(iph->tot_len);
	if (tot_len < ihl || ETH_HLEN + tot_len > len)
		return SNULL_TX_DROP_BAD_LEN;

	old_saddr = iph->saddr;
	old_daddr = iph->daddr;
	iph->saddr ^= flip;
	iph->daddr ^= flip;
	/*
	 * Update the header checksum, never recompute it: a header that left
	 * with a bad checksum must arrive with a bad one, or the receiver
	 * would accept what the sender broke (pitfalls.md #23).
	 */
	csum_replace4(&iph->check, old_saddr, iph->saddr);
	csum_replace4(&iph->check, old_daddr, iph->daddr);

	/* Only the first fragment carries the transport header. */
	if (!(iph->frag_off & htons(IP_OFFSET)))
		snull_fix_l4(iph, frame + ETH_HLEN + ihl, tot_len - ihl,
			     old_saddr, old_daddr, partial);
	return 0;
}

/*
 * How much of @skb the trick writes: Ethernet, IPv4 with its options, and
 * TCP or UDP up to its checksum, bounded by the frame. Only the IPv4 header
 * is pulled to read it: the rest of a TCP skb's linear part is its
 * headers, and pulling payload out of its pages would be wasted work. A
 * frame that is too short, or neither IPv4 nor IPv6, gets what it has,
 * and snull_rewrite() drops it; IPv6 has snull_hdrs_len6().
 */
static unsigned int snull_hdrs_len(struct sk_buff *skb)
{
	unsigned int len = ETH_HLEN + sizeof(struct iphdr);
	const struct iphdr *iph;
	unsigned int ihl;

	if (skb_headlen(skb) >= ETH_HLEN &&
	    ((struct ethhdr *)skb->data)->h_proto == htons(ETH_P_IPV6))
		return snull_hdrs_len6(skb);
	if (skb->len < len || !pskb_may_pull(skb, len))
		return skb->len < len ? skb->len : len;
	iph = (const struct iphdr *)(skb->data + ETH_HLEN);
	ihl = iph->ihl * 4;
	if (ihl < sizeof(*iph))
		return len;
	len = ETH_HLEN + ihl;
	if (!(iph->frag_off & htons(IP_OFFSET))) {
		if (iph->protocol == IPPROTO_TCP)
			len += offsetofend(struct tcphdr, check);
		else if (iph->protocol == IPPROTO_UDP)
			len += sizeof(struct udphdr);
	}
	return min(skb->len, len);
}

/*
 * Zero copy: the trick on @skb itself. A clone (TCP's, whose original
 * stays for retransmission; a tap's) gets a private head, and
 * skb_ensure_writable() pulls the headers into it; the payload, in pages,
 * is never copied. A GSO frame is one rewrite: its
 * segments are cut from these headers later, on whichever side segments
 * it. Returns 0, or the drop counter that says why the frame cannot go.
 */
int snull_rewrite_skb(struct sk_buff *skb)
{
	/*
	 * A clone shares more than its data with the original: the
	 * skb_shared_info, whose frags TCP's retransmit queue still walks
	 * (SACK shifts them) and which GRO on the far side rewrites as it
	 * merges. TCP lets a clone write its headers in place
	 * (skb_clone_writable()), so skb_ensure_writable() alone would keep
	 * sharing it: a kernel BUG in skb_shift() followed. The head, and the
	 * frag array with it, must be ours before the skb crosses, as veth
	 * unclones what it gives to GRO.
	 */
	if (unlikely(skb_unclone(skb, GFP_ATOMIC) ||
		     skb_ensure_writable(skb, snull_hdrs_len(skb))))
		return SNULL_TX_DROP_NOMEM;
	/*
	 * The length checks compare the headers with the whole frame, and
	 * every byte the rewrite touches is within snull_hdrs_len(): linear
	 * now, and ours.
	 */
	return snull_rewrite(skb->data, skb->len,
			     skb->ip_summed == CHECKSUM_PARTIAL);
}
