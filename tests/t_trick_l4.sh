#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 5
# snull-debug-cost: 28
# snull-passes: copy debug
#
# The address trick and the transports besides TCP and UDP whose checksum
# covers both addresses: UDP-Lite (IP protocol 136, its sum always present)
# and DCCP (33). Over IPv4 and IPv6 alike, each direction, frames built by
# snull-ctl inject with right sums arrive with right sums for the rewritten
# addresses (snull-pcapsum checks them over what they cover), a UDP-Lite
# sum that the update brings to 0 arrives as 0xffff (0 is never a UDP-Lite
# sum), and a frame that left with a wrong sum arrives wrong: the trick
# updates sums, it never recomputes them (pitfalls.md #23). None is
# dropped: IPv6 used to drop them (tx_drop_ipv6_nexthdr). The receiving
# stack agrees: only the wrong UDP-Lite sums count in InCsumErrors (on a
# kernel that still has UDP-Lite).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

KINDS="udplite udplite0 udplite_bad dccp dccp_bad ipv6_udplite ipv6_udplite0 ipv6_udplite_bad ipv6_dccp ipv6_dccp_bad"
FILTER='ip proto 136 or ip proto 33 or ip6 proto 136 or ip6 proto 33'

# snmp6 FIELD: a counter of /proc/net/snmp6 ("missing" without it).
snmp6()
{
	awk -v f="$1" '$1 == f { v = $2 } END { print (v == "" ? "missing" : v) }' \
		/proc/net/snmp6 2>/dev/null || echo missing
}

# expect KIND SRC4 DST4 SRC6 DST6: the line snull-pcapsum must print for
# a frame of KIND, once the trick made SRC > DST of its addresses.
expect()
{
	case $1 in
	ipv6_*) _ex="$4 > $5" ;;
	*) _ex="$2 > $3" ;;
	esac
	case $1 in
	*udplite*) _ex="$_ex udplite len 40" ;;
	*) _ex="$_ex dccp len 48" ;;
	esac
	case $1 in
	*_bad) echo "$_ex: bad" ;;
	*) echo "$_ex: full" ;;
	esac
}

# what KIND: what the check of a frame of KIND says.
what()
{
	case $1 in
	*udplite0) echo "a UDP-Lite sum the update brings to 0 arrives as 0xffff, right" ;;
	*_bad) echo "a wrong sum arrives wrong" ;;
	*) echo "arrives with its sum right for the new addresses" ;;
	esac
}

# send_l4 TX RX SRC4 DST4 SRC6 DST6: one frame of each kind out of TX,
# one after the other; RX's capture of them, checked frame by frame in
# order (SRC > DST: the addresses after the trick).
send_l4()
{
	_tx=$1
	_rx=$2
	shift 2
	_drop=$(stat "$_tx" tx_dropped)
	_nh=$(estat "$_tx" tx_drop_ipv6_nexthdr)
	_e4=$(snmp UdpLite InCsumErrors)
	_e6=$(snmp6 UdpLite6InCsumErrors)
	cap_start "$_rx" "$_rx" -Q in -n -U -c 10 -w "$TMP/$_rx.pcap" "$FILTER"
	for _k in $KINDS; do
		inject "$_tx" "$_k" 1
	done
	cap_wait "$_rx" 5
	snull-pcapsum "$TMP/$_rx.pcap" 2>&1 | grep -v '^full [0-9]' >"$TMP/$_rx.sums"
	diag <"$TMP/$_rx.sums"
	_n=0
	for _k in $KINDS; do
		_n=$((_n + 1))
		check_eq "$_tx -> $_rx, $_k: $(what "$_k")" "$(expect "$_k" "$@")" \
			"$(sed -n "${_n}p" "$TMP/$_rx.sums")"
	done
	check_eq "$_tx: none of them dropped (tx_dropped, tx_drop_ipv6_nexthdr)" \
		"$_drop $_nh" "$(stat "$_tx" tx_dropped) $(estat "$_tx" tx_drop_ipv6_nexthdr)"
	# Sleep a moment: the stack counts after the capture saw the frames.
	sleep 0.2
	if [ -n "$UDPLITE" ]; then
		check_eq "$_rx's stack: UdpLite InCsumErrors +1 (udplite_bad alone)" \
			"$(add "$_e4" 1)" "$(snmp UdpLite InCsumErrors)"
		check_eq "$_rx's stack: UdpLite6InCsumErrors +1 (ipv6_udplite_bad alone)" \
			"$(add "$_e6" 1)" "$(snmp6 UdpLite6InCsumErrors)"
	else
		skip "$_rx's stack: UdpLite InCsumErrors +1" "$UDPLITE_WHY"
		skip "$_rx's stack: UdpLite6InCsumErrors +1" "$UDPLITE_WHY"
	fi
}

# Linux 7.1 removed UDP-Lite: no socket receives it, no counter counts it.
# The frames still cross and are checked on the wire; the stack's word on
# them is skipped there. An older kernel must have it.
UDPLITE=yes
UDPLITE_WHY=
if [ "$(snmp UdpLite InCsumErrors)" = missing ]; then
	UDPLITE=
	UDPLITE_WHY="$(uname -r) has no UDP-Lite (no UdpLite line in /proc/net/snmp)"
fi

plan 30

check_eq "UDP-Lite in the stack: present before 7.1, gone since" \
	"$(kernel_at_least 7 1 || echo yes)" "$UDPLITE"

check_cmd "load snull" snull_load
diag "copy=$(param copy)"
check_cmd "snull-setup --ipv6" snull_setup_addrs --ipv6
check_cmd "snull-setup returned with both links up" both_up
send_l4 sn0 sn1 192.168.1.1 192.168.1.2 fd00:0:0:1::1 fd00:0:0:1::2
send_l4 sn1 sn0 192.168.0.2 192.168.0.1 fd00::2 fd00::1

finish
