#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 2
# snull-debug-cost: 27
#
# The private ioctl and ndo_set_config (SIOCSIFMAP), as docs/interface.md
# describes them.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

plan 19

check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs

# --- set_config ---
check_eq "setmap sn0 irq 5 while up: EBUSY" EBUSY "$(snull-ctl setmap sn0 irq 5 2>&1)"
check_eq "setmap sn1 irq 7 while up: EBUSY" EBUSY "$(snull-ctl setmap sn1 irq 7 2>&1)"
ip link set sn0 down
check_eq "setmap sn0 irq 5 while down: accepted" ok "$(snull-ctl setmap sn0 irq 5 2>&1)"
check_grep "getmap sn0: irq=5 is stored" '^irq=5 ' \
	"$(snull-ctl getmap sn0 >"$TMP/map" 2>&1; echo "$TMP/map")"
check_eq "setmap sn0 base_addr 0x300 while down: EOPNOTSUPP" EOPNOTSUPP \
	"$(snull-ctl setmap sn0 base_addr 0x300 2>&1)"
check_grep "getmap sn0: base_addr unchanged (0)" ' base_addr=0 ' \
	"$(snull-ctl getmap sn0 >"$TMP/map" 2>&1; echo "$TMP/map")"
for fv in mem_start=0xd0000 mem_end=0xdffff dma=3 port=1; do
	check_eq "setmap sn0 ${fv%%=*} ${fv#*=} while down: EOPNOTSUPP" EOPNOTSUPP \
		"$(snull-ctl setmap sn0 "${fv%%=*}" "${fv#*=}" 2>&1)"
done
check_eq "getmap sn0: irq 5 kept, nothing else moved" \
	"irq=5 base_addr=0 mem_start=0 mem_end=0 dma=0 port=0" \
	"$(snull-ctl getmap sn0 2>&1)"
ip link set sn0 up

# --- the private ioctl ---
check_grep "ring sn0: version=1 pool_size=256 in_flight=0 stalled=0" \
	'^version=1 pool_size=256 in_flight=0 stalled=0$' \
	"$(snull-ctl ring sn0 >"$TMP/ring" 2>&1; echo "$TMP/ring")"
check_grep "ring sn1: version=1 pool_size=256" '^version=1 pool_size=256 ' \
	"$(snull-ctl ring sn1 >"$TMP/ring" 2>&1; echo "$TMP/ring")"
check_eq "priv sn0 0 (SNULL_IOC_GET_RING) succeeds" ok "$(snull-ctl priv sn0 0 2>&1)"
check_eq "priv sn0 1: EOPNOTSUPP" EOPNOTSUPP "$(snull-ctl priv sn0 1 2>&1)"
check_eq "priv sn1 15: EOPNOTSUPP" EOPNOTSUPP "$(snull-ctl priv sn1 15 2>&1)"

ping_run "$TMP/ping" -c 3 -i 0.2 192.168.0.2
check_eq "sn0 works after down/up: ping 192.168.0.2, 3 replies" 3 \
	"$(ping_received "$TMP/ping")"

finish
