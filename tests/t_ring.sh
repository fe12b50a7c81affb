#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 12
# snull-debug-cost: 84
# snull-passes: copy rt
#
# The TX ring and flow control: with a tiny ring, floods in both directions
# stop and wake the queue but never return NETDEV_TX_BUSY, every frame is
# accounted for (pitfalls.md #2, #3), and full-MTU frames fit a ring buffer
# intact (pitfalls.md #1).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

plan 29

check_cmd "load snull pool_size=4" snull_load pool_size=4
check_cmd "snull-setup" snull_setup_addrs
check_eq "ethtool -g: TX maximum 4096" 4096 "$(ring_param sn0 max)"
check_eq "ethtool -g: TX current 4" 4 "$(ring_param sn0 cur)"
check_grep "snull-ctl ring sn0: version=1 pool_size=4" '^version=1 pool_size=4 ' \
	"$(snull-ctl ring sn0 >"$TMP/ring" 2>&1; echo "$TMP/ring")"

# --- pktgen in both directions at once ---
check_cmd "pktgen: 20000 frames each way" pktgen_flood 20000
for dev in sn0 sn1; do
	check_gt "$dev: tx_queue_stopped > 0" 0 "$(estat $dev tx_queue_stopped)"
	check_gt "$dev: tx_queue_woken > 0" 0 "$(estat $dev tx_queue_woken)"
done
diag "sn0: stopped $(estat sn0 tx_queue_stopped), woken $(estat sn0 tx_queue_woken);" \
	"sn1: stopped $(estat sn1 tx_queue_stopped), woken $(estat sn1 tx_queue_woken)"

# --- the stack's own path (qdisc, then xmit): UDP both ways, unlimited ---
iperf_server 5201
check_cmd "iperf3 UDP, both directions, unlimited rate" \
	timeout 30 iperf3 -c 192.168.0.2 -p 5201 -u -b 0 -l 1200 -t 3 --bidir
check_eq "sn0: tx_busy is 0" 0 "$(estat sn0 tx_busy)"
check_eq "sn1: tx_busy is 0" 0 "$(estat sn1 tx_busy)"
reconcile
check_grep "snull-ctl ring sn0 after the flood: nothing in flight, not stalled" \
	'^version=1 pool_size=4 in_flight=0 stalled=0$' \
	"$(snull-ctl ring sn0 >"$TMP/ring" 2>&1; echo "$TMP/ring")"
check_grep "snull-ctl ring sn1 after the flood: nothing in flight, not stalled" \
	'^version=1 pool_size=4 in_flight=0 stalled=0$' \
	"$(snull-ctl ring sn1 >"$TMP/ring" 2>&1; echo "$TMP/ring")"
bg_kill
pktgen_unload
snull_unload

# --- a ring of one buffer still carries full-MTU frames intact ---
check_cmd "load snull pool_size=1" snull_load pool_size=1
check_cmd "snull-setup" snull_setup_addrs
cap_start req sn1 -Q in -vv -n -c 5 icmp
cap_start rep sn0 -Q in -vv -n -c 5 icmp
ping_run "$TMP/ping" -c 5 -i 0.2 -s 1472 192.168.0.2
cap_wait req
cap_wait rep
check_eq "ping -s 1472 192.168.0.2 (1500-byte packets): 5 replies" 5 \
	"$(ping_received "$TMP/ping")"
check_grep "sn1 receives 1500-byte echo requests" \
	'proto ICMP \(1\), length 1500\)' "$TMP/req.cap"
check_nogrep "sn1: no bad IP or ICMP checksum (the payload is intact)" \
	'bad cksum|wrong icmp cksum' "$TMP/req.cap"
check_grep "sn0 receives 1500-byte echo replies" \
	'proto ICMP \(1\), length 1500\)' "$TMP/rep.cap"
check_nogrep "sn0: no bad IP or ICMP checksum (the payload is intact)" \
	'bad cksum|wrong icmp cksum' "$TMP/rep.cap"

check_cmd "pktgen: 3000 frames of 1514 bytes each way" pktgen_flood 3000 1514
check_eq "no tx_drop_oversize" 0 "$(sum_estat tx_drop_oversize)"
check_eq "no tx_busy" 0 "$(sum_estat tx_busy)"
reconcile

finish
