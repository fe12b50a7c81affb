#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-boot: watchdog
# snull-allow-log: NETDEV WATCHDOG
#
# Lost TX-done interrupts under a flood: lockup=1, 2, 3 and 7 (each a
# reload, timeout=100 ms), then the run-time knob (lockup=0 at load, 5
# written to debugfs under the flood). Each time the watchdog must fire and
# ndo_tx_timeout reset the ring (tx_timeouts, tx_lost_irqs), and once the
# flood stops the ring must come back to nothing in flight, not stalled,
# with every frame accounted for and ping working.
#
# A stalled ring whose queue is not stopped is never reset: the watchdog
# only looks at stopped queues, as with a real NIC. If the flood stops
# while the ring is in that state, the test fills the ring with exactly the
# frames it lacks (pktgen, which bypasses the qdisc, so nothing is left
# queued to stall it again), and the watchdog then resets it. How often that
# was needed is reported, not failed.
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
RECOVER_SECS=5	# the watchdog timer runs about once a second (round_jiffies)
DBG=/sys/kernel/debug/snull

ring_clean()
{
	snull-ctl ring "$1" 2>&1 | grep -q ' in_flight=0 stalled=0$'
}

# ring_field DEV in_flight|stalled
ring_field()
{
	snull-ctl ring "$1" 2>&1 | sed -n "s/.* $2=\\([0-9]*\\).*/\\1/p"
}

sum_estat()
{
	add "$(estat sn0 "$1")" "$(estat sn1 "$1")"
}

pg_sofar()
{
	awk '/pkts-sofar:/ { print $2; f = 1 } END { if (!f) print "missing" }' \
		"/proc/net/pktgen/$1" 2>/dev/null
}

# peer_mac DEV / far_ip DEV: where DEV's frames go. The .99 addresses are
# not local: the receiving stack drops those frames without answering, so
# nothing but the flood crosses.
peer_mac()
{
	case $1 in
	sn0) echo 00:53:4e:55:4c:31 ;;
	*) echo 00:53:4e:55:4c:30 ;;
	esac
}

far_ip()
{
	case $1 in
	sn0) echo 192.168.0.99 ;;
	*) echo 192.168.1.99 ;;
	esac
}

# flood_start / flood_stop: pktgen (no count limit) and UDP both ways.
PG=
flood_start()
{
	pktgen_reset
	pktgen_dev 0 sn0 0 "$(far_ip sn0)" "$(peer_mac sn0)" &&
		pktgen_dev 1 sn1 0 "$(far_ip sn1)" "$(peer_mac sn1)" ||
		diag "pktgen setup failed"
	bg timeout 300 sh -c 'echo start >/proc/net/pktgen/pgctrl'
	PG=$BG_PID
	bg snull-raw blast "$(far_ip sn0)" 300 0 1472 >"$TMP/blast0" 2>&1
	B0=$BG_PID
	bg snull-raw blast "$(far_ip sn1)" 300 0 1472 >"$TMP/blast1" 2>&1
	B1=$BG_PID
}

# A "stop" that comes while a "start" still propagates finds nothing
# running: say it until the "start" returns.
flood_stop()
{
	kill "$B0" "$B1" 2>/dev/null
	wait "$B0" "$B1" 2>/dev/null
	_i=0
	while kill -0 "$PG" 2>/dev/null && [ $_i -lt 40 ]; do
		echo stop >/proc/net/pktgen/pgctrl 2>/dev/null
		sleep 0.5
		_i=$((_i + 1))
	done
	kill "$PG" 2>/dev/null
	wait "$PG" 2>/dev/null
	PG_SENT="$(pg_sofar sn0) $(pg_sofar sn1)"
	pktgen_reset
}

both_sent()
{
	set -- $PG_SENT
	is_number "$1" && is_number "$2" && [ "$1" -gt 0 ] && [ "$2" -gt 0 ]
}

# kick DEV N: exactly N frames on DEV, straight into ndo_start_xmit.
kick()
{
	pktgen_reset
	pktgen_dev 0 "$1" "$2" "$(far_ip "$1")" "$(peer_mac "$1")" >/dev/null &&
		echo "burst 1" >"/proc/net/pktgen/$1" &&
		timeout 60 sh -c 'echo start >/proc/net/pktgen/pgctrl'
	pktgen_reset
}

