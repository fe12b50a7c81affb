// SPDX-License-Identifier: GPL-2.0
/*
 * snull-ctl - poke snull from user space the way the tests need to.
 *
 *   snull-ctl ring IFACE                 SNULL_IOC_GET_RING
 *   snull-ctl priv IFACE N               SIOCDEVPRIVATE + N (0..15)
 *   snull-ctl setmap IFACE FIELD N       SIOCGIFMAP, change FIELD, SIOCSIFMAP;
 *                                        FIELD: irq base_addr mem_start
 *                                        mem_end dma port
 *   snull-ctl getmap IFACE               SIOCGIFMAP: irq=N base_addr=N ...
 *   snull-ctl setmtu IFACE N             SIOCSIFMTU
 *   snull-ctl setmac IFACE MAC           SIOCSIFHWADDR (aa:bb:cc:dd:ee:ff)
 *   snull-ctl inject IFACE KIND [COUNT]  raw frames through AF_PACKET
 *   snull-ctl peek IFACE SECONDS         IPv4 frames seen on IFACE, read late
 *                                        (after SECONDS, or at SIGUSR1)
 *   snull-ctl hammer FILE VALUE SECONDS  write VALUE to FILE again and again
 *                                        for SECONDS (or until SIGTERM),
 *                                        opening it anew whenever it is
 *                                        missing or a write fails; prints
 *                                        "writes N opens M"
 *
 * "priv", "setmap", "setmtu" and "setmac" print "ok" or the errno name
 * (EOPNOTSUPP, EBUSY, EINVAL...)
 * and exit 0 either way: the caller compares the word. Any other failure
 * (no such interface, a socket that cannot be opened, bad usage) prints a
 * message on stderr and exits 1.
 *
 * Built statically by the test harness: gcc -static -O2 -Wall -Werror -I src.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_ether.h>

#include "snull-tools.h"
#include "snull_uapi.h"

#define UDP_PAYLOAD_LEN	32
#define FRAME_MAX	256

static const char *prog = "snull-ctl";

static void print_usage(void)
{
	fprintf(stderr,
		"usage: %s ring IFACE\n"
		"       %s priv IFACE N              (N = 0..15)\n"
		"       %s setmap IFACE irq|base_addr|mem_start|mem_end|dma|port VALUE\n"
		"       %s getmap IFACE\n"
		"       %s setmtu IFACE MTU\n"
		"       %s setmac IFACE MAC\n"
		"       %s inject IFACE KIND [COUNT]\n"
		"       %s peek IFACE SECONDS\n"
		"       %s hammer FILE VALUE SECONDS\n"
		"KIND: good arp ipv6 vlan runt ihl4 ihl15 badver totlen_long totlen_short\n"
		"      udplite udplite0 udplite_bad dccp dccp_bad\n"
		"      ipv6_good ipv6_udp0 ipv6_badver ipv6_plen ipv6_runt ipv6_hbh\n"
		"      ipv6_frag ipv6_ns ipv6_dad ipv6_udplite ipv6_udplite0\n"
		"      ipv6_udplite_bad ipv6_dccp ipv6_dccp_bad\n",
		prog, prog, prog, prog, prog, prog, prog, prog, prog);
	exit(1);
}

static void die(const char *what, const char *ifname)
{
	int err = errno;

	fprintf(stderr, "%s: %s%s%s: %s\n", prog, what,
		ifname ? " " : "", ifname ? ifname : "", strerror(err));
	exit(1);
}

static unsigned long parse_ulong(const char *s, unsigned long max,
				 const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v > max) {
		fprintf(stderr, "%s: bad %s '%s' (0..%lu)\n", prog, what, s, max);
		exit(1);
	}
	return v;
}

static int inet_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		die("socket(AF_INET, SOCK_DGRAM)", NULL);
	return fd;
}

static void fill_ifreq(struct ifreq *ifr, const char *ifname)
{
	if (strlen(ifname) >= IFNAMSIZ) {
		fprintf(stderr, "%s: interface name too long: %s\n", prog, ifname);
		exit(1);
	}
	memset(ifr, 0, sizeof(*ifr));
	strncpy(ifr->ifr_name, ifname, IFNAMSIZ - 1);
}

/* ---- ring, priv --------------------------------------------------------- */

