// SPDX-License-Identifier: GPL-2.0
/*
 * The address trick: its one entry point.
 *
 * Frames from sn0 to its "remote" network reach sn1 as if they came from
 * another host (the book's 17.1): snull_rewrite4.c flips the third octet of
 * both IPv4 addresses, snull_rewrite6.c the last bit of both /64 prefixes.
 * This file picks the leaf by the frame's EtherType and, in zero-copy mode,
 * makes the bytes the leaf will write the skb's own first.
 *
 * With copy=1 the frame is our copy in a ring buffer, its checksums all
 * complete. In zero-copy mode it is the skb itself, whose data TCP may
 * share with the clone it keeps for retransmission, or a packet socket
 * with its copy: snull_rewrite_skb() first makes the headers private.
 */
#include <linux/if_ether.h>
#include <linux/skbuff.h>

#include "snull.h"

/*
 * Rewrite the @len-byte Ethernet frame at @frame in place: its headers, up
 * to the transport header's checksum, are in the @len bytes (the caller
 * sees to that). @partial: the L4 checksum is CHECKSUM_PARTIAL's
 * pseudo-header sum. Returns 0, or the drop counter that says why the
 * frame cannot be rewritten.
 */
int snull_rewrite(u8 *frame, unsigned int len, bool partial)
{
	const struct ethhdr *eth = (const struct ethhdr *)frame;

	if (len < ETH_HLEN)
		return SNULL_TX_DROP_RUNT;
	switch (eth->h_proto) {
	case htons(ETH_P_IP):
		return snull_rewrite4(frame, len, partial);
	case htons(ETH_P_IPV6):
		return snull_rewrite6(frame, len, partial);
	default:
		return SNULL_TX_DROP_NOT_IPV4;
	}
}

/*
 * How much of @skb the trick reads and writes, which must be linear: the
 * leaf's own measure for its family, bounded by the frame. A frame
 * neither IPv4 nor IPv6 gets what it has, and snull_rewrite() drops it.
 */
static unsigned int snull_hdrs_len(struct sk_buff *skb)
{
	if (skb->len < ETH_HLEN || !pskb_may_pull(skb, ETH_HLEN))
		return skb->len;
	switch (((const struct ethhdr *)skb->data)->h_proto) {
	case htons(ETH_P_IP):
		return snull_hdrs_len4(skb);
	case htons(ETH_P_IPV6):
		return snull_hdrs_len6(skb);
	default:
		return ETH_HLEN;
	}
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
	 * A CHECKSUM_COMPLETE skb (forwarded or redirected here from a device
	 * that sums what it receives) carries the sum of the bytes the trick
	 * is about to change: it would arrive wrong, and the receiver would
	 * report a "hw csum failure". Let the receiver check in software, as
	 * the stack does when it forwards (skb_forward_csum()).
	 */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	/*
	 * The length checks compare the headers with the whole frame, and
	 * every byte the rewrite touches is within snull_hdrs_len(): linear
	 * now, and ours.
	 */
	return snull_rewrite(skb->data, skb->len,
			     skb->ip_summed == CHECKSUM_PARTIAL);
}
