/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snull-tools.h - the small helpers the test tools share (snull-ctl,
 * snull-raw, snull-fuzz): big-endian stores, the Internet checksum, an
 * IPv4/UDP datagram around a payload, errno names for output that scripts
 * compare, and a monotonic clock.
 *
 * Included as "snull-tools.h" from the tools' own directory, so it needs no
 * -I of its own.
 */
#ifndef SNULL_TOOLS_H
#define SNULL_TOOLS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <netinet/in.h>

/* The elements of array @a, as the kernel's macro of that name. */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Store @v at @p in network byte order, wherever @p points. */
static inline void put16(unsigned char *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/*
 * The Internet checksum (RFC 1071): csum_add() adds @len bytes at @p, as
 * big-endian 16-bit words, to the running @sum; csum_fold() folds the carries
 * and complements it.
 */
static inline uint32_t csum_add(uint32_t sum, const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/*
 * Turn the @len - 28 payload bytes at @p + 28 into an IPv4/UDP datagram of
 * @len bytes: a 20-byte IPv4 header (id @id, TTL 64, no options) from @saddr
 * to @daddr, and a UDP header from port @sport to 9 (discard), both
 * checksums right.
 */
static inline void ipv4_udp_wrap(unsigned char *p, size_t len,
				 const unsigned char saddr[4],
				 const unsigned char daddr[4],
				 uint16_t id, uint16_t sport)
{
	size_t udp_len = len - 20;
	unsigned char *udp = p + 20;
	unsigned char pseudo[12];
	uint32_t sum;
	uint16_t ck;

	memset(p, 0, 28);
	p[0] = 0x45;			/* version 4, IHL 5 */
	put16(p + 2, len);
	put16(p + 4, id);
	p[8] = 64;			/* TTL */
	p[9] = IPPROTO_UDP;
	memcpy(p + 12, saddr, 4);
	memcpy(p + 16, daddr, 4);
	put16(p + 10, csum_fold(csum_add(0, p, 20)));

	put16(udp, sport);
	put16(udp + 2, 9);		/* discard */
	put16(udp + 4, udp_len);

	memcpy(pseudo, saddr, 4);
	memcpy(pseudo + 4, daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	put16(pseudo + 10, udp_len);
	sum = csum_add(0, pseudo, sizeof(pseudo));
	ck = csum_fold(csum_add(sum, udp, udp_len));
	put16(udp + 6, ck ? ck : 0xffff);
}

/*
 * The name of errno value @err ("EMSGSIZE"), or "E<number>" for one not
 * listed: the tools print it for the test scripts to compare.
 */
static inline const char *errno_name(int err)
{
	static char buf[16];

	switch (err) {
	case EPERM:		return "EPERM";
	case ENOENT:		return "ENOENT";
	case EINTR:		return "EINTR";
	case EIO:		return "EIO";
	case ENXIO:		return "ENXIO";
	case E2BIG:		return "E2BIG";
	case EBADF:		return "EBADF";
	case EAGAIN:		return "EAGAIN";
	case ENOMEM:		return "ENOMEM";
	case EACCES:		return "EACCES";
	case EFAULT:		return "EFAULT";
	case EBUSY:		return "EBUSY";
	case EEXIST:		return "EEXIST";
	case ENODEV:		return "ENODEV";
	case EINVAL:		return "EINVAL";
	case ENOSPC:		return "ENOSPC";
	case ERANGE:		return "ERANGE";
	case ENOTTY:		return "ENOTTY";
	case EOPNOTSUPP:	return "EOPNOTSUPP";	/* == ENOTSUP on Linux */
	case ENETDOWN:		return "ENETDOWN";
	case ENETUNREACH:	return "ENETUNREACH";
	case EHOSTUNREACH:	return "EHOSTUNREACH";
	case ENOBUFS:		return "ENOBUFS";
	case EMSGSIZE:		return "EMSGSIZE";
	}
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

/* Seconds on the monotonic clock, for deadlines and rates. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* SNULL_TOOLS_H */
