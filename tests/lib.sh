# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# tests/lib.sh - sourced by every tests/t_*.sh and tests/s_*.sh. Runs under
# dash with busybox applets: no bashisms, and never "timeout N sh -c": busybox
# timeout would run its own sh applet, so the shell is named as /bin/sh.
#
# TAP (kselftest style):
#   plan N                      print "1..N"
#   ok DESC / not_ok DESC       one result; the counter is kept here
#   diag TEXT...                "# TEXT" lines (stdin too when no argument)
#   check_eq DESC EXPECTED ACTUAL
#   check_gt|check_ge|check_lt|check_le DESC LIMIT ACTUAL   (numbers)
#   check_between DESC LO HI ACTUAL   LO <= ACTUAL <= HI (numbers)
#   check_cmd DESC CMD...       CMD must succeed
#   check_fail DESC CMD...      CMD must fail
#   check_grep DESC ERE FILE    a line of FILE matches ERE
#   check_refused DESC ERE CMD...   CMD fails, and a line it prints matches ERE
#   check_nogrep DESC ERE FILE  no line of FILE matches ERE
#   die TEXT                    stop: remaining planned tests become "not ok"
#   finish                      exit 0 when every planned test passed, else 1
#
# snull:
#   snull_load [PARAM=VALUE...] / snull_unload / snull_loaded
#                               (SNULL_PARAMS, from tests/run.sh, go first)
#   load_shows P=V...           snull_load, and sysfs shows every value (left
#                               loaded)
#   snull_gone                  no module, no sn* interface, no debugfs directory
#   sn_ifaces                   the sn* interfaces, "sn0 sn1 " ("" when none)
#   slab_2k                     kmalloc-2k objects in use (random caches too)
#   knob IFACE NAME VALUE       write a debugfs knob; a failure is a diag line
#                               and counts in KNOB_FAILS
#   inject IFACE KIND N         snull-ctl inject, its complaints to diag
#   realtime                    true on a PREEMPT_RT kernel
#   check_irq_context PREFIX [USE_NAPI]   irq_not_hardirq of sn0 and sn1 is 0
#                               (on PREEMPT_RT with use_napi=0: irq_handled)
#   snull_setup_addrs           /scripts/snull-setup: addresses, both up
#   both_up                     sn0 and sn1 up, with carrier
#   stat IFACE NAME             /sys/class/net/IFACE/statistics/NAME
#   snmp PROTO FIELD            a counter of /proc/net/snmp (Udp InCsumErrors)
#   features IFACE NAME...      ethtool -k values: "NAME=VALUE, NAME=VALUE"
#                               (VALUE as printed: "on", "off [fixed]"...)
#   estat IFACE NAME            one counter of ethtool -S IFACE
#   sum_estat NAME              estat of sn0 and sn1 added up
#   tx_out IFACE                tx_packets + tx_dropped: every frame xmit took
#   softnet_dropped             frames the netif_rx backlog dropped, all CPUs
#   param NAME                  /sys/module/snull/parameters/NAME
#   add N... / sub A B          arithmetic that turns a missing counter into
#                               "missing" (a failed check), not a dead script
#   ring_clean IFACE            snull-ctl ring: nothing in flight, not stalled
#   ring_field IFACE FIELD      one field of snull-ctl ring (in_flight...)
#   ring_param IFACE max|cur    the TX ring size ethtool -g shows
#   settle [IFACE...]           wait (30 s at most) until the rings are empty
#   reconcile [IF0 IF1]         settle, then: tx of each side == rx +
#                               rx_dropped + rx_errors of the other
#   peer_mac IFACE / sink_ip IFACE   where IFACE's frames go; an address in
#                               its /24 that the far stack drops unanswered
# Tools:
#   bg CMD / bg_kill / wait_for SECONDS CMD / wait_pid PID SECONDS
#   log_mark / log_since        kernel log lines since the mark
#   ping_run FILE ARGS, ping_received / ping_min_rtt / ping_max_rtt FILE
#   ping_all COUNT DST...       every ping answered (else the output in diag)
#   check_ping DESC COUNT DST   one result: COUNT pings to DST, all answered
#   check_pings [PREFIX]        check_ping 3 to remote0, then 3 to remote1
#   cap_start NAME IFACE ARGS / cap_wait NAME   tcpdump into $TMP/NAME.cap
#   iperf_server PORT
#   tcp_copy PREFIX DST PEEKIF SRC SECONDS   $TMP/data with nc to DST:$PORT
#                               ($MB MiB; the server reads the FIFO $TMP/fifo
#                               the test holds open on fd 7) while snull-ctl
#                               peek holds PEEKIF's skbs: three results
# pktgen (pktgen.ko):
#   pktgen_load / pktgen_reset / pktgen_unload
#   pktgen_flood COUNT [SIZE]   COUNT frames both ways at once, waits
#   pktgen_setup COUNT DST0 DST1 [SIZE0 [SIZE1]]   queue sn0 and sn1
#   pktgen_run [SECONDS]        start what is queued, wait until done
#   pktgen_start [SECONDS] / pktgen_stop   the same in the background ($PG);
#                               pktgen_stop leaves "sn0 sn1" frames sent in
#                               $PG_SENT, pktgen_both_sent checks both > 0
#   pktgen_sofar IFACE          frames pktgen sent on IFACE so far
#   pktgen_send IFACE COUNT [SIZE]   exactly COUNT frames, to sink_ip
# Stress scripts (tests/s_*.sh):
#   debug_kernel                true on a KASAN/lockdep/kmemleak kernel
#   set_slow                    SLOW=8 on a debug kernel (say so), else 1
#   slow_min N                  N / SLOW, at least 1
#   tick                        NOW (seconds since boot), UPTIME (fraction)
#   time_limit SECONDS / in_time   a loop bound in time (START, END, NOW)
#   rnd_seed [SEED] / rnd N     R = pseudo-random 0..N-1, from SEED
#   bounce MIN_MS STEP_MS       sn0, sn1 or both down a moment and up again
#   blast_start SECONDS DST0 DST1 / blast_stop / blast_wait / blast_report
#                               UDP floods through the stack (snull-raw blast)
#   blast_sent 0|1              datagrams the blast out of sn0|sn1 sent
#   flood_start SECONDS [SIZE0 SIZE1] / flood_stop   pktgen and UDP, both ways
#   check_flood DESC [MIN]      one result: the flood ran (pktgen and UDP sent
#                               both ways, each device took >= MIN frames)
#
# Each test sets "trap cleanup EXIT" with a cleanup() that calls lib_cleanup.

