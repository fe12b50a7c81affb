#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 3
# snull-debug-cost: 15
#
# The fault knobs' directory follows its device: it is named after it,
# renamed with it (the values kept), and gone with it. irq_delay_us is
# bounded: a line late by more than a second is refused.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

DBG=/sys/kernel/debug/snull

plan 14

check_cmd "load snull" snull_load
check_cmd "debugfs: sn0's directory" test -d $DBG/sn0
check_cmd "drop_every=5 on sn0" eval "echo 5 >$DBG/sn0/drop_every"
check_cmd "ip link set sn0 name snx0" ip link set sn0 name snx0
check_cmd "debugfs: the directory is now snx0" test -d $DBG/snx0
check_cmd "debugfs: no sn0 directory is left" test ! -e $DBG/sn0
check_eq "the knob kept its value through the rename" 5 \
	"$(cat $DBG/snx0/drop_every 2>&1)"
check_cmd "ip link set snx0 name sn0 (back)" ip link set snx0 name sn0
check_cmd "debugfs: sn0 again, and no snx0" \
	eval "test -d $DBG/sn0 && test ! -e $DBG/snx0"

check_cmd "irq_delay_us=1000000 (one second) is taken" \
	eval "echo 1000000 >$DBG/sn1/irq_delay_us"
check_fail "irq_delay_us=1000001 is refused" \
	eval "echo 1000001 >$DBG/sn1/irq_delay_us"
check_eq "irq_delay_us still reads 1000000" 1000000 "$(cat $DBG/sn1/irq_delay_us)"
echo 0 >$DBG/sn1/irq_delay_us

# A renamed device at unload: its directory goes with it.
ip link set sn1 name snx1
check_cmd "rmmod snull with sn1 renamed" rmmod snull
check_cmd "nothing of snull is left (module, interfaces, debugfs)" snull_gone

finish
