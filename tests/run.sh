#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build snull and run its tests (or the demo) in a QEMU virtual machine.
#
#   tests/run.sh                      every tests/t_*.sh, TAP on stdout
#   tests/run.sh --tests "t_a t_b"    a subset (names without .sh)
#   tests/run.sh --demo               boot once and run tests/demo.sh
#   tests/run.sh --bench              boot once and run bench/guest.sh (make
#                                     bench: bench/bench.sh reads its output)
#   tests/run.sh --stress             the stress suite (tests/s_*.sh) instead
#   tests/run.sh --all                both suites
#   tests/run.sh --pass NAME          of those, the tests whose "# snull-passes:"
#                                     line names NAME (copy, rt or debug)
#   tests/run.sh --kernel DIR         boot a prepared kernel: DIR holds snull.ko
#                                     built for it, vmlinuz, kver and modules/
#                                     (tests/vm/kbuild.sh, debug-kernel.sh)
#
# Environment:
#   KDIR              kernel build tree (default: scripts/find-kdir)
#   SNULL_CACHE       caches and work dirs (default: $HOME/.cache/snull)
#   SNULL_VM_TIMEOUT  seconds one VM boot may take (default 1800)
#   SNULL_TEST_TIMEOUT seconds one test script may take (default 600)
#   SNULL_KO          use this snull.ko instead of building src/ (harness work)
#   SNULL_TESTS_DIR   take t_*.sh, lib.sh and demo.sh from here (harness work)
#   SNULL_KEEP        keep the guest root and initramfs in the work dir
#   SNULL_VM_MEM      guest memory in MiB (default 1024)
#   SNULL_JOBS        VMs that run at once, each with a share of the tests
#                     (default: one a host core, fewer when the memory
#                     available does not hold that many VMs)
#   SNULL_PARAMS      module parameters every snull_load (tests/lib.sh) passes
#                     ahead of the test's own, e.g. "copy=1" (make check-copy)
#
# The kernel under test is Debian's own image for the installed headers,
# downloaded once with apt-get into the cache (never installed). Results
# leave the VM only through its second serial port; see tests/vm/init.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
VMDIR=$REPO/tests/vm
# shellcheck source=tests/vm/harness.sh
. "$VMDIR/harness.sh"
TESTS_DIR=${SNULL_TESTS_DIR:-$REPO/tests}
SNULL_CACHE=${SNULL_CACHE:-${HOME:-/root}/.cache/snull}
SNULL_VM_TIMEOUT=${SNULL_VM_TIMEOUT:-1800}
SNULL_TEST_TIMEOUT=${SNULL_TEST_TIMEOUT:-600}
SNULL_VM_MEM=${SNULL_VM_MEM:-1024}
# One VM a host core (TCG runs a VM on one host thread), as long as the
# memory available holds them: a VM takes SNULL_VM_MEM and about 200 MiB
# of QEMU's own.
default_jobs() {
	local cores mem
	cores=$(nproc 2>/dev/null || echo 1)
	mem=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo 2>/dev/null)
	mem=$(( ${mem:-0} / (SNULL_VM_MEM + 200) ))
	[ "$mem" -ge 1 ] || mem=1
	echo $((cores < mem ? cores : mem))
}
SNULL_JOBS=${SNULL_JOBS:-$(default_jobs)}
[ "$SNULL_JOBS" -ge 1 ] 2>/dev/null || SNULL_JOBS=1
# One host thread runs both vCPUs. With thread=multi, a vCPU can execute a
# stale translation of kernel text the other vCPU is patching (static keys
# use int3 while they toggle), and the guest dies of "Oops: int3" in code
# that has nothing to do with snull. Seen on 6.12 under QEMU 7.2.
QEMU_ACCEL=tcg,thread=single
QEMU_CPU=qemu64
QEMU_SMP=2
KERNEL_DIR=""
# Messages below this level reach the serial console (console.log); see
# prepare() for the debug kernel's.
CONSOLE_LOGLEVEL=7
TEST_PREFIX=t_

# Packages the host needs; linux-headers-amd64 only when no headers exist.
# perl: W=1 runs the kernel's scripts/kernel-doc, which needs more than
# perl-base; netbase: /etc/protocols and /etc/services for the guest.
HOST_PKGS="qemu-system-x86 busybox-static iproute2 ethtool tcpdump iperf3 gcc
make libc6-dev cpio dash kmod xz-utils zstd perl netbase"

# What the benchmark (--bench, bench/bench.sh) adds: the host packages of
# the tools it stages, and the modules of the subjects it compares snull to.
# perf (linux-perf: bookworm's matches its 6.1 kernel) only with
# SNULL_BENCH_PROFILE=1.
BENCH_PKGS="sockperf coreutils"
[ "${SNULL_BENCH_PROFILE:-0}" != 1 ] || BENCH_PKGS="$BENCH_PKGS linux-perf"
BENCH_MODULES="drivers/net/veth"

