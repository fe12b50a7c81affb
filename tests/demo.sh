#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/demo.sh - what `make run` shows: snull loaded in a VM, the book's
# addresses set up, pings crossing the pair, the counters, and a capture of
# the rewritten packets. Meant for people: headings, no TAP.

SNULL_KO=${SNULL_KO:-/lib/snull/snull.ko}
SETUP=${SNULL_SETUP:-/scripts/snull-setup}
TMP=$(mktemp -d /tmp/snull-demo.XXXXXX) || exit 1
status=0

heading()
{
	echo
	echo "==== $* ===="
}

run()
{
	echo "\$ $*"
	"$@"
	_rc=$?
	[ $_rc -eq 0 ] && return 0
	status=1
	echo "(exit status $_rc)"
	return $_rc
}

cleanup()
{
	[ -n "$tcpdump_pid" ] && kill "$tcpdump_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

heading "Loading snull"
run insmod "$SNULL_KO" || exit 1
run ip link show sn0
run ip link show sn1
# snull carries IPv6 too (snull-setup --ipv6): the stack's own router
# solicitations and listener reports would cross and be counted with the
# pings below. This demo shows IPv4 only, so that the counters are its own.
run sysctl -w net.ipv6.conf.sn0.disable_ipv6=1 net.ipv6.conf.sn1.disable_ipv6=1

heading "Giving sn0 and sn1 the book's addresses (scripts/snull-setup)"
run "$SETUP"

heading "The four names (snull-setup --hosts, added to this VM's /etc/hosts)"
"$SETUP" --hosts | tee -a /etc/hosts

for name in remote0 remote1; do
	heading "ping -c 3 $name"
	run ping -c 3 "$name"
done

heading "What the receiver sees: tcpdump -n -e -c 4 on sn1 while pinging remote0"
echo "The request leaves sn0 as 192.168.0.1 > 192.168.0.2; snull flips the"
echo "third octet, so sn1 receives it as 192.168.1.1 > 192.168.1.2 and answers."
timeout 20 tcpdump -Z root -l -n -e -c 4 -i sn1 icmp >"$TMP/cap" 2>"$TMP/cap.err" &
tcpdump_pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q 'listening on' "$TMP/cap.err"; do
	sleep 0.1
	i=$((i + 1))
done
ping -c 2 -i 0.3 remote0 >/dev/null
wait "$tcpdump_pid"
tcpdump_pid=
cat "$TMP/cap"
# What this section claims must be in the capture (the exit status says).
for want in '192.168.1.1 > 192.168.1.2: ICMP echo request' \
	'192.168.1.2 > 192.168.1.1: ICMP echo reply'; do
	if ! grep -qF "$want" "$TMP/cap"; then
		echo "(the capture lacks \"$want\")"
		status=1
	fi
done

heading "Counters: ip -s link"
run ip -s link show sn0
run ip -s link show sn1

heading "Counters: ethtool -S sn0"
run ethtool -S sn0
# The pings above crossed sn0 both ways, through the interrupt handler.
for c in rx_packets tx_packets; do
	v=$(cat /sys/class/net/sn0/statistics/$c)
	[ "$v" -gt 0 ] || { echo "(sn0 $c is $v after the pings)"; status=1; }
done

heading "The TX ring: ethtool -g sn0 and snull-ctl ring sn0"
run ethtool -g sn0
run snull-ctl ring sn0

heading "Unloading snull"
run "$SETUP" --down
run rmmod snull
[ $status -eq 0 ] && echo "demo finished: everything worked" ||
	echo "demo finished with errors"
exit $status
