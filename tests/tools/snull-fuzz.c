// SPDX-License-Identifier: GPL-2.0
/*
 * Send seeded, reproducible, mostly malformed Ethernet frames through
 * AF_PACKET on one or more interfaces, to shake snull's frame parser.
 *
 *   snull-fuzz [-s SEED] [-n COUNT] [-t SECONDS] IFACE...
 *
 * Stops after COUNT frames or SECONDS, whichever comes first, and prints the
 * seed, so that a failing run can be replayed with the same -s and -n, and
 * how many frames each interface's socket took ("port IFACE port_sent=N"):
 * each of those reached the driver's ndo_start_xmit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "snull-tools.h"

#define MAX_IFACES	4
#define MAX_FRAME	1518	/* 1500-byte MTU, Ethernet header, VLAN tag */

struct port {
	const char *name;
	unsigned long sent;		/* frames sendto() took */
	int fd;
	struct sockaddr_ll addr;
	unsigned char mac[ETH_ALEN];
	unsigned char peer[ETH_ALEN];
};

static uint64_t rng_state;

/* xorshift64*: small, fast, and the same sequence everywhere. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned int rnd_below(unsigned int n)
{
	return n ? (unsigned int)(rnd() % n) : 0;
}

static void fill_random(unsigned char *p, size_t len)
{
	while (len--)
		*p++ = (unsigned char)rnd();
}

static size_t put_eth(unsigned char *f, const struct port *pt, uint16_t type)
{
	memcpy(f, pt->peer, ETH_ALEN);
	memcpy(f + ETH_ALEN, pt->mac, ETH_ALEN);
	f[12] = type >> 8;
	f[13] = type & 0xff;
	return ETH_HLEN;
}

/* An IPv4 header whose fields lie in every way the parser must survive. */
static size_t put_ipv4(unsigned char *p, size_t room)
{
	unsigned int ihl = rnd_below(4) ? 5 + rnd_below(11) : rnd_below(16);
	unsigned int tot = rnd_below(3) ? ihl * 4 + rnd_below(1480) :
			   rnd_below(65536);
	size_t len = rnd_below(2) ? ihl * 4 + rnd_below(200) : rnd_below(60);
	uint16_t frag = rnd_below(3) ? 0 : (uint16_t)rnd();
	static const unsigned char protos[] = { 1, 6, 17, 47, 255 };

	if (len > room)
		len = room;
	fill_random(p, len);
	if (len < 20)
		return len;
	p[0] = (rnd_below(8) ? 4 : rnd_below(16)) << 4 | ihl;
	p[2] = tot >> 8;
	p[3] = tot & 0xff;
	p[6] = frag >> 8;
	p[7] = frag & 0xff;
	p[9] = protos[rnd_below(sizeof(protos))];
	/* Mostly the book's networks, so that some frames get delivered. */
	if (rnd_below(2)) {
		static const unsigned char src[] = { 192, 168, 0, 1 };
		static const unsigned char dst[] = { 192, 168, 0, 2 };

		memcpy(p + 12, src, 4);
		memcpy(p + 16, dst, 4);
	}
	return len;
}

/* One frame of a random kind; returns its length. */
static size_t make_frame(unsigned char *f, const struct port *pt)
{
	size_t n;

	switch (rnd_below(7)) {
	case 0:		/* short frames, down to a bare header */
		n = put_eth(f, pt, ETH_P_IP);
		return n + rnd_below(20);
	case 1:		/* odd EtherTypes */
		n = put_eth(f, pt, (uint16_t)rnd());
		fill_random(f + n, 46);
		return n + rnd_below(47);
	case 2:		/* a VLAN tag in front of IPv4 */
		n = put_eth(f, pt, ETH_P_8021Q);
		f[n++] = (unsigned char)rnd();
		f[n++] = (unsigned char)rnd();
		f[n++] = ETH_P_IP >> 8;
		f[n++] = ETH_P_IP & 0xff;
		return n + put_ipv4(f + n, MAX_FRAME - n);
	case 3:		/* IPv6 */
		n = put_eth(f, pt, ETH_P_IPV6);
		fill_random(f + n, 80);
		f[n] = 0x60;
		return n + 40 + rnd_below(41);
	case 4:		/* all random */
		n = 1 + rnd_below(MAX_FRAME - 4);
		fill_random(f, n);
		return n;
	default:	/* IPv4 with lying headers, options and fragments */
		n = put_eth(f, pt, ETH_P_IP);
		return n + put_ipv4(f + n, MAX_FRAME - 4 - n);
	}
}

static int open_port(struct port *pt, const char *name)
{
	unsigned int idx = if_nametoindex(name);

	if (!idx) {
		fprintf(stderr, "snull-fuzz: no interface %s\n", name);
		return -1;
	}
	pt->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (pt->fd < 0) {
		perror("snull-fuzz: socket");
		return -1;
	}
	pt->name = name;
	pt->sent = 0;
	memset(&pt->addr, 0, sizeof(pt->addr));
	pt->addr.sll_family = AF_PACKET;
	pt->addr.sll_ifindex = (int)idx;
	pt->addr.sll_halen = ETH_ALEN;
	/* snull's addresses: 00:53:4e:55:4c:3N, the peer's last bit flipped */
	memcpy(pt->mac, "\0SNUL0", ETH_ALEN);
	pt->mac[5] = name[strlen(name) - 1];
	memcpy(pt->peer, pt->mac, ETH_ALEN);
	pt->peer[5] ^= 1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long seed = (unsigned long long)time(NULL);
	unsigned long count = 100000, sent = 0, refused = 0, i;
	double limit = 30, start;
	struct port ports[MAX_IFACES];
	unsigned char frame[MAX_FRAME];
	int nports = 0, opt;

	while ((opt = getopt(argc, argv, "s:n:t:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 't':
			limit = atof(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind >= argc || argc - optind > MAX_IFACES)
		goto usage;
	for (; optind < argc; optind++)
		if (open_port(&ports[nports++], argv[optind]))
			return 1;

	printf("# snull-fuzz: seed=%llu count=%lu time limit=%gs\n",
	       seed, count, limit);
	fflush(stdout);
	rng_state = seed ? seed : 1;
	start = now();
	for (i = 0; i < count; i++) {
		struct port *pt = &ports[rnd_below(nports)];
		size_t len = make_frame(frame, pt);

		if ((i & 1023) == 0 && now() - start > limit)
			break;
		if (sendto(pt->fd, frame, len, 0, (struct sockaddr *)&pt->addr,
			   sizeof(pt->addr)) >= 0) {
			sent++;
			pt->sent++;
		} else if (errno == ENOBUFS || errno == EAGAIN) {
			refused++;	/* the queue is full: flow control */
			usleep(100);
		} else if (errno == EINVAL || errno == EMSGSIZE) {
			refused++;	/* too short or long for the stack */
		} else {
			perror("snull-fuzz: sendto");
			return 1;
		}
	}
	printf("# snull-fuzz: seed=%llu frames=%lu sent=%lu refused=%lu in %.1fs\n",
	       seed, i, sent, refused, now() - start);
	for (opt = 0; opt < nports; opt++)
		printf("# snull-fuzz: port %s port_sent=%lu\n",
		       ports[opt].name, ports[opt].sent);
	return 0;
usage:
	fprintf(stderr, "usage: snull-fuzz [-s SEED] [-n COUNT] [-t SECONDS] IFACE...\n");
	return 2;
}
