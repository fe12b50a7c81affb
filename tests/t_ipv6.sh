#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 30
# snull-debug-cost: 120
# snull-passes: copy
#
# The address trick for IPv6 (issue #12): the low bit of byte 7 flips, so
# fd00::/64 (sn0) and fd00:0:0:1::/64 (sn1) look remote to each other.
# - snull-setup --ipv6 gives the addresses and returns with both links up;
# - ping -6 and a TCP transfer (cmp) work both ways, the receiver's capture
#   shows the flipped addresses, the sender's its frame unchanged;
# - TCP, UDP and ICMPv6 sums are right on the wire (snull-pcapsum), with
#   checksum offload off and on: complete sums, or in zero-copy mode with
#   offload the partial sums updated for the new addresses; a UDP sum that
#   the trick's update brings to 0 leaves as 0xffff;
# - the rule (docs/interface.md): link-scope packets (the kernel's own
#   router solicitations and MLD reports, DAD probes from ::, fe80:: to
#   ff02::1) and neighbour discovery messages pass unchanged and are not
#   dropped; a packet between global addresses with an extension header
#   (hop-by-hop, fragment) is dropped and counted in tx_drop_ipv6_nexthdr.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	exec 7>&- 2>/dev/null
	lib_cleanup
}
trap cleanup EXIT

PORT=5001	# the nc server's
UPORT=5201	# iperf3's (UDP)
KB=512		# KiB of random data a TCP transfer carries

# v6cap NAME IFACE FILTER...: capture IFACE's incoming frames matching
# FILTER into $TMP/NAME.pcap (at most 20); v6cap_end NAME ends it and
# prints the frames into $TMP/NAME.cap and their sums into $TMP/NAME.sums.
v6cap()
{
	_vn=$1
	_vi=$2
	shift 2
	cap_start "$_vn" "$_vi" -Q in -n -U -c 20 -w "$TMP/$_vn.pcap" "$@"
}

v6cap_end()
{
	cap_wait "$1" "${2:-5}"
	tcpdump -n -vv -r "$TMP/$1.pcap" >"$TMP/$1.cap" 2>/dev/null
	snull-pcapsum "$TMP/$1.pcap" >"$TMP/$1.sums" 2>&1
}

# ping6 PREFIX DST RXIF SRC' DST': ping -6 DST three times; RXIF receives
# the requests as SRC' > DST', with a complete ICMPv6 sum.
ping6()
{
	v6cap ping "$3" 'icmp6 and ip6[40] == 128'
	ping_run "$TMP/ping" -6 -c 3 -i 0.2 -W 2 "$2"
	v6cap_end ping 2
	check_eq "$1: ping -6 $2: 3 replies" 3 "$(ping_received "$TMP/ping")"
	[ "$(ping_received "$TMP/ping")" = 3 ] || diag <"$TMP/ping"
	check_grep "$1: $3 receives the requests as $4 > $5" \
		"^$4 > $5 icmp6 len [0-9]+: full\$" "$TMP/ping.sums"
	check_nogrep "$1: no bad ICMPv6 sum on $3" ': bad$' "$TMP/ping.sums"
}

# tcp6 PREFIX DST RXIF SRC' DST': $KB KiB with busybox nc to DST:PORT, the
# server on this host; RXIF's capture of it shows SRC' > DST' and sums
# that are right (complete, or partial ones updated by the trick).
tcp6()
{
	rm -f "$TMP/rx"
	v6cap tcp "$3" tcp port $PORT
	# The server's stdin is a FIFO this shell holds open (fd 7), as in
	# t_offloads: busybox nc ends at EOF on the connection.
	# shellcheck disable=SC2016 # expanded by that shell
	bg sh -c 'exec nc -l -p "$1" <"$2" >"$3" 2>"$4"' nc-server $PORT \
		"$TMP/fifo" "$TMP/rx" "$TMP/nc-s.err"
	_srv=$BG_PID
	wait_for 10 sh -c "ss -ltn 'sport = :$PORT' | grep -q LISTEN"
	timeout 60 nc "$2" $PORT <"$TMP/data" >/dev/null 2>"$TMP/nc-c.err"
	_rc=$?
	wait_pid "$_srv" 20 || { diag "the nc server did not end"; kill "$_srv"; }
	v6cap_end tcp 2
	check_eq "$1: TCP to [$2]:$PORT: nc sends $KB KiB and ends" 0 "$_rc"
	[ "$_rc" -eq 0 ] || cat "$TMP/nc-c.err" "$TMP/nc-s.err" | diag
	check_cmd "$1: TCP to $2: the data arrive unchanged (cmp)" \
		cmp "$TMP/data" "$TMP/rx"
	sums_ok "$1" tcp "$3" "$4" "$5"
}

