#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 12
# snull-debug-cost: 77
#
# Frames at the edges of the MTU and of the ring buffer (1518 bytes).
#
# - AF_PACKET lets root send dev->mtu + 14 bytes (+ 4 for a VLAN-tagged
#   frame): those go out, one byte more is refused by the stack (EMSGSIZE)
#   and never reaches snull. A tagged frame is not IPv4: tx_drop_not_ipv4.
# - pktgen ignores the MTU: a 1518-byte IPv4 frame still fits a ring buffer
#   and crosses; a 1519-byte one is tx_drop_oversize, and nothing else.
# - ping with DF (snull-raw ping, as "ping -M do": the VM's busybox ping has
#   no -M): 1472 data bytes cross both ways intact at MTU 1500, 1473 fail
#   locally with "message too long"; at MTU 68, 40 and 41. Without DF the
#   stack fragments instead, and the fragments cross the address trick.
# - A receiver at a smaller MTU (576) takes frames up to its MTU + 18 bytes
#   and drops longer ones as rx_length_errors.
# - MTU 67 and 1501 are refused.
# Counters are compared exactly: the test frames go to .99 addresses, which
# the receiver drops silently, so nothing else crosses meanwhile.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

# snap FROM TO: "tx_packets tx_bytes tx_dropped" of FROM, "rx_packets
# rx_bytes" of TO.
snap()
{
	echo "$(stat "$1" tx_packets) $(stat "$1" tx_bytes) $(stat "$1" tx_dropped)" \
		"$(stat "$2" rx_packets) $(stat "$2" rx_bytes)"
}

# delta FROM TO BEFORE: what grew since the snap BEFORE, once things settle.
delta()
{
	sleep 0.3
	# shellcheck disable=SC2046,SC2086 # numbers, split on purpose
	set -- $(snap "$1" "$2") $3
	echo "$(sub "$1" "$6") $(sub "$2" "$7") $(sub "$3" "$8") $(sub "$4" "$9") $(sub "$5" "${10}")"
}

other()
{
	[ "$1" = sn0 ] && echo sn1 || echo sn0
}

# frame_case DEV KIND LEN WANT DELTA DESC: snull-raw frame prints WANT,
# and the counters move by DELTA ("tx_packets tx_bytes tx_dropped
# rx_packets rx_bytes").
frame_case()
{
	_b=$(snap "$1" "$(other "$1")")
	_r=$(snull-raw frame "$1" "$2" "$3" 2>"$TMP/raw.err")
	check_eq "$6: send gives $4" "$4" "$_r"
	check_eq "$6: counters move by $5 (tx pkts bytes dropped, peer rx pkts bytes)" \
		"$5" "$(delta "$1" "$(other "$1")" "$_b")"
}

df_ping()
{
	snull-raw ping "$@" 2>"$TMP/ping.err"
}

# frag_ping PREFIX SIZE: 2 pings of SIZE data bytes to 192.168.0.2 without
# DF, too big for sn0's MTU, are answered, and each leaves in 2 fragments.
frag_ping()
{
	_b=$(snap sn0 sn1)
	ping_run "$TMP/ping" -c 2 -i 0.2 -W 2 -s "$2" 192.168.0.2
	check_eq "${1}ping -s $2 without DF (fragmented): 2 replies" 2 "$(ping_received "$TMP/ping")"
	_d=$(delta sn0 sn1 "$_b")
	check_eq "${1}... in 2 fragments each: sn0 sent 4 frames" 4 "${_d%% *}"
}

plan 53

check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs
check_cmd "pktgen.ko loads" pktgen_load
sleep 1

# --- MTU 1500: AF_PACKET at the limit and one byte over ---
for d in sn0 sn1; do
	frame_case $d ipv4 1514 ok "1 1514 0 1 1514" "$d: 1514-byte frame (MTU + 14)"
	frame_case $d ipv4 1515 EMSGSIZE "0 0 0 0 0" "$d: 1515-byte frame"
done
b=$(estat sn0 tx_drop_not_ipv4)
frame_case sn0 vlan 1518 ok "0 0 1 0 0" "sn0: 1518-byte VLAN-tagged frame (MTU + 18)"
check_eq "sn0: ... dropped as tx_drop_not_ipv4" "$(add "$b" 1)" "$(estat sn0 tx_drop_not_ipv4)"
frame_case sn0 vlan 1519 EMSGSIZE "0 0 0 0 0" "sn0: 1519-byte VLAN-tagged frame"

