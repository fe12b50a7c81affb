#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 12
# snull-debug-cost: 100
# snull-passes: rt
#
# Interrupt moderation (issue #11): ethtool -c shows rx/tx usecs and frames,
# all 0 (at once) by default; ethtool -C sets them, and refuses with a
# message what the simulated NIC cannot do (a hold over 10 ms, more frames
# than a ring holds, a frame count with no time limit, TX-done held for
# half the watchdog's time-out, adaptive moderation). Held interrupts
# still come: a lone ping is answered, every frame of a flood is delivered
# and completed, and the line fires much less often than once a frame.
# Taking the device down with an interrupt held loses nothing.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

N=3000

# coal IFACE: "rx-usecs rx-frames tx-usecs tx-frames" as ethtool -c shows them.
coal()
{
	ethtool -c "$1" 2>&1 | awk '
		$1 == "rx-usecs:" { ru = $2 } $1 == "rx-frames:" { rf = $2 }
		$1 == "tx-usecs:" { tu = $2 } $1 == "tx-frames:" { tf = $2 }
		END { print ru, rf, tu, tf }'
}

# refused DESC ERE ARGS...: ethtool -C ARGS fails, saying ERE.
refused()
{
	_d=$1
	_e=$2
	shift 2
	check_refused "$_d" "$_e" ethtool -C "$@"
}

# flood_irqs: send N frames sn0 -> sn1 (pktgen, burst 1); print
# "irq_rx(sn1) irq_tx(sn0) moderated(sn1) moderated(sn0)" it took.
flood_irqs()
{
	_r0=$(estat sn1 irq_rx)
	_t0=$(estat sn0 irq_tx)
	_m0=$(estat sn1 irq_moderated)
	_n0=$(estat sn0 irq_moderated)
	pktgen_send sn0 $N || diag "pktgen_send sn0 $N failed"
	settle sn0
	echo "$(sub "$(estat sn1 irq_rx)" "$_r0") $(sub "$(estat sn0 irq_tx)" "$_t0")" \
		"$(sub "$(estat sn1 irq_moderated)" "$_m0")" \
		"$(sub "$(estat sn0 irq_moderated)" "$_n0")"
}

plan 39

check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs
check_eq "ethtool -c sn0: everything at once by default" "0 0 0 0" "$(coal sn0)"

# --- what ethtool -C takes and refuses ---
check_cmd "ethtool -C sn1 rx-usecs 2000 rx-frames 32 tx-usecs 500 tx-frames 8" \
	ethtool -C sn1 rx-usecs 2000 rx-frames 32 tx-usecs 500 tx-frames 8
check_eq "ethtool -c sn1 reads them back" "2000 32 500 8" "$(coal sn1)"
refused "rx-usecs 20000: over the most (10 ms), said so" \
	'rx-usecs is over the most, 10000' sn1 rx-usecs 20000
refused "tx-frames 5000: more than a ring holds, said so" \
	'tx-frames is over the most, 4096' sn1 tx-frames 5000
refused "rx-frames with rx-usecs 0: no time limit, said so" \
	'rx-frames needs a usecs limit' sn1 rx-usecs 0 rx-frames 16
# Every checked field out of range, RX and TX alike, each with its name.
refused "tx-usecs 10001: over the most, said so" \
	'tx-usecs is over the most, 10000' sn1 tx-usecs 10001
refused "rx-frames 4097: more than a ring holds, said so" \
	'rx-frames is over the most, 4096' sn1 rx-frames 4097
refused "tx-frames with tx-usecs 0: no time limit, said so" \
	'tx-frames needs a usecs limit' sn1 tx-usecs 0 tx-frames 16
refused "adaptive-rx: not supported" \
	'unsupported parameter|not supported' sn1 adaptive-rx on
check_eq "the refusals changed nothing" "2000 32 500 8" "$(coal sn1)"
# Each direction is checked against its own values: settings that differ
# between RX and TX are taken as they are.
check_cmd "ethtool -C sn1 rx-usecs 0 rx-frames 0 tx-usecs 200 tx-frames 4" \
	ethtool -C sn1 rx-usecs 0 rx-frames 0 tx-usecs 200 tx-frames 4
