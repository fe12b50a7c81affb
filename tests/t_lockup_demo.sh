#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 16
# snull-debug-cost: 85
# snull-passes: rt
# snull-boot: watchdog
# snull-allow-log: NETDEV WATCHDOG
#
# The book's lockup demo with every other parameter at its default:
# `insmod snull.ko lockup=7` and a ping every 0.2 s. Each lockup loses a
# TX-done interrupt; the queue waits for the watchdog, whose reset must come
# within about a second (the book's time-out was 5 jiffies), so the pings
# around a lockup come back late and none is lost. Each lost interrupt costs
# exactly one time-out, counted in tx_errors. Then the other half of the
# bargain: a flood without lockup, with the same short default time-out,
# must never time out, on a slow debug kernel too.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	pktgen_unload
	lib_cleanup
}
trap cleanup EXIT

PINGS=30
MAX_RTT=2500	# ms: a reset within about a second, plus a slow VM's margin

plan 22

check_cmd "load snull lockup=7 (nothing else)" snull_load lockup=7
check_eq "the default time-out is 500 ms" 500 "$(param timeout)"
check_cmd "snull-setup" snull_setup_addrs
ping_run "$TMP/ping" -c $PINGS -i 0.2 -W 3 192.168.0.2
grep -E 'transmitted|min/avg/max' "$TMP/ping" | diag
check_eq "$PINGS pings 0.2 s apart through lockups: every reply comes back" \
	$PINGS "$(ping_received "$TMP/ping")"
check_lt "the slowest reply is under $MAX_RTT ms (recovery within about a second)" \
	$MAX_RTT "$(ping_max_rtt "$TMP/ping")"
# The lockup after the last ping is repaired by the watchdog too.
check_cmd "both rings drain and run again" settle
for dev in sn0 sn1; do
	lost=$(estat $dev tx_lost_irqs)
	diag "$dev: tx_packets $(stat $dev tx_packets), lost TX-done $lost," \
		"time-outs $(estat $dev tx_timeouts)"
	# Every 7th of at least $PINGS frames each way.
	check_ge "$dev: lockup=7 caused lockups" $((PINGS / 7)) "$lost"
	check_eq "$dev: one time-out per lost TX-done interrupt" \
		"$lost" "$(estat $dev tx_timeouts)"
	check_eq "$dev: tx_errors counts one error per lockup" \
		"$lost" "$(stat $dev tx_errors)"
done
reconcile
snull_unload

# --- no lockup: a flood never times out with the default time-out ---
check_cmd "load snull (defaults)" snull_load
check_cmd "snull-setup" snull_setup_addrs
check_cmd "pktgen: 20000 frames each way" pktgen_flood 20000
iperf_server 5201
check_cmd "iperf3 UDP both ways, unlimited, 3 s" \
	timeout 30 iperf3 -c 192.168.0.2 -p 5201 -u -b 0 -l 1200 -t 3 --bidir
settle
check_eq "no time-out on either side" 0 "$(sum_estat tx_timeouts)"
check_ge "the flood crossed: sn0 sent at least 20000 frames" 20000 \
	"$(stat sn0 tx_packets)"
reconcile

finish
