#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 17
# snull-debug-cost: 54
# snull-passes: copy rt debug
#
# netconsole over sn0 to a listener on sn1. netpoll calls xmit with IRQs
# off, and when it finds the queue stopped it calls poll with budget 0,
# whether NAPI was scheduled or not (pitfalls.md #22). Such a poll may clean
# the TX ring and nothing else: the old one acknowledged every interrupt
# cause, so an RX cause whose interrupt was still on its way was eaten and
# the frames it announced stayed on the wire. Here sn0's interrupts come a
# second late (irq_delay_us), sn0's queue is stopped (its wire held, its
# ring full), frames from sn1 raise sn0's RX cause, and a log line goes
# out through netconsole meanwhile: when the late interrupt comes, it must
# still find its cause and deliver the frames. Last, log lines cross a
# flood with drop_prob on, which netpoll's xmit draws from too.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	rmmod netconsole 2>/dev/null
	pktgen_unload
	lib_cleanup
}
trap cleanup EXIT

DBG=/sys/kernel/debug/snull

# nc_lines: the test's log lines sn1 has captured so far; nc_lines_are N.
nc_lines()
{
	grep -c 'snull netconsole line [0-9]' "$TMP/nc.cap"
}

nc_lines_are()
{
	[ "$(nc_lines)" -ge "$1" ]
}
POOL=8
PORT=6666
BQL=/sys/class/net/sn0/queues/tx-0/byte_queue_limits

plan 22

check_cmd "load snull pool_size=$POOL timeout=60000" \
	snull_load pool_size=$POOL timeout=60000
check_cmd "snull-setup" snull_setup_addrs

# --- log lines cross while traffic flows ---
# Debian builds netconsole with its configfs interface, and configfs as a
# module; a kernel without the one has no need of the other.
[ ! -f "$SNULL_EXTRA/configfs.ko" ] || [ -d /sys/kernel/config ] ||
	insmod "$SNULL_EXTRA/configfs.ko" 2>&1 | diag
check_cmd "netconsole over sn0 to remote0 loads" \
	insmod "$SNULL_EXTRA/netconsole.ko" \
	"netconsole=6665@192.168.0.1/sn0,$PORT@192.168.0.2/$(peer_mac sn0)"
# It sends the whole log first; let that cross.
sleep 1
settle
cap_start nc sn1 -Q in -n -A udp port $PORT
check_cmd "pktgen.ko loads" pktgen_load
pktgen_setup 0 192.168.0.2 192.168.1.1
pktgen_start 60
i=0
while [ $i -lt 40 ]; do
	echo "<3>snull netconsole line $i" >/dev/kmsg
	i=$((i + 1))
	sleep 0.05
done
pktgen_stop
pktgen_reset
check_cmd "the flood ran both ways" pktgen_both_sent
# netpoll keeps what it could not send at once and retries every 100 ms:
# wait for all 40 (up to 10 s; netpoll may also drop some when its pool of
# skbs runs dry), so that nothing crosses while the counters are read.
wait_for 10 nc_lines_are 40
check_cmd "the rings drain" settle
cap_wait nc 1
check_ge "sn1 received the log lines sent during the flood (20 of 40 at least)" 20 \
	"$(nc_lines)"
reconcile

# --- a budget-0 poll must not eat a pending RX cause ---
# BQL applies limit_min at its next completion: a few pings complete first,
# or BQL would stop the queue before the ring is full.
echo 1000000 >"$BQL/limit_min"
check_ping "3 pings complete (BQL takes the new limit)" 3 192.168.0.2
check_cmd "hold sn0's wire" eval "echo 1 >$DBG/sn0/hold_ring"
# Through the qdisc, which stops feeding xmit once the ring is full.
ping_run "$TMP/ping" -c $((POOL + 2)) -i 0.05 -W 1 192.168.0.2
check_eq "sn0's ring is full, its queue stopped" $POOL "$(ring_field sn0 in_flight)"
check_cmd "sn0's interrupts come a second late" \
	eval "echo 1000000 >$DBG/sn0/irq_delay_us"
rx0=$(stat sn0 rx_packets)
check_cmd "5 frames from sn1 raise sn0's RX cause" pktgen_send sn1 5
# Within the second: netpoll finds sn0's queue stopped and polls.
echo "<3>snull netconsole: poll with budget 0 now" >/dev/kmsg
check_cmd "the late interrupt delivers sn1's frames (sn1's ring drains)" \
	wait_for 5 ring_clean sn1
check_eq "sn0 received the 5 frames" "$(add "$rx0" 5)" "$(stat sn0 rx_packets)"
echo 0 >"$DBG/sn0/irq_delay_us"
echo 0 >"$DBG/sn0/hold_ring"
check_cmd "sn0's ring drains once released" wait_for 10 ring_clean sn0

# --- drop_prob under netconsole: netpoll's xmit draws too, IRQs off ---
# The generator behind drop_prob is drawn by every xmit, netpoll's (with
# IRQs off, from hard IRQ too) included: it may take no lock a hard-IRQ
# or PREEMPT_RT context forbids. Log lines cross during a flood both ways
# with a fifth of sn0's frames dropped: the harness checks the log.
f0=$(estat sn0 tx_drop_fault)
knob sn0 drop_seed 1
knob sn0 drop_prob 200000
cap_start drop sn1 -Q in -n -A udp port $PORT
pktgen_setup 0 192.168.0.2 192.168.1.1
pktgen_start 60
i=0
while [ $i -lt 40 ]; do
	echo "<3>snull netconsole drop_prob line $i" >/dev/kmsg
	i=$((i + 1))
	sleep 0.05
done
pktgen_stop
pktgen_reset
knob sn0 drop_prob 0
check_cmd "drop_prob: the flood ran both ways" pktgen_both_sent
# A dropped frame is lost for good; what netpoll queued goes within 100 ms.
check_cmd "drop_prob: the rings drain" settle
sleep 1
cap_wait drop 1
drop_lines=$(grep -c 'snull netconsole drop_prob line [0-9]' "$TMP/drop.cap")
diag "drop_prob=200000: tx_drop_fault +$(sub "$(estat sn0 tx_drop_fault)" "$f0"), $drop_lines of 40 log lines received"
check_gt "drop_prob=200000: sn0 dropped frames (tx_drop_fault)" "$f0" \
	"$(estat sn0 tx_drop_fault)"
check_ge "drop_prob=200000: sn1 received log lines (10 of 40 at least)" 10 \
	"$drop_lines"
check_eq "no knob write failed" 0 "$KNOB_FAILS"

finish