# Real tools copied into the guest; busybox must not shadow them.
GUEST_TOOLS="ip tc ss ethtool tcpdump iperf3"

MODE=tests
SELECTED=""
# The reduced passes a test may join with a "# snull-passes: NAME..." line
# in its header; --pass NAME runs only the tests that name it, and without
# --pass every test runs. CI runs each pass where a full run costs more
# than it finds: copy (make check-copy: the tests whose outcome depends on
# the receive path's copy mode and do not set it themselves), rt (the
# PREEMPT_RT kernels: locking, interrupts, timers, the watchdog) and debug
# (make check-debug: memory lifetimes under KASAN, kmemleak and lockdep).
PASSES="copy rt debug"
PASS=""
APT_UPDATED=0

msg() { echo "run.sh: $*" >&2; }
die() { msg "$*"; exit 2; }

# Whatever stops the harness early, CI still gets a TAP verdict.
FINISHED=0
on_exit() {
	local status=$?
	[ "$FINISHED" -eq 0 ] && [ "$MODE" = tests ] || return 0
	tap_not_ok "harness: tests/run.sh stopped early (status $status; see its stderr)"
	finish_tap || true
}

usage() {
	sed -n '4,17s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--demo) MODE=demo ;;
		--bench) MODE=bench ;;
		--tests) [ $# -ge 2 ] || usage; SELECTED=$2; shift ;;
		--tests=*) SELECTED=${1#--tests=} ;;
		--stress) TEST_PREFIX=s_ ;;
		--all) TEST_PREFIX="t_ s_" ;;
		--pass) [ $# -ge 2 ] || usage; PASS=$2; shift ;;
		--pass=*) PASS=${1#--pass=} ;;
		--kernel) [ $# -ge 2 ] || usage; KERNEL_DIR=$(cd "$2" && pwd); shift ;;
		-h|--help) usage ;;
		*) msg "unknown option: $1"; usage ;;
		esac
		shift
	done
}

# ---------------------------------------------------------------- TAP output

# The TAP functions are tests/vm/harness.sh's; the harness may stop once.
finish_tap() {
	FINISHED=1
	tap_finish
}

# ---------------------------------------------------------------- host setup

# dpkg's lock may be held by another apt-get (the kernel matrix prepares its
# releases in the background, and other runs install too): wait for it.
APT_LOCK="-o DPkg::Lock::Timeout=600"

apt_update_once() {
	if [ "$APT_UPDATED" -eq 0 ]; then
		msg "apt-get update"
		# shellcheck disable=SC2086 # the option is two words
		apt-get update -qq $APT_LOCK >&2
		APT_UPDATED=1
	fi
}

pkg_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
}

ensure_host_deps() {
	local missing="" p
	for p in $HOST_PKGS; do
		pkg_installed "$p" || missing="$missing $p"
	done
	if [ -z "${KDIR:-}" ] && ! "$REPO/scripts/find-kdir" >/dev/null 2>&1; then
		missing="$missing linux-headers-amd64"
	fi
	[ "$MODE" != bench ] || for p in $BENCH_PKGS; do
		pkg_installed "$p" || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	msg "installing:$missing"
	apt_update_once
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $APT_LOCK \
		--no-install-recommends $missing >&2
}

# The release the kernel reports (uname -r). Debian's kernel.release holds the
# upstream version (6.1.x), so prefer UTS_RELEASE, which matches vermagic.
kernel_release() {
	local uts=$KDIR/include/generated/utsrelease.h
	if [ -f "$uts" ]; then
		sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$uts"
	else
		cat "$KDIR/include/config/kernel.release"
	fi
}

# ---------------------------------------------------------------- build

# Build snull.ko with W=1 (tests/vm/harness.sh); any warning fails the run.
check_build() {
	local log=$WORK/build.log desc="build: snull.ko builds with W=1 and no warnings"
	if [ -n "$KERNEL_DIR" ]; then
		# tests/vm/kbuild.sh or tests/debug.sh built it with W=1; its log
		# is there to check again. No log proves nothing.
		SNULL_KO_FILE=$KERNEL_DIR/snull.ko
		log=$KERNEL_DIR/build.log
		desc="build: snull.ko for $KVER built with W=1 and no warnings"
		if [ ! -f "$log" ]; then
			tap_not_ok "$desc"
			echo "# no build log: $log"
			return 1
		fi
	elif [ -n "${SNULL_KO:-}" ]; then
		[ -f "$SNULL_KO" ] || die "SNULL_KO=$SNULL_KO does not exist"
		SNULL_KO_FILE=$SNULL_KO
		tap_ok "build: skipped, SNULL_KO=$SNULL_KO is tested instead of src/ # SKIP"
		return 0
	else
		msg "building snull.ko (W=1) against $KDIR"
		# In a copy of src/ of this run's own: nothing up to date hides its
		# warnings, and runs at the same time do not build over each other.
		copy_sources "$REPO/src" "$WORK/src"
		build_module "$KDIR" "$WORK/src" "$log" || true
		SNULL_KO_FILE=$WORK/src/snull.ko
	fi
	if [ -f "$SNULL_KO_FILE" ] && ! grep -q . <(build_problems "$log"); then
		tap_ok "$desc"
		return 0
	fi
	tap_not_ok "$desc"
	{ build_problems "$log" || tail -n 40 "$log"; } | tap_diag
	[ -f "$SNULL_KO_FILE" ] || echo "# no $SNULL_KO_FILE"
	echo "# full log: $log"
	return 1
}