static int cmd_ring(const char *ifname)
{
	struct snull_ring_info info;
	struct ifreq ifr;
	int fd = inet_socket();

	fill_ifreq(&ifr, ifname);
	memset(&info, 0, sizeof(info));
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SNULL_IOC_GET_RING, &ifr) < 0)
		die("SNULL_IOC_GET_RING", ifname);
	close(fd);
	printf("version=%u pool_size=%u in_flight=%u stalled=%u\n",
	       info.version, info.pool_size, info.in_flight, info.stalled);
	return 0;
}

static int cmd_priv(const char *ifname, const char *num)
{
	unsigned long n = parse_ulong(num, 15, "private ioctl number");
	unsigned char buf[64];
	struct ifreq ifr;
	int fd = inet_socket();

	fill_ifreq(&ifr, ifname);
	memset(buf, 0, sizeof(buf));
	ifr.ifr_data = (void *)buf;
	if (ioctl(fd, SIOCDEVPRIVATE + (int)n, &ifr) < 0)
		printf("%s\n", errno_name(errno));
	else
		printf("ok\n");
	close(fd);
	return 0;
}

/* ---- setmap ------------------------------------------------------------- */

static int cmd_setmap(const char *ifname, const char *field, const char *val)
{
	struct ifreq ifr;
	int fd = inet_socket();

	fill_ifreq(&ifr, ifname);
	if (ioctl(fd, SIOCGIFMAP, &ifr) < 0)
		die("SIOCGIFMAP", ifname);

	if (!strcmp(field, "irq"))
		ifr.ifr_map.irq = parse_ulong(val, UCHAR_MAX, "irq");
	else if (!strcmp(field, "base_addr"))
		ifr.ifr_map.base_addr = parse_ulong(val, USHRT_MAX, "base_addr");
	else if (!strcmp(field, "mem_start"))
		ifr.ifr_map.mem_start = parse_ulong(val, ULONG_MAX, "mem_start");
	else if (!strcmp(field, "mem_end"))
		ifr.ifr_map.mem_end = parse_ulong(val, ULONG_MAX, "mem_end");
	else if (!strcmp(field, "dma"))
		ifr.ifr_map.dma = parse_ulong(val, UCHAR_MAX, "dma");
	else if (!strcmp(field, "port"))
		ifr.ifr_map.port = parse_ulong(val, UCHAR_MAX, "port");
	else
		print_usage();

	if (ioctl(fd, SIOCSIFMAP, &ifr) < 0)
		printf("%s\n", errno_name(errno));
	else
		printf("ok\n");
	close(fd);
	return 0;
}

static int cmd_getmap(const char *ifname)
{
	struct ifreq ifr;
	int fd = inet_socket();

	fill_ifreq(&ifr, ifname);
	if (ioctl(fd, SIOCGIFMAP, &ifr) < 0)
		die("SIOCGIFMAP", ifname);
	close(fd);
	printf("irq=%u base_addr=%#x mem_start=%#lx mem_end=%#lx dma=%u port=%u\n",
	       ifr.ifr_map.irq, ifr.ifr_map.base_addr, ifr.ifr_map.mem_start,
	       ifr.ifr_map.mem_end, ifr.ifr_map.dma, ifr.ifr_map.port);
	return 0;
}

/* ---- setmtu, setmac ---------------------------------------------------- */

static int cmd_setmtu(const char *ifname, const char *val)
{
	struct ifreq ifr;
	int fd = inet_socket();

	fill_ifreq(&ifr, ifname);
	ifr.ifr_mtu = (int)parse_ulong(val, INT_MAX, "mtu");
	if (ioctl(fd, SIOCSIFMTU, &ifr) < 0)
		printf("%s\n", errno_name(errno));
	else
		printf("ok\n");
	close(fd);
	return 0;
}

