// SPDX-License-Identifier: GPL-2.0
/*
 * snull-raw - frames of an exact size, pings with DF set, and a UDP flood,
 * for the stress tests (tests/s_*.sh).
 *
 *   snull-raw frame IFACE ipv4|vlan LEN [COUNT]
 *	COUNT (default 1) frames of exactly LEN bytes, Ethernet header (and
 *	VLAN tag) included, through an AF_PACKET socket: a well-formed
 *	IPv4/UDP datagram from the interface's local address (192.168.0.1 on
 *	the even device, 192.168.1.2 on the odd one) to .99 of the same /24,
 *	which the receiving stack drops without an answer (no forwarding).
 *	Prints "ok", or the errno name of the first failed send (EMSGSIZE...).
 *
 *   snull-raw ping DST SIZE [COUNT [TIMEOUT_MS]]
 *	COUNT (default 1) ICMP echo requests with SIZE data bytes and the DF
 *	bit (IP_PMTUDISC_DO, as "ping -M do"), one at a time, each waiting up
 *	to TIMEOUT_MS (default 2000) for its reply. Prints "sent N received M
 *	bad B" (B: replies whose data differ), or the errno name of a failed
 *	send ("EMSGSIZE" for "message too long").
 *
 *   snull-raw blast DST SECONDS MIN MAX [PORT]
 *	UDP datagrams of MIN..MAX payload bytes (random) to DST:PORT (default
 *	9) for SECONDS, as fast as they go, fragmented when larger than the
 *	MTU. Send errors (no route, interface down, full queue) are counted
 *	and ignored. Prints "sent N failed F" at the end or on SIGTERM.
 *
 * Exit status 0 when the command ran (whatever the kernel answered), 1 on
 * bad usage or when a socket cannot be set up.
 *
 * Built statically by the test harness: gcc -static -O2 -Wall -Werror -I src.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
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

#define MAX_FRAME	65535
#define MAX_UDP		65507

static const char *prog = "snull-raw";

static void print_usage(void)
{
	fprintf(stderr,
		"usage: %s frame IFACE ipv4|vlan LEN [COUNT]\n"
		"       %s ping DST SIZE [COUNT [TIMEOUT_MS]]\n"
		"       %s blast DST SECONDS MIN MAX [PORT]\n",
		prog, prog, prog);
	exit(1);
}

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

static unsigned long parse_ulong(const char *s, unsigned long min,
				 unsigned long max, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "%s: bad %s '%s' (%lu..%lu)\n", prog, what, s,
			min, max);
		exit(1);
	}
	return v;
}

static struct in_addr parse_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "%s: bad IPv4 address '%s'\n", prog, s);
		exit(1);
	}
	return a;
}

/* ---- frame -------------------------------------------------------------- */

/* An IPv4/UDP datagram of @len bytes at @p, both checksums right. */
static void build_ipv4_udp(unsigned char *p, size_t len,
			   const unsigned char saddr[4],
			   const unsigned char daddr[4])
{
	unsigned char *udp = p + 20;
	size_t i;

	for (i = 8; i < len - 20; i++)
		udp[i] = 'a' + i % 26;
	ipv4_udp_wrap(p, len, saddr, daddr, 0x5e12, 40001);
}

static void get_hwaddr(const char *ifname, unsigned char *mac)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		die("socket(AF_INET, SOCK_DGRAM)");
	if (strlen(ifname) >= IFNAMSIZ) {
		fprintf(stderr, "%s: interface name too long: %s\n", prog,
			ifname);
		exit(1);
	}
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR");
	close(fd);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
}

