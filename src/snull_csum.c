// SPDX-License-Identifier: GPL-2.0
/*
 * The checksums the address trick must keep true, for IPv4 and IPv6 alike.
 *
 * A transport whose checksum covers a pseudo-header with both addresses
 * needs its sum updated when the trick flips them; the update is
 * incremental (RFC 1624), never a recomputation, so that a frame that left
 * with a bad checksum arrives with a bad one (pitfalls.md #23). This file
 * knows where each such transport keeps its sum; snull_rewrite4.c and
 * snull_rewrite6.c call it for the addresses they change.
 */
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>

#include "snull.h"

/*
 * DCCP's generic header (RFC 4340, 5.1) keeps its checksum at byte 6, as
 * UDP does. A kernel may be built without DCCP (and from 6.16 has none),
 * so its header is not included for this one offset.
 */
#define SNULL_DCCP_CHECK_OFF	6

/*
 * The offset of the pseudo-header checksum in the header of transport
 * @proto, or -1 if the trick does not know one there. ICMPv6's sum covers
 * a pseudo-header, ICMPv4's does not (@ipv6 tells them apart).
 */
int snull_l4_check_off(u8 proto, bool ipv6)
{
	switch (proto) {
	case IPPROTO_TCP:
		return offsetof(struct tcphdr, check);
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		return offsetof(struct udphdr, check);
	case IPPROTO_DCCP:
		return SNULL_DCCP_CHECK_OFF;
	case IPPROTO_ICMPV6:
		return ipv6 ? offsetof(struct icmp6hdr, icmp6_cksum) : -1;
	default:
		return -1;
	}
}

/*
 * The sum to update in the transport header @l4 (@l4len bytes of it are in
 * the frame) of protocol @proto, or NULL when there is none: a header cut
 * short has no field to update, and a complete UDP sum of 0 means the
 * sender chose none (over IPv6, for tunnels only: RFC 6935), which stays
 * so. A partial sum (CHECKSUM_PARTIAL) is no checksum yet, and 0 is a
 * value like any other there. UDP-Lite and DCCP always have a sum.
 */
__sum16 *snull_l4_check(u8 proto, bool ipv6, u8 *l4, unsigned int l4len,
			bool partial)
{
	int off = snull_l4_check_off(proto, ipv6);
	__sum16 *check;

	if (off < 0 || l4len < off + sizeof(*check))
		return NULL;
	check = (__sum16 *)(l4 + off);
	if (proto == IPPROTO_UDP && !*check && !partial)
		return NULL;
	return check;
}

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
 * After the update: a complete UDP or UDP-Lite sum that came out as 0 is
 * sent as 0xffff, as the stack's own senders do: 0 would read as "no
 * checksum" for UDP (RFC 768, 8200) and is never sent by UDP-Lite (RFC
 * 3828).
 */
void snull_l4_check_done(u8 proto, __sum16 *check, bool partial)
{
	if (check && !*check && !partial &&
	    (proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE))
		*check = CSUM_MANGLED_0;
}
