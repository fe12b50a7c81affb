/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel versions differ.
 *
 * The driver's files are written for the current net_device API. Each shim
 * here is guarded by the narrowest test that works and names the kernel
 * change it papers over, so it can go when the floor moves past it.
 */
#ifndef _SNULL_COMPAT_H
#define _SNULL_COMPAT_H

#include <linux/version.h>

/*
 * The floor. 6.1 is the first kernel with netif_napi_add_weight() ("netdev:
 * reshuffle netif_napi_add() APIs to allow dropping weight"), and it has the
 * other APIs snull relies on: ndo_tx_timeout with its queue argument (5.6),
 * eth_hw_addr_set() for the const dev->dev_addr (5.15), ndo_siocdevprivate
 * (5.15) and netif_rx() callable from any context (5.18).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "snull needs Linux 6.1 or later (see README.md, 'Kernels')"
#endif

#include <linux/hrtimer.h>

/*
 * 6.13 added hrtimer_setup(), which sets the callback with the rest ("hrtimers:
 * Introduce hrtimer_setup() to replace hrtimer_init()"), and later kernels
 * dropped hrtimer_init(). Before 6.13, build it from the old pair.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/*
 * 6.15 passes rtnl_link_ops.newlink its namespaces and attributes in one
 * struct ("rtnetlink: Pack newlink() params into struct"); snull_link.c
 * has a newlink of each shape.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
#define SNULL_NEWLINK_PARAMS
#endif

#endif /* _SNULL_COMPAT_H */
