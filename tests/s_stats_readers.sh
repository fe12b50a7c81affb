#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 46
# snull-debug-cost: 88
#
# Statistics readers against a flood and down/up: background loops read
# /proc/net/dev, "ip -s link", "ethtool -S", /sys/class/net/sn*/statistics/*
# and the private ioctl (snull-ctl ring) while pktgen and UDP flood both
# ways and the ends go down and up at random. The counters are per-CPU u64
# behind u64_stats_sync and ndo_get_stats64 may not sleep: no reader may
# fail, hang or crash (the devices stay registered, so down is no excuse),
# no packet counter may ever go backwards, and the books balance afterwards.
#
# Bounded: TOGGLES down/up cycles or LIMIT seconds, whichever comes first.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	: >"$TMP/stop" 2>/dev/null
	lib_cleanup
}
trap cleanup EXIT

TOGGLES=300
LIMIT=40
set_slow
MIN_TOGGLES=$(slow_min 12)
MIN_READS=$(slow_min 8)
# A read that takes longer is a hang: 10 s, times SLOW on a debug kernel,
# where a flood, six readers and the down/up loop share one host core and
# "ip -s link" waits for RTNL behind each slow down/up.
READ_TIMEOUT=$((10 * SLOW))
READERS="procnetdev iplink ethtool sysfs ring"

# ---- the readers: one read each, a command for sh -c, true when it worked ----
# Used through eval in reader(); the $ are for the shell that runs them.
# shellcheck disable=SC2016,SC2034
READ_procnetdev='[ "$(grep -cE "^ *sn[01]:" /proc/net/dev)" = 2 ]'
# shellcheck disable=SC2016,SC2034
READ_iplink='ip -s link show sn0 | grep -q "RX:" && ip -s link show sn1 | grep -q "TX:"'
# shellcheck disable=SC2016,SC2034
READ_ethtool='ethtool -S sn0 | grep -q rx_crc_errors: && ethtool -S sn1 | grep -q rx_crc_errors:'
# Every file read, one value each.
# shellcheck disable=SC2016,SC2034
READ_sysfs='set -- /sys/class/net/sn0/statistics/* /sys/class/net/sn1/statistics/* &&
	o=$(cat "$@") && [ "$(echo "$o" | wc -l)" -eq $# ] && [ $# -ge 40 ]'
# shellcheck disable=SC2016,SC2034
READ_ring='snull-ctl ring sn0 | grep -q "^version=1 " && snull-ctl ring sn1 | grep -q "^version=1 "'

# reader NAME: run READ_NAME until $TMP/stop appears, each under a
# time-out; write "reads failures hangs" to $TMP/NAME.res at the end.
reader()
{
	_n=0 _f=0 _h=0
	while [ ! -e "$TMP/stop" ]; do
		_n=$((_n + 1))
		eval "_cmd=\$READ_$1"
		# /bin/sh: busybox timeout would run its own sh applet, whose
		# "ip" is busybox's
		# shellcheck disable=SC2154 # _cmd: set by the eval above
		timeout "$READ_TIMEOUT" /bin/sh -c "$_cmd" >"$TMP/$1.out" 2>&1
		case $? in
		0) ;;
		124|137|143) _h=$((_h + 1)); cp "$TMP/$1.out" "$TMP/$1.hang" ;;
		*) _f=$((_f + 1)); cp "$TMP/$1.out" "$TMP/$1.fail" ;;
		esac
	done
	echo "$_n $_f $_h" >"$TMP/$1.res"
}

