#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 35
# snull-debug-cost: 69
# snull-passes: rt debug
#
# use_napi=0: ndo_stop's flush against a handler still running. An
# irq_work queued on two CPUs runs on both, and irq_work_sync() can return
# while the second run, past its mask check, waits for priv->lock
# (pitfalls.md #20). If the flush then moved the ring's rx index too, both
# would deliver or count the same frames. Here pktgen sends into sn1 from
# both CPUs at once (sn0 and sn0@1), so sn1's interrupt is raised on both,
# while sn1 goes down and up again and again; after each round every frame
# must be accounted for exactly once. From the second round on, sn1's
# interrupts come 300 us late, so that frames may wait on the wire when sn1
# goes down. Last, the flush alone, exactly: frames held on the wire are
# all counted as dropped when sn1 goes down.
#
# The window is a few instructions wide, and QEMU runs both vCPUs in one
# host thread here: this test makes the race possible, not likely. The
# fix (the flush takes the lock, the handler checks the mask under it) is
# argued in snull_rx_flush().

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	pktgen_unload
	lib_cleanup
}
trap cleanup EXIT

ROUNDS=3
set_slow
# A debug kernel gets through a cycle about 8 times slower.
BOUNCES=$((10 / SLOW + 3))

# flood_sn1: pktgen from sn0 on both CPUs, no count limit, in the
# background (pktgen stops a device when its carrier goes: call it again
# after each up).
flood_sn1()
{
	pktgen_reset
	pktgen_dev 0 sn0 0 192.168.0.2 "$(peer_mac sn0)" &&
		pktgen_dev 1 sn0@1 0 192.168.0.2 "$(peer_mac sn0)" || return 1
	pktgen_start 60
}

DBG=/sys/kernel/debug/snull

plan $((6 + ROUNDS * 4))

check_cmd "load snull use_napi=0" snull_load use_napi=0
check_cmd "snull-setup" snull_setup_addrs
check_cmd "pktgen.ko loads" pktgen_load

r=0
while [ $r -lt $ROUNDS ]; do
	r=$((r + 1))
	[ $r -lt 2 ] || echo 300 >$DBG/sn1/irq_delay_us
	sent=0
	k=0
	while [ $k -lt $BOUNCES ]; do
		k=$((k + 1))
		flood_sn1 || break
		sleep 0.2
		ip link set sn1 down
		usleep $((k * 7000))
		ip link set sn1 up
		pktgen_stop
		sent=$(add "$sent" "$(pktgen_sofar sn0)" "$(pktgen_sofar sn0@1)")
		wait_for 5 both_up
	done
	pktgen_reset
	check_eq "round $r: $BOUNCES down/up cycles of sn1 under the flood" $BOUNCES $k
	check_gt "round $r: pktgen sent frames into sn1" 0 "$sent"
	reconcile
done
diag "rx_drop_down on sn1 after the rounds: $(estat sn1 rx_drop_down)"

# The flush itself, exactly: 5 frames held on the wire, then sn1 goes down.
echo 0 >$DBG/sn1/irq_delay_us
echo 1 >$DBG/sn0/hold_ring
drop0=$(estat sn1 rx_drop_down)
pktgen_send sn0 5
ip link set sn1 down
echo 0 >$DBG/sn0/hold_ring
check_eq "sn1 down with 5 frames on the wire: rx_drop_down grows by 5" \
	"$(add "$drop0" 5)" "$(estat sn1 rx_drop_down)"
ip link set sn1 up
wait_for 5 both_up
reconcile

finish
