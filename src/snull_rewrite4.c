// SPDX-License-Identifier: GPL-2.0
/*
 * The address trick for IPv4.
 *
 * A frame from sn0 to 192.168.0.2 must reach sn1 as if it came from a
 * remote host, 192.168.1.1, for 192.168.1.2: the low bit of the third octet
 * of both IPv4 addresses flips on the way, in both directions. The header
 * is parsed with every length checked against the frame before it is used
 * (pitfalls.md #9), and the checksums that cover the addresses are brought
 * up to date (#10), never recomputed.
 */
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/ip.h>

#include "snull.h"

/*
 * The transport's checksum covers a pseudo-header with both addresses
 * (TCP, UDP, UDP-Lite, DCCP): it gets the same incremental update as the
 * IP header's. @l4
 * points at the transport header, @l4len bytes of which are in the frame.
 */
static void snull_fix_l4(const struct iphdr *iph, u8 *l4, unsigned int l4len,
			 __be32 old_saddr, __be32 old_daddr, bool partial)
{
	__sum16 *check = snull_l4_check(iph->protocol, false, l4, l4len,
					partial);

	if (!check)
		return;
	snull_csum_replace4(check, old_saddr, iph->saddr, partial);
	snull_csum_replace4(check, old_daddr, iph->daddr, partial);
	snull_l4_check_done(iph->protocol, check, partial);
}

/*
 * The IPv4 leaf of snull_rewrite(): @frame is an Ethernet frame of @len
 * bytes with the IPv4 EtherType, rewritten in place; the same contract.
 */
int snull_rewrite4(u8 *frame, unsigned int len, bool partial)
{
	const __be32 flip = htonl(0x00000100);	/* low bit of octet 3 */
	struct iphdr *iph = (struct iphdr *)(frame + ETH_HLEN);
	__be32 old_saddr, old_daddr;
	unsigned int ihl, tot_len;

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
 * How much of the IPv4 frame @skb the trick reads and writes: Ethernet,
 * IPv4 with its options, and the transport header up to its checksum,
 * bounded by the frame. Only what it names is pulled: the rest of a TCP
 * skb's linear part is its headers, and pulling payload out of its pages
 * would be wasted work. A frame too short for its header gets what it has,
 * and snull_rewrite4() drops it.
 */
unsigned int snull_hdrs_len4(struct sk_buff *skb)
{
	unsigned int len = ETH_HLEN + sizeof(struct iphdr);
	const struct iphdr *iph;
	unsigned int ihl;
	int off;

	if (skb->len < len || !pskb_may_pull(skb, len))
		return min(skb->len, len);
	iph = (const struct iphdr *)(skb->data + ETH_HLEN);
	ihl = iph->ihl * 4;
	if (ihl < sizeof(*iph))
		return len;
	len = ETH_HLEN + ihl;
	off = snull_l4_check_off(iph->protocol, false);
	if (!(iph->frag_off & htons(IP_OFFSET)) && off >= 0)
		len += off + sizeof(__sum16);
	return min(skb->len, len);
}
