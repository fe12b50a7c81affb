// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt handler, NAPI poll and the receive path.
 *
 * The wire between sn0 and sn1 is the sender's TX rings: the receiver's
 * queue i reads the descriptors the sender has posted on its queue i, takes
 * each frame's skb (or, with copy=1, copies the frame into a fresh one),
 * and tells the sender's hardware how far it got, which completes those
 * descriptors and raises TX-done on the sender's queue i.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <net/sock.h>

#include "snull.h"

/*
 * The wire has delivered the sender's descriptors up to @rx: publish that,
 * then write the completions back and raise TX-done, unless the sender's
 * engine is stalled by lockup, in which case both are lost until the reset.
 */
static void snull_wire_complete(struct snull_queue *sender, u32 rx)
{
	struct snull_ring *ring = &sender->tx;

	/* The buffers before rx are read; the release orders those reads. */
	smp_store_release(&ring->rx, rx);
	/* Pairs with the barrier in snull_ring_reset(). */
	smp_mb();
	if (READ_ONCE(ring->stalled))
		return;
	snull_ring_write_back(ring, rx);
	snull_raise_irq(sender, SNULL_TX_INTR);
}

/*
 * The MAC's address filter, on the frame's destination before any skb work:
 * the receiver's own address, broadcast and multicast pass; other unicast
 * frames only in promiscuous mode (snull_set_rx_mode()).
 */
static bool snull_mac_accepts(struct snull_priv *priv, const u8 *frame)
{
	const u8 *dest = ((const struct ethhdr *)frame)->h_dest;

	return is_multicast_ether_addr(dest) ||
	       ether_addr_equal_64bits(dest, priv->dev->dev_addr) ||
	       READ_ONCE(priv->promisc);
}

/*
 * What the MAC checks before it takes a frame: 0, or the counter of the
 * reason it drops it. @frame holds at least the Ethernet header: xmit
 * refused runts (snull_rewrite()).
 */
static int snull_rx_check(struct snull_priv *priv,
			  const struct snull_desc *desc, const u8 *frame,
			  bool gso)
{
	/* The frame check sequence; a bad one is a CRC error. */
	if (unlikely(desc->bad_fcs))
		return SNULL_RX_CRC_ERRORS;
	/*
	 * Nor does it take a frame longer than its own MTU allows, leaving
	 * room for one VLAN tag as real MACs do: the peer's MTU may be
	 * larger. The MTU changes under RTNL while we run, hence READ_ONCE.
	 * A GSO frame is a train of segments cut to the sender's gso_size.
	 */
	if (unlikely(desc->len > READ_ONCE(priv->dev->mtu) + VLAN_ETH_HLEN &&
		     !gso))
		return SNULL_RX_LENGTH_ERRORS;
	if (unlikely(!snull_mac_accepts(priv, frame)))
		return SNULL_RX_DROP_FILTERED;
	return 0;
}

/* copy=1: build an skb from the frame in the descriptor's buffer. */
static struct sk_buff *snull_rx_copy(struct snull_queue *q,
				     const struct snull_desc *desc)
{
	struct net_device *dev = q->priv->dev;
	struct sk_buff *skb;

	if (snull_use_napi)
		skb = napi_alloc_skb(&q->napi, desc->len);
	else
		skb = netdev_alloc_skb_ip_align(dev, desc->len);
	if (unlikely(!skb))
		return NULL;
	skb_put_data(skb, snull_desc_frame(&snull_peer_queue(q)->tx, desc),
		     desc->len);
	/*
	 * The sender's hardware computed the checksum, so the receiver may
	 * vouch for it. Otherwise the stack checks it, since a frame from a
	 * raw socket can carry anything.
	 */
	if (desc->csum_ok && (dev->features & NETIF_F_RXCSUM))
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	return skb;
}

/*
 * Zero copy: the sender's skb itself (xmit has scrubbed it). A
 * CHECKSUM_PARTIAL skb keeps its promise to the stack: its checksum will be
 * filled in if it ever leaves, and a frame delivered here need not be
 * checked, as with veth. That holds only while our RX checksum offload is
 * on; when it is off the peer sends no partial frames
 * (snull_fix_features()), and one caught in flight by the switch gets its
 * checksum now. A GSO frame of that moment is dropped: only segmenting
 * could complete it. The skb may be freed in hard-IRQ context (use_napi=0),
 * hence dev_kfree_skb_any().
 */
static struct sk_buff *snull_rx_take(struct snull_priv *priv,
				     struct snull_desc *desc)
{
	struct sk_buff *skb = desc->skb;