static int cmd_setmac(const char *ifname, const char *mac)
{
	unsigned int b[ETH_ALEN];
	struct ifreq ifr;
	char end;
	int fd, i;

	if (sscanf(mac, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != ETH_ALEN) {
		fprintf(stderr, "%s: bad MAC address '%s'\n", prog, mac);
		exit(1);
	}
	fd = inet_socket();
	fill_ifreq(&ifr, ifname);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	for (i = 0; i < ETH_ALEN; i++) {
		if (b[i] > 0xff) {
			fprintf(stderr, "%s: bad MAC address '%s'\n", prog, mac);
			exit(1);
		}
		ifr.ifr_hwaddr.sa_data[i] = (char)b[i];
	}
	if (ioctl(fd, SIOCSIFHWADDR, &ifr) < 0)
		printf("%s\n", errno_name(errno));
	else
		printf("ok\n");
	close(fd);
	return 0;
}

/* ---- inject ------------------------------------------------------------- */

struct frame {
	unsigned char data[FRAME_MAX];
	size_t len;
	uint16_t proto;			/* EtherType, host order */
};

/*
 * An IPv4/UDP datagram to the discard port at @p, with both checksums right.
 * Returns its length.
 */
static size_t build_ipv4_udp(unsigned char *p, const unsigned char saddr[4],
			     const unsigned char daddr[4])
{
	size_t tot_len = 28 + UDP_PAYLOAD_LEN;

	memcpy(p + 28, "snull-ctl inject: a good frame.\n", UDP_PAYLOAD_LEN);
	ipv4_udp_wrap(p, tot_len, saddr, daddr, 0x5e11, 40000);
	return tot_len;
}

static void ip_recsum(unsigned char *ip)
{
	size_t hlen = 20;

	put16(ip + 10, 0);
	put16(ip + 10, csum_fold(csum_add(0, ip, hlen)));
}

static size_t build_arp(unsigned char *p, const unsigned char *src_mac,
			const unsigned char saddr[4], const unsigned char daddr[4])
{
	memset(p, 0, 28);
	put16(p, 1);			/* Ethernet */
	put16(p + 2, ETH_P_IP);
	p[4] = ETH_ALEN;
	p[5] = 4;
	put16(p + 6, 1);		/* request */
	memcpy(p + 8, src_mac, ETH_ALEN);
	memcpy(p + 14, saddr, 4);
	memcpy(p + 24, daddr, 4);
	return 28;
}

static size_t build_ipv6_udp(unsigned char *p)
{
	static const unsigned char src[16] = {
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x53, 0x4e, 0xff,
		0xfe, 0x55, 0x4c, 0x30 };
	static const unsigned char dst[16] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	memset(p, 0, 48);
	p[0] = 0x60;
	put16(p + 4, 8);		/* payload length */
	p[6] = IPPROTO_UDP;
	p[7] = 64;			/* hop limit */
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	put16(p + 40, 40000);
	put16(p + 42, 9);
	put16(p + 44, 8);
	return 48;
}

/*
 * An IPv6 packet from @src to @dst: @l4proto's header and payload (UDP to
 * the discard port, or an ICMPv6 neighbour solicitation for @target), its
 * checksum right, after @ext_len bytes of one extension header of type
 * @ext (hop-by-hop with padding, or an atomic fragment) if @ext_len;
 * @zero_after_flip: see ipv6_udp_zero_after_flip().
 * Returns the length from the IPv6 header on.
 */
/*
 * The sum of the IPv6 pseudo-header of @l4len bytes of @l4proto from @src
 * to @dst, their byte 7 flipped if @flip (as snull rewrites them).
 */
static uint32_t ipv6_pseudo(const unsigned char src[16],
			    const unsigned char dst[16], size_t l4len,
			    int l4proto, int flip)
{
	unsigned char pseudo[40];

	memcpy(pseudo, src, 16);
	memcpy(pseudo + 16, dst, 16);
	pseudo[7] ^= flip;
	pseudo[23] ^= flip;
	memset(pseudo + 32, 0, 8);
	put16(pseudo + 34, l4len);
	pseudo[39] = l4proto;
	return csum_add(0, pseudo, sizeof(pseudo));
}

/*
 * The last two bytes of the UDP datagram at @l4 (its sum field 0) chosen
 * so that its checksum after the address trick comes out as 0: the trick
 * must send it as 0xffff.
 */
static void ipv6_udp_zero_after_flip(unsigned char *l4, size_t l4len,
				     const unsigned char src[16],
				     const unsigned char dst[16])
{
	uint32_t sum;

	put16(l4 + l4len - 2, 0);
	sum = csum_add(ipv6_pseudo(src, dst, l4len, IPPROTO_UDP, 1), l4, l4len);
	/* folded to all ones: a complement of 0 */
	put16(l4 + l4len - 2, csum_fold(sum));
}

static size_t build_ipv6(unsigned char *p, const unsigned char src[16],
			 const unsigned char dst[16],
			 const unsigned char target[16], int l4proto, int ext,
			 size_t ext_len, int zero_after_flip)
{
	unsigned char *l4 = p + 40 + ext_len;
	size_t l4len;
	uint16_t ck;

	memset(p, 0, 40 + ext_len + 64);
	p[0] = 0x60;
	p[6] = ext_len ? ext : l4proto;
	p[7] = l4proto == IPPROTO_ICMPV6 ? 255 : 64;	/* ND wants 255 */
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	if (ext_len)
		p[40] = l4proto;	/* hop-by-hop: PadN fills it up */
	if (ext_len && ext == IPPROTO_HOPOPTS) {
		p[42] = 1;
		p[43] = ext_len - 4;
	}
	if (l4proto == IPPROTO_UDP) {
		l4len = 8 + UDP_PAYLOAD_LEN;
		put16(l4, 40000);
		put16(l4 + 2, 9);
		put16(l4 + 4, l4len);
		memcpy(l4 + 8, "snull-ctl inject: an IPv6 frame\n", UDP_PAYLOAD_LEN);
		if (zero_after_flip)
			ipv6_udp_zero_after_flip(l4, l4len, src, dst);
	} else {
		l4len = 24;		/* NS: type, code, sum, reserved, target */
		l4[0] = 135;
		memcpy(l4 + 8, target, 16);
	}
	put16(p + 4, ext_len + l4len);
	ck = csum_fold(csum_add(ipv6_pseudo(src, dst, l4len, l4proto, 0), l4,
				l4len));
	if (l4proto == IPPROTO_UDP)
		put16(l4 + 6, ck ? ck : 0xffff);
	else
		put16(l4 + 2, ck);
	return 40 + ext_len + l4len;
}

/*
 * UDP-Lite and DCCP, the transports besides TCP and UDP whose checksum
 * covers a pseudo-header with both addresses: the kinds udplite*, dccp*
 * (over IPv4) and ipv6_udplite*, ipv6_dccp* build one at @l4 from @src to
 * @dst (@alen bytes each, 4 or 16) with L4_PAYLOAD_LEN bytes of payload.
 * The checksum covers part of the datagram: UDP-Lite's coverage field (0:
 * all of it) and DCCP's CsCov (0: all of it; N: the header and N - 1
 * words of payload) say how much (@cov). @how: L4_GOOD, a right sum;
 * L4_BAD, a sum wrong in its lowest bit; L4_ZERO, a right sum and two payload bytes
 * chosen so that once the trick has flipped the addresses (byte @flip_at
 * of each) the right sum is 0, which UDP-Lite sends as 0xffff (RFC 3828;
 * 0 is never a UDP-Lite sum).
 */
#define L4_PAYLOAD_LEN	32
#define DCCP_HLEN	16	/* generic header with 48-bit sequence numbers */

enum l4_how { L4_GOOD, L4_BAD, L4_ZERO };

/* The pseudo-header's sum; both families add the same 16-bit words. */
static uint32_t l4_pseudo(const unsigned char *src, const unsigned char *dst,
			  size_t alen, int proto, size_t l4len, int flip_at)
{
	unsigned char a[16], b[16];

	memcpy(a, src, alen);
	memcpy(b, dst, alen);
	if (flip_at >= 0) {
		a[flip_at] ^= 1;
		b[flip_at] ^= 1;
	}
	return csum_add(csum_add(0, a, alen), b, alen) + proto + l4len;
}

static size_t build_l4csum(unsigned char *l4, int proto,
			   const unsigned char *src, const unsigned char *dst,
			   size_t alen, int flip_at, unsigned int cov,
			   enum l4_how how)
{
	size_t hlen = proto == IPPROTO_UDPLITE ? 8 : DCCP_HLEN;
	size_t len = hlen + L4_PAYLOAD_LEN, covered = len;
	uint16_t ck;

	memset(l4, 0, len);
	put16(l4, 40000);
	put16(l4 + 2, 9);
	memcpy(l4 + hlen, proto == IPPROTO_UDPLITE ?
	       "snull-ctl inject: UDP-Lite data\n" :
	       "snull-ctl inject: a DCCP packet\n", L4_PAYLOAD_LEN);
	if (proto == IPPROTO_UDPLITE) {
		put16(l4 + 4, cov);
		if (cov)
			covered = cov;
	} else {
		l4[4] = DCCP_HLEN / 4;	/* data offset, in words */
		l4[5] = cov & 0x0f;	/* CCVal 0, CsCov */
		l4[8] = 2 << 1 | 1;	/* type DCCP-Data, X: long sequence */
		put16(l4 + 14, 1);	/* sequence number 1 */
		if (cov && hlen + (cov - 1) * 4 < len)
			covered = hlen + (cov - 1) * 4;
	}
	/* L4_ZERO: the sum over the flipped addresses folds to all ones */
	if (how == L4_ZERO) {
		put16(l4 + covered - 2, 0);
		put16(l4 + covered - 2,
		      csum_fold(csum_add(l4_pseudo(src, dst, alen, proto, len,
						   flip_at), l4, covered)));
	}
	ck = csum_fold(csum_add(l4_pseudo(src, dst, alen, proto, len, -1), l4,
				covered));
	if (proto == IPPROTO_UDPLITE && !ck)
		ck = 0xffff;
	if (how == L4_BAD)	/* never 0 for 0xffff: they are one number */
		ck ^= 1;
	put16(l4 + 6, ck);
	return len;
}

/*
 * The l4 kind @kind (after its "ipv6_", if any) as an enum l4_how and a
 * protocol; -1 for another kind.
 */
static int l4_kind(const char *kind, int *proto, enum l4_how *how)
{
	static const struct {
		const char *name;
		int proto;
		enum l4_how how;
	} kinds[] = {
		{ "udplite", IPPROTO_UDPLITE, L4_GOOD },
		{ "udplite0", IPPROTO_UDPLITE, L4_ZERO },
		{ "udplite_bad", IPPROTO_UDPLITE, L4_BAD },
		{ "dccp", IPPROTO_DCCP, L4_GOOD },
		{ "dccp_bad", IPPROTO_DCCP, L4_BAD },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!strcmp(kind, kinds[i].name)) {
			*proto = kinds[i].proto;
			*how = kinds[i].how;
			return 0;
		}
	}
	return -1;
}

