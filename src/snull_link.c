// SPDX-License-Identifier: GPL-2.0
/*
 * Pairs: how two devices become one snull pair, at load (pairs=N) or with
 * `ip link add NAME type snull` (rtnl_link_ops, kind "snull"), and how
 * they go: `ip link del` of either end, the deletion of a namespace that
 * holds one, or rmmod, which deletes every pair in every namespace.
 *
 * The two ends live and die together: each points at the other from
 * creation to free, both are unregistered in one batch, and the core
 * frees each after its last reference (needs_free_netdev), calling
 * snull_priv_teardown() first (priv_destructor).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/stringify.h>
#include <net/rtnetlink.h>

#include "snull.h"

/* Every device can have a queue a possible CPU, up to SNULL_MAX_QUEUES. */
static unsigned int snull_max_queues(void)
{
	return min_t(unsigned int, num_possible_cpus(), SNULL_MAX_QUEUES);
}

/*
 * The book's addresses: the ends of pair k get 00:53:4e:55:4c:30 + 2k and
 * + 2k + 1 ("\0SNUL0" and "\0SNUL1" for the first), so that the header
 * snull_header() builds (our address, last bit flipped) names the peer. A
 * pair made with ip link gets a random address, or the one asked for, and
 * its peer that address with the last bit flipped.
 */
static void snull_pair_addrs(struct net_device *a, struct net_device *b,
			     int index)
{
	u8 addr[ETH_ALEN] = { 0x00, 'S', 'N', 'U' };

	if (index >= 0) {
		u16 low = ('L' << 8 | '0') + 2 * index;

		addr[4] = low >> 8;
		addr[5] = low & 0xff;
		eth_hw_addr_set(a, addr);
	} else if (a->addr_assign_type != NET_ADDR_SET) {
		eth_hw_addr_random(a);
	}
	ether_addr_copy(addr, a->dev_addr);
	addr[ETH_ALEN - 1] ^= 0x01;
	eth_hw_addr_set(b, addr);
	b->addr_assign_type = a->addr_assign_type;
}

/* True when the test hook inject_load_fault asks stage @stage to fail. */
static bool snull_fault_hit(int fault, int stage)
{
	if (fault != stage)
		return false;
	pr_info("inject_load_fault=%d: failing the load here\n", stage);
	return true;
}

/* Registered: from now on unregistration frees it, with our part first. */
static void snull_set_owned(struct net_device *dev)
{
	dev->priv_destructor = snull_priv_teardown;
	dev->needs_free_netdev = true;
}

/*
 * Make @first and @second a pair and register them in that order.
 * Context: process; RTNL held. @fault is inject_load_fault's stage (2: the
 * first's ring, 3: the second's, 4: registering the second), 0 for none.
 * On failure nothing of the pair stays registered, and the caller frees
 * the devices: @second, and @first unless *@first_owned says its
 * unregistration took it.
 */
static int snull_pair_register(struct net_device *first,
			       struct net_device *second, int fault,
			       bool *first_owned)
{
	int err;

	*first_owned = false;
	err = snull_fault_hit(fault, 2) ? -ENOMEM :
		snull_priv_init(first, second);
	if (err)
		return err;
	err = snull_fault_hit(fault, 3) ? -ENOMEM :
		snull_priv_init(second, first);
	if (err)
		goto err_first;
	err = register_netdevice(first);
	if (err)
		goto err_second;
	snull_set_owned(first);
	*first_owned = true;
	err = snull_fault_hit(fault, 4) ? -EBUSY :
		register_netdevice(second);
	if (err) {
		/*
		 * First the registered end, whose notifier removes its knobs
		 * and waits for their writers: hold_ring raises interrupts on
		 * the peer's queues, which must outlive every such write.
		 */
		unregister_netdevice(first);
		snull_priv_teardown(second);
	} else {
		snull_set_owned(second);
	}
	return err;

err_second:
	snull_priv_teardown(second);
err_first:
	snull_priv_teardown(first);
	return err;
}

/*
 * Load time: pair @index, named sn%d (sn0 and sn1 for the first, as names
 * are given at registration, in order). @fault is inject_load_fault's
 * stage for the first pair (1: allocating the second device), 0 otherwise.
 * Context: process; RTNL held.
 */
