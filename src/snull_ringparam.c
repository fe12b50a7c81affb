// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool -g/-G: the size of the TX rings.
 *
 * Like -L, a resize pauses the pair (snull_queues.c); each ring then
 * moves to a new one of the asked size, with the frames still on the wire.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ethtool.h>
#include <linux/log2.h>
#include <linux/netdevice.h>
#include <linux/slab.h>

#include "snull.h"

/* ethtool_ops.get_ringparam. Context: process; RTNL held. */
void snull_get_ringparam(struct net_device *dev,
			 struct ethtool_ringparam *ring,
			 struct kernel_ethtool_ringparam *kernel_ring,
			 struct netlink_ext_ack *extack)
{
	struct snull_priv *priv = netdev_priv(dev);

	ring->tx_max_pending = SNULL_MAX_POOL;
	ring->tx_pending = priv->queues[0].tx.size;
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
