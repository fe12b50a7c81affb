#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 40
# snull-debug-cost: 200
#
# Offloads (issue #11), in both data paths: copy=0 (the skb itself goes to
# the peer; scatter-gather, HW_CSUM, TSO/TSO6/ECN/MANGLEID and USO offered)
# and copy=1 (the book's bounce buffers: TSO and USO "off [fixed]"). For a
# matrix of offload states on the sender (sn0) and the receiver (sn1):
# - ethtool -k reports each state truly, the peer coupling included: with
#   rx-checksumming off on sn1, sn0's tx-checksumming and TSO read
#   "off [requested on]", and come back when it is on again;
# - traffic through the address trick is right: a TCP transfer of random
#   data arrives byte for byte, and the skbs sn0 sent were not rewritten in
#   place (snull-ctl peek reads their shared data after the driver ran);
#   pings of several sizes (data checked; one fragmented); UDP datagrams
#   with none lost;
# - no checksum error is counted (/proc/net/snmp: Tcp and Udp InCsumErrors,
#   Icmp InCsumErrors, Ip InHdrErrors unchanged).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	exec 7>&- 2>/dev/null
	lib_cleanup
}
trap cleanup EXIT

MB=2		# MiB of random data a TCP transfer carries
PORT=5001	# the nc server's
UPORT=5201	# iperf3's (UDP)

# want NAME=VALUE...: the form of features (tests/lib.sh), to compare with it; VALUE "fixed"
# stands for "off [fixed]", "req" for "off [requested on]".
want()
{
	_wo=
	for _wv; do
		case $_wv in
		*=fixed) _wv="${_wv%=*}=off [fixed]" ;;
		*=req) _wv="${_wv%=*}=off [requested on]" ;;
		esac
		_wo="$_wo, $_wv"
	done
	echo "${_wo#, }"
}

# csum_errs: Tcp InCsumErrors, Udp InCsumErrors, Icmp InCsumErrors and Ip
# InHdrErrors, space-separated.
csum_errs()
{
	echo "$(snmp Tcp InCsumErrors) $(snmp Udp InCsumErrors)" \
		"$(snmp Icmp InCsumErrors) $(snmp Ip InHdrErrors)"
}

# delta "A B C D" "E F G H": the differences, space-separated.
delta()
{
	# shellcheck disable=SC2086 # four numbers each
	set -- $1 $2
	echo "$(sub "$5" "$1") $(sub "$6" "$2") $(sub "$7" "$3") $(sub "$8" "$4")"
}

# pings PREFIX: pings of 56, 1000 and 1472 data bytes (DF set; snull-raw
# checks the data of each reply) and of 4000 (fragmented), 2 of each, to
# remote0; one result.
pings()
{
	_pw=
	_pg=
	for _ps in 56 1000 1472; do
		_pw="$_pw $_ps:sent_2_received_2_bad_0"
		_pg="$_pg $_ps:$(snull-raw ping 192.168.0.2 $_ps 2 2>&1 | tr ' ' _)"
	done
	ping_run "$TMP/ping" -c 2 -i 0.2 -W 2 -s 4000 192.168.0.2
	_pw="$_pw 4000:2"
	_pg="$_pg 4000:$(ping_received "$TMP/ping")"
	check_eq "$1: ping 192.168.0.2 with 56, 1000, 1472 (DF, data checked) and 4000 bytes (fragmented): all answered" \
		"$_pw" "$_pg"
}

