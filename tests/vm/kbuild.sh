#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare snull for the newest kernel of one flavour of a Debian release:
# build snull.ko with W=1 against that kernel's headers (any warning fails)
# and fetch the matching kernel image, to boot in QEMU.
#
#   tests/vm/kbuild.sh KEY OUTDIR
#
# KEY names a line of tests/vm/kernels.list (bookworm, trixie-rt, ...). The
# host's own release uses the host's headers; any other release builds in a
# debootstrap chroot of that release, because newer headers need their own
# gcc. OUTDIR receives:
#   snull.ko  vmlinuz  kver  config
#   modules/  the test modules of tests/vm/harness.sh and their dependencies
#   build.log (make's output)  kbuild.log (debootstrap's and apt's)
#
# Environment:
#   SNULL_CACHE           chroots, kernels, builds (default $HOME/.cache/snull)
#   SNULL_MIRROR          Debian archive URI (default: the host's apt sources)
#   SNULL_SECURITY_MIRROR security archive URI (default: the host's apt sources)
#
# Needs root (debootstrap, chroot, mount) and the network to the archive.
# shellcheck disable=SC2016 # dpkg-query formats and sh -c scripts
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
LIST=$REPO/tests/vm/kernels.list
# shellcheck source=tests/vm/harness.sh
. "$REPO/tests/vm/harness.sh"
SNULL_CACHE=${SNULL_CACHE:-$HOME/.cache/snull}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# What the chroot needs besides linux-headers-FLAVOUR, which brings the gcc
# the release's kernel was built with. perl: W=1 runs scripts/kernel-doc, which
# needs Pod::Usage, on external modules too up to 6.12 (7.2 skips them).
CHROOT_PKGS="debian-archive-keyring make perl xz-utils zstd"

# Re-read the chroot's package lists when they are older than this.
LISTS_MAX_AGE_MIN=1440

ROOT=""		# the chroot; empty when building on the host itself
LOG=/dev/null	# OUTDIR/kbuild.log once known
MOUNTED=""	# what we mounted in the chroot, unmounted on exit
TMPDIRS=""	# removed on exit
T_BOOTSTRAP=0 T_APT=0 T_FETCH=0 T_BUILD=0

msg() { echo "kbuild.sh: $*" >&2; }
die() { msg "$*"; exit 1; }

# Run a command with its (long) output going to $LOG; show the end of it if
# the command fails.
logged() {
	local rc=0
	echo "+ $*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || { tail -n 30 "$LOG" >&2; msg "failed ($rc): $*; see $LOG"; }
	return "$rc"
}

usage() {
	sed -n '8p' "$0" | sed 's/^# *//' >&2
	exit 2
}

# ---------------------------------------------------------------- helpers

cleanup() {
	local d
	umount_chroot
	for d in $TMPDIRS; do
		safe_rm "$d"
	done
}

# rm -rf that refuses to descend into a tree something is mounted in (a
# bind-mounted /dev would otherwise lose the host's device nodes).
safe_rm() {
	[ -e "$1" ] || return 0
	if awk -v p="$1" '$2 == p || index($2, p "/") == 1 { f = 1 } END { exit !f }' \
		/proc/mounts; then
		msg "not removing $1: something is mounted in it"
		return 1
	fi
	rm -rf "$1"
}

# Run a command in the release's root: the chroot, or the host when ROOT="".
# The chroot gets a clean environment, C messages and no debconf questions.
in_root() {
	if [ -z "$ROOT" ]; then
		LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
	else
		chroot "$ROOT" /usr/bin/env -i HOME=/root LC_ALL=C \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive "$@"
	fi
}

