#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# bench/guest.sh - the benchmark's guest half, run by tests/vm/init in the
# VM that `tests/run.sh --bench` boots (bench/bench.sh drives it). Runs
# under dash with busybox applets and the real iproute2, iperf3, sockperf
# (and perf with PROFILE=1).
#
# Settings from /etc/snull/boot.conf (tests/run.sh's bench_conf):
#   SNULL_BENCH_ROUNDS   rounds of every case (each subject once a round)
#   SNULL_BENCH_QUICK    1: short runs, no 1000-pair scaling step
#   SNULL_BENCH_PROFILE  1: perf record -a -g during snull's l2drop, udp and
#                        tcp1, and the top 25 symbols of each
#   SNULL_BENCH_PARMS    the parameters modinfo lists for this snull.ko
#   SNULL_BENCH_VM       the VM's shape, for the record
#
# Output, for bench/bench.sh, a line each (anything else is for people):
#   BENCH info KEY VALUE...
#   BENCH raw ROUND CASE SUBJECT FIGURE|null   one figure of one run
#   BENCH why ROUND CASE SUBJECT TEXT          why a figure is null
#   BENCH scale SUBJECT PAIRS CREATE_US DELETE_US SLAB_KB   each per pair,
#                                   or "null null null" when not measured
#   BENCH prof CASE idle PCT SYMBOLS...        the idle loop's share
#   BENCH prof CASE PCT BUSY_PCT [k] SYMBOL    one of the top 25 others
# Subjects: snull (default parameters), copy (snull copy=1), veth (the peer
# in network namespace "peer"), dummy (only for l2drop: it frees every
# frame in xmit). Cases: l2drop (pktgen, a MAC nobody has), udp (pktgen,
# the receiver's own IP and MAC, an unbound port), tcp1 and tcp4 (iperf3,
# one and four streams), rr (sockperf UDP ping-pong).

# shellcheck source=/dev/null
. /etc/snull/boot.conf
ROUNDS=${SNULL_BENCH_ROUNDS:-5}
QUICK=${SNULL_BENCH_QUICK:-0}
PROFILE=${SNULL_BENCH_PROFILE:-0}
PARMS=" ${SNULL_BENCH_PARMS:-} "
EXTRA=/lib/snull/extra
KO=/lib/snull/snull.ko
DATE=/bench/bin/date
# Seconds each run of a case sends for: pktgen, iperf3 -t, sockperf -t.
DUR=4
[ "$QUICK" != 1 ] || DUR=2
CASES="l2drop udp tcp1 tcp4 rr"
SUBJECTS="snull copy veth dummy"
# A MAC no interface has: l2drop's frames are for nobody.
NOBODY_MAC=02:00:00:00:00:01
IPERF_PORT=5201
# The idle loop, as perf names it.
IDLE_SYMS='^(native_safe_halt|default_idle|default_idle_call|arch_cpu_idle|do_idle|cpu_idle_poll|cpuidle_enter_state|acpi_idle_do_entry|acpi_safe_halt|poll_idle|mwait_idle_with_hints|intel_idle)$'
RR_PORT=11111

say() { echo "# $*"; }
emit() { echo "BENCH $*"; }

ns_now() { "$DATE" +%s%N; }

# in_rx CMD...: CMD in the receiver's network namespace (RXNS; "" is the
# root one).
in_rx()
{
	if [ -n "$RXNS" ]; then
		ip netns exec "$RXNS" "$@"
	else
		"$@"
	fi
}

# exec_rx CMD...: become CMD in the receiver's namespace (for a server in a
# background subshell, so that $! is the server's pid).
exec_rx()
{
	if [ -n "$RXNS" ]; then
		exec ip netns exec "$RXNS" "$@"
	else
		exec "$@"
	fi
}

# The receiver's rx_packets and the sender's tx_packets.
rx_count() { in_rx cat "/sys/class/net/$RX/statistics/rx_packets" 2>/dev/null || echo 0; }
tx_count() { cat "/sys/class/net/$TX/statistics/tx_packets" 2>/dev/null || echo 0; }

