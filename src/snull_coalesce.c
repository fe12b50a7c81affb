// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt moderation: ethtool -c/-C.
 *
 * A NIC that interrupted for every frame would spend its host's time in
 * interrupt entry. Real ones hold an interrupt back for some microseconds,
 * or until some frames have come, whichever is first (Documentation/
 * networking/ethtool-netlink.rst, "COALESCE_GET"). snull's line does the
 * same for each cause: RX (the wire has delivered frames: rx-usecs,
 * rx-frames) and TX-done (tx-usecs, tx-frames). All zero, the default,
 * means at once, the book's behaviour. The settings are the device's; each
 * queue's line keeps its own count and timer. The rest of the moderation is
 * NAPI's: the line stays masked while poll keeps up.
 *
 * This file is the policy: whether a raise fires now or is held, and for
 * how long. The line and the timers that end a hold are the hardware's
 * (snull_hw.c), which asks here and is never called from here.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/stringify.h>

#include "snull.h"

/*
 * A cause was raised with the line unmasked: fire now (true), or hold it
 * (false), starting the hold's timer if this is its first raise. Any
 * context; raises may race on two CPUs, and at worst one fires a little
 * early or restarts the timer a little late, as a NIC's counters might.
 */
bool snull_coal_fire_now(struct snull_queue *q, int cause)
{
	struct snull_coal *coal = &q->coal[cause];
	u32 usecs = READ_ONCE(q->priv->coal[cause].usecs);
	u32 frames = READ_ONCE(q->priv->coal[cause].max_frames);

	if (likely(!usecs))
		return true;
	if (frames && atomic_inc_return(&coal->held) >= frames) {
		atomic_set(&coal->held, 0);
		hrtimer_try_to_cancel(&coal->timer);
		return true;
	}
	snull_count(q->priv, SNULL_IRQ_MODERATED);
	if (!hrtimer_is_queued(&coal->timer))
		hrtimer_start(&coal->timer, ns_to_ktime((u64)usecs * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_HARD);
	return false;
}

/* The line is masked for good (ndo_stop, teardown): no held fire may come. */
void snull_coal_cancel(struct snull_queue *q)
{
	int cause;

	for (cause = 0; cause < SNULL_NR_CAUSES; cause++) {
		hrtimer_cancel(&q->coal[cause].timer);
		atomic_set(&q->coal[cause].held, 0);
	}
}

/* ethtool_ops.get_coalesce. Context: process; RTNL held. */
int snull_get_coalesce(struct net_device *dev, struct ethtool_coalesce *ec,
		       struct kernel_ethtool_coalesce *kec,
		       struct netlink_ext_ack *extack)
{
	struct snull_priv *priv = netdev_priv(dev);

	ec->rx_coalesce_usecs = priv->coal[SNULL_RX_INTR].usecs;
	ec->rx_max_coalesced_frames = priv->coal[SNULL_RX_INTR].max_frames;
	ec->tx_coalesce_usecs = priv->coal[SNULL_TX_INTR].usecs;
	ec->tx_max_coalesced_frames = priv->coal[SNULL_TX_INTR].max_frames;
	return 0;
}

/*
 * One direction's pair of values: 0, or -EINVAL with its message. The
 * messages are literals (NL_SET_ERR_MSG_MOD keeps a pointer to them), one
 * for each direction.
 */
static int snull_coal_check(u32 usecs, u32 frames, bool rx,
			    struct netlink_ext_ack *extack)
{
	if (usecs > SNULL_MAX_COAL_USECS) {
		if (rx)
			NL_SET_ERR_MSG_MOD(extack, "rx-usecs is over the most, "
					   __stringify(SNULL_MAX_COAL_USECS));
		else
			NL_SET_ERR_MSG_MOD(extack, "tx-usecs is over the most, "
					   __stringify(SNULL_MAX_COAL_USECS));
		return -EINVAL;
	}
	if (frames > SNULL_MAX_POOL) {
		if (rx)
			NL_SET_ERR_MSG_MOD(extack, "rx-frames is over the most, "
					   __stringify(SNULL_MAX_POOL));
		else
			NL_SET_ERR_MSG_MOD(extack, "tx-frames is over the most, "
					   __stringify(SNULL_MAX_POOL));
		return -EINVAL;
	}
	/* With no time limit, the last frames of a burst would wait forever. */
	if (frames && !usecs) {
		if (rx)
			NL_SET_ERR_MSG_MOD(extack, "rx-frames needs a usecs limit too");
		else
			NL_SET_ERR_MSG_MOD(extack, "tx-frames needs a usecs limit too");
		return -EINVAL;
	}
	return 0;
}

/*
 * ethtool_ops.set_coalesce. Context: process; RTNL held, the device up or
 * down. The core has refused the parameters we do not support
 * (supported_coalesce_params). The fast path reads the values with
 * READ_ONCE, so they take effect from the next raise. TX-done held back
 * for half the watchdog's time-out would look like a hung ring.
 */
int snull_set_coalesce(struct net_device *dev, struct ethtool_coalesce *ec,
		       struct kernel_ethtool_coalesce *kec,
		       struct netlink_ext_ack *extack)
{
	struct snull_priv *priv = netdev_priv(dev);
	int err;

	ASSERT_RTNL();
	err = snull_coal_check(ec->rx_coalesce_usecs,
			       ec->rx_max_coalesced_frames, true, extack);
	if (!err)
		err = snull_coal_check(ec->tx_coalesce_usecs,
				       ec->tx_max_coalesced_frames, false, extack);
	if (err)
		return err;
	if ((u64)ec->tx_coalesce_usecs * 2 > (u64)snull_timeout * USEC_PER_MSEC) {
		NL_SET_ERR_MSG_MOD(extack, "tx-usecs is over half the TX watchdog time-out");
		return -EINVAL;
	}
	WRITE_ONCE(priv->coal[SNULL_RX_INTR].usecs, ec->rx_coalesce_usecs);
	WRITE_ONCE(priv->coal[SNULL_RX_INTR].max_frames,
		   ec->rx_max_coalesced_frames);
	WRITE_ONCE(priv->coal[SNULL_TX_INTR].usecs, ec->tx_coalesce_usecs);
	WRITE_ONCE(priv->coal[SNULL_TX_INTR].max_frames,
		   ec->tx_max_coalesced_frames);
	return 0;
}
