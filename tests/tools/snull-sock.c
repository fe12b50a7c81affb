// SPDX-License-Identifier: GPL-2.0
/*
 * snull-sock - sockets whose frames wait on the wire while the sockets go
 * away, for the socket accounting of GRO (tests/t_gro_sockets.sh).
 *
 *   snull-sock tcp DST PORT CONNS BYTES SECONDS
 *	A server on this host (a child process) listens on PORT and reads
 *	every connection it accepts to its end. CONNS connections to DST:PORT
 *	are made; then "ready CONNS" is printed and SIGUSR1 awaited (the test
 *	holds the wire meanwhile). At SIGUSR1 each connection is given up to
 *	BYTES bytes (what its send buffer takes) and closed at once: the odd
 *	ones with SO_LINGER 0, an abort (RST). Prints "closed N sent B", then
 *	waits for the server, which prints "server accepted A eof E reset R
 *	bytes B" once every connection has ended. SECONDS bounds each wait.
 *
 *   snull-sock pkt IFACE COUNT SIZE SECONDS
 *	Two AF_PACKET sockets send COUNT IPv4/UDP frames of SIZE payload
 *	bytes out of IFACE (an even snull device): 192.168.0.1:40000 to
 *	192.168.0.2:9, one flow with IP IDs in a row, the first half from
 *	one socket and the second from the other: one flow, two owners, whose
 *	skbs (unlike a UDP socket's) have never had a route attached. A socket
 *	bound to port 9 on this host, with UDP_GRO, reads them (after the
 *	address trick they are for 192.168.1.2). Prints "sent N" once they are
 *	sent (the test holds the wire before and lets it go after), then
 *	"received N datagrams in M reads" when all came or SECONDS passed; a
 *	read returns several datagrams when GRO merged them.
 *
 * Exit status 0 when every connection ended at the server (tcp), or every
 * datagram was received (pkt); 1 otherwise, or on bad usage or a failed
 * system call (with a message on stderr).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_ether.h>

#include "snull-tools.h"

#ifndef UDP_GRO
#define UDP_GRO		104	/* include/uapi/linux/udp.h */
#endif
#ifndef SOL_UDP
#define SOL_UDP		17
#endif

#define MAX_CONNS	1024

static const char *prog = "snull-sock";

static void print_usage(void)
{
	fprintf(stderr,
		"usage: %s tcp DST PORT CONNS BYTES SECONDS\n"
		"       %s pkt IFACE COUNT SIZE SECONDS\n",
		prog, prog);
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

static struct sockaddr_in sin_of(const char *addr, unsigned long port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (!addr) {
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "%s: bad IPv4 address '%s'\n", prog, addr);
		exit(1);
	}
	return sin;
}

static void set_int(int fd, int level, int name, int val, const char *what)
{
	if (setsockopt(fd, level, name, &val, sizeof(val)) < 0)
		die(what);
}

/* ---- tcp ---------------------------------------------------------------- */

/*
 * The server: read every connection accepted on @lfd to its end, until
 * @conns have ended or @deadline; print what it saw. Never returns.
 */
