#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 5
# snull-debug-cost: 30
#
# ndo_open must not start the queue while the ring is full. The ring keeps
# across a down/up what was posted before, and with the wire held
# (hold_ring) nothing completes. The old ndo_open started the queue anyway,
# so the next frame hit xmit's "ring full with the queue awake" branch:
# tx_busy, an error in the log and NETDEV_TX_BUSY. Here: hold the wire, let
# BQL allow a full ring, fill it, take sn0 down and up, send; nothing may
# reach xmit until the wire is released, and then everything crosses.
# timeout=60000 keeps the watchdog out of it.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	pktgen_unload
	lib_cleanup
}
trap cleanup EXIT

DBG=/sys/kernel/debug/snull
POOL=8
BQL=/sys/class/net/sn0/queues/tx-0/byte_queue_limits

plan 15

check_cmd "load snull pool_size=$POOL timeout=60000" \
	snull_load pool_size=$POOL timeout=60000
check_cmd "snull-setup" snull_setup_addrs
# BQL applies limit_min at its next completion: let some frames complete,
# or BQL would keep the queue stopped itself and hide the driver's fault.
check_cmd "BQL may queue a whole ring (limit_min)" eval "echo 1000000 >$BQL/limit_min"
check_ping "3 pings complete (BQL takes the new limit)" 3 192.168.0.2
check_cmd "hold sn0's wire (hold_ring=1)" eval "echo 1 >$DBG/sn0/hold_ring"
check_cmd "pktgen.ko loads" pktgen_load
check_cmd "pktgen: $POOL frames on sn0" pktgen_send sn0 $POOL
check_eq "sn0's ring is full: $POOL in flight" $POOL "$(ring_field sn0 in_flight)"

log_mark
ip link set sn0 down
ip link set sn0 up
check_cmd "sn0 down and up again, with carrier" wait_for 5 both_up
# A frame through the qdisc: it may go to xmit only once there is room.
ping_run "$TMP/ping" -c 1 -W 1 192.168.0.2
check_eq "sn0: no tx_busy after the up with a full ring" 0 "$(estat sn0 tx_busy)"
log_since >"$TMP/log"
check_nogrep "no 'TX ring full with the queue awake' in the log" \
	'TX ring full with the queue awake' "$TMP/log"

# Release the wire: the ring drains, TX-done wakes the queue.
echo 0 >"$DBG/sn0/hold_ring"
check_cmd "sn0's ring drains once the wire is released" wait_for 10 ring_clean sn0
check_ping "traffic flows again" 3 192.168.0.2
reconcile

finish
