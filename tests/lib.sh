# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# tests/lib.sh - sourced by every tests/t_*.sh. Runs under dash with busybox.
#
# TAP (kselftest style):
#   plan N                      print "1..N"
#   ok DESC / not_ok DESC       one result; the counter is kept here
#   diag TEXT...                "# TEXT" lines (stdin too when no argument)
#   check_eq DESC EXPECTED ACTUAL
#   check_gt|check_ge|check_lt|check_le DESC LIMIT ACTUAL   (numbers)
#   check_cmd DESC CMD...       CMD must succeed
#   check_fail DESC CMD...      CMD must fail
#   check_grep DESC ERE FILE    a line of FILE matches ERE
#   check_nogrep DESC ERE FILE  no line of FILE matches ERE
#   die TEXT                    stop: remaining planned tests become "not ok"
#   finish                      exit 0 when every planned test passed, else 1
#
# snull:
#   snull_load [PARAM=VALUE...] / snull_unload / snull_loaded
#   snull_setup_addrs           /scripts/snull-setup: addresses, both up
#   stat IFACE NAME             /sys/class/net/IFACE/statistics/NAME
#   estat IFACE NAME            one counter of ethtool -S IFACE
#   reconcile [IF0 IF1]         tx of each side == rx + rx_dropped + rx_errors
#                               of the other
#   param NAME                  /sys/module/snull/parameters/NAME
#   add N... / sub A B          arithmetic that turns a missing counter into
#                               "missing" (a failed check), not a dead script
# Tools:
#   bg CMD / bg_kill / wait_for SECONDS CMD
#   log_mark / log_since        kernel log lines since the mark
#   ping_run FILE ARGS, ping_received / ping_min_rtt / ping_max_rtt FILE
#   cap_start NAME IFACE ARGS / cap_wait NAME   tcpdump into $TMP/NAME.cap
#   iperf_server PORT
#   pktgen_flood COUNT [SIZE]   pktgen both ways at once (pktgen.ko)
#
# Each test sets "trap cleanup EXIT" with a cleanup() that calls lib_cleanup.

SNULL_KO=${SNULL_KO:-/lib/snull/snull.ko}
SNULL_EXTRA=${SNULL_EXTRA:-/lib/snull/extra}
SNULL_SETUP=${SNULL_SETUP:-/scripts/snull-setup}
# A scratch directory for captures and logs, removed by lib_cleanup.
TMP=$(mktemp -d /tmp/snull-test.XXXXXX) || exit 1

_tap_n=0
_tap_failed=0
_tap_plan=0
_bg_pids=

# ---- TAP ------------------------------------------------------------------

plan()
{
	_tap_plan=$1
	echo "1..$1"
}

diag()
{
	if [ $# -gt 0 ]; then
		printf '%s\n' "$*" | sed 's/^/# /'
	else
		sed 's/^/# /'
	fi
}

ok()
{
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $*"
}

not_ok()
{
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $*"
}

is_number()
{
	case $1 in
	''|*[!0-9-]*|?*-*) return 1 ;;
	esac
	[ "$1" != - ]
}

check_eq()
{
	if [ "$2" = missing ] || [ "$3" = missing ]; then
		not_ok "$1"
		diag "a value is missing (expected '$2', got '$3')"
	elif [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected '$2', got '$3'"
	fi
}

_num_cmp()
{
	case $2 in
	-gt) [ "$1" -gt "$3" ] ;;
	-ge) [ "$1" -ge "$3" ] ;;
	-lt) [ "$1" -lt "$3" ] ;;
	-le) [ "$1" -le "$3" ] ;;
	*) return 2 ;;
	esac
}

# _check_num DESC OP LIMIT ACTUAL, OP one of test(1)'s -gt -ge -lt -le.
_check_num()
{
	if ! is_number "$4"; then
		not_ok "$1"
		diag "'$4' is not a number (wanted $2 $3)"
	elif _num_cmp "$4" "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1"
		diag "got $4, wanted $2 $3"
	fi
}

