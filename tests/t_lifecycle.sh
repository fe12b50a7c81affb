#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 9
# snull-debug-cost: 46
# snull-passes: debug
#
# Load and unload: the two interfaces come and go with the module, every
# failed load (inject_load_fault=1..4) leaves nothing behind, and repeated
# loads leak no ring buffers (pitfalls.md #12, #13).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	ip link del sn0 type dummy 2>/dev/null
	lib_cleanup
}
trap cleanup EXIT

# The parameters of docs/interface.md.
PARAMS="copy pool_size lockup timeout use_napi napi_weight inject_load_fault ring_start pairs"

# One expected-good cycle: load, both interfaces there, unload, both gone.
good_cycle()
{
	snull_load "$@" || { diag "insmod $*: $(cat "$TMP/insmod.err")"; return 1; }
	[ "$(sn_ifaces)" = "sn0 sn1 " ] || { diag "after load: '$(sn_ifaces)'"; return 1; }
	rmmod snull || return 1
	[ -z "$(sn_ifaces)" ] || { diag "after rmmod: '$(sn_ifaces)'"; return 1; }
}

# fault_load STAGE [PARAM=VALUE...]: insmod with inject_load_fault=STAGE
# fails, and for the reason asked for: the driver logs that it fails the
# load at that stage (a load refused for any other reason, an unknown
# parameter say, is not it).
fault_load()
{
	_st=$1
	shift
	log_mark
	if insmod "$SNULL_KO" inject_load_fault="$_st" "$@" 2>"$TMP/insmod.err"; then
		diag "insmod inject_load_fault=$_st $* succeeded"
		rmmod snull
		return 1
	fi
	log_since | grep -q "snull: inject_load_fault=$_st: failing the load here" || {
		diag "insmod inject_load_fault=$_st $* failed, but not at the stage:" \
			"$(cat "$TMP/insmod.err")"
		log_since | tail -n 5 | diag
		return 1
	}
}

# One expected-bad cycle: the load fails at STAGE and leaves no trace.
fault_cycle()
{
	fault_load "$@" && ! snull_loaded && [ -z "$(sn_ifaces)" ]
}

# modinfo_params: every parameter sysfs shows has a modinfo description
# (parm=NAME:text) and a type, and they are those of docs/interface.md.
# Read from the .ko's .modinfo strings: the VM has no kmod modinfo.
modinfo_params()
{
	tr '\0' '\n' <"$SNULL_KO" | grep -E '^parm(type)?=' >"$TMP/modinfo"
	_ok=0
	for _p in $PARAMS; do
		grep -Eq "^parm=$_p:.{10,}" "$TMP/modinfo" ||
			{ diag "no description of $_p"; _ok=1; }
		grep -Eq "^parmtype=$_p:[a-z]+$" "$TMP/modinfo" ||
			{ diag "no parmtype for $_p"; _ok=1; }
	done
	_names=$(sed -n 's/^parm=\([a-z_]*\):.*/\1/p' "$TMP/modinfo" | sort | tr '\n' ' ')
	_want=$(echo "$PARAMS" | tr ' ' '\n' | sort | tr '\n' ' ')
	[ "$_names" = "$_want" ] || { diag "modinfo describes '$_names', not '$_want'"; _ok=1; }
	_sys=$(cd /sys/module/snull/parameters 2>/dev/null && printf '%s\n' * | sort | tr '\n' ' ')
	[ "$_sys" = "$_want" ] || { diag "sysfs has '$_sys', not '$_want'"; _ok=1; }
	return "$_ok"
}

plan 27

# --- a plain load and unload ---
check_cmd "load snull" snull_load
check_cmd "sn0 exists" test -d /sys/class/net/sn0
check_cmd "sn1 exists" test -d /sys/class/net/sn1
check_eq "ethtool -i sn0: driver snull" "driver: snull" \
	"$(ethtool -i sn0 2>&1 | grep '^driver:')"
check_eq "ethtool -i sn1: driver snull" "driver: snull" \
	"$(ethtool -i sn1 2>&1 | grep '^driver:')"
check_cmd "modinfo: each parameter of docs/interface.md has a description and a type" \
	modinfo_params
diag <"$TMP/modinfo"
check_cmd "unload snull" rmmod snull
check_eq "no sn* interface after unload" "" "$(sn_ifaces)"

# --- each stage of loading can fail, and then nothing stays ---
for stage in 1 2 3 4; do
	check_cmd "inject_load_fault=$stage: insmod fails, at that stage" \
		fault_load $stage
	check_eq "inject_load_fault=$stage: no sn* interface remains" "" "$(sn_ifaces)"
	check_fail "inject_load_fault=$stage: snull not in /proc/modules" snull_loaded
	snull_unload	# in case the load did succeed
done

# --- alloc_netdev("sn%d") takes the next free names ---
insmod "$SNULL_EXTRA/dummy.ko" 2>/dev/null
check_cmd "a dummy interface takes the name sn0" ip link add sn0 type dummy
snull_load
check_eq "snull's interfaces are then sn1 and sn2" "sn1 sn2" \
	"$(snull_ifaces | tr '\n' ' ' | sed 's/ $//')"
check_cmd "unload snull" rmmod snull
check_eq "the dummy sn0 survives snull's unload" "driver: dummy" \
	"$(ethtool -i sn0 2>&1 | grep '^driver:')"
ip link del sn0 type dummy 2>/dev/null

# --- nothing leaks: big rings, loaded and failed many times ---
# One cycle first, so that whatever the first load allocates for good is
# there before the count.
good_cycle pool_size=4096
slab_before=$(slab_2k)
bad=0
i=0
while [ $i -lt 5 ]; do
	good_cycle pool_size=4096 || bad=$((bad + 1))
	for stage in 1 2 3 4; do
		fault_cycle $stage pool_size=4096 || {
			diag "fault stage $stage, round $i: unexpected result"
			bad=$((bad + 1))
		}
	done
	i=$((i + 1))
done
check_eq "25 load attempts with pool_size=4096 behaved" 0 "$bad"
sleep 1		# RCU callbacks that free what unregistration left
slab_after=$(slab_2k)
diag "kmalloc-2k objects in use: $slab_before before, $slab_after after"
# A leaked ring is 4096 objects; slab_2k's shrink also empties KASAN's
# quarantine, so a debug kernel counts the same way.
check_le "kmalloc-2k objects in use grew by at most 64 (a 4096-buffer ring leaks 4096)" \
	64 "$(sub "$slab_after" "$slab_before")"

# --- load and unload 20 times ---
bad=0
i=0
while [ $i -lt 20 ]; do
	good_cycle || bad=$((bad + 1))
	i=$((i + 1))
done
check_eq "20 load/unload cycles each created and removed sn0 and sn1" 0 "$bad"

finish
