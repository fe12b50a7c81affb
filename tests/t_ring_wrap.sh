#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 6
# snull-debug-cost: 40
# snull-passes: copy
#
# The ring's u32 indices wrap at 2^32 without aliasing (pitfalls.md #18).
# Taken "% size" with a ring of 3, index 2^32 - 1 and index 2^32 (that is,
# 0) both named slot 0: the frame posted at the wrap overwrote the one
# before it while that was still on the wire, so one frame was lost, the
# next delivered twice, and BQL completed bytes it had never been given.
# Rings are powers of two now (pool_size=3 becomes 4). The ring_start test
# hook starts the indices 2 before the wrap; with sn0's wire held, three
# frames of three lengths are posted across it, then the wire is released:
# sn1 must see the three lengths, and the bytes must add up. A flood both
# ways then runs on the wrapped indices.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	pktgen_unload
	lib_cleanup
}
trap cleanup EXIT

START=4294967294	# 2^32 - 2
DBG=/sys/kernel/debug/snull

# bql IFACE: bytes BQL counts as queued and not yet completed.
bql()
{
	cat "/sys/class/net/$1/queues/tx-0/byte_queue_limits/inflight" 2>/dev/null ||
		echo missing
}

# three_lengths: pktgen sends 3 frames from sn0 to its sink, one per xmit
# (burst 1: a burst repeats one skb), each a byte longer than the last.
three_lengths()
{
	pktgen_reset
	pktgen_dev 0 sn0 3 "$(sink_ip sn0)" "$(peer_mac sn0)" 60 >/dev/null &&
		echo "max_pkt_size 64" >/proc/net/pktgen/sn0 &&
		echo "burst 1" >/proc/net/pktgen/sn0 &&
		pktgen_run 30
	_rc=$?
	pktgen_reset
	return "$_rc"
}

plan 21

log_mark
check_cmd "load snull pool_size=3 ring_start=$START" \
	snull_load pool_size=3 ring_start=$START
check_eq "pool_size=3 is rounded up to 4 (the parameter file)" 4 "$(param pool_size)"
check_eq "ethtool -g: TX current 4" 4 "$(ring_param sn0 cur)"
log_since >"$TMP/log"
check_grep "the kernel log says pool_size was rounded up" \
	'pool_size=3 rounded up to 4' "$TMP/log"
check_eq "ring_start shows in sysfs" $START "$(param ring_start)"
check_cmd "snull-setup" snull_setup_addrs
check_cmd "pktgen.ko loads" pktgen_load

# --- three frames across the wrap, on the wire at once ---
cap_start wrap sn1 -Q in -e -n -c 3 udp port 9
check_cmd "hold sn0's wire" eval "echo 1 >$DBG/sn0/hold_ring"
check_cmd "pktgen: 3 frames of 3 lengths on sn0 (indices 2^32-2 .. 2^32)" three_lengths
check_eq "all 3 are in sn0's ring" 3 "$(ring_field sn0 in_flight)"
echo 0 >"$DBG/sn0/hold_ring"
cap_wait wrap 5
diag <"$TMP/wrap.cap"
check_cmd "sn0's ring drains" wait_for 5 ring_clean sn0
check_eq "sn1 captured 3 frames of 3 different lengths (none lost, none twice)" 3 \
	"$(sed -n 's/.*, length \([0-9]*\):.*/\1/p' "$TMP/wrap.cap" | sort -u | wc -l)"
check_eq "sn0 tx_bytes == sn1 rx_bytes" "$(stat sn0 tx_bytes)" "$(stat sn1 rx_bytes)"
check_eq "sn0: BQL completed what it queued (nothing in flight)" 0 "$(bql sn0)"

# --- a flood both ways on the wrapped indices ---
check_cmd "pktgen: 3000 frames each way" pktgen_flood 3000
settle
sleep 0.2
check_eq "sn0 tx_bytes == sn1 rx_bytes after the flood" \
	"$(stat sn0 tx_bytes)" "$(stat sn1 rx_bytes)"
check_eq "sn1 tx_bytes == sn0 rx_bytes after the flood" \
	"$(stat sn1 tx_bytes)" "$(stat sn0 rx_bytes)"
check_eq "sn0: BQL has nothing in flight" 0 "$(bql sn0)"
check_eq "sn1: BQL has nothing in flight" 0 "$(bql sn1)"
reconcile

finish