check_gt() { _check_num "$1" -gt "$2" "$3"; }
check_ge() { _check_num "$1" -ge "$2" "$3"; }
check_lt() { _check_num "$1" -lt "$2" "$3"; }
check_le() { _check_num "$1" -le "$2" "$3"; }

check_cmd()
{
	_desc=$1
	shift
	if "$@" >"$TMP/check.out" 2>&1; then
		ok "$_desc"
	else
		_rc=$?
		not_ok "$_desc"
		diag "command failed (exit $_rc): $*"
		diag <"$TMP/check.out"
	fi
}

check_fail()
{
	_desc=$1
	shift
	if "$@" >"$TMP/check.out" 2>&1; then
		not_ok "$_desc"
		diag "command succeeded but must fail: $*"
		diag <"$TMP/check.out"
	else
		ok "$_desc"
	fi
}

check_grep()
{
	if grep -Eq -- "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1"
		diag "no line matches /$2/ in:"
		head -n 20 "$3" | diag
	fi
}

check_nogrep()
{
	if grep -Eq -- "$2" "$3"; then
		not_ok "$1"
		diag "unexpected lines matching /$2/:"
		grep -E -- "$2" "$3" | head -n 10 | diag
	else
		ok "$1"
	fi
}

die()
{
	diag "fatal: $*"
	while [ "$_tap_n" -lt "$_tap_plan" ]; do
		not_ok "not run: $*"
	done
	finish
}

finish()
{
	if [ "$_tap_n" -ne "$_tap_plan" ]; then
		diag "planned $_tap_plan tests, ran $_tap_n"
		while [ "$_tap_n" -lt "$_tap_plan" ]; do
			not_ok "not run"
		done
		exit 1
	fi
	[ "$_tap_failed" -eq 0 ] && exit 0
	exit 1
}

# ---- background jobs --------------------------------------------------------

# bg CMD...: start CMD in the background; lib_cleanup kills what is left.
# The pid is in $BG_PID.
bg()
{
	"$@" &
	BG_PID=$!
	_bg_pids="$_bg_pids $BG_PID"
}

