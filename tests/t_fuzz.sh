#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 22
# snull-debug-cost: 54
#
# Malformed frames by the thousand (tests/tools/snull-fuzz.c) through both
# interfaces, in each receive mode: nothing may crash or leak (the harness
# checks the log), every drop is counted under a reason, the books balance,
# and the pair still carries traffic. SNULL_FUZZ_SEED replays a run.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

SECS=8

plan 20

for napi in 1 0; do
	m="use_napi=$napi"
	seed=${SNULL_FUZZ_SEED:-$((1000 + napi))}
	snull_unload
	check_cmd "$m: load" snull_load use_napi=$napi
	check_cmd "$m: snull-setup" snull_setup_addrs
	timeout $((SECS + 30)) snull-fuzz -s "$seed" -n 1000000 -t $SECS sn0 sn1 \
		>"$TMP/fuzz" 2>&1
	check_eq "$m: snull-fuzz -s $seed runs to the end" 0 $?
	diag <"$TMP/fuzz"
	check_gt "$m: frames were sent" 0 \
		"$(sed -n 's/.* sent=\([0-9]*\).*/\1/p' "$TMP/fuzz")"
	for dev in sn0 sn1; do
		check_eq "$m: $dev tx_dropped is the sum of the tx_drop_* counters" \
			"$(tx_drop_sum $dev)" "$(stat $dev tx_dropped)"
	done
	check_eq "$m: no tx_busy" "0 0" "$(estat sn0 tx_busy) $(estat sn1 tx_busy)"
	ping_run "$TMP/ping" -c 3 -i 0.2 192.168.0.2
	check_eq "$m: ping 192.168.0.2 afterwards: 3 replies" 3 "$(ping_received "$TMP/ping")"
	reconcile
done

finish
