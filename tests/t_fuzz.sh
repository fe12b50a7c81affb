#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 22
# snull-debug-cost: 48
# snull-passes: copy debug
#
# Malformed frames by the thousand (tests/tools/snull-fuzz.c) through both
# interfaces, in each receive mode: nothing may crash or leak (the harness
# checks the log), every frame the fuzzer's socket handed over is counted
# once by the driver, sent or dropped (tx_packets + tx_dropped), the books
# balance, and the pair still carries traffic. SNULL_FUZZ_SEED replays a
# run.
#
# The far stack answers a few fuzzed frames (snull's rewrite makes their IP
# header checksum right): ICMP errors, which it limits per host to a burst
# of 6 and then one a second. Those add frames the fuzzer did not send, so
# each device may count up to SLACK more than it was given, never fewer.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

SECS=8
SLACK=$((16 + 2 * SECS))

# port_sent IFACE: the frames snull-fuzz sent on IFACE.
port_sent()
{
	sed -n "s/^# snull-fuzz: port $1 port_sent=\([0-9]*\)$/\1/p" "$TMP/fuzz" |
		awk '{ v = $1 } END { print (v == "" ? "missing" : v) }'
}

plan 22

for napi in 1 0; do
	m="use_napi=$napi"
	seed=${SNULL_FUZZ_SEED:-$((1000 + napi))}
	snull_unload
	check_cmd "$m: load" snull_load use_napi=$napi
	check_cmd "$m: snull-setup" snull_setup_addrs
	sleep 0.5
	out0=$(tx_out sn0) out1=$(tx_out sn1)
	timeout $((SECS + 30)) snull-fuzz -s "$seed" -n 1000000 -t $SECS sn0 sn1 \
		>"$TMP/fuzz" 2>&1
	check_eq "$m: snull-fuzz -s $seed runs to the end" 0 $?
	diag <"$TMP/fuzz"
	settle
	sleep 0.2
	for dev in sn0 sn1; do
		sent=$(port_sent $dev)
		if [ $dev = sn0 ]; then before=$out0; else before=$out1; fi
		took=$(sub "$(tx_out $dev)" "$before")
		diag "$m: $dev: snull-fuzz sent $sent, tx_packets + tx_dropped grew by $took" \
			"(tx_dropped $(stat $dev tx_dropped))"
		check_gt "$m: $dev: snull-fuzz sent frames" 0 "$sent"
		check_between "$m: $dev: tx_packets + tx_dropped grew by what snull-fuzz sent (+ <= $SLACK answers)" \
			"$sent" "$(add "$sent" $SLACK)" "$took"
	done
	check_eq "$m: no tx_busy" "0 0" "$(estat sn0 tx_busy) $(estat sn1 tx_busy)"
	ping_run "$TMP/ping" -c 3 -i 0.2 192.168.0.2
	check_eq "$m: ping 192.168.0.2 afterwards: 3 replies" 3 "$(ping_received "$TMP/ping")"
	reconcile
done

finish