# Compile the static helper programs the tests use inside the VM.
build_tools() {
	local c name out rc=0
	mkdir -p "$WORK/tools"
	for c in "$TESTS_DIR"/tools/*.c; do
		[ -f "$c" ] || continue
		name=$(basename "$c" .c)
		if out=$(gcc -static -O2 -Wall -Werror -I"$REPO/src" \
			-o "$WORK/tools/$name" "$c" 2>&1); then
			tap_ok "build: tools/$name.c compiles with -Wall -Werror"
		else
			tap_not_ok "build: tools/$name.c compiles with -Wall -Werror"
			printf '%s\n' "$out" | head -n 60 | tap_diag
			rc=1
		fi
	done
	return $rc
}

# ---------------------------------------------------------------- kernel image

# Fetch Debian's kernel image matching the headers into the cache:
# $KCACHE/vmlinuz and $KCACHE/lib/modules/$KVER. Downloaded, never installed.
fetch_kernel() {
	local version tmp dl deb pkgs=()
	[ -z "$KERNEL_DIR" ] || return 0
	[ -f "$KCACHE/vmlinuz" ] && return 0
	version=$(dpkg-query -W -f='${Version}' "linux-headers-$KVER" 2>/dev/null) ||
		die "no linux-headers-$KVER package: put a vmlinuz and lib/modules/$KVER into $KCACHE"
	mapfile -t pkgs < <(kernel_packages "$KVER" "$version")
	if [ ${#pkgs[@]} -eq 0 ]; then
		# The package lists may be stale or absent on a fresh machine.
		apt_update_once
		mapfile -t pkgs < <(kernel_packages "$KVER" "$version")
	fi
	[ ${#pkgs[@]} -gt 0 ] || die "no kernel image package for $KVER ($version)"
	msg "downloading ${pkgs[*]} ($version)"
	# apt drops privileges to _apt for downloads: use a directory it can
	# reach (the cache may sit in a home directory it cannot enter).
	dl=$(mktemp -d)
	chown _apt "$dl" 2>/dev/null || chmod 0777 "$dl"
	(cd "$dl" && apt-get download -q "${pkgs[@]/%/=$version}" >&2) ||
		{ rm -rf "$dl"; die "could not download ${pkgs[*]} ($version)"; }
	tmp=$(mktemp -d "$SNULL_CACHE/kernel.XXXXXX")
	for deb in "$dl"/*.deb; do
		dpkg -x "$deb" "$tmp/x"
	done
	rm -rf "$dl"
	unpack_kernel "$tmp/x" "$tmp/k" "$KVER" || die "cannot unpack ${pkgs[*]}"
	rm -rf "$KCACHE"
	mkdir -p "$(dirname "$KCACHE")"
	mv "$tmp/k" "$KCACHE"	# a rename: a half-done download never looks cached
	rm -rf "$tmp"
}

# The test modules (tests/vm/harness.sh) and what they depend on, plain, in
# the guest's /lib/snull/extra and, for modprobe, /lib/modules/KVER/extra. A
# prepared kernel (--kernel) has them staged in its modules/ already.
stage_test_modules() {
	local root=$1 extra=$1/lib/snull/extra f mods
	if [ -n "$KERNEL_DIR" ]; then
		mkdir -p "$extra"
		cp "$KERNEL_DIR"/modules/*.ko "$extra/" ||
			die "$KERNEL_DIR/modules holds no modules"
	else
		mods=$SNULL_EXTRA_MODULES
		[ "$MODE" != bench ] || mods="$mods $BENCH_MODULES"
		# shellcheck disable=SC2086 # a list of module paths
		stage_modules "$KCACHE/lib/modules/$KVER/kernel" "$extra" $mods ||
			die "cannot stage the test modules of $KVER"
	fi
	mkdir -p "$root/lib/modules/$KVER/extra"
	cp "$extra"/*.ko "$root/lib/modules/$KVER/extra/"
	# modprobe finds a module's dependencies with these, the kernel's own
	# list of built-in modules included.
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ ! -f "$KCACHE/lib/modules/$KVER/$f" ] ||
			cp "$KCACHE/lib/modules/$KVER/$f" "$root/lib/modules/$KVER/"
	done
	depmod -b "$root" "$KVER" || die "depmod failed for the guest's modules"
}

# ---------------------------------------------------------------- initramfs

# Copy a dynamically linked program and every library it needs.
copy_with_libs() {
	local src=$1 dst=$2 root=$3 lib
	mkdir -p "$root$(dirname "$dst")"
	cp -L "$src" "$root$dst"
	for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# Build the guest's root file system (shared by every boot of this run).
stage_rootfs() {
	local root=$1 tool path applet f
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,lib64,etc/snull} \
		"$root"/{dev,proc,sys,tmp,run,root,var/tmp,tests,scripts,lib/snull/extra}
	chmod 1777 "$root/tmp" "$root/var/tmp"

	# Real tools first, at their host paths (/usr/{s,}bin, ahead of /bin in PATH).
	for tool in $GUEST_TOOLS; do
		path=$(command -v "$tool") || die "host lacks $tool"
		path=$(readlink -f "$path")
		copy_with_libs "$path" "$path" "$root"
		ln -sf "$path" "$root/sbin/$tool"
	done
	copy_with_libs "$(readlink -f "$(command -v dash)")" /bin/sh "$root"

	# Busybox for everything else, except names a real tool provides.
	cp "$(readlink -f "$(command -v busybox)")" "$root/bin/busybox"
	for applet in $("$root/bin/busybox" --list); do
		case " sh $GUEST_TOOLS busybox " in *" $applet "*) continue ;; esac
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done

	# Let the dynamic loader find the copied libraries without guessing.
	printf '%s\n' /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu \
		>"$root/etc/ld.so.conf"
	ldconfig -r "$root" 2>/dev/null || true

	stage_etc "$root"
	[ "$(id -u)" -ne 0 ] || mknod -m 600 "$root/dev/console" c 5 1

	# snull, kernel modules, tests, scripts, tools.
	cp "$SNULL_KO_FILE" "$root/lib/snull/snull.ko"
	stage_test_modules "$root"
	cp "$TESTS_DIR"/t_*.sh "$TESTS_DIR"/s_*.sh "$root/tests/" 2>/dev/null || true
	for f in lib.sh demo.sh; do
		[ ! -f "$TESTS_DIR/$f" ] || cp "$TESTS_DIR/$f" "$root/tests/"
	done
	cp -r "$REPO/scripts/." "$root/scripts/"
	mkdir -p "$root/docs" && cp "$REPO/docs/interface.md" "$root/docs/"
	cp "$WORK"/tools/* "$root/usr/local/bin/" 2>/dev/null || true

	[ "$MODE" != bench ] || stage_bench "$root"

	cp "$VMDIR/init" "$root/init"
	chmod 755 "$root/init"
}

# The benchmark's guest script and tools: sockperf, perf when profiling,
# and coreutils' date (busybox's has no nanoseconds) as /bench/bin/date.
stage_bench() {
	local root=$1 tool path
	mkdir -p "$root/bench/bin"
	cp "$REPO/bench/guest.sh" "$root/bench/"
	for tool in sockperf $([ "${SNULL_BENCH_PROFILE:-0}" != 1 ] || echo perf); do
		path=$(command -v "$tool") || die "host lacks $tool"
		path=$(readlink -f "$path")
		copy_with_libs "$path" "$path" "$root"
		ln -sf "$path" "$root/sbin/$tool"
	done
	copy_with_libs "$(readlink -f /bin/date)" /bench/bin/date "$root"
	ldconfig -r "$root" 2>/dev/null || true
}

stage_etc() {
	local root=$1
	cat >"$root/etc/passwd" <<-'EOF'
	root:x:0:0:root:/root:/bin/sh
	tcpdump:x:102:105::/nonexistent:/bin/false
	nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$root/etc/group" <<-'EOF'
	root:x:0:
	tcpdump:x:105:
	nogroup:x:65534:
	EOF
	printf 'passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\n' \
		>"$root/etc/nsswitch.conf"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$root/etc/hosts"
	echo snull-vm >"$root/etc/hostname"
	cp /etc/protocols /etc/services "$root/etc/"
}

# The initramfs of a boot is the guest root, packed once a run
# (uncompressed: TCG would spend seconds inflating it, and the size does not
# matter), followed by a small archive of the boot's own configuration:
# the kernel unpacks concatenated archives in order. VMs that boot at the
# same time so never share a file being written.
pack_rootfs() {
	local root=$1
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
		>"$WORK/rootfs.cpio"
}

make_initramfs() {
	local out=$1 group=$2 tests=$3 boot=$4 conf
	conf=$(dirname "$out")/conf
	mkdir -p "$conf/etc/snull"
	{
		echo "SNULL_MODE=$MODE"
		echo "SNULL_GROUP=$group"
		echo "SNULL_BOOT=$boot"
		echo "SNULL_TESTS='$tests'"
		echo "SNULL_TEST_TIMEOUT=$SNULL_TEST_TIMEOUT"
		echo "SNULL_PARAMS='${SNULL_PARAMS:-}'"
		[ "$MODE" != bench ] || bench_conf
		if [ "$group" = watchdog ]; then
			echo "SNULL_ALLOWED_TAINT=$((512 | 4096 | 8192))"	# W, O, E
		else
			echo "SNULL_ALLOWED_TAINT=$((4096 | 8192))"	# O, E
		fi
	} >"$conf/etc/snull/boot.conf"
	{
		cat "$WORK/rootfs.cpio"
		(cd "$conf" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
	} >"$out"
	rm -rf "$conf"
}

# The benchmark's settings (bench/bench.sh), the VM's shape and the
# parameters the snull.ko under test has, for bench/guest.sh.
bench_conf() {
	echo "SNULL_BENCH_ROUNDS=${SNULL_BENCH_ROUNDS:-5}"
	echo "SNULL_BENCH_QUICK=${SNULL_BENCH_QUICK:-0}"
	echo "SNULL_BENCH_PROFILE=${SNULL_BENCH_PROFILE:-0}"
	echo "SNULL_BENCH_VM='cpu=$QEMU_CPU vcpus=$QEMU_SMP mem_mib=$SNULL_VM_MEM'"
	echo "SNULL_BENCH_PARMS='$(modinfo -F parm "$SNULL_KO_FILE" 2>/dev/null |
		sed -n 's/^\([a-z_0-9]*\):.*/\1/p' | tr '\n' ' ')'"
}

