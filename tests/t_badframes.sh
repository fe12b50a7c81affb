#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 10
# snull-debug-cost: 48
# snull-passes: copy debug
#
# Frames snull cannot rewrite are dropped at transmit and counted, each under
# its reason (pitfalls.md #9): ARP, VLAN, IPv6 with a hop-by-hop header,
# runts, bad IHL, bad version, bad total length, and IPv6 runts, bad version
# and bad payload length. Good frames still cross, and nothing breaks.
# (IPv6 itself crosses now: t_ipv6.)

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

COUNT=5
# KIND:counter
KINDS="arp:tx_drop_not_ipv4 ipv6_hbh:tx_drop_ipv6_nexthdr vlan:tx_drop_not_ipv4
runt:tx_drop_runt ihl4:tx_drop_bad_ihl ihl15:tx_drop_bad_ihl
badver:tx_drop_bad_ihl totlen_long:tx_drop_bad_len totlen_short:tx_drop_bad_len
ipv6_runt:tx_drop_runt ipv6_badver:tx_drop_bad_ihl ipv6_plen:tx_drop_bad_len"

plan 58

check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs

for dev in sn0 sn1; do
	for kc in $KINDS; do
		kind=${kc%%:*}
		counter=${kc#*:}
		drop0=$(stat $dev tx_dropped)
		cnt0=$(estat $dev "$counter")
		inject $dev "$kind" $COUNT
		sleep 0.2
		check_eq "$dev $kind: tx_dropped grows by $COUNT" \
			"$(add "$drop0" $COUNT)" "$(stat $dev tx_dropped)"
		check_eq "$dev $kind: $counter grows by $COUNT" \
			"$(add "$cnt0" $COUNT)" "$(estat $dev "$counter")"
	done
done

# --- good frames cross: sn0 -> sn1 with its addresses rewritten ---
N=10
drop0=$(stat sn0 tx_dropped)
rx1=$(stat sn1 rx_packets)
cap_start good sn1 -Q in -vv -n -c 1 udp and port 9
inject sn0 good $N
cap_wait good
sleep 0.2
check_eq "sn0 good: sn1 rx_packets grows by $N" "$(add "$rx1" $N)" "$(stat sn1 rx_packets)"
check_eq "sn0 good: sn0 tx_dropped unchanged" "$drop0" "$(stat sn0 tx_dropped)"
check_grep "sn1 receives 192.168.1.1 > 192.168.1.2 port 9 with a good UDP checksum" \
	'192\.168\.1\.1\.40000 > 192\.168\.1\.2\.9: \[udp sum ok\]' "$TMP/good.cap"

# --- and sn1 -> sn0 ---
drop1=$(stat sn1 tx_dropped)
rx0=$(stat sn0 rx_packets)
inject sn1 good $N
sleep 0.2
check_eq "sn1 good: sn0 rx_packets grows by $N" "$(add "$rx0" $N)" "$(stat sn0 rx_packets)"
check_eq "sn1 good: sn1 tx_dropped unchanged" "$drop1" "$(stat sn1 tx_dropped)"

ping_run "$TMP/ping" -c 3 -i 0.2 192.168.0.2
check_eq "ping 192.168.0.2 still works: 3 replies" 3 "$(ping_received "$TMP/ping")"
reconcile

finish