static void tcp_server(int lfd, unsigned long conns, double deadline)
{
	static struct pollfd fds[MAX_CONNS + 1];
	unsigned long accepted = 0, eof = 0, reset = 0;
	unsigned long long bytes = 0;
	static char buf[65536];
	nfds_t n = 1, i;

	fds[0].fd = lfd;
	fds[0].events = POLLIN;
	while (eof + reset < conns && now() < deadline) {
		if (poll(fds, n, 100) < 0 && errno != EINTR)
			die("poll");
		if ((fds[0].revents & POLLIN) && accepted < conns) {
			int fd = accept(lfd, NULL, NULL);

			if (fd >= 0) {
				accepted++;
				fds[n].fd = fd;
				fds[n].events = POLLIN;
				fds[n].revents = 0;
				n++;
			}
		}
		for (i = 1; i < n; i++) {
			ssize_t got;

			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			got = recv(fds[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (got > 0) {
				bytes += got;
				continue;
			}
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (got == 0)
				eof++;
			else
				reset++;
			close(fds[i].fd);
			fds[i].fd = -1;
		}
	}
	printf("server accepted %lu eof %lu reset %lu bytes %llu\n", accepted,
	       eof, reset, bytes);
	fflush(stdout);
	_exit(eof + reset == conns ? 0 : 1);
}

/* Wait for SIGUSR1 (blocked since the start) for @secs seconds at most. */
static int await_usr1(double secs)
{
	struct timespec ts;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = 0;
	return sigtimedwait(&set, NULL, &ts) == SIGUSR1 ? 0 : -1;
}

static int cmd_tcp(char **argv)
{
	struct sockaddr_in dst, any;
	unsigned long port, conns, bytes, i;
	unsigned long long sent = 0;
	static int fds[MAX_CONNS];
	static char buf[65536];
	double secs, deadline;
	int lfd, status;
	sigset_t set;
	pid_t server;

	port = parse_ulong(argv[1], 1, 65535, "port");
	dst = sin_of(argv[0], port);
	conns = parse_ulong(argv[2], 1, MAX_CONNS, "number of connections");
	bytes = parse_ulong(argv[3], 0, 1UL << 30, "byte count");
	secs = parse_ulong(argv[4], 1, 600, "seconds");
	memset(buf, 'x', sizeof(buf));

	/* SIGUSR1 is taken by sigtimedwait(), never delivered. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask");

	any = sin_of(NULL, port);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	set_int(lfd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (bind(lfd, (struct sockaddr *)&any, sizeof(any)) < 0)
		die("bind");
	if (listen(lfd, conns) < 0)
		die("listen");
	fflush(stdout);
	server = fork();
	if (server < 0)
		die("fork");
	if (server == 0)
		tcp_server(lfd, conns, now() + 3 * secs);
	close(lfd);

	for (i = 0; i < conns; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fds[i] < 0)
			die("socket");
		if (connect(fds[i], (struct sockaddr *)&dst, sizeof(dst)) < 0)
			die("connect");
	}
	printf("ready %lu\n", conns);
	fflush(stdout);
	if (await_usr1(secs) < 0)
		fprintf(stderr, "%s: no SIGUSR1 in %.0f s: going on\n", prog, secs);

	for (i = 0; i < conns; i++) {
		unsigned long left = bytes;

		while (left) {
			size_t chunk = left < sizeof(buf) ? left : sizeof(buf);
			ssize_t n = send(fds[i], buf, chunk, MSG_DONTWAIT);

			if (n <= 0)
				break;
			sent += n;
			left -= n;
		}
		if (i & 1) {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };

			if (setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg,
				       sizeof(lg)) < 0)
				die("SO_LINGER");
		}
		close(fds[i]);
	}
	printf("closed %lu sent %llu\n", conns, sent);
	fflush(stdout);

	deadline = now() + 2 * secs;
	while (waitpid(server, &status, WNOHANG) == 0) {
		if (now() > deadline) {
			fprintf(stderr, "%s: the server did not end\n", prog);
			kill(server, SIGKILL);
			waitpid(server, &status, 0);
			return 1;
		}
		usleep(10000);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* ---- pkt ---------------------------------------------------------------- */

/* The MAC address of @ifname. */
static void get_hwaddr(const char *ifname, unsigned char *mac)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		die("socket");
	memset(&ifr, 0, sizeof(ifr));
	if (strlen(ifname) >= IFNAMSIZ) {
		fprintf(stderr, "%s: interface name too long: %s\n", prog, ifname);
		exit(1);
	}
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR");
	close(fd);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
}

static int cmd_pkt(char **argv)
{
	static const unsigned char saddr[4] = { 192, 168, 0, 1 };
	static const unsigned char daddr[4] = { 192, 168, 0, 2 };
	unsigned long count, size, i, got = 0, reads = 0;
	static unsigned char frame[ETH_HLEN + 1500];
	static char buf[65536];
	unsigned char mac[ETH_ALEN];
	struct sockaddr_ll sll;
	struct sockaddr_in any;
	unsigned int ifindex;
	size_t len;
	double deadline;
	int rfd, tx[2], j;

	ifindex = if_nametoindex(argv[0]);
	if (!ifindex)
		die("if_nametoindex");
	count = parse_ulong(argv[1], 2, 64, "count");
	size = parse_ulong(argv[2], 1, 1400, "size");
	deadline = now() + parse_ulong(argv[3], 1, 600, "seconds");
	get_hwaddr(argv[0], mac);

	any = sin_of(NULL, 9);
	rfd = socket(AF_INET, SOCK_DGRAM, 0);
	if (rfd < 0)
		die("socket");
	set_int(rfd, SOL_SOCKET, SO_RCVBUF, 4 << 20, "SO_RCVBUF");
	set_int(rfd, SOL_UDP, UDP_GRO, 1, "UDP_GRO");
	if (bind(rfd, (struct sockaddr *)&any, sizeof(any)) < 0)
		die("bind");

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = ifindex;
	sll.sll_halen = ETH_ALEN;
	memcpy(frame, mac, ETH_ALEN);
	frame[ETH_ALEN - 1] ^= 1;		/* to the peer */
	memcpy(sll.sll_addr, frame, ETH_ALEN);
	memcpy(frame + ETH_ALEN, mac, ETH_ALEN);
	put16(frame + 2 * ETH_ALEN, ETH_P_IP);
	for (j = 0; j < 2; j++) {
		tx[j] = socket(AF_PACKET, SOCK_RAW, 0);
		if (tx[j] < 0)
			die("socket(AF_PACKET)");
	}
	len = 28 + size;
	memset(frame + ETH_HLEN + 28, 'p', size);
	for (i = 0; i < count; i++) {
		/* one flow, IP IDs in a row: the first half from one socket */
		ipv4_udp_wrap(frame + ETH_HLEN, len, saddr, daddr, 1000 + i, 40000);
		if (sendto(tx[i < count / 2 ? 0 : 1], frame, ETH_HLEN + len, 0,
			   (struct sockaddr *)&sll, sizeof(sll)) !=
		    (ssize_t)(ETH_HLEN + len))
			die("sendto");
	}
	printf("sent %lu\n", count);
	fflush(stdout);

	while (got < count && now() < deadline) {
		struct pollfd pfd = { .fd = rfd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recv(rfd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			continue;
		reads++;
		got += (n + size - 1) / size;
	}
	printf("received %lu datagrams in %lu reads\n", got, reads);
	close(tx[0]);
	close(tx[1]);
	close(rfd);
	return got == count ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "tcp"))
		return cmd_tcp(argv + 2);
	if (argc == 6 && !strcmp(argv[1], "pkt"))
		return cmd_pkt(argv + 2);
	print_usage();
	return 1;
}
