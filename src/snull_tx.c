// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit, TX-done cleanup and the transmit time-out.
 *
 * xmit copies the frame into the next free ring buffer (as the DMA engine of
 * a NIC with bounce buffers would, filling in the checksum on the way),
 * rewrites its addresses there, posts the descriptor and raises the peer's
 * RX interrupt. The descriptor comes back when the wire has delivered it and
 * the TX-done interrupt has run snull_tx_clean(). The queue stops when the
 * ring is full and wakes when cleanup frees room, so xmit never has to
 * return NETDEV_TX_BUSY.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include "snull.h"

/* Copy @skb into @desc and apply the address trick; 0 or a drop counter. */
static int snull_load_frame(struct snull_desc *desc, struct sk_buff *skb)
{
	u8 *frame = snull_desc_frame(desc);

	if (skb->len > SNULL_BUF_SIZE)
		return SNULL_TX_DROP_OVERSIZE;
	/*
	 * The skb may be a clone whose data TCP keeps for retransmission, or
	 * a packet socket may still look at it: the rewrite happens in our
	 * copy only (pitfalls.md #8). A CHECKSUM_PARTIAL skb gets its
	 * checksum computed here, as hardware with TX offload does.
	 */
	skb_copy_and_csum_dev(skb, frame);
	desc->len = skb->len;
	desc->csum_ok = skb->ip_summed == CHECKSUM_PARTIAL;
	return snull_rewrite(frame, skb->len);
}

/*
 * Fill @desc for @skb: 0, or the drop counter that explains why the frame
 * cannot go. The fault injection knobs get their say last.
 */
static int snull_prepare(struct snull_priv *priv, struct snull_desc *desc,
			 struct sk_buff *skb)
{
	int reason;

	if (unlikely(!netif_running(priv->peer->dev)))
		return SNULL_TX_DROP_CARRIER;
	reason = snull_load_frame(desc, skb);
	if (unlikely(reason))
		return reason;
	desc->bad_fcs = false;

	switch (snull_fault_tx(priv)) {
	case SNULL_VERDICT_PASS:
		break;
	case SNULL_VERDICT_DROP:
		return SNULL_TX_DROP_FAULT;
	case SNULL_VERDICT_CORRUPT:
		snull_desc_frame(desc)[desc->len - 1] ^= 0xff;
		desc->bad_fcs = true;
		break;
	case SNULL_VERDICT_STALL:
		/* The hardware will lose this completion and all after it. */
		WRITE_ONCE(priv->tx.stalled, true);
		snull_count(priv, SNULL_TX_LOST_IRQS);
		break;
	}
	return 0;
}

/*
 * Stop the queue once the ring is full. Cleanup may free room between the
 * test and the stop; the barrier (paired with the one in snull_tx_clean())
 * makes sure one of the two sides sees the other and the queue restarts.
 */
static void snull_maybe_stop(struct snull_priv *priv)
{
	struct snull_ring *ring = &priv->tx;

	if (likely(snull_ring_used(ring) < ring->size))
		return;
	netif_stop_queue(priv->dev);
	snull_count(priv, SNULL_TX_QUEUE_STOPPED);
	smp_mb(); /* pairs with snull_tx_clean() */
	if (ring->size - snull_ring_used(ring) >= ring->wake_thresh)
		netif_start_queue(priv->dev);
}

/*
 * ndo_start_xmit (the book's snull_tx). Context: BHs disabled (process or
 * softirq); netif_tx_lock held, so one xmit at a time owns ring->head; the
 * queue is not stopped. Must not sleep.
 */
netdev_tx_t snull_tx(struct sk_buff *skb, struct net_device *dev)
{
	struct snull_priv *priv = netdev_priv(dev);
	struct snull_ring *ring = &priv->tx;
	struct snull_desc *desc;
	int reason;

	if (unlikely(snull_ring_used(ring) >= ring->size)) {
		/* Flow control makes this unreachable: a driver bug. */
		netif_stop_queue(dev);
		snull_count(priv, SNULL_TX_BUSY);
		netdev_err_once(dev, "TX ring full with the queue awake\n");
		return NETDEV_TX_BUSY;
	}

	desc = &ring->desc[ring->head % ring->size];
	reason = snull_prepare(priv, desc, skb);
	if (unlikely(reason)) {
		snull_count(priv, reason);
		net_dbg_ratelimited("%s: frame of %u bytes dropped (reason %d)\n",
				    dev->name, skb->len, reason);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}

	skb_tx_timestamp(skb);
	/* The frame lives in the ring buffer now; the skb is done with. */
	dev_consume_skb_any(skb);
	netdev_sent_queue(dev, desc->len);
	/* Post the descriptor: the frame is written before the wire reads it. */
	smp_store_release(&ring->head, ring->head + 1);
	snull_raise_irq(priv->peer, SNULL_RX_INTR);
	snull_maybe_stop(priv);
	return NETDEV_TX_OK;
}

/*
 * Reclaim the descriptors the hardware has completed (the TX-done half of
 * the book's interrupt handler). Callers: NAPI poll, or the handler under
 * priv->lock with use_napi=0: one at a time, never concurrently.
 */
void snull_tx_clean(struct snull_priv *priv)
{
	struct snull_ring *ring = &priv->tx;
	struct net_device *dev = priv->dev;
	/* Pairs with the release in snull_ring_write_back(). */
	u32 done = smp_load_acquire(&ring->done);
	u32 tail = ring->tail;
	unsigned int pkts = 0, bytes = 0;

	while (tail != done) {
		bytes += ring->desc[tail % ring->size].len;
		pkts++;
		tail++;
	}
	if (!pkts)
		return;
	/* xmit may refill these descriptors from now on. */
	smp_store_release(&ring->tail, tail);
	snull_count_tx(priv, pkts, bytes);
	netdev_completed_queue(dev, pkts, bytes);

	/* Pairs with the barrier in snull_maybe_stop(). */
	smp_mb();
	if (unlikely(netif_queue_stopped(dev)) && netif_running(dev) &&
	    ring->size - snull_ring_used(ring) >= ring->wake_thresh) {
		netif_wake_queue(dev);
		snull_count(priv, SNULL_TX_QUEUE_WOKEN);
	}
}

/*
 * ndo_tx_timeout. Context: BHs disabled, netif_tx_lock held, the queue
 * stopped (the watchdog saw it stopped for `timeout` ms). Must not sleep or
 * allocate with GFP_KERNEL (pitfalls.md #11). As in the book, reset the
 * hardware and simulate the lost TX-done interrupt; the cleanup it runs
 * reclaims the ring and wakes the queue.
 */
void snull_tx_timeout(struct net_device *dev, unsigned int txqueue)
{
	struct snull_priv *priv = netdev_priv(dev);
	struct snull_ring *ring = &priv->tx;

	snull_count(priv, SNULL_TX_TIMEOUTS);
	if (net_ratelimit())
		netdev_info(dev, "transmit time-out: %u descriptors in flight, %s; resetting the ring\n",
			    snull_ring_used(ring),
			    READ_ONCE(ring->stalled) ? "engine stalled" :
						       "engine running");
	snull_ring_reset(ring);
	snull_raise_irq(priv, SNULL_TX_INTR);
}
