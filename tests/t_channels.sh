#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 44
# snull-debug-cost: 100
# snull-passes: debug
#
# Multiqueue (issue #11): ethtool -l shows one combined channel and a
# maximum of one a CPU; ethtool -L on either end sets the pair's count (the
# receiver's queue i reads the sender's ring i); frames sent on queue i are
# received on queue i of the peer and counted there in ethtool -S's per-queue
# counters, packets and bytes, TX and RX, each way, each compared with what
# was sent on that queue. A queue taken away while frames wait on its wire drops and
# counts them; a change under TCP traffic
# loses nothing TCP cannot repair and leaves every ring empty; a change with
# one end down works; bad counts are refused; with use_napi=0 each queue's
# handler receives on its own queue.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

CPUS=$(grep -c '^processor' /proc/cpuinfo)
MAX=$((CPUS > 8 ? 8 : CPUS))

# chan IFACE: "max current" combined channels, as ethtool -l shows them.
chan()
{
	ethtool -l "$1" 2>&1 | awk '
		/^Pre-set/ { s = "max" } /^Current/ { s = "cur" }
		$1 == "Combined:" { v[s] = $2 }
		END { print v["max"], v["cur"] }'
}

# pg_queue IFACE COUNT QMIN QMAX [SIZE]: COUNT frames (of SIZE bytes, 60 by
# default) on IFACE's TX queues QMIN..QMAX (pktgen takes them in turn), to
# sink_ip, one per xmit; waits until sent.
pg_queue()
{
	pktgen_reset
	pktgen_dev 0 "$1" "$2" "$(sink_ip "$1")" "$(peer_mac "$1")" "$5" >/dev/null &&
		echo "burst 1" >"/proc/net/pktgen/$1" &&
		echo "queue_map_min $3" >"/proc/net/pktgen/$1" &&
		echo "queue_map_max $4" >"/proc/net/pktgen/$1" &&
		pktgen_run
	_rc=$?
	pktgen_reset
	return "$_rc"
}

# qcounts IFACE: "tx0p tx0b tx1p tx1b rx0p rx0b rx1p rx1b", the packets and
# bytes of IFACE's queues 0 and 1 in ethtool -S ("missing" for one absent).
qcounts()
{
	ethtool -S "$1" 2>/dev/null | awk '
		{ v[$1] = $2 }
		END {
			split("tx_queue_0_packets: tx_queue_0_bytes: tx_queue_1_packets: tx_queue_1_bytes: rx_queue_0_packets: rx_queue_0_bytes: rx_queue_1_packets: rx_queue_1_bytes:", n, " ")
			for (i = 1; i <= 8; i++) {
				s = (i > 1) ? " " : ""
				if (n[i] in v)
					s = s v[n[i]]
				else
					s = s "missing"
				printf "%s", s
			}
			print ""
		}'
}

# qgrew BEFORE AFTER I: how much the Ith number of two qcounts lines grew.
qgrew()
{
	sub "$(echo "$2" | cut -d' ' -f"$3")" "$(echo "$1" | cut -d' ' -f"$3")"
}

# per_queue TX RX N0 S0 N1 S1: N0 frames of S0 bytes on TX's queue 0, then
# N1 frames of S1 bytes on its queue 1; each queue's packets and bytes, at
# TX (tx_queue_*) and at RX (rx_queue_* of the same number), grew by what
# was sent on that queue and by nothing else: 8 results.
per_queue()
{
	_pq_tx=$1
	_pq_rx=$2
	_pq_t0=$(qcounts "$_pq_tx")
	_pq_r0=$(qcounts "$_pq_rx")
	pg_queue "$_pq_tx" "$3" 0 0 "$4" || diag "pktgen on $_pq_tx's queue 0 failed"
	pg_queue "$_pq_tx" "$5" 1 1 "$6" || diag "pktgen on $_pq_tx's queue 1 failed"
	settle
	_pq_t1=$(qcounts "$_pq_tx")
	_pq_r1=$(qcounts "$_pq_rx")
	diag "$_pq_tx tx: $_pq_t0 -> $_pq_t1; $_pq_rx rx: $_pq_r0 -> $_pq_r1"
	for _pq in "0 $3 $4" "1 $5 $6"; do
		# shellcheck disable=SC2086 # queue, count, size
		set -- $_pq
		_pq_i=$(($1 * 2 + 1))
		check_eq "$_pq_tx -> $_pq_rx: $_pq_tx tx_queue_$1_packets +$2" \
			"$2" "$(qgrew "$_pq_t0" "$_pq_t1" $_pq_i)"
		check_eq "$_pq_tx -> $_pq_rx: $_pq_tx tx_queue_$1_bytes +$(($2 * $3)) ($2 of $3 bytes)" \
			$(($2 * $3)) "$(qgrew "$_pq_t0" "$_pq_t1" $((_pq_i + 1)))"
		check_eq "$_pq_tx -> $_pq_rx: $_pq_rx rx_queue_$1_packets +$2" \
			"$2" "$(qgrew "$_pq_r0" "$_pq_r1" $((_pq_i + 4)))"
		check_eq "$_pq_tx -> $_pq_rx: $_pq_rx rx_queue_$1_bytes +$(($2 * $3))" \
			$(($2 * $3)) "$(qgrew "$_pq_r0" "$_pq_r1" $((_pq_i + 5)))"
	done
}

