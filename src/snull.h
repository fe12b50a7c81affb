/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of snull share.
 *
 * snull is pairs of Ethernet interfaces, sn0 and sn1 and more, wired to each other
 * through a simulated NIC: a TX ring of packet buffers, a status word of
 * interrupt causes, and an interrupt line that fires in hard-IRQ context.
 * docs/design.md tells the whole story; each file below holds one concern.
 */
#ifndef _SNULL_H
#define _SNULL_H

#include <linux/ethtool.h>
#include <linux/hrtimer.h>
#include <linux/if_vlan.h>
#include <linux/irq_work.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>

#include "snull_compat.h"

/* pairs=N at load: at most this many (2048 devices, their addresses distinct). */
#define SNULL_MAX_PAIRS		1024
/* A full-MTU frame, with room for one VLAN tag: the book's 1500 was too small. */
#define SNULL_BUF_SIZE		VLAN_ETH_FRAME_LEN
#define SNULL_MAX_POOL		4096
#define SNULL_MAX_IRQ_DELAY_US	USEC_PER_SEC
/* Interrupt moderation's longest hold, as NICs allow some milliseconds. */
#define SNULL_MAX_COAL_USECS	10000
/* Channels (ethtool -L): at most one a CPU, and no more than this. */
#define SNULL_MAX_QUEUES	8

/* Interrupt causes: bit numbers in snull_priv.status. */
enum {
	SNULL_RX_INTR,		/* the wire has put frames in our receive path */
	SNULL_TX_INTR,		/* TX descriptors have been completed */
	SNULL_NR_CAUSES
};

/*
 * Interrupt moderation of one cause (ethtool -C, snull_coalesce.c): a raise
 * fires the line at once when usecs is 0; otherwise it is held until
 * max_frames raises have come (if max_frames is set) or usecs have passed
 * since the first one held, whichever is first.
 */
struct snull_coal {
	atomic_t held;		/* raises held since the line last fired */
	struct hrtimer timer;
	struct snull_queue *q;
};

/* The moderation settings of one cause, for all of a device's queues. */
struct snull_coal_param {
	u32 usecs;		/* written under RTNL, read with READ_ONCE */
	u32 max_frames;
};

/*
 * One TX descriptor: the book's struct snull_packet. In zero-copy mode it
 * points at the skb itself, as a NIC's descriptor points at the skb's pages
 * for DMA, and the wire hands that skb to the peer. With copy=1 it owns a
 * packet buffer, a slot of the ring's one block, as in the book: the slot of
 * the same number, found by snull_desc_frame(), so that a descriptor is 16
 * bytes and a ring of 256 one page.
 */
struct snull_desc {
	struct sk_buff *skb;	/* zero copy: posted by xmit, taken by the wire */
	u32 len;		/* frame length, Ethernet header included */
	bool csum_ok;		/* copy=1: the hardware filled in the L4 checksum */
	bool bad_fcs;		/* corrupted on the wire (fault injection) */
};

/*
 * The TX ring. Its size is a power of two; its indices run freely and wrap
 * at 2^32, and index & mask is the slot (pitfalls.md #18). Each has one
 * writer:
 *   head  - the driver's xmit, under netif_tx_lock: next descriptor to fill
 *   rx    - the peer's receive path: next descriptor the wire delivers
 *   done  - the hardware's write-back: descriptors before it are complete
 *           (the receive path, or the reset in ndo_tx_timeout, through
 *           snull_ring_write_back(), which only moves it forward)
 *   tail  - the driver's TX-done cleanup: next descriptor to reclaim
 * so that tail <= done <= rx <= head, and head - tail <= size.
 */
struct snull_ring {
	struct snull_desc *desc;
	u8 *bufs;		/* copy=1: a buffer a descriptor, else NULL */
	u32 size;		/* a power of two */
	u32 mask;		/* size - 1 */
	u32 head;
	u32 rx;
	u32 done;
	u32 tail;
	u32 wake_thresh;	/* free descriptors needed to wake the queue */
	bool stalled;		/* lockup: write-backs and TX-done are lost */
};