check_eq "ethtool -c sn1 reads them back" "0 0 200 4" "$(coal sn1)"
check_cmd "ethtool -C sn1 rx-usecs 300 rx-frames 16 tx-usecs 0 tx-frames 0" \
	ethtool -C sn1 rx-usecs 300 rx-frames 16 tx-usecs 0 tx-frames 0
check_eq "ethtool -c sn1 reads them back" "300 16 0 0" "$(coal sn1)"
check_cmd "ethtool -C sn1 back to 0" \
	ethtool -C sn1 rx-usecs 0 rx-frames 0 tx-usecs 0 tx-frames 0
# The limits themselves are taken, RX and TX: one past them is refused.
check_cmd "ethtool -C sn0 rx-usecs 10000 rx-frames 4096 tx-usecs 10000 tx-frames 4096: the most, taken" \
	ethtool -C sn0 rx-usecs 10000 rx-frames 4096 tx-usecs 10000 tx-frames 4096
check_eq "ethtool -c sn0 reads them back" "10000 4096 10000 4096" "$(coal sn0)"
refused "rx-usecs 10001: over the most, said so" \
	'rx-usecs is over the most, 10000' sn0 rx-usecs 10001
refused "tx-frames 4097: more than a ring holds, said so" \
	'tx-frames is over the most, 4096' sn0 tx-frames 4097
check_cmd "ethtool -C sn0 back to 0" \
	ethtool -C sn0 rx-usecs 0 rx-frames 0 tx-usecs 0 tx-frames 0

# --- a held interrupt still comes ---
ethtool -C sn1 rx-usecs 10000
check_ping "rx-usecs 10000 on sn1 alone: pings answered" 3 192.168.0.2
check_gt "sn1 held those interrupts (irq_moderated)" 0 "$(estat sn1 irq_moderated)"
ethtool -C sn1 rx-usecs 0

pktgen_load
# --- a flood, at once and moderated ---
# shellcheck disable=SC2046 # four numbers, split on purpose
set -- $(flood_irqs)
diag "at once: sn1 irq_rx +$1, sn0 irq_tx +$2 for $N frames"
check_eq "at once: nothing held" "0 0" "$3 $4"
base_rx=$1
base_tx=$2

check_cmd "ethtool -C sn1 rx-usecs 2000 rx-frames 64; sn0 tx-usecs 1000 tx-frames 32" \
	sh -c "ethtool -C sn1 rx-usecs 2000 rx-frames 64 &&
		ethtool -C sn0 tx-usecs 1000 tx-frames 32"
# shellcheck disable=SC2046 # four numbers, split on purpose
set -- $(flood_irqs)
diag "moderated: sn1 irq_rx +$1, sn0 irq_tx +$2, held +$3 (sn1 RX) +$4 (sn0 TX) for $N frames"
check_gt "moderated: sn1 held RX interrupts" 0 "$3"
check_gt "moderated: sn0 held TX-done interrupts" 0 "$4"
# How many interrupts the holds save depends on the frame rate (a slow
# debug kernel sends fewer frames per 2 ms hold): compare with the same
# flood at once, not with a fixed count.
check_le "moderated: sn1 took at most a quarter of the RX interrupts it took at once ($base_rx)" \
	$((base_rx / 4)) "$1"
check_le "moderated: sn0 took at most half the TX-done interrupts it took at once ($base_tx)" \
	$((base_tx / 2)) "$2"
check_cmd "moderated: sn0's ring is empty, nothing stalled" ring_clean sn0
reconcile

# --- down with an interrupt held ---
ethtool -C sn1 rx-usecs 10000 rx-frames 0
pktgen_send sn0 5 >/dev/null
check_cmd "sn1 down and up while an RX interrupt is held" \
	sh -c "ip link set sn1 down && ip link set sn1 up"
both_up
check_ping "then pings answered" 3 192.168.0.2
ethtool -C sn1 rx-usecs 0
pktgen_unload

# --- TX-done may not be held for half the watchdog's time-out ---
snull_unload
check_cmd "reload with timeout=10 (ms)" snull_load timeout=10
refused "timeout=10: tx-usecs 6000 is over half of it, said so" \
	'half the TX watchdog time-out' sn0 tx-usecs 6000
check_cmd "timeout=10: tx-usecs 4000 is taken" ethtool -C sn0 tx-usecs 4000

finish
