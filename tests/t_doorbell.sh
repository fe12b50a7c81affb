#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 16
# snull-debug-cost: 70
# snull-passes: rt
#
# Doorbell batching (issue #11): a frame the stack says more will follow
# (netdev_xmit_more()) is posted without ringing the peer's doorbell, and
# counted in tx_xmit_more. pktgen with "burst 8" sends 8 frames a call
# sequence, the first 7 with xmit_more: tx_xmit_more grows, by at most 7 in
# 8 frames, and still every frame is delivered and nothing stays in flight
# (the last of a burst, or one that fills the ring and stops the queue,
# rings the doorbell). With burst 1 tx_xmit_more stays where it was. The
# stack's own batches: TCP with TSO off, whose GSO segments go to the
# driver as a list, all but the last with xmit_more. In both copy modes,
# with the default ring and with a ring of 8 descriptors that a burst
# fills.
#
# pktgen sends one skb 8 times for a burst, which only a device with
# IFF_TX_SKB_SHARING takes: copy=0, which passes skbs to the peer, must
# take a shared one too.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

N=4000
PORT=5201

# pg BURST: queue N frames from sn0 to sink_ip (the far stack drops them
# unanswered), BURST at a time, and send them; true when pktgen took the
# burst and sent them all (PG_SOFAR: what it sent).
pg()
{
	pktgen_reset
	PG_SOFAR=missing
	pktgen_dev 0 sn0 $N "$(sink_ip sn0)" "$(peer_mac sn0)" >/dev/null || return 1
	echo "burst $1" 2>"$TMP/burst.err" >/proc/net/pktgen/sn0 || {
		diag "pktgen: burst $1 on sn0: $(cat "$TMP/burst.err")"
		pktgen_reset
		return 1
	}
	pktgen_run 120
	PG_SOFAR=$(pktgen_sofar sn0)
	grep -E 'Result|burst' /proc/net/pktgen/sn0 | diag
	pktgen_reset
	[ "$PG_SOFAR" = $N ]
}

# snap: the counters a run moves, "xmit_more sn0_tx_packets sn1_rx_packets".
snap()
{
	echo "$(estat sn0 tx_xmit_more) $(stat sn0 tx_packets) $(stat sn1 rx_packets)"
}

# moved BEFORE AFTER: the three differences.
moved()
{
	# shellcheck disable=SC2086 # three numbers each
	set -- $1 $2
	echo "$(sub "$4" "$1") $(sub "$5" "$2") $(sub "$6" "$3")"
}

# since: seconds since the last call, for a diag line.
since()
{
	tick
	_sn=$((NOW - ${_since:-$NOW}))
	_since=$NOW
	echo "$_sn"
}

# Per configuration: 3 setup, 8 burst 8, 3 burst 1, 4 TCP, 2 reconcile.
plan $((1 + 4 * 20))

check_cmd "pktgen.ko loads" pktgen_load || die "no pktgen"
for conf in "copy=0" "copy=0 pool_size=8" "copy=1" "copy=1 pool_size=8"; do
	m=$conf
	copy=${conf#copy=}
	copy=${copy%% *}
	snull_unload
	# shellcheck disable=SC2086 # one or two parameters
	check_cmd "$m: load" snull_load $conf
	check_eq "$m: sysfs shows copy=$copy" "$copy" "$(param copy)"
	check_cmd "$m: snull-setup" snull_setup_addrs

	since >/dev/null
	t0=$(sum_estat tx_timeouts)
	u0=$(sum_estat tx_busy)

	# --- burst 8 ---
	# pktgen sends one skb 8 times: the trick must not change it for
	# the next time (sn1 would then see 192.168.0.x).
	cap_start b8 sn1 -n -c 16 udp
	b0=$(snap)
	pg 8
	rc=$?
	cap_wait b8 5
	check_eq "$m: burst 8: sn1's capture of the first 16 frames: all 192.168.1.1 > 192.168.1.99" 16 \
		"$(grep -cE '192\.168\.1\.1\.[0-9]+ > 192\.168\.1\.99\.[0-9]+:' "$TMP/b8.cap")"
	grep -vE '192\.168\.1\.1\.[0-9]+ > 192\.168\.1\.99\.' "$TMP/b8.cap" | head -n 3 | diag
	check_eq "$m: pktgen burst 8 sends $N frames" "0 $N" "$rc $PG_SOFAR"
	check_cmd "$m: burst 8: nothing left in sn0's ring within 5 s" \
		wait_for 5 ring_clean sn0
	sleep 0.2
	# shellcheck disable=SC2046 # three numbers
	set -- $(moved "$b0" "$(snap)")
	diag "$m: burst 8: tx_xmit_more +$1, sn0 tx_packets +$2, sn1 rx_packets +$3 ($(since) s)"
	check_gt "$m: burst 8: tx_xmit_more grew" 0 "$1"
	check_le "$m: burst 8: tx_xmit_more grew by 7 in 8 frames at most" \
		$((N - N / 8)) "$1"
	check_eq "$m: burst 8: every frame sent and delivered (sn0 tx_packets, sn1 rx_packets +$N)" \
		"$N $N" "$2 $3"
	check_eq "$m: burst 8: no tx_timeouts, no tx_busy" "$t0 $u0" \
		"$(sum_estat tx_timeouts) $(sum_estat tx_busy)"
	check_eq "$m: burst 8: sn1 dropped nothing, found no error" "0 0" \
		"$(stat sn1 rx_dropped) $(stat sn1 rx_errors)"

	# --- burst 1 ---
	b0=$(snap)
	pg 1
	rc=$?
	check_eq "$m: pktgen burst 1 sends $N frames" "0 $N" "$rc $PG_SOFAR"
	settle sn0
	sleep 0.2
	# shellcheck disable=SC2046 # three numbers
	set -- $(moved "$b0" "$(snap)")
	diag "$m: burst 1: tx_xmit_more +$1, sn0 tx_packets +$2, sn1 rx_packets +$3 ($(since) s)"
	check_eq "$m: burst 1: tx_xmit_more +0" 0 "$1"
	check_eq "$m: burst 1: every frame sent and delivered (+$N each)" "$N $N" "$2 $3"

	# --- the stack's batches: GSO segments of TCP without TSO ---
	ethtool -K sn0 tso off >/dev/null 2>&1
	iperf_server $PORT
	b0=$(snap)
	timeout 60 iperf3 -c 192.168.0.2 -p $PORT -n 2M >"$TMP/tcp.out" 2>&1
	rc=$?
	check_eq "$m: TCP without TSO: iperf3 sends 2 MB to 192.168.0.2" 0 "$rc"
	[ "$rc" -eq 0 ] || tail -n 5 "$TMP/tcp.out" | diag
	check_cmd "$m: TCP without TSO: nothing left in sn0's ring within 5 s" \
	wait_for 5 ring_clean sn0
	# shellcheck disable=SC2046 # three numbers
	set -- $(moved "$b0" "$(snap)")
	diag "$m: TCP: tx_xmit_more +$1, sn0 tx_packets +$2 ($(since) s)"
	check_gt "$m: TCP without TSO (GSO segment lists): tx_xmit_more grew" 0 "$1"
	check_eq "$m: no tx_timeouts, no tx_busy" "$t0 $u0" \
	"$(sum_estat tx_timeouts) $(sum_estat tx_busy)"
	bg_kill
	reconcile
done

finish
