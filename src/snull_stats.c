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

/* One CPU's block holds the device's counters and one q[] for each queue. */
int snull_stats_alloc(struct snull_priv *priv)
{
	struct snull_pcpu_stats *s;
	size_t size = struct_size(s, q, priv->max_queues);
	int cpu;

	priv->stats = __alloc_percpu_gfp(size, __alignof__(*s),
					 GFP_KERNEL | __GFP_ZERO);
	if (!priv->stats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(priv->stats, cpu)->syncp);
	return 0;
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

/* A frame received on queue @q. */
void snull_count_rx(struct snull_queue *q, unsigned int bytes)
{
	struct snull_pcpu_stats *s = get_cpu_ptr(q->priv->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc(&s->q[q->index].rx_packets);
	u64_stats_add(&s->q[q->index].rx_bytes, bytes);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(q->priv->stats);
}

/* Frames completed on queue @q's ring. */
void snull_count_tx(struct snull_queue *q, unsigned int pkts,
		    unsigned int bytes)
{
	struct snull_pcpu_stats *s = get_cpu_ptr(q->priv->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->q[q->index].tx_packets, pkts);
	u64_stats_add(&s->q[q->index].tx_bytes, bytes);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(q->priv->stats);
}

/* Add one queue's traffic on one CPU to @sum, read consistently. */
static void snull_add_queue(const struct snull_pcpu_stats *s, u32 i,
			    struct snull_stats_snap *sum)
{
	const struct snull_queue_stats *qs = &s->q[i];
	u64 rxp, rxb, txp, txb;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		rxp = u64_stats_read(&qs->rx_packets);
		rxb = u64_stats_read(&qs->rx_bytes);
		txp = u64_stats_read(&qs->tx_packets);
		txb = u64_stats_read(&qs->tx_bytes);
	} while (u64_stats_fetch_retry(&s->syncp, start));
	sum->q[i].rx_packets += rxp;
	sum->q[i].rx_bytes += rxb;
	sum->q[i].tx_packets += txp;
	sum->q[i].tx_bytes += txb;
}

/* Add one CPU's counters to @sum. */
static void snull_add_cpu(const struct snull_pcpu_stats *s, u32 nr_queues,
			  struct snull_stats_snap *sum)
{
	u64 cnt[SNULL_NR_COUNTERS];
	unsigned int start, i;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		for (i = 0; i < SNULL_NR_COUNTERS; i++)
			cnt[i] = u64_stats_read(&s->cnt[i]);
	} while (u64_stats_fetch_retry(&s->syncp, start));
	for (i = 0; i < SNULL_NR_COUNTERS; i++)
		sum->cnt[i] += cnt[i];
	for (i = 0; i < nr_queues; i++)
		snull_add_queue(s, i, sum);
}

/*
 * The device's counters, summed over all CPUs, and its totals over every
 * queue it can have: a queue taken away by ethtool -L keeps its frames in
 * the totals. Never sleeps.
 */
void snull_stats_snapshot(struct snull_priv *priv,
			  struct snull_stats_snap *sum)
{
	u32 i, max_work = 0;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu)
		snull_add_cpu(per_cpu_ptr(priv->stats, cpu), priv->max_queues,
			      sum);
	for (i = 0; i < priv->max_queues; i++) {
		sum->rx_packets += sum->q[i].rx_packets;
		sum->rx_bytes += sum->q[i].rx_bytes;
		sum->tx_packets += sum->q[i].tx_packets;
		sum->tx_bytes += sum->q[i].tx_bytes;
		max_work = max(max_work,
			       READ_ONCE(priv->queues[i].napi_max_work));
	}
	sum->cnt[SNULL_NAPI_MAX_WORK] = max_work;
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
