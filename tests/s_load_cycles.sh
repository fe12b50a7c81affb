#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 62
# snull-debug-cost: 90
#
# Load and unload, many times: use_napi alternating, pool_size at random
# (1..4096), every fifth cycle carrying a few frames each way before the
# unload. Each cycle must create and remove both interfaces and the debugfs
# directory, and nothing may leak: the ring buffers (1520 bytes each) live in
# kmalloc-2k, whose objects in use must come back to where they were.
#
# Bounded: CYCLES cycles or LIMIT seconds, whichever comes first.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

CYCLES=300
LIMIT=60
set_slow
MIN_CYCLES=$(slow_min 120)
SLACK=16	# kmalloc-2k objects other users may hold at the second count

# pow2 N: the smallest power of two >= N.
pow2()
{
	_q=1
	while [ $_q -lt "$1" ]; do
		_q=$((_q * 2))
	done
	echo $_q
}

# rx_grew DEV BEFORE: DEV received at least 20 frames since BEFORE.
rx_grew()
{
	_now=$(stat "$1" rx_packets)
	is_number "$_now" && [ "$_now" -ge $(($2 + 20)) ]
}

# traffic: 20 frames each way arrive.
traffic()
{
	snull_setup_addrs || return 1
	_r0=$(stat sn0 rx_packets)
	_r1=$(stat sn1 rx_packets)
	snull-ctl inject sn0 good 20 >/dev/null &&
		snull-ctl inject sn1 good 20 >/dev/null || return 1
	# ">=": the stack sends a few frames of its own (IGMP) on the way up.
	if ! wait_for 5 rx_grew sn1 "$_r1" || ! wait_for 5 rx_grew sn0 "$_r0"; then
		diag "rx_packets sn0 $_r0 -> $(stat sn0 rx_packets), sn1 $_r1 -> $(stat sn1 rx_packets)"
		return 1
	fi
}

# cycle N: one load/unload; prints what went wrong.
cycle()
{
	rnd 4096
	_p=$((R + 1))
	_napi=$(($1 % 2))
	snull_load pool_size=$_p use_napi=$_napi ||
		{ diag "cycle $1: insmod pool_size=$_p use_napi=$_napi: $(cat "$TMP/insmod.err")"; return 1; }
	_ok=0
	if [ "$(sn_ifaces)" != "sn0 sn1 " ]; then
		diag "cycle $1: after load: '$(sn_ifaces)'"
	elif [ "$(param use_napi)" != "$_napi" ] ||
		{ [ "$(param pool_size)" != "$_p" ] && [ "$(param pool_size)" != "$(pow2 $_p)" ]; }; then
		# pool_size: as given, or rounded up to a power of two
		diag "cycle $1: sysfs shows pool_size $(param pool_size) use_napi $(param use_napi)" \
			"after pool_size=$_p use_napi=$_napi"
	elif [ ! -d /sys/kernel/debug/snull/sn0 ] || [ ! -d /sys/kernel/debug/snull/sn1 ]; then
		diag "cycle $1: no debugfs directories"
	elif [ $(($1 % 5)) -eq 0 ] && ! traffic; then
		diag "cycle $1 (pool_size=$_p use_napi=$_napi): frames did not cross"
	else
		_ok=1
	fi
	if ! rmmod snull 2>"$TMP/rmmod.err"; then
		diag "cycle $1: rmmod: $(cat "$TMP/rmmod.err")"
		return 1
	fi
	if [ -n "$(sn_ifaces)" ] || [ -e /sys/kernel/debug/snull ]; then
		diag "cycle $1: after rmmod: '$(sn_ifaces)' $(ls -d /sys/kernel/debug/snull 2>/dev/null)"
		return 1
	fi
	[ $_ok -eq 1 ]
}

plan 5

rnd_seed
diag "seed $SEED; $CYCLES cycles or $LIMIT s"
# One cycle first, so that whatever the first load allocates for good
# (the module's own memory, sysfs caches) is there before the count.
check_cmd "a first load and unload" cycle 0
before=$(slab_2k)

bad=0
n=0
time_limit $LIMIT
while [ $n -lt $CYCLES ] && in_time; do
	n=$((n + 1))
	cycle $n || bad=$((bad + 1))
done
elapsed=$((NOW - START))
sleep 1		# RCU callbacks that free what unregistration left
# Each unload frees the queue arrays (kmalloc-2k) after an RCU grace
# period (kfree_rcu): give the last ones time to go. A leak never drains.
after=$(slab_2k)
i=0
while [ $i -lt 20 ] && [ "$(sub "$after" "$before")" != missing ] &&
	[ $((after - before)) -gt $SLACK ]; do
	sleep 0.5
	after=$(slab_2k)
	i=$((i + 1))
done

diag "$n cycles in $elapsed s; kmalloc-2k objects in use: $before before, $after after"
check_ge "at least $MIN_CYCLES cycles" "$MIN_CYCLES" "$n"
check_eq "every cycle created and removed sn0, sn1 and their debugfs directories" 0 $bad
check_le "kmalloc-2k objects in use grew by at most $SLACK (a leaked ring buffer stays there)" \
	$SLACK "$(sub "$after" "$before")"
check_cmd "snull not loaded at the end" sh -c "! grep -q '^snull ' /proc/modules"

finish