# qbytes: the per-queue bytes, "sn0_tx0 sn0_tx1 sn1_tx0 sn1_tx1 sn1_rx0
# sn1_rx1 sn0_rx0 sn0_rx1"; qbytes_moved BEFORE: what each grew by since.
qbytes()
{
	echo "$(estat sn0 tx_queue_0_bytes) $(estat sn0 tx_queue_1_bytes)" \
		"$(estat sn1 tx_queue_0_bytes) $(estat sn1 tx_queue_1_bytes)" \
		"$(estat sn1 rx_queue_0_bytes) $(estat sn1 rx_queue_1_bytes)" \
		"$(estat sn0 rx_queue_0_bytes) $(estat sn0 rx_queue_1_bytes)"
}

qbytes_moved()
{
	# shellcheck disable=SC2046,SC2086 # sixteen numbers
	set -- $1 $(qbytes)
	echo "$(sub "$9" "$1") $(sub "${10}" "$2") $(sub "${11}" "$3")" \
		"$(sub "${12}" "$4") $(sub "${13}" "$5") $(sub "${14}" "$6")" \
		"$(sub "${15}" "$7") $(sub "${16}" "$8")"
}

plan 87

check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs
check_cmd "pktgen loads" pktgen_load
check_eq "ethtool -l sn0: maximum one a CPU ($MAX), one by default" \
	"$MAX 1" "$(chan sn0)"
check_eq "ethtool -S sn0: queue 0's counters, no queue 1's" "0 missing" \
	"$(estat sn0 rx_queue_0_packets) $(estat sn0 rx_queue_1_packets)"
check_fail "ethtool -L sn0 combined 0: refused" ethtool -L sn0 combined 0
check_fail "ethtool -L sn0 combined $((MAX + 1)): over the maximum, refused" \
	ethtool -L sn0 combined $((MAX + 1))
check_fail "ethtool -L sn0 rx 1: no separate RX channels, refused" \
	ethtool -L sn0 rx 1

if [ "$MAX" -lt 2 ]; then
	die "one CPU: no second queue to test"
fi

# --- two queues: each frame stays on its queue number across the wire ---
check_cmd "ethtool -L sn0 combined 2" ethtool -L sn0 combined 2
check_eq "ethtool -l sn1: the pair follows, 2" "$MAX 2" "$(chan sn1)"
check_eq "sysfs: sn1 has RX queues rx-0 and rx-1" "rx-0 rx-1" \
	"$(cd /sys/class/net/sn1/queues && echo rx-*)"
check_ping "ping 192.168.0.2 after the change: 3 replies" 3 192.168.0.2
settle
a0=$(estat sn0 tx_queue_0_packets)
a1=$(estat sn0 tx_queue_1_packets)
b0=$(estat sn1 rx_queue_0_packets)
b1=$(estat sn1 rx_queue_1_packets)
qbytes0=$(qbytes)
check_cmd "pktgen: 400 frames on sn0's TX queue 1" pg_queue sn0 400 1 1
settle
# shellcheck disable=SC2046 # eight numbers
set -- $(qbytes_moved "$qbytes0")
check_gt "sn0 tx_queue_1_bytes grew (+$2)" 0 "$2"
check_eq "sn1 rx_queue_1_bytes grew as much" "$2" "$6"
check_eq "no bytes on queue 0: sn0 tx_queue_0_bytes, sn1 rx_queue_0_bytes" "0 0" "$1 $5"
check_eq "sn0 tx_queue_1_packets +400" 400 "$(sub "$(estat sn0 tx_queue_1_packets)" "$a1")"
check_eq "sn0 tx_queue_0_packets unchanged" 0 "$(sub "$(estat sn0 tx_queue_0_packets)" "$a0")"
check_eq "sn1 rx_queue_1_packets +400: received on the same queue" 400 \
	"$(sub "$(estat sn1 rx_queue_1_packets)" "$b1")"
