#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
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
# A debug kernel (KASAN, lockdep, kmemleak) runs 3-5 times slower and gets
# through less in the same time: the minimums are divided by SLOW there.
SLOW=1
[ ! -e /sys/kernel/debug/kmemleak ] && [ ! -e /proc/lockdep ] || SLOW=4
[ $SLOW -eq 1 ] || diag "a debug kernel: the minimums are divided by $SLOW"
MIN_ROUNDS=$((16 / SLOW))	# about 40 fit on the normal kernel

# tick: NOW = seconds since boot, without a fork.
tick()
{
	read -r _up _idle </proc/uptime
	NOW=${_up%.*}
}

# rnd N: R = a pseudo-random number in 0..N-1 (dash has no $RANDOM).
SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
_rs=$SEED
rnd()
{
	_rs=$(((_rs * 1103515245 + 12345) % 2147483648))
	R=$(((_rs / 65536) % $1))
}

# ring_clean DEV: nothing in flight, not stalled.
ring_clean()
{
	snull-ctl ring "$1" 2>&1 | grep -q ' in_flight=0 stalled=0$'
}

# settle: traffic has stopped once both rings are empty. A flood can leave
# thousands of frames on the wire, which a slow kernel takes seconds to
# deliver; wait up to 30 s for them (a ring that never drains fails the
# ring checks), and say how long it took.
settle()
{
	_t=0
	while [ $_t -lt 300 ] && ! { ring_clean sn0 && ring_clean sn1; }; do
		sleep 0.1
		_t=$((_t + 1))
	done
	[ $_t -lt 10 ] || diag "the rings took $((_t / 10)).$((_t % 10)) s to drain"
}

# gone: snull unloaded and everything it made removed.
gone()
{
	! snull_loaded && [ ! -e /sys/class/net/sn0 ] && [ ! -e /sys/class/net/sn1 ] &&
		[ ! -e /sys/kernel/debug/snull ]
}

# wait_pid PID SECONDS: true when PID ended within SECONDS.
wait_pid()
{
	_n=$(($2 * 10))
	while kill -0 "$1" 2>/dev/null; do
		[ "$_n" -gt 0 ] || return 1
		sleep 0.1
		_n=$((_n - 1))
	done
	wait "$1" 2>/dev/null
	return 0
}

# pktgen on both devices, no count limit, started in the background; it
# stops when its devices go away.
pktgen_bg()
{
	pktgen_reset
	pktgen_dev 0 sn0 0 192.168.0.2 00:53:4e:55:4c:31 >"$TMP/pg.err" 2>&1 &&
		pktgen_dev 1 sn1 0 192.168.1.99 00:53:4e:55:4c:30 >>"$TMP/pg.err" 2>&1 ||
		return 1
	bg timeout 120 sh -c 'echo start >/proc/net/pktgen/pgctrl'
	PG=$BG_PID
}

plan 18

diag "seed $SEED; $ROUNDS rounds or $LIMIT s"
check_cmd "pktgen.ko loads" pktgen_load

# UDP both ways through the stack for the whole test: while snull is gone
# the sends fail (no route), and they resume at each load.
bg snull-raw blast 192.168.0.2 $((LIMIT + 120)) 0 1472 >"$TMP/blast0" 2>&1
blast0=$BG_PID
bg snull-raw blast 192.168.1.99 $((LIMIT + 120)) 0 1472 >"$TMP/blast1" 2>&1
blast1=$BG_PID

bad_load=0 no_traffic=0 bad_rmmod=0 not_gone=0 pg_stuck=0 max_rmmod=0
done_rounds=0
tick
end=$((NOW + LIMIT))
while [ $done_rounds -lt $ROUNDS ] && [ "$NOW" -lt $end ]; do
	r=$done_rounds
	done_rounds=$((done_rounds + 1))
	if ! snull_load use_napi=$((r % 2)) || ! snull_setup_addrs; then
		bad_load=$((bad_load + 1))
		diag "round $r: load failed: $(cat "$TMP/insmod.err")"
		snull_unload
		tick
		continue
	fi
	PG=
	pktgen_bg || diag "round $r: pktgen setup failed: $(cat "$TMP/pg.err")"
	rnd 8
	sleep 0.$((R + 2))
	rx0=$(stat sn0 rx_packets)
	rx1=$(stat sn1 rx_packets)
	if [ "$rx0" = 0 ] || [ "$rx1" = 0 ] || [ "$rx0" = missing ] || [ "$rx1" = missing ]; then
		no_traffic=$((no_traffic + 1))
		diag "round $r: no traffic before rmmod (rx_packets sn0 $rx0, sn1 $rx1)"
	fi
	tick
	t0=$_up
	timeout 60 rmmod snull >"$TMP/rmmod.out" 2>&1
	rc=$?
	tick
	ms=$(awk -v a="$t0" -v b="$_up" 'BEGIN { printf "%d", (b - a) * 1000 }')
	[ "$ms" -le "$max_rmmod" ] || max_rmmod=$ms
	if [ $rc -ne 0 ]; then
		bad_rmmod=$((bad_rmmod + 1))
		diag "round $r: rmmod exit $rc after $ms ms: $(cat "$TMP/rmmod.out")"
	fi
	if ! wait_for 5 gone; then
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
	tick
done

kill "$blast0" "$blast1" 2>/dev/null
wait "$blast0" "$blast1" 2>/dev/null
diag "$done_rounds rounds in $((NOW - end + LIMIT)) s; slowest rmmod $max_rmmod ms;" \
	"UDP sn0->sn1: $(cat "$TMP/blast0"); sn1->sn0: $(cat "$TMP/blast1")"
check_ge "at least $MIN_ROUNDS rounds done" $MIN_ROUNDS $done_rounds
check_eq "every load (and snull-setup) worked" 0 $bad_load
check_eq "every round carried frames both ways before rmmod" 0 $no_traffic
check_eq "every rmmod under the flood succeeded" 0 $bad_rmmod
check_eq "after every rmmod: no snull, sn0, sn1 or debugfs directory" 0 $not_gone
check_eq "pktgen let go of the devices after every rmmod" 0 $pg_stuck

# --- a fresh load after all that works, and its books balance ---
check_cmd "fresh load" snull_load
check_cmd "snull-setup" snull_setup_addrs
ping_run "$TMP/ping" -c 3 -i 0.2 -W 2 192.168.0.2
check_eq "ping 192.168.0.2: 3 replies" 3 "$(ping_received "$TMP/ping")"
ping_run "$TMP/ping" -c 3 -i 0.2 -W 2 192.168.1.1
check_eq "ping 192.168.1.1: 3 replies" 3 "$(ping_received "$TMP/ping")"
check_cmd "pktgen: 20000 frames each way" pktgen_flood 20000
settle
reconcile
check_cmd "sn0 ring: nothing in flight, not stalled" ring_clean sn0
check_cmd "sn1 ring: nothing in flight, not stalled" ring_clean sn1
check_eq "no tx_busy" "0 0" "$(estat sn0 tx_busy) $(estat sn1 tx_busy)"
check_cmd "rmmod snull" rmmod snull

finish
