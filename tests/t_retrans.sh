#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 8
# snull-debug-cost: 58
# snull-passes: debug
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

MB=2		# MiB of random data a transfer carries (tcp_copy)
PORT=5001	# tcp_copy's nc server
EVERY=20

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
	tcp_copy "$1" 192.168.0.2 sn0 192.168.0.1 90
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
