#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 25
# snull-debug-cost: 33
# snull-passes: rt debug
#
# Faults inside xmit_more batches, one way only, so that no frame of the
# other direction rings a doorbell by chance.
#
# A dropped last frame: pktgen sends a burst of 8 from sn0, the first 7
# with xmit_more, and drop_every=8 drops the 8th. The 7 must still be
# delivered: the drop rings the doorbell the batch owes. (It did not: the
# 7 stayed on the wire, in flight for BQL, until some later frame rang.)
#
# Lost interrupts under bursts: the lockup knob stalls sn0's engine every
# 500th frame while pktgen sends bursts of 8. The frame that stalls the
# engine stops the queue in the middle of a burst, with xmit_more, and
# must ring the doorbell, since no next frame will come before the
# watchdog's reset: every frame is delivered, and each lost interrupt
# costs one time-out. (A doorbell rung only on a full ring hung the pair.)

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

BQL=/sys/class/net/sn0/queues/tx-0/byte_queue_limits

# burst COUNT BURST: COUNT frames from sn0 to its sink, BURST a call; true
# when pktgen sent them all.
burst()
{
	pktgen_reset
	pktgen_dev 0 sn0 "$1" "$(sink_ip sn0)" "$(peer_mac sn0)" >/dev/null &&
		echo "burst $2" >/proc/net/pktgen/sn0 || return 1
	pktgen_run 120
	_sent=$(pktgen_sofar sn0)
	pktgen_reset
	[ "$_sent" = "$1" ] || { diag "pktgen sent $_sent of $1"; return 1; }
}

# frames xmit has taken on sn0 since load: the fault knobs' frame count
taken()
{
	add "$(stat sn0 tx_packets)" "$(ring_field sn0 in_flight)" \
		"$(stat sn0 tx_dropped)"
}

plan 18

check_cmd "pktgen.ko loads" pktgen_load || die "no pktgen"
check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs

# --- the last frame of a batch dropped ---
# The knobs count every frame since load: bring the count to a multiple of
# 8 first, one frame a call, so that the burst's 8th is the one dropped.
n=$(taken)
if is_number "$n" && [ $((n % 8)) -ne 0 ]; then
	pktgen_send sn0 $((8 - n % 8)) >/dev/null
	settle sn0
fi
check_eq "frames taken so far: a multiple of 8" 0 "$(($(taken) % 8))"
rx0=$(stat sn1 rx_packets)
f0=$(estat sn0 tx_drop_fault)
knob sn0 drop_every 8
check_cmd "a burst of 8 from sn0" burst 8 8
knob sn0 drop_every 0
check_eq "the 8th was dropped (tx_drop_fault +1)" "$(add "$f0" 1)" \
	"$(estat sn0 tx_drop_fault)"
check_cmd "the 7 before it leave sn0's ring within 5 s" wait_for 5 ring_clean sn0
check_eq "sn1 received the 7" "$(add "$rx0" 7)" "$(stat sn1 rx_packets)"
check_eq "BQL: nothing in flight on sn0" 0 "$(cat $BQL/inflight)"

# --- lost TX-done interrupts under bursts ---
lost0=$(estat sn0 tx_lost_irqs)
to0=$(estat sn0 tx_timeouts)
tx0=$(stat sn0 tx_packets)
rx0=$(stat sn1 rx_packets)
knob sn0 lockup 500
check_cmd "4000 frames from sn0, bursts of 8, a lost interrupt every 500" \
	burst 4000 8
knob sn0 lockup 0
check_cmd "sn0's ring is clean within 10 s" wait_for 10 ring_clean sn0
# A lost TX-done is counted at xmit, its time-out up to a second later.
lockups_agree()
{
	[ "$(sub "$(estat sn0 tx_lost_irqs)" "$lost0")" = \
	  "$(sub "$(estat sn0 tx_timeouts)" "$to0")" ]
}
wait_for 5 lockups_agree
lost=$(sub "$(estat sn0 tx_lost_irqs)" "$lost0")
check_ge "interrupts were lost (tx_lost_irqs +$lost)" 4 "$lost"
check_eq "each lost interrupt cost one time-out" "$lost" \
	"$(sub "$(estat sn0 tx_timeouts)" "$to0")"
check_eq "sn0 sent the 4000" "$(add "$tx0" 4000)" "$(stat sn0 tx_packets)"
check_eq "sn1 received the 4000" "$(add "$rx0" 4000)" "$(stat sn1 rx_packets)"
check_eq "BQL: nothing in flight on sn0" 0 "$(cat $BQL/inflight)"
reconcile

finish
