#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 30
# snull-debug-cost: 120
#
# The receiver's MAC address filter (issue #11), in both copy modes: a
# unicast frame for another MAC is dropped before any skb work and counted
# in rx_drop_filtered (within rx_dropped, like every rx_drop_* counter), not
# in rx_packets; broadcast and multicast frames pass. In promiscuous mode
# (ip link set promisc on, or tcpdump without -p) every frame passes: the
# device counts the foreign ones in rx_packets and a capture sees them (the
# stack drops them itself). When promiscuous mode ends, the filter is back.
# pktgen sends the frames, with the destination MAC of our choice.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

N=40
FOREIGN=00:53:4e:55:4c:99	# a unicast MAC neither device has
MCAST=01:00:5e:00:00:fb		# an IPv4 multicast MAC
BCAST=ff:ff:ff:ff:ff:ff

# send IFACE MAC: N frames out of IFACE to MAC (and to sink_ip, which the
# far stack drops unanswered), one a call of ndo_start_xmit; true when
# pktgen sent them all.
send()
{
	pktgen_reset
	if ! { pktgen_dev 0 "$1" $N "$(sink_ip "$1")" "$2" >/dev/null &&
		echo "burst 1" >"/proc/net/pktgen/$1" && pktgen_run 60; }; then
		pktgen_reset
		return 1
	fi
	_sent=$(pktgen_sofar "$1")
	pktgen_reset
	[ "$_sent" = $N ] || { diag "pktgen sent '$_sent' of $N on $1"; return 1; }
	settle "$1"
	sleep 0.2
}

# counters IFACE: "rx_packets rx_drop_filtered rx_dropped" of IFACE.
counters()
{
	echo "$(stat "$1" rx_packets) $(estat "$1" rx_drop_filtered) $(stat "$1" rx_dropped)"
}

# grew BEFORE AFTER: the three differences of two counters lines.
grew()
{
	# shellcheck disable=SC2086 # three numbers each
	set -- $1 $2
	echo "$(sub "$4" "$1") $(sub "$5" "$2") $(sub "$6" "$3")"
}

# case DESC TXIF MAC WANT: send N frames out of TXIF to MAC; the peer's
# rx_packets, rx_drop_filtered and rx_dropped must grow by WANT ("N 0 0":
# received; "0 N N": filtered). One result.
case_()
{
	_rxif=sn1
	[ "$2" = sn0 ] || _rxif=sn0
	_c0=$(counters $_rxif)
	if send "$2" "$3"; then
		check_eq "$1: $_rxif rx_packets, rx_drop_filtered, rx_dropped grow by" \
			"$4" "$(grew "$_c0" "$(counters $_rxif)")"
	else
		not_ok "$1: pktgen sends $N frames out of $2"
	fi
}

# pktgen; per mode: 3 setup, 6 filter, 5 promisc, 3 tcpdump, 2 pings,
# 2 reconcile.
plan $((1 + 2 * (3 + 6 + 5 + 3 + 2 + 2)))

check_cmd "pktgen.ko loads" pktgen_load || die "no pktgen"
for copy in 0 1; do
	m="copy=$copy"
	snull_unload
	check_cmd "$m: load" snull_load copy=$copy
	check_eq "$m: sysfs shows it" $copy "$(param copy)"
	check_cmd "$m: snull-setup" snull_setup_addrs

	# --- the filter ---
	case_ "$m: to sn1's own MAC" sn0 "$(peer_mac sn0)" "$N 0 0"
	case_ "$m: to a foreign unicast MAC, filtered by sn1" sn0 $FOREIGN "0 $N $N"
	case_ "$m: to a foreign unicast MAC, filtered by sn0" sn1 $FOREIGN "0 $N $N"
	case_ "$m: to broadcast" sn0 $BCAST "$N 0 0"
	case_ "$m: to a multicast MAC" sn0 $MCAST "$N 0 0"
	# sn0's own MAC seen by sn1 is foreign too.
	case_ "$m: to sn0's own MAC, sent by sn0: filtered by sn1" sn0 "$(peer_mac sn1)" "0 $N $N"

	# --- promiscuous mode by ip link ---
	ip link set sn1 promisc on
	# A capture that leaves the device as it is (-p) sees them now.
	cap_start pp sn1 -p -n -e -c $N ether dst $FOREIGN
	case_ "$m: sn1 promisc on: a foreign unicast MAC passes" sn0 $FOREIGN "$N 0 0"
	cap_wait pp 5
	check_eq "$m: sn1 promisc on: tcpdump -p on sn1 sees the $N frames" $N \
		"$(grep -c "> $FOREIGN" "$TMP/pp.cap")"
	case_ "$m: sn1 promisc on: broadcast still passes" sn0 $BCAST "$N 0 0"
	ip link set sn1 promisc off
	cap_start np sn1 -p -n -e -c 1 ether dst $FOREIGN
	case_ "$m: sn1 promisc off again: filtered" sn0 $FOREIGN "0 $N $N"
	cap_wait np 1
	check_eq "$m: sn1 promisc off: tcpdump -p on sn1 sees none of them" 0 \
		"$(grep -c "> $FOREIGN" "$TMP/np.cap")"

	# --- promiscuous mode by tcpdump (without -p) ---
	cap_start pr sn1 -n -e -c $N ether dst $FOREIGN
	case_ "$m: tcpdump (promiscuous) on sn1: a foreign unicast MAC passes" sn0 $FOREIGN "$N 0 0"
	cap_wait pr 5
	check_eq "$m: tcpdump (promiscuous) on sn1 sees the $N frames" $N \
		"$(grep -c "> $FOREIGN" "$TMP/pr.cap")"
	# The capture has ended (cap_wait reaped it), and with it
	# promiscuous mode.
	case_ "$m: tcpdump ended: filtered again" sn0 $FOREIGN "0 $N $N"

	check_pings "$m: "
	reconcile
done

finish