static int cmd_frame(const char *ifname, const char *kind, const char *len_s,
		     const char *count_s)
{
	static const unsigned char even_src[4] = { 192, 168, 0, 1 };
	static const unsigned char even_dst[4] = { 192, 168, 0, 99 };
	static const unsigned char odd_src[4] = { 192, 168, 1, 2 };
	static const unsigned char odd_dst[4] = { 192, 168, 1, 99 };
	static unsigned char frame[MAX_FRAME];
	unsigned long len, count = 1, i;
	unsigned char mac[ETH_ALEN];
	struct sockaddr_ll sll;
	unsigned int ifindex;
	size_t hdr = ETH_HLEN;
	uint16_t proto;
	int vlan, odd, fd;

	if (!strcmp(kind, "vlan"))
		vlan = 1;
	else if (!strcmp(kind, "ipv4"))
		vlan = 0;
	else
		print_usage();
	if (vlan)
		hdr += 4;
	len = parse_ulong(len_s, hdr + 28, MAX_FRAME, "frame length");
	if (count_s)
		count = parse_ulong(count_s, 1, 1000000, "count");

	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		die(ifname);
	get_hwaddr(ifname, mac);
	odd = mac[ETH_ALEN - 1] & 1;

	memcpy(frame, mac, ETH_ALEN);
	frame[ETH_ALEN - 1] ^= 1;	/* destination: the peer */
	memcpy(frame + ETH_ALEN, mac, ETH_ALEN);
	if (vlan) {
		proto = ETH_P_8021Q;
		put16(frame + 12, ETH_P_8021Q);
		put16(frame + 14, 1);	/* TCI: VLAN 1 */
		put16(frame + 16, ETH_P_IP);
	} else {
		proto = ETH_P_IP;
		put16(frame + 12, ETH_P_IP);
	}
	build_ipv4_udp(frame + hdr, len - hdr, odd ? odd_src : even_src,
		       odd ? odd_dst : even_dst);

	fd = socket(AF_PACKET, SOCK_RAW, 0);	/* sends only */
	if (fd < 0)
		die("socket(AF_PACKET, SOCK_RAW)");
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = ifindex;
	sll.sll_halen = ETH_ALEN;
	memcpy(sll.sll_addr, frame, ETH_ALEN);

	for (i = 0; i < count; i++) {
		ssize_t n = sendto(fd, frame, len, 0, (struct sockaddr *)&sll,
				   sizeof(sll));

		if (n < 0) {
			int err = errno;

			fprintf(stderr, "%s: sendto %s, frame %lu of %lu: %s\n",
				prog, ifname, i + 1, count, strerror(err));
			printf("%s\n", errno_name(err));
			close(fd);
			return 0;
		}
		if ((size_t)n != len) {
			fprintf(stderr, "%s: short send: %zd of %lu bytes\n",
				prog, n, len);
			printf("short\n");
			close(fd);
			return 0;
		}
	}
	close(fd);
	printf("ok\n");
	return 0;
}

/* ---- ping --------------------------------------------------------------- */

static int cmd_ping(const char *dst_s, const char *size_s, const char *count_s,
		    const char *timeout_s)
{
	static unsigned char pkt[MAX_FRAME], buf[MAX_FRAME];
	unsigned long size, count = 1, timeout_ms = 2000, i;
	unsigned long received = 0, bad = 0;
	int fd, pmtu = IP_PMTUDISC_DO;
	struct sockaddr_in dst;
	uint16_t id = getpid() & 0xffff;

	size = parse_ulong(size_s, 0, MAX_UDP, "size");
	if (count_s)
		count = parse_ulong(count_s, 1, 100000, "count");
	if (timeout_s)
		timeout_ms = parse_ulong(timeout_s, 1, 600000, "timeout");
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_addr = parse_ip(dst_s);

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		die("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)");
	if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu)) < 0)
		die("setsockopt(IP_MTU_DISCOVER)");

	for (i = 0; i < size; i++)
		pkt[8 + i] = (i * 7 + 3) & 0xff;

	for (i = 0; i < count; i++) {
		uint16_t seq = i + 1;
		double deadline;
		ssize_t n;

		pkt[0] = 8;		/* echo request */
		pkt[1] = 0;
		put16(pkt + 2, 0);
		put16(pkt + 4, id);
		put16(pkt + 6, seq);
		put16(pkt + 2, csum_fold(csum_add(0, pkt, 8 + size)));
		n = sendto(fd, pkt, 8 + size, 0, (struct sockaddr *)&dst,
			   sizeof(dst));
		if (n < 0) {
			int err = errno;

			fprintf(stderr, "%s: sendto %s, %lu data bytes: %s\n",
				prog, dst_s, size, strerror(err));
			printf("%s\n", errno_name(err));
			close(fd);
			return 0;
		}

		deadline = now() + timeout_ms / 1000.0;
		for (;;) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			double left = deadline - now();
			struct sockaddr_in from;
			socklen_t alen = sizeof(from);
			const unsigned char *icmp;
			size_t ihl;

			if (left <= 0)
				break;
			if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
				continue;
			n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &alen);
			if (n < 20)
				continue;
			ihl = (buf[0] & 0x0f) * 4;
			if ((size_t)n < ihl + 8 ||
			    from.sin_addr.s_addr != dst.sin_addr.s_addr)
				continue;
			icmp = buf + ihl;
			if (icmp[0] != 0 ||
			    ((icmp[4] << 8) | icmp[5]) != id ||
			    ((icmp[6] << 8) | icmp[7]) != seq)
				continue;
			if ((size_t)n - ihl != 8 + size ||
			    memcmp(icmp + 8, pkt + 8, size))
				bad++;
			else
				received++;
			break;
		}
	}
	close(fd);
	printf("sent %lu received %lu bad %lu\n", count, received, bad);
	return 0;
}