# ---------------------------------------------------------------- the VM

# Boot VM $1 of kind $2 (main, watchdog or demo) to run tests $3; its logs
# are $WORK/$1/{console,results}.log.
boot_vm() {
	local name=$1 kind=$2 tests=$3 dir=$WORK/$1 append status=0 start
	mkdir -p "$dir"
	make_initramfs "$dir/initramfs.cpio" "$kind" "$tests" "$name"
	# printk.devkmsg=on: tests' markers written to /dev/kmsg are not
	# rate-limited. log_buf_len: the guest scans the log in windows
	# (tests/vm/init); 16 MiB hold a whole boot, so none is lost to a wrap.
	append="console=ttyS0 panic=-1 oops=panic loglevel=$CONSOLE_LOGLEVEL printk.devkmsg=on log_buf_len=16M"
	[ "$kind" = watchdog ] || append="$append panic_on_warn=1"
	: >"$dir/console.log"
	: >"$dir/results.log"
	msg "booting VM '$name' (logs in $dir)"
	start=$(date +%s)
	timeout -k 10 "$SNULL_VM_TIMEOUT" qemu-system-x86_64 \
		-accel "$QEMU_ACCEL" -cpu "$QEMU_CPU" -smp "$QEMU_SMP" -m "$SNULL_VM_MEM" \
		-display none -no-reboot -nodefaults \
		-kernel "$VMLINUZ" -initrd "$dir/initramfs.cpio" \
		-serial "file:$dir/console.log" -serial "file:$dir/results.log" \
		-append "$append" </dev/null >"$dir/qemu.log" 2>&1 || status=$?
	echo "$status" >"$dir/qemu.status"
	[ -n "${SNULL_KEEP:-}" ] || rm -f "$dir/initramfs.cpio"	# 25 MB each
	msg "VM '$name' ended after $(($(date +%s) - start)) s (qemu status $status)"
}