# udp6 PREFIX DST RXIF SRC' DST': iperf3 UDP for a second, then sums_ok.
udp6()
{
	v6cap udp "$3" udp port $UPORT
	timeout 15 iperf3 -6 -c "$2" -p $UPORT -t 1 -u -b 2M -l 1200 \
		>"$TMP/iperf.out" 2>&1
	_rc=$?
	v6cap_end udp 2
	check_eq "$1: iperf3 -u to $2 ends well" 0 "$_rc"
	[ "$_rc" -eq 0 ] || tail -n 5 "$TMP/iperf.out" | diag
	sums_ok "$1" udp "$3" "$4" "$5"
}

# sums_ok PREFIX PROTO RXIF SRC' DST': the capture tcp6/udp6 made shows
# SRC' > DST', no bad sum, and the kind the mode gives: complete sums with
# offload off or copy=1, partial ones in zero-copy mode with offload.
sums_ok()
{
	tail -n 1 "$TMP/$2.sums" | diag
	check_grep "$1: $3 receives $2 as $4 > $5" "^$4 > $5 $2 " "$TMP/$2.sums"
	check_nogrep "$1: no bad $2 sum on $3 (snull-pcapsum)" ': bad$' \
		"$TMP/$2.sums"
	if [ "$TX" = on ] && [ "$COPY" != 1 ]; then
		_kind=partial
	else
		_kind=full
	fi
	check_grep "$1: $2 sums on $3 are $_kind ones, right for $4 > $5" \
		"^$4 > $5 $2 .*: $_kind\$" "$TMP/$2.sums"
}

plan 63

check_cmd "load snull" snull_load
COPY=$(cat /sys/module/snull/parameters/copy 2>/dev/null || echo 1)
diag "copy=$COPY"
check_cmd "snull-setup --ipv6" snull_setup_addrs --ipv6
check_cmd "snull-setup returned with both links up" both_up
check_eq "sn0 has fd00::1/64, sn1 fd00:0:0:1::2/64" \
	"inet6 fd00::1/64 inet6 fd00:0:0:1::2/64" \
	"$(ip -6 -o addr show dev sn0 scope global | awk '{ print $3, $4 }') $(ip -6 -o addr show dev sn1 scope global | awk '{ print $3, $4 }')"
ethtool -K sn0 gro off
ethtool -K sn1 gro off
head -c $((KB * 1024)) /dev/urandom >"$TMP/data"
mkfifo "$TMP/fifo"
exec 7<>"$TMP/fifo"
iperf_server $UPORT

# --- ping -6 and TCP both ways, checksum offload off and on ---
for TX in off on; do
	check_cmd "ethtool -K sn0/sn1 tx $TX" \
		sh -c "ethtool -K sn0 tx $TX && ethtool -K sn1 tx $TX"
	ping6 "tx $TX" fd00::2 sn1 fd00:0:0:1::1 fd00:0:0:1::2
	ping6 "tx $TX" fd00:0:0:1::1 sn0 fd00::2 fd00::1
	tcp6 "tx $TX" fd00::2 sn1 fd00:0:0:1::1 fd00:0:0:1::2
	tcp6 "tx $TX" fd00:0:0:1::1 sn0 fd00::2 fd00::1
	udp6 "tx $TX" fd00::2 sn1 fd00:0:0:1::1 fd00:0:0:1::2
done

# --- sn0's capture shows the frame it sent unchanged ---
cap_start out sn0 -Q out -n -c 1 'icmp6 and ip6[40] == 128'
ping_run "$TMP/ping" -6 -c 1 -W 2 fd00::2
cap_wait out 5
check_grep "sn0's capture shows its request unchanged: fd00::1 > fd00::2" \
	'fd00::1 > fd00::2: ICMP6, echo request' "$TMP/out.cap"

