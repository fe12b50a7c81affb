// SPDX-License-Identifier: GPL-2.0
/*
 * snull-uso - one UDP GSO send (UDP_SEGMENT) and the datagrams it becomes,
 * received and checked, for tests/t_uso.sh.
 *
 *   snull-uso SRC DST PORT GSO_SIZE TOTAL [TIMEOUT_MS]
 *	Binds a UDP socket to PORT on every local address (the receiver),
 *	and another to SRC (the sender), which sets UDP_SEGMENT to GSO_SIZE
 *	and sends TOTAL payload bytes to DST:PORT in one sendto(): the stack
 *	or the device cuts them into datagrams of GSO_SIZE bytes (the last
 *	one shorter). The receiver reads datagrams until all have come or
 *	TIMEOUT_MS (default 3000) passed. Datagram k starts with k (two
 *	bytes, big-endian), then a pattern that depends on its offset in the
 *	send; a datagram whose length, number or bytes are not those of a
 *	segment of the send, or that came twice, is bad.
 *	Prints "sent N received M bad B" (N: the datagrams the send makes),
 *	or the errno name of a failed sendto ("EIO": no checksum offload).
 *
 * Exit status 0 when the command ran (whatever the kernel answered), 1 on
 * bad usage or when a socket cannot be set up.
 *
 * Built statically by the test harness: gcc -static -O2 -Wall -Werror -I src.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/udp.h>

#include "snull-tools.h"

#define MAX_UDP		65507
#define MAX_SEGS	64	/* UDP_MAX_SEGMENTS of the oldest kernel, 6.1 */

static const char *prog = "snull-uso";

static void print_usage(void)
{
	fprintf(stderr,
		"usage: %s SRC DST PORT GSO_SIZE TOTAL [TIMEOUT_MS]\n", prog);
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
	if (errno || end == s || *end || v < min || v > max) {
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

/* The payload byte at offset @off of the send. */
static unsigned char pattern(unsigned long off)
{
	return (off * 7 + off / 253 + 1) & 0xff;
}

int main(int argc, char **argv)
{
	static unsigned char pkt[MAX_UDP], buf[MAX_UDP + 1];
	unsigned long port, gso, total, timeout_ms = 3000, segs, k, i;
	unsigned long received = 0, bad = 0;
	struct sockaddr_in src, dst, any;
	unsigned char seen[MAX_SEGS];
	int rx, tx, val;
	double deadline;
	ssize_t n;

	if (argc != 6 && argc != 7)
		print_usage();
	port = parse_ulong(argv[3], 1, 65535, "port");
	gso = parse_ulong(argv[4], 2, 1472, "gso size");
	total = parse_ulong(argv[5], 1, MAX_UDP, "total");
	if (argc == 7)
		timeout_ms = parse_ulong(argv[6], 1, 600000, "timeout");
	segs = (total + gso - 1) / gso;
	if (segs > MAX_SEGS) {
		fprintf(stderr, "%s: %lu segments, more than %d\n", prog, segs,
			MAX_SEGS);
		exit(1);
	}
	if (total % gso == 1) {
		fprintf(stderr, "%s: a last segment of 1 byte has no room for its number\n",
			prog);
		exit(1);
	}

	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr = parse_ip(argv[1]);
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_addr = parse_ip(argv[2]);
	dst.sin_port = htons(port);
	memset(&any, 0, sizeof(any));
	any.sin_family = AF_INET;
	any.sin_addr.s_addr = htonl(INADDR_ANY);
	any.sin_port = htons(port);

	rx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	if (rx < 0)
		die("socket (receiver)");
	val = 1 << 20;
	if (setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &val, sizeof(val)) < 0)
		die("setsockopt(SO_RCVBUF)");
	if (bind(rx, (struct sockaddr *)&any, sizeof(any)) < 0)
		die("bind (receiver)");

	tx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	if (tx < 0)
		die("socket (sender)");
	if (bind(tx, (struct sockaddr *)&src, sizeof(src)) < 0)
		die("bind (sender)");
	val = gso;
	if (setsockopt(tx, IPPROTO_UDP, UDP_SEGMENT, &val, sizeof(val)) < 0)
		die("setsockopt(UDP_SEGMENT)");

	for (i = 0; i < total; i++)
		pkt[i] = pattern(i);
	for (k = 0; k < segs; k++)
		put16(pkt + k * gso, k);
	memset(seen, 0, sizeof(seen));

	n = sendto(tx, pkt, total, 0, (struct sockaddr *)&dst, sizeof(dst));
	if (n < 0) {
		int err = errno;

		fprintf(stderr, "%s: sendto %s, %lu bytes in %lu segments: %s\n",
			prog, argv[2], total, segs, strerror(err));
		printf("%s\n", errno_name(err));
		return 0;
	}

	deadline = now() + timeout_ms / 1000.0;
	while (received < segs) {
		struct pollfd pfd = { .fd = rx, .events = POLLIN };
		double left = deadline - now();
		unsigned long len;

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = recv(rx, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			continue;
		received++;
		if (n < 2) {
			bad++;
			continue;
		}
		k = (buf[0] << 8) | buf[1];
		len = k < segs ? (k + 1 < segs ? gso : total - k * gso) : 0;
		if (k >= segs || seen[k] || (unsigned long)n != len ||
		    memcmp(buf + 2, pkt + k * gso + 2, len - 2)) {
			bad++;
			continue;
		}
		seen[k] = 1;
	}
	printf("sent %lu received %lu bad %lu\n", segs, received, bad);
	close(tx);
	close(rx);
	return 0;
}
