// SPDX-License-Identifier: GPL-2.0
/*
 * The net_device: setup, open, stop, and the Ethernet header.
 *
 * The callback table says in which file each callback lives; each callback's
 * comment gives its context and lock under the netdevices document.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/netdevice.h>

#include "snull.h"

/*
 * header_ops.create (the book's snull_header). There is no ARP, so no
 * neighbour knows a link address: the destination is always the peer,
 * whose address is ours with the low bit of the last byte flipped.
 */
static int snull_header(struct sk_buff *skb, struct net_device *dev,
			unsigned short type, const void *daddr,
			const void *saddr, unsigned int len)
{
	struct ethhdr *eth = skb_push(skb, ETH_HLEN);

	/*
	 * An 802.3 frame (LLC, as STP sends) carries its payload length where
	 * Ethernet II has its type, as eth_header() writes it.
	 */
	if (type == ETH_P_802_3 || type == ETH_P_802_2)
		eth->h_proto = htons(len);
	else
		eth->h_proto = htons(type);
	memcpy(eth->h_source, saddr ? saddr : dev->dev_addr, ETH_ALEN);
	memcpy(eth->h_dest, dev->dev_addr, ETH_ALEN);
	eth->h_dest[ETH_ALEN - 1] ^= 0x01;
	return ETH_HLEN;
}

/* No .cache: with no ARP replies there is nothing to cache (the book's
 * hard_header_cache = NULL). .parse lets packet sockets see the source.
 */
static const struct header_ops snull_header_ops = {
	.create	= snull_header,
	.parse	= eth_header_parse,
};

/*
 * Carrier is up only while both ends are: a frame sent to an interface that
 * is down has nowhere to go.
 */
static void snull_update_carrier(struct snull_priv *priv)
{
	struct net_device *peer = priv->peer->dev;

	if (netif_running(priv->dev) && netif_running(peer)) {
		netif_carrier_on(priv->dev);
		netif_carrier_on(peer);
	} else {
		netif_carrier_off(priv->dev);
		netif_carrier_off(peer);
	}
}

/*
 * ndo_open. Context: process; RTNL held (asserted). netif_running() is
 * already true. It fails only when fault injection asks (fail_open), before
 * it has touched anything. Each queue starts its receive machinery, then
 * unmasks (which fires at once for anything that arrived while we were
 * down), then starts its TX queue if the ring has room (snull_queues_start()).
 */
static int snull_open(struct net_device *dev)
{
	struct snull_priv *priv = netdev_priv(dev);
	int err;

	ASSERT_RTNL();
	err = snull_fault_open(priv);
	if (err)
		return err;
	snull_queues_start(priv);
	snull_update_carrier(priv);
	return 0;
}

/*
 * ndo_stop (the book's snull_release). Context: process; RTNL held.
 * netif_running() is already false and the core has deactivated the qdisc.
 * The document promises poll is stopped: today's core leaves that to the
 * driver, so snull_queues_stop() makes it true with napi_disable(), then
 * masks each line and waits out an interrupt already on its way, and drops
 * (and counts) what the wire still holds for us.
 */
static int snull_release(struct net_device *dev)
{
	struct snull_priv *priv = netdev_priv(dev);

	ASSERT_RTNL();
	netif_tx_disable(dev);
	snull_update_carrier(priv);
	snull_queues_stop(priv);
	return 0;
}

/*
 * ndo_set_rx_mode: program the MAC's address filter. Context: BHs off,
 * netif_addr_lock held (the document's "synchronized by the
 * netif_addr_lock spinlock"); must not sleep. The filter has one register:
 * promiscuous or not. Broadcast and multicast always pass (an "all
 * multicast" filter), and our unicast address is fixed.
 */
void snull_set_rx_mode(struct net_device *dev)
{
	struct snull_priv *priv = netdev_priv(dev);

	WRITE_ONCE(priv->promisc, !!(dev->flags & IFF_PROMISC));
}

/*
 * ndo_fix_features. Context: process; RTNL held. A partial checksum, and so
 * TSO and USO, are a promise that the receiver will not check the frame:
 * the peer gives it only while its RX checksum offload is on. Otherwise
 * the stack completes our checksums in software before xmit.
 */
