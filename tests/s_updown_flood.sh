#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Down and up under a flood: one end, the other, or both, at random, while
# pktgen (restarted after each up: it stops when carrier goes) and UDP
# through the stack flood both directions. ndo_stop flushes the wire and
# masks the line while the peer keeps posting; ndo_open must bring the
# receive path back every time. Afterwards every frame is accounted for,
# the rings are empty and ping works. Once with NAPI, once with netif_rx().
#
# Bounded per receive mode: TOGGLES down/up cycles or LIMIT seconds,
# whichever comes first.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

TOGGLES=250	# per receive mode: 500 in all
LIMIT=30	# seconds per receive mode
# A debug kernel (KASAN, lockdep, kmemleak) runs 3-5 times slower and gets
# through less in the same time: the minimums are divided by SLOW there.
SLOW=1
[ ! -e /sys/kernel/debug/kmemleak ] && [ ! -e /proc/lockdep ] || SLOW=4
[ $SLOW -eq 1 ] || diag "a debug kernel: the minimums are divided by $SLOW"
MIN_TOGGLES=$((30 / SLOW))

tick()
{
	read -r _up _idle </proc/uptime
	NOW=${_up%.*}
}

SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
_rs=$SEED
rnd()
{
	_rs=$(((_rs * 1103515245 + 12345) % 2147483648))
	R=$(((_rs / 65536) % $1))
}

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

both_up()
{
	[ "$(cat /sys/class/net/sn0/carrier 2>/dev/null)" = 1 ] &&
		[ "$(cat /sys/class/net/sn1/carrier 2>/dev/null)" = 1 ] &&
		ip link show sn0 | grep -q '[<,]UP[,>]' &&
		ip link show sn1 | grep -q '[<,]UP[,>]'
}

# pktgen_start: (re)start pktgen on both devices unless it still runs.
PG=
pktgen_start()
{
	[ -n "$PG" ] && kill -0 "$PG" 2>/dev/null && return 0
	[ -z "$PG" ] || wait "$PG" 2>/dev/null
	bg timeout 300 sh -c 'echo start >/proc/net/pktgen/pgctrl'
	PG=$BG_PID
}

# pktgen_stop: a "stop" that comes while a "start" is still propagating to
# the threads finds nothing running, and the devices start afterwards, with
# no count limit: say it again until the "start" returns.
pktgen_stop()
{
	_i=0
	while [ -n "$PG" ] && kill -0 "$PG" 2>/dev/null && [ $_i -lt 40 ]; do
		echo stop >/proc/net/pktgen/pgctrl 2>/dev/null
		sleep 0.5
		_i=$((_i + 1))
	done
	[ -z "$PG" ] || kill "$PG" 2>/dev/null
	[ -z "$PG" ] || wait "$PG" 2>/dev/null
	PG=
}

# link DEV up|down: count a failure in $bad_ip.
link()
{
	ip link set "$1" "$2" 2>>"$TMP/ip.err" || bad_ip=$((bad_ip + 1))
}

plan 29

diag "seed $SEED; per mode $TOGGLES down/up cycles or $LIMIT s"
check_cmd "pktgen.ko loads" pktgen_load

for napi in 1 0; do
	m="use_napi=$napi"
	snull_unload
	check_cmd "$m: load" snull_load use_napi=$napi
	check_cmd "$m: snull-setup" snull_setup_addrs
	pktgen_reset
	pktgen_dev 0 sn0 0 192.168.0.2 00:53:4e:55:4c:31 &&
		pktgen_dev 1 sn1 0 192.168.1.99 00:53:4e:55:4c:30 ||
		diag "$m: pktgen setup failed"
	bg snull-raw blast 192.168.0.99 $((LIMIT + 60)) 0 1472 >"$TMP/blast0" 2>&1
	blast0=$BG_PID
	bg snull-raw blast 192.168.1.1 $((LIMIT + 60)) 0 1472 >"$TMP/blast1" 2>&1
	blast1=$BG_PID
	pktgen_start
	sleep 0.5

	bad_ip=0
	: >"$TMP/ip.err"
	n=0
	tick
	start=$NOW
	end=$((NOW + LIMIT))
	while [ $n -lt $TOGGLES ] && [ "$NOW" -lt $end ]; do
		n=$((n + 1))
		rnd 5
		case $R in
		0|1) devs=sn0 ;;
		2|3) devs=sn1 ;;
		*) devs="sn0 sn1" ;;
		esac
		for d in $devs; do link "$d" down; done
		rnd 4
		[ $R -eq 0 ] || usleep $((R * 10000))
		for d in $devs; do link "$d" up; done
		pktgen_start
		rnd 3
		[ $R -eq 0 ] || usleep $((R * 20000))
		tick
	done
	elapsed=$((NOW - start))

	pktgen_stop
	kill "$blast0" "$blast1" 2>/dev/null
	wait "$blast0" "$blast1" 2>/dev/null
	ip link set sn0 up
	ip link set sn1 up
	diag "$m: $n down/up cycles in $elapsed s; UDP sn0->sn1: $(cat "$TMP/blast0");" \
		"sn1->sn0: $(cat "$TMP/blast1")"
	diag "$m: tx_drop_carrier $(sum_estat tx_drop_carrier), rx_drop_down" \
		"$(sum_estat rx_drop_down), tx_packets sn0 $(stat sn0 tx_packets)" \
		"sn1 $(stat sn1 tx_packets)"
	check_ge "$m: at least $MIN_TOGGLES down/up cycles" $MIN_TOGGLES $n
	check_eq "$m: every ip link set up/down worked" 0 $bad_ip
	[ $bad_ip -eq 0 ] || head -n 5 "$TMP/ip.err" | diag
	check_gt "$m: the toggles hit frames in flight (tx_drop_carrier + rx_drop_down > 0)" 0 \
		"$(add "$(sum_estat tx_drop_carrier)" "$(sum_estat rx_drop_down)")"
	check_cmd "$m: both ends up with carrier afterwards" wait_for 5 both_up
	settle
	reconcile
	check_cmd "$m: sn0 ring: nothing in flight, not stalled" ring_clean sn0
	check_cmd "$m: sn1 ring: nothing in flight, not stalled" ring_clean sn1
	check_eq "$m: no tx_busy" 0 "$(sum_estat tx_busy)"
	check_eq "$m: no irq_not_hardirq" 0 "$(sum_estat irq_not_hardirq)"
	ping_run "$TMP/ping" -c 3 -i 0.2 -W 2 192.168.0.2
	check_eq "$m: ping 192.168.0.2: 3 replies" 3 "$(ping_received "$TMP/ping")"
	ping_run "$TMP/ping" -c 3 -i 0.2 -W 2 192.168.1.1
	check_eq "$m: ping 192.168.1.1: 3 replies" 3 "$(ping_received "$TMP/ping")"
done

finish
