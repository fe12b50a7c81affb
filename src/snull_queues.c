// SPDX-License-Identifier: GPL-2.0
/*
 * The queues: their life, and how a pair stops and starts them.
 *
 * A modern NIC has several channels, each a TX ring, an RX path, a NAPI
 * instance and an interrupt line, so that each CPU can send and receive on
 * its own without taking another's lock. snull's queue i of one end is
 * wired to queue i of the other: the receiver's queue i reads the sender's
 * ring i. The queue structures exist from the device's setup to its free
 * for every queue the pair can have (snull_pair_max_queues()); only an
 * active queue has a ring. ndo_open and ndo_stop start and stop them
 * (snull_netdev.c); ethtool -L (snull_channels.c) and -G
 * (snull_ringparam.c) pause the pair to change them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

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
	snull_irq_init(q);
	if (snull_use_napi)
		netif_napi_add_weight(priv->dev, &q->napi, snull_poll,
				      snull_napi_weight);
}

/*
 * The queues pair @a, @b can have: queue i of one end is wired to queue i
 * of the other, so the fewest of the four counts the core made (each end's
 * TX and RX queues; ip link add may ask for any, and its peer has the
 * default), and never more than SNULL_MAX_QUEUES, which every array sized
 * by a queue count assumes (snull_validate() refuses more).
 */
u32 snull_pair_max_queues(const struct net_device *a,
			  const struct net_device *b)
{
	u32 n = min(a->num_tx_queues, a->num_rx_queues);

	n = min3(n, b->num_tx_queues, b->num_rx_queues);
	return min_t(u32, n, SNULL_MAX_QUEUES);
}

/*
 * Before registration (snull_priv_init()): every queue's structure, for
 * the max_queues the pair can have, the first queue's ring, one active
 * queue as in the book. The core's queues beyond max_queues, if the
 * device has any, are never used.
 */
int snull_queues_alloc(struct snull_priv *priv)
{
	struct net_device *dev = priv->dev;
	u32 i;
	int err;

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
 * use_napi=0: irq_work_sync() waits for one run of the handler, and a run
 * queued on a second CPU before the mask may still be on its way
 * (pitfalls.md #20). Each run does all it does under q->lock, the mask
 * checked first (snull_regular_interrupt()): once we have held the lock,
 * no run is in the ring or in BQL, and every run still to come finds the
 * line masked.
 */
static void snull_queue_fence(struct snull_queue *q)
{
	spin_lock_irq(&q->lock);
	spin_unlock_irq(&q->lock);
}

/*
 * Stop the receive machinery of every active queue: NAPI first, so a poll
 * that completes cannot unmask after we mask; then the mask, and
 * snull_irq_quiesce() waits out an interrupt already on its way; with
 * use_napi=0 the fence waits out a handler still running on another CPU.
 * Afterwards this end neither reads the peer's rings nor cleans its own.
 * The peer's receive path may still read ours, unless it is paused too.
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
		if (!snull_use_napi)
			snull_queue_fence(q);
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
 * Stop every TX queue of @dev for a pause, as netif_tx_disable() does, and
 * keep the core's watchdog off them until the resume. The watchdog times
 * out a queue that has been stopped for watchdog_timeo since its
 * trans_start, and an idle queue's trans_start is old: a pause would look
 * like a hung ring, and a reconfiguration is no lost interrupt. So, under
 * the queue's lock, where no xmit runs and so nothing else writes it: now
 * before the stop (6.6's netif_tx_stop_queue() does that itself, 6.1's
 * does not), and after it a trans_start that the watchdog cannot reach
 * (as far ahead as jiffies comparisons allow) until snull_tx_unpause().
 */
static void snull_tx_pause(struct net_device *dev)
{
	unsigned int i;

	for (i = 0; i < dev->num_tx_queues; i++) {
		struct netdev_queue *txq = netdev_get_tx_queue(dev, i);

		__netif_tx_lock_bh(txq);
		WRITE_ONCE(txq->trans_start, jiffies);
		smp_wmb(); /* the watchdog sees the stop with a fresh start */
		netif_tx_stop_queue(txq);
		WRITE_ONCE(txq->trans_start, jiffies + MAX_JIFFY_OFFSET);
		__netif_tx_unlock_bh(txq);
	}
}

/* The pause is over: the watchdog's clock starts now, for every queue. */
static void snull_tx_unpause(struct net_device *dev)
{
	unsigned int i;

	for (i = 0; i < dev->num_tx_queues; i++)
		WRITE_ONCE(netdev_get_tx_queue(dev, i)->trans_start, jiffies);
}

/*
 * A NIC driver reconfigures by stopping its device, changing it, and
 * starting it again. snull's two ends share their wires, so both stop:
 * each running end as ndo_stop would, but keeping carrier and the frames
 * on its wire. Afterwards nothing runs in the pair but the caller, under
 * RTNL. An end that is down stays as it is.
 */
void snull_pair_pause(struct snull_priv *ends[2], bool running[2])
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
			snull_tx_pause(ends[i]->dev);
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
void snull_pair_resume(struct snull_priv *ends[2], bool running[2])
{
	u32 i, q;

	for (i = 0; i < 2; i++) {
		if (!running[i])
			continue;
		snull_tx_unpause(ends[i]->dev);
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

