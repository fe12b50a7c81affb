#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 18
# snull-debug-cost: 103
#
# rmmod with the device's files held open (the netdevices document's
# pathological case, repeated and widened): sysfs attributes (mtu,
# statistics, a BQL attribute of the TX queue) and debugfs knobs held on
# descriptors, some read once already, one open for writing, while another
# process keeps reading them and UDP flows. rmmod must finish; afterwards
# every descriptor reads as an error (before and after a new load has
# re-created files of the same names) instead of crashing or hanging, and a
# fresh load works.
#
# The hold_ring, drop_seed and irq_delay_us knobs have file operations of
# snull's own (.owner = THIS_MODULE): an open one pins the module, so rmmod
# is refused (EAGAIN) until it is closed. That is checked too.
#
# Bounded: ROUNDS rounds or LIMIT seconds, whichever comes first.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	exec 3<&- 4<&- 5<&- 6<&- 7<&- 8<&- 9>&-
	: >"$TMP/hstop" 2>/dev/null
	lib_cleanup
}
trap cleanup EXIT

ROUNDS=10
LIMIT=60
set_slow
MIN_ROUNDS=$(slow_min 4)
DBG=/sys/kernel/debug/snull

refcount()
{
	awk '$1 == "snull" { print $3; f = 1 } END { if (!f) print "missing" }' /proc/modules
}

# refcount_is N: the module's refcount is N now (for wait_for, which runs
# its command afresh each time).
refcount_is()
{
	[ "$(refcount)" = "$1" ]
}

# load_and_ping NAPI: a fresh load carries traffic.
load_and_ping()
{
	snull_load use_napi="$1" || { diag "insmod: $(cat "$TMP/insmod.err")"; return 1; }
	snull_setup_addrs && ping_all 2 192.168.0.2
}

# stale FD KIND: reading descriptor FD must fail, and return. Counts in
# stale_ok_KIND (it read something) and stale_hang.
stale()
{
	timeout 10 cat <&"$1" >"$TMP/stale.out" 2>&1
	_rc=$?
	case $_rc in
	124|137|143)
		stale_hang=$((stale_hang + 1))
		diag "round $r: reading stale fd $1 ($2) hung"
		;;
	0)
		eval "stale_ok_$2=\$((stale_ok_$2 + 1))"
		diag "round $r: stale fd $1 ($2) read fine: '$(cat "$TMP/stale.out")'"
		;;
	esac
}

# The other process: reads the same kind of files until told to stop (not
# hold_ring, drop_seed or irq_delay_us: a read of those in progress pins the
# module, and the rmmod that comes then is refused, as checked at the end).
hammer()
{
	while [ ! -e "$TMP/hstop" ]; do
		cat /sys/class/net/sn0/mtu /sys/class/net/sn1/statistics/rx_packets \
			$DBG/sn0/drop_every $DBG/sn1/drop_prob \
			>/dev/null 2>&1
	done
}

plan 25

bad_load=0 bad_rmmod=0 not_gone=0 stale_ok_sysfs=0 stale_ok_debugfs=0
stale_hang=0 write_ok=0 hammer_stuck=0 no_udp=0
n=0
time_limit $LIMIT
load_and_ping 1 || bad_load=$((bad_load + 1))
while [ $n -lt $ROUNDS ] && in_time; do
	r=$n
	n=$((n + 1))
	snull_loaded || { snull_load use_napi=$((r % 2)) && snull_setup_addrs; }
	blast_start 30 192.168.0.2 192.168.1.1
	exec 3</sys/class/net/sn0/mtu
	exec 4</sys/class/net/sn0/statistics/rx_packets
	exec 5</sys/class/net/sn1/statistics/tx_bytes
	exec 6</sys/class/net/sn1/queues/tx-0/byte_queue_limits/inflight
	exec 7<$DBG/sn0/drop_every
	exec 8<$DBG/sn1/corrupt_every
	exec 9>$DBG/sn0/drop_prob
	cat <&4 >/dev/null
	cat <&7 >/dev/null
	echo 0 >&9
	rm -f "$TMP/hstop"
	hammer &
	hpid=$!
	sleep 0.3

	timeout 30 rmmod snull >"$TMP/rmmod.out" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		bad_rmmod=$((bad_rmmod + 1))
		diag "round $r: rmmod exit $rc: $(cat "$TMP/rmmod.out")"
	fi
	if ! wait_for 5 snull_gone; then
		not_gone=$((not_gone + 1))
		diag "round $r: after rmmod: $(grep '^snull ' /proc/modules)"
		snull_unload
	fi
	: >"$TMP/hstop"
	i=0
	while kill -0 $hpid 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 $hpid 2>/dev/null && { hammer_stuck=$((hammer_stuck + 1)); kill $hpid; }
	wait $hpid 2>/dev/null
	blast_stop
	b0=$(blast_sent 0) b1=$(blast_sent 1)
	if ! is_number "$b0" || ! is_number "$b1" || [ "$b0" -eq 0 ] || [ "$b1" -eq 0 ]; then
		no_udp=$((no_udp + 1))
		diag "round $r: the UDP flood sent '$b0' and '$b1' datagrams"
	fi

	# Half the descriptors are read while nothing of snull exists...
	stale 3 sysfs
	stale 4 sysfs
	stale 7 debugfs
	if (echo 5 >&9) 2>/dev/null; then
		write_ok=$((write_ok + 1))
		diag "round $r: writing the stale drop_prob descriptor worked"
	fi
	# ... the others once new files of the same names exist.
	load_and_ping $(((r + 1) % 2)) || bad_load=$((bad_load + 1))
	stale 5 sysfs
	stale 6 sysfs
	stale 8 debugfs
	exec 3<&- 4<&- 5<&- 6<&- 7<&- 8<&- 9>&-
done

diag "$n rounds"
check_ge "at least $MIN_ROUNDS rounds" "$MIN_ROUNDS" "$n"
check_eq "every fresh load carried a ping" 0 $bad_load
check_eq "every round's UDP flood sent datagrams both ways" 0 $no_udp
check_eq "every rmmod with files held open finished (status 0, within 30 s)" 0 $bad_rmmod
check_eq "after every rmmod: no snull, sn0, sn1 or debugfs directory" 0 $not_gone
check_eq "every stale sysfs descriptor read as an error" 0 $stale_ok_sysfs
check_eq "every stale debugfs descriptor read as an error" 0 $stale_ok_debugfs
check_eq "no stale read hung" 0 $stale_hang
check_eq "every write to the stale debugfs descriptor failed" 0 $write_ok
check_eq "the other reader of the files never got stuck" 0 $hammer_stuck

# --- files with snull's own file operations pin the module ---
snull_unload
check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs
exec 3<$DBG/sn0/hold_ring
exec 4<$DBG/sn1/drop_seed
exec 5<$DBG/sn1/irq_delay_us
check_eq "hold_ring, drop_seed and irq_delay_us open: the module's refcount is 3" 3 \
	"$(refcount)"
check_fail "rmmod is refused while they are open" rmmod snull
check_ping "snull still works: ping 192.168.0.2, 2 replies" 2 192.168.0.2
exec 3<&- 4<&- 5<&-
check_cmd "closing them releases the module (refcount 0 within 5 s)" wait_for 5 refcount_is 0
check_cmd "rmmod then works" rmmod snull
check_cmd "... and everything is gone" wait_for 5 snull_gone

# --- a fresh load after all that ---
check_cmd "fresh load" snull_load
check_cmd "snull-setup" snull_setup_addrs
check_pings
reconcile
check_cmd "rmmod" rmmod snull

finish
