#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 75
# snull-debug-cost: 215
# snull-boot: watchdog
# snull-allow-log: NETDEV WATCHDOG
#
# Lost TX-done interrupts under a flood: lockup=1, 2, 3 and 7 (each a
# reload, timeout=100 ms), then the run-time knob (lockup=0 at load, 5
# written to debugfs under the flood). Each time the watchdog must fire and
# ndo_tx_timeout reset the ring (one time-out per lost TX-done), and once the
# flood stops the ring must come back to nothing in flight, not stalled,
# with every frame accounted for and ping working.
#
# The watchdog only looks at stopped queues, as with a real NIC: the driver
# stops the queue when its engine stalls, so every stalled ring is reset
# within about a second and a ring that stays stalled fails the test.
#
# Bounded: FLOOD_SECS of flood per case, RECOVER_SECS per recovery wait.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

LOCKUPS="1 2 3 7"
TIMEOUT=100	# ms
POOL=64
FLOOD_SECS=3
RECOVER_SECS=10	# the watchdog timer runs about once a second (round_jiffies)
DBG=/sys/kernel/debug/snull

# sink_flood: pktgen (no count limit) and UDP both ways, as flood_start
# but all of it to sink_ip, so that nothing but the flood crosses; stopped
# by flood_stop.
sink_flood()
{
	flood_mark
	blast_start 300 "$(sink_ip sn0)" "$(sink_ip sn1)"
	if pktgen_setup 0 "$(sink_ip sn0)" "$(sink_ip sn1)"; then
		pktgen_start
	else
		diag "pktgen setup failed"
		FLOOD_SETUP=failed
	fi
}

# lockup_load_ran: the flood caused at least 2 lost TX-done interrupts on
# each device, and each UDP blast sent datagrams.
lockup_load_ran()
{
	_ok=0
	for _d in sn0 sn1; do
		_l=$(estat "$_d" tx_lost_irqs)
		if ! is_number "$_l" || [ "$_l" -lt 2 ]; then
			diag "$_d: tx_lost_irqs '$_l'"
			_ok=1
		fi
	done
	for _i in 0 1; do
		_b=$(blast_sent "$_i")
		if ! is_number "$_b" || [ "$_b" -eq 0 ]; then
			diag "UDP out of sn$_i sent '$_b'"
			_ok=1
		fi
	done
	return "$_ok"
}

# check_recovered M: both rings come back; the books balance.
check_recovered()
{
	for _d in sn0 sn1; do
		if wait_for $RECOVER_SECS ring_clean $_d; then
			ok "$1: $_d ring: nothing in flight, not stalled"
		else
			not_ok "$1: $_d ring: nothing in flight, not stalled"
			diag "$_d: $(snull-ctl ring $_d 2>&1)"
		fi
	done
	reconcile
	check_eq "$1: no tx_busy" 0 "$(sum_estat tx_busy)"
}

plan 75

check_cmd "pktgen.ko loads" pktgen_load

for l in $LOCKUPS; do
	m="lockup=$l"
	snull_unload
	check_cmd "$m: load (timeout=$TIMEOUT pool_size=$POOL)" \
		snull_load lockup="$l" timeout=$TIMEOUT pool_size=$POOL
	check_cmd "$m: snull-setup" snull_setup_addrs
	sink_flood
	sleep $FLOOD_SECS
	flood_stop
	# The lockups stop with the flood: the qdisc may still hold a backlog
	# of the UDP flood, which at one frame per reset (lockup=1) would keep
	# the rings stalled for minutes.
	echo 0 >$DBG/sn0/lockup
	echo 0 >$DBG/sn1/lockup
	diag "$m: pktgen sent $PG_SENT; $(blast_report)"
	# Each lost TX-done stops the queue until the watchdog's reset (about
	# a second), so with lockup=N the flood gets about N frames a second
	# through: what shows it ran is the lockups it caused, and the UDP
	# datagrams the stack sent (pktgen may get none between resets).
	check_cmd "$m: the flood ran: both rings stalled twice or more, UDP sent both ways" \
		lockup_load_ran
	check_recovered "$m"
	# The rings are back: each lost TX-done cost exactly one time-out
	# (the queue waits for the reset), and none came without one.
	diag "$m: tx_timeouts sn0 $(estat sn0 tx_timeouts) sn1 $(estat sn1 tx_timeouts);" \
		"tx_lost_irqs sn0 $(estat sn0 tx_lost_irqs) sn1 $(estat sn1 tx_lost_irqs)"
	for d in sn0 sn1; do
		lost=$(estat $d tx_lost_irqs)
		check_gt "$m: $d: tx_lost_irqs > 0" 0 "$lost"
		check_eq "$m: $d: tx_timeouts == tx_lost_irqs" "$lost" "$(estat $d tx_timeouts)"
		check_eq "$m: $d: tx_errors == tx_lost_irqs" "$lost" "$(stat $d tx_errors)"
	done
	check_ping "$m: ping 192.168.0.2 afterwards: 3 replies" 3 192.168.0.2
done

# --- the run-time knob: lockup=5 on sn0 only, written under the flood ---
m="knob"
snull_unload
check_cmd "$m: load lockup=0 (timeout=$TIMEOUT pool_size=$POOL)" \
	snull_load lockup=0 timeout=$TIMEOUT pool_size=$POOL
check_cmd "$m: snull-setup" snull_setup_addrs
sink_flood
sleep 1
check_cmd "$m: echo 5 > $DBG/sn0/lockup under the flood" sh -c "echo 5 >$DBG/sn0/lockup"
sleep $FLOOD_SECS
echo 0 >$DBG/sn0/lockup
flood_stop
check_flood "$m: the flood ran both ways" 20
check_recovered "$m"
diag "$m: pktgen sent $PG_SENT; tx_timeouts sn0 $(estat sn0 tx_timeouts)," \
	"tx_lost_irqs sn0 $(estat sn0 tx_lost_irqs)"
check_gt "$m: sn0: tx_lost_irqs > 0" 0 "$(estat sn0 tx_lost_irqs)"
check_gt "$m: sn0: tx_timeouts > 0" 0 "$(estat sn0 tx_timeouts)"
check_eq "$m: sn0: tx_timeouts == tx_lost_irqs" "$(estat sn0 tx_lost_irqs)" \
	"$(estat sn0 tx_timeouts)"
check_eq "$m: sn1 (knob left at 0): no tx_lost_irqs, no tx_timeouts" "0 0" \
	"$(estat sn1 tx_lost_irqs) $(estat sn1 tx_timeouts)"
check_ping "$m: ping 192.168.0.2 afterwards: 3 replies" 3 192.168.0.2

finish
