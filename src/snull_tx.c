// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit, TX-done cleanup and the transmit time-out.
 *
 * xmit rewrites the frame's addresses, puts the skb in the next free
 * descriptor (as a NIC's descriptor points at the pages it will DMA from),
 * posts it and rings the peer's doorbell: its RX interrupt. With copy=1 it
 * copies the frame into the descriptor's buffer first, as the DMA engine of
 * a NIC with bounce buffers would, filling in the checksum on the way, and
 * rewrites it there. The descriptor comes back when the wire has delivered
 * it and the TX-done interrupt has run snull_tx_clean(). The queue stops
 * when the ring is full and wakes when cleanup frees room, so xmit never
 * has to return NETDEV_TX_BUSY.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/checksum.h>

#include "snull.h"

/*
 * skb_copy_and_csum_dev() folds the checksum it computes into the field at
 * csum_start + csum_offset as it comes out, and a UDP sum can come out as 0,
 * which on the wire means "no checksum". Hardware with UDP checksum offload
 * sends 0xffff instead (RFC 768), as the stack's own udp4_hwcsum() does.
 * csum_offset tells UDP (and UDP-Lite) from TCP, whose field is elsewhere.
 */
static void snull_fix_udp_zero(u8 *frame, const struct sk_buff *skb)
{
	unsigned int off = skb_checksum_start_offset(skb) + skb->csum_offset;
	__sum16 *check = (__sum16 *)(frame + off);

	if (skb->csum_offset == offsetof(struct udphdr, check) &&
	    off + sizeof(*check) <= skb->len && !*check)
		*check = CSUM_MANGLED_0;
}

/* copy=1: copy @skb into @desc of @ring and apply the address trick there. */
static int snull_copy_frame(struct snull_ring *ring, struct snull_desc *desc,
			    struct sk_buff *skb)
{
	u8 *frame = snull_desc_frame(ring, desc);

	/*
	 * The skb may be a clone whose data TCP keeps for retransmission, or
	 * a packet socket may still look at it: the rewrite happens in our
	 * copy only (pitfalls.md #8). A CHECKSUM_PARTIAL skb gets its
	 * checksum computed here, as hardware with TX offload does. Without
	 * TSO (snull_setup()) no frame is larger than the buffer.
	 */
	skb_copy_and_csum_dev(skb, frame);
	desc->csum_ok = skb->ip_summed == CHECKSUM_PARTIAL;
	if (desc->csum_ok)
		snull_fix_udp_zero(frame, skb);
	return snull_rewrite(frame, skb->len, false);
}

/*
 * Load @skb into @desc, rewritten: 0 or a drop counter. A frame that is not
 * a GSO one must fit the largest the peer's MAC could take.
 */
static int snull_load_frame(struct snull_ring *ring, struct snull_desc *desc,
			    struct sk_buff *skb)
{
	if (skb->len > SNULL_BUF_SIZE && !skb_is_gso(skb))
		return SNULL_TX_DROP_OVERSIZE;
	desc->len = skb->len;
	if (snull_copy)
		return snull_copy_frame(ring, desc, skb);
	/*
	 * Pages lent by user space (MSG_ZEROCOPY) are copied before the skb
	 * goes where the lender cannot see when it is done with them.
	 */
	if (unlikely(skb_orphan_frags(skb, GFP_ATOMIC)))
		return SNULL_TX_DROP_NOMEM;
	return snull_rewrite_skb(skb);
}

/*
 * Fill @desc for @skb: 0, or the drop counter that explains why the frame
 * cannot go. The fault injection knobs get their say last.
 */
static int snull_prepare(struct snull_queue *q, struct snull_desc *desc,
			 struct sk_buff *skb)
{
	struct snull_priv *priv = q->priv;
	int reason;

	if (unlikely(!netif_running(priv->peer->dev)))
		return SNULL_TX_DROP_CARRIER;
	reason = snull_load_frame(&q->tx, desc, skb);
	if (unlikely(reason))
		return reason;
	desc->bad_fcs = false;

	switch (snull_fault_tx(q)) {
	case SNULL_VERDICT_PASS:
		break;
	case SNULL_VERDICT_DROP:
		return SNULL_TX_DROP_FAULT;
	case SNULL_VERDICT_CORRUPT:
		/*
		 * The receiving MAC drops a frame with a bad FCS whatever its
		 * bytes. Only our own copy is damaged for the record: in
		 * zero-copy mode the payload is shared with TCP's clone.
		 */
		if (snull_copy)
			snull_desc_frame(&q->tx, desc)[desc->len - 1] ^= 0xff;
		desc->bad_fcs = true;
		break;
	case SNULL_VERDICT_STALL:
		/* The hardware will lose this completion and all after it. */
		WRITE_ONCE(q->tx.stalled, true);
		snull_count(priv, SNULL_TX_LOST_IRQS);
		break;
	}
	return 0;
}

/*
 * The skb's part once its frame is loaded. With copy=1 the frame lives in
 * the ring buffer now, and the skb is done with. In zero-copy mode the skb
 * crosses to the peer: it is cleaned of what belonged to this side (its
 * route, conntrack, and, across namespaces, mark and timestamp), here in
 * softirq or process context, as veth does, not in the peer's interrupt
 * handler. With use_napi=0 the peer receives in its hard-IRQ handler,
 * where netif_rx() frees what its backlog cannot take, and a socket's
 * destructor may not run in hard IRQ: the skb lets go of its socket here,
 * as loopback does. NAPI receives in softirq and keeps it until the
 * receiver takes the frame (snull_rx_take()), so TCP Small Queues count
 * these bytes while they are on the wire.
 */
static void snull_hand_over(struct snull_priv *priv, struct snull_desc *desc,
			    struct sk_buff *skb)
{
	if (snull_copy) {
		dev_consume_skb_any(skb);
		return;
	}
	skb_scrub_packet(skb, !net_eq(dev_net(priv->dev),
				      dev_net(priv->peer->dev)));
	skb->priority = 0;
	if (!snull_use_napi)
		skb_orphan(skb);
	desc->skb = skb;
}

/*
 * May TX-done (re)start the queue? With room, and not while the engine is
 * stalled: as in the book's lockup, the queue then stays stopped until the
 * watchdog's reset (or a reconfiguration's, if one comes first), so no
 * second lost interrupt comes before it.
 */
static bool snull_tx_can_run(const struct snull_ring *ring)
{
	return snull_ring_room(ring) >= ring->wake_thresh &&
	       !READ_ONCE(ring->stalled);
}

/*
 * Stop the queue once the ring is full or the engine has stalled. Cleanup
 * may free room between the test and the stop; the barrier (paired with
 * the one in snull_tx_clean()) makes sure one of the two sides sees the
 * other and the queue restarts.
 */
static void snull_maybe_stop(struct snull_queue *q, struct netdev_queue *txq)
{
	struct snull_ring *ring = &q->tx;

	if (likely(snull_ring_used(ring) < ring->size &&
		   !READ_ONCE(ring->stalled)))
		return;
	netif_tx_stop_queue(txq);
	snull_count(q->priv, SNULL_TX_QUEUE_STOPPED);
	smp_mb(); /* pairs with snull_tx_clean() */
	if (snull_tx_can_run(ring))
		netif_tx_start_queue(txq);
}

/*
 * ndo_open's half of flow control. The ring keeps across a down/up what was
 * posted before: with the wire held (hold_ring), a stalled engine or late
 * interrupts it can still be full, and a queue started then would bring
 * xmit a frame with no room for it. So start the queue only with room, as
 * TX-done would wake it; otherwise leave it stopped for TX-done (or the
 * watchdog's reset) to wake. TX-done may free room between our test and
 * the stop, hence the barrier, paired with the one in snull_tx_clean().
 */
void snull_tx_start(struct snull_queue *q)
{
	struct netdev_queue *txq = snull_txq(q);

	netif_tx_stop_queue(txq);
	smp_mb(); /* pairs with snull_tx_clean() */
	if (snull_tx_can_run(&q->tx))
		netif_tx_start_queue(txq);
}

/*
 * Ring the peer's doorbell for queue @q: its RX interrupt, for every
 * descriptor posted since the last ring.
 */
static void snull_doorbell(struct snull_queue *q)
{
	q->doorbell_owed = false;
	snull_raise_irq(snull_peer_queue(q), SNULL_RX_INTR);
}

/*
 * xmit drops @skb (NULL if freed already) for @reason, a drop counter. The
 * frames posted before it with xmit_more wait for a doorbell that this one
 * was to ring, as the last of its batch: ring it now, or they would stay
 * on the wire until some later frame rang it, in flight for BQL and for
 * TCP, which does not retransmit what it believes is still queued in the
 * host (skb_still_in_host_queue()).
 */
static void snull_tx_drop(struct snull_queue *q, struct sk_buff *skb,
			  int reason)
{
	snull_count(q->priv, reason);
	if (skb) {
		net_dbg_ratelimited("%s: frame of %u bytes dropped (reason %d)\n",
				    q->priv->dev->name, skb->len, reason);
		dev_kfree_skb_any(skb);
	}
	if (q->doorbell_owed && !netdev_xmit_more())
		snull_doorbell(q);
}

/*
 * ndo_start_xmit (the book's snull_tx). Context: BHs disabled (process or
 * softirq); the lock of the skb's TX queue held (__netif_tx_lock), so one
 * xmit at a time owns that queue's ring->head; the queue is not stopped.
 * The core picked the queue, below real_num_tx_queues, which is our
 * nr_queues. Must not sleep.
 */
netdev_tx_t snull_tx(struct sk_buff *skb, struct net_device *dev)
{
	struct snull_priv *priv = netdev_priv(dev);
	u16 qi = skb_get_queue_mapping(skb);
	struct netdev_queue *txq = netdev_get_tx_queue(dev, qi);
	struct snull_queue *q = &priv->queues[qi];
	struct snull_ring *ring = &q->tx;
	struct snull_desc *desc;
	bool more, doorbell;
	int reason;

	/*
	 * The stack picks a queue below real_num_tx_queues, but pktgen (and a
	 * packet socket that bypasses the qdisc) may send an skb built while
	 * more queues were active, and the queues ethtool -L took away are
	 * started, as the watchdog wants every queue: they have no ring.
	 */
	if (unlikely(qi >= READ_ONCE(priv->nr_queues))) {
		snull_count(priv, SNULL_TX_DROP_QUEUE);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	if (unlikely(snull_ring_used(ring) >= ring->size)) {
		/*
		 * Flow control makes this unreachable: the queue stops when
		 * the ring fills (snull_maybe_stop()) and starts only with
		 * room (snull_tx_start(), snull_tx_clean()). Reaching it is a
		 * driver bug, which the tests look for in the log and in
		 * tx_busy (tests/t_open_full.sh).
		 */
		netif_tx_stop_queue(txq);
		snull_count(priv, SNULL_TX_BUSY);
		netdev_err_once(dev, "TX ring full with the queue awake\n");
		return NETDEV_TX_BUSY;
	}

	/*
	 * Zero copy: the skb crosses to the peer, which pulls its header and
	 * queues it, so it must be ours alone. pktgen may hold it too, to
	 * send again (IFF_TX_SKB_SHARING): cross with a clone of it then; the
	 * rewrite copies the headers the two share.
	 */
	if (!snull_copy && unlikely(skb_shared(skb))) {
		skb = skb_share_check(skb, GFP_ATOMIC);
		if (unlikely(!skb)) {
			snull_tx_drop(q, NULL, SNULL_TX_DROP_NOMEM);
			return NETDEV_TX_OK;
		}
	}
	desc = snull_ring_desc(ring, ring->head);
	reason = snull_prepare(q, desc, skb);
	if (unlikely(reason)) {
		snull_tx_drop(q, skb, reason);
		return NETDEV_TX_OK;
	}

	skb_tx_timestamp(skb);
	snull_hand_over(priv, desc, skb);
	more = netdev_xmit_more();
	doorbell = __netdev_tx_sent_queue(txq, desc->len, more);
	/* Post the descriptor: the frame is written before the wire reads it. */
	smp_store_release(&ring->head, ring->head + 1);
	snull_maybe_stop(q, txq);
	/*
	 * The doorbell: the peer's RX interrupt. When the stack says more
	 * frames follow at once (xmit_more), ring it only for the last, as
	 * drivers batch their MMIO writes; but always when the queue has
	 * just stopped, for whatever reason (a full ring, BQL, a stalled
	 * engine), since then no next frame may come; and, should the last
	 * of the batch be dropped, for it (snull_tx_drop()).
	 */
	if (doorbell || netif_xmit_stopped(txq)) {
		snull_doorbell(q);
	} else {
		q->doorbell_owed = true;
		snull_count(priv, SNULL_TX_XMIT_MORE);
	}
	return NETDEV_TX_OK;
}

/*
 * Reclaim the descriptors the hardware has completed (the TX-done half of
 * the book's interrupt handler): false if there were none. Callers:
 * snull_tx_clean(), or a reconfiguration with the pair paused
 * (snull_channels.c), which must not wake the queue: xmit would post into
 * a ring being retired or moved. One at a time, never concurrently.
 */
bool snull_tx_reclaim(struct snull_queue *q)
{
	struct snull_ring *ring = &q->tx;
	struct netdev_queue *txq = snull_txq(q);
	/* Pairs with the release in snull_ring_write_back(). */
	u32 done = smp_load_acquire(&ring->done);
	u32 tail = ring->tail;
	unsigned int pkts = 0, bytes = 0;

	while (tail != done) {
		bytes += snull_ring_desc(ring, tail)->len;
		pkts++;
		tail++;
	}
	if (!pkts)
		return false;
	/* xmit may refill these descriptors from now on. */
	smp_store_release(&ring->tail, tail);
	/*
	 * The hardware has made progress: tell the watchdog, which fires only
	 * when the queue has been stopped this long since trans_start. A ring
	 * that is slow but completing (a flood on a slow kernel, BQL stopping
	 * the queue) then never times out; one that completes nothing does.
	 */
	txq_trans_cond_update(txq);
	snull_count_tx(q, pkts, bytes);
	netdev_tx_completed_queue(txq, pkts, bytes);
	return true;
}

/*
 * TX-done: reclaim, then wake the queue if it was stopped and there is
 * room now. Callers: the queue's NAPI poll, or its handler under q->lock
 * with use_napi=0: one at a time, never concurrently.
 */
void snull_tx_clean(struct snull_queue *q)
{
	struct netdev_queue *txq = snull_txq(q);
	struct snull_ring *ring = &q->tx;

	if (!snull_tx_reclaim(q))
		return;
	/* Pairs with the barrier in snull_maybe_stop(). */
	smp_mb();
	if (unlikely(netif_tx_queue_stopped(txq)) &&
	    netif_running(q->priv->dev) && snull_tx_can_run(ring)) {
		netif_tx_wake_queue(txq);
		snull_count(q->priv, SNULL_TX_QUEUE_WOKEN);
	}
}

/*
 * ndo_tx_timeout. Context: BHs disabled, netif_tx_lock held (the core's
 * watchdog timer, with the queues frozen). Queue @txqueue was seen stopped for
 * `timeout` ms, but maybe by BQL (the stack's stop), not by us:
 * netif_queue_stopped() can be false here. Must not sleep or
 * allocate with GFP_KERNEL (pitfalls.md #11). As in the book, reset the
 * hardware and simulate the lost TX-done interrupt; the cleanup it runs
 * reclaims the ring and wakes the queue.
 */
void snull_tx_timeout(struct net_device *dev, unsigned int txqueue)
{
	struct snull_priv *priv = netdev_priv(dev);
	struct snull_queue *q = &priv->queues[txqueue];
	struct snull_ring *ring = &q->tx;

	/*
	 * Not a queue beyond nr_queues: the watchdog never sees those stopped
	 * long (started at every open and resume, and kept off the watchdog
	 * while a pause stops them: snull_tx_pause()).
	 */
	if (WARN_ON_ONCE(txqueue >= priv->nr_queues))
		return;
	snull_count(priv, SNULL_TX_TIMEOUTS);
	if (net_ratelimit())
		netdev_info(dev, "transmit time-out on queue %u: %u descriptors in flight, %s; resetting the ring\n",
			    txqueue, snull_ring_used(ring),
			    READ_ONCE(ring->stalled) ? "engine stalled" :
						       "engine running");
	snull_ring_reset(ring);
	snull_raise_irq(q, SNULL_TX_INTR);
}