# recover DEV: wait for DEV's ring to come back; fill a stalled ring whose
# queue never stopped (see the top). KICKS says how often that was needed.
recover()
{
	KICKS=0
	while :; do
		wait_for $RECOVER_SECS ring_clean "$1" && return 0
		[ $KICKS -lt 3 ] || break
		KICKS=$((KICKS + 1))
		_if=$(ring_field "$1" in_flight)
		_st=$(ring_field "$1" stalled)
		diag "$1: still in_flight=$_if stalled=$_st: filling the ring"
		if is_number "$_if" && [ "$_st" = 1 ] && [ "$_if" -lt $POOL ]; then
			kick "$1" $((POOL - _if))
		fi
	done
	diag "$1: $(snull-ctl ring "$1" 2>&1)"
	return 1
}

# check_recovered M: both rings come back; the books balance.
check_recovered()
{
	for _d in sn0 sn1; do
		if recover $_d; then
			ok "$1: $_d ring: nothing in flight, not stalled"
		else
			not_ok "$1: $_d ring: nothing in flight, not stalled"
		fi
		[ $KICKS -eq 0 ] || diag "$1: $_d needed $KICKS fill(s) of its ring"
	done
	reconcile
	check_eq "$1: no tx_busy" 0 "$(sum_estat tx_busy)"
}

plan 73

check_cmd "pktgen.ko loads" pktgen_load

for l in $LOCKUPS; do
	m="lockup=$l"
	snull_unload
	check_cmd "$m: load (timeout=$TIMEOUT pool_size=$POOL)" \
		snull_load lockup="$l" timeout=$TIMEOUT pool_size=$POOL
	check_cmd "$m: snull-setup" snull_setup_addrs
	flood_start
	sleep $FLOOD_SECS
	flood_stop
	diag "$m: pktgen sent $PG_SENT; UDP sn0: $(cat "$TMP/blast0"); sn1: $(cat "$TMP/blast1")"
	check_cmd "$m: pktgen sent frames both ways" both_sent
	for d in sn0 sn1; do
		check_gt "$m: $d: tx_timeouts > 0" 0 "$(estat $d tx_timeouts)"
		check_gt "$m: $d: tx_lost_irqs > 0" 0 "$(estat $d tx_lost_irqs)"
		check_eq "$m: $d: tx_errors == tx_timeouts" "$(estat $d tx_timeouts)" \
			"$(stat $d tx_errors)"
	done
	diag "$m: tx_timeouts sn0 $(estat sn0 tx_timeouts) sn1 $(estat sn1 tx_timeouts);" \
		"tx_lost_irqs sn0 $(estat sn0 tx_lost_irqs) sn1 $(estat sn1 tx_lost_irqs)"
	check_recovered "$m"
	ping_run "$TMP/ping" -c 3 -i 0.2 -W 2 192.168.0.2
	check_eq "$m: ping 192.168.0.2 afterwards: 3 replies" 3 "$(ping_received "$TMP/ping")"
done

# --- the run-time knob: lockup=5 on sn0 only, written under the flood ---
m="knob"
snull_unload
check_cmd "$m: load lockup=0 (timeout=$TIMEOUT pool_size=$POOL)" \
	snull_load lockup=0 timeout=$TIMEOUT pool_size=$POOL
check_cmd "$m: snull-setup" snull_setup_addrs
flood_start
sleep 1
check_cmd "$m: echo 5 > $DBG/sn0/lockup under the flood" sh -c "echo 5 >$DBG/sn0/lockup"
sleep $FLOOD_SECS
echo 0 >$DBG/sn0/lockup
flood_stop
diag "$m: pktgen sent $PG_SENT; tx_timeouts sn0 $(estat sn0 tx_timeouts)," \
	"tx_lost_irqs sn0 $(estat sn0 tx_lost_irqs)"
check_gt "$m: sn0: tx_lost_irqs > 0" 0 "$(estat sn0 tx_lost_irqs)"
check_gt "$m: sn0: tx_timeouts > 0" 0 "$(estat sn0 tx_timeouts)"
check_eq "$m: sn1 (knob left at 0): no tx_lost_irqs" 0 "$(estat sn1 tx_lost_irqs)"
check_recovered "$m"
ping_run "$TMP/ping" -c 3 -i 0.2 -W 2 192.168.0.2
check_eq "$m: ping 192.168.0.2 afterwards: 3 replies" 3 "$(ping_received "$TMP/ping")"

finish
