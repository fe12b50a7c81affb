// SPDX-License-Identifier: GPL-2.0
/*
 * The private ioctl and ndo_set_config (SIOCSIFMAP).
 *
 * Both run in process context with RTNL held (the netdevices document's
 * do_ioctl rule), so they may sleep in copy_to_user().
 */
#include <linux/netdevice.h>
#include <linux/uaccess.h>

#include "snull.h"
#include "snull_uapi.h"

/* ndo_siocdevprivate: SIOCDEVPRIVATE..SIOCDEVPRIVATE+15 on our interface. */
int snull_ioctl(struct net_device *dev, struct ifreq *ifr,
		void __user *data, int cmd)
{
	struct snull_priv *priv = netdev_priv(dev);
	struct snull_ring_info info = {
		.version = SNULL_RING_INFO_VERSION,
		.pool_size = priv->queues[0].tx.size,
	};
	u32 i;

	ASSERT_RTNL();
	if (cmd != SNULL_IOC_GET_RING)
		return -EOPNOTSUPP;
	/* The rings of all queues; RTNL keeps their number still. */
	for (i = 0; i < priv->nr_queues; i++) {
		info.in_flight += snull_ring_used(&priv->queues[i].tx);
		info.stalled |= READ_ONCE(priv->queues[i].tx.stalled);
	}
	if (copy_to_user(data, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

/*
 * ndo_set_config, as in the book: the "hardware" has no I/O ports or memory
 * windows to move, and nothing may change under a running interface.
 */
int snull_config(struct net_device *dev, struct ifmap *map)
{
	ASSERT_RTNL();
	if (dev->flags & IFF_UP)
		return -EBUSY;
	/* All of these are 0 for snull, which is what SIOCGIFMAP reports. */
	if (map->base_addr || map->mem_start || map->mem_end || map->dma ||
	    map->port)
		return -EOPNOTSUPP;
	/* A new IRQ number is only recorded: the line is an irq_work. */
	dev->irq = map->irq;
	return 0;
}