# udp_noports: the receiver's namespace's Udp NoPorts (/proc/net/snmp).
udp_noports()
{
	in_rx cat /proc/net/snmp | awk '
		$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) if ($i == "NoPorts") c = i; h = 1; next }
		$1 == "Udp:" && h { print $c + 0; f = 1 }
		END { if (!f) print 0 }'
}

# wait_carrier DEV...: up to 10 s for each to have carrier.
wait_carrier()
{
	for _d; do
		_i=0
		while [ "$(in_any cat "/sys/class/net/$_d/carrier" 2>/dev/null)" != 1 ] &&
			[ $_i -lt 100 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
	done
}

# in_any CMD: in the root namespace, or the receiver's when the root one
# lacks the device CMD reads.
in_any()
{
	"$@" 2>/dev/null || in_rx "$@"
}

# ---- subjects ----------------------------------------------------------------

# Each setup sets TX (the sender), RX and RXNS (the receiver, its
# namespace), DST_IP and DST_MAC (where udp, tcp and rr send), SRC_IP (the
# sender's own), SRV_IP (what the servers bind, in RXNS); fails when the
# subject cannot be set up.
BG=
setup_snull()
{
	insmod "$KO" "$@" 2>/tmp/insmod.err || { cat /tmp/insmod.err; return 1; }
	ip addr add 192.168.0.1/24 dev sn0 &&
		ip addr add 192.168.1.2/24 dev sn1 &&
		ip link set sn0 up &&
		ip link set sn1 up || return 1
	TX=sn0 RX=sn1 RXNS=
	SRC_IP=192.168.0.1 DST_IP=192.168.0.2 SRV_IP=192.168.1.2
	DST_MAC=$(cat /sys/class/net/sn1/address)
	wait_carrier sn0 sn1
}

setup_veth()
{
	grep -q '^veth ' /proc/modules || insmod "$EXTRA/veth.ko" || return 1
	ip netns add peer &&
		ip link add vb0 type veth peer name vb1 netns peer &&
		ip addr add 10.9.0.1/24 dev vb0 &&
		ip -n peer addr add 10.9.0.2/24 dev vb1 &&
		ip -n peer link set lo up &&
		ip -n peer link set vb1 up &&
		ip link set vb0 up || return 1
	TX=vb0 RX=vb1 RXNS=peer
	SRC_IP=10.9.0.1 DST_IP=10.9.0.2 SRV_IP=10.9.0.2
	DST_MAC=$(in_rx cat /sys/class/net/vb1/address)
	wait_carrier vb0 vb1
}

setup_dummy()
{
	grep -q '^dummy ' /proc/modules || insmod "$EXTRA/dummy.ko" numdummies=0 || return 1
	ip link add dummy0 type dummy && ip link set dummy0 up || return 1
	TX=dummy0 RX=dummy0 RXNS=
	SRC_IP='' DST_IP='' SRV_IP='' DST_MAC=''
}

# setup SUBJECT: set it up, with the servers of its cases in the receiver's
# namespace; teardown SUBJECT undoes it.
setup()
{
	case $1 in
	snull) setup_snull ;;
	copy) setup_snull copy=1 ;;
	veth) setup_veth ;;
	dummy) setup_dummy; return ;;
	esac || return 1
	: >/tmp/iperf-s.log
	(exec_rx iperf3 -s -B "$SRV_IP" -p $IPERF_PORT --forceflush) >/tmp/iperf-s.log 2>&1 &
	BG="$BG $!"
	(exec_rx sockperf sr -i "$SRV_IP" -p $RR_PORT) >/tmp/sockperf-s.log 2>&1 &
	BG="$BG $!"
	_i=0
	while ! grep -q listening /tmp/iperf-s.log 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.5
	return 0
}

teardown()
{
	pg_reset
	for _p in $BG; do
		kill "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	BG=
	case $1 in
	snull|copy) rmmod snull ;;
	veth) ip netns del peer ;;
	dummy) ip link del dummy0 ;;
	esac
}

# ---- pktgen ------------------------------------------------------------------

pg_set()
{
	echo "$2" 2>/dev/null >"/proc/net/pktgen/$1" || {
		say "pktgen: '$2' > $1 failed"
		return 1
	}
}

