#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 6
# snull-debug-cost: 25
# snull-passes: copy debug
#
# GRO and the sockets of the frames it merges. In zero-copy mode the wire
# hands GRO the sender's skb, its socket owner and destructor included;
# GRO frees what it merges without that destructor, moving the truesize to
# the skb it keeps. Every socket must still get its write memory back and
# be freed:
# - TCP: 32 short connections through sn0 (TSO off, so that sn1's GRO
#   merges segments), their data held on sn0's wire (hold_ring) while the
#   sockets are closed (half of them aborted with a RST), then let go: every
#   connection ends at the server, sn1 receives merged frames, and the TCP
#   sockets ("TCP: inuse" of /proc/net/sockstat) and the TCP slab's objects
#   come back to where they were (TIME_WAIT lives in another cache);
# - two packet sockets send one UDP flow, held on the wire, to a socket
#   with UDP_GRO: GRO may merge one owner's frames, never one owner's into
#   another's (the first socket would be given back the other's write
#   memory: a refcount underflow in sock_wfree(), and a socket never freed).
#   UDP sockets' own frames are safe from this: a route once attached
#   marks them for GRO's slow path, which compares owners; a packet
#   socket's never had one. All arrive, in two reads: one per owner.
# The wire holds frames for a few seconds: timeout=60000 keeps the TX
# watchdog away, and BQL's limit_min lets the ring take them.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

CONNS=32
BYTES=65536
DGRAMS=16

# slab_active CACHE: active objects of that slab cache, its per-CPU slabs
# flushed first ("missing" without it).
slab_active()
{
	[ -w "/sys/kernel/slab/$1/shrink" ] && echo 1 >"/sys/kernel/slab/$1/shrink"
	awk -v n="$1" '$1 == n { v = $2 } END { print (v == "" ? "missing" : v) }' \
		/proc/slabinfo 2>/dev/null || echo missing
}

# sockstat PROTO FIELD: one number of /proc/net/sockstat ("TCP inuse").
sockstat()
{
	awk -v p="$1:" -v f="$2" '$1 == p { for (i = 2; i < NF; i++) if ($i == f) v = $(i + 1) }
		END { print (v == "" ? "missing" : v) }' /proc/net/sockstat
}

# socks PROTO CACHE: "inuse N slab M" for PROTO's sockets.
socks()
{
	echo "inuse $(sockstat "$1" inuse) slab $(slab_active "$2")"
}

# socks_are PROTO CACHE EXPECTED: socks says EXPECTED.
socks_are()
{
	[ "$(socks "$1" "$2")" = "$3" ]
}

plan 15

check_cmd "load snull timeout=60000" snull_load timeout=60000
diag "copy=$(param copy)"
check_cmd "snull-setup" snull_setup_addrs
check_cmd "ethtool -K sn0 tso off: sn0 sends segments that GRO can merge" \
	ethtool -K sn0 tso off
echo 1000000 >/sys/class/net/sn0/queues/tx-0/byte_queue_limits/limit_min
check_eq "sn1 has GRO on" "generic-receive-offload=on" \
	"$(features sn1 generic-receive-offload)"

# --- TCP: short connections closed while their frames are on the wire ---
tcp0=$(socks TCP TCP)
diag "before: TCP $tcp0, $(grep '^TCP:' /proc/net/sockstat)"
cap_start gro sn1 -Q in -n -c 1 'tcp and greater 3000'
bg snull-sock tcp 192.168.0.2 5301 $CONNS $BYTES 20 >"$TMP/tcp.out" 2>&1
churn=$BG_PID
wait_for 20 grep -q '^ready' "$TMP/tcp.out" || diag <"$TMP/tcp.out"
knob sn0 hold_ring 1
kill -USR1 "$churn"
wait_for 20 grep -q '^closed' "$TMP/tcp.out"
# What the closed sockets still send reaches the ring within a moment.
sleep 0.5
held=$(ring_field sn0 in_flight)
diag "held on sn0's wire: $held frames; $(grep '^TCP:' /proc/net/sockstat)"
check_gt "frames of the closed sockets wait on sn0's wire" 0 "$held"
knob sn0 hold_ring 0
if wait_pid "$churn" 60; then
	wait "$churn" 2>/dev/null
	rc=$?
else
	rc=timeout
fi
diag <"$TMP/tcp.out"
check_eq "every connection ended at the server (snull-sock tcp)" 0 "$rc"
cap_wait gro 5
check_grep "sn1 received segments GRO merged (a frame over 3000 bytes)" \
	'length [0-9]{4,}' "$TMP/gro.cap"
wait_for 20 socks_are TCP TCP "$tcp0"
diag "after: TCP $(socks TCP TCP), $(grep '^TCP:' /proc/net/sockstat)"
check_eq "TCP sockets in use back to where they were (sockstat)" \
	"$(echo "$tcp0" | cut -d' ' -f1-2)" "$(socks TCP TCP | cut -d' ' -f1-2)"
check_eq "TCP slab objects back to where they were" \
	"$(echo "$tcp0" | cut -d' ' -f3-4)" "$(socks TCP TCP | cut -d' ' -f3-4)"
check_cmd "sn0's ring is clean" ring_clean sn0

# --- two packet sockets, one flow: GRO never merges one owner's into another's ---
knob sn0 hold_ring 1
bg snull-sock pkt sn0 $DGRAMS 200 20 >"$TMP/pkt.out" 2>&1
twins=$BG_PID
wait_for 20 grep -q '^sent' "$TMP/pkt.out"
check_eq "the $DGRAMS frames of the two sockets wait on sn0's wire" $DGRAMS \
	"$(ring_field sn0 in_flight)"
knob sn0 hold_ring 0
if wait_pid "$twins" 30; then
	wait "$twins" 2>/dev/null
	rc=$?
else
	rc=timeout
fi
diag <"$TMP/pkt.out"
check_eq "all $DGRAMS datagrams arrived (snull-sock pkt)" 0 "$rc"
reads=$(sed -n 's/^received [0-9]* datagrams in \([0-9]*\) reads$/\1/p' "$TMP/pkt.out")
if [ "$(param copy)" = 1 ]; then
	check_eq "copy=1: GRO merged them all, copies have no owner (1 read)" 1 \
		"${reads:-missing}"
else
	check_eq "GRO merged each socket's frames with its own only (2 reads)" 2 \
		"${reads:-missing}"
fi
check_cmd "sn0's ring is clean" ring_clean sn0
check_eq "no knob write failed" 0 "$KNOB_FAILS"

finish
