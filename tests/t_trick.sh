#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 14
# snull-debug-cost: 53
# snull-passes: copy
#
# The address trick: remote0/remote1 answer, the receiver sees the rewritten
# addresses while the sender's capture shows its frame unchanged
# (pitfalls.md #8), and TCP/UDP checksums stay right after the rewrite, with
# checksum offload off and on (pitfalls.md #10).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

BAD_CSUM='bad cksum|incorrect|bad udp cksum|wrong icmp cksum'

# ping_capture DST: ping DST 3 times while capturing ICMP on both interfaces.
ping_capture()
{
	cap_start p0 sn0 -n -c 6 icmp
	cap_start p1 sn1 -n -c 6 icmp
	ping_run "$TMP/ping" -c 3 -i 0.2 "$1"
	cap_wait p0
	cap_wait p1
}

# l4_run MODE PROTO: iperf3 over PROTO (tcp, udp) to remote0, captured with
# checksum verification: what sn0 sends, what sn1 receives. (A capture of
# what an interface sends with TX offload shows the partial L4 sum, and GRO
# merges received segments under one header: both would read "incorrect"
# without anything being wrong, so the receive side is captured with GRO
# off and the send side is checked in full only with offload off.) With
# offload on, in zero-copy mode the receiver gets the sender's partial sum
# too, as with veth: snull-pcapsum checks that the trick updated it for the
# new addresses; with copy=1 the driver completed it.
l4_run()
{
	_mode=$1
	_proto=$2
	cap_start "${_proto}0" sn0 -Q out -vv -n -c 20 "$_proto"
	if [ "$_mode" = on ]; then
		cap_start "${_proto}1" sn1 -Q in -n -U -c 20 -w "$TMP/${_proto}1.pcap" "$_proto"
	else
		cap_start "${_proto}1" sn1 -Q in -vv -n -c 20 "$_proto"
	fi
	if [ "$_proto" = udp ]; then
		set -- -u -b 5M -l 1200
	else
		set --
	fi
	timeout 15 iperf3 -c 192.168.0.2 -p 5201 -t 2 "$@" >"$TMP/iperf.out" 2>&1
	_rc=$?
	cap_wait "${_proto}0" 5
	cap_wait "${_proto}1" 5
	if [ $_rc -eq 0 ]; then
		ok "tx $_mode: iperf3 $_proto to 192.168.0.2"
	else
		not_ok "tx $_mode: iperf3 $_proto to 192.168.0.2"
		tail -n 5 "$TMP/iperf.out" | diag
	fi
	if [ "$_mode" = on ]; then
		l4_sums_on "$_proto"
	else
		l4_sums_off "$_proto"
	fi
	check_grep "tx $_mode: $_proto from 192.168.0.1 to 192.168.0.2 seen on sn0" \
		"192\.168\.0\.1\.[0-9]+ > 192\.168\.0\.2\.5201:" "$TMP/${_proto}0.cap"
	if [ "$_mode" = off ]; then
		check_nogrep "tx off: no bad checksum in the $_proto capture on sn0" \
			"$BAD_CSUM" "$TMP/${_proto}0.cap"
	else
		# With offload the sender's capture shows the partial L4 sum:
		# only the IP header checksum, done in software, can be checked.
		check_nogrep "tx on: no bad IP header checksum in the $_proto capture on sn0" \
			'bad cksum' "$TMP/${_proto}0.cap"
	fi
}

# l4_sums_off PROTO: with offload off, tcpdump verifies what sn1 received.
l4_sums_off()
{
	if [ "$1" = tcp ]; then
		_good='cksum 0x[0-9a-f]+ \(correct\)'
	else
		_good='\[udp sum ok\]'
	fi
	check_grep "tx off: $1 checksums verified correct on sn1" \
		"192\.168\.1\.1\.[0-9]+ > 192\.168\.1\.2\.5201: .*$_good|$_good.*192\.168\.1\.1\.[0-9]+ > 192\.168\.1\.2\.5201" \
		"$TMP/${1}1.cap"
	check_nogrep "tx off: no bad checksum in the $1 capture on sn1" \
		"$BAD_CSUM" "$TMP/${1}1.cap"
}