pg_reset()
{
	[ -d /proc/net/pktgen ] || return 0
	for _t in /proc/net/pktgen/kpktgend_*; do
		echo rem_device_all >"$_t" 2>/dev/null
	done
	return 0
}

# pktgen_pps DST_IP DST_MAC: 60-byte UDP frames out of TX for DUR seconds
# from kpktgend_0 (count 0, stopped after DUR), one fresh skb each, one a
# call of ndo_start_xmit (burst 1, clone_skb 0: the defaults; veth takes no
# more), the same for every subject. Prints the pps pktgen reports, or
# nothing.
pktgen_pps()
{
	[ -d /proc/net/pktgen ] || insmod "$EXTRA/pktgen.ko" || return 1
	pg_reset
	pg_set kpktgend_0 "add_device $TX" &&
		pg_set "$TX" "count 0" &&
		pg_set "$TX" "pkt_size 60" &&
		pg_set "$TX" "delay 0" &&
		pg_set "$TX" "dst $1" &&
		pg_set "$TX" "dst_mac $2" || return 1
	echo start >/proc/net/pktgen/pgctrl &
	_pg=$!
	sleep "$DUR"
	# A stop that comes while the start still reaches the threads finds
	# nothing running (tests/lib.sh's pktgen_stop): say it until the start
	# returns.
	_i=0
	while kill -0 "$_pg" 2>/dev/null && [ $_i -lt 40 ]; do
		echo stop >/proc/net/pktgen/pgctrl 2>/dev/null
		sleep 0.25
		_i=$((_i + 1))
	done
	kill "$_pg" 2>/dev/null
	wait "$_pg" 2>/dev/null
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+pps$/) { sub(/pps/, "", $i); print $i; exit } }' \
		"/proc/net/pktgen/$TX"
	pg_reset
}

# ---- the cases ---------------------------------------------------------------

# run_case CASE: FIG = its figure for the subject set up, or "null" with
# the reason in WHY. A figure counts only when the frames went where the
# case says (the receiver's counters moved).
run_case()
{
	FIG=null WHY=
	_rx0=$(rx_count) _tx0=$(tx_count)
	case $1 in
	l2drop)
		_v=$(pktgen_pps 192.168.77.1 "$NOBODY_MAC")
		_d=$(($(tx_count) - _tx0))
		[ "$_d" -gt 0 ] || WHY="$TX's tx_packets did not move"
		;;
	udp)
		_u0=$(udp_noports)
		_v=$(pktgen_pps "$DST_IP" "$DST_MAC")
		_d=$(($(udp_noports) - _u0))
		[ "$_d" -gt 0 ] || WHY="no datagram reached UDP on $RX (Udp NoPorts +0)"
		;;
	tcp1|tcp4)
		_n=1
		[ "$1" = tcp1 ] || _n=4
		timeout $((DUR + 20)) iperf3 -c "$DST_IP" -B "$SRC_IP" -p $IPERF_PORT \
			-t "$DUR" -P $_n -f m >/tmp/iperf-c.log 2>&1
		_v=$(awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) }
			END { print v }' /tmp/iperf-c.log)
		[ -n "$_v" ] || WHY="iperf3: $(tail -n 1 /tmp/iperf-c.log)"
		;;
	rr)
		timeout $((DUR + 20)) sockperf pp -i "$DST_IP" -p $RR_PORT \
			--client_ip "$SRC_IP" -t "$DUR" >/tmp/sockperf-c.log 2>&1
		_v=$(awk '/\[Valid Duration\]/ {
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^RunTime=/) { t = $i; sub(/RunTime=/, "", t) }
					if ($i ~ /^ReceivedMessages=/) { r = $i; sub(/ReceivedMessages=/, "", r) }
				}
				if (t > 0 && r > 0) printf "%d\n", r / t
			}' /tmp/sockperf-c.log)
		[ -n "$_v" ] || WHY="sockperf: $(grep -v '^ *$' /tmp/sockperf-c.log | tail -n 1)"
		;;
	esac
	if [ "$1" != l2drop ] && [ $(($(rx_count) - _rx0)) -le 0 ]; then
		WHY="${WHY:+$WHY; }$RX's rx_packets did not move"
	fi
	case $_v in
	''|*[!0-9.]*) WHY=${WHY:-"no figure (pktgen: $(grep -m1 Result "/proc/net/pktgen/$TX" 2>/dev/null))"} ;;
	*) [ -n "$WHY" ] || FIG=$_v ;;
	esac
}

