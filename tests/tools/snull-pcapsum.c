// SPDX-License-Identifier: GPL-2.0
/*
 * snull-pcapsum - check the TCP, UDP, UDP-Lite and DCCP (and ICMPv6)
 * checksums of a capture, partial ones included (tests/t_trick.sh,
 * tests/t_csum_edges.sh, tests/t_ipv6.sh, tests/t_trick_l4.sh).
 *
 *   snull-pcapsum FILE
 *	FILE is a capture of Ethernet frames in pcap format (tcpdump -w).
 *	For each whole IPv4 TCP, UDP, UDP-Lite ("udplite") or DCCP ("dccp")
 *	frame (a first fragment, captured in full), and each IPv6 one of
 *	those or ICMPv6 ("icmp6") without extension headers, it prints one
 *	line: source, destination, protocol, and
 *
 *	full     the checksum is complete and right over what it covers
 *		 (UDP-Lite's coverage field and DCCP's CsCov may leave the
 *		 end of the payload out);
 *	partial  the field holds the pseudo-header's sum over the frame's
 *		 own addresses, as CHECKSUM_PARTIAL leaves it for the
 *		 hardware: right for the addresses it carries;
 *	none     a UDP checksum of 0: the sender chose none;
 *	bad      neither, or a UDP-Lite sum of 0, which RFC 3828 never
 *		 sends (the receiver drops it).
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
 * Where the checksum of transport @proto sits in its header (-1: a
 * transport this tool does not know), and how many of the @l4len bytes at
 * @l4 it covers (0: the header is cut short). @ipv6: ICMPv6, whose sum
 * covers a pseudo-header, not ICMP.
 */
static int l4_sum_at(int proto, int ipv6, const uint8_t *l4, size_t l4len,
		     size_t *covered, const char **name)
{
	size_t cov = l4len;
	int off;

	switch (proto) {
	case 6:
		*name = "tcp";
		off = 16;
		break;
	case 17:
		*name = "udp";
		off = 6;
		break;
	case 136:	/* UDP-Lite: the coverage field, 0 for all of it */
		*name = "udplite";
		off = 6;
		if (l4len >= 8 && (l4[4] << 8 | l4[5]))
			cov = l4[4] << 8 | l4[5];
		if (cov < 8 || cov > l4len)	/* RFC 3828: dropped */
			cov = 0;
		break;
	case 33:	/* DCCP: the header, and CsCov - 1 words of data */
		*name = "dccp";
		off = 6;
		if (l4len >= 6 && (l4[5] & 0x0f) &&
		    (size_t)l4[4] * 4 + ((l4[5] & 0x0f) - 1) * 4 < l4len)
			cov = (size_t)l4[4] * 4 + ((l4[5] & 0x0f) - 1) * 4;
		break;
	case 58:
		if (!ipv6)
			return -1;
		*name = "icmp6";
		off = 2;
		break;
	default:
		return -1;
	}
	*covered = l4len < (size_t)off + 2 ? 0 : cov;
	return off;
}

/*
 * The verdict on the L4 checksum at @off of transport @proto, over the
 * @covered bytes at @l4, whose pseudo-header sums to @pseudo; for UDP a 0
 * field means "none", for UDP-Lite it is always wrong.
 */
static enum verdict judge(const uint8_t *l4, size_t covered, size_t off,
			  uint32_t pseudo, int proto)
{
	uint16_t field = l4[off] << 8 | l4[off + 1];

	if (proto == 17 && field == 0)
		return V_NONE;
	if (proto == 136 && field == 0)
		return V_BAD;
	/* Complete: the sum over pseudo-header and segment is all ones. */
	if (fold(sum16(l4, covered, pseudo)) == 0xffff)
		return V_FULL;
	if (same(field, fold(pseudo)))
		return V_PARTIAL;
	return V_BAD;
}

static enum verdict check4(const uint8_t *f, size_t len, char *what,
			   size_t whatlen)
{
	const uint8_t *ip = f + ETH_HLEN, *l4;
	size_t ihl, tot, l4len, covered;
	const char *name;
	uint32_t pseudo;
	int off;
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
	l4 = ip + ihl;
	l4len = tot - ihl;
	off = l4_sum_at(ip[9], 0, l4, l4len, &covered, &name);
	if (off < 0 || !covered)
		return V_SKIP;
	inet_ntop(AF_INET, ip + 12, src, sizeof(src));
	inet_ntop(AF_INET, ip + 16, dst, sizeof(dst));
	snprintf(what, whatlen, "%s > %s %s len %zu", src, dst, name, l4len);
	pseudo = sum16(ip + 12, 8, 0) + ip[9] + (uint32_t)l4len;
	return judge(l4, covered, off, pseudo, ip[9]);
}

/*
 * IPv6: TCP, UDP, UDP-Lite, DCCP and ICMPv6 right after the fixed header;
 * the pseudo-header holds both addresses, the length and the next header.
 */
static enum verdict check6(const uint8_t *f, size_t len, char *what,
			   size_t whatlen)
{
	const uint8_t *ip = f + ETH_HLEN, *l4 = ip + 40;
	size_t l4len, covered;
	uint32_t pseudo;
	const char *name;
	int off;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	if (len < ETH_HLEN + 40 || (ip[0] >> 4) != 6)
		return V_SKIP;
	l4len = (size_t)ip[4] << 8 | ip[5];
	if (ETH_HLEN + 40 + l4len > len)
		return V_SKIP;
	off = l4_sum_at(ip[6], 1, l4, l4len, &covered, &name);
	if (off < 0 || !covered)
		return V_SKIP;
	inet_ntop(AF_INET6, ip + 8, src, sizeof(src));
	inet_ntop(AF_INET6, ip + 24, dst, sizeof(dst));
	snprintf(what, whatlen, "%s > %s %s len %zu", src, dst, name, l4len);
	pseudo = sum16(ip + 8, 32, 0) + ip[6] + (uint32_t)l4len;
	return judge(l4, covered, off, pseudo, ip[6]);
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
