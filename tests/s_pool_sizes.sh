#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Ring sizes: pool_size is fixed at load (snull has no ethtool -G), so each
# size is a reload: 1, 2, 3, 64 and 4096 descriptors, each flooded both ways
# by pktgen (which ignores BQL and fills the ring) and UDP through the stack.
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

sum_estat()
{
	add "$(estat sn0 "$1")" "$(estat sn1 "$1")"
}

# ring_param WHICH: ethtool -g sn0's TX line under "Pre-set maximums"
# (max) or "Current hardware settings" (cur).
ring_param()
{
	ethtool -g sn0 2>&1 | awk -v w="$1" '
		/^Pre-set/ { s = "max" }
		/^Current/ { s = "cur" }
		$1 == "TX:" && s == w { print $2 }'
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

pg_sofar()
{
	awk '/pkts-sofar:/ { print $2; f = 1 } END { if (!f) print "missing" }' \
		"/proc/net/pktgen/$1" 2>/dev/null
}

# pg_flood COUNT SECONDS: pktgen both ways, COUNT frames each, stopped
# after SECONDS if not done. PG_SENT = "frames-from-sn0 frames-from-sn1".
pg_flood()
{
	PG_SENT="0 0"
	pktgen_reset
	pktgen_dev 0 sn0 "$1" 192.168.0.2 00:53:4e:55:4c:31 &&
		pktgen_dev 1 sn1 "$1" 192.168.1.99 00:53:4e:55:4c:30 || return 1
	bg timeout 300 sh -c 'echo start >/proc/net/pktgen/pgctrl'
	_pg=$BG_PID
	if ! wait_pid $_pg "$2"; then
		diag "pktgen: not done after $2 s, stopping it"
		_i=0
		while kill -0 $_pg 2>/dev/null && [ $_i -lt 40 ]; do
			echo stop >/proc/net/pktgen/pgctrl
			sleep 0.5
			_i=$((_i + 1))
		done
		kill $_pg 2>/dev/null
		wait $_pg 2>/dev/null
	fi
	PG_SENT="$(pg_sofar sn0) $(pg_sofar sn1)"
	pktgen_reset
}

# both_sent: pktgen sent frames on both devices.
both_sent()
{
	set -- $PG_SENT
	is_number "$1" && is_number "$2" && [ "$1" -gt 0 ] && [ "$2" -gt 0 ]
}

plan 67

check_cmd "pktgen.ko loads" pktgen_load

for p in $SIZES; do
	m="pool_size=$p"
	snull_unload
	check_cmd "$m: load" snull_load pool_size=$p
	check_cmd "$m: snull-setup" snull_setup_addrs
	check_eq "$m: ethtool -g: TX current $p" "$p" "$(ring_param cur)"
	check_fail "$m: ethtool -G sn0 tx 16 fails (no run-time resize)" \
		ethtool -G sn0 tx 16
	check_eq "$m: ethtool -g still shows $p" "$p" "$(ring_param cur)"

	bg snull-raw blast 192.168.0.2 $UDP_SECS 0 1472 >"$TMP/blast0" 2>&1
	b0=$BG_PID
	bg snull-raw blast 192.168.1.1 $UDP_SECS 0 1472 >"$TMP/blast1" 2>&1
	b1=$BG_PID
	pg_flood $FRAMES $FLOOD_LIMIT || diag "$m: pktgen setup failed"
	wait $b0 $b1
	diag "$m: pktgen sent $PG_SENT; UDP sn0->sn1: $(cat "$TMP/blast0");" \
		"sn1->sn0: $(cat "$TMP/blast1")"
	check_cmd "$m: pktgen sent frames both ways" both_sent
	settle
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
	ping_run "$TMP/ping" -c 3 -i 0.2 -W 2 192.168.0.2
	check_eq "$m: ping 192.168.0.2 afterwards: 3 replies" 3 "$(ping_received "$TMP/ping")"
done

finish