# --- crafted frames: the rule, and a UDP sum the update brings to 0 ---
# inject_seen NAME KIND: sn0 sends 3 frames of KIND, sn1 captures them.
inject_seen()
{
	v6cap "$1" sn1 ip6 and not ip6 dst ff02::16 and not ip6 dst ff02::2
	inject sn0 "$2" 3
	v6cap_end "$1" 2
	diag <"$TMP/$1.cap"
}

drop0=$(stat sn0 tx_dropped)
inject_seen good ipv6_good
check_grep "ipv6_good: sn1 receives fd00:0:0:1::1 > fd00:0:0:1::2 with a good UDP sum" \
	'fd00:0:0:1::1\.40000 > fd00:0:0:1::2\.9: \[udp sum ok\]' "$TMP/good.cap"
inject_seen udp0 ipv6_udp0
check_grep "ipv6_udp0: the UDP sum the update brought to 0 arrives as 0xffff, right" \
	'^fd00:0:0:1::1 > fd00:0:0:1::2 udp len 40: full$' "$TMP/udp0.sums"
check_nogrep "ipv6_udp0: not as 'no checksum' (0)" ': none$' "$TMP/udp0.sums"
inject_seen dad ipv6_dad
check_grep "a DAD probe (:: > ff02::1:ff00:2) passes unchanged" \
	':: > ff02::1:ff00:2: .*neighbor solicitation.*who has fd00::2' \
	"$TMP/dad.cap"
inject_seen ns ipv6_ns
check_grep "a neighbour solicitation between global addresses passes unchanged" \
	'fd00::1 > fd00::2: .*neighbor solicitation.*who has fd00::2' \
	"$TMP/ns.cap"
check_grep "its ICMPv6 sum is still right" \
	'^fd00::1 > fd00::2 icmp6 len 24: full$' "$TMP/ns.sums"
inject_seen ll ipv6
check_grep "fe80:: > ff02::1 UDP passes unchanged" \
	'fe80::[0-9a-f:]+\.40000 > ff02::1\.9: ' "$TMP/ll.cap"
check_eq "none of these was dropped at sn0" "$drop0" "$(stat sn0 tx_dropped)"

for kind in ipv6_hbh ipv6_frag; do
	drop0=$(stat sn0 tx_dropped)
	nh0=$(estat sn0 tx_drop_ipv6_nexthdr)
	inject_seen "$kind" "$kind"
	check_eq "$kind: tx_drop_ipv6_nexthdr grows by 3" "$(add "$nh0" 3)" \
		"$(estat sn0 tx_drop_ipv6_nexthdr)"
	check_eq "$kind: tx_dropped grows by 3" "$(add "$drop0" 3)" \
		"$(stat sn0 tx_dropped)"
	check_nogrep "$kind: nothing of it reaches sn1" 'udp|UDP' "$TMP/$kind.cap"
done

# --- the kernel's own link-scope traffic crosses unchanged ---
# sn0 down and up: sn0 solicits routers from its fe80:: address (after up
# to rtr_solicit_delay, 1 s), and reports its multicast groups (MLD, with
# a hop-by-hop header): both link-scope, both pass. (Last: going down takes
# sn0's fd00::1 away.)
cap_start rs sn1 -Q in -n -c 1 'icmp6 and ip6[40] == 133'
ip link set sn0 down
ip link set sn0 up
wait_for 10 both_up
cap_wait rs 10
check_grep "sn1 receives sn0's router solicitation unchanged (fe80:: > ff02::2)" \
	'fe80::[0-9a-f:]+ > ff02::2: ICMP6, router solicitation' "$TMP/rs.cap"

# Everything IPv6 the kernel sent (solicitations, MLD reports, echo, TCP,
# UDP) went through: nothing counted as "not IPv4" any more.
check_eq "sn0 and sn1: tx_drop_not_ipv4 is 0" "0 0" \
	"$(estat sn0 tx_drop_not_ipv4) $(estat sn1 tx_drop_not_ipv4)"

finish