# --- pktgen ignores the MTU: the ring buffer is the limit ---
o=$(estat sn0 tx_drop_oversize)
b=$(snap sn0 sn1)
check_cmd "pktgen: 16 frames of 1518 bytes on sn0" pktgen_send sn0 16 1518
check_eq "1518-byte frames fit a ring buffer and cross" "16 24288 0 16 24288" \
	"$(delta sn0 sn1 "$b")"
check_eq "... no tx_drop_oversize" "$o" "$(estat sn0 tx_drop_oversize)"
b=$(snap sn0 sn1)
check_cmd "pktgen: 16 frames of 1519 bytes on sn0" pktgen_send sn0 16 1519
check_eq "1519-byte frames are dropped at transmit, none cross" "0 0 16 0 0" \
	"$(delta sn0 sn1 "$b")"
check_eq "... all 16 counted as tx_drop_oversize" "$(add "$o" 16)" \
	"$(estat sn0 tx_drop_oversize)"

# --- a receiver with a smaller MTU takes up to its MTU + 18 bytes ---
check_cmd "ip link set sn1 mtu 576" ip link set sn1 mtu 576
l=$(estat sn1 rx_length_errors)
b=$(snap sn0 sn1)
check_cmd "pktgen: 16 frames of 594 bytes on sn0" pktgen_send sn0 16 594
check_eq "594-byte frames (sn1's MTU 576 + 18) cross" "16 9504 0 16 9504" \
	"$(delta sn0 sn1 "$b")"
b=$(snap sn0 sn1)
check_cmd "pktgen: 16 frames of 595 bytes on sn0" pktgen_send sn0 16 595
check_eq "595-byte frames leave sn0, sn1 takes none" "16 9520 0 0 0" \
	"$(delta sn0 sn1 "$b")"
check_eq "... all 16 counted as sn1 rx_length_errors" "$(add "$l" 16)" \
	"$(estat sn1 rx_length_errors)"
check_cmd "ip link set sn1 mtu 1500" ip link set sn1 mtu 1500

# --- the MTU range itself ---
check_fail "ip link set sn0 mtu 67 fails" ip link set sn0 mtu 67
check_fail "ip link set sn0 mtu 1501 fails" ip link set sn0 mtu 1501
check_eq "sn0 still at MTU 1500" 1500 "$(cat /sys/class/net/sn0/mtu)"

# --- MTU 68, the smallest IPv4 allows ---
check_cmd "ip link set sn0 mtu 68" ip link set sn0 mtu 68
frame_case sn0 ipv4 82 ok "1 82 0 1 82" "sn0 at MTU 68: 82-byte frame"
frame_case sn0 ipv4 83 EMSGSIZE "0 0 0 0 0" "sn0 at MTU 68: 83-byte frame"
check_eq "MTU 68: ping -s 40 -M do 192.168.0.2 answered" "sent 1 received 1 bad 0" \
	"$(df_ping 192.168.0.2 40 1)"
check_eq "MTU 68: ping -s 41 -M do 192.168.0.2: message too long" EMSGSIZE \
	"$(df_ping 192.168.0.2 41 1)"
frag_ping "MTU 68: " 41
check_cmd "ip link set sn0 mtu 1500" ip link set sn0 mtu 1500

# --- MTU 1500: full-size pings with DF ---
check_eq "ping -s 1472 -M do 192.168.0.2: 3 intact replies" "sent 3 received 3 bad 0" \
	"$(df_ping 192.168.0.2 1472 3)"
check_eq "ping -s 1472 -M do 192.168.1.1: 3 intact replies" "sent 3 received 3 bad 0" \
	"$(df_ping 192.168.1.1 1472 3)"
b=$(snap sn0 sn1)
check_eq "ping -s 1473 -M do 192.168.0.2: message too long" EMSGSIZE \
	"$(df_ping 192.168.0.2 1473 1)"
check_eq "... and nothing left sn0" "0 0 0 0 0" "$(delta sn0 sn1 "$b")"
check_eq "ping -s 1473 -M do 192.168.1.1: message too long" EMSGSIZE \
	"$(df_ping 192.168.1.1 1473 1)"
frag_ping "" 1473

check_eq "in all, 16 tx_drop_oversize (the 1519-byte pktgen frames)" 16 \
	"$(sum_estat tx_drop_oversize)"
check_eq "no tx_busy" 0 "$(sum_estat tx_busy)"
reconcile

finish