# The one reader of a boot's results.log: print its results as TAP lines
# without numbers ("ok - ...", "not ok - ...", "# ..."), the boot's own
# checks and its "# snull-start T" lines, which the lane and the final
# report follow.
report_boot() {
	local name=$1 dir=$WORK/$1 line done=0 last="" abort=""
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		case $line in
		"# snull-vm-done") done=1 ;;
		"# snull-vm-abort: "*) abort=${line#\# snull-vm-abort: } ;;
		"# snull-start "*) last=${line#\# snull-start }; echo "$line" ;;
		"ok "* | "not ok "* | "#"*) echo "$line" ;;
		"") ;;
		*) echo "# $line" ;;
		esac
	done <"$dir/results.log"

	if [ "$done" -eq 1 ]; then
		echo "ok - vm($name): boot finished"
	elif [ -n "$abort" ]; then
		echo "not ok - vm($name): boot finished (it stopped: $abort)"
	else
		echo "not ok - vm($name): boot finished"
		[ "$(cat "$dir/qemu.status")" != 124 ] ||
			echo "# the VM was killed after SNULL_VM_TIMEOUT=$SNULL_VM_TIMEOUT s"
		# The last test started is the one that killed the VM.
		[ -z "$last" ] || echo "not ok - $last: the VM survives the test"
	fi
	if grep -q 'Kernel panic' "$dir/console.log"; then
		echo "not ok - vm($name): no kernel panic"
	else
		echo "ok - vm($name): no kernel panic"
	fi
	if [ "$done" -eq 0 ] || grep -q 'Kernel panic' "$dir/console.log"; then
		echo "# last 80 lines of $dir/console.log:"
		tail -n 80 "$dir/console.log" | tr -d '\r' | tap_diag
	fi
	echo "# vm($name) logs: $dir/console.log $dir/results.log"
}