# True when every named package is installed in the release's root.
installed() {
	local p
	for p; do
		[ "$(in_root dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] ||
			return 1
	done
}

# dpkg's lock may be held by another kbuild.sh on the host, or by
# tests/vm/debug-kernel.sh: wait for it.
apt_install() {
	in_root apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

# Install packages on the host itself (what makes the chroot), whatever
# ROOT is; the package lists are refreshed once if the first try fails.
# Another release, or tests/vm/debug-kernel.sh, may hold dpkg's lock: wait.
host_install() {
	local q="-y -q --no-install-recommends -o DPkg::Lock::Timeout=600"
	# shellcheck disable=SC2086 # the options are words
	LC_ALL=C DEBIAN_FRONTEND=noninteractive apt-get install $q "$@" || {
		LC_ALL=C apt-get update -q &&
			LC_ALL=C DEBIAN_FRONTEND=noninteractive apt-get install $q "$@"
	}
}

# Read KEY's line of kernels.list into RELEASE, FLAVOUR and SUITES.
read_list() {
	local line
	line=$(sed 's/#.*//' "$LIST" | awk -v k="$1" '$1 == k { print; exit }')
	[ -n "$line" ] || die "$1 is not in $LIST"
	read -r _ RELEASE FLAVOUR SUITES _ <<<"$line"
	[ -n "${FLAVOUR:-}" ] || die "$LIST: $1 needs a release and a flavour"
	[ -n "${SUITES:-}" ] || SUITES=-
}

host_codename() {
	# shellcheck disable=SC1091 # the host's, not ours
	(. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# ---------------------------------------------------------------- mirrors

# Print "URI SUITE..." for every enabled binary source of the host's apt,
# from one-line sources.list files and deb822 .sources files alike.
host_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [options] URI SUITE COMPONENT...
		awk '{ sub(/\[[^]]*\]/, "") } $1 == "deb" { print $2, $3 }' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# Stanzas of "Field: value" lines, blank-line separated; values
		# may go on in lines that start with a blank.
		awk '
		function flush(   n, u, k) {
			if (v["types"] ~ /(^| )deb( |$)/ && tolower(v["enabled"]) != "no") {
				n = split(v["uris"], u, " ")
				for (k = 1; k <= n; k++) print u[k], v["suites"]
			}
			delete v
		}
		/^#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[ \t]/ { v[f] = v[f] " " $0; next }
		{ f = tolower($0); sub(/:.*/, "", f); s = $0; sub(/^[^:]*:[ \t]*/, "", s); v[f] = s }
		END { flush() }' "$f"
	done
}

# Set MIRROR (serves the host's release) and SECURITY_MIRROR (serves its
# -security suite) from the host's apt sources, read now: the archive may be
# a local mirror or a snapshot that differs between machines.
find_mirrors() {
	local host=$1 sources
	sources=$(host_sources | tr -s ' \t' ' ')
	MIRROR=${SNULL_MIRROR:-$(awk -v s="$host" '{
		for (i = 2; i <= NF; i++) if ($i == s) { print $1; exit } }' <<<"$sources")}
	SECURITY_MIRROR=${SNULL_SECURITY_MIRROR:-$(awk -v s="$host-security" '{
		for (i = 2; i <= NF; i++) if ($i == s) { print $1; exit } }' <<<"$sources")}
	[ -n "$MIRROR" ] ||
		die "no apt source serves $host; set SNULL_MIRROR to a Debian archive"
	MIRROR=${MIRROR%/}
	SECURITY_MIRROR=${SECURITY_MIRROR%/}
}

# ---------------------------------------------------------------- the chroot

mount_chroot() {
	local m
	# objtool reads /proc; apt and gcc want /dev/null and friends.
	for m in proc sys dev; do
		mountpoint -q "$ROOT/$m" && continue
		case $m in
		proc) mount -t proc proc "$ROOT/proc" ;;
		sys) mount -t sysfs sysfs "$ROOT/sys" ;;
		# rslave: what apt mounts under dev/ never reaches the host
		dev) mount --rbind /dev "$ROOT/dev" && mount --make-rslave "$ROOT/dev" ;;
		esac
		MOUNTED="$m $MOUNTED"
	done
}

umount_chroot() {
	local m
	for m in $MOUNTED; do
		umount -R "$ROOT/$m" 2>/dev/null || umount -R -l "$ROOT/$m" ||
			msg "could not unmount $ROOT/$m"
	done
	MOUNTED=""
}

# Create the chroot once; a half-made one never looks ready.
ensure_chroot() {
	local rel=$1 new=$ROOT.new t0=$SECONDS
	[ -f "$ROOT/.snull-ready" ] && return 0
	# On the host: the chroot does not exist yet (a fresh machine has
	# neither, and apt_install would chroot into nothing).
	if ! command -v debootstrap >/dev/null || [ ! -f "$KEYRING" ]; then
		msg "installing debootstrap on the host"
		logged host_install debootstrap debian-archive-keyring
	fi
	safe_rm "$new"
	mkdir -p "$(dirname "$ROOT")"
	msg "debootstrap $rel from $MIRROR (a few minutes)"
	# debootstrap checks the Release signature with gpgv but, unlike apt,
	# ignores Valid-Until, so an expired snapshot archive is fine here.
	if ! logged debootstrap --variant=minbase --include="${CHROOT_PKGS// /,}" \
		--keyring="$KEYRING" --force-check-gpg "$rel" "$new" "$MIRROR"; then
		[ ! -f "$new/debootstrap/debootstrap.log" ] ||
			tail -n 30 "$new/debootstrap/debootstrap.log" >&2
		die "debootstrap $rel failed"
	fi
	safe_rm "$ROOT"
	mv "$new" "$ROOT"
	touch "$ROOT/.snull-ready"
	T_BOOTSTRAP=$((SECONDS - t0))
}

# The release's suites, as one deb822 stanza per archive.
chroot_sources() {
	local rel=$1 s sec=""
	local suites=$rel
	for s in ${SUITES//,/ }; do
		case $s in
		-) ;;
		security) sec="$rel-security" ;;
		*) suites="$suites $rel-$s" ;;
		esac
	done
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
		"$MIRROR" "$suites" "$KEYRING"
	if [ -n "$sec" ] && [ -n "$SECURITY_MIRROR" ]; then
		printf '\nTypes: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
			"$SECURITY_MIRROR" "$sec" "$KEYRING"
	fi
}