/* Counters beyond rtnl_link_stats64, shown by ethtool -S. */
enum snull_counter {
	SNULL_IRQ_HANDLED,
	SNULL_IRQ_NOT_HARDIRQ,
	SNULL_IRQ_RX,
	SNULL_IRQ_TX,
	SNULL_IRQ_MODERATED,	/* raises held back by interrupt moderation */
	SNULL_NAPI_POLLS,
	SNULL_NAPI_MAX_WORK,	/* a gauge kept in snull_priv, not counted */
	SNULL_RX_NETIF_RX,
	SNULL_TX_QUEUE_STOPPED,
	SNULL_TX_QUEUE_WOKEN,
	SNULL_TX_BUSY,
	SNULL_TX_TIMEOUTS,
	SNULL_TX_LOST_IRQS,
	SNULL_TX_XMIT_MORE,	/* posted without a doorbell: more were coming */
	SNULL_TX_DROP_OVERSIZE,	/* first of the tx_drop_* reasons */
	SNULL_TX_DROP_RUNT,
	SNULL_TX_DROP_NOT_IPV4,	/* neither IPv4 nor IPv6 */
	SNULL_TX_DROP_IPV6_NEXTHDR, /* a next header the IPv6 trick can't parse */
	SNULL_TX_DROP_BAD_IHL,
	SNULL_TX_DROP_BAD_LEN,
	SNULL_TX_DROP_FAULT,
	SNULL_TX_DROP_CARRIER,
	SNULL_TX_DROP_QUEUE,	/* for a queue ethtool -L took away */
	SNULL_TX_DROP_NOMEM,	/* last of the tx_drop_* reasons */
	SNULL_RX_DROP_NOMEM,	/* first of the rx_drop_* reasons */
	SNULL_RX_DROP_DOWN,
	SNULL_RX_DROP_FILTERED,	/* last of the rx_drop_* reasons */
	SNULL_RX_CRC_ERRORS,	/* first of the rx_*_errors */
	SNULL_RX_LENGTH_ERRORS,	/* last of the rx_*_errors */
	SNULL_NR_COUNTERS
};

/* The traffic of one queue: ethtool -S shows it per queue, ip the sum. */
struct snull_queue_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
};

/*
 * Per-CPU statistics. Writers are the xmit path, the interrupt handler, NAPI
 * poll and ndo_tx_timeout, which can nest on one CPU, so every update uses
 * the _irqsave flavour of u64_stats (free on 64-bit, safe on 32-bit).
 * There is one q[] entry for each possible queue (SNULL_MAX_QUEUES at most).
 */
struct snull_pcpu_stats {
	struct u64_stats_sync syncp;
	u64_stats_t cnt[SNULL_NR_COUNTERS];
	struct snull_queue_stats q[];
};

/* The fault injection knobs (snull_fault.c) and their state. */
struct snull_faults {
	u32 drop_every;
	u32 drop_prob;			/* per million */
	u64 drop_seed;			/* keys drop_prob's generator */
	u32 corrupt_every;
	u32 irq_delay_us;
	u32 lockup;
	bool hold_ring;
	u32 fail_open;			/* errno, one shot */
	atomic_t seq;			/* frames seen, on every queue */
	atomic64_t draws;		/* drop_prob's draws since the seed */
	struct dentry *dir;
};

enum snull_verdict {
	SNULL_VERDICT_PASS,
	SNULL_VERDICT_DROP,
	SNULL_VERDICT_CORRUPT,
	SNULL_VERDICT_STALL,
};

/* A reader's copy of the counters, summed over CPUs. */
struct snull_stats_snap {
	u64 rx_packets;
	u64 rx_bytes;
	u64 tx_packets;
	u64 tx_bytes;
	u64 cnt[SNULL_NR_COUNTERS];
	struct {
		u64 rx_packets, rx_bytes, tx_packets, tx_bytes;
	} q[SNULL_MAX_QUEUES];
};

/*
 * One channel of the NIC (ethtool -L): a TX ring, the RX path that reads
 * the peer's ring of the same number, a NAPI instance and an interrupt
 * line of its own. Queue i of one end is wired to queue i of the other.
 */
struct snull_queue {
	struct snull_priv *priv;
	u16 index;
	struct napi_struct napi;
	struct irq_work irq;		/* the interrupt line */
	struct hrtimer irq_timer;	/* raises it late, with irq_delay_us */
	struct snull_coal coal[SNULL_NR_CAUSES];
	unsigned long status;		/* pending causes: atomic bitops */
	bool irq_enabled;		/* the interrupt mask: false = masked */
	spinlock_t lock;		/* use_napi=0: the handler's, and the flush's */
	bool doorbell_owed;		/* posted with xmit_more; under the txq lock */
	struct snull_ring tx;		/* allocated while the queue is active */
	u32 napi_max_work;		/* written by poll only */
	struct rcu_head rcu;		/* queue 0's frees the array */
} ____cacheline_aligned_in_smp;

