// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters and ndo_get_stats64.
 *
 * The book kept unsigned longs in net_device_stats, written from several
 * contexts and read without synchronisation (pitfalls.md #14). Here each CPU
 * has its own u64 counters behind a u64_stats_sync, and readers add them up.
 */
#include <linux/netdevice.h>

#include "snull.h"

int snull_stats_alloc(struct snull_priv *priv)
{
	priv->stats = netdev_alloc_pcpu_stats(struct snull_pcpu_stats);
	return priv->stats ? 0 : -ENOMEM;
}

void snull_stats_free(struct snull_priv *priv)
{
	free_percpu(priv->stats);
	priv->stats = NULL;
}

/*
 * Most writers run with preemption off (xmit, interrupt, poll), but ndo_stop
 * counts the frames it flushes from process context: get_cpu_ptr() keeps
 * every writer on its CPU until its update is done.
 */
void snull_count_add(struct snull_priv *priv, enum snull_counter c, u32 n)
{
	struct snull_pcpu_stats *s = get_cpu_ptr(priv->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->cnt[c], n);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(priv->stats);
}

void snull_count_rx(struct snull_priv *priv, unsigned int bytes)
{
	struct snull_pcpu_stats *s = get_cpu_ptr(priv->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc(&s->rx_packets);
	u64_stats_add(&s->rx_bytes, bytes);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(priv->stats);
}

void snull_count_tx(struct snull_priv *priv, unsigned int pkts,
		    unsigned int bytes)
{
	struct snull_pcpu_stats *s = get_cpu_ptr(priv->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->tx_packets, pkts);
	u64_stats_add(&s->tx_bytes, bytes);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(priv->stats);
}

/* Add one CPU's counters to @sum, read consistently. */
static void snull_add_cpu(const struct snull_pcpu_stats *s,
			  struct snull_stats_snap *sum)
{
	struct snull_stats_snap snap;
	unsigned int start, i;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		snap.rx_packets = u64_stats_read(&s->rx_packets);
		snap.rx_bytes = u64_stats_read(&s->rx_bytes);
		snap.tx_packets = u64_stats_read(&s->tx_packets);
		snap.tx_bytes = u64_stats_read(&s->tx_bytes);
		for (i = 0; i < SNULL_NR_COUNTERS; i++)
			snap.cnt[i] = u64_stats_read(&s->cnt[i]);
	} while (u64_stats_fetch_retry(&s->syncp, start));

	sum->rx_packets += snap.rx_packets;
	sum->rx_bytes += snap.rx_bytes;
	sum->tx_packets += snap.tx_packets;
	sum->tx_bytes += snap.tx_bytes;
	for (i = 0; i < SNULL_NR_COUNTERS; i++)
		sum->cnt[i] += snap.cnt[i];
}

/* The device's counters, summed over all CPUs. Never sleeps. */
void snull_stats_snapshot(struct snull_priv *priv,
			  struct snull_stats_snap *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu)
		snull_add_cpu(per_cpu_ptr(priv->stats, cpu), sum);
	sum->cnt[SNULL_NAPI_MAX_WORK] = READ_ONCE(priv->napi_max_work);
}

static u64 snull_sum_range(const struct snull_stats_snap *snap,
			   enum snull_counter first, enum snull_counter last)
{
	u64 sum = 0;
	int c;

	for (c = first; c <= last; c++)
		sum += snap->cnt[c];
	return sum;
}

/*
 * ndo_get_stats64. The netdevices document says get_stats runs under the
 * dev_base_lock rwlock; today's core calls it under RCU or RTNL, from
 * process or softirq context. Either way it must not sleep, and it does not:
 * it only reads per-CPU counters.
 */
void snull_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *stats)
{
	struct snull_stats_snap snap;

	snull_stats_snapshot(netdev_priv(dev), &snap);
	stats->rx_packets = snap.rx_packets;
	stats->rx_bytes = snap.rx_bytes;
	stats->tx_packets = snap.tx_packets;
	stats->tx_bytes = snap.tx_bytes;
	/* The core adds its own drops (the netif_rx backlog) to these. */
	stats->tx_dropped = snull_sum_range(&snap, SNULL_TX_DROP_OVERSIZE,
					    SNULL_TX_DROP_NOMEM);
	stats->rx_dropped = snull_sum_range(&snap, SNULL_RX_DROP_NOMEM,
					    SNULL_RX_DROP_FILTERED);
	stats->tx_errors = snap.cnt[SNULL_TX_TIMEOUTS];
	stats->rx_crc_errors = snap.cnt[SNULL_RX_CRC_ERRORS];
	stats->rx_length_errors = snap.cnt[SNULL_RX_LENGTH_ERRORS];
	stats->rx_errors = snull_sum_range(&snap, SNULL_RX_CRC_ERRORS,
					   SNULL_RX_LENGTH_ERRORS);
}
