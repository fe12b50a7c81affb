#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once, then cached) the debug kernel snull is tested on.
#
#   tests/vm/debug-kernel.sh OUTDIR
#
# A Linux 6.1 kernel from Debian's linux-source-6.1 package, configured by
# `make allnoconfig` plus tests/vm/debug.config (KASAN, UBSAN, lockdep,
# kmemleak, debugobjects, netdev refcount tracking, ...) and `make
# olddefconfig`; every option the fragment asks for must survive, else this
# fails and lists the ones Kconfig dropped. OUTDIR receives:
#   vmlinuz   the bzImage, for qemu -kernel
#   kver      its release (uname -r)
#   config    its .config
#   build     a symlink to the build tree: KDIR for
#             make -C OUTDIR/build M=... modules (it has Module.symvers)
#   modules/  dummy.ko pktgen.ko netconsole.ko
#
# The source tree and the build live in
#   $SNULL_CACHE/debug-kernel/KEY/linux   (SNULL_CACHE default $HOME/.cache/snull)
# where KEY is the sha256 of debug.config's options (not its comments), the
# linux-source-6.1 version and the compiler's version, so a later run with
# the same inputs only copies the results (an interrupted build resumes where
# it stopped). Only the two newest such builds are kept (1.8 GB each).
#
# Environment:
#   SNULL_CACHE   cache root (default $HOME/.cache/snull)
#   SNULL_JOBS    make -j (default: the number of CPUs)
#
# Installs linux-source-6.1 and the build tools with apt-get when they are
# missing (needs root then). The compile runs under nice -n 19.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
FRAGMENT=$REPO/tests/vm/debug.config
SNULL_CACHE=${SNULL_CACHE:-$HOME/.cache/snull}
SRC_PKG=linux-source-6.1
TARBALL=/usr/src/linux-source-6.1.tar.xz
JOBS=${SNULL_JOBS:-$(nproc)}
KEEP_BUILDS=2

# Debian packages the build needs, by the command or file that shows them.
BUILD_PKGS="make gcc bc flex bison libelf-dev libssl-dev xz-utils"

# The modules the tests insmod besides snull.ko (paths in the build tree):
# tests/vm/harness.sh's list. This config builds none of their dependencies
# as modules (configfs is off), so the list is all there is to copy.
# shellcheck source=tests/vm/harness.sh
. "$REPO/tests/vm/harness.sh"
EXTRA_MODULES=$SNULL_EXTRA_MODULES

T_APT=0 T_EXTRACT=0 T_CONFIG=0 T_BUILD=0
T0=$SECONDS

msg() { echo "debug-kernel.sh: $*" >&2; }
die() { msg "$*"; exit 1; }

usage() {
	sed -n '6p' "$0" | sed 's/^# *//' >&2
	exit 2
}

# ---------------------------------------------------------------- packages

installed() {
	local p
	for p; do
		[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] ||
			return 1
	done
}

apt_install() {
	local t0=$SECONDS
	[ "$(id -u)" -eq 0 ] || die "need root to apt-get install $*"
	msg "apt-get install $*"
	# Try the lists we have first; a fresh machine has none. .ci/run may
	# be preparing chroots (tests/kernels.sh --prepare) at the same time,
	# whose apt-get waits for dpkg's lock as this one does.
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		-o DPkg::Lock::Timeout=600 \
		--no-install-recommends "$@" >"$APT_LOG" 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$APT_LOG" 2>&1 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			-o DPkg::Lock::Timeout=600 \
			--no-install-recommends "$@" >>"$APT_LOG" 2>&1 || {
			tail -n 20 "$APT_LOG" >&2
			die "apt-get install $* failed (log $APT_LOG)"
		}
	fi
	T_APT=$((T_APT + SECONDS - t0))
}

