#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 12
# snull-debug-cost: 36
# snull-passes: debug
#
# The queue counts ip link add may ask for. `numtxqueues` or `numrxqueues`
# over 8 is refused with an extack message that names the limit, and
# nothing is made (the driver's arrays sized by a queue count hold 8: 16
# used to be accepted, and reading the statistics wrote past the stack's
# snapshot). Counts that differ between the ends work: the peer has the
# default (one a CPU, at most 8), and the pair's channel maximum is the
# fewest of the four counts, the same at both ends, so that ethtool -L on
# either end can never ask for more queues than the other end has (an end
# made with numtxqueues 1 and -L combined 2 on its peer wrote past its
# queues). Each such pair shows its statistics and carries a ping.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	ip netns del qla 2>/dev/null
	ip netns del qlb 2>/dev/null
	lib_cleanup
}
trap cleanup EXIT

nlinks()
{
	ip -o link show | wc -l
}

# chan IFACE max|cur: the combined channels ethtool -l shows.
chan()
{
	ethtool -l "$1" 2>/dev/null | awk -v want="$2" '
		/^Pre-set maximums/ { part = "max" }
		/^Current hardware settings/ { part = "cur" }
		$1 == "Combined:" && part == want { print $2; exit }'
}

# ends_ping A B: A in namespace qla with 192.168.0.1/24, B in qlb with
# 192.168.1.2/24, both up; 3 pings of the trick's remote0 all answered.
ends_ping()
{
	ip netns add qla && ip netns add qlb &&
		ip link set "$1" netns qla && ip link set "$2" netns qlb &&
		ip -n qla addr add 192.168.0.1/24 dev "$1" &&
		ip -n qlb addr add 192.168.1.2/24 dev "$2" &&
		ip -n qla link set "$1" up && ip -n qlb link set "$2" up || return 1
	wait_for 10 /bin/sh -c "ip -n qla link show $1 | grep -q LOWER_UP"
	ip netns exec qla ping -c 3 -i 0.2 -W 2 192.168.0.2 >"$TMP/ping" 2>&1
	_rc=$?
	[ "$_rc" = 0 ] || diag <"$TMP/ping"
	ip netns del qla
	ip netns del qlb
	return "$_rc"
}

# stats_read IFACE: ip -s link and ethtool -S of IFACE both answer.
stats_read()
{
	ip -s link show "$1" >"$TMP/s" 2>&1 && ethtool -S "$1" >>"$TMP/s" 2>&1
}

# the default of a device made without counts: one a CPU, at most 8
cpus=$(nproc)
deflt=$((cpus < 8 ? cpus : 8))

plan 28

check_cmd "load snull" snull_load
n0=$(nlinks)
for q in "16 16" "9 1" "1 9"; do
	# shellcheck disable=SC2086 # two numbers
	set -- $q
	check_refused "numtxqueues $1 numrxqueues $2: refused, the message names the limit" \
		'at most 8' ip link add qa numtxqueues "$1" numrxqueues "$2" type snull
done
check_eq "the refused requests made no interface" "$n0" "$(nlinks)"

# As many as the driver takes, the peer with its default.
check_cmd "numtxqueues 8 numrxqueues 8: made" \
	ip link add qa numtxqueues 8 numrxqueues 8 type snull
peer=$(ip -o link show | sed -n 's/^[0-9]*: \(sn[0-9]*\)[:@].*/\1/p' | sort | tail -n 1)
check_eq "the pair's maximum is the fewest of its counts, at both ends" \
	"$deflt $deflt" "$(chan qa max) $(chan "$peer" max)"
check_cmd "ethtool -L qa combined $deflt (the maximum)" \
	ethtool -L qa combined "$deflt"
check_fail "ethtool -L qa combined $((deflt + 1)): over the maximum, refused" \
	ethtool -L qa combined $((deflt + 1))
check_eq "both ends have $deflt channels" "$deflt $deflt" \
	"$(chan qa cur) $(chan "$peer" cur)"
check_cmd "statistics of qa (ip -s link, ethtool -S)" stats_read qa
check_cmd "statistics of $peer" stats_read "$peer"
check_cmd "qa and $peer carry a ping" ends_ping qa "$peer"
wait_for 10 /bin/sh -c "! ip link show $peer >/dev/null 2>&1"
check_eq "the namespaces' deletion took the pair" "$n0" "$(nlinks)"

# One queue at one end: the pair has one, whatever the peer's default.
check_cmd "numtxqueues 1 numrxqueues 1: made" \
	ip link add qb numtxqueues 1 numrxqueues 1 type snull
peer=$(ip -o link show | sed -n 's/^[0-9]*: \(sn[0-9]*\)[:@].*/\1/p' | sort | tail -n 1)
check_eq "maximum 1 at both ends" "1 1" "$(chan qb max) $(chan "$peer" max)"
check_fail "ethtool -L $peer combined 2: refused" ethtool -L "$peer" combined 2
check_fail "ethtool -L qb combined 2: refused" ethtool -L qb combined 2
check_eq "both ends still have 1 channel" "1 1" "$(chan qb cur) $(chan "$peer" cur)"
check_cmd "statistics of qb" stats_read qb
check_cmd "statistics of $peer" stats_read "$peer"
check_cmd "qb and $peer carry a ping" ends_ping qb "$peer"
wait_for 10 /bin/sh -c "! ip link show $peer >/dev/null 2>&1"

# TX and RX counts that differ on one end.
check_cmd "numtxqueues 8 numrxqueues 1: made" \
	ip link add qc numtxqueues 8 numrxqueues 1 type snull
peer=$(ip -o link show | sed -n 's/^[0-9]*: \(sn[0-9]*\)[:@].*/\1/p' | sort | tail -n 1)
check_eq "maximum 1 at both ends (the RX count)" "1 1" \
	"$(chan qc max) $(chan "$peer" max)"
check_fail "ethtool -L $peer combined 2: refused" ethtool -L "$peer" combined 2
check_cmd "statistics of qc and $peer" \
	/bin/sh -c "ip -s link show qc && ethtool -S qc && ethtool -S $peer"
check_cmd "ip link del qc deletes the pair" ip link del qc
check_eq "no interface left over" "$n0" "$(nlinks)"

finish