	desc->skb = NULL;
	if (skb->ip_summed == CHECKSUM_PARTIAL &&
	    !(priv->dev->features & NETIF_F_RXCSUM) &&
	    (skb_is_gso(skb) || skb_checksum_help(skb))) {
		dev_kfree_skb_any(skb);
		return NULL;
	}
	/*
	 * GRO takes skbs as a NIC makes them, owned by no socket: when it
	 * merges one into another, or steals its head, it frees what is left
	 * without the sender's destructor, whose socket would never get its
	 * write memory back. A sock_wfree skb goes GRO's slow way, which
	 * compares and keeps the owner; any other owner (TCP's tcp_wfree) lets
	 * go here, as veth does. use_napi=0's skbs let go at xmit.
	 */
	if (snull_use_napi)
		skb_prepare_for_gro(skb);
	return skb;
}

/* Receive one delivered frame on queue @q and hand it to the stack. */
static void snull_rx_frame(struct snull_queue *q, struct snull_desc *desc)
{
	struct snull_priv *priv = q->priv;
	struct net_device *dev = priv->dev;
	struct sk_buff *skb = desc->skb;
	int reason;

	reason = snull_rx_check(priv, desc,
				skb ? skb->data :
				snull_desc_frame(&snull_peer_queue(q)->tx, desc),
				skb && skb_is_gso(skb));
	if (unlikely(reason)) {
		snull_count(priv, reason);
		dev_kfree_skb_any(skb);
		desc->skb = NULL;
		return;
	}
	skb = skb ? snull_rx_take(priv, desc) : snull_rx_copy(q, desc);
	if (unlikely(!skb)) {
		snull_count(priv, SNULL_RX_DROP_NOMEM);
		return;
	}
	skb->protocol = eth_type_trans(skb, dev);
	skb_record_rx_queue(skb, q->index);

	if (snull_use_napi) {
		snull_count_rx(q, desc->len);
		napi_gro_receive(&q->napi, skb);
		return;
	}
	/* On NET_RX_DROP the core has freed the skb and counted rx_dropped. */
	if (netif_rx(skb) == NET_RX_SUCCESS) {
		snull_count_rx(q, desc->len);
		snull_count(priv, SNULL_RX_NETIF_RX);
	}
}

/*
 * Receive up to @budget frames from the peer's ring of the same queue. The
 * caller is the only reader: NAPI poll, or the handler under q->lock with
 * use_napi=0.
 */
static int snull_rx(struct snull_queue *q, int budget)
{
	struct snull_queue *sender = snull_peer_queue(q);
	struct snull_ring *ring = &sender->tx;
	/* Pairs with the release in snull_tx(): the frames are written. */
	u32 head = smp_load_acquire(&ring->head);
	u32 rx = ring->rx;
	int work = 0;

	/* hold_ring: the wire takes nothing from the peer's ring. */
	if (unlikely(READ_ONCE(sender->priv->faults.hold_ring)))
		return 0;
	while (work < budget && rx != head) {
		snull_rx_frame(q, snull_ring_desc(ring, rx));
		rx++;
		work++;
	}
	if (work)
		snull_wire_complete(sender, rx);
	return work;
}

/*
 * ndo_stop of the receiver calls this once its line is masked and NAPI is
 * disabled: frames that reach an interface that is down are lost on the
 * wire, and counted, and the sender gets its descriptors back.
 *
 * With use_napi=0 a handler can still be running: an irq_work queued on two
 * CPUs runs on both, and irq_work_sync() may return while the second run,
 * which passed the mask check before the mask went on, waits for q->lock
 * (pitfalls.md #20). So the flush takes the lock too, and the handler looks
 * at the mask again once it holds it: one of the two owns the ring's rx
 * index at a time, and a handler that comes after the flush does nothing.
 * IRQs are off while we hold it, since the handler may interrupt this CPU.
 * A reconfiguration (snull_channels.c) flushes the same way, the oldest
 * @max frames at most; ndo_stop flushes them all (U32_MAX).
 */
void snull_rx_flush(struct snull_queue *q, u32 max)
{
	struct snull_queue *sender = snull_peer_queue(q);
	struct snull_ring *ring = &sender->tx;
	u32 head, lost;

	spin_lock_irq(&q->lock);
	head = smp_load_acquire(&ring->head); /* as in snull_rx() */
	lost = min(head - ring->rx, max);
	if (lost) {
		snull_count_add(q->priv, SNULL_RX_DROP_DOWN, lost);
		snull_ring_drop_posted(ring, ring->rx + lost);
		snull_wire_complete(sender, ring->rx + lost);
	}
	spin_unlock_irq(&q->lock);
}

