#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 48
# snull-debug-cost: 82
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
set_slow
MIN_CHANGES=$(slow_min 60)

plan 16

rnd_seed
diag "seed $SEED; $CHANGES MTU changes or $LIMIT s"
check_cmd "pktgen.ko loads" pktgen_load
check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs

flood_start $((LIMIT + 60)) 60 1514
sleep 0.5

bad=0
n=0
lo=1500
hi=68
time_limit $LIMIT
while [ $n -lt $CHANGES ] && in_time; do
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
		elif [ "$(cat /sys/class/net/"$d"/mtu)" != "$mtu" ]; then
			bad=$((bad + 1))
			diag "$d: mtu $mtu set, sysfs shows $(cat /sys/class/net/"$d"/mtu)"
		fi
	done
	rnd 4
	[ $R -eq 0 ] || usleep $((R * 10000))
done
elapsed=$((NOW - START))

flood_stop
ip link set sn0 mtu 1500
ip link set sn1 mtu 1500
diag "$n MTU changes ($lo..$hi) in $elapsed s; $(blast_report);" \
	"tx_packets sn0 $(stat sn0 tx_packets), sn1 $(stat sn1 tx_packets)"
check_flood "the flood ran both ways"
check_ge "at least $MIN_CHANGES MTU changes" "$MIN_CHANGES" "$n"
check_eq "every MTU change worked and reads back" 0 $bad
check_eq "both ends back at MTU 1500" "1500 1500" \
	"$(cat /sys/class/net/sn0/mtu) $(cat /sys/class/net/sn1/mtu)"
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
