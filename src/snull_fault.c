// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: knobs under /sys/kernel/debug/snull/<dev>/, as netdevsim
 * has them. Each knob is data the packet path reads; the decisions live
 * here, so the transmit and receive code stays free of special cases.
 *
 *   drop_every     drop every Nth transmitted frame (0: off)
 *   drop_prob      drop each frame with this probability, per million
 *   drop_seed      seed of the generator behind drop_prob (reproducible)
 *   corrupt_every  corrupt every Nth frame on the wire: the receiver's FCS
 *                  check fails and it counts rx_crc_errors
 *   irq_delay_us   raise every interrupt this late, from a hard-IRQ hrtimer;
 *                  at most SNULL_MAX_IRQ_DELAY_US (a second)
 *   lockup         like the parameter: every Nth transmit loses its TX-done
 *   hold_ring      1: the wire takes no more frames from this device's ring,
 *                  which fills up; 0: it delivers them again
 *   fail_open      the next ndo_open fails with this errno, once
 *
 * Frame counts start at load. Every file is 0600: this is a test tool. The
 * directory follows its device through a netdevice notifier: made when the
 * device registers, renamed with it, removed when it unregisters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/netdevice.h>

#include "snull.h"

static struct dentry *snull_debugfs_root;

/* Writing 0 to hold_ring must kick the peer: nobody else would. */
static int snull_hold_ring_get(void *data, u64 *val)
{
	struct snull_priv *priv = data;

	*val = READ_ONCE(priv->faults.hold_ring);
	return 0;
}

