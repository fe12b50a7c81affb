#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 70
# snull-debug-cost: 111
# snull-passes: debug
#
# Down and up under a flood: one end, the other, or both, at random, while
# pktgen (restarted after each up: it stops when carrier goes) and UDP
# through the stack flood both directions. ndo_stop flushes the wire and
# masks the line while the peer keeps posting; ndo_open must bring the
# receive path back every time. Afterwards every frame is accounted for,
# the rings are empty and ping works. Once with NAPI, once with netif_rx().
#
# Bounded per receive mode: TOGGLES down/up cycles or LIMIT seconds,
# whichever comes first.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

TOGGLES=250	# per receive mode: 500 in all
LIMIT=30	# seconds per receive mode
set_slow
MIN_TOGGLES=$(slow_min 30)

plan 35

rnd_seed
diag "seed $SEED; per mode $TOGGLES down/up cycles or $LIMIT s"
check_cmd "pktgen.ko loads" pktgen_load

for napi in 1 0; do
	m="use_napi=$napi"
	snull_unload
	check_cmd "$m: load" snull_load use_napi=$napi
	check_cmd "$m: snull-setup" snull_setup_addrs
	backlog0=$(softnet_dropped)
	flood_start $((LIMIT + 60))
	sleep 0.5

	BOUNCE_FAILS=0
	: >"$TMP/ip.err"
	n=0
	time_limit $LIMIT
	while [ $n -lt $TOGGLES ] && in_time; do
		n=$((n + 1))
		bounce 0 10
		rnd 3
		[ $R -eq 0 ] || usleep $((R * 20000))
	done
	elapsed=$((NOW - START))

	flood_stop
	ip link set sn0 up
	ip link set sn1 up
	diag "$m: $n down/up cycles in $elapsed s; $(blast_report)"
	check_flood "$m: the flood ran both ways"
	diag "$m: tx_drop_carrier $(sum_estat tx_drop_carrier), rx_drop_down" \
		"$(sum_estat rx_drop_down), tx_packets sn0 $(stat sn0 tx_packets)" \
		"sn1 $(stat sn1 tx_packets)"
	check_ge "$m: at least $MIN_TOGGLES down/up cycles" "$MIN_TOGGLES" "$n"
	check_eq "$m: every ip link set up/down worked" 0 $BOUNCE_FAILS
	[ $BOUNCE_FAILS -eq 0 ] || head -n 5 "$TMP/ip.err" | diag
	check_gt "$m: the toggles hit frames in flight (tx_drop_carrier + rx_drop_down > 0)" 0 \
		"$(add "$(sum_estat tx_drop_carrier)" "$(sum_estat rx_drop_down)")"
	check_cmd "$m: both ends up with carrier afterwards" wait_for 5 both_up
	reconcile
	# rx_dropped: the rx_drop_* counters, and (use_napi=0) the frames the
	# core's netif_rx backlog dropped, which only snull feeds here.
	check_eq "$m: rx_dropped of both == rx_drop_nomem + rx_drop_down + backlog drops" \
		"$(add "$(sum_estat rx_drop_nomem)" "$(sum_estat rx_drop_down)" $(($(softnet_dropped) - backlog0)))" \
		"$(add "$(stat sn0 rx_dropped)" "$(stat sn1 rx_dropped)")"
	check_cmd "$m: sn0 ring: nothing in flight, not stalled" ring_clean sn0
	check_cmd "$m: sn1 ring: nothing in flight, not stalled" ring_clean sn1
	check_eq "$m: no tx_busy" 0 "$(sum_estat tx_busy)"
	check_irq_context "$m: " $napi
	check_pings "$m: "
done

finish
