#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 6
# snull-debug-cost: 33
# snull-passes: copy
#
# The two ends of the wire may have different MTUs. Like a real MAC, the
# receiver takes frames up to its own MTU + 18 bytes (Ethernet header and
# one VLAN tag) and drops longer ones, counting them in rx_length_errors
# and rx_errors (docs/interface.md). The sender is not told: a ping larger
# than the receiver's MTU is lost, the classic MTU mismatch, and the
# counters say where.
#
# The raw frames go to .99 of the peer's /24, which the receiving stack
# drops without an answer, so counters move by exactly what is sent.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

# rx_state: sn1's rx_packets, rx_errors and rx_length_errors.
rx_state()
{
	echo "$(stat sn1 rx_packets) $(stat sn1 rx_errors) $(estat sn1 rx_length_errors)"
}

# moved BEFORE: how much each of rx_state's counters grew since BEFORE.
moved()
{
	# shellcheck disable=SC2046,SC2086 # numbers, split on purpose
	set -- $1 $(rx_state)
	echo "$(sub "$4" "$1") $(sub "$5" "$2") $(sub "$6" "$3")"
}

# raw_case LEN EXPECTED DESC: one LEN-byte frame from sn0 to sn1 (MTU 576).
raw_case()
{
	_b=$(rx_state)
	check_eq "$3: sent" ok "$(snull-raw frame sn0 ipv4 "$1" 2>&1)"
	sleep 0.2
	check_eq "$3: sn1 rx_packets, rx_errors, rx_length_errors move by $2" \
		"$2" "$(moved "$_b")"
}

# The length error column of "ip -s -s link": the line after "RX errors:".
ip_length_errors()
{
	ip -s -s link show "$1" |
		awk '/RX errors:/ { getline; print $1; found = 1 }
			END { if (!found) print "missing" }'
}

plan 17

check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs
check_cmd "ip link set sn1 mtu 576" ip link set sn1 mtu 576
sleep 0.5

raw_case 594 "1 0 0" "594-byte frame (sn1's MTU + 18)"
raw_case 595 "0 1 1" "595-byte frame"
raw_case 1514 "0 1 1" "1514-byte frame (sn0's MTU + 14)"
check_eq "ip -s -s link show sn1: 2 length errors" 2 "$(ip_length_errors sn1)"

# A ping too large for sn1 leaves sn0 whole and is dropped by sn1.
b=$(rx_state)
ping_run "$TMP/ping" -c 3 -i 0.2 -W 1 -s 1000 192.168.0.2
check_eq "ping -s 1000 192.168.0.2 at sn1 MTU 576: no reply" 0 "$(ping_received "$TMP/ping")"
check_eq "... its 3 requests are sn1 rx_length_errors" "0 3 3" "$(moved "$b")"
# The other way, sn0 at MTU 1500 takes what sn1 (576) sends.
ping_run "$TMP/ping" -c 3 -i 0.2 -W 1 -s 500 192.168.1.1
check_eq "ping -s 500 192.168.1.1 from sn1 at MTU 576: 3 replies" 3 \
	"$(ping_received "$TMP/ping")"

check_cmd "ip link set sn1 mtu 1500" ip link set sn1 mtu 1500
ping_run "$TMP/ping" -c 3 -i 0.2 -W 1 -s 1000 192.168.0.2
check_eq "ping -s 1000 192.168.0.2 at MTU 1500 again: 3 replies" 3 \
	"$(ping_received "$TMP/ping")"
reconcile

finish
