#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 4
# snull-debug-cost: 43
#
# Module parameters (docs/interface.md): defaults readable in sysfs, values
# out of range refused with EINVAL and a log line naming the parameter,
# values at the bounds accepted (pitfalls.md #15).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

DEFAULTS="pool_size=256 lockup=0 timeout=500 use_napi=1 napi_weight=64 inject_load_fault=0
ring_start=0"
BAD="pool_size=0 pool_size=4097 lockup=-1 lockup=1000001 timeout=0 timeout=9
timeout=60001 use_napi=2 use_napi=-1 napi_weight=0 napi_weight=65 inject_load_fault=5"
GOOD="pool_size=1 pool_size=4096 lockup=0 lockup=1000000 timeout=10 timeout=60000
use_napi=0 use_napi=1 napi_weight=1 napi_weight=64 inject_load_fault=0"

plan 58

check_cmd "load with defaults" snull_load
for pv in $DEFAULTS; do
	check_eq "default ${pv%%=*} is ${pv#*=}" "${pv#*=}" "$(param "${pv%%=*}")"
done
snull_unload

for pv in $BAD; do
	name=${pv%%=*}
	value=${pv#*=}
	log_mark
	insmod "$SNULL_KO" "$pv" >"$TMP/err" 2>&1
	rc=$?
	snull_unload
	if [ $rc -ne 0 ] && grep -q 'Invalid argument' "$TMP/err"; then
		ok "$pv: insmod fails with EINVAL"
	else
		not_ok "$pv: insmod fails with EINVAL"
		diag "insmod exit $rc: $(cat "$TMP/err")"
	fi
	log_since >"$TMP/log"
	# The driver's own check, or the kernel's parser for a value it
	# cannot even parse: either names the parameter.
	check_grep "$pv: the kernel log names $name" \
		"snull: $name=$value is out of range|snull: .$value' invalid for parameter .$name'" \
		"$TMP/log"
	check_eq "$pv: no sn* interface left" "" "$(ls -d /sys/class/net/sn* 2>/dev/null)"
done

for pv in $GOOD; do
	check_cmd "$pv loads and sysfs shows it" load_shows "$pv"
	snull_unload
done

# Rings are powers of two: another pool_size is rounded up, and said so.
for pv in 100:128 3000:4096; do
	log_mark
	snull_load "pool_size=${pv%%:*}" || diag "insmod: $(cat "$TMP/insmod.err")"
	check_eq "pool_size=${pv%%:*} loads and sysfs shows ${pv#*:}" "${pv#*:}" \
		"$(param pool_size)"
	snull_unload
done
log_since >"$TMP/log"
check_grep "the kernel log says pool_size=3000 was rounded up to 4096" \
	'pool_size=3000 rounded up to 4096' "$TMP/log"

finish
