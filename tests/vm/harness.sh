# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The pieces of the harness that more than one script needs, in one copy:
# sourced by tests/run.sh, tests/kernels.sh, tests/debug.sh,
# tests/vm/kbuild.sh and scripts/lint (bash). Defines functions and the
# module list only; running it does nothing.

# Kernel modules the tests may load besides snull, as paths under a kernel's
# lib/modules/KVER/kernel (or its build tree). Their dependencies come along
# (netconsole needs configfs, a module on Debian's kernels).
# shellcheck disable=SC2034 # used by the scripts that source this file
SNULL_EXTRA_MODULES="drivers/net/dummy net/core/pktgen drivers/net/netconsole"

# ---------------------------------------------------------------- TAP

# One numbering for a script's TAP stream. tap_finish prints the plan and
# the "N passed, M failed" line every make target ends with, and fails when
# anything failed or nothing ran at all (an empty run proves nothing).
TAP_N=0
TAP_FAILED=0

tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

tap_not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

# tap_check STATUS DESCRIPTION: ok when STATUS is 0.
tap_check() {
	local status=$1
	shift
	if [ "$status" -eq 0 ]; then tap_ok "$@"; else tap_not_ok "$@"; fi
}

# stdin as TAP diagnostics.
tap_diag() {
	sed 's/^/# /'
}

tap_finish() {
	echo "1..$TAP_N"
	echo "$((TAP_N - TAP_FAILED)) passed, $TAP_FAILED failed"
	[ "$TAP_FAILED" -eq 0 ] && [ "$TAP_N" -gt 0 ]
}

# ---------------------------------------------------------------- the build

# Copy the driver's sources from $1 to $2 without anything a build left there:
# an up-to-date object would hide its warnings.
copy_sources() {
	rm -rf "$2"
	mkdir -p "$2"
	tar -C "$1" --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude=modules.order \
		--exclude=Module.symvers --exclude='.tmp_*' -cf - . | tar -C "$2" -xf -
}

# What fails a build: compiler and modpost warnings and errors. modpost
# writes "WARNING:", gcc "warning:": one case-blind pattern for all of them.
BUILD_PROBLEMS='warning:|error:'

# build_problems LOG: print the lines of make's output that fail the build,
# with some context; true when there are some.
build_problems() {
	grep -qiE "$BUILD_PROBLEMS" "$1" 2>/dev/null || return 1
	grep -iE -A3 "$BUILD_PROBLEMS" "$1" | head -n 100
}