/*
 * An IPv6 kind from the @odd or even end of the pair: fd00::1 -> fd00::2
 * from the even device, fd00:0:0:1::2 -> fd00:0:0:1::1 from the odd one,
 * as snull-setup --ipv6 sets them up. ipv6_udp0's UDP sum comes out as 0
 * after the trick; ipv6_dad is a duplicate address detection probe from
 * ::. Returns 0, or -1 for another kind.
 */
static int build_ipv6_kind(unsigned char *p, size_t *len, const char *kind,
			   int odd)
{
	unsigned char src[16] = { 0xfd }, dst[16] = { 0xfd };
	enum l4_how how;
	int proto;

	src[7] = odd;
	dst[7] = odd;
	src[15] = odd ? 2 : 1;
	dst[15] = odd ? 1 : 2;
	if (l4_kind(kind + 5, &proto, &how) == 0) {
		/* UDP-Lite covers part of the datagram, DCCP all of it. */
		memset(p, 0, 40);
		p[0] = 0x60;
		p[6] = proto;
		p[7] = 64;
		memcpy(p + 8, src, 16);
		memcpy(p + 24, dst, 16);
		*len = build_l4csum(p + 40, proto, src, dst, 16, 7,
				    proto == IPPROTO_UDPLITE ? 8 + 24 : 0, how);
		put16(p + 4, *len);
		*len += 40;
	} else if (!strcmp(kind, "ipv6_good")) {
		*len = build_ipv6(p, src, dst, dst, IPPROTO_UDP, 0, 0, 0);
	} else if (!strcmp(kind, "ipv6_udp0")) {
		*len = build_ipv6(p, src, dst, dst, IPPROTO_UDP, 0, 0, 1);
	} else if (!strcmp(kind, "ipv6_badver")) {
		*len = build_ipv6(p, src, dst, dst, IPPROTO_UDP, 0, 0, 0);
		p[0] = 0x50;		/* version 5 */
	} else if (!strcmp(kind, "ipv6_plen")) {
		*len = build_ipv6(p, src, dst, dst, IPPROTO_UDP, 0, 0, 0);
		put16(p + 4, *len - 40 + 100);	/* 100 bytes past the frame */
	} else if (!strcmp(kind, "ipv6_runt")) {
		build_ipv6(p, src, dst, dst, IPPROTO_UDP, 0, 0, 0);
		*len = 30;		/* the fixed header is 40 */
	} else if (!strcmp(kind, "ipv6_hbh")) {
		*len = build_ipv6(p, src, dst, dst, IPPROTO_UDP,
				  IPPROTO_HOPOPTS, 8, 0);
	} else if (!strcmp(kind, "ipv6_frag")) {
		*len = build_ipv6(p, src, dst, dst, IPPROTO_UDP,
				  IPPROTO_FRAGMENT, 8, 0);
	} else if (!strcmp(kind, "ipv6_ns")) {
		*len = build_ipv6(p, src, dst, dst, IPPROTO_ICMPV6, 0, 0, 0);
	} else if (!strcmp(kind, "ipv6_dad")) {
		static const unsigned char any[16];
		/* solicited-node multicast of the target */
		static const unsigned char snm[16] = {
			0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };
		unsigned char sol[16];

		memcpy(sol, snm, 13);
		memcpy(sol + 13, dst + 13, 3);
		*len = build_ipv6(p, any, sol, dst, IPPROTO_ICMPV6, 0, 0, 0);
	} else {
		return -1;
	}
	return 0;
}