/* ---- blast -------------------------------------------------------------- */

/* SIGTERM and SIGINT are blocked, and looked for between sends. */
static int stop_requested(void)
{
	sigset_t set;

	if (sigpending(&set) < 0)
		return 1;
	return sigismember(&set, SIGTERM) || sigismember(&set, SIGINT);
}

static int cmd_blast(const char *dst_s, const char *secs_s, const char *min_s,
		     const char *max_s, const char *port_s)
{
	static unsigned char payload[MAX_UDP];
	unsigned long secs, min, max, port = 9, sent = 0, failed = 0;
	int fd, pmtu = IP_PMTUDISC_DONT;
	struct sockaddr_in dst;
	unsigned int seed;
	sigset_t block;
	double deadline;

	secs = parse_ulong(secs_s, 0, 3600, "seconds");
	min = parse_ulong(min_s, 0, MAX_UDP, "minimum size");
	max = parse_ulong(max_s, min, MAX_UDP, "maximum size");
	if (port_s)
		port = parse_ulong(port_s, 1, 65535, "port");
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_addr = parse_ip(dst_s);
	dst.sin_port = htons(port);
	memset(payload, 'b', sizeof(payload));

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, NULL);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket(AF_INET, SOCK_DGRAM)");
	if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu)) < 0)
		die("setsockopt(IP_MTU_DISCOVER)");

	seed = getpid() ^ (unsigned int)(now() * 1000);
	deadline = now() + secs;
	while (((sent + failed) % 64 || !stop_requested()) && now() < deadline) {
		size_t len = min + rand_r(&seed) % (max - min + 1);
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };

		if (sendto(fd, payload, len, MSG_DONTWAIT,
			   (struct sockaddr *)&dst, sizeof(dst)) >= 0) {
			sent++;
			continue;
		}
		failed++;
		if (errno == EAGAIN || errno == ENOBUFS)
			poll(&pfd, 1, 10);	/* the queue is full */
		else
			usleep(1000);		/* no route, or down: wait */
	}
	close(fd);
	printf("sent %lu failed %lu\n", sent, failed);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		print_usage();
	if (!strcmp(argv[1], "frame") && (argc == 5 || argc == 6))
		return cmd_frame(argv[2], argv[3], argv[4],
				 argc == 6 ? argv[5] : NULL);
	if (!strcmp(argv[1], "ping") && argc >= 4 && argc <= 6)
		return cmd_ping(argv[2], argv[3], argc >= 5 ? argv[4] : NULL,
				argc == 6 ? argv[5] : NULL);
	if (!strcmp(argv[1], "blast") && (argc == 6 || argc == 7))
		return cmd_blast(argv[2], argv[3], argv[4], argv[5],
				 argc == 7 ? argv[6] : NULL);
	print_usage();
	return 1;
}
