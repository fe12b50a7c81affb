// SPDX-License-Identifier: GPL-2.0
/*
 * Queues: their life, ethtool -l/-L (channels), and ethtool -G (ring size),
 * which like -L stops the pair to change it.
 *
 * A modern NIC has several channels, each a TX ring, an RX path, a NAPI
 * instance and an interrupt line, so that each CPU can send and receive on
 * its own without taking another's lock. snull's queue i of one end is
 * wired to queue i of the other: the receiver's queue i reads the sender's
 * ring i. So both ends of a pair always have the same number of queues,
 * and ethtool -L on either end sets it for both, as if the cable had that
 * many lanes. The queue structures exist from load to unload for every
 * queue the device can have (one a possible CPU, SNULL_MAX_QUEUES at most);
 * only an active queue has a ring.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/log2.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "snull.h"

/*
 * The lines of one queue. use_napi=1: the handler only schedules NAPI,
 * which a hard-IRQ handler may do even on PREEMPT_RT, so it runs in hard-IRQ
 * context there too. use_napi=0: the handler needs a spinlock_t, allocation
 * and netif_rx() (pitfalls.md #21), so it is a plain irq_work: hard-IRQ
 * context on other kernels (where lockdep checks it as a handler RT would
 * thread), the irq_work thread on RT.
 */
static void snull_queue_init(struct snull_priv *priv, struct snull_queue *q,
			     u16 index)
{
	q->priv = priv;
	q->index = index;
	spin_lock_init(&q->lock);
	if (snull_use_napi)
		q->irq = IRQ_WORK_INIT_HARD(snull_interrupt);
	else
		q->irq = IRQ_WORK_INIT(snull_interrupt);
	hrtimer_setup(&q->irq_timer, snull_irq_timer, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_HARD);
	snull_coal_init(q);
	if (snull_use_napi)
		netif_napi_add_weight(priv->dev, &q->napi, snull_poll,
				      snull_napi_weight);
}

/*
 * Before registration (snull_priv_init()): every queue's structure, the
 * first queue's ring, one active queue as in the book. alloc_netdev_mqs()
 * made max_queues TX and RX queues in the core; the stack may use one.
 */
int snull_queues_alloc(struct snull_priv *priv)
{
	struct net_device *dev = priv->dev;
	u32 i;
	int err;

	priv->max_queues = dev->num_tx_queues;
	priv->queues = kcalloc(priv->max_queues, sizeof(*priv->queues),
			       GFP_KERNEL);
	if (!priv->queues)
		return -ENOMEM;
	for (i = 0; i < priv->max_queues; i++)
		snull_queue_init(priv, &priv->queues[i], i);
	err = snull_ring_alloc(&priv->queues[0].tx, snull_pool_size,
			       snull_ring_start);
	if (!err)
		err = netif_set_real_num_queues(dev, 1, 1);
	if (err) {
		snull_queues_free(priv);
		return err;
	}
	priv->nr_queues = 1;
	return 0;
}

/*
 * After unregistration, when the core calls no more callbacks. The quiesce
 * waits for a fire the peer raised just before we masked. A NAPI instance
 * may still be seen by RCU readers (busy polling's lookup by id) until a
 * grace period has passed: netif_napi_del() waits for one each, which made
 * deleting a pair five times slower than veth's (make bench's scale step),
 * so the instances leave at once and the array waits for one grace period
 * (kfree_rcu), as the helper's comment suggests drivers do.
 */
void snull_queues_free(struct snull_priv *priv)
{
	u32 i;

	if (!priv->queues)
		return;
	for (i = 0; i < priv->max_queues; i++) {
		struct snull_queue *q = &priv->queues[i];

		snull_irq_quiesce(q);
		if (snull_use_napi)
			__netif_napi_del(&q->napi);
		snull_ring_free(&q->tx);
	}
	kfree_rcu(priv->queues, rcu);
	priv->queues = NULL;
}

/*
 * ndo_open's work, and a reconfiguration's restart. Context: process, RTNL.
 * Each active queue starts its receive machinery, unmasks (which fires at
 * once for what arrived meanwhile), and starts its TX queue only with room
 * in its ring (snull_tx_start()). The core's watchdog looks at every TX
 * queue the device has, used or not (dev_watchdog() in 6.1): those beyond
 * nr_queues are started too, though the stack never picks them.
 */
void snull_queues_start(struct snull_priv *priv)
{
	struct net_device *dev = priv->dev;
	u32 i;

	ASSERT_RTNL();
	for (i = 0; i < priv->nr_queues; i++) {
		struct snull_queue *q = &priv->queues[i];

		if (snull_use_napi)
			napi_enable(&q->napi);
		snull_irq_unmask(q);
		snull_tx_start(q);
	}
	for (; i < dev->num_tx_queues; i++)
		netif_tx_start_queue(netdev_get_tx_queue(dev, i));
}

/*
 * Stop the receive machinery of every active queue, the TX queues being
 * stopped already. NAPI goes first, so a poll that completes cannot unmask
 * after we mask; snull_irq_quiesce() then waits out an interrupt already on
 * its way or running on another CPU. Afterwards nothing reads the peer's
 * rings but us.
 */
