#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 17
# snull-debug-cost: 70
#
# The fault injection knobs of docs/interface.md (debugfs, per device): each
# does what it says and shows in the counters it names, and the books still
# balance afterwards. drop_seed makes drop_prob reproducible, also when two
# queues send at once on two CPUs: the same seed drops as many frames.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

DBG=/sys/kernel/debug/snull
KNOBS="drop_every drop_prob drop_seed corrupt_every irq_delay_us lockup hold_ring fail_open"
POOL=8
# hold_ring keeps sn0's queue stopped for a second: far from the watchdog's
# time-out (this script runs with panic_on_warn, and 6.1 WARNs on one).
TIMEOUT=10000

# Every knob file of both devices is there.
knobs_present()
{
	for _d in sn0 sn1; do
		for _k in $KNOBS; do
			[ -f "$DBG/$_d/$_k" ] || { echo "missing $DBG/$_d/$_k"; return 1; }
		done
	done
}

# drop_pattern N: send N good frames one at a time on sn0 and print, for
# each, "x" if it was dropped at transmit and "." if not.
drop_pattern()
{
	_n=$1
	_p=
	read -r _d0 </sys/class/net/sn0/statistics/tx_dropped
	while [ "$_n" -gt 0 ]; do
		snull-ctl inject sn0 good 1 >/dev/null 2>&1
		read -r _d1 </sys/class/net/sn0/statistics/tx_dropped
		if [ "$_d1" -gt "$_d0" ]; then _p="${_p}x"; else _p="${_p}."; fi
		_d0=$_d1
		_n=$((_n - 1))
	done
	echo "$_p"
}

plan 39

check_cmd "load snull pool_size=$POOL timeout=$TIMEOUT" \
	snull_load pool_size=$POOL timeout=$TIMEOUT
check_cmd "snull-setup" snull_setup_addrs
check_cmd "debugfs: every knob of sn0 and sn1 is there" knobs_present

# --- drop_every ---
f0=$(estat sn0 tx_drop_fault)
d0=$(stat sn0 tx_dropped)
r0=$(stat sn1 rx_packets)
knob sn0 drop_every 4
inject sn0 good 40
knob sn0 drop_every 0
sleep 0.3
check_eq "drop_every=4, 40 frames: tx_drop_fault +10" "$(add "$f0" 10)" "$(estat sn0 tx_drop_fault)"
check_eq "drop_every=4, 40 frames: tx_dropped +10" "$(add "$d0" 10)" "$(stat sn0 tx_dropped)"
check_eq "drop_every=4, 40 frames: sn1 receives 30" "$(add "$r0" 30)" "$(stat sn1 rx_packets)"

# --- drop_prob and drop_seed: the same seed drops the same frames ---
knob sn0 drop_seed 42
knob sn0 drop_prob 500000
p1=$(drop_pattern 64)
knob sn0 drop_seed 7
drop_pattern 1 >/dev/null	# the generator sees seed 7
knob sn0 drop_seed 42
p2=$(drop_pattern 64)
knob sn0 drop_seed 42
p3=$(drop_pattern 64)
knob sn0 drop_prob 0
diag "seed 42: $p1"
diag "seed 42: $p2 (after seed 7)"
diag "seed 42: $p3 (written again)"
check_cmd "drop_prob=500000: some of 64 frames dropped, some not" \
	sh -c "echo '$p1' | grep -q x && echo '$p1' | grep -q '\\.'"
check_eq "drop_seed=42 again after another seed: the same frames dropped" "$p1" "$p2"
check_eq "drop_seed=42 written again: the same frames dropped" "$p1" "$p3"

# --- corrupt_every: the receiver's FCS check drops them ---
c0=$(estat sn1 rx_crc_errors)
e0=$(stat sn1 rx_errors)
r0=$(stat sn1 rx_packets)
knob sn0 corrupt_every 5
inject sn0 good 50
knob sn0 corrupt_every 0
sleep 0.3
check_eq "corrupt_every=5, 50 frames: sn1 rx_crc_errors +10" "$(add "$c0" 10)" \
	"$(estat sn1 rx_crc_errors)"
check_eq "corrupt_every=5, 50 frames: sn1 rx_errors +10" "$(add "$e0" 10)" "$(stat sn1 rx_errors)"
check_eq "corrupt_every=5, 50 frames: sn1 receives 40" "$(add "$r0" 40)" "$(stat sn1 rx_packets)"

# --- irq_delay_us: sn1's interrupts come 20 ms late ---
knob sn1 irq_delay_us 20000
ping_run "$TMP/ping" -c 5 -i 0.2 192.168.0.2
knob sn1 irq_delay_us 0
check_eq "irq_delay_us=20000 on sn1: ping 192.168.0.2 still answers 5 of 5" 5 \
	"$(ping_received "$TMP/ping")"
check_ge "irq_delay_us=20000 on sn1: every round trip takes 20 ms or more" 20 \
	"$(ping_min_rtt "$TMP/ping")"
grep 'min/avg/max' "$TMP/ping" | diag