bg_kill()
{
	for _p in $_bg_pids; do
		kill "$_p" 2>/dev/null
	done
	for _p in $_bg_pids; do
		wait "$_p" 2>/dev/null
	done
	_bg_pids=
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for()
{
	_n=$(($1 * 10))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# ---- snull ------------------------------------------------------------------

snull_loaded()
{
	grep -q '^snull ' /proc/modules
}

# snull_load [PARAM=VALUE...]: insmod; on success sn0 and sn1 exist and IPv6
# is off on both, so that nothing but the test's own traffic crosses them.
# insmod's messages are left in $TMP/insmod.err.
snull_load()
{
	if ! insmod "$SNULL_KO" "$@" 2>"$TMP/insmod.err"; then
		return 1
	fi
	for _i in sn0 sn1; do
		[ -d "/sys/class/net/$_i" ] || continue
		[ -w "/proc/sys/net/ipv6/conf/$_i/disable_ipv6" ] &&
			echo 1 >"/proc/sys/net/ipv6/conf/$_i/disable_ipv6"
	done
	return 0
}

snull_unload()
{
	snull_loaded || return 0
	rmmod snull
}

snull_setup_addrs()
{
	"$SNULL_SETUP" "$@" >"$TMP/setup.out" 2>&1
	_rc=$?
	if [ "$_rc" -ne 0 ]; then
		diag "snull-setup failed (exit $_rc):"
		diag <"$TMP/setup.out"
	fi
	return "$_rc"
}

# Interfaces whose driver is snull, one a line.
snull_ifaces()
{
	for _d in /sys/class/net/*; do
		_i=${_d##*/}
		ethtool -i "$_i" 2>/dev/null | grep -q '^driver: snull$' &&
			echo "$_i"
	done
}

# stat IFACE NAME: a counter of /sys/class/net/IFACE/statistics.
stat()
{
	cat "/sys/class/net/$1/statistics/$2" 2>/dev/null || echo missing
}

# estat IFACE NAME: a counter of ethtool -S IFACE. stat, estat and param
# print "missing" for what is not there; check_eq never passes on it.
estat()
{
	ethtool -S "$1" 2>/dev/null |
		awk -v n="$2:" '$1 == n { v = $2 } END { print (v == "" ? "missing" : v) }'
}

# add N...: the sum of numbers, "missing" when one is not a number, so that a
# counter the driver lacks fails its check instead of the arithmetic killing
# the script. sub A B: A - B, the same way.
add()
{
	_r=0
	for _x; do
		is_number "$_x" || { echo missing; return; }
		_r=$((_r + _x))
	done
	echo "$_r"
}

sub()
{
	if is_number "$1" && is_number "$2"; then
		echo $(($1 - $2))
	else
		echo missing
	fi
}

# param NAME: a module parameter as sysfs shows it.
param()
{
	cat "/sys/module/snull/parameters/$1" 2>/dev/null || echo missing
}

# reconcile [IF0 IF1]: every frame one side sent was received, dropped or
# found in error by the other (docs/interface.md, "Reconciliation"). Waits a
# moment for frames still in flight.
reconcile()
{
	_a=${1:-sn0}
	_b=${2:-sn1}
	sleep 1
	_reconcile_one "$_a" "$_b"
	_reconcile_one "$_b" "$_a"
}

_reconcile_one()
{
	_tx=$(stat "$1" tx_packets)
	_rx=$(stat "$2" rx_packets)
	_rd=$(stat "$2" rx_dropped)
	_re=$(stat "$2" rx_errors)
	check_eq "reconcile: $1 tx_packets == $2 rx_packets + rx_dropped + rx_errors" \
		"$_tx" "$(add "$_rx" "$_rd" "$_re")"
	[ "$_tx" = "$(add "$_rx" "$_rd" "$_re")" ] ||
		diag "$1 tx_packets $_tx; $2 rx_packets $_rx, rx_dropped $_rd, rx_errors $_re"
}

# ---- kernel log -------------------------------------------------------------

# log_mark: remember how long the kernel log is; log_since prints what came
# after the last mark (the harness checks the whole log after the test, so
# the log is never cleared here).
log_mark()
{
	_log_lines=$(dmesg | wc -l)
}

log_since()
{
	dmesg | tail -n +"$((_log_lines + 1))"
}

# ---- ping, tcpdump, iperf3 --------------------------------------------------

# ping_run FILE ARGS...: ping with output to FILE; returns ping's status.
ping_run()
{
	_f=$1
	shift
	ping "$@" >"$_f" 2>&1
}

# ping_received FILE / ping_transmitted FILE / ping_min_rtt FILE /
# ping_max_rtt FILE (ms, integer part).
# Both busybox and iputils summaries are understood.
ping_received()
{
	awk '/packets transmitted/ { print $4; found = 1 } END { if (!found) print "missing" }' "$1"
}

ping_transmitted()
{
	awk '/packets transmitted/ { print $1; found = 1 } END { if (!found) print "missing" }' "$1"
}

ping_min_rtt()
{
	awk -F' = ' '/min\/avg\/max/ { split($2, v, "/"); sub(/\..*/, "", v[1]); print v[1]; found = 1 }
		END { if (!found) print "missing" }' "$1"
}

ping_max_rtt()
{
	awk -F' = ' '/min\/avg\/max/ { split($2, v, "/"); sub(/\..*/, "", v[3]); print v[3]; found = 1 }
		END { if (!found) print "missing" }' "$1"
}

# cap_start NAME IFACE TCPDUMP-ARGS...: start tcpdump on IFACE, output to
# $TMP/NAME.cap, and wait until it listens. cap_wait NAME waits for it to end.
cap_start()
{
	_name=$1
	_if=$2
	shift 2
	: >"$TMP/$_name.err"
	timeout 60 tcpdump -Z root -l -i "$_if" "$@" \
		>"$TMP/$_name.cap" 2>"$TMP/$_name.err" &
	eval "_cap_$_name=$!"
	_bg_pids="$_bg_pids $!"
	if ! wait_for 20 grep -q 'listening on' "$TMP/$_name.err"; then
		diag "tcpdump on $_if did not start:"
		diag <"$TMP/$_name.err"
		return 1
	fi
	return 0
}

# cap_wait NAME [SECONDS]: wait until that capture has its packets (-c) or
# kill it after SECONDS (default 10).
cap_wait()
{
	eval "_p=\$_cap_$1"
	_n=$((${2:-10} * 10))
	while [ "$_n" -gt 0 ] && kill -0 "$_p" 2>/dev/null; do
		sleep 0.1
		_n=$((_n - 1))
	done
	kill "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	return 0
}

# iperf_server PORT: an iperf3 server in the background, ready on return.
iperf_server()
{
	bg iperf3 -s -p "$1" --forceflush >"$TMP/iperf-s-$1.log" 2>&1
	if ! wait_for 20 grep -q 'listening' "$TMP/iperf-s-$1.log"; then
		diag "iperf3 server on port $1 did not start:"
		diag <"$TMP/iperf-s-$1.log"
		return 1
	fi
	return 0
}

# ---- pktgen -----------------------------------------------------------------

# pktgen_load: insmod pktgen.ko once.
pktgen_load()
{
	[ -d /proc/net/pktgen ] && return 0
	insmod "$SNULL_EXTRA/pktgen.ko" 2>&1 | diag
	[ -d /proc/net/pktgen ]
}

_pg()
{
	echo "$2" 2>/dev/null >"/proc/net/pktgen/$1" || {
		diag "pktgen: '$2' > $1 failed:"
		grep -i 'result' "/proc/net/pktgen/$1" 2>/dev/null | diag
		return 1
	}
}

# pktgen_dev THREAD IFACE COUNT DST_IP DST_MAC [SIZE]: queue COUNT UDP frames
# on IFACE, sent by kpktgend_THREAD when pktgen_run is called. pktgen calls
# ndo_start_xmit directly, in bursts with BHs off: the hardest sender there is.
pktgen_dev()
{
	_pg "kpktgend_$1" "add_device $2" &&
	_pg "$2" "count $3" &&
	_pg "$2" "pkt_size ${6:-60}" &&
	_pg "$2" "delay 0" &&
	_pg "$2" "dst $4" &&
	_pg "$2" "dst_mac $5" || return 1
	_pg "$2" "burst 16" || diag "pktgen: no burst on $2, sending one at a time"
	return 0
}

pktgen_run()
{
	timeout 120 sh -c 'echo start >/proc/net/pktgen/pgctrl'
}

# pktgen_flood COUNT [SIZE]: COUNT frames each way at once, sn0 -> remote0 on
# one CPU and sn1 -> remote1 on the other. True when both runs report OK.
pktgen_flood()
{
	pktgen_load || { diag "pktgen.ko does not load"; return 1; }
	pktgen_reset
	pktgen_dev 0 sn0 "$1" 192.168.0.2 00:53:4e:55:4c:31 "$2" || return 1
	pktgen_dev 1 sn1 "$1" 192.168.1.1 00:53:4e:55:4c:30 "$2" || return 1
	pktgen_run
	_rc=0
	for _i in sn0 sn1; do
		grep -q 'Result: OK' "/proc/net/pktgen/$_i" || {
			diag "pktgen on $_i:"
			grep -E 'Result|sofar' "/proc/net/pktgen/$_i" | diag
			_rc=1
		}
	done
	pktgen_reset
	return $_rc
}

pktgen_reset()
{
	[ -d /proc/net/pktgen ] || return 0
	for _t in /proc/net/pktgen/kpktgend_*; do
		echo rem_device_all >"$_t" 2>/dev/null
	done
	return 0
}

pktgen_unload()
{
	[ -d /proc/net/pktgen ] || return 0
	pktgen_reset
	rmmod pktgen 2>/dev/null
}

# ---- cleanup ----------------------------------------------------------------

lib_cleanup()
{
	bg_kill
	pktgen_unload
	snull_unload 2>/dev/null
	rm -rf "$TMP"
}
