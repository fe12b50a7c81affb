#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 30
# snull-debug-cost: 120
#
# Pairs with ip link and pairs=N (issue #12): `ip link add NAME type snull`
# makes NAME and a peer named sn%d with the peer's address NAME's with the
# last bit flipped; ip -d link shows the kind; bad requests make nothing;
# `ip link del` of either end deletes both. Ends moved to two namespaces
# still carry the address trick's ping, carrier follows the peer across
# them, and deleting a namespace deletes the pair. pairs=3 makes sn0..sn5
# with the book's addresses continued; pairs=0 none; out of range refused;
# rmmod with ends in namespaces leaves nothing; snull-setup --pair sets up
# pairs side by side, IPv6 too.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	ip netns del na 2>/dev/null
	ip netns del nb 2>/dev/null
	lib_cleanup
}
trap cleanup EXIT

# addr IFACE [NS]: IFACE's MAC address.
addr()
{
	if [ -n "${2:-}" ]; then
		ip -n "$2" -o link show "$1" 2>/dev/null |
			sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
	else
		cat "/sys/class/net/$1/address" 2>/dev/null || echo missing
	fi
}

# flip MAC: MAC with the low bit of its last byte flipped.
flip()
{
	_last=$((0x${1##*:} ^ 1))
	printf '%s:%02x\n' "${1%:*}" "$_last"
}

# nlinks: how many interfaces the root namespace has.
nlinks()
{
	ip -o link show | wc -l
}

# pair_ping NS_A A NS_B B: A gets 192.168.0.1/24 in NS_A, B 192.168.1.2/24 in
# NS_B, both up; 3 pings from NS_A to 192.168.0.2 (the trick's remote0)
# all answered.
pair_ping()
{
	ip -n "$1" addr add 192.168.0.1/24 dev "$2" &&
		ip -n "$3" addr add 192.168.1.2/24 dev "$4" &&
		ip -n "$1" link set "$2" up &&
		ip -n "$3" link set "$4" up || return 1
	wait_for 10 sh -c "ip -n $1 link show $2 | grep -q LOWER_UP" ||
		diag "$2 has no carrier"
	ip netns exec "$1" ping -c 3 -i 0.2 -W 2 192.168.0.2 >"$TMP/nsping" 2>&1
	_rc=$?
	[ "$_rc" = 0 ] || diag <"$TMP/nsping"
	return "$_rc"
}

plan 45

check_cmd "load snull" snull_load
check_grep "ip -d link show sn0: kind snull" '^ *snull' \
	"$(ip -d link show sn0 >"$TMP/d" 2>&1; echo "$TMP/d")"
n0=$(nlinks)
check_cmd "ip link add name pa type snull" ip link add name pa type snull
check_eq "two interfaces more: pa and its peer sn2" "$((n0 + 2)) yes" \
	"$(nlinks) $([ -e /sys/class/net/sn2 ] && echo yes)"
check_eq "sn2's address is pa's with the last bit flipped" "$(flip "$(addr pa)")" "$(addr sn2)"
ethtool -i pa >"$TMP/i" 2>&1
check_grep "ethtool -i pa: driver snull" '^driver: snull$' "$TMP/i"
# An in-tree driver's version is the kernel's (the core fills it in).
check_eq "ethtool -i pa: version the kernel's, bus-info virtual" \
	"$(uname -r) virtual" \
	"$(awk '$1 == "version:" { v = $2 } $1 == "bus-info:" { b = $2 } END { print v, b }' "$TMP/i")"
check_cmd "ip link add name pb address 02:11:22:33:44:56 type snull" \
	ip link add name pb address 02:11:22:33:44:56 type snull
check_eq "pb has the address asked for, its peer sn3 ...:57" \
	"02:11:22:33:44:56 02:11:22:33:44:57" "$(addr pb) $(addr sn3)"
n1=$(nlinks)
check_fail "ip link add name sn0 type snull: the name is taken" ip link add name sn0 type snull
check_fail "ip link add name pc mtu 9000 type snull: refused" ip link add name pc mtu 9000 type snull
ip link add name pd address 01:00:5e:00:00:01 type snull >"$TMP/mc" 2>&1
check_grep "a multicast address: refused, said so" 'unicast' "$TMP/mc"
check_eq "the refused requests made nothing" "$n1" "$(nlinks)"
check_cmd "ip link del sn3 (pb's peer)" ip link del sn3
check_eq "pb went with it" "no" "$([ -e /sys/class/net/pb ] && echo yes || echo no)"

# --- the two ends of a in two namespaces ---
check_cmd "ip netns add na, nb" sh -c 'ip netns add na && ip netns add nb'
check_cmd "pa to na, sn2 to nb" sh -c 'ip link set pa netns na && ip link set sn2 netns nb'
check_cmd "ping across the namespaces through the trick: 3 replies" pair_ping na pa nb sn2
check_cmd "ip -n nb link set sn2 down" ip -n nb link set sn2 down
# The carrier bit goes at once; operstate (hence NO-CARRIER) when the
# core's link watch runs, within a second.
check_cmd "pa in na: NO-CARRIER, operstate down, while sn2 is down" \
	wait_for 10 sh -c 'ip -n na link show pa | grep -q "NO-CARRIER.* state DOWN"'
check_eq "pa: no LOWER_UP" 0 "$(ip -n na link show pa | grep -c LOWER_UP)"
check_cmd "ip -n nb link set sn2 up" ip -n nb link set sn2 up
check_cmd "pa in na: carrier again" wait_for 10 sh -c 'ip -n na link show pa | grep -q LOWER_UP'
check_cmd "ip netns del na" ip netns del na
check_cmd "sn2 in nb went with pa" wait_for 10 sh -c '! ip -n nb link show sn2 2>/dev/null'

# --- rmmod with an end in a namespace ---
check_cmd "ip link add name pe type snull, pe to nb" sh -c 'ip link add name pe type snull && ip link set pe netns nb'
check_cmd "unload with pe in nb" snull_unload
check_eq "nothing of snull is left, in nb either" "0 0" \
	"$(ip -n nb -o link show | grep -c ': pe[:@]') $(snull_gone && echo 0 || echo 1)"
ip netns del nb

# --- pairs=N ---
check_cmd "load snull pairs=3" snull_load pairs=3
check_eq "sn0..sn5" "sn0 sn1 sn2 sn3 sn4 sn5 " "$(sn_ifaces)"
check_eq "sn4 and sn5: the book's addresses continued" \
	"00:53:4e:55:4c:34 00:53:4e:55:4c:35" "$(addr sn4) $(addr sn5)"
# Pairs 0 and 1 side by side in this namespace (snull-setup --pair).
check_cmd "snull-setup (pair 0)" snull_setup_addrs
check_cmd "snull-setup --pair 1 --ipv6: sn2/sn3, 192.168.2/3, fd00:0:0:2/3::" \
	snull_setup_addrs --pair 1 --ipv6
check_eq "sn2 has 192.168.2.1/24, sn3 192.168.3.2/24" "192.168.2.1/24 192.168.3.2/24" \
	"$(ip -4 -o addr show sn2 | awk '{ print $4 }') $(ip -4 -o addr show sn3 | awk '{ print $4 }')"
check_ping "ping 192.168.0.2 through pair 0: 3 replies" 3 192.168.0.2
check_ping "ping 192.168.2.2 through pair 1: 3 replies" 3 192.168.2.2
ping -6 -c 3 -i 0.2 -W 2 fd00:0:0:2::2 >"$TMP/ping6" 2>&1
check_eq "ping -6 fd00:0:0:2::2 through pair 1: 3 replies" 3 "$(ping_received "$TMP/ping6")"
check_fail "snull-setup --pair 128: refused" "$SNULL_SETUP" --pair 128
check_cmd "ip netns add na, nb; sn4 to na, sn5 to nb" \
	sh -c 'ip netns add na && ip netns add nb && ip link set sn4 netns na && ip link set sn5 netns nb'
check_cmd "ping through pair 2 (sn4/sn5): 3 replies" pair_ping na sn4 nb sn5
check_cmd "unload" snull_unload
check_cmd "load snull pairs=0" snull_load pairs=0
check_eq "no sn* interface" "" "$(sn_ifaces)"
check_cmd "unload" snull_unload
check_fail "pairs=1025: refused" snull_load pairs=1025
finish
