// SPDX-License-Identifier: GPL-2.0
/*
 * The ethtool interface: driver info, link and counters here; interrupt
 * moderation in snull_coalesce.c, channels in snull_channels.c, the ring
 * size in snull_ringparam.c.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "snull.h"

/* In the order of enum snull_counter. */
static const char snull_counter_names[SNULL_NR_COUNTERS][ETH_GSTRING_LEN] = {
	[SNULL_IRQ_HANDLED]		= "irq_handled",
	[SNULL_IRQ_NOT_HARDIRQ]		= "irq_not_hardirq",
	[SNULL_IRQ_RX]			= "irq_rx",
	[SNULL_IRQ_TX]			= "irq_tx",
	[SNULL_IRQ_MODERATED]		= "irq_moderated",
	[SNULL_NAPI_POLLS]		= "napi_polls",
	[SNULL_NAPI_MAX_WORK]		= "napi_max_work",
	[SNULL_RX_NETIF_RX]		= "rx_netif_rx",
	[SNULL_TX_QUEUE_STOPPED]	= "tx_queue_stopped",
	[SNULL_TX_QUEUE_WOKEN]		= "tx_queue_woken",
	[SNULL_TX_BUSY]			= "tx_busy",
	[SNULL_TX_TIMEOUTS]		= "tx_timeouts",
	[SNULL_TX_LOST_IRQS]		= "tx_lost_irqs",
	[SNULL_TX_XMIT_MORE]		= "tx_xmit_more",
	[SNULL_TX_DROP_OVERSIZE]	= "tx_drop_oversize",
	[SNULL_TX_DROP_RUNT]		= "tx_drop_runt",
	[SNULL_TX_DROP_NOT_IPV4]	= "tx_drop_not_ipv4",
	[SNULL_TX_DROP_IPV6_NEXTHDR]	= "tx_drop_ipv6_nexthdr",
	[SNULL_TX_DROP_BAD_IHL]		= "tx_drop_bad_ihl",
	[SNULL_TX_DROP_BAD_LEN]		= "tx_drop_bad_len",
	[SNULL_TX_DROP_FAULT]		= "tx_drop_fault",
	[SNULL_TX_DROP_CARRIER]		= "tx_drop_carrier",
	[SNULL_TX_DROP_QUEUE]		= "tx_drop_queue",
	[SNULL_TX_DROP_NOMEM]		= "tx_drop_nomem",
	[SNULL_RX_DROP_NOMEM]		= "rx_drop_nomem",
	[SNULL_RX_DROP_DOWN]		= "rx_drop_down",
	[SNULL_RX_DROP_FILTERED]	= "rx_drop_filtered",
	[SNULL_RX_CRC_ERRORS]		= "rx_crc_errors",
	[SNULL_RX_LENGTH_ERRORS]	= "rx_length_errors",
};

static void snull_get_drvinfo(struct net_device *dev,
			      struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->bus_info, "virtual", sizeof(info->bus_info));
}

/* After the device's counters, these for each active queue. */
static const char snull_queue_counter_names[][ETH_GSTRING_LEN] = {
	"rx_queue_%u_packets",
	"rx_queue_%u_bytes",
	"tx_queue_%u_packets",
	"tx_queue_%u_bytes",
};

#define SNULL_NR_QUEUE_COUNTERS	ARRAY_SIZE(snull_queue_counter_names)

/*
 * The core sizes its buffer with this and fills it under the same RTNL
 * hold (ethtool_get_strings(), ethtool_get_stats()), and nr_queues changes
 * only under RTNL, so the two agree; a -L between two requests shows up
 * as a new count, which ethtool reads again each time.
 */
static int snull_get_sset_count(struct net_device *dev, int sset)
{
	struct snull_priv *priv = netdev_priv(dev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return SNULL_NR_COUNTERS + priv->nr_queues * SNULL_NR_QUEUE_COUNTERS;
}

static void snull_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	struct snull_priv *priv = netdev_priv(dev);
	u32 i, j;

	if (sset != ETH_SS_STATS)
		return;
	memcpy(buf, snull_counter_names, sizeof(snull_counter_names));
	buf += sizeof(snull_counter_names);
	for (i = 0; i < priv->nr_queues; i++)
		for (j = 0; j < SNULL_NR_QUEUE_COUNTERS; j++)
			ethtool_sprintf(&buf, snull_queue_counter_names[j], i);
}

static void snull_get_ethtool_stats(struct net_device *dev,
				    struct ethtool_stats *stats, u64 *data)
{
	struct snull_priv *priv = netdev_priv(dev);
	struct snull_stats_snap snap;
	u32 i;

	snull_stats_snapshot(priv, &snap);
	memcpy(data, snap.cnt, sizeof(snap.cnt));
	data += SNULL_NR_COUNTERS;
	for (i = 0; i < priv->nr_queues; i++) {
		*data++ = snap.q[i].rx_packets;
		*data++ = snap.q[i].rx_bytes;
		*data++ = snap.q[i].tx_packets;
		*data++ = snap.q[i].tx_bytes;
	}
}

const struct ethtool_ops snull_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_USECS |
				     ETHTOOL_COALESCE_MAX_FRAMES,
	.get_coalesce		= snull_get_coalesce,	/* snull_coalesce.c */
	.set_coalesce		= snull_set_coalesce,	/* snull_coalesce.c */
	.get_drvinfo		= snull_get_drvinfo,
	.get_channels		= snull_get_channels,	/* snull_channels.c */
	.set_channels		= snull_set_channels,	/* snull_channels.c */
	.get_link		= ethtool_op_get_link,
	.get_ringparam		= snull_get_ringparam,	/* snull_ringparam.c */
	.set_ringparam		= snull_set_ringparam,	/* snull_ringparam.c */
	.get_sset_count		= snull_get_sset_count,
	.get_strings		= snull_get_strings,
	.get_ethtool_stats	= snull_get_ethtool_stats,
	.get_ts_info		= ethtool_op_get_ts_info,
};
