#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 6
# snull-debug-cost: 24
# snull-passes: copy debug
#
# UDP segmentation offload (USO, NETIF_F_GSO_UDP_L4, "tx-udp-segmentation")
# carrying real traffic. snull-uso sends 8000 bytes from 192.168.0.1 (sn0)
# to remote0 (192.168.0.2) in one sendto() with UDP_SEGMENT 1000, and a
# socket on this host receives them through sn1 as 192.168.1.1 >
# 192.168.1.2: all 8 datagrams, each with its own bytes. Mode-aware
# (SNULL_PARAMS=copy=1 runs it in copy mode):
# - copy=0, USO on: the stack hands the driver the whole GSO skb, which
#   crosses the pair in one descriptor (sn0 tx_packets +1, sn1 rx_packets
#   +1) and is cut into datagrams by the receiving UDP socket;
# - copy=0, tx-udp-segmentation off: the stack segments in software before
#   the driver: 8 skbs (tx_packets +8);
# - copy=1: USO "off [fixed]" (no GSO skb may reach the bounce buffers):
#   segmented in software, tx_packets +8.
# Always: a capture on sn1 shows the flipped addresses, and the UDP layer
# counts no checksum error (/proc/net/snmp Udp InCsumErrors).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

UPORT=5301	# snull-uso's receiver
GSO=1000	# UDP_SEGMENT: payload bytes of each datagram
TOTAL=8000	# payload bytes of the one send: 8 datagrams
SEGS=8
USO_RUNS=0

# uso_run PREFIX SEGMENTS: one send, captured on sn1; SEGMENTS is the number
# of frames sn0 must have sent for it (1: one GSO skb; 8: segmented before
# the driver). Five results.
uso_run()
{
	_up=$1
	USO_RUNS=$((USO_RUNS + 1))
	_un=$USO_RUNS
	_csum0=$(snmp Udp InCsumErrors)
	_tx0=$(stat sn0 tx_packets)
	_rx0=$(stat sn1 rx_packets)
	cap_start "uso$_un" sn1 -Q in -n -c "$2" udp port $UPORT
	_out=$(snull-uso 192.168.0.1 192.168.0.2 $UPORT $GSO $TOTAL 5000 2>&1)
	cap_wait "uso$_un" 5
	# tx_packets grows when sn0 reclaims the descriptors, which may come
	# after the receiver has its datagrams.
	settle sn0 sn1
	_tx=$(sub "$(stat sn0 tx_packets)" "$_tx0")
	_rx=$(sub "$(stat sn1 rx_packets)" "$_rx0")
	check_eq "$_up: $TOTAL bytes, UDP_SEGMENT $GSO: all $SEGS datagrams arrive, payload checked" \
		"sent $SEGS received $SEGS bad 0" "$_out"
	check_eq "$_up: sn0 tx_packets +$2" "$2" "$_tx"
	check_eq "$_up: sn1 rx_packets +$2" "$2" "$_rx"
	check_grep "$_up: the capture on sn1 shows 192.168.1.1 > 192.168.1.2 (flipped)" \
		"192\.168\.1\.1\.[0-9]+ > 192\.168\.1\.2\.$UPORT: UDP" "$TMP/uso$_un.cap"
	check_eq "$_up: Udp InCsumErrors unchanged" "$_csum0" "$(snmp Udp InCsumErrors)"
	head -n 3 "$TMP/uso$_un.cap" | diag
	tail -n 3 "$TMP/uso$_un.err" | diag
}

# load, setup; the feature, a run (5), the feature again, a run (5).
plan 14

check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs
COPY=$(cat /sys/module/snull/parameters/copy 2>/dev/null || echo 1)
# The one skb crosses the pair whole in zero-copy mode; copy=1 bounces frames
# of at most the MTU, so the core never hands it a GSO skb.
if [ "$COPY" = 0 ]; then
	check_eq "copy=0: ethtool -k sn0: tx-udp-segmentation on" \
		"tx-udp-segmentation=on" "$(features sn0 tx-udp-segmentation)"
	# ndo_start_xmit gets the GSO skb once and puts it in one TX
	# descriptor; tx_packets counts descriptors completed
	# (snull_tx_clean), so +1, not +8: the 8 datagrams only appear when
	# the receiving UDP socket segments the skb (udp_rcv_segment).
	uso_run "copy=0, USO on" 1
	ethtool -K sn0 tx-udp-segmentation off 2>&1 | diag
	check_eq "copy=0: ethtool -K sn0 tx-udp-segmentation off reads back" \
		"tx-udp-segmentation=off" "$(features sn0 tx-udp-segmentation)"
	# Software segmentation (validate_xmit_skb) before the driver: 8 skbs.
	uso_run "copy=0, USO off" $SEGS
else
	check_eq "copy=1: ethtool -k sn0: tx-udp-segmentation off [fixed]" \
		"tx-udp-segmentation=off [fixed]" "$(features sn0 tx-udp-segmentation)"
	# Segmented in software before the driver: 8 frames, 8 descriptors.
	uso_run "copy=1, USO fixed off" $SEGS
	# Asking for it changes nothing: still fixed, still segmented first.
	ethtool -K sn0 tx-udp-segmentation on 2>&1 | diag
	check_eq "copy=1: after ethtool -K sn0 tx-udp-segmentation on: still off [fixed]" \
		"tx-udp-segmentation=off [fixed]" "$(features sn0 tx-udp-segmentation)"
	uso_run "copy=1, USO asked for" $SEGS
fi

finish
