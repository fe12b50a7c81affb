// SPDX-License-Identifier: GPL-2.0
/*
 * The fault injection knobs under /sys/kernel/debug/snull/<dev>/, as
 * netdevsim has them (what each means: snull_fault.c), and the notifier
 * that makes each device's directory:
 *
 *   drop_every, drop_prob, drop_seed, corrupt_every, lockup, fail_open
 *                  read by snull_fault.c's decisions
 *   irq_delay_us   raise every interrupt this late, from a hard-IRQ hrtimer;
 *                  at most SNULL_MAX_IRQ_DELAY_US (a second)
 *   hold_ring      1: the wire takes no more frames from this device's ring,
 *                  which fills up; 0: it delivers them again
 *
 * Every file is 0600: this is a test tool. The directory follows its
 * device: made when the device registers, renamed with it, removed when it
 * unregisters.
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

/* Every write restarts the generator (snull_fault_seed()). */
static int snull_drop_seed_set(void *data, u64 val)
{
	struct snull_priv *priv = data;

	snull_fault_seed(&priv->faults, val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(snull_drop_seed_fops, snull_drop_seed_get,
			 snull_drop_seed_set, "%llu\n");

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