subject_cases()
{
	case $1 in
	dummy) echo l2drop ;;
	*) echo "$CASES" ;;
	esac
}

# ---- cost as work grows --------------------------------------------------------

slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }

# scale_pairs KIND N: N pairs of KIND (veth or snull) made and deleted with
# ip -batch, in the root namespace, as a user would; time and slab memory
# per pair. snull is loaded with pairs=0 for it (when this snull.ko has
# the parameter: issue #12), so that only ip link's pairs count.
scale_pairs()
{
	if [ "$1" = snull ]; then
		case $PARMS in
		*" pairs "*) ;;
		*)
			say "snull x$2: n/a (needs the pairs= parameter, issue #12)"
			emit scale snull "$2" null null null
			return
			;;
		esac
		insmod "$KO" pairs=0 2>/tmp/scale.err || { emit scale snull "$2" null null null; return; }
	fi
	awk -v n="$2" -v k="$1" 'BEGIN { for (i = 0; i < n; i++) printf "link add name sa%d type %s%s\n", i, k, (k == "veth" ? " peer name sb" i : "") }' \
		>/tmp/add.batch
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "link del sa%d\n", i }' >/tmp/del.batch
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	_s0=$(slab_kb)
	_t0=$(ns_now)
	ip -batch /tmp/add.batch >/tmp/scale.err 2>&1
	_t1=$(ns_now)
	_s1=$(slab_kb)
	_made=$(ip -o link show type "$1" | wc -l)
	_t2=$(ns_now)
	ip -batch /tmp/del.batch >>/tmp/scale.err 2>&1
	_t3=$(ns_now)
	_left=$(ip -o link show type "$1" | wc -l)
	[ "$1" != snull ] || rmmod snull 2>>/tmp/scale.err
	if [ "$_made" -ne $(($2 * 2)) ] || [ "$_left" -ne 0 ]; then
		say "$1 x$2: made $_made interfaces (want $(($2 * 2))), $_left left after deleting"
		head -n 5 /tmp/scale.err
		emit scale "$1" "$2" null null null
		return
	fi
	emit scale "$1" "$2" "$(awk -v a="$_t0" -v b="$_t1" -v n="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 / n }')" \
		"$(awk -v a="$_t2" -v b="$_t3" -v n="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 / n }')" \
		"$(awk -v a="$_s0" -v b="$_s1" -v n="$2" 'BEGIN { printf "%.1f", (b - a) / n }')"
}

# ---- profiling -----------------------------------------------------------------

# profile CASE: snull (default parameters) runs CASE once more under
# perf record -a -g (cpu-clock: TCG has no PMU); the top 25 symbols.
profile()
{
	if ! setup snull; then
		say "profile $1: snull does not set up"
		teardown snull
		return
	fi
	perf record -a -g -e cpu-clock -F 999 -N -q -o "/tmp/perf-$1.data" \
		-- sleep $((DUR + 2)) >/tmp/perf-rec.log 2>&1 &
	_perf=$!
	sleep 0.5
	run_case "$1"
	wait "$_perf"
	say "profile $1: snull's figure under perf: $FIG${WHY:+ ($WHY)}; its counters that moved:"
	for _d in sn0 sn1; do
		ethtool -S "$_d" 2>/dev/null | awk -v d="$_d" '$2 ~ /^[0-9]+$/ && $2 != 0 { printf "#   %s %s %s\n", d, $1, $2 }'
	done
	# The idle loop's share first (the other vCPU idles while pktgen's
	# thread is busy), then the top 25 other symbols: their share of all
	# samples and of the busy ones.
	perf report -i "/tmp/perf-$1.data" --no-children --sort sym -g none --stdio \
		2>/tmp/perf-rep.err | grep -v '^#' | grep -v '^ *$' |
		awk -v idle_re="$IDLE_SYMS" '
		$1 !~ /%$/ { next }
		{ p = $1; sub(/%/, "", p); n++; pct[n] = p + 0; sym[n] = $3; kind[n] = $2 }
		sym[n] ~ idle_re { idle += p; idles = idles " " sym[n] }
		END {
			if (!n) exit
			printf "idle %.2f%%%s\n", idle, idles
			for (i = 1; i <= n && k < 25; i++) {
				if (sym[i] ~ idle_re) continue
				k++
				printf "%.2f%% %.2f%% %s %s\n", pct[i], idle < 100 ? pct[i] * 100 / (100 - idle) : 0, kind[i], sym[i]
			}
		}' >/tmp/perf-top
	if [ -s /tmp/perf-top ]; then
		sed "s/^/BENCH prof $1 /" /tmp/perf-top
	else
		emit prof "$1" "(no samples: $(tail -n 3 /tmp/perf-rec.log /tmp/perf-rep.err | tr '\n' ' '))"
	fi
	rm -f "/tmp/perf-$1.data"
	teardown snull
}