ensure_packages() {
	local missing="" p
	for p in $BUILD_PKGS; do
		installed "$p" || missing="$missing $p"
	done
	if [ ! -f "$TARBALL" ] || ! installed "$SRC_PKG"; then
		missing="$missing $SRC_PKG"
	fi
	# shellcheck disable=SC2086 # a list of package names
	[ -z "$missing" ] || apt_install $missing
	[ -f "$TARBALL" ] || die "$SRC_PKG is installed but $TARBALL is missing"
}

# ---------------------------------------------------------------- the cache

# The options of a fragment, "CONFIG_X value" a line (value n for "is not
# set"), in its order.
fragment_options() {
	sed -n -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1 n/p' \
		-e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)$/\1 \2/p' "$1"
}

# The cache key: what decides the kernel that comes out. Only the fragment's
# options count, so editing its comments costs no rebuild.
cache_key() {
	{
		fragment_options "$FRAGMENT"
		echo "$SRC_PKG $(dpkg-query -W -f='${Version}' "$SRC_PKG")"
		echo "gcc $(gcc -dumpfullversion) $(gcc --version | head -n 1)"
	} | sha256sum | cut -c1-64
}

# Keep the KEEP_BUILDS most recently used builds (the current one included);
# anything else there (older keys, a build that failed) goes. We hold the
# lock, so no other run is using them.
prune_cache() {
	local d n=1
	while read -r d; do
		[ "$d" != "$DIR" ] || continue
		n=$((n + 1))
		[ "$n" -gt "$KEEP_BUILDS" ] || continue
		msg "removing an older build: $d"
		rm -rf "$d"
	done < <(for d in "$SNULL_CACHE"/debug-kernel/*/; do
		d=${d%/}
		if [ -e "$d/.used" ]; then
			stat -c '%Y %n' "$d/.used"
		else
			stat -c '%Y %n/.used' "$d"
		fi
	done | sort -rn | cut -d' ' -f2- | sed 's|/\.used$||')
}

# ---------------------------------------------------------------- stages

# Unpack the source into $TREE (via a scratch directory, so a half-unpacked
# tree never counts).
extract() {
	local t0=$SECONDS tmp=$DIR/linux.tmp
	[ -f "$DIR/.extracted" ] && [ -d "$TREE" ] && return 0
	msg "unpacking $TARBALL"
	rm -rf "$tmp" "$TREE"
	mkdir -p "$tmp"
	tar -C "$tmp" -xJf "$TARBALL" --strip-components=1
	mv "$tmp" "$TREE"
	touch "$DIR/.extracted"
	T_EXTRACT=$((SECONDS - t0))
}

kmake() {
	# LOCALVERSION= (set, empty): no "+" from scripts/setlocalversion,
	# whatever the directory around the cache is.
	make --no-print-directory -C "$TREE" LOCALVERSION= "$@"
}

# allnoconfig with the fragment, olddefconfig, and the check that nothing
# the fragment asks for was dropped.
configure() {
	local t0=$SECONDS
	[ -f "$DIR/.configured" ] && [ -f "$TREE/.config" ] && return 0
	msg "configuring: allnoconfig + $(basename "$FRAGMENT") + olddefconfig"
	cp "$FRAGMENT" "$DIR/debug.config"
	{
		kmake allnoconfig KCONFIG_ALLCONFIG="$DIR/debug.config" &&
			kmake olddefconfig
	} >"$DIR/config.log" 2>&1 || {
		tail -n 30 "$DIR/config.log" >&2
		die "configuring failed (log $DIR/config.log)"
	}
	check_config "$DIR/debug.config" "$TREE/.config"
	touch "$DIR/.configured"
	T_CONFIG=$((SECONDS - t0))
}

# Every "CONFIG_X=v" of the fragment must be in .config as is, and no
# "# CONFIG_X is not set" of it may be set there.
check_config() {
	local frag=$1 cfg=$2 sym want got bad=0
	while read -r sym want; do
		got=$(grep -E "^$sym=" "$cfg" | cut -d= -f2-) || got=""
		case $want in
		n) case $got in "" | n) continue ;; esac ;;
		*) [ "$got" != "$want" ] || continue ;;
		esac
		[ "$bad" -eq 1 ] ||
			msg "these options of $(basename "$frag") did not make it into .config:"
		bad=1
		echo "  $sym: wanted ${want}, got ${got:-n (not set)}" >&2
	done < <(fragment_options "$frag")
	[ "$bad" -eq 0 ] && return 0
	msg "Kconfig dropped them: an option wanted on has unmet dependencies, one"
	msg "wanted off is selected by another or cannot be turned off. See why with"
	msg "  make -C $TREE menuconfig  (then / and the option's name)"
	msg "and fix $FRAGMENT"
	rm -f "$DIR/.configured"
	exit 1
}

build() {
	local t0=$SECONDS m
	[ -f "$DIR/.built" ] && return 0
	msg "building bzImage and modules (make -j$JOBS under nice -n 19; log $DIR/build.log)"
	nice -n 19 make -C "$TREE" LOCALVERSION= -j"$JOBS" bzImage modules \
		>"$DIR/build.log" 2>&1 || {
		if grep -qE '(error|Error [0-9]+):' "$DIR/build.log"; then
			grep -E -B2 -A5 '(error|Error [0-9]+):' "$DIR/build.log" | head -n 60 >&2
		else
			tail -n 40 "$DIR/build.log" >&2
		fi
		die "the kernel build failed after $((SECONDS - t0)) s (log $DIR/build.log)"
	}
	for m in arch/x86/boot/bzImage Module.symvers $EXTRA_MODULES_KO; do
		[ -f "$TREE/$m" ] || die "the build made no $m"
	done
	kmake -s kernelrelease >"$DIR/kver"
	touch "$DIR/.built"
	T_BUILD=$((SECONDS - t0))
}

write_outdir() {
	local out=$1 m
	mkdir -p "$out/modules"
	cp "$TREE/arch/x86/boot/bzImage" "$out/vmlinuz"
	cp "$TREE/.config" "$out/config"
	cp "$DIR/kver" "$out/kver"
	for m in $EXTRA_MODULES_KO; do
		cp "$TREE/$m" "$out/modules/"
	done
	rm -rf "$out/build"
	ln -s "$TREE" "$out/build"
}

# ---------------------------------------------------------------- main

main() {
	local out key m cached=1
	[ $# -eq 1 ] || usage
	[ "$(uname -m)" = x86_64 ] || die "builds an x86_64 kernel on an x86_64 host only"
	[ -f "$FRAGMENT" ] || die "no $FRAGMENT"
	mkdir -p "$1" "$SNULL_CACHE/locks" "$SNULL_CACHE/debug-kernel"
	out=$(cd "$1" && pwd)
	APT_LOG=$SNULL_CACHE/debug-kernel/apt.log
	EXTRA_MODULES_KO=""
	for m in $EXTRA_MODULES; do
		EXTRA_MODULES_KO="$EXTRA_MODULES_KO $m.ko"
	done

	# One run at a time: runs with the same key share the tree.
	exec 9>"$SNULL_CACHE/locks/debug-kernel.lock"
	if ! flock -n 9; then
		msg "waiting for another debug-kernel.sh to finish"
		flock 9
	fi

	ensure_packages
	key=$(cache_key)
	DIR=$SNULL_CACHE/debug-kernel/$key
	TREE=$DIR/linux
	mkdir -p "$DIR"
	[ -f "$DIR/.built" ] || cached=0
	extract
	configure
	build
	touch "$DIR/.used"
	write_outdir "$out"
	prune_cache

	if [ "$cached" -eq 1 ]; then
		msg "$(cat "$DIR/kver"): cached build ${key:0:12} -> $out [$((SECONDS - T0)) s]"
	else
		msg "$(cat "$DIR/kver"): built ${key:0:12} -> $out" \
			"[apt ${T_APT}s, unpack ${T_EXTRACT}s, config ${T_CONFIG}s," \
			"build ${T_BUILD}s, total $((SECONDS - T0))s; cache $(du -sh "$DIR" | cut -f1)]"
	fi
}

main "$@"; exit
