// SPDX-License-Identifier: GPL-2.0
/*
 * snull-pcapsum - check the TCP and UDP (and ICMPv6) checksums of a
 * capture, partial ones included (tests/t_trick.sh, tests/t_csum_edges.sh,
 * tests/t_ipv6.sh).
 *
 *   snull-pcapsum FILE
 *	FILE is a capture of Ethernet frames in pcap format (tcpdump -w).
 *	For each whole IPv4 TCP or UDP frame (a first fragment, captured in
 *	full), and each IPv6 TCP, UDP or ICMPv6 ("icmp6") frame without
 *	extension headers, it prints one line: source, destination,
 *	protocol, and
 *
 *	full     the checksum is complete and right;
 *	partial  the field holds the pseudo-header's sum over the frame's
 *		 own addresses, as CHECKSUM_PARTIAL leaves it for the
 *		 hardware: right for the addresses it carries;
 *	none     a UDP checksum of 0: the sender chose none;
 *	bad      neither.
 *
 *	tcpdump calls a partial sum "incorrect": in zero-copy mode snull
 *	hands such an skb to its peer as veth does, and the address trick
 *	must update that sum for the new addresses. This tells the two
 *	apart. Last line: "full N partial N none N bad N".
 *
 * Exit status 0 when the file could be read, 1 otherwise.
 *
 * Built statically by the test harness: gcc -static -O2 -Wall -Werror -I src.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ETH_HLEN	14
#define PCAP_MAGIC	0xa1b2c3d4u
#define PCAP_MAGIC_NS	0xa1b23c4du

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t zone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t sec, frac, caplen, len;
};

enum verdict { V_FULL, V_PARTIAL, V_NONE, V_BAD, V_SKIP };

static const char *const verdict_names[] = { "full", "partial", "none", "bad" };

/* The one's complement sum of @len bytes, added to @sum. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* 0 and 0xffff are the same number in one's complement. */
static int same(uint16_t a, uint16_t b)
{
	return a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0);
}

/*
 * The verdict on the L4 checksum at @off in the @l4len bytes at @l4, whose
 * pseudo-header sums to @pseudo; @udp: a 0 field means "none".
 */
static enum verdict judge(const uint8_t *l4, size_t l4len, size_t off,
			  uint32_t pseudo, int udp)
{
	uint16_t field = l4[off] << 8 | l4[off + 1];

	if (udp && field == 0)
		return V_NONE;
	/* Complete: the sum over pseudo-header and segment is all ones. */
	if (fold(sum16(l4, l4len, pseudo)) == 0xffff)
		return V_FULL;
	if (same(field, fold(pseudo)))
		return V_PARTIAL;
	return V_BAD;
}

static enum verdict check4(const uint8_t *f, size_t len, char *what,
			   size_t whatlen)
{
	const uint8_t *ip = f + ETH_HLEN, *l4;
	size_t ihl, tot, l4len, off;
	uint32_t pseudo;
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];

	if (len < ETH_HLEN + 20)
		return V_SKIP;
	ihl = (ip[0] & 0x0f) * 4;
	tot = (size_t)ip[2] << 8 | ip[3];
	if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl ||
	    ETH_HLEN + tot > len)
		return V_SKIP;
	if ((ip[6] & 0x1f) || ip[7])	/* not a first fragment */
		return V_SKIP;
	if (ip[9] == 6)
		off = 16;
	else if (ip[9] == 17)
		off = 6;
	else
		return V_SKIP;
	l4 = ip + ihl;
	l4len = tot - ihl;
	if (l4len < off + 2)
		return V_SKIP;
	inet_ntop(AF_INET, ip + 12, src, sizeof(src));
	inet_ntop(AF_INET, ip + 16, dst, sizeof(dst));
	snprintf(what, whatlen, "%s > %s %s len %zu", src, dst,
		 ip[9] == 6 ? "tcp" : "udp", l4len);
	pseudo = sum16(ip + 12, 8, 0) + ip[9] + (uint32_t)l4len;
	return judge(l4, l4len, off, pseudo, ip[9] == 17);
}

/*
 * IPv6: TCP, UDP and ICMPv6 ("icmp6") right after the fixed header; the
 * pseudo-header holds both addresses, the length and the next header.
 */
static enum verdict check6(const uint8_t *f, size_t len, char *what,
			   size_t whatlen)
{
	const uint8_t *ip = f + ETH_HLEN, *l4 = ip + 40;
	size_t l4len, off;
	uint32_t pseudo;
	const char *name;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	if (len < ETH_HLEN + 40 || (ip[0] >> 4) != 6)
		return V_SKIP;
	l4len = (size_t)ip[4] << 8 | ip[5];
	if (ETH_HLEN + 40 + l4len > len)
		return V_SKIP;
	if (ip[6] == 6) {
		off = 16;
		name = "tcp";
	} else if (ip[6] == 17) {
		off = 6;
		name = "udp";
	} else if (ip[6] == 58) {
		off = 2;
		name = "icmp6";
	} else {
		return V_SKIP;
	}
	if (l4len < off + 2)
		return V_SKIP;
	inet_ntop(AF_INET6, ip + 8, src, sizeof(src));
	inet_ntop(AF_INET6, ip + 24, dst, sizeof(dst));
	snprintf(what, whatlen, "%s > %s %s len %zu", src, dst, name, l4len);
	pseudo = sum16(ip + 8, 32, 0) + ip[6] + (uint32_t)l4len;
	return judge(l4, l4len, off, pseudo, ip[6] == 17);
}

static enum verdict check(const uint8_t *f, size_t len, char *what,
			  size_t whatlen)
{
	if (len < ETH_HLEN)
		return V_SKIP;
	if (f[12] == 0x08 && f[13] == 0x00)
		return check4(f, len, what, whatlen);
	if (f[12] == 0x86 && f[13] == 0xdd)
		return check6(f, len, what, whatlen);
	return V_SKIP;
}

int main(int argc, char **argv)
{
	static uint8_t frame[262144];
	unsigned long counts[4] = { 0 };
	struct pcap_file_hdr fh;
	struct pcap_rec_hdr rh;
	char what[128];
	FILE *in;
	int i;

	if (argc != 2) {
		fprintf(stderr, "usage: snull-pcapsum FILE\n");
		return 1;
	}
	in = fopen(argv[1], "rb");
	if (!in || fread(&fh, sizeof(fh), 1, in) != 1 ||
	    (fh.magic != PCAP_MAGIC && fh.magic != PCAP_MAGIC_NS) ||
	    fh.linktype != 1) {
		fprintf(stderr, "snull-pcapsum: %s: not an Ethernet pcap file\n",
			argv[1]);
		return 1;
	}
	while (fread(&rh, sizeof(rh), 1, in) == 1) {
		enum verdict v;

		if (rh.caplen > sizeof(frame) ||
		    fread(frame, rh.caplen, 1, in) != 1) {
			fprintf(stderr, "snull-pcapsum: %s: truncated\n", argv[1]);
			return 1;
		}
		if (rh.caplen != rh.len)	/* not captured in full */
			continue;
		v = check(frame, rh.caplen, what, sizeof(what));
		if (v == V_SKIP)
			continue;
		counts[v]++;
		printf("%s: %s\n", what, verdict_names[v]);
	}
	for (i = 0; i < 4; i++)
		printf("%s%s %lu", i ? " " : "", verdict_names[i], counts[i]);
	printf("\n");
	return 0;
}
