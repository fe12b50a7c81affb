// SPDX-License-Identifier: GPL-2.0
/*
 * Load and unload (the parameters are snull_params.c's).
 *
 * snull is the "Simple Network Utility for Loading Localities" of Linux
 * Device Drivers, 3rd edition, chapter 17, written anew for today's kernels.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/rtnetlink.h>

#include "snull.h"

/*
 * Make the load-time pairs, each registered only once fully set up: the
 * kernel may call a device as soon as it is registered. RTNL is held
 * across all of them, so nobody sees a pair half-registered; a failure
 * leaves the pairs made before it, for snull_init_module() to delete.
 */
static int snull_add_pairs(void)
{
	int i, err = 0;

	rtnl_lock();
	for (i = 0; i < snull_pairs && !err; i++) {
		err = snull_pair_add(i, i ? 0 : snull_inject_load_fault);
		if (err)
			pr_err("error %d making pair %d\n", err, i);
	}
	rtnl_unlock();
	return err;
}

/*
 * Load: check the parameters, register the notifier behind the fault
 * knobs' directories (before any device registers, so that it sees them
 * come), the link type, then the pairs.
 */
static int __init snull_init_module(void)
{
	int err;

	err = snull_check_params();
	if (err)
		return err;
	err = snull_debugfs_init();
	if (err)
		return err;
	err = rtnl_link_register(&snull_link_ops);
	if (err)
		goto err_debugfs;
	err = snull_add_pairs();
	if (err)
		goto err_link;
	return 0;

err_link:
	rtnl_link_unregister(&snull_link_ops);
err_debugfs:
	snull_debugfs_exit();
	return err;
}

/*
 * Unload, in the order §17.2 and the netdevices document require:
 * rtnl_link_unregister() deletes every pair of ours in every namespace
 * (snull_dellink()), unregistering both ends in one batch, and returns once
 * each is freed: after unregistration the core calls nothing of ours,
 * waits for the last reference, then calls snull_priv_teardown() and
 * free_netdev() (needs_free_netdev). Unregistration also removes the
 * knobs (snull_netdev_event()), each waiting for its readers and writers,
 * so no write can raise an interrupt during the teardown.
 */
static void __exit snull_cleanup(void)
{
	rtnl_link_unregister(&snull_link_ops);
	snull_debugfs_exit();
}

module_init(snull_init_module);
module_exit(snull_cleanup);

MODULE_AUTHOR("The snull developers");
MODULE_DESCRIPTION("A pair of simulated Ethernet interfaces wired to each other (LDD3 ch. 17)");
MODULE_LICENSE("GPL");
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
