#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 12
# snull-debug-cost: 41
# snull-passes: debug
#
# A load whose second device fails to register (inject_load_fault=4), while
# a writer hammers the first device's debugfs hold_ring with 0. Writing 0
# raises interrupts on the peer's queues: the first device's knobs must be
# gone (it unregistered) before the second's queues are freed, or the
# writer touches freed memory (KASAN on the debug kernel; here, at worst, a
# crash). Each of up to 30 loads (at most 40 s) fails with EBUSY and
# leaves nothing behind; the writer got its writes in while sn0 existed;
# a plain load works afterwards.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

LOADS=30
KNOB=/sys/kernel/debug/snull/sn0/hold_ring

plan 6

bg snull-ctl hammer "$KNOB" 0 60 >"$TMP/hammer.out" 2>&1
hammer=$BG_PID
loaded=0
refused=0
busy=0
left=0
n=0
time_limit 40
while [ $n -lt $LOADS ] && in_time; do
	n=$((n + 1))
	if snull_load inject_load_fault=4; then
		loaded=$((loaded + 1))
		snull_unload
	else
		refused=$((refused + 1))
		grep -q 'busy' "$TMP/insmod.err" && busy=$((busy + 1))
	fi
	snull_gone || left=$((left + 1))
done
kill "$hammer" 2>/dev/null
wait "$hammer" 2>/dev/null
diag "$n loads in $((NOW - START)) s; the writer: $(cat "$TMP/hammer.out")"
check_ge "at least 10 loads ran" 10 $n
check_eq "every load with inject_load_fault=4 failed" "$n" $refused
check_eq "each failed with EBUSY (insmod: Device or resource busy)" "$n" $busy
check_eq "each left nothing behind (module, interfaces, debugfs)" 0 $left
writes=$(sed -n 's/^writes \([0-9]*\) .*/\1/p' "$TMP/hammer.out")
check_gt "the writer wrote sn0's hold_ring while it existed" 0 "${writes:-missing}"
check_cmd "a plain load works afterwards" snull_load

finish