# ---- main ----------------------------------------------------------------------

emit info kernel "$(uname -r)"
emit info vm "$SNULL_BENCH_VM"
emit info cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
emit info nproc "$(nproc)"
emit info rounds "$ROUNDS"
emit info duration_s "$DUR"
emit info snull_parms "$SNULL_BENCH_PARMS"
case $PARMS in
*" copy "*) emit info copy_param yes ;;
*) emit info copy_param no ;;
esac

# round R SUBJECT: every case of SUBJECT once; round 0 is the warm-up,
# whose figures are not recorded.
round()
{
	if ! setup "$2" >/tmp/setup.log 2>&1; then
		say "round $1: $2 does not set up: $(tail -n 2 /tmp/setup.log | tr '\n' ' ')"
		for c in $(subject_cases "$2"); do
			[ "$1" -eq 0 ] && continue
			emit raw "$1" "$c" "$2" null
			emit why "$1" "$c" "$2" "$2 does not set up: $(tail -n 1 /tmp/setup.log)"
		done
		teardown "$2" >/dev/null 2>&1
		return
	fi
	for c in $(subject_cases "$2"); do
		run_case "$c"
		if [ "$1" -gt 0 ]; then
			emit raw "$1" "$c" "$2" "$FIG"
			[ -z "$WHY" ] || emit why "$1" "$c" "$2" "$WHY"
		fi
		say "round $1: $c $2: $FIG${WHY:+ ($WHY)}"
	done
	teardown "$2" >/tmp/teardown.log 2>&1 || cat /tmp/teardown.log
}

# The warm-up: TCG translates guest code the first time it runs, and the
# first run of a case after the boot measured a tenth of the later ones
# (l2drop, snull, 2026-12-02). One short run of everything, not recorded;
# QUICK=1 (a check that every case gives figures) has no time for it.
if [ "$QUICK" != 1 ]; then
	start=$(ns_now)
	dur=$DUR
	DUR=1
	for s in $SUBJECTS; do
		round 0 "$s"
	done
	DUR=$dur
	say "the warm-up (round 0, not recorded) took $((($(ns_now) - start) / 1000000000)) s"
fi

start=$(ns_now)
r=1
while [ $r -le "$ROUNDS" ]; do
	for s in $SUBJECTS; do
		round "$r" "$s"
	done
	r=$((r + 1))
done
say "rounds took $((($(ns_now) - start) / 1000000000)) s"

start=$(ns_now)
grep -q '^veth ' /proc/modules || insmod "$EXTRA/veth.ko"
PAIRS="1 100 1000"
[ "$QUICK" != 1 ] || PAIRS="1 100"
for n in $PAIRS; do
	scale_pairs veth "$n"
	scale_pairs snull "$n"
done
say "scaling took $((($(ns_now) - start) / 1000000000)) s"

if [ "$PROFILE" = 1 ]; then
	sysctl -qw kernel.kptr_restrict=0 kernel.perf_event_paranoid=-1 2>/dev/null ||
		{ echo 0 >/proc/sys/kernel/kptr_restrict; echo -1 >/proc/sys/kernel/perf_event_paranoid; }
	for c in l2drop udp tcp1; do
		profile "$c"
	done
fi
pg_reset
grep -q '^pktgen ' /proc/modules && rmmod pktgen
emit info finished yes
exit 0
