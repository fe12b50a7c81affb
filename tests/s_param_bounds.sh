#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 42
# snull-debug-cost: 263
# snull-boot: watchdog
# snull-allow-log: NETDEV WATCHDOG
#
# Module parameters at and past their bounds (docs/interface.md), alone and
# in combination, further than t_params: every value at a bound loads and
# carries traffic (pings both ways, a pktgen flood whose counters reconcile,
# NAPI never receiving more than napi_weight in one poll); every value just
# past a bound fails with EINVAL and a log line naming that parameter, and
# no other; nothing stays behind after a failed load.
#
# timeout=10 under a flood may let the watchdog fire on a slow machine
# (the queue can stay stopped 10 ms): that is allowed, so this script boots
# without panic_on_warn, and the time-outs are reported.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

GOOD="pool_size=1
pool_size=4096
lockup=0
lockup=1000000
timeout=10
timeout=60000
use_napi=0
use_napi=1
napi_weight=1
napi_weight=64
inject_load_fault=0
pool_size=1,use_napi=0,napi_weight=1
pool_size=1,use_napi=1,napi_weight=1
pool_size=4096,use_napi=0,napi_weight=64,timeout=60000,lockup=1000000
pool_size=4096,use_napi=1,napi_weight=1,timeout=10
pool_size=1,lockup=1000000,timeout=10,use_napi=0,napi_weight=64,inject_load_fault=0"

# PARAMS|names the log must give|error text
BAD="pool_size=0|pool_size|Invalid argument
pool_size=4097|pool_size|Invalid argument
lockup=-1|lockup|Invalid argument
lockup=1000001|lockup|Invalid argument
timeout=9|timeout|Invalid argument
timeout=60001|timeout|Invalid argument
use_napi=-1|use_napi|Invalid argument
use_napi=2|use_napi|Invalid argument
napi_weight=0|napi_weight|Invalid argument
napi_weight=65|napi_weight|Invalid argument
inject_load_fault=-1|inject_load_fault|Invalid argument
inject_load_fault=5|inject_load_fault|Invalid argument
pool_size=1,use_napi=0,napi_weight=65|napi_weight|Invalid argument
pool_size=0,timeout=9,napi_weight=65|pool_size timeout napi_weight|Invalid argument
use_napi=0,napi_weight=0|napi_weight|Invalid argument
pool_size=4097,inject_load_fault=1|pool_size|Invalid argument
pool_size=4096,lockup=1000000,timeout=60001,use_napi=1,napi_weight=64|timeout|Invalid argument
pool_size=abc|pool_size|Invalid argument
timeout=99999999999|timeout|Numerical result out of range"

# logged_names FILE: the parameters the log lines of FILE complain about.
logged_names()
{
	sed -n -e 's/.*snull: \([a-z_]*\)=.* is out of range.*/\1/p' \
		-e "s/.*snull: .* invalid for parameter .\\([a-z_]*\\)'.*/\\1/p" "$1" |
		sort -u | tr '\n' ' ' | sed 's/ $//'
}

plan 221

check_cmd "pktgen.ko loads" pktgen_load

for g in $GOOD; do
	# shellcheck disable=SC2046 # one word per parameter
	set -- $(echo "$g" | tr ',' ' ')
	m=$*
	snull_unload
	check_cmd "$m: loads, sysfs shows it" load_shows "$@"
	check_cmd "$m: snull-setup" snull_setup_addrs
	check_cmd "$m: 2 pings each way answered" ping_all 2 192.168.0.2 192.168.1.1
	check_cmd "$m: pktgen 2000 frames each way" pktgen_flood 2000
	reconcile
	w=$(param napi_weight)
	check_le "$m: napi_max_work of sn0 and sn1 <= napi_weight ($w)" "$w" \
		"$(printf '%s\n' "$(estat sn0 napi_max_work)" "$(estat sn1 napi_max_work)" |
			sort -n | tail -n 1)"
	check_eq "$m: no tx_busy" 0 "$(sum_estat tx_busy)"
	t=$(sum_estat tx_timeouts)
	[ "$t" = 0 ] || diag "$m: $t transmit time-outs"
	check_cmd "$m: rmmod" rmmod snull
done

printf '%s\n' "$BAD" >"$TMP/bad"
while IFS='|' read -r pv names err <&9; do
	# shellcheck disable=SC2046
	set -- $(echo "$pv" | tr ',' ' ')
	m=$*
	log_mark
	insmod "$SNULL_KO" "$@" >"$TMP/err" 2>&1
	rc=$?
	log_since >"$TMP/log"
	if [ $rc -ne 0 ] && grep -q "$err" "$TMP/err"; then
		ok "$m: insmod fails ($err)"
	else
		not_ok "$m: insmod fails ($err)"
		diag "insmod exit $rc: $(cat "$TMP/err")"
	fi
	check_eq "$m: the kernel log names $names, no other parameter" \
		"$(echo "$names" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" \
		"$(logged_names "$TMP/log")"
	check_nogrep "$m: the load stopped before any stage (no inject_load_fault line)" \
		'inject_load_fault=[0-9]*: failing' "$TMP/log"
	snull_unload 2>/dev/null
	check_cmd "$m: nothing left (module, interfaces, debugfs)" snull_gone
done 9<"$TMP/bad"

finish