# The tests of list $2 that have no "# snull-start" line in TAP text $1.
not_started() {
	local t left=""
	for t in $2; do
		grep -qxF "# snull-start $t" <<<"$1" || left="$left $t"
	done
	echo "${left# }"
}

# run_lane KIND TESTS NAME: boot TESTS as VM NAME, then, as long as a test
# killed its VM with others left, the rest in fresh boots NAME-2, NAME-3...:
# one test does not take the others with it. Prints the boots' reports.
run_lane() {
	local kind=$1 tests=$2 name=$3 n=1 out left
	while [ -n "$tests" ]; do
		boot_vm "$name" "$kind" "$tests"
		out=$(report_boot "$name")
		printf '%s\n' "$out"
		left=$(not_started "$out" "$tests")
		# A VM that started none of its tests, or finished without
		# starting them all: another boot would do the same. The final
		# report counts what never started.
		[ "$left" != "$tests" ] || break
		grep -qxF "ok - vm($name): boot finished" <<<"$out" && break
		[ -z "$left" ] || echo "# $left: continuing in a fresh VM"
		tests=$left
		n=$((n + 1))
		name=${3}-$n
	done
}

# ---------------------------------------------------------------- tests

# All test names, or the validated --tests subset; with --pass, those of
# them that join the pass.
list_tests() {
	local t
	all_tests | while read -r t; do
		[ -z "$PASS" ] || in_pass "$t" || continue
		echo "$t"
	done
}

all_tests() {
	local t p
	if [ -z "$SELECTED" ]; then
		for p in $TEST_PREFIX; do
			for t in "$TESTS_DIR"/"$p"*.sh; do
				[ -f "$t" ] && basename "$t" .sh
			done
		done
		return 0
	fi
	for t in $SELECTED; do
		t=${t%.sh}
		[ -f "$TESTS_DIR/$t.sh" ] || die "no such test: $TESTS_DIR/$t.sh"
		echo "$t"
	done
}

# The passes test $1 joins: the words of its "# snull-passes:" line.
test_passes() {
	sed -n 's/^#[[:space:]]*snull-passes:[[:space:]]*//p' "$TESTS_DIR/$1.sh" | head -n 1
}

in_pass() {
	case " $(test_passes "$1") " in
	*" $PASS "*) return 0 ;;
	esac
	return 1
}

# A pass that is not one of PASSES, or a test naming one, is a typo that
# would silently shrink a run: refuse it.
check_passes() {
	local t w
	[ -n "$PASS" ] || return 0
	case " $PASSES " in
	*" $PASS "*) ;;
	*) die "--pass $PASS: not a pass (the passes: $PASSES)" ;;
	esac
	for t in "$TESTS_DIR"/[ts]_*.sh; do
		t=$(basename "$t" .sh)
		for w in $(test_passes "$t"); do
			case " $PASSES " in
			*" $w "*) ;;
			*) die "$t: snull-passes names $w, not a pass (the passes: $PASSES)" ;;
			esac
		done
	done
}

# A test that provokes a transmit time-out needs a boot without panic_on_warn.
is_watchdog_test() {
	grep -qE '^#[[:space:]]*snull-boot:[[:space:]]*watchdog[[:space:]]*$' \
		"$TESTS_DIR/$1.sh"
}

# What a test costs in seconds, from its "# snull-cost: N" line (a normal
# kernel) or, when the kernel under test is the debug one, its
# "# snull-debug-cost: N" line (default: 10, or 4 times the normal cost).
# The lanes are balanced by it. The numbers are "# T took N s" lines of
# the VMs' results.log, rounded.
COST_KEY=snull-cost
test_cost() {
	local n c
	n=$(marker_number snull-cost "$1")
	n=${n:-10}
	[ "$COST_KEY" = snull-debug-cost ] || { echo "$n"; return; }
	c=$(marker_number snull-debug-cost "$1")
	echo "${c:-$((4 * n))}"
}

# The number N of test $2's "# $1: N" line; empty when it has none.
marker_number() {
	sed -n "s/^#[[:space:]]*$1:[[:space:]]*\([0-9][0-9]*\)[[:space:]]*\$/\1/p" \
		"$TESTS_DIR/$2.sh" | head -n 1
}

