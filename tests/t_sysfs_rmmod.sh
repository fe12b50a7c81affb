#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 3
# snull-debug-cost: 30
# snull-passes: debug
#
# The netdevices document's pathological case: rmmod while a sysfs file of
# the device is open (as rmmod's stdin, or held on a descriptor and read
# afterwards), and while another process keeps reading sysfs. None of it
# may crash or hang, the module must go, and a fresh load must work.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	exec 3<&- 2>/dev/null
	lib_cleanup
}
trap cleanup EXIT

# reload_and_ping: a fresh load carries traffic.
reload_and_ping()
{
	snull_load || return 1
	snull_setup_addrs || return 1
	ping_run "$TMP/ping" -c 2 -i 0.2 192.168.0.2
	[ "$(ping_received "$TMP/ping")" = 2 ] || { diag <"$TMP/ping"; return 1; }
}

plan 13

check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs

# --- rmmod snull </sys/class/net/sn0/mtu ---
check_cmd "rmmod snull </sys/class/net/sn0/mtu finishes within 30 s" \
	timeout 30 sh -c 'rmmod snull </sys/class/net/sn0/mtu'
check_cmd "snull, its interfaces and debugfs directory are gone" snull_gone
check_cmd "a fresh load carries traffic" reload_and_ping

# --- a descriptor held open across rmmod, read afterwards ---
exec 3</sys/class/net/sn0/mtu
check_eq "fd 3 reads sn0's mtu before rmmod" 1500 "$(cat <&3)"
check_cmd "rmmod snull with fd 3 open finishes within 30 s" timeout 30 rmmod snull
check_cmd "snull, its interfaces and debugfs directory are gone" snull_gone
# The file is stale now: reading it must fail or return nothing, and return.
timeout 10 sh -c 'cat <&3' >"$TMP/stale" 2>&1
rc=$?
check_cmd "reading the stale descriptor returns (exit $rc, not a hang)" \
	test $rc -ne 124 -a $rc -ne 137
diag "the stale read gave: $(cat "$TMP/stale")"
exec 3<&-

# --- rmmod while another process keeps reading the device's sysfs files ---
check_cmd "a fresh load carries traffic" reload_and_ping
bg sh -c 'while :; do cat /sys/class/net/sn0/mtu /sys/class/net/sn1/statistics/rx_packets \
	/sys/class/net/sn0/carrier >/dev/null 2>&1; done'
sleep 0.5
check_cmd "rmmod snull while sysfs is being read finishes within 30 s" timeout 30 rmmod snull
bg_kill
check_cmd "snull, its interfaces and debugfs directory are gone" snull_gone
check_cmd "a fresh load carries traffic" reload_and_ping

finish
