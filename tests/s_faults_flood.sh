#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 55
# snull-debug-cost: 93
# snull-passes: debug
#
# The debugfs fault knobs changed at random under a flood: drop_every,
# drop_prob (reseeded now and then through drop_seed), corrupt_every,
# irq_delay_us and hold_ring (held a moment, then released), on either
# device, while pktgen and UDP through the stack flood both ways. Every
# knob is first set once on each device, so that each takes effect however
# few steps a slow machine manages. The flood must have run (check_flood).
# Afterwards: both devices dropped and corrupted frames; drop_every and
# corrupt_every still hit exactly 1 in N of a known number of frames, seen
# in tx_dropped and the peer's rx_errors; with the knobs back at 0 a clean
# flood loses nothing, the counters reconcile exactly, the rings are empty
# and ping works.
#
# The watchdog time-out is raised to 15 s so that hold_ring never lets it
# fire (this script runs with panic_on_warn).
#
# Bounded: STEPS knob changes or LIMIT seconds, whichever comes first.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

STEPS=400
LIMIT=45
set_slow
MIN_STEPS=$(slow_min 100)
POOL=64
DBG=/sys/kernel/debug/snull
KNOBS="drop_every drop_prob corrupt_every irq_delay_us hold_ring"

# set_knob DEV NAME: a random value for that knob (0 half the time).
set_knob()
{
	rnd 2
	_on=$R
	case $2 in
	drop_every|corrupt_every)
		rnd 19
		knob "$1" "$2" $((_on * (R + 2)))
		;;
	drop_prob)
		rnd 4
		[ $R -ne 0 ] || { rnd 30000; knob "$1" drop_seed $R; }
		rnd 30000
		knob "$1" drop_prob $((_on * R * 16))
		;;
	irq_delay_us)
		rnd 2000
		knob "$1" irq_delay_us $((_on * (R + 1)))
		;;
	hold_ring)
		knob "$1" hold_ring 1
		rnd 5
		sleep 0.$((R + 1))
		knob "$1" hold_ring 0
		;;
	esac
}

other()
{
	[ "$1" = sn0 ] && echo sn1 || echo sn0
}

knobs_off()
{
	for _d in sn0 sn1; do
		for _k in $KNOBS; do
			[ "$(cat "$DBG/$_d/$_k")" = 0 ] || { echo "$_d/$_k"; return 1; }
		done
	done
}

plan 26

rnd_seed
diag "seed $SEED; $STEPS knob changes or $LIMIT s"
check_cmd "pktgen.ko loads" pktgen_load
check_cmd "load snull (pool_size=$POOL timeout=15000)" \
	snull_load pool_size=$POOL timeout=15000
check_cmd "snull-setup" snull_setup_addrs

flood_start $((LIMIT + 60))
sleep 0.5

KNOB_FAILS=0
# Every knob once on each device, switched on.
for d in sn0 sn1; do
	knob $d drop_every 7
	knob $d drop_seed 42
	knob $d drop_prob 50000
	knob $d corrupt_every 5
	knob $d irq_delay_us 100
	knob $d hold_ring 1
	sleep 0.2
	knob $d hold_ring 0
done
sleep 0.5
n=0
time_limit $LIMIT
while [ $n -lt $STEPS ] && in_time; do
	n=$((n + 1))
	rnd 2
	d=sn$R
	rnd 5
	# shellcheck disable=SC2086
	set -- $KNOBS
	shift $R
	set_knob $d "$1"
	rnd 5
	[ $R -eq 0 ] || usleep $((R * 10000))
done
elapsed=$((NOW - START))

for d in sn0 sn1; do
	for k in $KNOBS; do
		knob "$d" "$k" 0
	done
done
flood_stop
diag "$n knob changes in $elapsed s; $(blast_report)"
check_flood "the flood ran both ways"
for d in sn0 sn1; do
	diag "$d: tx_packets $(stat $d tx_packets) tx_drop_fault $(estat $d tx_drop_fault)" \
		"rx_crc_errors $(estat $d rx_crc_errors) tx_queue_stopped $(estat $d tx_queue_stopped)"
done

check_ge "at least $MIN_STEPS knob changes" "$MIN_STEPS" "$n"
check_eq "every knob write worked" 0 $KNOB_FAILS
check_cmd "every knob reads 0 again" knobs_off
for d in sn0 sn1; do
	check_gt "$d: tx_drop_fault > 0" 0 "$(estat $d tx_drop_fault)"
	check_gt "$d: rx_crc_errors > 0" 0 "$(estat $d rx_crc_errors)"
done

# --- after the flood the knobs still count exactly ---
# Frame counts of *_every run from the load, so a multiple of N frames
# meets exactly 1/N of them whatever the flood left. pktgen_send sends to
# sink_ip: nothing answers, nothing else crosses.
for d in sn0 sn1; do
	p=$(other $d)
	settle
	tx0=$(stat $d tx_packets) dr0=$(stat $d tx_dropped) rx0=$(stat "$p" rx_packets)
	knob $d drop_every 4
	pktgen_send $d 400 || diag "$d: pktgen_send failed"
	knob $d drop_every 0
	settle
	check_eq "$d: drop_every=4, 400 frames sent: tx_dropped +100, tx_packets +300, $p rx_packets +300" \
		"100 300 300" "$(sub "$(stat $d tx_dropped)" "$dr0") $(sub "$(stat $d tx_packets)" "$tx0") $(sub "$(stat "$p" rx_packets)" "$rx0")"
	er0=$(stat "$p" rx_errors) rx0=$(stat "$p" rx_packets)
	knob $d corrupt_every 5
	pktgen_send $d 500 || diag "$d: pktgen_send failed"
	knob $d corrupt_every 0
	settle
	check_eq "$d: corrupt_every=5, 500 frames sent: $p rx_errors +100, rx_packets +400" \
		"100 400" "$(sub "$(stat "$p" rx_errors)" "$er0") $(sub "$(stat "$p" rx_packets)" "$rx0")"
done

# --- the knobs are off: a clean flood loses nothing ---
f0=$(sum_estat tx_drop_fault)
c0=$(sum_estat rx_crc_errors)
check_cmd "knobs off: pktgen 5000 frames each way" pktgen_flood 5000
check_eq "knobs off: no new tx_drop_fault or rx_crc_errors" "$f0 $c0" \
	"$(sum_estat tx_drop_fault) $(sum_estat rx_crc_errors)"
reconcile
check_cmd "sn0 ring: nothing in flight, not stalled" ring_clean sn0
check_cmd "sn1 ring: nothing in flight, not stalled" ring_clean sn1
check_eq "no tx_busy" 0 "$(sum_estat tx_busy)"
check_irq_context ""
check_pings

finish
