#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 33
# snull-debug-cost: 305
#
# Ring sizes set at load (pool_size), each size a reload: 1, 2, 3 (rounded
# up to 4: rings are powers of two), 64 and 4096 descriptors, each flooded
# both ways by pktgen (which ignores BQL and fills the ring) and UDP
# through the stack. ethtool -G resizes at run time (t_ring_resize); here
# it only goes there and back before each flood.
# Every frame is accounted for, the ring drains, xmit never returns
# NETDEV_TX_BUSY, and the smallest rings show the queue stopping and waking.
#
# Bounded: per size, FRAMES pktgen frames each way or FLOOD_LIMIT seconds.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

SIZES="1 2 3 64 4096"
FRAMES=20000
FLOOD_LIMIT=12	# seconds
UDP_SECS=4

# pg_flood COUNT SECONDS: pktgen both ways, COUNT frames each, stopped
# after SECONDS if not done; PG_SENT says how many went out.
pg_flood()
{
	PG_SENT="0 0"
	pktgen_setup "$1" 192.168.0.2 "$(sink_ip sn1)" || return 1
	pktgen_start
	wait_pid "$PG" "$2" || diag "pktgen: not done after $2 s, stopping it"
	pktgen_stop
	pktgen_reset
}

plan 67

check_cmd "pktgen.ko loads" pktgen_load

for p in $SIZES; do
	m="pool_size=$p"
	snull_unload
	check_cmd "$m: load" snull_load pool_size="$p"
	check_cmd "$m: snull-setup" snull_setup_addrs
	# The ring has the next power of two.
	n=1
	while [ $n -lt "$p" ]; do
		n=$((n * 2))
	done
	check_eq "$m: ethtool -g: TX current $n" "$n" "$(ring_param sn0 cur)"
	# ethtool -G resizes at run time (t_ring_resize); there and back, the
	# floods below run on the load-time size.
	check_cmd "$m: ethtool -G sn0 tx 16, then tx $n again" \
		sh -c "ethtool -G sn0 tx 16 && ethtool -G sn0 tx $n"
	check_eq "$m: ethtool -g shows $n again" "$n" "$(ring_param sn0 cur)"

	blast_start $UDP_SECS 192.168.0.2 192.168.1.1
	pg_flood $FRAMES $FLOOD_LIMIT || diag "$m: pktgen setup failed"
	blast_wait
	diag "$m: pktgen sent $PG_SENT; $(blast_report)"
	check_cmd "$m: pktgen sent frames both ways" pktgen_both_sent
	reconcile
	check_cmd "$m: sn0 ring: nothing in flight, not stalled" ring_clean sn0
	check_cmd "$m: sn1 ring: nothing in flight, not stalled" ring_clean sn1
	check_eq "$m: no tx_busy" 0 "$(sum_estat tx_busy)"
	diag "$m: tx_queue_stopped sn0 $(estat sn0 tx_queue_stopped) sn1" \
		"$(estat sn1 tx_queue_stopped); tx_queue_woken sn0" \
		"$(estat sn0 tx_queue_woken) sn1 $(estat sn1 tx_queue_woken)"
	if [ "$p" -le 3 ]; then
		for d in sn0 sn1; do
			check_cmd "$m: $d: the queue stopped and woke (tx_queue_stopped, tx_queue_woken > 0)" \
				[ "$(estat $d tx_queue_stopped)" -gt 0 -a "$(estat $d tx_queue_woken)" -gt 0 ]
		done
	fi
	check_ping "$m: ping 192.168.0.2 afterwards: 3 replies" 3 192.168.0.2
done

finish
