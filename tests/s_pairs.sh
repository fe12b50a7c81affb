#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 60
# snull-debug-cost: 300
#
# Many pairs (issue #12): 1000 pairs made with one ip -batch of
# `link add ... type snull` (125 on a debug kernel), each with its peer;
# one of them in the middle carries the address trick's ping between two
# namespaces; then half are deleted through their peers and the rest by
# rmmod with pairs still in a namespace. Every interface goes, and the
# slab memory comes back (within a margin for the core's own caches).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	ip netns del na 2>/dev/null
	ip netns del nb 2>/dev/null
	lib_cleanup
}
trap cleanup EXIT

set_slow
N=$((1000 / SLOW))
# slab_kb: the Slab line of /proc/meminfo, once every cache has been shrunk:
# that empties the per-CPU slabs and, on a KASAN kernel, the quarantine of
# freed objects, which would otherwise still count.
slab_kb()
{
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for _s in /sys/kernel/slab/*/shrink; do
		echo 1 >"$_s" 2>/dev/null
	done
	awk '/^Slab:/ { print $2 }' /proc/meminfo
}
nsnull() { ip -o link show type snull | wc -l; }

plan 12

check_cmd "load snull pairs=0" snull_load pairs=0
s0=$(slab_kb)
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "link add name sp%d type snull\n", i }' \
	>"$TMP/add"
tick
t0=$UPTIME
check_cmd "ip -batch: $N pairs" ip -batch "$TMP/add"
tick
diag "made $N pairs in $(awk -v a="$t0" -v b="$UPTIME" 'BEGIN { printf "%.1f", b - a }') s"
check_eq "$((2 * N)) snull interfaces" $((2 * N)) "$(nsnull)"
s2=$(slab_kb)

# --- the pair in the middle carries traffic, its ends in two namespaces ---
mid=$((N / 2))
# Its peer has its address with the last bit flipped.
mac=$(cat "/sys/class/net/sp$mid/address")
want=$(printf '%s:%02x' "${mac%:*}" $((0x${mac##*:} ^ 1)))
peer=
for d in /sys/class/net/sn*; do
	[ "$(cat "$d/address")" = "$want" ] && peer=${d##*/}
done
diag "pair $mid: sp$mid and its peer ${peer:-?}"
check_cmd "sp$mid to na, ${peer:-?} to nb" sh -c "ip netns add na && ip netns add nb &&
	ip link set sp$mid netns na && ip link set $peer netns nb"
ip -n na addr add 192.168.0.1/24 dev "sp$mid"
ip -n nb addr add 192.168.1.2/24 dev "$peer"
ip -n na link set "sp$mid" up
ip -n nb link set "$peer" up
wait_for 10 sh -c "ip -n na link show sp$mid | grep -q LOWER_UP" || diag "no carrier"
ip netns exec na ping -c 3 -i 0.2 -W 2 192.168.0.2 >"$TMP/ping" 2>&1
check_eq "ping across pair $mid: 3 replies" 3 "$(ping_received "$TMP/ping")"

# --- half deleted through the peers (sn%d), one batch ---
ip -o link show type snull | awk '{ n = $2; sub(/:$/, "", n); sub(/@.*/, "", n) }
	n ~ /^sn/ { if (++k % 2) print "link del " n }' >"$TMP/del"
h=$(wc -l <"$TMP/del")
check_cmd "ip -batch: delete $h pairs by their peers" ip -batch "$TMP/del"
check_eq "$h pairs fewer" $((2 * (N - h) - 2)) "$(nsnull)"

# --- rmmod takes the rest, the two namespaced ends too ---
check_cmd "unload" snull_unload
check_eq "no snull interface left" 0 "$(nsnull)"
check_eq "none in na or nb" "0 0" \
	"$(ip -n na -o link show | grep -vc ': lo:') $(ip -n nb -o link show | grep -vc ': lo:')"
s1=$(slab_kb)
diag "slab: $s0 KiB before, $s2 KiB with the pairs, $s1 KiB after"
# Slab counts whole pages of the caches, partly empty ones too, so it does
# not come back exactly (kmemleak, in the debug tier, finds exact leaks).
# A ring or a queue array left by each device would keep more than a fifth
# of what the pairs took.
check_le "slab back within a fifth of the pairs' $((s2 - s0)) KiB" \
	$((s0 + (s2 - s0) / 5)) "$s1"
check_cmd "snull is gone" snull_gone
finish
