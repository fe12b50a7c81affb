#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 15
# snull-debug-cost: 39
# snull-boot: watchdog
# snull-allow-log: NETDEV WATCHDOG
#
# The TX watchdog: with lockup=10 every tenth transmit loses its TX-done
# interrupt and hangs the ring; the watchdog must notice, ndo_tx_timeout must
# reset the ring without sleeping (pitfalls.md #11), and traffic must keep
# flowing. The kernel's one "NETDEV WATCHDOG" warning is expected (this
# script boots without panic_on_warn); any other warning still fails.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

SECS=4

plan 14

check_cmd "load snull lockup=10 timeout=200" snull_load lockup=10 timeout=200
check_cmd "snull-setup" snull_setup_addrs
log_mark

# Traffic both ways: a stream of UDP fills the hung ring quickly; the pings
# show whether frames keep getting through.
iperf_server 5201
bg timeout 60 iperf3 -c 192.168.0.2 -p 5201 -t $SECS --bidir -u -b 10M -l 1000 \
	>"$TMP/iperf.out" 2>&1
iperf=$BG_PID
ping_run "$TMP/ping" -i 0.01 -w $SECS 192.168.1.1
wait $iperf
diag "during the hangs: $(grep 'packets transmitted' "$TMP/ping")"
sleep 1

log_since >"$TMP/log"
check_grep "kernel log: NETDEV WATCHDOG" 'NETDEV WATCHDOG' "$TMP/log"
check_grep "kernel log: transmit queue timed out" 'timed out' "$TMP/log"
for dev in sn0 sn1; do
	check_gt "$dev: tx_lost_irqs > 0" 0 "$(estat $dev tx_lost_irqs)"
	check_gt "$dev: tx_timeouts > 0" 0 "$(estat $dev tx_timeouts)"
	check_gt "$dev: tx_errors > 0" 0 "$(stat $dev tx_errors)"
	check_eq "$dev: tx_errors counts the time-outs" \
		"$(estat $dev tx_timeouts)" "$(stat $dev tx_errors)"
done
diag "sn0: lost $(estat sn0 tx_lost_irqs) timeouts $(estat sn0 tx_timeouts);" \
	"sn1: lost $(estat sn1 tx_lost_irqs) timeouts $(estat sn1 tx_timeouts)"

# After the time-outs, frames still cross (each side may lose at most one
# TX-done in these few transmits, and the watchdog resets it).
ping_run "$TMP/ping" -c 5 -i 0.5 -W 3 192.168.0.2
check_ge "after the time-outs, ping 192.168.0.2 still gets replies (>= 3 of 5)" 3 \
	"$(ping_received "$TMP/ping")"
ping_run "$TMP/ping" -c 5 -i 0.5 -W 3 192.168.1.1
check_ge "after the time-outs, ping 192.168.1.1 still gets replies (>= 3 of 5)" 3 \
	"$(ping_received "$TMP/ping")"

finish