int snull_pair_add(int index, int fault)
{
	unsigned int queues = snull_max_queues();
	struct net_device *a, *b = NULL;
	bool a_owned = false;
	int err = -ENOMEM;

	a = alloc_netdev_mqs(sizeof(struct snull_priv), "sn%d", NET_NAME_ENUM,
			     snull_setup, queues, queues);
	if (a && !snull_fault_hit(fault, 1))
		b = alloc_netdev_mqs(sizeof(struct snull_priv), "sn%d",
				     NET_NAME_ENUM, snull_setup, queues, queues);
	if (b) {
		/* As the core sets it for a device ip link makes: ip -d link shows
		 * kind snull, and ip link del knows whose device it is.
		 */
		a->rtnl_link_ops = &snull_link_ops;
		b->rtnl_link_ops = &snull_link_ops;
		snull_pair_addrs(a, b, index);
		err = snull_pair_register(a, b, fault, &a_owned);
		if (!err)
			return 0;
	}
	if (b)
		free_netdev(b);
	if (a && !a_owned)
		free_netdev(a);
	return err;
}

/*
 * rtnl_link_ops.validate. Context: process; RTNL held. The queue counts
 * asked for (numtxqueues, numrxqueues) may differ, and the pair uses the
 * fewest of its ends' (snull_pair_max_queues()), but none may be over
 * what the driver's arrays hold. An address asked for must be a unicast
 * Ethernet one; the peer gets it with the last bit flipped.
 */
static int snull_validate(struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	if ((tb[IFLA_NUM_TX_QUEUES] &&
	     nla_get_u32(tb[IFLA_NUM_TX_QUEUES]) > SNULL_MAX_QUEUES) ||
	    (tb[IFLA_NUM_RX_QUEUES] &&
	     nla_get_u32(tb[IFLA_NUM_RX_QUEUES]) > SNULL_MAX_QUEUES)) {
		NL_SET_ERR_MSG_MOD(extack, "a device has at most "
				   __stringify(SNULL_MAX_QUEUES) " TX and "
				   __stringify(SNULL_MAX_QUEUES) " RX queues");
		return -EINVAL;
	}
	if (!tb[IFLA_ADDRESS])
		return 0;
	if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
		NL_SET_ERR_MSG_MOD(extack, "an Ethernet address has 6 bytes");
		return -EINVAL;
	}
	if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
		NL_SET_ERR_MSG_MOD(extack, "the address must be unicast and not all zeros");
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/*
 * rtnl_link_ops.newlink: ip link add NAME type snull. Context: process;
 * RTNL held. The core has made @dev (with snull_setup() and our queue
 * counts) in its namespace; its peer, named sn%d, is made in the
 * namespace the request came from, as veth makes a peer given no
 * namespace of its own. iproute2 has no option parser for kind snull, so
 * no peer attributes can come. On failure the core frees @dev, which is
 * never registered then.
 */
static int snull_newlink_net(struct net *src_net, struct net_device *dev,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tbp[IFLA_MAX + 1] = {};
	struct net_device *peer;
	bool peer_owned;
	int err;

	peer = rtnl_create_link(src_net, "sn%d", NET_NAME_ENUM,
				&snull_link_ops, tbp, extack);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	snull_pair_addrs(dev, peer, -1);
	/* @dev last: the core frees it if we fail, so it must not be queued. */
	err = snull_pair_register(peer, dev, 0, &peer_owned);
	if (err && !peer_owned)
		free_netdev(peer);
	return err;
}

#ifdef SNULL_NEWLINK_PARAMS
static int snull_newlink(struct net_device *dev,
			 struct rtnl_newlink_params *params,
			 struct netlink_ext_ack *extack)
{
	return snull_newlink_net(params->src_net, dev, extack);
}
#else
static int snull_newlink(struct net *src_net, struct net_device *dev,
			 struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	return snull_newlink_net(src_net, dev, extack);
}
#endif

/*
 * rtnl_link_ops.dellink: ip link del of either end, a namespace going
 * away, rmmod. Context: process; RTNL held. Both ends go in the same
 * batch; when both are in a dying namespace the core asks for each, and
 * the second finds the pair already queued.
 */
static void snull_dellink(struct net_device *dev, struct list_head *head)
{
	struct snull_priv *priv = netdev_priv(dev);

	ASSERT_RTNL();
	if (priv->unlinked)
		return;
	priv->unlinked = true;
	priv->peer->unlinked = true;
	unregister_netdevice_queue(dev, head);
	unregister_netdevice_queue(priv->peer->dev, head);
}

static unsigned int snull_num_queues(void)
{
	return snull_max_queues();
}

struct rtnl_link_ops snull_link_ops __read_mostly = {
	.kind			= KBUILD_MODNAME,
	.priv_size		= sizeof(struct snull_priv),
	.setup			= snull_setup,
	.validate		= snull_validate,
	.newlink		= snull_newlink,
	.dellink		= snull_dellink,
	.get_num_tx_queues	= snull_num_queues,
	.get_num_rx_queues	= snull_num_queues,
};
