#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 35
# snull-debug-cost: 45
# snull-passes: debug
#
# ethtool -G at run time (issue #12): the TX ring of one device changes size,
# up or down, with the device up; sizes that are not a power of two, 0 or
# over the maximum, and RX sizes, are refused. Frames waiting on the wire
# move to the new ring and are delivered; when the new ring is too small,
# the oldest are dropped and counted at the peer. Under TCP both ways and a
# pktgen flood, resizing loses nothing uncounted, and the rings drain.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

# refused DESC ERE ARGS...: ethtool -G ARGS fails, saying ERE.
refused()
{
	_d=$1
	_e=$2
	shift 2
	check_refused "$_d" "$_e" ethtool -G "$@"
}

plan 38

check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs
check_cmd "pktgen loads" pktgen_load
check_eq "ethtool -g sn0: pool_size's 256" 256 "$(ring_param sn0 cur)"
check_cmd "ethtool -G sn0 tx 64, up" ethtool -G sn0 tx 64
check_eq "ethtool -g sn0: 64" 64 "$(ring_param sn0 cur)"
check_eq "snull-ctl ring sn0: pool_size=64" 64 "$(ring_field sn0 pool_size)"
check_eq "ethtool -g sn1: still 256 (the size is a device's)" 256 "$(ring_param sn1 cur)"
check_eq "pool_size stays the load-time default" 256 "$(param pool_size)"
refused "tx 100: not a power of two, said so" 'power of two' sn0 tx 100
refused "tx 0: not a power of two either, said so" 'power of two' sn0 tx 0
check_fail "tx 8192: over the maximum, refused" ethtool -G sn0 tx 8192
check_fail "rx 16: no RX ring, refused" ethtool -G sn0 rx 16
check_eq "ethtool -g sn0: still 64 after the refusals" 64 "$(ring_param sn0 cur)"
check_pings

# BQL would stop the queue after a few held frames: let them all through.
for dev in sn0 sn1; do
	echo 1000000 >/sys/class/net/$dev/queues/tx-0/byte_queue_limits/limit_min
done
check_ping "pings so that BQL applies limit_min" 3 192.168.0.2

# --- frames on the wire move to the new ring ---
knob sn0 hold_ring 1
r0=$(stat sn1 rx_packets)
d0=$(estat sn1 rx_drop_down)
check_cmd "pktgen: 5 frames from sn0, held on the wire" pktgen_send sn0 5
check_eq "sn0: 5 in flight" 5 "$(ring_field sn0 in_flight)"
check_cmd "ethtool -G sn0 tx 16 with 5 frames on the wire" ethtool -G sn0 tx 16
check_eq "sn0: the 5 frames moved: 5 in flight in a ring of 16" "5 16" \
	"$(ring_field sn0 in_flight) $(ring_field sn0 pool_size)"
knob sn0 hold_ring 0
settle
check_eq "sn1 rx_packets +5: delivered from the new ring" 5 "$(sub "$(stat sn1 rx_packets)" "$r0")"
check_eq "sn1 rx_drop_down unchanged" 0 "$(sub "$(estat sn1 rx_drop_down)" "$d0")"

# --- more on the wire than the new ring holds: the oldest are dropped ---
knob sn0 hold_ring 1
r0=$(stat sn1 rx_packets)
check_cmd "pktgen: 12 frames from sn0, held" pktgen_send sn0 12
check_cmd "ethtool -G sn0 tx 8 with 12 frames on the wire" ethtool -G sn0 tx 8
check_eq "sn0: 8 in flight" 8 "$(ring_field sn0 in_flight)"
check_eq "sn1 rx_drop_down +4: the 4 oldest dropped and counted" 4 \
	"$(sub "$(estat sn1 rx_drop_down)" "$d0")"
knob sn0 hold_ring 0
settle
check_eq "sn1 rx_packets +8: the rest delivered" 8 "$(sub "$(stat sn1 rx_packets)" "$r0")"
reconcile

# --- resizing both ends under TCP both ways and a pktgen flood ---
iperf_server 5201
bg timeout 60 iperf3 -c 192.168.0.2 -p 5201 -t 6 --bidir >"$TMP/tcp.out" 2>&1
tcp=$BG_PID
pktgen_setup 0 192.168.0.2 192.168.1.1
pktgen_start 30
sleep 1
i=0
fails=0
for size in 16 512 4 1024 32 8 256 256; do
	ethtool -G sn$((i % 2)) tx $size || fails=$((fails + 1))
	sleep 0.4
	i=$((i + 1))
done
pktgen_stop
check_eq "8 resizes (4 to 1024) under traffic: none failed" 0 $fails
check_cmd "pktgen sent both ways meanwhile" pktgen_both_sent
wait "$tcp"
rc=$?
check_eq "iperf3 TCP both ways across the resizes: succeeds" 0 $rc
[ $rc = 0 ] || diag <"$TMP/tcp.out"
check_eq "tx_busy is 0 on both" "0 0" "$(estat sn0 tx_busy) $(estat sn1 tx_busy)"
check_eq "ethtool -g: sn0 256, sn1 256" "256 256" "$(ring_param sn0 cur) $(ring_param sn1 cur)"
reconcile
bg_kill
pktgen_unload
check_cmd "unload" snull_unload
finish