static void snull_queues_quiesce(struct snull_priv *priv)
{
	u32 i;

	for (i = 0; i < priv->nr_queues; i++) {
		struct snull_queue *q = &priv->queues[i];

		if (snull_use_napi)
			napi_disable(&q->napi);
		snull_irq_mask(q);
		snull_irq_quiesce(q);
	}
}

/*
 * ndo_stop's work: quiesce, then drop (and count in rx_drop_down) what the
 * wire still holds for us, which gives the peer its descriptors back.
 */
void snull_queues_stop(struct snull_priv *priv)
{
	u32 i;

	ASSERT_RTNL();
	snull_queues_quiesce(priv);
	for (i = 0; i < priv->nr_queues; i++)
		snull_rx_flush(&priv->queues[i], U32_MAX);
}

/*
 * Empty the ring of queue @q, which is going away, with both ends stopped:
 * the frames still on the wire are dropped at the peer (rx_drop_down) as if
 * it were down, a stalled engine is reset, and cleanup reclaims every
 * descriptor and settles BQL. Then the ring is freed.
 */
static void snull_queue_retire(struct snull_queue *q)
{
	snull_rx_flush(snull_peer_queue(q), U32_MAX);
	snull_ring_reset(&q->tx);
	snull_tx_reclaim(q);
	WARN_ON_ONCE(snull_ring_used(&q->tx));
	netdev_tx_reset_queue(snull_txq(q));
	snull_ring_free(&q->tx);
	WRITE_ONCE(q->status, 0);
}

/* Rings for queues nr_queues..@n-1 of @priv; on failure, none of them. */
static int snull_rings_grow(struct snull_priv *priv, u32 n)
{
	u32 i;
	int err;

	for (i = priv->nr_queues; i < n; i++) {
		err = snull_ring_alloc(&priv->queues[i].tx,
				       priv->queues[0].tx.size,
				       snull_ring_start);
		if (err)
			goto undo;
	}
	return 0;
undo:
	while (i-- > priv->nr_queues)
		snull_ring_free(&priv->queues[i].tx);
	return err;
}

/* Undo snull_rings_grow(priv, @n): free the rings of queues nr_queues..@n-1. */
static void snull_rings_ungrow(struct snull_priv *priv, u32 n)
{
	u32 i;

	for (i = priv->nr_queues; i < n; i++)
		snull_ring_free(&priv->queues[i].tx);
}

/* ethtool_ops.get_channels. Context: process; RTNL held. */
void snull_get_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	struct snull_priv *priv = netdev_priv(dev);

	ch->max_combined = priv->max_queues;
	ch->combined_count = priv->nr_queues;
}

/*
 * The pair's queue count becomes @n. Both ends are stopped; the core's
 * queue counts change first, as that is what can fail (sysfs objects of
 * new RX queues), and then the queues going away are retired.
 */
static int snull_pair_requeue(struct snull_priv *priv, u32 n)
{
	struct snull_priv *peer = priv->peer;
	u32 old = priv->nr_queues;
	int err;

	err = netif_set_real_num_queues(priv->dev, n, n);
	if (err)
		return err;
	err = netif_set_real_num_queues(peer->dev, n, n);
	if (err) {
		WARN_ON(netif_set_real_num_queues(priv->dev, old, old));
		return err;
	}
	for (; old > n; old--) {
		snull_queue_retire(&priv->queues[old - 1]);
		snull_queue_retire(&peer->queues[old - 1]);
	}
	WRITE_ONCE(priv->nr_queues, n);
	WRITE_ONCE(peer->nr_queues, n);
	return 0;
}

/*
 * A NIC driver reconfigures by stopping its device, changing it, and
 * starting it again. snull's two ends share their wires, so both stop:
 * each running end as ndo_stop would, but keeping carrier and the frames
 * on its wire. Afterwards nothing runs in the pair but the caller, under
 * RTNL. An end that is down stays as it is.
 */
static void snull_pair_pause(struct snull_priv *ends[2], bool running[2])
{
	int i;

	/*
	 * Receive machinery first: a poll still running would clean its
	 * ring and, the device being up, wake a queue we had just stopped
	 * (ndo_stop can stop first, as netif_running() is false by then).
	 * xmit may still post meanwhile: its doorbells find masked lines.
	 */
	for (i = 0; i < 2; i++) {
		running[i] = netif_running(ends[i]->dev);
		if (running[i])
			snull_queues_quiesce(ends[i]);
	}
	for (i = 0; i < 2; i++)
		if (running[i])
			netif_tx_disable(ends[i]->dev);
}

/*
 * Start the running ends again, and interrupt each of their queues once.
 * A poll that used its whole budget as napi_disable() came was completed
 * by the core (__napi_poll()) with its line still masked and its causes
 * already taken: the frames it left on the wire have no cause pending,
 * and the unmask would not fire. With the sender's queue stopped by a full
 * ring or BQL, no doorbell would ever come either (t_channels). A raise
 * with nothing to do costs one empty poll.
 */