# plan_lanes JOBS TEST...: split the tests over JOBS lanes, longest first,
# each to the lane with the least work, and print the plan, a line a boot:
# "LANE KIND TEST...", KIND main or watchdog (the watchdog tests are one
# item: they share a boot without panic_on_warn, first in their lane).
# Lanes boot their VMs at the same time; TCG runs each VM's vCPUs on one
# host thread, so a lane a host core is what pays. Within a lane, tests keep
# the order they were given in.
plan_lanes() {
	local jobs=$1 items="" wd="" wdcost=0 wdlane=-1 t c i best
	local -a load main
	shift
	for ((i = 0; i < jobs; i++)); do
		load[i]=0
		main[i]=" "
	done
	for t; do
		c=$(test_cost "$t")
		if is_watchdog_test "$t"; then
			wd="$wd $t"
			wdcost=$((wdcost + c))
		else
			items="$items$c $t"$'\n'
		fi
	done
	[ -z "$wd" ] || items="$items$wdcost :watchdog"$'\n'
	while read -r c t; do
		[ -n "$t" ] || continue
		best=0
		for ((i = 1; i < jobs; i++)); do
			[ "${load[i]}" -ge "${load[best]}" ] || best=$i
		done
		load[best]=$((load[best] + c))
		if [ "$t" = :watchdog ]; then
			wdlane=$best
		else
			main[best]="${main[best]}$t "
		fi
	done < <(printf '%s' "$items" | sort -k1,1nr -k2,2)
	for ((i = 0; i < jobs; i++)); do
		[ "$i" -ne "$wdlane" ] || echo "$i watchdog$wd"
		c=""
		for t; do
			case ${main[i]} in *" $t "*) c="$c $t" ;; esac
		done
		[ -z "$c" ] || echo "$i main$c"
		[ "$jobs" -eq 1 ] || [ "${load[i]}" -eq 0 ] ||
			msg "lane $((i + 1)): ${load[i]} s estimated:" \
				"$([ "$i" -ne "$wdlane" ] || echo "${wd# } (watchdog boot)")$c"
	done
}

# Number a lane's report (run_lane's output, in FILE) into the TAP stream.
# Every test the plan gave the lane must have started in one of its VMs,
# and the lane must have run to its end: what is missing counts as failed.
report_lane() {
	local tests=$1 file=$2 line started=" " complete=0 t
	if [ -f "$file" ]; then
		while IFS= read -r line; do
			case $line in
			"# snull-start "*) started="$started${line#\# snull-start } " ;;
			"# snull-lane-complete") complete=1 ;;
			"ok - "*) tap_ok "${line#ok - }" ;;
			"not ok - "*) tap_not_ok "${line#not ok - }" ;;
			*) echo "$line" ;;
			esac
		done <"$file"
	fi
	[ "$complete" -eq 1 ] ||
		tap_not_ok "harness: the lane of$tests ran to its end (record: $file)"
	for t in $tests; do
		case $started in
		*" $t "*) ;;
		*) tap_not_ok "$t: not run (it never started in a VM)" ;;
		esac
	done
}

run_tests() {
	local all plan lane kind tests name lanes
	all=$(list_tests)
	[ -n "$all" ] || die "no tests found in $TESTS_DIR${PASS:+ for --pass $PASS}"
	# shellcheck disable=SC2086 # a list of test names
	plan=$(plan_lanes "$SNULL_JOBS" $all)
	lanes=$(cut -d' ' -f1 <<<"$plan" | uniq)
	for lane in $lanes; do
		(
			while read -r _ kind tests; do
				name=$kind
				[ "$kind" = watchdog ] || [ "$SNULL_JOBS" -eq 1 ] ||
					name=main$((lane + 1))
				run_lane "$kind" "$tests" "$name"
			done < <(grep "^$lane " <<<"$plan")
			echo "# snull-lane-complete"
		) >"$WORK/lane-$lane.tap" &
	done
	wait
	for lane in $lanes; do
		report_lane "$(grep "^$lane " <<<"$plan" | cut -d' ' -f3- | tr '\n' ' ' |
			sed 's/^/ /; s/ *$//')" "$WORK/lane-$lane.tap"
	done
}