static void get_hwaddr(const char *ifname, unsigned char *mac)
{
	struct ifreq ifr;
	int fd = inet_socket();

	fill_ifreq(&ifr, ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR", ifname);
	close(fd);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
}

/*
 * Build one frame of @kind. The source is the interface's own MAC and the
 * destination its peer's (low bit of the last byte flipped, as snull does).
 * The IPv4 addresses are the book's: local0 -> remote0 on the even device
 * (sn0), local1 -> remote1 on the odd one (sn1).
 */
static int build_frame(struct frame *f, const char *kind, const unsigned char *mac)
{
	static const unsigned char even_src[4] = { 192, 168, 0, 1 };
	static const unsigned char even_dst[4] = { 192, 168, 0, 2 };
	static const unsigned char odd_src[4] = { 192, 168, 1, 2 };
	static const unsigned char odd_dst[4] = { 192, 168, 1, 1 };
	int odd = mac[ETH_ALEN - 1] & 1;
	const unsigned char *saddr = odd ? odd_src : even_src;
	const unsigned char *daddr = odd ? odd_dst : even_dst;
	unsigned char *eth = f->data;
	unsigned char *ip = f->data + ETH_HLEN;
	enum l4_how how;
	size_t ip_len;
	int proto;

	memset(f, 0, sizeof(*f));
	memcpy(eth, mac, ETH_ALEN);
	eth[ETH_ALEN - 1] ^= 1;		/* destination: the peer */
	memcpy(eth + ETH_ALEN, mac, ETH_ALEN);
	f->proto = ETH_P_IP;

	if (!strcmp(kind, "arp")) {
		f->proto = ETH_P_ARP;
		f->len = ETH_HLEN + build_arp(ip, mac, saddr, daddr);
	} else if (!strcmp(kind, "ipv6")) {
		f->proto = ETH_P_IPV6;
		f->len = ETH_HLEN + build_ipv6_udp(ip);
	} else if (!strncmp(kind, "ipv6_", 5)) {
		f->proto = ETH_P_IPV6;
		if (build_ipv6_kind(ip, &f->len, kind, odd) < 0)
			return -1;
		f->len += ETH_HLEN;
	} else if (!strcmp(kind, "vlan")) {
		f->proto = ETH_P_8021Q;
		put16(ip, 1);			/* TCI: VLAN 1 */
		put16(ip + 2, ETH_P_IP);
		f->len = ETH_HLEN + 4 + build_ipv4_udp(ip + 4, saddr, daddr);
	} else if (l4_kind(kind, &proto, &how) == 0) {
		/* UDP-Lite covers all of the datagram, DCCP its header and a word. */
		ip_len = 20 + build_l4csum(ip + 20, proto, saddr, daddr, 4, 2,
					   proto == IPPROTO_UDPLITE ? 0 : 2, how);
		ip[0] = 0x45;
		put16(ip + 2, ip_len);
		put16(ip + 4, 0x5e12);
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, saddr, 4);
		memcpy(ip + 16, daddr, 4);
		ip_recsum(ip);
		f->len = ETH_HLEN + ip_len;
	} else {
		ip_len = build_ipv4_udp(ip, saddr, daddr);
		f->len = ETH_HLEN + ip_len;
		if (!strcmp(kind, "good")) {
			/* as built */
		} else if (!strcmp(kind, "runt")) {
			f->len = ETH_HLEN + 10;
		} else if (!strcmp(kind, "ihl4")) {
			ip[0] = 0x44;
			ip_recsum(ip);
		} else if (!strcmp(kind, "ihl15")) {
			/* claims 60 bytes of header, the frame has 20 */
			ip[0] = 0x4f;
			put16(ip + 2, 20);
			ip_recsum(ip);
			f->len = ETH_HLEN + 20;
		} else if (!strcmp(kind, "badver")) {
			ip[0] = 0x65;
			ip_recsum(ip);
		} else if (!strcmp(kind, "totlen_long")) {
			put16(ip + 2, ip_len + 100);
			ip_recsum(ip);
		} else if (!strcmp(kind, "totlen_short")) {
			put16(ip + 2, 10);
			ip_recsum(ip);
		} else {
			return -1;
		}
	}
	put16(eth + 2 * ETH_ALEN, f->proto);
	return 0;
}