static int snull_hold_ring_set(void *data, u64 val)
{
	struct snull_priv *priv = data;
	u32 i;

	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(priv->faults.hold_ring, val);
	/*
	 * Every queue the peer can have: one that is not active is masked
	 * and ignores the raise until ethtool -L brings it back.
	 */
	for (i = 0; !val && i < priv->peer->max_queues; i++)
		snull_raise_irq(&priv->peer->queues[i], SNULL_RX_INTR);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(snull_hold_ring_fops, snull_hold_ring_get,
			 snull_hold_ring_set, "%llu\n");

static int snull_irq_delay_get(void *data, u64 *val)
{
	struct snull_priv *priv = data;

	*val = READ_ONCE(priv->faults.irq_delay_us);
	return 0;
}

/* A line late by more than a second is a dead line: refuse it. */
static int snull_irq_delay_set(void *data, u64 val)
{
	struct snull_priv *priv = data;

	if (val > SNULL_MAX_IRQ_DELAY_US)
		return -EINVAL;
	WRITE_ONCE(priv->faults.irq_delay_us, val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(snull_irq_delay_fops, snull_irq_delay_get,
			 snull_irq_delay_set, "%llu\n");

static int snull_drop_seed_get(void *data, u64 *val)
{
	struct snull_priv *priv = data;

	*val = READ_ONCE(priv->faults.drop_seed);
	return 0;
}

/*
 * Every write restarts the generator, so writing the same seed again drops
 * the same frames again. The xmits of all queues draw from it under
 * rnd_lock, with BHs off: so do we.
 */
static int snull_drop_seed_set(void *data, u64 val)
{
	struct snull_priv *priv = data;

	spin_lock_bh(&priv->faults.rnd_lock);
	WRITE_ONCE(priv->faults.drop_seed, val);
	prandom_seed_state(&priv->faults.rnd, val);
	spin_unlock_bh(&priv->faults.rnd_lock);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(snull_drop_seed_fops, snull_drop_seed_get,
			 snull_drop_seed_set, "%llu\n");

void snull_fault_init(struct snull_priv *priv)
{
	struct snull_faults *f = &priv->faults;

	f->lockup = snull_lockup;
	spin_lock_init(&f->rnd_lock);
	prandom_seed_state(&f->rnd, 0);
}

/* Under the debugfs root made at load; a missing debugfs is no error. */
static void snull_debugfs_add(struct snull_priv *priv)
{
	struct snull_faults *f = &priv->faults;
	struct dentry *dir;

	dir = debugfs_create_dir(netdev_name(priv->dev), snull_debugfs_root);
	f->dir = dir;
	debugfs_create_u32("drop_every", 0600, dir, &f->drop_every);
	debugfs_create_u32("drop_prob", 0600, dir, &f->drop_prob);
	debugfs_create_file_unsafe("drop_seed", 0600, dir, priv,
				   &snull_drop_seed_fops);
	debugfs_create_u32("corrupt_every", 0600, dir, &f->corrupt_every);
	debugfs_create_file_unsafe("irq_delay_us", 0600, dir, priv,
				   &snull_irq_delay_fops);
	debugfs_create_u32("lockup", 0600, dir, &f->lockup);
	debugfs_create_file_unsafe("hold_ring", 0600, dir, priv,
				   &snull_hold_ring_fops);
	debugfs_create_u32("fail_open", 0600, dir, &f->fail_open);
}

/* Waits for readers and writers of the files to leave. */
static void snull_debugfs_del(struct snull_priv *priv)
{
	debugfs_remove(priv->faults.dir);
	priv->faults.dir = NULL;
}

/*
 * The directory is named after its device, so it follows the device's life
 * and name. Context: process, RTNL held, for every device of the namespace:
 * only ours are looked at. A rename makes the directory anew, since the
 * rename call of debugfs changed between the kernels we support; the knobs'
 * values live in snull_priv and survive it.
 */
static int snull_netdev_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (!snull_dev_is_ours(dev))
		return NOTIFY_DONE;
	switch (event) {
	case NETDEV_REGISTER:
		snull_debugfs_add(netdev_priv(dev));
		break;
	case NETDEV_CHANGENAME:
		snull_debugfs_del(netdev_priv(dev));
		snull_debugfs_add(netdev_priv(dev));
		break;
	case NETDEV_UNREGISTER:
		snull_debugfs_del(netdev_priv(dev));
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block snull_netdev_nb = {
	.notifier_call = snull_netdev_event,
};

/* Before the devices register, so that the notifier sees them come. */
int snull_debugfs_init(void)
{
	int err;

	snull_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	err = register_netdevice_notifier(&snull_netdev_nb);
	if (err)
		debugfs_remove(snull_debugfs_root);
	return err;
}

/* After the devices have unregistered, which removed their directories. */
void snull_debugfs_exit(void)
{
	unregister_netdevice_notifier(&snull_netdev_nb);
	debugfs_remove(snull_debugfs_root);
}

static bool snull_every(u32 seq, const u32 *knob)
{
	u32 every = READ_ONCE(*knob);

	return every && seq % every == 0;
}

/* drop_prob's draw: a generator shared by the xmits of every queue. */
static bool snull_draw(struct snull_faults *f, u32 prob)
{
	bool hit;

	spin_lock(&f->rnd_lock);
	hit = prandom_u32_state(&f->rnd) % 1000000 < prob;
	spin_unlock(&f->rnd_lock);
	return hit;
}

/*
 * Decide the fate of the frame xmit is about to post on queue @q. Context:
 * xmit, BHs off, under that queue's lock only: the xmits of two queues may
 * run at once, so the sequence is atomic and the generator has its lock.
 */
enum snull_verdict snull_fault_tx(struct snull_queue *q)
{
	struct snull_faults *f = &q->priv->faults;
	u32 seq = atomic_inc_return(&f->seq);
	u32 prob = READ_ONCE(f->drop_prob);

	if (snull_every(seq, &f->drop_every))
		return SNULL_VERDICT_DROP;
	if (prob && snull_draw(f, prob))
		return SNULL_VERDICT_DROP;
	if (snull_every(seq, &f->corrupt_every))
		return SNULL_VERDICT_CORRUPT;
	if (snull_every(seq, &f->lockup))
		return SNULL_VERDICT_STALL;
	return SNULL_VERDICT_PASS;
}

/* ndo_open's one-shot failure; a positive errno as written to the file. */
int snull_fault_open(struct snull_priv *priv)
{
	u32 err = xchg(&priv->faults.fail_open, 0);

	return err ? -(int)min_t(u32, err, MAX_ERRNO) : 0;
}