# The demo, or the benchmark (MODE bench: bench/guest.sh, its output for
# bench/bench.sh): one boot, its output live on fd 3.
run_demo() {
	local dir=$WORK/$MODE status=0 sentinel rc script=$TESTS_DIR/demo.sh
	[ "$MODE" != bench ] || script=$REPO/bench/guest.sh
	[ -f "$script" ] || die "$script does not exist yet"
	mkdir -p "$dir"
	: >"$dir/results.log"
	# Show the demo's output live (the guest copies it to the second port);
	# tail stops a second after the sentinel does.
	sleep 86400 &
	sentinel=$!
	tail -n +1 -f --pid="$sentinel" "$dir/results.log" |
		sed -u -e '/^# snull-/d' -e 's/\r$//' >&3 &
	boot_vm "$MODE" "$MODE" "$MODE"
	sleep 1
	kill "$sentinel"
	wait
	if ! grep -q '^# snull-vm-done' "$dir/results.log"; then
		msg "the VM did not finish the $MODE; last 80 lines of its console:"
		tail -n 80 "$dir/console.log" | tr -d '\r' >&2
		status=1
	fi
	if grep -q 'Kernel panic' "$dir/console.log"; then
		msg "the kernel panicked; see $dir/console.log"
		status=1
	fi
	rc=$(sed -n "s/^# snull-$MODE-exit: \\([0-9]*\\).*/\\1/p" "$dir/results.log")
	[ "${rc:-1}" = 0 ] || { msg "${script##*/} exited with status ${rc:-?}"; status=1; }
	# The guest's log and taint checks (tests/vm/init), as for a test.
	if grep -q '^not ok' "$dir/results.log"; then
		msg "the VM's checks failed:"
		grep -A12 '^not ok' "$dir/results.log" | tr -d '\r' >&2
		status=1
	fi
	msg "console: $dir/console.log"
	return $status
}

# ---------------------------------------------------------------- main

prepare() {
	if [ -n "$KERNEL_DIR" ]; then
		KDIR=none
		ensure_host_deps
		KVER=$(cat "$KERNEL_DIR/kver")
		VMLINUZ=$KERNEL_DIR/vmlinuz
		# tests/vm/debug-kernel.sh leaves the kernel's .config there.
		! grep -q '^CONFIG_DEBUG_KMEMLEAK=y' "$KERNEL_DIR/config" 2>/dev/null ||
			COST_KEY=snull-debug-cost
		# Before "printk: Avoid false positive lockdep report for legacy
		# printing" (v6.12), a kernel with PROVE_RAW_LOCK_NESTING reports
		# "Invalid wait context" when a hard IRQ (the hrtimer's "interrupt
		# took N ns" on a slow host, a deferred printk flushed from the
		# tick) writes to the serial console, whose driver takes a
		# spinlock_t. That is no bug on a kernel without PREEMPT_RT, but it
		# turns lockdep off for the rest of the boot. Only errors go to the
		# console there; the guest reads the whole log with dmesg.
		! grep -q '^CONFIG_PROVE_RAW_LOCK_NESTING=y' "$KERNEL_DIR/config" 2>/dev/null ||
			CONSOLE_LOGLEVEL=4
	else
		ensure_host_deps
		KDIR=${KDIR:-$("$REPO/scripts/find-kdir")}
		[ -d "$KDIR" ] || die "KDIR=$KDIR is not a directory"
		KVER=$(kernel_release)
		[ -n "$KVER" ] || die "cannot tell the kernel release of $KDIR"
		VMLINUZ=$SNULL_CACHE/kernels/$KVER/vmlinuz
	fi
	KCACHE=$SNULL_CACHE/kernels/$KVER
	mkdir -p "$SNULL_CACHE/runs"
	WORK=$(mktemp -d "$SNULL_CACHE/runs/$(date +%Y%m%d-%H%M%S).XXXX")
	# Keep the ten newest work dirs, and any that may belong to a run still
	# going on (the cache is shared).
	find "$SNULL_CACHE/runs" -mindepth 1 -maxdepth 1 -type d | sort | head -n -10 |
		while read -r old; do
			if [ -z "$(find "$old" -maxdepth 0 -mmin -180)" ]; then rm -rf "$old"; fi
		done
	msg "kernel $KVER from $KDIR; work dir $WORK"
}

main() {
	local ok=1
	parse_args "$@"
	check_passes
	trap on_exit EXIT
	# The demo's stdout carries only the demo's output (on fd 3 below).
	[ "$MODE" = tests ] || exec 3>&1 1>&2
	prepare
	check_build || ok=0
	build_tools || ok=0
	if [ "$ok" -eq 0 ]; then
		finish_tap || true
		exit 1
	fi
	fetch_kernel
	stage_rootfs "$WORK/rootfs"
	pack_rootfs "$WORK/rootfs"
	if [ "$MODE" != tests ]; then
		ok=0
		run_demo || ok=$?
		[ -n "${SNULL_KEEP:-}" ] || rm -rf "$WORK/rootfs" "$WORK/rootfs.cpio"
		exit "$ok"
	fi
	run_tests
	[ -n "${SNULL_KEEP:-}" ] || rm -rf "$WORK/rootfs" "$WORK/rootfs.cpio"
	echo "# work dir: $WORK"
	finish_tap
}

main "$@"