static void snull_pair_resume(struct snull_priv *ends[2], bool running[2])
{
	u32 i, q;

	for (i = 0; i < 2; i++) {
		if (!running[i])
			continue;
		snull_queues_start(ends[i]);
		/*
		 * netif_tx_start_queue() does not run the qdisc: what it held
		 * while we were paused would wait for the next enqueue, and
		 * TCP does not retransmit a segment still in a host queue
		 * (skb_still_in_host_queue()), so a stream could wait forever.
		 */
		netif_tx_schedule_all(ends[i]->dev);
		for (q = 0; q < ends[i]->nr_queues; q++) {
			snull_raise_irq(&ends[i]->queues[q], SNULL_RX_INTR);
			snull_raise_irq(&ends[i]->queues[q], SNULL_TX_INTR);
		}
	}
}

/*
 * ethtool_ops.set_channels. Context: process; RTNL held, either end up or
 * down. The core has checked the counts against get_channels' maxima.
 * Rings are allocated before the pair pauses, so a failure leaves the
 * pair as it was.
 */
int snull_set_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	struct snull_priv *priv = netdev_priv(dev);
	struct snull_priv *ends[2] = { priv, priv->peer };
	u32 n = ch->combined_count;
	bool running[2];
	int err;

	ASSERT_RTNL();
	if (!n || ch->rx_count || ch->tx_count || ch->other_count)
		return -EINVAL;
	if (n == priv->nr_queues)
		return 0;
	err = snull_rings_grow(priv, n);
	if (!err) {
		err = snull_rings_grow(priv->peer, n);
		if (err)
			snull_rings_ungrow(priv, n);
	}
	if (err)
		return err;

	snull_pair_pause(ends, running);
	err = snull_pair_requeue(priv, n);
	if (err) {
		snull_rings_ungrow(priv, n);
		snull_rings_ungrow(priv->peer, n);
	}
	snull_pair_resume(ends, running);
	return err;
}

/*
 * Move queue @q's TX ring into @fresh, with the pair paused. Completed
 * descriptors are reclaimed first (a stalled engine is reset, as a
 * reconfiguration resets a NIC); the frames still on the wire move to the
 * new ring at the same indices, so the peer and BQL see nothing change,
 * except that when there are more than @fresh holds, the oldest are
 * dropped at the peer and counted there (rx_drop_down).
 */
static void snull_ring_move(struct snull_queue *q, struct snull_ring *fresh)
{
	struct snull_ring *old = &q->tx;
	u32 pending, idx;

	snull_ring_reset(old);
	snull_tx_reclaim(q);
	pending = old->head - old->rx;
	if (pending > fresh->size) {
		snull_rx_flush(snull_peer_queue(q), pending - fresh->size);
		snull_tx_reclaim(q);
	}
	for (idx = old->rx; idx != old->head; idx++) {
		struct snull_desc *from = snull_ring_desc(old, idx);
		struct snull_desc *to = snull_ring_desc(fresh, idx);

		to->skb = from->skb;
		from->skb = NULL;
		to->len = from->len;
		to->csum_ok = from->csum_ok;
		to->bad_fcs = from->bad_fcs;
		if (snull_copy)
			memcpy(snull_desc_frame(fresh, to),
			       snull_desc_frame(old, from), from->len);
	}
	fresh->head = old->head;
	fresh->rx = old->rx;
	fresh->done = old->rx;
	fresh->tail = old->rx;
	WARN_ON_ONCE(old->tail != old->rx);
	snull_ring_free(old);
	*old = *fresh;
}

/*
 * ethtool_ops.set_ringparam: ethtool -G tx N, up or down, under traffic
 * too. Context: process; RTNL held. The core has refused RX sizes (we have
 * no RX ring) and sizes over tx_max_pending. The size is this device's;
 * pool_size stays the load-time default. The new rings are allocated
 * before the pair pauses, so a failure changes nothing.
 */
int snull_set_ringparam(struct net_device *dev, struct ethtool_ringparam *ring,
			struct kernel_ethtool_ringparam *kernel_ring,
			struct netlink_ext_ack *extack)
{
	struct snull_priv *priv = netdev_priv(dev);
	struct snull_priv *ends[2] = { priv, priv->peer };
	u32 n = ring->tx_pending, i;
	struct snull_ring *fresh;
	bool running[2];
	int err = 0;

	ASSERT_RTNL();
	if (!is_power_of_2(n)) {
		NL_SET_ERR_MSG_MOD(extack, "the TX ring size must be a power of two");
		return -EINVAL;
	}
	if (n == priv->queues[0].tx.size)
		return 0;
	fresh = kcalloc(priv->nr_queues, sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return -ENOMEM;
	for (i = 0; i < priv->nr_queues && !err; i++)
		err = snull_ring_alloc(&fresh[i], n, 0);
	if (err) {
		while (i--)
			snull_ring_free(&fresh[i]);
		kfree(fresh);
		return err;
	}

	snull_pair_pause(ends, running);
	for (i = 0; i < priv->nr_queues; i++)
		snull_ring_move(&priv->queues[i], &fresh[i]);
	snull_pair_resume(ends, running);
	kfree(fresh);
	return 0;
}
