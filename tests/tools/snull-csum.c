// SPDX-License-Identifier: GPL-2.0
/*
 * snull-csum - frames that test how snull keeps checksums and headers
 * honest (tests/t_csum_edges.sh).
 *
 *   snull-csum udp0 SRC DST PORT
 *	One UDP datagram from SRC:PORT to DST:PORT through an ordinary UDP
 *	socket, with a payload chosen so that its checksum over SRC and DST
 *	comes out as 0. With TX checksum offload the stack leaves that sum to
 *	the driver, which must send 0xffff: 0 on the wire means "no checksum".
 *
 *   snull-csum badipsum IFACE
 *	One IPv4/UDP frame through AF_PACKET (local0 -> remote0 on the even
 *	device, local1 -> remote1 on the odd one) whose IP header checksum is
 *	wrong by one. The receiver must see it still wrong.
 *
 *   snull-csum llc IFACE
 *	One 802.2 LLC frame through an AF_PACKET datagram socket, so that the
 *	driver's header_ops.create builds its header: an 802.3 header carries
 *	the payload length where Ethernet II has its type.
 *
 * Prints "ok" once the frame is sent. Exit status 0 then, 1 on bad usage or
 * a failed system call (with its errno name on stderr).
 *
 * Built statically by the test harness: gcc -static -O2 -Wall -Werror -I src.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_ether.h>

#include "snull-tools.h"

#define PAYLOAD_LEN	32

static void fail(const char *what)
{
	fprintf(stderr, "snull-csum: %s: %s\n", what, errno_name(errno));
	exit(1);
}

static void bad_usage(void)
{
	fprintf(stderr,
		"usage: snull-csum udp0 SRC DST PORT\n"
		"       snull-csum badipsum IFACE\n"
		"       snull-csum llc IFACE\n");
	exit(1);
}

static struct in_addr parse_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		bad_usage();
	return a;
}

/*
 * The last two payload bytes make the one's complement sum of pseudo-header,
 * UDP header (checksum field 0) and payload 0xffff, so that the checksum,
 * its complement, is 0.
 */
static void udp0_payload(unsigned char *payload, struct in_addr src,
			 struct in_addr dst, uint16_t port)
{
	unsigned char head[20];
	uint32_t sum;
	uint16_t rest;

	memset(payload, 'z', PAYLOAD_LEN);
	memcpy(head, &src, 4);
	memcpy(head + 4, &dst, 4);
	head[8] = 0;
	head[9] = IPPROTO_UDP;
	put16(head + 10, 8 + PAYLOAD_LEN);
	put16(head + 12, port);			/* source port */
	put16(head + 14, port);			/* destination port */
	put16(head + 16, 8 + PAYLOAD_LEN);	/* UDP length */
	put16(head + 18, 0);			/* checksum */
	sum = csum_add(csum_add(0, head, sizeof(head)), payload,
		       PAYLOAD_LEN - 2);
	rest = ~csum_fold(sum) & 0xffff;	/* the sum so far, folded */
	put16(payload + PAYLOAD_LEN - 2, 0xffff - rest);
}

static int cmd_udp0(const char *src_s, const char *dst_s, const char *port_s)
{
	unsigned char payload[PAYLOAD_LEN];
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct sockaddr_in dst = { .sin_family = AF_INET };
	long port = strtol(port_s, NULL, 10);
	int fd;

	if (port < 1 || port > 65535)
		bad_usage();
	src.sin_addr = parse_ip(src_s);
	dst.sin_addr = parse_ip(dst_s);
	src.sin_port = htons(port);
	dst.sin_port = htons(port);
	udp0_payload(payload, src.sin_addr, dst.sin_addr, port);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		fail("socket");
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
		fail("bind");
	if (sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&dst,
		   sizeof(dst)) < 0)
		fail("sendto");
	close(fd);
	puts("ok");
	return 0;
}

static void hwaddr(int fd, const char *ifname, unsigned char *mac)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		fail("SIOCGIFHWADDR");
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
}

static int send_packet(const char *ifname, int type, uint16_t proto,
		       const unsigned char *dst_mac, const void *buf,
		       size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(proto),
		.sll_halen = ETH_ALEN,
	};
	int fd = socket(AF_PACKET, type, 0);

	if (fd < 0)
		fail("socket(AF_PACKET)");
	sll.sll_ifindex = if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		fail("if_nametoindex");
	memcpy(sll.sll_addr, dst_mac, ETH_ALEN);
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		fail("sendto");
	close(fd);
	puts("ok");
	return 0;
}

static int cmd_badipsum(const char *ifname)
{
	static const unsigned char even[2][4] = { { 192, 168, 0, 1 },
						   { 192, 168, 0, 2 } };
	static const unsigned char odd[2][4] = { { 192, 168, 1, 2 },
						 { 192, 168, 1, 1 } };
	unsigned char frame[ETH_HLEN + 28 + PAYLOAD_LEN];
	unsigned char *ip = frame + ETH_HLEN;
	unsigned char mac[ETH_ALEN];
	const unsigned char (*addr)[4];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		fail("socket");
	hwaddr(fd, ifname, mac);
	close(fd);
	addr = (mac[ETH_ALEN - 1] & 1) ? odd : even;
	memset(ip + 28, 'b', PAYLOAD_LEN);
	ipv4_udp_wrap(ip, 28 + PAYLOAD_LEN, addr[0], addr[1], 0xbad, 40001);
	put16(ip + 10, ((ip[10] << 8 | ip[11]) + 1) & 0xffff);
	memcpy(frame, mac, ETH_ALEN);
	frame[ETH_ALEN - 1] ^= 1;		/* the peer */
	memcpy(frame + ETH_ALEN, mac, ETH_ALEN);
	put16(frame + 2 * ETH_ALEN, ETH_P_IP);
	return send_packet(ifname, SOCK_RAW, ETH_P_IP, frame, frame,
			   sizeof(frame));
}

static int cmd_llc(const char *ifname)
{
	/* DSAP, SSAP 0x42 (spanning tree), UI, then some payload. */
	unsigned char llc[3 + PAYLOAD_LEN] = { 0x42, 0x42, 0x03 };
	unsigned char mac[ETH_ALEN] = { 0x01, 0x80, 0xc2, 0, 0, 0 };

	memset(llc + 3, 'l', PAYLOAD_LEN);
	return send_packet(ifname, SOCK_DGRAM, ETH_P_802_2, mac, llc,
			   sizeof(llc));
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "udp0"))
		return cmd_udp0(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "badipsum"))
		return cmd_badipsum(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "llc"))
		return cmd_llc(argv[2]);
	bad_usage();
	return 1;
}
