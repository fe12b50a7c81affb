#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 6
# snull-debug-cost: 62
#
# The simulated interrupt: it really runs in hard-IRQ context, as an
# irq_work (the IWI line of /proc/interrupts), never as a call from the
# transmit path (pitfalls.md #4); NAPI and netif_rx modes each do what they
# say, and a poll never takes more than napi_weight frames.

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
	_iwi0=$(iwi)
	ping_run "$TMP/ping" -c $PINGS -i 0.05 192.168.0.2
	_iwi1=$(iwi)
	check_eq "$_m: ping: $PINGS replies" $PINGS "$(ping_received "$TMP/ping")"
	diag "$_m: IWI $_iwi0 before the pings, $_iwi1 after"
	check_ge "$_m: IWI (irq_work interrupts) grew by at least one per ping" \
		$PINGS $((_iwi1 - _iwi0))
	for _d in sn0 sn1; do
		check_gt "$_m: $_d irq_handled > 0" 0 "$(estat $_d irq_handled)"
		check_eq "$_m: $_d irq_not_hardirq is 0" 0 "$(estat $_d irq_not_hardirq)"
	done
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
			check_eq "$_m: $_d rx_netif_rx == rx_packets (> 0)" \
				"$(stat $_d rx_packets)" "$(estat $_d rx_netif_rx)"
		done
		check_eq "$_m: napi_max_work is 0 on both" "0 0" \
			"$(estat sn0 napi_max_work) $(estat sn1 napi_max_work)"
	fi
}

plan 37

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
	check_eq "napi_weight=8: $dev irq_not_hardirq is 0" 0 \
		"$(estat $dev irq_not_hardirq)"
done

finish