struct snull_priv {
	struct net_device *dev;
	struct snull_priv *peer;	/* the other end, fixed from load to unload */
	struct snull_queue *queues;	/* max_queues of them */
	/*
	 * Active queues, the same at both ends: changed under RTNL only
	 * while both ends are paused (snull_channels.c).
	 */
	u32 nr_queues;
	u32 max_queues;		/* the same at both ends, fixed */
	struct snull_coal_param coal[SNULL_NR_CAUSES];
	bool promisc;			/* the MAC filter lets every frame in */
	bool unlinked;			/* queued for unregistration, under RTNL */
	struct snull_pcpu_stats __percpu *stats;
	struct snull_faults faults;
};

/* Module parameters (snull_params.c), checked at load and fixed afterwards. */
extern int snull_copy;
extern int snull_pool_size;
extern int snull_lockup;
extern int snull_timeout;
extern int snull_use_napi;
extern int snull_napi_weight;
extern unsigned int snull_ring_start;
extern int snull_inject_load_fault;
extern int snull_pairs;
int snull_check_params(void);

/*
 * What each file offers the others. The layers (docs/design.md, "Files")
 * run one way: a file calls only files below it.
 */

/* snull_link.c: pairs, at load and with ip link */
extern struct rtnl_link_ops snull_link_ops;
int snull_pair_add(int index, int fault);

/* snull_debugfs.c: the fault injection knobs and their notifier */
int snull_debugfs_init(void);
void snull_debugfs_exit(void);

/* snull_netdev.c: the net_device and its callbacks */
void snull_setup(struct net_device *dev);
netdev_features_t snull_fix_features(struct net_device *dev,
				     netdev_features_t features);
int snull_set_features(struct net_device *dev, netdev_features_t features);
void snull_set_rx_mode(struct net_device *dev);
bool snull_dev_is_ours(const struct net_device *dev);
int snull_priv_init(struct net_device *dev, struct net_device *peer);
void snull_priv_teardown(struct net_device *dev);

/* snull_ethtool.c */
extern const struct ethtool_ops snull_ethtool_ops;

/* snull_channels.c: ethtool -l/-L */
void snull_get_channels(struct net_device *dev, struct ethtool_channels *ch);
int snull_set_channels(struct net_device *dev, struct ethtool_channels *ch);

/* snull_ringparam.c: ethtool -g/-G */
void snull_get_ringparam(struct net_device *dev,
			 struct ethtool_ringparam *ring,
			 struct kernel_ethtool_ringparam *kernel_ring,
			 struct netlink_ext_ack *extack);
int snull_set_ringparam(struct net_device *dev, struct ethtool_ringparam *ring,
			struct kernel_ethtool_ringparam *kernel_ring,
			struct netlink_ext_ack *extack);

/* snull_ioctl.c: ndo_siocdevprivate and ndo_set_config */
int snull_ioctl(struct net_device *dev, struct ifreq *ifr,
		void __user *data, int cmd);
int snull_config(struct net_device *dev, struct ifmap *map);

/* snull_queues.c: the queues' life, a pair's pause and resume */
u32 snull_pair_max_queues(const struct net_device *a,
			  const struct net_device *b);
int snull_queues_alloc(struct snull_priv *priv);
void snull_queues_free(struct snull_priv *priv);
void snull_queues_start(struct snull_priv *priv);
void snull_queues_stop(struct snull_priv *priv);
void snull_pair_pause(struct snull_priv *ends[2], bool running[2]);
void snull_pair_resume(struct snull_priv *ends[2], bool running[2]);

/* snull_hw.c: the simulated hardware */
int snull_ring_alloc(struct snull_ring *ring, u32 size, u32 start);
void snull_ring_drop_posted(struct snull_ring *ring, u32 upto);
void snull_ring_free(struct snull_ring *ring);
void snull_ring_write_back(struct snull_ring *ring, u32 upto);
void snull_ring_reset(struct snull_ring *ring);
void snull_raise_irq(struct snull_queue *q, int cause);
void snull_irq_mask(struct snull_queue *q);
void snull_irq_unmask(struct snull_queue *q);
void snull_irq_init(struct snull_queue *q);
void snull_irq_quiesce(struct snull_queue *q);
void snull_fire(struct snull_queue *q);

/* snull_coalesce.c: interrupt moderation */
bool snull_coal_fire_now(struct snull_queue *q, int cause);
void snull_coal_cancel(struct snull_queue *q);
int snull_get_coalesce(struct net_device *dev, struct ethtool_coalesce *ec,
		       struct kernel_ethtool_coalesce *kec,
		       struct netlink_ext_ack *extack);
