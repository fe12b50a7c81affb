// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool -l/-L: the number of channels.
 *
 * Queue i of one end is wired to queue i of the other, so both ends of a
 * pair always have the same number of active queues, and ethtool -L on
 * either end sets it for both, as if the cable had that many lanes. The
 * change pauses the pair (snull_queues.c), changes the core's counts,
 * retires the queues that go and starts the pair again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "snull.h"

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