# monotonic: packet counters read through sysfs never go backwards.
monotonic()
{
	_n=0 _back=0
	_prev="0 0 0 0"
	while [ ! -e "$TMP/stop" ]; do
		_n=$((_n + 1))
		_cur=
		for _c in sn0/statistics/tx_packets sn0/statistics/rx_packets \
			sn1/statistics/tx_packets sn1/statistics/rx_packets; do
			read -r _v <"/sys/class/net/$_c" || _v=-1
			_cur="$_cur $_v"
		done
		# shellcheck disable=SC2086
		if ! awk -v p="$_prev" -v c="$_cur" 'BEGIN {
			split(p, a); split(c, b)
			for (i = 1; i <= 4; i++) if (b[i] < a[i]) exit 1 }'; then
			_back=$((_back + 1))
			echo "$_prev ->$_cur" >>"$TMP/monotonic.back"
		fi
		_prev=$_cur
	done
	echo "$_n $_back" >"$TMP/monotonic.res"
}

plan 25

rnd_seed
diag "seed $SEED; $TOGGLES down/up cycles or $LIMIT s"
check_cmd "pktgen.ko loads" pktgen_load
check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs

flood_start $((LIMIT + 60))

rm -f "$TMP/stop"
rpids=
for r in $READERS; do
	reader "$r" &
	rpids="$rpids $!"
done
monotonic &
rpids="$rpids $!"
_bg_pids="$_bg_pids $rpids"

BOUNCE_FAILS=0
: >"$TMP/ip.err"
n=0
time_limit $LIMIT
while [ $n -lt $TOGGLES ] && in_time; do
	n=$((n + 1))
	bounce 20 20
	rnd 4
	usleep $(((R + 1) * 20000))
done
elapsed=$((NOW - START))

# Stop the readers first: they must all return, at worst after one read
# that runs into its time-out.
STOP_WAIT=$((READ_TIMEOUT + 10))
: >"$TMP/stop"
stuck=0
for p in $rpids; do
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt $((STOP_WAIT * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 "$p" 2>/dev/null && stuck=$((stuck + 1))
done
flood_stop
ip link set sn0 up
ip link set sn1 up

diag "$n down/up cycles in $elapsed s; $(blast_report)"
check_flood "the flood ran both ways"
check_eq "every reader returned within $STOP_WAIT s of being told to stop" 0 $stuck
for r in $READERS; do
	res=$(cat "$TMP/$r.res" 2>/dev/null || echo "missing missing missing")
	# shellcheck disable=SC2086 # three words
	set -- $res
	diag "reader $r: $1 reads, $2 failed, $3 hung"
	check_ge "reader $r: at least $MIN_READS reads" "$MIN_READS" "$1"
	check_eq "reader $r: no read failed or hung" "0 0" "$2 $3"
	[ ! -e "$TMP/$r.fail" ] || { diag "last failure:"; head -n 5 "$TMP/$r.fail" | diag; }
	[ ! -e "$TMP/$r.hang" ] || { diag "last hang:"; head -n 5 "$TMP/$r.hang" | diag; }
done
res=$(cat "$TMP/monotonic.res" 2>/dev/null || echo "missing missing")
# shellcheck disable=SC2086 # two words
set -- $res
diag "monotonic reader: $1 reads"
check_ge "counter reader: at least $MIN_READS reads" "$MIN_READS" "$1"
check_eq "no packet counter ever went backwards (sn0/sn1 tx/rx_packets)" 0 "$2"
[ ! -e "$TMP/monotonic.back" ] || head -n 5 "$TMP/monotonic.back" | diag

check_ge "at least $MIN_TOGGLES down/up cycles" "$MIN_TOGGLES" "$n"
check_eq "every ip link set up/down worked" 0 $BOUNCE_FAILS
[ $BOUNCE_FAILS -eq 0 ] || head -n 5 "$TMP/ip.err" | diag
check_cmd "both ends up with carrier afterwards" wait_for 5 both_up
reconcile
check_cmd "sn0 ring: nothing in flight, not stalled" ring_clean sn0
check_cmd "sn1 ring: nothing in flight, not stalled" ring_clean sn1
check_ping "ping 192.168.0.2 afterwards: 3 replies" 3 192.168.0.2

finish
