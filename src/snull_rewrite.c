// SPDX-License-Identifier: GPL-2.0
/*
 * The address trick.
 *
 * A frame from sn0 to 192.168.0.2 must reach sn1 as if it came from a
 * remote host, 192.168.1.1, for 192.168.1.2: the low bit of the third octet
 * of both IPv4 addresses flips on the way, in both directions. The header
 * is parsed from the frame's copy in a ring buffer, with every length
 * checked against the frame before it is used (pitfalls.md #9), and the
 * checksums that cover the addresses are brought up to date (#10).
 */
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>

#include "snull.h"

/*
 * TCP and UDP checksums cover a pseudo-header with both addresses, so they
 * are updated incrementally (RFC 1624). ICMP's does not, and needs nothing.
 * @l4 points at the transport header, @l4len bytes of which are in the frame.
 */
static void snull_fix_l4(const struct iphdr *iph, u8 *l4, unsigned int l4len,
			 __be32 old_saddr, __be32 old_daddr)
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
		if (!*check)		/* the sender chose no checksum */
			return;
		break;
	default:
		return;
	}
	csum_replace4(check, old_saddr, iph->saddr);
	csum_replace4(check, old_daddr, iph->daddr);
	if (iph->protocol == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
}

/*
 * Rewrite the @len-byte Ethernet frame at @frame in place. Returns 0, or the
 * drop counter that says why the frame cannot be rewritten.
 */
int snull_rewrite(u8 *frame, unsigned int len)
{
	const __be32 flip = htonl(0x00000100);	/* low bit of octet 3 */
	const struct ethhdr *eth = (const struct ethhdr *)frame;
	struct iphdr *iph = (struct iphdr *)(frame + ETH_HLEN);
	__be32 old_saddr, old_daddr;
	unsigned int ihl, tot_len;

	if (len < ETH_HLEN)
		return SNULL_TX_DROP_RUNT;
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
			     old_saddr, old_daddr);
	return 0;
}