check_eq "sn1 rx_queue_0_packets unchanged" 0 "$(sub "$(estat sn1 rx_queue_0_packets)" "$b0")"
a0=$(estat sn1 tx_queue_0_packets)
a1=$(estat sn1 tx_queue_1_packets)
qbytes0=$(qbytes)
check_cmd "pktgen: 300 frames on sn1's TX queues 0 and 1 in turn" pg_queue sn1 300 0 1
settle
# shellcheck disable=SC2046 # eight numbers
set -- $(qbytes_moved "$qbytes0")
check_gt "sn1 -> sn0: bytes on TX queue 0 (+$3)" 0 "$3"
check_eq "sn1 -> sn0: the same bytes on TX queue 1, and on sn0's RX queues 0 and 1" \
	"$3 $3 $3" "$4 $7 $8"
check_eq "sn1: 150 frames on each TX queue" "150 150" \
	"$(sub "$(estat sn1 tx_queue_0_packets)" "$a0") $(sub "$(estat sn1 tx_queue_1_packets)" "$a1")"
# Nothing has been dropped so far: what each queue sent, the peer's queue
# of the same number received, frame for frame and byte for byte.
for dir in "sn0 sn1" "sn1 sn0"; do
	# shellcheck disable=SC2086 # two names
	set -- $dir
	check_eq "$1 -> $2: each TX queue's packets arrived on $2's queue of the same number" \
		"$(estat "$1" tx_queue_0_packets) $(estat "$1" tx_queue_1_packets)" \
		"$(estat "$2" rx_queue_0_packets) $(estat "$2" rx_queue_1_packets)"
done
for dir in "sn0 sn1" "sn1 sn0"; do
	# shellcheck disable=SC2086 # two names
	set -- $dir
	check_eq "$1 -> $2: and each queue's bytes" \
		"$(estat "$1" tx_queue_0_bytes) $(estat "$1" tx_queue_1_bytes)" \
		"$(estat "$2" rx_queue_0_bytes) $(estat "$2" rx_queue_1_bytes)"
done
# Each queue counts what was sent on it, packets and bytes, at both ends,
# both ways; the counts and sizes differ between the queues.
per_queue sn0 sn1 200 60 100 124
per_queue sn1 sn0 150 80 250 100

# --- a queue taken away with frames on its wire drops and counts them ---
knob sn0 hold_ring 1
d0=$(estat sn1 rx_drop_down)
check_cmd "pktgen: 5 frames on sn0's queue 1, held on the wire" pg_queue sn0 5 1 1
check_eq "snull-ctl ring sn0: 5 in flight" 5 "$(ring_field sn0 in_flight)"
check_cmd "ethtool -L sn1 combined 1, from the other end" ethtool -L sn1 combined 1
knob sn0 hold_ring 0
check_eq "sn1 rx_drop_down +5: the held frames were dropped and counted" 5 \
	"$(sub "$(estat sn1 rx_drop_down)" "$d0")"
check_eq "snull-ctl ring sn0: nothing in flight, not stalled" "0 0" \
	"$(ring_field sn0 in_flight) $(ring_field sn0 stalled)"
check_eq "ethtool -S sn0: queue 1's counters are gone" 0 \
	"$(ethtool -S sn0 | grep -c '_queue_1_')"
reconcile

# --- changes under TCP traffic, and with one end down ---
iperf_server 5201
bg timeout 60 iperf3 -c 192.168.0.2 -p 5201 -t 6 -P 4 >"$TMP/tcp.out" 2>&1
tcp=$BG_PID
sleep 1
i=0
fails=0
while [ $i -lt 8 ]; do
	ethtool -L sn$((i % 2)) combined $((1 + (i + 1) % 2)) || fails=$((fails + 1))
	sleep 0.5
	i=$((i + 1))