# build_module KDIR DIR LOG [MAKE-ARGS...] [-- RUNNER...]: make DIR's module
# against KDIR (W=1 unless other arguments are given), output in LOG, and
# fail on any warning or error, or on a missing .ko. RUNNER, if given, runs
# make (kbuild.sh's chroot); DIR and KDIR are then paths inside it and $ROOT
# the chroot's path outside. On failure LOG ends with the verdict, so a
# later reader of LOG alone (tests/run.sh --kernel) sees it too.
build_module() {
	local kdir=$1 dir=$2 log=$3 status=0 args=() runner=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	[ $# -eq 0 ] || { shift; runner=("$@"); }
	[ ${#args[@]} -gt 0 ] || args=(W=1)
	"${runner[@]}" make -C "$kdir" M="$dir" "${args[@]}" modules >"$log" 2>&1 ||
		status=$?
	if [ "$status" -ne 0 ]; then
		echo "error: make exited with status $status" >>"$log"
		return 1
	fi
	if ! ls "${ROOT:-}$dir"/*.ko >/dev/null 2>&1; then
		echo "error: make made no .ko" >>"$log"
		return 1
	fi
	! grep -qiE "$BUILD_PROBLEMS" "$log"
}

# ---------------------------------------------------------------- kernels

# unpack_kernel X K KVER: move vmlinuz, config and the modules of the kernel
# packages unpacked (dpkg -x) in X into K, as the cache lays them out:
# K/vmlinuz, K/config, K/lib/modules/KVER. Up to trixie they are in /boot
# and /lib/modules, since then all under /usr/lib/modules/KVER.
unpack_kernel() {
	local x=$1 k=$2 kver=$3 mods f
	mods=$x/usr/lib/modules/$kver
	[ -d "$mods" ] || mods=$x/lib/modules/$kver
	[ -d "$mods/kernel" ] || { echo "no modules for $kver in the packages" >&2; return 1; }
	mkdir -p "$k/lib/modules"
	for f in "$x/boot/vmlinuz-$kver" "$mods/vmlinuz.unsigned" "$mods/vmlinuz" ""; do
		[ -f "$f" ] && break
	done
	[ -n "$f" ] || { echo "no vmlinuz for $kver in the packages" >&2; return 1; }
	mv "$f" "$k/vmlinuz"
	for f in "$x/boot/config-$kver" "$mods/config"; do
		[ ! -f "$f" ] || cp "$f" "$k/config"
	done
	rm -f "$mods/vmlinuz" "$mods/vmlinuz.unsigned"
	mv "$mods" "$k/lib/modules/$kver"
}

# kernel_packages KVER VERSION [RUNNER...]: the packages of version VERSION
# that hold kernel KVER's image, modules and config, as apt (run by RUNNER,
# e.g. in a chroot) knows them, preferring an unsigned image (a plain
# vmlinuz). Up to trixie that is all in linux-image-KVER(-unsigned); newer
# releases (sid in 2026) split it into linux-binary(-unsigned)-KVER,
# linux-modules-KVER and linux-base-KVER, and linux-image-KVER is only a
# metapackage over them.
kernel_packages() {
	local kver=$1 version=$2 p
	shift 2
	for p in "linux-image-$kver-unsigned" "linux-binary-unsigned-$kver" \
		"linux-binary-$kver" "linux-image-$kver"; do
		if "$@" apt-cache show -q "$p=$version" >/dev/null 2>&1; then
			echo "$p"
			break
		fi
	done
	for p in "linux-modules-$kver" "linux-base-$kver"; do
		if "$@" apt-cache show -q "$p=$version" >/dev/null 2>&1; then
			echo "$p"
		fi
	done
}

# stage_modules MODDIR OUT REL...: copy each module REL (a path under MODDIR
# without .ko) and every module it depends on into OUT, flat and
# decompressed: busybox insmod takes only plain .ko files. A module built
# into the kernel is fine; one that is neither there nor built in fails.
stage_modules() {
	local moddir=$1 out=$2 rel f name dep rc=0
	shift 2
	mkdir -p "$out"
	for rel; do
		name=$(basename "$rel")
		[ ! -f "$out/$name.ko" ] || continue
		for f in "$moddir/$rel.ko" "$moddir/$rel.ko.xz" "$moddir/$rel.ko.zst" \
			"$moddir/$rel.ko.gz" ""; do
			[ -z "$f" ] || [ -f "$f" ] && break
		done
		if [ -z "$f" ]; then
			if grep -q "/$rel.ko\$" "$moddir/../modules.builtin" 2>/dev/null; then
				echo "$name is built into the kernel" >&2
				continue
			fi
			echo "$rel.ko is not in $moddir" >&2
			rc=1
			continue
		fi
		case $f in
		*.xz) xz -dc "$f" ;;
		*.zst) zstd -dcq "$f" ;;
		*.gz) gzip -dc "$f" ;;
		*) cat "$f" ;;
		esac >"$out/$name.ko"
		for dep in $(modinfo -F depends "$out/$name.ko" | tr ',' ' '); do
			f=$(find "$moddir" \( -name "$dep.ko*" -o -name "${dep//_/-}.ko*" \) \
				-print -quit)
			if [ -z "$f" ]; then
				echo "$name needs $dep, which is not in $moddir" >&2
				rc=1
				continue
			fi
			f=${f#"$moddir/"}
			stage_modules "$moddir" "$out" "${f%%.ko*}" || rc=1
		done
	done
	return $rc
}