# Point the chroot's apt at the host's archive with the host's apt settings
# (they allow the snapshot's expired Release files), on every run.
configure_chroot_apt() {
	local rel=$1 src=$ROOT/etc/apt/sources.list.d/snull.sources f
	for f in /etc/apt/apt.conf.d/*; do
		[ -f "$f" ] && cp "$f" "$ROOT/etc/apt/apt.conf.d/"
	done
	rm -f "$ROOT/etc/apt/sources.list"	# debootstrap's, mirror only
	if ! chroot_sources "$rel" | cmp -s - "$src"; then
		chroot_sources "$rel" >"$src"
		rm -f "$ROOT/var/lib/apt/snull-updated"	# new sources: re-read
	fi
	[ ! -e /etc/resolv.conf ] || cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
	# Nothing installed here may start a daemon.
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
	chmod 755 "$ROOT/usr/sbin/policy-rc.d"
}

# Install (or upgrade to the newest) linux-headers-FLAVOUR; apt-get update
# only when the lists are missing or a day old, so reruns stay offline.
chroot_headers() {
	local stamp=$ROOT/var/lib/apt/snull-updated t0=$SECONDS
	# shellcheck disable=SC2086 # a list of package names
	if [ -z "$(find "$stamp" -mmin -"$LISTS_MAX_AGE_MIN" 2>/dev/null)" ]; then
		msg "apt-get update in the $RELEASE chroot"
		logged in_root apt-get update -q
		touch "$stamp"
		logged apt_install "linux-headers-$FLAVOUR" $CHROOT_PKGS
	elif ! installed "linux-headers-$FLAVOUR" $CHROOT_PKGS; then
		logged apt_install "linux-headers-$FLAVOUR" $CHROOT_PKGS
	fi
	T_APT=$((T_APT + SECONDS - t0))
}

# The headers depend on the kernel image, so apt installs one in the chroot
# (not the one we boot: that is downloaded and unpacked). Building its
# initramfs would only cost time, so divert update-initramfs to true.
no_initramfs() {
	local u=/usr/sbin/update-initramfs
	in_root dpkg-divert --list "$u" | grep -q . && return 0
	logged in_root dpkg-divert --local --rename --divert "$u.real" --add "$u"
	ln -sf /bin/true "$ROOT$u"
}

# ---------------------------------------------------------------- the host

host_headers() {
	local t0=$SECONDS
	installed "linux-headers-$FLAVOUR" && return 0
	msg "installing linux-headers-$FLAVOUR on the host"
	logged host_install "linux-headers-$FLAVOUR"
	T_APT=$((SECONDS - t0))
}

# ---------------------------------------------------------------- kernel

# Set KVER (uname -r of the kernel) and KVERSION (its Debian version) from
# the installed linux-headers-FLAVOUR metapackage.
find_kver() {
	local dep
	dep=$(in_root dpkg-query -W -f='${Depends}' "linux-headers-$FLAVOUR")
	KVER=$(sed -n 's/.*linux-headers-\([^ ,]*\)-'"$FLAVOUR"' .*/\1/p' <<<"$dep ")
	[ -n "$KVER" ] || die "cannot tell the kernel from: $dep"
	KVER=$KVER-$FLAVOUR
	KDIR=/usr/src/linux-headers-$KVER
	[ -f "$ROOT$KDIR/Makefile" ] || die "no $ROOT$KDIR"
	KVERSION=$(in_root dpkg-query -W -f='${Version}' "linux-headers-$KVER")
	KCACHE=$SNULL_CACHE/kernels/$KVER
}