static int cmd_inject(const char *ifname, const char *kind, const char *count_s)
{
	unsigned long count = 1, i, retries = 0;
	unsigned char mac[ETH_ALEN];
	struct sockaddr_ll sll;
	unsigned int ifindex;
	struct frame f;
	int fd;

	if (count_s)
		count = parse_ulong(count_s, 1000000, "count");

	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		die("if_nametoindex", ifname);
	get_hwaddr(ifname, mac);
	if (build_frame(&f, kind, mac) < 0) {
		fprintf(stderr, "%s: unknown frame kind '%s'\n", prog, kind);
		print_usage();
	}

	/* Protocol 0: this socket sends only, it receives nothing. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die("socket(AF_PACKET, SOCK_RAW)", NULL);

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(f.proto);
	sll.sll_ifindex = ifindex;
	sll.sll_halen = ETH_ALEN;
	memcpy(sll.sll_addr, f.data, ETH_ALEN);

	for (i = 0; i < count; i++) {
		ssize_t n = sendto(fd, f.data, f.len, 0,
				   (struct sockaddr *)&sll, sizeof(sll));

		if (n < 0) {
			if ((errno == ENOBUFS || errno == EAGAIN) &&
			    retries++ < 5000) {
				/* the qdisc is full: let it drain, try again */
				usleep(1000);
				i--;
				continue;
			}
			fprintf(stderr, "%s: sendto %s (frame %lu of %lu, %s): %s\n",
				prog, ifname, i + 1, count, kind, strerror(errno));
			printf("sent %lu\n", i);
			return 1;
		}
		if ((size_t)n != f.len) {
			fprintf(stderr, "%s: short send on %s: %zd of %zu bytes\n",
				prog, ifname, n, f.len);
			printf("sent %lu\n", i);
			return 1;
		}
	}
	close(fd);
	printf("sent %lu\n", count);
	return 0;
}