# --- hold_ring: the wire stops taking frames from sn0's ring ---
# Byte queue limits would stop the queue after a few frames, long before
# the ring is full: let BQL pass enough bytes for the whole ring.
BQL=/sys/class/net/sn0/queues/tx-0/byte_queue_limits
read -r bql_min <"$BQL/limit_min"
echo 1000000 >"$BQL/limit_min"
# BQL applies a new minimum at the next completion: complete one frame.
inject sn0 good 1
sleep 0.2
s0=$(estat sn0 tx_queue_stopped)
r0=$(stat sn1 rx_packets)
knob sn0 hold_ring 1
inject sn0 good 20
sleep 0.5
check_eq "hold_ring=1: sn0's ring fills ($POOL in flight)" $POOL "$(ring_field sn0 in_flight)"
check_gt "hold_ring=1: the queue stopped" "$s0" "$(estat sn0 tx_queue_stopped)"
check_gt "hold_ring=1: BQL counts bytes in flight" 0 "$(cat "$BQL/inflight")"
check_eq "hold_ring=1: sn1 receives nothing" "$r0" "$(stat sn1 rx_packets)"
knob sn0 hold_ring 0
sleep 0.5
check_eq "hold_ring=0: the ring drains" 0 "$(ring_field sn0 in_flight)"
check_eq "hold_ring=0: BQL has nothing in flight" 0 "$(cat "$BQL/inflight")"
check_eq "hold_ring=0: sn1 receives all 20" "$(add "$r0" 20)" "$(stat sn1 rx_packets)"

# --- frames on the wire when the receiver goes down: rx_drop_down ---
# sn0's ring holds 5 frames (hold_ring); sn1's ndo_stop flushes them from
# the wire: docs/interface.md counts them in rx_drop_down, within
# rx_dropped.
dd0=$(estat sn1 rx_drop_down)
rd0=$(stat sn1 rx_dropped)
r0=$(stat sn1 rx_packets)
knob sn0 hold_ring 1
inject sn0 good 5
sleep 0.3
ip link set sn1 down
knob sn0 hold_ring 0
check_eq "sn1 down with 5 frames on the wire: rx_drop_down +5, rx_dropped +5, rx_packets +0" \
	"5 5 0" "$(sub "$(estat sn1 rx_drop_down)" "$dd0") $(sub "$(stat sn1 rx_dropped)" "$rd0") $(sub "$(stat sn1 rx_packets)" "$r0")"
ip link set sn1 up
wait_for 5 both_up
check_cmd "sn0's ring is empty again" ring_clean sn0
echo "$bql_min" >"$BQL/limit_min"

# --- fail_open: the next "ip link set up" fails, once ---
ip link set sn0 down
knob sn0 fail_open 5
ip link set sn0 up >"$TMP/up" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q 'Input/output error' "$TMP/up"; then
	ok "fail_open=5: ip link set sn0 up fails with EIO"
else
	not_ok "fail_open=5: ip link set sn0 up fails with EIO"
	diag "exit $rc: $(cat "$TMP/up")"
fi
check_cmd "fail_open: the next ip link set sn0 up works" ip link set sn0 up
# sn1's carrier went down and up within a second: its qdisc comes back
# when the link watcher gets to it, and a reply sent before is lost.
wait_for 5 both_up
ping_run "$TMP/ping" -c 3 -i 0.2 192.168.0.2
check_eq "ping 192.168.0.2 afterwards: 3 replies" 3 "$(ping_received "$TMP/ping")"

reconcile

# --- drop_prob with two queues sending at once: the same seed, as many drops ---
# Which frame gets which draw depends on how the two CPUs interleave; how
# many of the N draws after a seed hit does not.
# two_queues: pktgen sends 1000 frames on each of sn0's queues, one thread
# a queue, both at once; prints "dropped sent0 sent1" (tx_drop_fault, and
# the frames each queue took).
two_queues()
{
	_f0=$(estat sn0 tx_drop_fault)
	_o0=$(tx_out sn0)
	_q0=$(estat sn0 tx_queue_0_packets)
	_q1=$(estat sn0 tx_queue_1_packets)
	pktgen_reset
	for _t in 0 1; do
		if ! { _pg "kpktgend_$_t" "add_device sn0@$_t" &&
			_pg "sn0@$_t" "count 1000" &&
			_pg "sn0@$_t" "pkt_size 60" &&
			_pg "sn0@$_t" "delay 0" &&
			_pg "sn0@$_t" "dst $(sink_ip sn0)" &&
			_pg "sn0@$_t" "dst_mac $(peer_mac sn0)" &&
			_pg "sn0@$_t" "queue_map_min $_t" &&
			_pg "sn0@$_t" "queue_map_max $_t"; }; then
			diag "pktgen setup of queue $_t failed"
		fi
	done
	pktgen_run 60 || diag "pktgen did not end"
	pktgen_reset
	settle sn0
	echo "$(sub "$(estat sn0 tx_drop_fault)" "$_f0") $(sub "$(tx_out sn0)" "$_o0")" \
		"$(sub "$(estat sn0 tx_queue_0_packets)" "$_q0") $(sub "$(estat sn0 tx_queue_1_packets)" "$_q1")"
}

snull_unload
check_cmd "reload snull timeout=$TIMEOUT" snull_load timeout=$TIMEOUT
check_cmd "ethtool -L sn0 combined 2" ethtool -L sn0 combined 2
check_cmd "snull-setup" snull_setup_addrs
check_cmd "pktgen loads" pktgen_load
knob sn0 drop_prob 500000
knob sn0 drop_seed 42
a=$(two_queues)
knob sn0 drop_seed 7
b=$(two_queues)
knob sn0 drop_seed 42
c=$(two_queues)
knob sn0 drop_prob 0
diag "dropped, taken, delivered on queue 0 and 1: seed 42: $a; seed 7: $b; seed 42 again: $c"
# shellcheck disable=SC2086 # four numbers
set -- $a
check_eq "seed 42: xmit took the 2000 frames" 2000 "$2"
check_cmd "seed 42: both queues sent at the same time (each delivered frames)" \
	sh -c "[ '$3' -gt 0 ] && [ '$4' -gt 0 ]"
check_between "drop_prob=500000: 700..1300 of 2000 dropped" 700 1300 "$1"
check_eq "drop_seed=42 written again after seed 7: as many dropped" "$1" \
	"$(echo "$c" | cut -d' ' -f1)"
check_eq "no knob write failed" 0 "$KNOB_FAILS"
reconcile

finish
