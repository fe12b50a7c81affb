#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 80
# snull-debug-cost: 142
# snull-passes: debug
# snull-allow-log: pktgen: WARNING: trying to remove a running interface
#
# rmmod under a flood: each round loads snull afresh (use_napi alternating),
# floods both directions (pktgen, which calls ndo_start_xmit directly, and
# UDP through the stack), and unloads while the frames fly. Every unload
# must finish and take everything with it; afterwards a fresh load carries
# traffic and its counters reconcile.
#
# Bounded: ROUNDS rounds or LIMIT seconds, whichever comes first (about
# 40 rounds fit on the normal kernel). pktgen's own "WARNING: trying to
# remove a running interface" (a pr_warn, no splat) is expected here.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

ROUNDS=50
LIMIT=75	# seconds for the rounds
set_slow
MIN_ROUNDS=$(slow_min 16)	# about 40 fit on the normal kernel

# pktgen_bg: pktgen on both devices, no count limit, started in the
# background ($PG); it stops when its devices go away.
pktgen_bg()
{
	pktgen_setup 0 192.168.0.2 "$(sink_ip sn1)" >"$TMP/pg.err" 2>&1 || return 1
	pktgen_start 120
}

# pktgen_sending: pktgen has sent frames on both devices in this run.
pktgen_sending()
{
	_s0=$(pktgen_sofar sn0)
	_s1=$(pktgen_sofar sn1)
	is_number "$_s0" && is_number "$_s1" && [ "$_s0" -gt 0 ] && [ "$_s1" -gt 0 ]
}

plan 20

rnd_seed
diag "seed $SEED; $ROUNDS rounds or $LIMIT s"
check_cmd "pktgen.ko loads" pktgen_load

# UDP both ways through the stack for the whole test: while snull is gone
# the sends fail (no route), and they resume at each load.
blast_start $((LIMIT + 120)) 192.168.0.2 "$(sink_ip sn1)"

bad_load=0 no_traffic=0 no_pktgen=0 bad_rmmod=0 not_gone=0 pg_stuck=0 max_rmmod=0
done_rounds=0
time_limit $LIMIT
while [ $done_rounds -lt $ROUNDS ] && in_time; do
	r=$done_rounds
	done_rounds=$((done_rounds + 1))
	if ! snull_load use_napi=$((r % 2)) || ! snull_setup_addrs; then
		bad_load=$((bad_load + 1))
		diag "round $r: load failed: $(cat "$TMP/insmod.err")"
		snull_unload
		continue
	fi
	PG=
	pktgen_bg || diag "round $r: pktgen setup failed: $(cat "$TMP/pg.err")"
	# pktgen must be sending on both devices when rmmod comes; its
	# threads take a moment to start (up to 5 s).
	if ! wait_for 5 pktgen_sending; then
		no_pktgen=$((no_pktgen + 1))
		diag "round $r: pktgen sent '$(pktgen_sofar sn0)' '$(pktgen_sofar sn1)' frames in 5 s"
	fi
	rnd 8
	sleep 0.$((R + 2))
	rx0=$(stat sn0 rx_packets)
	rx1=$(stat sn1 rx_packets)
	if [ "$rx0" = 0 ] || [ "$rx1" = 0 ] || [ "$rx0" = missing ] || [ "$rx1" = missing ]; then
		no_traffic=$((no_traffic + 1))
		diag "round $r: no traffic before rmmod (rx_packets sn0 $rx0, sn1 $rx1)"
	fi
	tick
	t0=$UPTIME
	timeout 60 rmmod snull >"$TMP/rmmod.out" 2>&1
	rc=$?
	tick
	ms=$(awk -v a="$t0" -v b="$UPTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
	[ "$ms" -le "$max_rmmod" ] || max_rmmod=$ms
	if [ $rc -ne 0 ]; then
		bad_rmmod=$((bad_rmmod + 1))
		diag "round $r: rmmod exit $rc after $ms ms: $(cat "$TMP/rmmod.out")"
	fi
	if ! wait_for 5 snull_gone; then
		not_gone=$((not_gone + 1))
		diag "round $r: after rmmod: $(grep '^snull ' /proc/modules)" \
			"$(ls -d /sys/class/net/sn* /sys/kernel/debug/snull 2>/dev/null)"
		snull_unload
	fi
	if [ -n "$PG" ] && ! wait_pid "$PG" 15; then
		pg_stuck=$((pg_stuck + 1))
		diag "round $r: pktgen still running 15 s after rmmod"
		echo stop >/proc/net/pktgen/pgctrl
		wait_pid "$PG" 5
	fi
done

blast_stop
diag "$done_rounds rounds in $((NOW - START)) s; slowest rmmod $max_rmmod ms;" \
	"$(blast_report)"
check_ge "at least $MIN_ROUNDS rounds done" "$MIN_ROUNDS" "$done_rounds"
check_eq "every load (and snull-setup) worked" 0 $bad_load
check_eq "every round carried frames both ways before rmmod" 0 $no_traffic
check_eq "in every round pktgen was sending on both devices at rmmod" 0 $no_pktgen
b0=$(blast_sent 0) b1=$(blast_sent 1)
check_cmd "the UDP flood through the stack sent datagrams both ways ($b0, $b1)" \
	sh -c "[ '$b0' -gt 0 ] && [ '$b1' -gt 0 ]"
check_eq "every rmmod under the flood succeeded" 0 $bad_rmmod
check_eq "after every rmmod: no snull, sn0, sn1 or debugfs directory" 0 $not_gone
check_eq "pktgen let go of the devices after every rmmod" 0 $pg_stuck

# --- a fresh load after all that works, and its books balance ---
check_cmd "fresh load" snull_load
check_cmd "snull-setup" snull_setup_addrs
check_pings
check_cmd "pktgen: 20000 frames each way" pktgen_flood 20000
reconcile
check_cmd "sn0 ring: nothing in flight, not stalled" ring_clean sn0
check_cmd "sn1 ring: nothing in flight, not stalled" ring_clean sn1
check_eq "no tx_busy" "0 0" "$(estat sn0 tx_busy) $(estat sn1 tx_busy)"
check_cmd "rmmod snull" rmmod snull

finish
