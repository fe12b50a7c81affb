// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters, load and unload.
 *
 * snull is the "Simple Network Utility for Loading Localities" of Linux
 * Device Drivers, 3rd edition, chapter 17, written anew for today's kernels.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "snull.h"

/*
 * The book copied every frame twice: into a ring buffer on transmit, into a
 * fresh skb on receive. snull now passes the skb itself, as DMA from the
 * skb's own pages would; copy=1 brings the book's buffers back.
 */
int snull_copy;
module_param_named(copy, snull_copy, int, 0444);
MODULE_PARM_DESC(copy, "1: copy each frame into a ring buffer and out again, as the book did, with no TSO; 0: pass the skb itself (default 0)");

int snull_pool_size = 256;
module_param_named(pool_size, snull_pool_size, int, 0444);
MODULE_PARM_DESC(pool_size, "Descriptors in each TX ring (a packet buffer each with copy=1), 1-4096, rounded up to a power of two (default 256)");

int snull_lockup;
module_param_named(lockup, snull_lockup, int, 0444);
MODULE_PARM_DESC(lockup, "Lose the TX-done interrupt of every Nth transmit, hanging the ring until the watchdog resets it; 0 = never (default 0)");

/*
 * The book's time-out was 5 jiffies, so its lockup demo recovered at once.
 * Half a second keeps that demo lively (the core's watchdog timer ticks on
 * whole seconds, so a lost interrupt is repaired within about a second),
 * and cannot fire on a ring that is merely slow: TX-done refreshes the
 * queue's trans_start (snull_tx_clean()), so only a ring that completes
 * nothing for that long times out.
 */
int snull_timeout = 500;
module_param_named(timeout, snull_timeout, int, 0444);
MODULE_PARM_DESC(timeout, "TX watchdog time-out in ms, 10-60000 (default 500)");

int snull_use_napi = 1;
module_param_named(use_napi, snull_use_napi, int, 0444);
MODULE_PARM_DESC(use_napi, "1: receive through NAPI poll; 0: netif_rx() from the interrupt handler (default 1)");

int snull_napi_weight = NAPI_POLL_WEIGHT;
module_param_named(napi_weight, snull_napi_weight, int, 0444);
MODULE_PARM_DESC(napi_weight, "NAPI weight: the most frames one poll receives, 1-64 (default 64)");

unsigned int snull_ring_start;
module_param_named(ring_start, snull_ring_start, uint, 0444);
MODULE_PARM_DESC(ring_start, "Test hook: every TX ring index starts here, e.g. 4294967040 to cross the 2^32 wrap after 256 frames (default 0)");

static int snull_inject_load_fault;
module_param_named(inject_load_fault, snull_inject_load_fault, int, 0444);
MODULE_PARM_DESC(inject_load_fault, "Test hook: fail loading at stage N: 1 allocating sn1, 2 sn0's ring, 3 sn1's ring, 4 registering sn1; 0 = off (default 0)");

static struct net_device *snull_devs[SNULL_NR_DEVS];

struct snull_param {
	const char *name;
	int *value;
	int min, max;
};

static const struct snull_param snull_params[] = {
	{ "copy", &snull_copy, 0, 1 },
	{ "pool_size", &snull_pool_size, 1, SNULL_MAX_POOL },
	{ "lockup", &snull_lockup, 0, 1000000 },
	{ "timeout", &snull_timeout, 10, 60000 },
	{ "use_napi", &snull_use_napi, 0, 1 },
	{ "napi_weight", &snull_napi_weight, 1, NAPI_POLL_WEIGHT },
	{ "inject_load_fault", &snull_inject_load_fault, 0, 4 },
};

/* The book never checked its parameters (pitfalls.md #15). */
static int snull_check_params(void)
{
	const struct snull_param *p;
	int err = 0;

	for (p = snull_params; p < snull_params + ARRAY_SIZE(snull_params); p++) {
		if (*p->value >= p->min && *p->value <= p->max)
			continue;
		pr_err("%s=%d is out of range %d..%d\n", p->name, *p->value,
		       p->min, p->max);
		err = -EINVAL;
	}
	return err;
}

/*
 * The ring is indexed with a mask, so its size must be a power of two
 * (pitfalls.md #18). Round up rather than refuse, so that the book's
 * examples still load, and write the result back: the parameter file and
 * ethtool -g then show the size the rings really have.
 */