/* ---- peek -------------------------------------------------------------- */

/*
 * Open an ordinary (not memory-mapped) packet socket on @ifname, print
 * "ready", let traffic pass for @secs_s seconds or until SIGUSR1 comes (the
 * test sends it once its traffic is done: a slow kernel then needs no
 * longer window), and only then read what was queued: one line per IPv4
 * frame, "out|in SRC > DST proto N".
 *
 * A queued frame is a clone that shares its data with the skb the driver
 * was given. If the driver rewrote addresses in that data instead of in its
 * own copy (pitfalls.md #8), the frames read here, after the driver ran,
 * show the rewritten addresses. tcpdump copies at capture time and cannot
 * see this.
 */
/* Its only job is to interrupt the wait in cmd_peek(). */
static void peek_signal(int sig)
{
}

static int cmd_peek(const char *ifname, const char *secs_s)
{
	struct sigaction sa;
	unsigned char buf[2048];
	struct sockaddr_ll sll;
	struct timespec ts;
	int fd, rcvbuf = 4 << 20;
	unsigned int ifindex;
	char *end;
	double secs;

	secs = strtod(secs_s, &end);
	if (end == secs_s || *end || secs < 0 || secs > 600) {
		fprintf(stderr, "%s: bad number of seconds '%s'\n", prog, secs_s);
		exit(1);
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		die("if_nametoindex", ifname);

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		die("socket(AF_PACKET, SOCK_RAW)", NULL);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		die("setsockopt(SO_RCVBUF)", NULL);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind", ifname);

	/*
	 * No SA_RESTART: SIGUSR1, the only signal handled, ends the nanosleep
	 * below with EINTR.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = peek_signal;
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction", NULL);
	printf("ready\n");
	fflush(stdout);
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - ts.tv_sec) * 1e9);
	if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
		die("nanosleep", NULL);

	for (;;) {
		socklen_t alen = sizeof(sll);
		const unsigned char *ip = buf + ETH_HLEN;
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&sll, &alen);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			die("recvfrom", ifname);
		}
		if (n < ETH_HLEN + 20 || buf[12] != 0x08 || buf[13] != 0x00)
			continue;
		printf("%s %u.%u.%u.%u > %u.%u.%u.%u proto %u\n",
		       sll.sll_pkttype == PACKET_OUTGOING ? "out" : "in",
		       ip[12], ip[13], ip[14], ip[15],
		       ip[16], ip[17], ip[18], ip[19], ip[9]);
	}
	close(fd);
	return 0;
}

/* ---- hammer ------------------------------------------------------------ */

/* SIGTERM, blocked since the start, has come: time to stop. */
static int hammer_stopped(void)
{
	sigset_t set;

	return sigpending(&set) == 0 && sigismember(&set, SIGTERM) == 1;
}

/*
 * Write @value to @path as often as possible for @secs_s seconds: a file
 * that comes and goes (a debugfs knob of a device that registers and
 * unregisters) is written whenever it exists, to race with whatever makes
 * it go. Failed opens and writes are the normal case: only the successful
 * ones are counted. write(), not pwrite(): a debugfs attribute is opened
 * nonseekable.
 */
static int cmd_hammer(const char *path, const char *value, const char *secs_s)
{
	unsigned long writes = 0, opens = 0;
	size_t len = strlen(value);
	unsigned long tries = 0;
	sigset_t set;
	double end;
	int fd = -1;

	end = now() + parse_ulong(secs_s, 600, "seconds");
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask", NULL);
	while ((++tries % 64 || !hammer_stopped()) && now() < end) {
		if (fd < 0) {
			fd = open(path, O_WRONLY);
			if (fd < 0)
				continue;
			opens++;
		}
		if (write(fd, value, len) == (ssize_t)len) {
			writes++;
		} else {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	printf("writes %lu opens %lu\n", writes, opens);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		print_usage();

	if (!strcmp(argv[1], "ring") && argc == 3)
		return cmd_ring(argv[2]);
	if (!strcmp(argv[1], "priv") && argc == 4)
		return cmd_priv(argv[2], argv[3]);
	if (!strcmp(argv[1], "setmap") && argc == 5)
		return cmd_setmap(argv[2], argv[3], argv[4]);
	if (!strcmp(argv[1], "peek") && argc == 4)
		return cmd_peek(argv[2], argv[3]);
	if (!strcmp(argv[1], "getmap") && argc == 3)
		return cmd_getmap(argv[2]);
	if (!strcmp(argv[1], "setmtu") && argc == 4)
		return cmd_setmtu(argv[2], argv[3]);
	if (!strcmp(argv[1], "setmac") && argc == 4)
		return cmd_setmac(argv[2], argv[3]);
	if (!strcmp(argv[1], "hammer") && argc == 5)
		return cmd_hammer(argv[2], argv[3], argv[4]);
	if (!strcmp(argv[1], "inject") && (argc == 4 || argc == 5))
		return cmd_inject(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	print_usage();
	return 1;
}
