/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * What user space may ask snull through its private ioctl.
 *
 * The request goes through SIOCDEVPRIVATE on an AF_INET datagram socket,
 * with ifr_name set to the interface and ifr_data pointing at the reply.
 */
#ifndef _UAPI_SNULL_H
#define _UAPI_SNULL_H

#include <linux/types.h>
#include <linux/sockios.h>

/* Report the state of the simulated TX ring. */
#define SNULL_IOC_GET_RING	(SIOCDEVPRIVATE + 0)

struct snull_ring_info {
	__u32 version;		/* SNULL_RING_INFO_VERSION */
	__u32 pool_size;	/* descriptors in each TX ring (one a queue) */
	__u32 in_flight;	/* posted, not reclaimed, in all the rings */
	__u32 stalled;		/* 1 while a lost TX-done interrupt hangs a ring */
};

#define SNULL_RING_INFO_VERSION	1

#endif /* _UAPI_SNULL_H */
