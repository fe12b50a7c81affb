#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 3
# snull-debug-cost: 24
# snull-passes: copy debug
#
# Checksums and headers at their edges (snull-csum builds the frames):
# - a UDP checksum that offload computes as 0 leaves as 0xffff (0 on the
#   wire means "no checksum", RFC 768), and after the address trick the
#   receiver finds it right (copy=1); in zero-copy mode the partial sum
#   arrives updated for the new addresses;
# - an IP header that left with a bad checksum arrives with a bad one: the
#   trick updates the checksum, it does not recompute it (pitfalls.md #23);
# - an 802.3 (LLC) frame gets its length, not its protocol number, in the
#   header snull builds.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

plan 10

check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs
check_grep "tx-checksumming is on (the driver computes UDP sums)" \
	'^tx-checksumming: on' "$(ethtool -k sn0 >"$TMP/k" 2>&1; echo "$TMP/k")"

# --- a UDP sum of 0 ---
# With copy=1 the driver computes the sum as it copies, and tcpdump checks
# it. In zero-copy mode the partial sum crosses the pair (as with veth), to
# be completed if the datagram ever leaves: snull-pcapsum checks that it is
# right for the rewritten addresses, and that it is no "0, no checksum".
COPY=$(cat /sys/module/snull/parameters/copy 2>/dev/null || echo 1)
if [ "$COPY" = 1 ]; then
	cap_start udp0 sn1 -Q in -vv -n -c 1 udp port 7777
else
	cap_start udp0 sn1 -Q in -n -U -c 1 -w "$TMP/udp0.pcap" udp port 7777
fi
check_cmd "snull-csum udp0: a datagram whose UDP checksum is 0" \
	snull-csum udp0 192.168.0.1 192.168.0.2 7777
cap_wait udp0
if [ "$COPY" = 1 ]; then
	diag <"$TMP/udp0.cap"
	check_grep "sn1 captures it" '7777 > ' "$TMP/udp0.cap"
	check_nogrep "it does not arrive as 'no checksum'" 'no cksum' \
		"$TMP/udp0.cap"
	check_grep "its UDP checksum is right after the address trick" \
		'udp sum ok' "$TMP/udp0.cap"
else
	snull-pcapsum "$TMP/udp0.pcap" >"$TMP/udp0.sums" 2>&1
	diag <"$TMP/udp0.sums"
	check_grep "sn1 captures it" '^192\.168\.1\.1 > 192\.168\.1\.2 udp ' \
		"$TMP/udp0.sums"
	check_nogrep "it does not arrive as 'no checksum'" ': none$' \
		"$TMP/udp0.sums"
	check_grep "its partial UDP sum is right after the address trick" \
		': partial$' "$TMP/udp0.sums"
fi

# --- a bad IP header checksum stays bad ---
cap_start badip sn1 -Q in -vv -n -c 1 udp port 9
check_cmd "snull-csum badipsum sn0: an IP header checksum off by one" \
	snull-csum badipsum sn0
cap_wait badip
diag <"$TMP/badip.cap"
check_grep "sn1 sees the IP header checksum still bad" 'bad cksum' \
	"$TMP/badip.cap"

# --- 802.3: the header holds the length ---
cap_start llc sn0 -Q out -e -n -c 1 not ip
snull-csum llc sn0 >/dev/null 2>"$TMP/llc.err" || diag <"$TMP/llc.err"
cap_wait llc
diag <"$TMP/llc.cap"
# 3 bytes of LLC header and 32 of payload.
check_grep "sn0 sends 802.3 with length 35 in its header" \
	'802\.3, length 35' "$TMP/llc.cap"

finish