done
check_eq "8 changes between 1 and 2 queues under 4 TCP streams: none failed" 0 $fails
wait "$tcp"
rc=$?
check_eq "iperf3 TCP, 4 streams, across the changes: succeeds" 0 $rc
[ $rc = 0 ] || diag <"$TMP/tcp.out"
check_eq "sn0: tx_busy is 0" 0 "$(estat sn0 tx_busy)"
reconcile
check_cmd "ip link set sn1 down" ip link set sn1 down
check_cmd "ethtool -L sn0 combined 2 with sn1 down" ethtool -L sn0 combined 2
check_cmd "ip link set sn1 up" ip link set sn1 up
wait_for 10 both_up || diag "the links did not come up"
check_ping "ping 192.168.1.1 through two queues: 3 replies" 3 192.168.1.1
bg_kill
check_cmd "unload" snull_unload

# --- a stale queue mapping: pktgen sends one skb again and again
# (clone_skb), keeping the queue it was built for, while that queue comes
# and goes; the frames for a queue that is gone are dropped and counted ---
check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs
check_cmd "ethtool -L sn0 combined 2" ethtool -L sn0 combined 2
pktgen_reset
pktgen_dev 0 sn0 0 "$(sink_ip sn0)" "$(peer_mac sn0)" >/dev/null &&
	echo "clone_skb 100000" >/proc/net/pktgen/sn0 &&
	echo "queue_map_min 1" >/proc/net/pktgen/sn0 &&
	echo "queue_map_max 1" >/proc/net/pktgen/sn0
pktgen_start 60
sleep 1
i=0
fails=0
while [ $i -lt 6 ]; do
	ethtool -L sn0 combined $((1 + (i + 1) % 2)) || fails=$((fails + 1))
	sleep 0.3
	i=$((i + 1))
done
pktgen_stop
check_eq "6 changes under pktgen's reused skb: none failed" 0 $fails
check_gt "sn0: tx_drop_queue > 0: frames for the queue that was gone" 0 \
	"$(estat sn0 tx_drop_queue)"
diag "pktgen sent $PG_SENT; tx_drop_queue $(estat sn0 tx_drop_queue)"
reconcile
check_cmd "unload" snull_unload

# --- a change that pauses a poll with work left (napi_weight=1 under a
# flood: every poll uses its whole budget) must not strand the frames on
# the wire: the rings drain afterwards without a down/up ---
check_cmd "load snull napi_weight=1" snull_load napi_weight=1
check_cmd "snull-setup" snull_setup_addrs
# One way only: TX-done interrupts of a flood the other way would run the
# receiver's poll, which reads the wire too, and hide a stranded frame.
pktgen_reset
pktgen_dev 0 sn0 0 192.168.0.2 "$(peer_mac sn0)" >/dev/null
pktgen_start 60
sleep 1
i=0
fails=0
while [ $i -lt 10 ]; do
	ethtool -L sn$((i % 2)) combined $((1 + (i + 1) % 2)) || fails=$((fails + 1))
	sleep 0.3
	i=$((i + 1))
done
pktgen_stop
check_eq "10 changes under a flood with napi_weight=1: none failed" 0 $fails
check_cmd "pktgen sent" is_number "$(pktgen_sofar sn0)"
check_cmd "the rings drain: no frame stranded on the wire" settle
reconcile
check_cmd "unload" snull_unload

# --- use_napi=0: each queue's handler receives on its own queue ---
check_cmd "load snull use_napi=0" snull_load use_napi=0
check_cmd "snull-setup" snull_setup_addrs
check_cmd "ethtool -L sn0 combined 2" ethtool -L sn0 combined 2
check_cmd "pktgen: 200 frames on sn0's queues 0 and 1 in turn" pg_queue sn0 200 0 1
settle
check_eq "sn1: 100 frames received on each queue" "100 100" \
	"$(estat sn1 rx_queue_0_packets) $(estat sn1 rx_queue_1_packets)"
check_eq "sn1: rx_netif_rx 200" 200 "$(estat sn1 rx_netif_rx)"
check_cmd "ethtool -L sn0 combined 1" ethtool -L sn0 combined 1
check_ping "ping 192.168.0.2: 3 replies" 3 192.168.0.2
pktgen_unload
check_cmd "unload" snull_unload
finish