/* An interrupt taken: counted, and where it ran. */
static void snull_count_irq(struct snull_queue *q)
{
	snull_count(q->priv, SNULL_IRQ_HANDLED);
	if (unlikely(!in_hardirq()))
		snull_count(q->priv, SNULL_IRQ_NOT_HARDIRQ);
}

static void snull_count_causes(struct snull_priv *priv, unsigned long status)
{
	if (status & BIT(SNULL_RX_INTR))
		snull_count(priv, SNULL_IRQ_RX);
	if (status & BIT(SNULL_TX_INTR))
		snull_count(priv, SNULL_IRQ_TX);
}

/*
 * use_napi=1 (the book's snull_napi_interrupt): mask the line and leave the
 * work to poll. The mask goes on only once napi_schedule_prep() has claimed
 * the NAPI instance (pitfalls.md #6): if it fails, poll is already coming,
 * or NAPI is disabled because the device is going down, and ndo_open will
 * unmask again. Masking first would leave the line dead in both cases.
 */
static void snull_napi_interrupt(struct snull_queue *q)
{
	unsigned long status;

	/* A masked line does not interrupt: this is a late or spurious fire. */
	if (!READ_ONCE(q->irq_enabled))
		return;
	snull_count_irq(q);
	status = READ_ONCE(q->status);
	if (!status)
		return;
	snull_count_causes(q->priv, status);
	if (napi_schedule_prep(&q->napi)) {
		snull_irq_mask(q);
		__napi_schedule_irqoff(&q->napi);
	}
}

/*
 * use_napi=0 (the book's snull_regular_interrupt): do the work here and
 * hand frames to netif_rx(). This handler takes a spinlock_t, allocates and
 * calls netif_rx(), which a hard-IRQ handler may not do on PREEMPT_RT, so
 * its irq_work is one that RT runs in a thread (snull_setup()), as RT
 * threads a requested interrupt; elsewhere it still runs in hard-IRQ
 * context. An irq_work may run on two CPUs at once, so the lock keeps one
 * handler in the ring at a time, and the mask is checked under it, before
 * anything else: ndo_stop may have masked and flushed while we waited
 * (snull_rx_flush()), or a pause masked and fenced (snull_queues.c).
 */
static void snull_regular_interrupt(struct snull_queue *q)
{
	unsigned long status;

	spin_lock(&q->lock);
	if (unlikely(!READ_ONCE(q->irq_enabled)))
		goto out;
	snull_count_irq(q);
	status = xchg(&q->status, 0);
	snull_count_causes(q->priv, status);
	if (status & BIT(SNULL_TX_INTR))
		snull_tx_clean(q);
	/* Receive a batch per interrupt; a full batch means more may wait. */
	if ((status & BIT(SNULL_RX_INTR)) &&
	    snull_rx(q, snull_napi_weight) == snull_napi_weight)
		snull_raise_irq(q, SNULL_RX_INTR);
out:
	spin_unlock(&q->lock);
}

/*
 * The interrupt handler: an irq_work, in hard-IRQ context (use_napi=0 on
 * PREEMPT_RT: in the irq_work thread, see snull_regular_interrupt()).
 */
void snull_interrupt(struct irq_work *work)
{
	struct snull_queue *q = container_of(work, struct snull_queue, irq);

	if (snull_use_napi)
		snull_napi_interrupt(q);
	else
		snull_regular_interrupt(q);
}

/*
 * NAPI poll, in softirq context. Causes are acknowledged before the work,
 * so one raised meanwhile stays pending and fires again at the unmask.
 * TX cleanup does not count against the budget.
 *
 * netpoll (netconsole) also calls poll, with budget 0 and IRQs off, when
 * its xmit finds the queue stopped, whether NAPI was scheduled or not. Then
 * only TX cleanup belongs here: acknowledging the causes would eat an RX
 * cause whose interrupt is still pending, that handler would find nothing
 * to do, and the frames would wait on the wire for the next one
 * (pitfalls.md #22). netpoll_poll_lock() keeps this apart from a real poll.
 */
int snull_poll(struct napi_struct *napi, int budget)
{
	struct snull_queue *q = container_of(napi, struct snull_queue, napi);
	int work;

	if (unlikely(!budget)) {
		snull_tx_clean(q);
		return 0;
	}
	xchg(&q->status, 0);
	snull_count(q->priv, SNULL_NAPI_POLLS);
	snull_tx_clean(q);
	work = snull_rx(q, budget);
	if (work > READ_ONCE(q->napi_max_work))
		WRITE_ONCE(q->napi_max_work, work);

	if (work < budget && napi_complete_done(napi, work))
		snull_irq_unmask(q);
	return work;
}