# l4_sums_on PROTO: with offload on, snull-pcapsum checks sn1's capture:
# partial sums in zero-copy mode, complete ones with copy=1, none bad.
l4_sums_on()
{
	snull-pcapsum "$TMP/${1}1.pcap" >"$TMP/${1}1.sums" 2>&1
	tail -n 1 "$TMP/${1}1.sums" | diag
	check_grep "tx on: $1 from 192.168.1.1 to 192.168.1.2 reaches sn1" \
		"^192\.168\.1\.1 > 192\.168\.1\.2 $1 " "$TMP/${1}1.sums"
	check_nogrep "tx on: no bad $1 checksum on sn1 (snull-pcapsum)" \
		': bad$' "$TMP/${1}1.sums"
	if [ "$COPY" = 1 ]; then
		check_grep "tx on, copy=1: the driver completed the $1 sums" \
			': full$' "$TMP/${1}1.sums"
	else
		check_grep "tx on, zero copy: partial $1 sums, updated for the new addresses" \
			': partial$' "$TMP/${1}1.sums"
	fi
}

plan 41

check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs
COPY=$(cat /sys/module/snull/parameters/copy 2>/dev/null || echo 1)
# docs/interface.md: checksum offload both ways and scatter-gather, on.
for dev in sn0 sn1; do
	check_eq "ethtool -k $dev: tx-checksumming, scatter-gather, rx-checksumming on" \
		"tx-checksumming=on, scatter-gather=on, rx-checksumming=on" \
		"$(features $dev tx-checksumming scatter-gather rx-checksumming)"
done

# --- remote0: out through sn0, answered by sn1 ---
# snull-ctl peek reads its packet socket only after the pings: the frames it
# holds share their data with the skbs the driver got, so they would show an
# in-place rewrite, which the capture (copied at once) cannot. SIGUSR1 tells
# it the pings are done (60 s at most).
bg snull-ctl peek sn0 60 >"$TMP/peek" 2>&1
peek=$BG_PID
wait_for 10 grep -q ready "$TMP/peek"
ping_capture 192.168.0.2
kill -USR1 $peek
wait $peek
check_eq "ping 192.168.0.2 (remote0): 3 replies" 3 "$(ping_received "$TMP/ping")"
check_grep "sn1 receives 192.168.1.1 > 192.168.1.2" \
	'192\.168\.1\.1 > 192\.168\.1\.2: ICMP echo request' "$TMP/p1.cap"
check_grep "sn0's capture shows the sent frame unchanged: 192.168.0.1 > 192.168.0.2" \
	'192\.168\.0\.1 > 192\.168\.0\.2: ICMP echo request' "$TMP/p0.cap"
check_grep "the reply reaches sn0 as 192.168.0.2 > 192.168.0.1" \
	'192\.168\.0\.2 > 192\.168\.0\.1: ICMP echo reply' "$TMP/p0.cap"
check_grep "sn0's sent skbs, read after the driver ran: 192.168.0.1 > 192.168.0.2" \
	'^out 192\.168\.0\.1 > 192\.168\.0\.2 proto 1$' "$TMP/peek"
check_nogrep "sn0's sent skbs were not rewritten in place" \
	'^out 192\.168\.1\.' "$TMP/peek"

# --- remote1: out through sn1, answered by sn0 ---
ping_capture 192.168.1.1
check_eq "ping 192.168.1.1 (remote1): 3 replies" 3 "$(ping_received "$TMP/ping")"
check_grep "sn0 receives 192.168.0.2 > 192.168.0.1" \
	'192\.168\.0\.2 > 192\.168\.0\.1: ICMP echo request' "$TMP/p0.cap"
check_grep "sn1's capture shows the sent frame unchanged: 192.168.1.2 > 192.168.1.1" \
	'192\.168\.1\.2 > 192\.168\.1\.1: ICMP echo request' "$TMP/p1.cap"

# --- TCP and UDP checksums after the rewrite ---
ethtool -K sn0 gro off
ethtool -K sn1 gro off
iperf_server 5201
for mode in off on; do
	check_cmd "ethtool -K sn0/sn1 tx $mode" \
		sh -c "ethtool -K sn0 tx $mode && ethtool -K sn1 tx $mode"
	check_eq "ethtool -k reads tx-checksumming $mode back on sn0 and sn1" "tx-checksumming=$mode tx-checksumming=$mode" \
		"$(features sn0 tx-checksumming) $(features sn1 tx-checksumming)"
	l4_run $mode tcp
	l4_run $mode udp
done

# --- rx-checksumming can be toggled too ---
for mode in off on; do
	ethtool -K sn1 rx $mode 2>&1 | diag
	check_eq "ethtool -K sn1 rx $mode: ethtool -k reads rx-checksumming $mode" "rx-checksumming=$mode" \
		"$(features sn1 rx-checksumming)"
done

finish
