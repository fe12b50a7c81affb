#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 6
# snull-debug-cost: 62
# snull-passes: rt
#
# The simulated interrupt: it really runs in hard-IRQ context, as an
# irq_work (the IWI line of /proc/interrupts), never as a call from the
# transmit path (pitfalls.md #4); NAPI and netif_rx modes each do what they
# say, and a poll never takes more than napi_weight frames.
#
# On PREEMPT_RT (/sys/kernel/realtime is 1) the use_napi=0 handler runs in
# a thread: there every run counts in irq_not_hardirq, and IWI need not
# rise.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

# Irq-work interrupts so far, all CPUs.
iwi()
{
	awk '$1 == "IWI:" { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s + 0 }' \
		/proc/interrupts
}

PINGS=20

# One mode: use_napi=$1.
mode_checks()
{
	_napi=$1
	_m="use_napi=$_napi"
	snull_unload
	check_cmd "$_m: load" snull_load use_napi="$_napi"
	check_cmd "$_m: snull-setup" snull_setup_addrs
	sleep 0.5
	_h0=$(sum_estat irq_handled)
	_n0="$(estat sn0 rx_netif_rx) $(estat sn1 rx_netif_rx)"
	_iwi0=$(iwi)
	ping_run "$TMP/ping" -c $PINGS -i 0.05 192.168.0.2
	_iwi1=$(iwi)
	_h1=$(sum_estat irq_handled)
	check_eq "$_m: ping: $PINGS replies" $PINGS "$(ping_received "$TMP/ping")"
	_h=$(sub "$_h1" "$_h0")
	_iwi=$((_iwi1 - _iwi0))
	diag "$_m: IWI +$_iwi, irq_handled of both +$_h during the pings"
	# Each ping is 4 interrupts: RX and TX-done on each side (NAPI may
	# fold a cause into a poll already running: fewer, never none).
	check_ge "$_m: irq_handled grew by at least one per ping" $PINGS "$_h"
	if [ "$_napi" = 0 ] && realtime; then
		ok "$_m: PREEMPT_RT: the handler is threaded, IWI not compared (+$_iwi)"
	else
		# Each handler run is one run of a device's irq_work, in an IWI
		# interrupt; one interrupt runs each device's pending work at
		# most once (a work raised while it runs raises a new IWI).
		check_ge "$_m: IWI (irq_work interrupts) grew by at least half of irq_handled" \
			$(((_h + 1) / 2)) "$_iwi"
	fi
	check_irq_context "$_m: " "$_napi"
	# Causes the handler saw. With NAPI a cause raised while the line is
	# masked is handled by the poll without an interrupt, so only these
	# two are certain: the requests reach an idle sn1, and their TX-done
	# reaches an idle sn0.
	check_gt "$_m: sn1 irq_rx > 0 (the echo requests)" 0 "$(estat sn1 irq_rx)"
	check_gt "$_m: sn0 irq_tx > 0 (their TX-done)" 0 "$(estat sn0 irq_tx)"
	if [ "$_napi" = 1 ]; then
		for _d in sn0 sn1; do
			check_gt "$_m: $_d napi_polls > 0" 0 "$(estat $_d napi_polls)"
			check_le "$_m: $_d napi_max_work <= 64" 64 "$(estat $_d napi_max_work)"
		done
		check_eq "$_m: rx_netif_rx is 0 on both" "0 0" \
			"$(estat sn0 rx_netif_rx) $(estat sn1 rx_netif_rx)"
	else
		for _d in sn0 sn1; do
			check_eq "$_m: $_d napi_polls is 0" 0 "$(estat $_d napi_polls)"
		done
		# Nothing but the pings crosses: their requests reach sn1 and
		# their replies sn0, each through netif_rx().
		# shellcheck disable=SC2086 # two numbers
		set -- $_n0
		check_eq "$_m: rx_netif_rx grew by $PINGS on sn0 (replies) and sn1 (requests)" \
			"$PINGS $PINGS" "$(sub "$(estat sn0 rx_netif_rx)" "$1") $(sub "$(estat sn1 rx_netif_rx)" "$2")"
		check_eq "$_m: napi_max_work is 0 on both" "0 0" \
			"$(estat sn0 napi_max_work) $(estat sn1 napi_max_work)"
	fi
}

plan 34

mode_checks 1
mode_checks 0

# --- a flood with a small weight: polls fill up to it, never past it ---
snull_unload
check_cmd "load use_napi=1 napi_weight=8" snull_load use_napi=1 napi_weight=8
check_cmd "snull-setup" snull_setup_addrs
check_cmd "pktgen: 20000 frames each way" pktgen_flood 20000
for dev in sn0 sn1; do
	check_eq "napi_weight=8: $dev napi_max_work reaches 8 and stays there" 8 \
		"$(estat $dev napi_max_work)"
done
check_irq_context "napi_weight=8: "

finish