# udp PREFIX: 200 iperf3 UDP datagrams of 1400 bytes to remote0 at 10
# Mbit/s; it succeeds and the receiver lost none, except those its socket
# buffer overflowed (Udp RcvbufErrors: a guest starved by a loaded host),
# which are no frames of the driver's. One result.
udp()
{
	_rb0=$(snmp Udp RcvbufErrors)
	timeout 20 iperf3 -c 192.168.0.2 -p $UPORT -u -b 10M -l 1400 -n 280000 \
		>"$TMP/udp.out" 2>&1
	_ur=$?
	_ul=$(awk '/receiver$/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\/[0-9]+$/) { split($i, a, "/"); print a[1]; f = 1 } }
		END { if (!f) print "missing" }' "$TMP/udp.out")
	_rb=$(sub "$(snmp Udp RcvbufErrors)" "$_rb0")
	# The datagrams lost elsewhere than in the socket's buffer.
	_ux=$(sub "$_ul" "$_rb")
	is_number "$_ux" && [ "$_ux" -lt 0 ] && _ux=0
	check_eq "$1: UDP to 192.168.0.2 (iperf3 -u): it succeeds, no datagram lost (but to RcvbufErrors)" \
		"0 0" "$_ur $_ux"
	[ "$_ur $_ul" = "0 0" ] || {
		tail -n 4 "$TMP/udp.out" | diag
		diag "Udp RcvbufErrors +$_rb; sn1 rx_dropped $(stat sn1 rx_dropped), rx_errors $(stat sn1 rx_errors)"
	}
}

# traffic PREFIX: the TCP transfer, pings and UDP of a state, and no
# checksum error counted meanwhile.
traffic()
{
	_e0=$(csum_errs)
	tcp_copy "$1" 192.168.0.2 sn0 192.168.0.1 60
	pings "$1"
	udp "$1"
	check_eq "$1: no Tcp/Udp/Icmp InCsumErrors, no Ip InHdrErrors" "0 0 0 0" \
		"$(delta "$_e0" "$(csum_errs)")"
}

# state COPY NAME: apply the state NAME (on top of everything on), check
# ethtool -k on both devices against it; two results.
state()
{
	_c=$1
	_st=$2
	# TSO and USO: offered with copy=0 only. treq: a TSO feature the
	# state turned off that ethtool asked to be on.
	if [ "$_c" = 0 ]; then t=on treq=req; else t=fixed treq=fixed; fi
	csum=on sg=on tso=$t uso=$t rx=on gro=on
	case $_st in
	all-on) ;;
	tx-off)
		ethtool -K sn0 tx off 2>&1 | diag
		csum=off tso=$treq ;;
	tso-off)
		ethtool -K sn0 tso off 2>&1 | diag
		[ "$_c" = 1 ] || tso=off ;;
	sg-off)
		ethtool -K sn0 sg off 2>&1 | diag
		sg=off tso=$treq ;;
	gro-off)
		ethtool -K sn1 gro off 2>&1 | diag
		gro=off ;;
	rx-off)
		# The coupling: sn1 takes no partial checksum, so sn0 may
		# not send one (nor TSO, nor USO).
		ethtool -K sn1 rx off 2>&1 | diag
		rx=off csum=req tso=$treq uso=$treq ;;
	all-off)
		ethtool -K sn0 tx off sg off 2>&1 | diag
		[ "$_c" = 1 ] || ethtool -K sn0 tso off 2>&1 | diag
		ethtool -K sn1 rx off gro off 2>&1 | diag
		csum=off sg=off rx=off gro=off
		[ "$_c" = 1 ] || tso=off ;;
	esac
	set -- tx-checksum-ip-generic tx-scatter-gather tx-tcp-segmentation \
		tx-tcp6-segmentation tx-tcp-ecn-segmentation tx-tcp-mangleid-segmentation
	TXW=$(want "$1=$csum" "$2=$sg" "$3=$tso" "$4=$tso" "$5=$tso" "$6=$tso")
	# USO: the core ties it to neither tx-checksumming nor scatter-gather;
	# only the states that decide it check it.
	case $_st in
	all-on|rx-off|gro-off)
		set -- "$@" tx-udp-segmentation
		TXW="$TXW, $(want "tx-udp-segmentation=$uso")" ;;
	esac
	check_eq "copy=$_c $_st: ethtool -k sn0 (sender)" "$TXW" "$(features sn0 "$@")"
	check_eq "copy=$_c $_st: ethtool -k sn1 (receiver)" \
		"$(want "rx-checksumming=$rx" "generic-receive-offload=$gro")" \
		"$(features sn1 rx-checksumming generic-receive-offload)"
}

# restore: everything on again (what ethtool can turn on).
restore()
{
	ethtool -K sn1 rx on gro on 2>&1 | diag
	ethtool -K sn0 tx on sg on 2>&1 | diag
	ethtool -K sn0 tso on >/dev/null 2>&1
	ethtool -K sn0 tx-udp-segmentation on >/dev/null 2>&1
}

STATES="all-on tx-off tso-off sg-off gro-off rx-off all-off"
NSTATES=7
# A copy mode: load, sysfs, setup, servers; per state 2 (ethtool) + 6
# (traffic); the coupling undone (2); the reverse transfer (3).
plan $((2 * (4 + NSTATES * 8 + 2 + 3)))

head -c $((MB * 1048576)) /dev/urandom >"$TMP/data"
mkfifo "$TMP/fifo"
exec 7<>"$TMP/fifo"

for copy in 0 1; do
	bg_kill
	snull_unload
	check_cmd "copy=$copy: load" snull_load copy=$copy
	check_eq "copy=$copy: sysfs shows it" $copy "$(param copy)"
	check_cmd "copy=$copy: snull-setup" snull_setup_addrs
	check_cmd "copy=$copy: iperf3 server" iperf_server $UPORT

	for s in $STATES; do
		state $copy "$s"
		traffic "copy=$copy $s"
		if [ "$s" = rx-off ]; then
			# The coupling undone: sn1's rx-checksumming back on
			# gives sn0 its checksum offload and TSO again.
			ethtool -K sn1 rx on 2>&1 | diag
			if [ "$copy" = 0 ]; then t=on; else t=fixed; fi
			check_eq "copy=$copy rx-off: sn1 rx on again: sn0's tx-checksumming and TSO back" \
				"$(want tx-checksum-ip-generic=on tx-tcp-segmentation=$t)" \
				"$(features sn0 tx-checksum-ip-generic tx-tcp-segmentation)"
			check_eq "copy=$copy rx-off: sn1 rx on again: sn1 rx-checksumming on" \
				"rx-checksumming=on" "$(features sn1 rx-checksumming)"
		fi
		restore
	done

	# The other direction: sn1 sends, everything on.
	tcp_copy "copy=$copy reverse" 192.168.1.1 sn1 192.168.1.2 60
done

finish