static void snull_round_pool_size(void)
{
	int size = roundup_pow_of_two(snull_pool_size);

	if (size == snull_pool_size)
		return;
	pr_info("pool_size=%d rounded up to %d: TX rings are powers of two\n",
		snull_pool_size, size);
	snull_pool_size = size;
}

/* True when the test hook asks this stage of loading to fail. */
static bool snull_fault(int stage)
{
	if (snull_inject_load_fault != stage)
		return false;
	pr_info("inject_load_fault=%d: failing the load here\n", stage);
	return true;
}

static void snull_free_devs(void)
{
	int i;

	for (i = 0; i < SNULL_NR_DEVS; i++) {
		/* free_netdev(NULL) dereferences NULL on 6.1 */
		if (snull_devs[i])
			free_netdev(snull_devs[i]);
		snull_devs[i] = NULL;
	}
}

/* A queue for each CPU the machine can have, up to SNULL_MAX_QUEUES. */
static int snull_alloc_devs(void)
{
	unsigned int queues = min_t(unsigned int, num_possible_cpus(),
				    SNULL_MAX_QUEUES);
	int i;

	for (i = 0; i < SNULL_NR_DEVS; i++) {
		if (i == 1 && snull_fault(1))
			goto err;
		snull_devs[i] = alloc_netdev_mqs(sizeof(struct snull_priv),
						 "sn%d", NET_NAME_ENUM,
						 snull_setup, queues, queues);
		if (!snull_devs[i])
			goto err;
	}
	return 0;
err:
	snull_free_devs();
	return -ENOMEM;
}

/* Rings and counters for both devices; on failure nothing stays allocated. */
static int snull_init_devs(void)
{
	int i, err;

	for (i = 0; i < SNULL_NR_DEVS; i++) {
		struct net_device *peer = snull_devs[SNULL_NR_DEVS - 1 - i];

		err = snull_fault(2 + i) ? -ENOMEM :
			snull_priv_init(snull_devs[i], peer, i);
		if (err)
			goto err;
	}
	return 0;
err:
	while (i--)
		snull_priv_teardown(snull_devs[i]);
	return err;
}

/*
 * Register both devices, only now that each is fully set up: the kernel may
 * call them as soon as register_netdevice() returns. RTNL is held across
 * both, so nobody sees the pair half-registered, and a failure unregisters
 * exactly the devices that were registered (pitfalls.md #13).
 */
static int snull_register_devs(void)
{
	int i, err = 0;

	rtnl_lock();
	for (i = 0; i < SNULL_NR_DEVS; i++) {
		err = (i == 1 && snull_fault(4)) ? -EBUSY :
			register_netdevice(snull_devs[i]);
		if (err) {
			pr_err("error %d registering device %d\n", err, i);
			break;
		}
	}
	if (err)
		while (i--)
			unregister_netdevice(snull_devs[i]);
	rtnl_unlock();
	return err;
}

static int __init snull_init_module(void)
{
	int err;

	err = snull_check_params();
	if (err)
		return err;
	snull_round_pool_size();
	err = snull_alloc_devs();
	if (err)
		return err;
	err = snull_init_devs();
	if (err)
		goto err_free;
	/* The knobs' directories come and go with the devices' registration. */
	err = snull_debugfs_init();
	if (err)
		goto err_teardown;
	err = snull_register_devs();
	if (err)
		goto err_debugfs;
	return 0;

err_debugfs:
	snull_debugfs_exit();
err_teardown:
	snull_priv_teardown(snull_devs[0]);
	snull_priv_teardown(snull_devs[1]);
err_free:
	snull_free_devs();
	return err;
}

/*
 * The book's order, which the netdevices document requires: unregister
 * (after which the core calls nothing of ours and has dropped its last
 * reference), then free our buffers, then return the net_device.
 * Unregistration also removes the knobs (snull_netdev_event()), each
 * waiting for its readers and writers, so that no write can raise an
 * interrupt during the teardown.
 */
static void __exit snull_cleanup(void)
{
	int i;

	rtnl_lock();
	for (i = 0; i < SNULL_NR_DEVS; i++)
		unregister_netdevice(snull_devs[i]);
	rtnl_unlock();
	snull_debugfs_exit();
	for (i = 0; i < SNULL_NR_DEVS; i++)
		snull_priv_teardown(snull_devs[i]);
	snull_free_devs();
}

module_init(snull_init_module);
module_exit(snull_cleanup);

MODULE_AUTHOR("The snull developers");
MODULE_DESCRIPTION("A pair of simulated Ethernet interfaces wired to each other (LDD3 ch. 17)");
MODULE_LICENSE("GPL");