netdev_features_t snull_fix_features(struct net_device *dev,
				     netdev_features_t features)
{
	struct snull_priv *priv = netdev_priv(dev);

	ASSERT_RTNL();
	if (!(priv->peer->dev->features & NETIF_F_RXCSUM))
		features &= ~(NETIF_F_CSUM_MASK | NETIF_F_GSO_MASK);
	return features;
}

/*
 * ndo_set_features. Context: process; RTNL held. The core stores the new
 * features only after we return, but the peer's snull_fix_features()
 * reads our RX checksum setting: store them first, then have the peer
 * recompute its own.
 */
int snull_set_features(struct net_device *dev, netdev_features_t features)
{
	struct snull_priv *priv = netdev_priv(dev);
	netdev_features_t changed = dev->features ^ features;

	ASSERT_RTNL();
	if (changed & NETIF_F_RXCSUM) {
		dev->features = features;
		netdev_update_features(priv->peer->dev);
	}
	return 0;
}

static const struct net_device_ops snull_netdev_ops = {
	.ndo_open		= snull_open,		/* this file */
	.ndo_stop		= snull_release,	/* this file */
	.ndo_start_xmit		= snull_tx,		/* snull_tx.c */
	.ndo_tx_timeout		= snull_tx_timeout,	/* snull_tx.c */
	.ndo_get_stats64	= snull_get_stats64,	/* snull_stats.c */
	.ndo_siocdevprivate	= snull_ioctl,		/* snull_ioctl.c */
	.ndo_set_config		= snull_config,		/* snull_ioctl.c */
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_rx_mode	= snull_set_rx_mode,	/* this file */
	.ndo_fix_features	= snull_fix_features,	/* this file */
	.ndo_set_features	= snull_set_features,	/* this file */
	/* No .ndo_set_mac_address: the pair is wired by its addresses. */
};

/* For the notifier, which sees every device of the namespace. */
bool snull_dev_is_ours(const struct net_device *dev)
{
	return dev->netdev_ops == &snull_netdev_ops;
}

/*
 * The setup function given to alloc_netdev() (the book's snull_init). It
 * only fills in fields; what can fail is in snull_priv_init().
 */
void snull_setup(struct net_device *dev)
{
	struct snull_priv *priv = netdev_priv(dev);

	ether_setup(dev);
	dev->netdev_ops = &snull_netdev_ops;
	dev->header_ops = &snull_header_ops;
	dev->ethtool_ops = &snull_ethtool_ops;
	dev->watchdog_timeo = msecs_to_jiffies(snull_timeout);
	dev->flags |= IFF_NOARP;
	/*
	 * The "DMA" reads any page, scattered or not, and the wire carries
	 * a checksum left to fill in, or a whole TSO/USO train, as veth does.
	 * The book's bounce buffers (copy=1) hold one frame of at most
	 * SNULL_BUF_SIZE bytes: no segmentation offload there.
	 */
	dev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM;
	if (!snull_copy)
		dev->hw_features |= NETIF_F_ALL_TSO | NETIF_F_GSO_UDP_L4;
	dev->features |= dev->hw_features | NETIF_F_HIGHDMA;
	/*
	 * ether_setup() set IFF_TX_SKB_SHARING: pktgen may hand us one skb
	 * many times (clone_skb, burst). snull_tx() copes (veth refuses).
	 */
	/* ether_setup() set min_mtu 68 and max_mtu 1500: the book's range. */

	priv->dev = dev;
	snull_fault_init(priv);
}

/*
 * Everything that can fail before registration: the queues with the first
 * one's ring, and the counters (snull_link.c has set the addresses).
 */
int snull_priv_init(struct net_device *dev, struct net_device *peer)
{
	struct snull_priv *priv = netdev_priv(dev);
	int err;

	priv->peer = netdev_priv(peer);
	priv->max_queues = snull_pair_max_queues(dev, peer);
	netif_carrier_off(dev);

	err = snull_queues_alloc(priv);
	if (err)
		return err;
	err = snull_stats_alloc(priv);
	if (err) {
		snull_queues_free(priv);
		return err;
	}
	return 0;
}

/*
 * Release what snull_priv_init() took: the priv_destructor of a registered
 * device (the core calls it after unregistration, when it calls no more
 * callbacks, and then free_netdev(), which frees priv), or an undo before
 * registration. The peer may be freed already: nothing here touches it.
 */
void snull_priv_teardown(struct net_device *dev)
{
	struct snull_priv *priv = netdev_priv(dev);

	snull_stats_free(priv);
	snull_queues_free(priv);
}
