#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 22
# snull-debug-cost: 39
# snull-passes: rt
# snull-boot: watchdog
# snull-allow-log: NETDEV WATCHDOG
#
# The TX watchdog: with lockup=10 every tenth transmit loses its TX-done
# interrupt and hangs the ring; the watchdog must notice, ndo_tx_timeout must
# reset the ring without sleeping (pitfalls.md #11), and traffic must keep
# flowing. Every time-out needs a lost TX-done (tx_timeouts <= tx_lost_irqs),
# and afterwards no frame is lost. Then the run-time knob: lockup written to
# sn0's debugfs after a plain load hangs sn0 only. The kernel's
# "NETDEV WATCHDOG" warning is expected (this script boots without
# panic_on_warn); any other warning still fails.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

SECS=4
DBG=/sys/kernel/debug/snull

plan 25

check_cmd "load snull lockup=10 timeout=200" snull_load lockup=10 timeout=200
check_cmd "snull-setup" snull_setup_addrs
log_mark

# Traffic both ways: a stream of UDP fills the hung ring quickly; the pings
# show that frames keep getting through. A stalled ring still delivers
# what it holds; only its TX-done interrupts are lost, so the queue stops
# once the ring (or BQL) is full, until the watchdog resets the ring.
iperf_server 5201
bg timeout 60 iperf3 -c 192.168.0.2 -p 5201 -t $SECS --bidir -u -b 10M -l 1000 \
	>"$TMP/iperf.out" 2>&1
iperf=$BG_PID
ping_run "$TMP/ping" -i 0.01 -w $SECS 192.168.1.1
wait $iperf
iperf_rc=$?
diag "during the hangs: $(grep 'packets transmitted' "$TMP/ping")"
check_eq "during the hangs: iperf3 UDP both ways ran to the end" 0 $iperf_rc
[ $iperf_rc -eq 0 ] || tail -n 5 "$TMP/iperf.out" | diag
check_gt "during the hangs: ping 192.168.1.1 got replies" 0 "$(ping_received "$TMP/ping")"
# The last stall of each ring: its queue is stopped, and the watchdog
# resets it within about a second.
for dev in sn0 sn1; do
	check_cmd "$dev: the ring comes back after the traffic (nothing in flight, not stalled)" \
		wait_for 5 ring_clean $dev
done

log_since >"$TMP/log"
check_grep "kernel log: NETDEV WATCHDOG" 'NETDEV WATCHDOG' "$TMP/log"
check_grep "kernel log: snull's own line for a reset ring" \
	'sn[01]: transmit time-?out' "$TMP/log"
# A lost TX-done stalls the engine, and the queue stays stopped until the
# watchdog's reset (docs/interface.md): each lost interrupt costs exactly
# one time-out, and no time-out comes without one. tx_errors counts them.
# A frame sent after the traffic (the stack's own, e.g. an IPv6 router
# solicitation) may still hit the lockup count: its lost interrupt is
# counted at xmit, its time-out a few hundred ms later, and a read in
# between once found 17 lost and 16 time-outs, both 17 a moment after. So
# the counters are read once the ring is clean and they agree, for up to
# 5 s; a lockup repaired without its time-out, or a time-out without a
# lockup, keeps them apart for good and fails below with the last reads.
wd_settled()
{
	wd_lost=$(estat "$1" tx_lost_irqs)
	wd_timeouts=$(estat "$1" tx_timeouts)
	wd_errors=$(stat "$1" tx_errors)
	ring_clean "$1" && [ "$wd_lost" = "$wd_timeouts" ] &&
		[ "$wd_lost" = "$wd_errors" ] &&
		[ "$wd_lost" = "$(estat "$1" tx_lost_irqs)" ]
}
for dev in sn0 sn1; do
	wait_for 5 wd_settled $dev
	check_gt "$dev: tx_lost_irqs > 0" 0 "$wd_lost"
	check_eq "$dev: tx_timeouts == tx_lost_irqs (one time-out per lockup)" \
		"$wd_lost" "$wd_timeouts"
	check_eq "$dev: tx_errors == tx_lost_irqs" "$wd_lost" "$wd_errors"
done
diag "sn0: lost $(estat sn0 tx_lost_irqs) timeouts $(estat sn0 tx_timeouts);" \
	"sn1: lost $(estat sn1 tx_lost_irqs) timeouts $(estat sn1 tx_timeouts)"

# After the time-outs, every ping is answered: a lost TX-done loses no
# frame, and these 5 transmits per side cannot fill the ring; if the last
# hang left a ring full, the watchdog resets it within about a second.
ping_run "$TMP/ping" -c 5 -i 0.5 -W 3 192.168.0.2
check_eq "after the time-outs, ping 192.168.0.2: 5 of 5 replies" 5 \
	"$(ping_received "$TMP/ping")"
ping_run "$TMP/ping" -c 5 -i 0.5 -W 3 192.168.1.1
check_eq "after the time-outs, ping 192.168.1.1: 5 of 5 replies" 5 \
	"$(ping_received "$TMP/ping")"

# --- the run-time knob: lockup=3 on sn0 only, written after the load ---
snull_unload
check_cmd "knob: load lockup=0 timeout=200 pool_size=16" \
	snull_load lockup=0 timeout=200 pool_size=16
check_cmd "knob: snull-setup" snull_setup_addrs
check_cmd "knob: pktgen.ko loads" pktgen_load
check_cmd "knob: echo 3 > $DBG/sn0/lockup" knob sn0 lockup 3
check_cmd "knob: pktgen sends 15 frames out of sn0" pktgen_send sn0 15
knob sn0 lockup 0
check_cmd "knob: sn0's ring comes back (nothing in flight, not stalled)" \
	wait_for 5 ring_clean sn0
lost=$(estat sn0 tx_lost_irqs)
diag "knob: sn0 lost $lost timeouts $(estat sn0 tx_timeouts)"
# 15 frames, every 3rd loses its TX-done and the queue waits for the
# reset: frames 3, 6, ..., 15 (the count runs from the load; the setup
# sends none).
check_eq "knob: sn0: 5 lost TX-done interrupts, 5 time-outs" "5 5" \
	"$lost $(estat sn0 tx_timeouts)"
check_eq "knob: sn1 (knob left at 0): no tx_lost_irqs, no tx_timeouts" "0 0" \
	"$(estat sn1 tx_lost_irqs) $(estat sn1 tx_timeouts)"
check_ping "knob: ping 192.168.0.2 afterwards: 3 replies" 3 192.168.0.2

finish