SNULL_KO=${SNULL_KO:-/lib/snull/snull.ko}
SNULL_EXTRA=${SNULL_EXTRA:-/lib/snull/extra}
SNULL_SETUP=${SNULL_SETUP:-/scripts/snull-setup}
# Parameters every snull_load passes ahead of its own (a test's own copy=...
# wins): tests/run.sh's SNULL_PARAMS, which reaches the guest in boot.conf.
SNULL_PARAMS=${SNULL_PARAMS-$(sed -n "s/^SNULL_PARAMS='\(.*\)'\$/\1/p" /etc/snull/boot.conf 2>/dev/null)}
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

# kernel_at_least MAJOR MINOR: the running kernel is MAJOR.MINOR or newer.
kernel_at_least()
{
	uname -r | awk -F'[.-]' -v a="$1" -v b="$2" \
		'{ exit !($1 > a || ($1 == a && $2 >= b)) }'
}

# skip DESC WHY: a check this kernel cannot make (TAP's SKIP directive: it
# counts as passed, and says why it was not made).
skip()
{
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
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

check_between()
{
	if ! is_number "$4" || ! is_number "$2" || ! is_number "$3"; then
		not_ok "$1"
		diag "'$4' is not a number, or the bounds '$2' '$3' are not"
	elif [ "$4" -ge "$2" ] && [ "$4" -le "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "got $4, wanted $2..$3"
	fi
}

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

# check_refused DESC ERE CMD...: one result: CMD fails, and its output (both
# streams) has a line matching ERE: the message a refusal must carry.
check_refused()
{
	_cr_desc=$1
	_cr_ere=$2
	shift 2
	if "$@" >"$TMP/refused" 2>&1; then
		not_ok "$_cr_desc ($* succeeded)"
		return
	fi
	check_grep "$_cr_desc" "$_cr_ere" "$TMP/refused"
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

# wait_pid PID SECONDS: true when the background job PID ended within
# SECONDS (and is reaped); false, with it still running, otherwise.
wait_pid()
{
	_n=$(($2 * 10))
	while kill -0 "$1" 2>/dev/null; do
		[ "$_n" -gt 0 ] || return 1
		sleep 0.1
		_n=$((_n - 1))
	done
	wait "$1" 2>/dev/null
	return 0
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
	# shellcheck disable=SC2086 # SNULL_PARAMS is a list
	if ! insmod "$SNULL_KO" $SNULL_PARAMS "$@" 2>"$TMP/insmod.err"; then
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

# snull_gone: nothing of snull is left: no module, no sn* interface, no
# debugfs directory.
snull_gone()
{
	! snull_loaded || return 1
	for _d in /sys/class/net/sn*; do
		[ ! -e "$_d" ] || return 1
	done
	[ ! -e /sys/kernel/debug/snull ]
}

# load_shows P=V...: the load works and sysfs shows every value; snull
# stays loaded.
load_shows()
{
	snull_load "$@" || { diag "insmod: $(cat "$TMP/insmod.err")"; return 1; }
	for _pv; do
		[ "$(param "${_pv%%=*}")" = "${_pv#*=}" ] ||
			{ diag "${_pv%%=*}: sysfs shows '$(param "${_pv%%=*}")'"; return 1; }
	done
}

# sn_ifaces: the sn* interfaces that exist, space-separated ("sn0 sn1 ",
# "" when none), whoever's driver they have.
sn_ifaces()
{
	for _d in /sys/class/net/sn*; do
		[ -e "$_d" ] && printf '%s ' "${_d##*/}"
	done
}

# slab_2k: kmalloc-2k objects in use, where a leaked ring buffer (1520
# bytes) stays, with the kmalloc-rnd-*-2k copies of kernels that have
# random kmalloc caches (6.6 and later). Shrinking first flushes the per-CPU
# slabs, whose objects /proc/slabinfo would otherwise count as in use, and
# (on a KASAN kernel) the cache's quarantine. "missing" without slabinfo.
slab_2k()
{
	for _s in /sys/kernel/slab/kmalloc-2k /sys/kernel/slab/kmalloc-rnd-*-2k; do
		[ -w "$_s/shrink" ] && echo 1 >"$_s/shrink"
	done
	awk '$1 ~ /^kmalloc-(rnd-[0-9]+-)?2k$/ { n += $2; f = 1 }
		END { print (f ? n : "missing") }' /proc/slabinfo 2>/dev/null ||
		echo missing
}

# knob IFACE NAME VALUE: write VALUE to /sys/kernel/debug/snull/IFACE/NAME.
# A failed write is a diag line and counts in KNOB_FAILS.
KNOB_FAILS=0
knob()
{
	echo "$3" 2>"$TMP/knob.err" >"/sys/kernel/debug/snull/$1/$2" && return 0
	KNOB_FAILS=$((KNOB_FAILS + 1))
	diag "knob $1/$2=$3 failed: $(cat "$TMP/knob.err")"
	return 1
}

# inject IFACE KIND N: N frames of KIND (snull-ctl inject); the caller
# checks their effect in the counters, the tool's complaints go to diag.
inject()
{
	snull-ctl inject "$1" "$2" "$3" >"$TMP/inject.out" 2>&1 ||
		diag "snull-ctl inject $*: $(cat "$TMP/inject.out")"
}

# realtime: a PREEMPT_RT kernel. There the use_napi=0 interrupt handler
# (which takes a spinlock and calls netif_rx()) runs in a thread, not in
# hard-IRQ context.
realtime()
{
	[ "$(cat /sys/kernel/realtime 2>/dev/null)" = 1 ]
}

# check_irq_context PREFIX [USE_NAPI]: one result per device: the
# interrupt handler ran in hard-IRQ context (irq_not_hardirq 0), except on
# PREEMPT_RT with use_napi=0 (default 1), where every run is threaded
# (irq_not_hardirq == irq_handled).
check_irq_context()
{
	for _ic in sn0 sn1; do
		if [ "${2:-1}" = 0 ] && realtime; then
			check_eq "$1$_ic: PREEMPT_RT, use_napi=0: every handler run threaded (irq_not_hardirq == irq_handled)" \
				"$(estat $_ic irq_handled)" "$(estat $_ic irq_not_hardirq)"
		else
			check_eq "$1$_ic: irq_not_hardirq is 0" 0 "$(estat $_ic irq_not_hardirq)"
		fi
	done
}

# shellcheck disable=SC2120 # the options are optional
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

# both_up: sn0 and sn1 are up, with carrier, and the stack knows it: their
# operstate is "up". The carrier bit flips at once, but the core's link
# watcher, which (re)activates the qdisc, may run up to a second later when
# the link changed shortly before; a frame sent in between is dropped.
both_up()
{
	[ "$(cat /sys/class/net/sn0/operstate 2>/dev/null)" = up ] &&
		[ "$(cat /sys/class/net/sn1/operstate 2>/dev/null)" = up ]
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

# snmp PROTO FIELD: a counter of /proc/net/snmp ("missing" without it).
snmp()
{
	awk -v p="$1:" -v f="$2" '
		$1 == p && !h { for (i = 2; i <= NF; i++) if ($i == f) c = i; h = 1; next }
		$1 == p && h { v = $c }
		END { print (c && v != "" ? v : "missing") }' /proc/net/snmp
}

# features IFACE NAME...: "NAME=VALUE" for each feature NAME of ethtool -k
# IFACE, VALUE as ethtool prints it ("on", "off [fixed]", "off [requested
# on]"; "missing" when it lists no such feature), ", "-separated.
features()
{
	_fi=$1
	shift
	ethtool -k "$_fi" >"$TMP/features" 2>&1
	_fo=
	for _fn; do
		_fo="$_fo, $_fn=$(awk -v n="$_fn:" '{ sub(/^[ \t]+/, "") }
			$1 == n { sub(/^[^:]*: /, ""); v = $0 }
			END { print (v == "" ? "missing" : v) }' "$TMP/features")"
	done
	echo "${_fo#, }"
}

# sum_estat NAME: that ethtool -S counter of sn0 and sn1 added up.
sum_estat()
{
	add "$(estat sn0 "$1")" "$(estat sn1 "$1")"
}

# tx_out IFACE: tx_packets + tx_dropped, the frames ndo_start_xmit took
# (each is sent or dropped and counted), to compare with what was sent.
tx_out()
{
	add "$(stat "$1" tx_packets)" "$(stat "$1" tx_dropped)"
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

# softnet_dropped: frames the core's netif_rx backlog dropped, all CPUs
# (the second column of /proc/net/softnet_stat, hex). The core counts them
# in the device's rx_dropped too.
softnet_dropped()
{
	_sum=0
	while read -r _a _b _rest; do
		_sum=$((_sum + 0x$_b))
	done </proc/net/softnet_stat
	echo $_sum
}

# param NAME: a module parameter as sysfs shows it.
param()
{
	cat "/sys/module/snull/parameters/$1" 2>/dev/null || echo missing
}

# ---- the TX ring -------------------------------------------------------------

# snull-ctl ring IFACE (the private ioctl) prints one line,
#   version=1 pool_size=N in_flight=N stalled=0|1
# in_flight: descriptors posted by xmit and not yet reclaimed at TX-done,
# which comes after the receiver has counted the frame; stalled: a lost
# TX-done interrupt hangs the ring until the watchdog resets it.

# ring_clean IFACE: IFACE's ring has nothing in flight and is not stalled.
ring_clean()
{
	snull-ctl ring "$1" 2>&1 | grep -q ' in_flight=0 stalled=0$'
}

# ring_field IFACE FIELD: one number of that line (in_flight, stalled...).
ring_field()
{
	snull-ctl ring "$1" 2>&1 | sed -n "s/.* $2=\\([0-9]*\\).*/\\1/p"
}

# ring_param IFACE max|cur: the TX line of ethtool -g IFACE under "Pre-set
# maximums" (max) or "Current hardware settings" (cur).
ring_param()
{
	ethtool -g "$1" 2>&1 | awk -v w="$2" '
		/^Pre-set/ { s = "max" }
		/^Current/ { s = "cur" }
		$1 == "TX:" && s == w { print $2 }'
}

# settle [IFACE...]: traffic has stopped once the rings of IFACE... (sn0
# and sn1 by default) are empty. A flood can leave thousands of frames on
# the wire, which a slow kernel takes seconds to deliver: wait up to 30 s
# for them, and say how long it took when that was more than a second.
# Where there is no ring to watch (no snull-ctl on PATH, or interfaces that
# are not snull's), wait a plain second instead. False when a ring did not
# drain; the caller's ring and counter checks then say what is wrong.
settle()
{
	[ $# -gt 0 ] || set -- sn0 sn1
	_st_ifs=
	for _st_i; do
		snull-ctl ring "$_st_i" >/dev/null 2>&1 && _st_ifs="$_st_ifs $_st_i"
	done
	if [ -z "$_st_ifs" ]; then
		sleep 1
		return 0
	fi
	_st_t=0
	while :; do
		_st_busy=
		for _st_i in $_st_ifs; do
			ring_clean "$_st_i" || { _st_busy=$_st_i; break; }
		done
		if [ -z "$_st_busy" ] || [ $_st_t -ge 300 ]; then
			break
		fi
		sleep 0.1
		_st_t=$((_st_t + 1))
	done
	if [ -n "$_st_busy" ]; then
		diag "$_st_busy: the ring did not drain in 30 s:" \
			"$(snull-ctl ring "$_st_busy" 2>&1)"
		return 1
	fi
	[ $_st_t -lt 10 ] ||
		diag "the rings took $((_st_t / 10)).$((_st_t % 10)) s to drain"
	return 0
}

# reconcile [IF0 IF1]: every frame one side sent was received, dropped or
# found in error by the other (docs/interface.md, "Reconciliation"); two
# results. Waits for the frames in flight first (settle), then a moment
# for NAPI or netif_rx delivery and the TX-done reclaim that counts them.
# shellcheck disable=SC2120 # IF0 IF1 are optional
reconcile()
{
	_a=${1:-sn0}
	_b=${2:-sn1}
	settle "$_a" "$_b"
	sleep 0.2
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

# peer_mac IFACE: the MAC address IFACE's frames go to (its peer's).
peer_mac()
{
	case $1 in
	sn0) echo 00:53:4e:55:4c:31 ;;
	*) echo 00:53:4e:55:4c:30 ;;
	esac
}

# sink_ip IFACE: .99 of IFACE's own /24. No one has it: the far stack drops
# frames to it (after the address trick) without answering, so nothing but
# what the test sends crosses.
sink_ip()
{
	case $1 in
	sn0) echo 192.168.0.99 ;;
	*) echo 192.168.1.99 ;;
	esac
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

# ping_all COUNT DST...: COUNT pings to each DST (0.2 s apart, up to 2 s for
# each reply) are all answered; the output of a ping that was not goes to
# diag.
ping_all()
{
	_pc=$1
	shift
	for _pd; do
		ping_run "$TMP/ping" -c "$_pc" -i 0.2 -W 2 "$_pd"
		[ "$(ping_received "$TMP/ping")" = "$_pc" ] || { diag <"$TMP/ping"; return 1; }
	done
}

# check_ping DESC COUNT DST: one result, DESC: COUNT pings to DST (as
# ping_all) get COUNT replies.
check_ping()
{
	ping_run "$TMP/ping" -c "$2" -i 0.2 -W 2 "$3"
	check_eq "$1" "$2" "$(ping_received "$TMP/ping")"
}

# check_pings [PREFIX]: two results, "PREFIXping 192.168.0.2: 3 replies"
# (remote0, through sn0) and the same for 192.168.1.1 (remote1, sn1).
# shellcheck disable=SC2120 # PREFIX is optional
check_pings()
{
	check_ping "${1}ping 192.168.0.2: 3 replies" 3 192.168.0.2
	check_ping "${1}ping 192.168.1.1: 3 replies" 3 192.168.1.1
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

# tcp_copy PREFIX DST PEEKIF SRC SECONDS: send $TMP/data ($MB MiB) with
# busybox nc to DST:$PORT (through the trick; a server on this host receives
# it) while snull-ctl peek holds the skbs PEEKIF sends, each side given
# SECONDS; three results: the transfer ends, the data arrive unchanged, the
# skbs PEEKIF sent still carry the addresses the stack gave them (SRC > DST,
# DST before the trick). The test makes $TMP/data and the FIFO $TMP/fifo,
# and holds the FIFO open on fd 7 (closed in its cleanup).
tcp_copy()
{
	_tp=$1
	rm -f "$TMP/rx"
	# The server's stdin is the FIFO: busybox nc ends at EOF on the
	# connection, and an EOF on its stdin would half-close the
	# connection early.
	# (Explicitly, in a shell of its own: a command that bg puts in the
	# background would get /dev/null as its stdin.)
	# shellcheck disable=SC2016 # expanded by that shell
	bg sh -c 'exec nc -l -p "$1" <"$2" >"$3" 2>"$4"' nc-server "$PORT" \
		"$TMP/fifo" "$TMP/rx" "$TMP/nc-s.err"
	_srv=$BG_PID
	wait_for 10 sh -c "ss -ltn 'sport = :$PORT' | grep -q LISTEN"
	bg snull-ctl peek "$3" "$5" >"$TMP/peek" 2>&1
	_pk=$BG_PID
	wait_for 10 grep -q ready "$TMP/peek"
	timeout "$5" nc "$2" "$PORT" <"$TMP/data" >/dev/null 2>"$TMP/nc-c.err"
	_rc=$?
	wait_pid "$_srv" 20 || { diag "the nc server did not end"; kill "$_srv"; }
	kill -USR1 "$_pk" 2>/dev/null
	wait "$_pk" 2>/dev/null
	check_eq "$_tp: TCP to $2: nc sends $MB MiB and ends" 0 "$_rc"
	[ "$_rc" -eq 0 ] || cat "$TMP/nc-c.err" "$TMP/nc-s.err" | diag
	check_cmd "$_tp: TCP to $2: the data arrive unchanged (cmp)" \
		cmp "$TMP/data" "$TMP/rx"
	[ -f "$TMP/rx" ] && diag "$_tp: received $(wc -c <"$TMP/rx") of $(wc -c <"$TMP/data") bytes"
	if grep -q "^out $4 > $2 proto 6\$" "$TMP/peek" &&
		! grep -v "^out $4 > $2 proto 6\$" "$TMP/peek" | grep -q '^out '; then
		ok "$_tp: $3's sent skbs, read after the driver ran: all $4 > $2 (no rewrite in place)"
	else
		not_ok "$_tp: $3's sent skbs, read after the driver ran: all $4 > $2 (no rewrite in place)"
		grep '^out ' "$TMP/peek" | sort | uniq -c | head -n 5 | diag
		grep -v '^out ' "$TMP/peek" | head -n 5 | diag
	fi
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

# pktgen_setup COUNT DST0 DST1 [SIZE0 [SIZE1]]: queue COUNT frames (0: no
# limit) of SIZE0 bytes (60 by default) from sn0 to DST0 on one CPU, and of
# SIZE1 (SIZE0 by default) from sn1 to DST1 on the other; pktgen_run or
# pktgen_start sends them.
pktgen_setup()
{
	pktgen_reset
	pktgen_dev 0 sn0 "$1" "$2" "$(peer_mac sn0)" "$4" &&
		pktgen_dev 1 sn1 "$1" "$3" "$(peer_mac sn1)" "${5:-$4}"
}

# pktgen_run [SECONDS]: send what is queued; returns when it is sent, or
# after SECONDS (120 by default).
# shellcheck disable=SC2120 # SECONDS is optional
pktgen_run()
{
	timeout "${1:-120}" /bin/sh -c 'echo start >/proc/net/pktgen/pgctrl'
}

# pktgen_flood COUNT [SIZE]: COUNT frames each way at once, sn0 -> remote0 on
# one CPU and sn1 -> remote1 on the other. True when both runs report OK.
pktgen_flood()
{
	pktgen_load || { diag "pktgen.ko does not load"; return 1; }
	pktgen_setup "$1" 192.168.0.2 192.168.1.1 "$2" || return 1
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

# pktgen_start [SECONDS]: pktgen_run in the background, $PG its pid (that
# of timeout itself, not of a subshell, so that kill reaches it), unless a
# run started so is still going (pktgen stops a device whose carrier goes:
# call it again after an up). At most SECONDS (300 by default).
PG=
# shellcheck disable=SC2120 # SECONDS is optional
pktgen_start()
{
	[ -n "$PG" ] && kill -0 "$PG" 2>/dev/null && return 0
	[ -z "$PG" ] || { wait "$PG" 2>/dev/null; _pg_account; }
	bg timeout "${1:-300}" /bin/sh -c 'echo start >/proc/net/pktgen/pgctrl'
	PG=$BG_PID
}

# pktgen_stop: stop the run of pktgen_start. A "stop" that comes while the
# "start" still propagates to the threads finds nothing running, and the
# devices start afterwards (with no count limit, for good): say it again,
# every 0.5 s for 20 s at most, until the "start" returns. Leaves the frames
# sent so far in PG_SENT ("sn0 sn1"); the devices stay queued.
PG_SENT="0 0"
pktgen_stop()
{
	_i=0
	while [ -n "$PG" ] && kill -0 "$PG" 2>/dev/null && [ $_i -lt 40 ]; do
		echo stop >/proc/net/pktgen/pgctrl 2>/dev/null
		sleep 0.5
		_i=$((_i + 1))
	done
	[ -z "$PG" ] || kill "$PG" 2>/dev/null
	[ -z "$PG" ] || wait "$PG" 2>/dev/null
	[ -z "$PG" ] || _pg_account
	PG=
	PG_SENT="$(pktgen_sofar sn0) $(pktgen_sofar sn1)"
}

# _pg_account: add what the run of pktgen_start that just ended sent to
# PG_TOTAL ("sn0 sn1", zeroed by flood_mark). A test that restarts pktgen
# after each up (it stops when carrier goes) may stop the flood just as a
# run starts, with nothing sent by that last run: PG_TOTAL counts them all.
PG_TOTAL="0 0"
_pg_account()
{
	# shellcheck disable=SC2086 # two numbers
	set -- $PG_TOTAL
	_pa=$(pktgen_sofar sn0)
	_pb=$(pktgen_sofar sn1)
	is_number "$_pa" || _pa=0
	is_number "$_pb" || _pb=0
	PG_TOTAL="$(($1 + _pa)) $(($2 + _pb))"
}

# pktgen_sofar IFACE: frames pktgen has sent on IFACE in its current run.
pktgen_sofar()
{
	[ -r "/proc/net/pktgen/$1" ] || { echo missing; return; }
	awk '/pkts-sofar:/ { print $2; f = 1 } END { if (!f) print "missing" }' \
		"/proc/net/pktgen/$1" 2>/dev/null
}

# pktgen_both_sent: PG_SENT says frames went out of both devices.
pktgen_both_sent()
{
	# shellcheck disable=SC2086 # two numbers
	set -- $PG_SENT
	is_number "$1" && is_number "$2" && [ "$1" -gt 0 ] && [ "$2" -gt 0 ]
}

# pktgen_send IFACE COUNT [SIZE]: exactly COUNT frames of SIZE bytes (60 by
# default) on IFACE to sink_ip, one per call of ndo_start_xmit (burst 1),
# and return once they are sent.
pktgen_send()
{
	pktgen_reset
	pktgen_dev 0 "$1" "$2" "$(sink_ip "$1")" "$(peer_mac "$1")" "$3" >/dev/null &&
		echo "burst 1" >"/proc/net/pktgen/$1" &&
		pktgen_run
	_rc=$?
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

# ---- stress scripts -----------------------------------------------------------

# debug_kernel: this kernel has kmemleak or lockdep (tests/vm/debug.config),
# and runs 3 to 10 times slower than Debian's.
debug_kernel()
{
	[ -e /sys/kernel/debug/kmemleak ] || [ -e /proc/lockdep ]
}

# set_slow: SLOW=8 on a debug kernel (KASAN, lockdep, kmemleak), else 1.
# Such a kernel runs 3-10 times slower (a load/unload cycle about 8 times,
# measured on 2026-11-22) and gets through less in the same time limit.
# Bounded loops take their minimums from slow_min; a diag line says so.
set_slow()
{
	SLOW=1
	! debug_kernel || SLOW=8
	[ $SLOW -eq 1 ] || diag "a debug kernel: the minimums are divided by $SLOW"
}

# slow_min N: N divided by SLOW, but never below 1, so that a minimum still
# asks for the loop to have run.
slow_min()
{
	_m=$(($1 / ${SLOW:-1}))
	[ $_m -ge 1 ] || _m=1
	echo $_m
}

# tick: NOW = whole seconds since boot, UPTIME = the same with its fraction
# (for awk), without a fork.
# shellcheck disable=SC2034 # NOW is for the caller
tick()
{
	read -r UPTIME _tick_idle </proc/uptime
	NOW=${UPTIME%.*}
}

# time_limit SECONDS / in_time: bound a loop in time, as in
#   time_limit $LIMIT
#   while [ $n -lt $MAX ] && in_time; do ...; done
# time_limit starts the clock (START = NOW, END = NOW + SECONDS); in_time
# ticks and is true until END. The loop took $((NOW - START)) seconds.
# shellcheck disable=SC2034 # START is for the caller
time_limit()
{
	tick
	START=$NOW
	END=$((NOW + $1))
}

in_time()
{
	tick
	[ "$NOW" -lt "$END" ]
}

# rnd_seed [SEED]: seed rnd with SEED, or a fresh random one; SEED is set
# either way (print it, to replay a run). rnd N: R = a pseudo-random number
# in 0..N-1 (dash has no $RANDOM), seeding first if need be.
# shellcheck disable=SC2120 # SEED is optional
rnd_seed()
{
	SEED=${1:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	_rs=$SEED
}

# shellcheck disable=SC2034 # R is for the caller
rnd()
{
	[ -n "${_rs:-}" ] || rnd_seed
	_rs=$(((_rs * 1103515245 + 12345) % 2147483648))
	R=$(((_rs / 65536) % $1))
}

# bounce MIN_MS STEP_MS: take sn0 (2 times in 5), sn1 (2 in 5) or both down
# (rnd), for MIN_MS + 0..3 STEP_MS milliseconds, and up again; then restart
# pktgen_start's run (pktgen stops on a device whose carrier goes). A failed
# "ip link set" counts in BOUNCE_FAILS, its message in $TMP/ip.err.
BOUNCE_FAILS=0
bounce()
{
	rnd 5
	case $R in
	0|1) _bn_devs=sn0 ;;
	2|3) _bn_devs=sn1 ;;
	*) _bn_devs="sn0 sn1" ;;
	esac
	_bounce_set down
	rnd 4
	_bn_ms=$(($1 + R * $2))
	[ $_bn_ms -eq 0 ] || usleep $((_bn_ms * 1000))
	_bounce_set up
	pktgen_start
}

_bounce_set()
{
	for _bn_d in $_bn_devs; do
		ip link set "$_bn_d" "$1" 2>>"$TMP/ip.err" ||
			BOUNCE_FAILS=$((BOUNCE_FAILS + 1))
	done
}

# blast_start SECONDS DST0 DST1: UDP datagrams of 0..1472 bytes through the
# stack (snull-raw blast), as fast as they go, for SECONDS: to DST0 out of
# sn0 and to DST1 out of sn1, in the background. Each prints its "sent N
# failed F" to $TMP/blast0 or $TMP/blast1 when it ends. blast_stop ends them
# now, blast_wait lets them run out; blast_report: both summaries in a line.
blast_start()
{
	bg snull-raw blast "$2" "$1" 0 1472 >"$TMP/blast0" 2>&1
	_blast0=$BG_PID
	bg snull-raw blast "$3" "$1" 0 1472 >"$TMP/blast1" 2>&1
	_blast1=$BG_PID
}

blast_stop()
{
	[ -z "${_blast0:-}" ] || kill "$_blast0" "$_blast1" 2>/dev/null
	blast_wait
}

blast_wait()
{
	[ -z "${_blast0:-}" ] || wait "$_blast0" "$_blast1" 2>/dev/null
	_blast0=
	_blast1=
}

blast_report()
{
	echo "UDP sn0->sn1: $(cat "$TMP/blast0" 2>/dev/null);" \
		"sn1->sn0: $(cat "$TMP/blast1" 2>/dev/null)"
}

# blast_sent 0|1: the datagrams the ended blast out of sn0|sn1 sent
# ("missing" when it printed no summary).
blast_sent()
{
	sed -n 's/^sent \([0-9]*\) failed [0-9]*$/\1/p' "$TMP/blast$1" 2>/dev/null |
		awk '{ v = $1 } END { print (v == "" ? "missing" : v) }'
}

# flood_start SECONDS [SIZE0 SIZE1]: both directions flooded until
# flood_stop: pktgen with no count limit (SIZE0-byte frames from sn0 to
# remote0 and SIZE1-byte frames from sn1 to sink_ip, 60 bytes by default),
# and UDP through the stack for SECONDS at most (sn0 to sink_ip, sn1 to
# remote1). Each direction carries one flood the far stack takes in and one
# it drops unanswered. flood_stop: stop both (PG_SENT, blast_report), UDP
# first, so that what the qdisc still holds drains while pktgen stops.
# False (and FLOOD_SETUP=failed) when pktgen could not be set up: the
# caller's check_flood then fails.
FLOOD_SETUP=
flood_start()
{
	flood_mark
	blast_start "$1" "$(sink_ip sn0)" 192.168.1.1
	if ! pktgen_setup 0 192.168.0.2 "$(sink_ip sn1)" "${2:-60}" "${3:-60}"; then
		diag "pktgen setup failed"
		FLOOD_SETUP=failed
		return 1
	fi
	pktgen_start
}

flood_stop()
{
	blast_stop
	pktgen_stop
	pktgen_reset
}

# flood_mark: what sn0 and sn1 took so far (tx_out); check_flood counts
# from here. flood_start calls it, and so may a caller whose flood is its
# own (then PG_SENT and the blasts are its own too).
flood_mark()
{
	FLOOD_SETUP=
	PG_TOTAL="0 0"
	_fl_tx0=$(tx_out sn0)
	_fl_tx1=$(tx_out sn1)
}

# check_flood DESC [MIN]: one result, DESC: the flood since flood_mark
# happened: pktgen was set up and sent frames out of both devices
# (PG_TOTAL, over all its runs), each UDP blast sent at least one datagram, and each device's
# ndo_start_xmit took at least MIN frames (tx_out; default 1000, divided by
# SLOW on a debug kernel). A stress test whose load never ran proves
# nothing, so its other results only count with this one.
check_flood()
{
	_fl_desc=$1
	_fl_min=${2:-$(slow_min 1000)}
	_fl_d0=$(sub "$(tx_out sn0)" "$_fl_tx0")
	_fl_d1=$(sub "$(tx_out sn1)" "$_fl_tx1")
	_fl_why=
	[ -z "$FLOOD_SETUP" ] || _fl_why="pktgen setup failed; "
	# shellcheck disable=SC2086 # two numbers
	set -- $PG_TOTAL
	[ "$1" -gt 0 ] && [ "$2" -gt 0 ] ||
		_fl_why="${_fl_why}pktgen sent $PG_TOTAL in all its runs; "
	for _fl_i in 0 1; do
		_fl_b=$(blast_sent $_fl_i)
		is_number "$_fl_b" && [ "$_fl_b" -gt 0 ] ||
			_fl_why="${_fl_why}UDP out of sn$_fl_i sent '$_fl_b'; "
	done
	for _fl_i in "sn0 $_fl_d0" "sn1 $_fl_d1"; do
		# shellcheck disable=SC2086 # a name and a number
		set -- $_fl_i
		is_number "$2" && [ "$2" -ge "$_fl_min" ] ||
			_fl_why="${_fl_why}$1 took $2 frames (< $_fl_min); "
	done
	diag "flood: pktgen sent $PG_TOTAL (all runs since flood_mark), UDP sent" \
		"$(blast_sent 0) $(blast_sent 1); sn0 took $_fl_d0 frames, sn1 $_fl_d1"
	if [ -z "$_fl_why" ]; then
		ok "$_fl_desc"
	else
		not_ok "$_fl_desc"
		diag "${_fl_why% }"
	fi
}

# ---- cleanup ----------------------------------------------------------------

lib_cleanup()
{
	bg_kill
	pktgen_unload
	snull_unload 2>/dev/null
	rm -rf "$TMP"
}
