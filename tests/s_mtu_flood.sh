#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# MTU changes under a flood: random MTUs (68..1500) on one end, the other or
# both, while pktgen (small frames one way, 1514-byte frames the other: it
# ignores the MTU) and UDP datagrams of every size through the stack (which
# fragments them to the MTU of the moment) flood both directions. Then, back
# at 1500: a full-size ping with DF set crosses both ways intact, one byte
# more is refused locally ("message too long"), and the counters reconcile.
#
# Bounded: CHANGES MTU changes or LIMIT seconds, whichever comes first.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

CHANGES=500
LIMIT=45
# A debug kernel (KASAN, lockdep, kmemleak) runs 3-5 times slower and gets
# through less in the same time: the minimums are divided by SLOW there.
SLOW=1
[ ! -e /sys/kernel/debug/kmemleak ] && [ ! -e /proc/lockdep ] || SLOW=4
[ $SLOW -eq 1 ] || diag "a debug kernel: the minimums are divided by $SLOW"
MIN_CHANGES=$((60 / SLOW))

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

# A "stop" that comes while a "start" still propagates finds nothing
# running: say it until the "start" returns.
PG=
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

plan 15

diag "seed $SEED; $CHANGES MTU changes or $LIMIT s"
check_cmd "pktgen.ko loads" pktgen_load
check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs

pktgen_reset
pktgen_dev 0 sn0 0 192.168.0.2 00:53:4e:55:4c:31 60 &&
	pktgen_dev 1 sn1 0 192.168.1.99 00:53:4e:55:4c:30 1514 ||
	diag "pktgen setup failed"
bg timeout 300 sh -c 'echo start >/proc/net/pktgen/pgctrl'
PG=$BG_PID
bg snull-raw blast 192.168.0.99 $((LIMIT + 60)) 0 1472 >"$TMP/blast0" 2>&1
blast0=$BG_PID
bg snull-raw blast 192.168.1.1 $((LIMIT + 60)) 0 1472 >"$TMP/blast1" 2>&1
blast1=$BG_PID
sleep 0.5

bad=0
n=0
lo=1500
hi=68
tick
start=$NOW
end=$((NOW + LIMIT))
while [ $n -lt $CHANGES ] && [ "$NOW" -lt $end ]; do
	rnd 3
	case $R in
	0) devs=sn0 ;;
	1) devs=sn1 ;;
	*) devs="sn0 sn1" ;;
	esac
	for d in $devs; do
		rnd 1433
		mtu=$((68 + R))
		[ $mtu -ge $lo ] || lo=$mtu
		[ $mtu -le $hi ] || hi=$mtu
		n=$((n + 1))
		if ! ip link set "$d" mtu $mtu 2>"$TMP/ip.err"; then
			bad=$((bad + 1))
			diag "ip link set $d mtu $mtu: $(cat "$TMP/ip.err")"
		elif [ "$(cat /sys/class/net/$d/mtu)" != $mtu ]; then
			bad=$((bad + 1))
			diag "$d: mtu $mtu set, sysfs shows $(cat /sys/class/net/$d/mtu)"
		fi
	done
	rnd 4
	[ $R -eq 0 ] || usleep $((R * 10000))
	tick
done
elapsed=$((NOW - start))

pktgen_stop
kill "$blast0" "$blast1" 2>/dev/null
wait "$blast0" "$blast1" 2>/dev/null
ip link set sn0 mtu 1500
ip link set sn1 mtu 1500
diag "$n MTU changes ($lo..$hi) in $elapsed s; UDP sn0->sn1: $(cat "$TMP/blast0");" \
	"sn1->sn0: $(cat "$TMP/blast1"); tx_packets sn0 $(stat sn0 tx_packets)," \
	"sn1 $(stat sn1 tx_packets)"
check_ge "at least $MIN_CHANGES MTU changes" $MIN_CHANGES $n
check_eq "every MTU change worked and reads back" 0 $bad
check_eq "both ends back at MTU 1500" "1500 1500" \
	"$(cat /sys/class/net/sn0/mtu) $(cat /sys/class/net/sn1/mtu)"
settle
reconcile
check_cmd "sn0 ring: nothing in flight, not stalled" ring_clean sn0
check_cmd "sn1 ring: nothing in flight, not stalled" ring_clean sn1
check_eq "no tx_busy" 0 "$(sum_estat tx_busy)"
check_eq "no tx_drop_oversize (no frame above 1514 bytes was sent)" 0 \
	"$(sum_estat tx_drop_oversize)"

# --- back at 1500: full-size frames with DF set ---
check_eq "ping -s 1472 -M do 192.168.0.2: 3 intact replies" "sent 3 received 3 bad 0" \
	"$(snull-raw ping 192.168.0.2 1472 3 2>"$TMP/ping.err")"
check_eq "ping -s 1472 -M do 192.168.1.1: 3 intact replies" "sent 3 received 3 bad 0" \
	"$(snull-raw ping 192.168.1.1 1472 3 2>"$TMP/ping.err")"
check_eq "ping -s 1473 -M do 192.168.0.2: message too long (EMSGSIZE)" EMSGSIZE \
	"$(snull-raw ping 192.168.0.2 1473 1 2>"$TMP/ping.err")"

finish
