#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 8
# snull-debug-cost: 40
#
# TCP keeps a clone of every segment it sends, for retransmission, and that
# clone shares its data with the skb the driver gets. The address trick must
# never reach it (issue #11: with copy=0 it is done on a private copy of the
# headers): a segment sent again would leave with its addresses flipped
# twice, and its checksum updated for the wrong ones. Here sn0 drops every
# 20th frame (debugfs drop_every), so that TCP retransmits, while random
# data cross the trick; in both copy modes, with checksum offload (and TSO
# where offered) and without. The data must arrive byte for byte, TCP must
# have retransmitted, no checksum error may be counted, and the skbs sn0
# sent, read after the driver ran (snull-ctl peek), still carry the
# addresses the stack gave them.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	exec 7>&- 2>/dev/null
	lib_cleanup
}
trap cleanup EXIT

MB=2		# MiB of random data a transfer carries
PORT=5001
EVERY=20

# snmp PROTO FIELD: a counter of /proc/net/snmp ("missing" without it).
snmp()
{
	awk -v p="$1:" -v f="$2" '
		$1 == p && !h { for (i = 2; i <= NF; i++) if ($i == f) c = i; h = 1; next }
		$1 == p && h { v = $c }
		END { print (c && v != "" ? v : "missing") }' /proc/net/snmp
}

# tcp_copy PREFIX: $TMP/data with busybox nc to remote0 (arriving at sn1 as
# 192.168.1.1 > 192.168.1.2) while snull-ctl peek holds the skbs sn0
# sends; three results: the transfer ends, the data arrive unchanged, the
# skbs sn0 sent were not rewritten in place.
tcp_copy()
{
	rm -f "$TMP/rx"
	# The server's stdin is a FIFO this shell holds open (fd 7): an EOF
	# there would make busybox nc half-close the connection early.
	# (Explicitly, in a shell of its own: a command that bg puts in the
	# background would get /dev/null as its stdin.)
	# shellcheck disable=SC2016 # expanded by that shell
	bg sh -c 'exec nc -l -p "$1" <"$2" >"$3" 2>"$4"' nc-server $PORT \
		"$TMP/fifo" "$TMP/rx" "$TMP/nc-s.err"
	_srv=$BG_PID
	wait_for 10 sh -c "ss -ltn 'sport = :$PORT' | grep -q LISTEN"
	bg snull-ctl peek sn0 90 >"$TMP/peek" 2>&1
	_pk=$BG_PID
	wait_for 10 grep -q ready "$TMP/peek"
	timeout 90 nc 192.168.0.2 $PORT <"$TMP/data" >/dev/null 2>"$TMP/nc-c.err"
	_rc=$?
	wait_pid "$_srv" 20 || { diag "the nc server did not end"; kill "$_srv"; }
	kill -USR1 "$_pk" 2>/dev/null
	wait "$_pk" 2>/dev/null
	check_eq "$1: nc sends $MB MiB to 192.168.0.2 and ends" 0 "$_rc"
	[ "$_rc" -eq 0 ] || cat "$TMP/nc-c.err" "$TMP/nc-s.err" | diag
	check_cmd "$1: the data arrive unchanged (cmp)" cmp "$TMP/data" "$TMP/rx"
	[ -f "$TMP/rx" ] && diag "$1: received $(wc -c <"$TMP/rx") of $(wc -c <"$TMP/data") bytes"
	_good='^out 192\.168\.0\.1 > 192\.168\.0\.2 proto 6$'
	if grep -q "$_good" "$TMP/peek" && ! grep -v "$_good" "$TMP/peek" | grep -q '^out '; then
		ok "$1: sn0's sent skbs, read after the driver ran: all 192.168.0.1 > 192.168.0.2"
	else
		not_ok "$1: sn0's sent skbs, read after the driver ran: all 192.168.0.1 > 192.168.0.2"
		grep '^out ' "$TMP/peek" | sort | uniq -c | head -n 5 | diag
		grep -v '^out ' "$TMP/peek" | head -n 5 | diag
	fi
}

# run PREFIX: a transfer with sn0 dropping every EVERY-th frame; six
# results.
run()
{
	_r0=$(snmp Tcp RetransSegs)
	_e0="$(snmp Tcp InCsumErrors) $(snmp Ip InHdrErrors)"
	_f0=$(estat sn0 tx_drop_fault)
	knob sn0 drop_every $EVERY
	tick
	_t0=$NOW
	tcp_copy "$1"
	tick
	knob sn0 drop_every 0
	_r1=$(snmp Tcp RetransSegs)
	diag "$1: TcpRetransSegs +$(sub "$_r1" "$_r0"), tx_drop_fault +$(sub "$(estat sn0 tx_drop_fault)" "$_f0")," \
		"$((NOW - _t0)) s"
	check_gt "$1: sn0 dropped frames (tx_drop_fault grew)" "$_f0" "$(estat sn0 tx_drop_fault)"
	check_gt "$1: TCP retransmitted (TcpRetransSegs grew)" "$_r0" "$_r1"
	check_eq "$1: no Tcp InCsumErrors, no Ip InHdrErrors" "$_e0" \
		"$(snmp Tcp InCsumErrors) $(snmp Ip InHdrErrors)"
}

# A copy mode: load, sysfs, setup; two runs of 6; reconcile (2).
plan $((2 * (3 + 2 * 6 + 2)))

head -c $((MB * 1048576)) /dev/urandom >"$TMP/data"
mkfifo "$TMP/fifo"
exec 7<>"$TMP/fifo"

for copy in 0 1; do
	bg_kill
	snull_unload
	check_cmd "copy=$copy: load" snull_load copy=$copy
	check_eq "copy=$copy: sysfs shows it" $copy "$(param copy)"
	check_cmd "copy=$copy: snull-setup" snull_setup_addrs
	run "copy=$copy, offloads on, drop_every=$EVERY"
	# Checksums done by the stack: the trick updates a full checksum.
	ethtool -K sn0 tx off 2>&1 | diag
	run "copy=$copy, tx-checksumming off, drop_every=$EVERY"
	ethtool -K sn0 tx on 2>&1 | diag
	reconcile
done

finish