# Download the kernel's packages and unpack them (never install them) into
# $KCACHE as tests/run.sh lays it out: vmlinuz, config, lib/modules/KVER.
fetch_kernel() {
	local dl deb t0=$SECONDS pkgs=()
	kernel_cached && return 0
	make_tmp
	dl=$TMP
	mapfile -t pkgs < <(kernel_packages "$KVER" "$KVERSION" in_root)
	if [ ${#pkgs[@]} -eq 0 ]; then
		# The lists may be stale (a host that never ran apt-get update).
		logged in_root apt-get update -q
		mapfile -t pkgs < <(kernel_packages "$KVER" "$KVERSION" in_root)
	fi
	[ ${#pkgs[@]} -gt 0 ] || die "no kernel image package for $KVER ($KVERSION)"
	msg "downloading ${pkgs[*]} ($KVERSION)"
	# apt downloads as the _apt user.
	in_root chown _apt "${dl#"$ROOT"}" 2>/dev/null || chmod 0777 "$dl"
	logged in_root sh -c 'cd "$1" && shift && apt-get download -q "$@"' sh \
		"${dl#"$ROOT"}" "${pkgs[@]/%/=$KVERSION}" ||
		die "could not download ${pkgs[*]}"
	for deb in "$dl"/*.deb; do
		in_root dpkg-deb -x "${deb#"$ROOT"}" "${dl#"$ROOT"}/x"
	done
	unpack_kernel "$dl/x" "$dl/k" "$KVER" || die "cannot unpack ${pkgs[*]}"
	printf '%s\n' "$KVERSION" "${pkgs[@]}" >"$dl/k/package"
	mkdir -p "$SNULL_CACHE/kernels"
	safe_rm "$KCACHE"
	mv "$dl/k" "$KCACHE"	# atomic: a half-done download never looks cached
	T_FETCH=$((SECONDS - t0))
}

# tests/run.sh fills the same cache, without the package file we add.
kernel_cached() {
	[ -f "$KCACHE/vmlinuz" ] || return 1
	[ ! -f "$KCACHE/package" ] || [ "$(head -n 1 "$KCACHE/package")" = "$KVERSION" ]
}

# Set TMP to a new scratch directory inside the release's root, on the
# cache's file system (so a finished kernel moves into the cache
# atomically); removed on exit. Not for $(...): the list must survive.
make_tmp() {
	local base=$SNULL_CACHE/tmp
	[ -z "$ROOT" ] || base=$ROOT/var/tmp
	mkdir -p "$base"
	TMP=$(mktemp -d "$base/snull.XXXXXX")
	TMPDIRS="$TMPDIRS $TMP"
}

# ---------------------------------------------------------------- build

# Build snull.ko with W=1 in the release's root; any warning or error fails.
build_snull() {
	local b=$1 log=$2 rc=0 t0=$SECONDS
	copy_sources "$REPO/src" "$ROOT$b"
	msg "building snull.ko (W=1) against $KDIR"
	build_module "$KDIR" "$b" "$log" -- in_root || rc=1
	T_BUILD=$((SECONDS - t0))
	[ "$rc" -eq 0 ] && return 0
	build_problems "$log" >&2 || tail -n 40 "$log" >&2
	die "snull does not build cleanly with W=1 against $KVER (log $log)"
}

# ---------------------------------------------------------------- output

write_outdir() {
	local out=$1 b=$2
	mkdir -p "$out"
	cp "$ROOT$b/snull.ko" "$out/snull.ko"
	cp "$KCACHE/vmlinuz" "$out/vmlinuz"
	[ ! -f "$KCACHE/config" ] || cp "$KCACHE/config" "$out/config"
	echo "$KVER" >"$out/kver"
	rm -rf "$out/modules"
	# shellcheck disable=SC2086 # a list of module paths
	stage_modules "$KCACHE/lib/modules/$KVER/kernel" "$out/modules" \
		$SNULL_EXTRA_MODULES || die "cannot stage the test modules of $KVER"
}

# ---------------------------------------------------------------- main

main() {
	local key rel out host b log
	[ $# -eq 2 ] || usage
	key=$1 out=$2
	[ "$(id -u)" -eq 0 ] || die "must run as root (apt, debootstrap, chroot)"
	read_list "$key"
	rel=$RELEASE
	host=$(host_codename)
	mkdir -p "$SNULL_CACHE/locks" "$out"
	out=$(cd "$out" && pwd)
	log=$out/build.log
	LOG=$out/kbuild.log
	: >"$LOG"

	# One run per release at a time: the keys of a release (its flavours)
	# share the chroot and its apt.
	exec 9>"$SNULL_CACHE/locks/$rel.lock"
	flock 9
	trap cleanup EXIT
	trap 'exit 130' INT TERM HUP

	if [ "$rel" = "$host" ]; then
		host_headers
		b=$SNULL_CACHE/build/$key
	else
		ROOT=$SNULL_CACHE/chroot/$rel
		find_mirrors "$host"
		ensure_chroot "$rel"
		configure_chroot_apt "$rel"
		mount_chroot
		no_initramfs
		chroot_headers
		b=/var/tmp/snull-build-$key
	fi
	find_kver
	fetch_kernel
	build_snull "$b" "$log"
	umount_chroot
	write_outdir "$out" "$b"
	echo "kbuild.sh: $key: $KVER ($KVERSION, $(gcc_of)): snull.ko W=1 clean -> $out" \
		"[debootstrap ${T_BOOTSTRAP}s, apt ${T_APT}s, image ${T_FETCH}s, build ${T_BUILD}s]"
}

# The compiler the headers were configured with, for the summary.
gcc_of() {
	sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"/\1/p' "$ROOT$KDIR/.config" 2>/dev/null |
		awk '{ print $1, $NF }'
}

main "$@"