int snull_set_coalesce(struct net_device *dev, struct ethtool_coalesce *ec,
		       struct kernel_ethtool_coalesce *kec,
		       struct netlink_ext_ack *extack);

static inline u32 snull_ring_used(const struct snull_ring *ring)
{
	return READ_ONCE(ring->head) - READ_ONCE(ring->tail);
}

/* The descriptor an index names, whatever its wrap. */
static inline struct snull_desc *snull_ring_desc(const struct snull_ring *ring,
						 u32 idx)
{
	return &ring->desc[idx & ring->mask];
}

/* Free descriptors: what xmit may still post before the queue must stop. */
static inline u32 snull_ring_room(const struct snull_ring *ring)
{
	return ring->size - snull_ring_used(ring);
}

/* copy=1: each descriptor's buffer, a cache-line multiple apart. */
#define SNULL_BUF_STRIDE	ALIGN(SNULL_BUF_SIZE + NET_IP_ALIGN, SMP_CACHE_BYTES)

/* copy=1: the frame in @desc's buffer, a descriptor of @ring. */
static inline u8 *snull_desc_frame(const struct snull_ring *ring,
				   const struct snull_desc *desc)
{
	/* NET_IP_ALIGN puts the IP header on a 4-byte boundary */
	return ring->bufs + (desc - ring->desc) * SNULL_BUF_STRIDE +
	       NET_IP_ALIGN;
}

/* The queue of the same number at the other end: the wire's far side. */
static inline struct snull_queue *snull_peer_queue(const struct snull_queue *q)
{
	return &q->priv->peer->queues[q->index];
}

static inline struct netdev_queue *snull_txq(const struct snull_queue *q)
{
	return netdev_get_tx_queue(q->priv->dev, q->index);
}

/* snull_tx.c: transmit, TX-done cleanup, time-out */
netdev_tx_t snull_tx(struct sk_buff *skb, struct net_device *dev);
void snull_tx_start(struct snull_queue *q);
bool snull_tx_reclaim(struct snull_queue *q);
void snull_tx_clean(struct snull_queue *q);
void snull_tx_timeout(struct net_device *dev, unsigned int txqueue);

/* snull_rx.c: the interrupt handler, NAPI poll, receive */
void snull_interrupt(struct irq_work *work);
int snull_poll(struct napi_struct *napi, int budget);
void snull_rx_flush(struct snull_queue *q, u32 max);

/* snull_rewrite.c: the address trick, its entry point */
int snull_rewrite(u8 *frame, unsigned int len, bool partial);
int snull_rewrite_skb(struct sk_buff *skb);

/* snull_rewrite4.c and snull_rewrite6.c: the trick for each family */
int snull_rewrite4(u8 *frame, unsigned int len, bool partial);
unsigned int snull_hdrs_len4(struct sk_buff *skb);
int snull_rewrite6(u8 *frame, unsigned int len, bool partial);
unsigned int snull_hdrs_len6(struct sk_buff *skb);

/* snull_csum.c: the transport checksums the trick updates */
int snull_l4_check_off(u8 proto, bool ipv6);
__sum16 *snull_l4_check(u8 proto, bool ipv6, u8 *l4, unsigned int l4len,
			bool partial);
void snull_csum_replace4(__sum16 *sum, __be32 from, __be32 to, bool partial);
void snull_l4_check_done(u8 proto, __sum16 *check, bool partial);

/* snull_fault.c: fault injection's decisions */
void snull_fault_init(struct snull_priv *priv);
void snull_fault_seed(struct snull_faults *f, u64 seed);
enum snull_verdict snull_fault_tx(struct snull_queue *q);
int snull_fault_open(struct snull_priv *priv);

/* snull_stats.c */
int snull_stats_alloc(struct snull_priv *priv);
void snull_stats_free(struct snull_priv *priv);
void snull_count_add(struct snull_priv *priv, enum snull_counter c, u32 n);
void snull_count_rx(struct snull_queue *q, unsigned int bytes);
void snull_count_tx(struct snull_queue *q, unsigned int pkts,
		    unsigned int bytes);
void snull_stats_snapshot(struct snull_priv *priv,
			  struct snull_stats_snap *sum);
void snull_get_stats64(struct net_device *dev,
		       struct rtnl_link_stats64 *stats);

static inline void snull_count(struct snull_priv *priv, enum snull_counter c)
{
	snull_count_add(priv, c, 1);
}

#endif /* _SNULL_H */
