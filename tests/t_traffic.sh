#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 16
# snull-debug-cost: 48
# snull-passes: copy rt debug
#
# Everything at once, in each receive mode: ping, TCP both ways and UDP both
# ways through the address trick. All of it must get through, and afterwards
# every frame is accounted for (pitfalls.md #2, #3, #7, #14).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

SECS=4
PINGS=30

start_servers()
{
	iperf_server 5201 && iperf_server 5202
}

plan 29

for napi in 1 0; do
	m="use_napi=$napi"
	bg_kill
	snull_unload
	check_cmd "$m: load" snull_load use_napi=$napi
	check_cmd "$m: snull-setup" snull_setup_addrs
	check_cmd "$m: two iperf3 servers" start_servers

	backlog0=$(softnet_dropped)
	bg timeout 60 iperf3 -c 192.168.0.2 -p 5201 -t $SECS --bidir >"$TMP/tcp.out" 2>&1
	tcp=$BG_PID
	bg timeout 60 iperf3 -c 192.168.1.1 -p 5202 -t $SECS --bidir -u -b 20M -l 1200 \
		>"$TMP/udp.out" 2>&1
	udp=$BG_PID
	ping_run "$TMP/ping" -c $PINGS -i 0.1 192.168.0.2
	wait $tcp
	tcp_rc=$?
	wait $udp
	udp_rc=$?
	sleep 1		# frames still in flight

	check_eq "$m: TCP both ways via 192.168.0.2: iperf3 succeeds" 0 $tcp_rc
	[ $tcp_rc -eq 0 ] || tail -n 5 "$TMP/tcp.out" | diag
	check_eq "$m: UDP both ways via 192.168.1.1: iperf3 succeeds" 0 $udp_rc
	[ $udp_rc -eq 0 ] || tail -n 5 "$TMP/udp.out" | diag
	grep -hE 'receiver$' "$TMP/tcp.out" "$TMP/udp.out" | diag
	rxd=$(add "$(stat sn0 rx_dropped)" "$(stat sn1 rx_dropped)")
	backlog=$(($(softnet_dropped) - backlog0))
	diag "$m: rx_dropped sn0 $(stat sn0 rx_dropped), sn1 $(stat sn1 rx_dropped);" \
		"netif_rx backlog drops $backlog"
	if [ $napi = 1 ]; then
		check_eq "$m: ping during the load: $PINGS replies" $PINGS \
			"$(ping_received "$TMP/ping")"
		check_eq "$m: nothing dropped at receive" 0 "$rxd"
		# One poll at a time, in ring order: datagrams stay in order.
		cat "$TMP/udp.out" "$TMP/iperf-s-5202.log" >"$TMP/udp.all"
		check_nogrep "$m: no UDP datagram received out of order" \
			'out-of-order' "$TMP/udp.all"
	else
		# netif_rx() from the interrupt can outrun the backlog: the
		# livelock NAPI was made for. The core drops and counts those.
		check_ge "$m: ping during the load: at least 90% replies" \
			$((PINGS * 9 / 10)) "$(ping_received "$TMP/ping")"
		check_eq "$m: every rx_dropped is a netif_rx backlog drop (softnet_stat)" \
			"$backlog" "$rxd"
	fi
	check_eq "$m: no rx_drop_nomem, no rx_drop_down" "0 0" \
		"$(sum_estat rx_drop_nomem) $(sum_estat rx_drop_down)"
	check_eq "$m: nothing dropped at transmit (only IPv4 was sent)" "0 0" \
		"$(stat sn0 tx_dropped) $(stat sn1 tx_dropped)"
	check_eq "$m: no tx_busy" 0 "$(sum_estat tx_busy)"
	check_eq "$m: no tx_timeouts" 0 "$(sum_estat tx_timeouts)"
	reconcile
	# What the wire delivered (the peer's tx_packets) and the driver did
	# not drop or find in error went to netif_rx() (use_napi=0), or none
	# of it did (use_napi=1).
	if [ $napi = 0 ]; then
		want="$(sub "$(stat sn1 tx_packets)" "$(add "$(stat sn0 rx_dropped)" "$(stat sn0 rx_errors)")")"
		want="$want $(sub "$(stat sn0 tx_packets)" "$(add "$(stat sn1 rx_dropped)" "$(stat sn1 rx_errors)")")"
	else
		want="0 0"
	fi
	check_eq "$m: rx_netif_rx of sn0 and sn1: the frames the peer sent, less the drops (use_napi=0), or 0" \
		"$want" "$(estat sn0 rx_netif_rx) $(estat sn1 rx_netif_rx)"
done

finish
