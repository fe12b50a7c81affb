#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-pkg: the packaging, on the host, against Debian's headers
# (KDIR, default scripts/find-kdir), with nothing written outside scratch
# trees:
#   - DKMS: `dkms add` of a copy of the tree, `dkms build` and `dkms install`
#     for KDIR's kernel into a scratch dkms tree and install tree, then
#     `dkms remove`. dkms is Debian's own package of the host's release,
#     fetched with apt-get download and unpacked (dpkg -x) into the cache,
#     never installed. A kernel below 6.1 is refused (BUILD_EXCLUSIVE_KERNEL).
#   - make install: kbuild's modules_install into a scratch INSTALL_MOD_PATH,
#     with the default INSTALL_MOD_DIR (extra) and with updates.
#   - the module parameters: the table of docs/interface.md and the one of
#     README.md list the names `modinfo -p` gives for the module dkms built.
# TAP on stdout, ending in "N passed, M failed". Run as root, as the other
# make targets: dkms refuses to run otherwise.
#
# Environment: KDIR, SNULL_CACHE (default $HOME/.cache/snull), SNULL_KEEP
# (keep the scratch directory and say where it is).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${SNULL_CACHE:-${HOME:-/root}/.cache/snull}
# shellcheck source=tests/vm/harness.sh
. "$top/tests/vm/harness.sh"

msg() { echo "pkg.sh: $*" >&2; }
die() {
	tap_not_ok "pkg.sh: $*"
	tap_finish
	exit 1
}

need_pkg() {	# install Debian packages that are missing, as scripts/lint does
	local missing="" p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	msg "installing:$missing"
	apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		-o DPkg::Lock::Timeout=600 --no-install-recommends $missing >/dev/null
}

# dkms itself, unpacked: $cache/dkms/VERSION/usr/sbin/dkms. The version is
# the one apt would install on this host.
fetch_dkms() {
	local version dir dl deb
	version=$(apt-cache policy dkms 2>/dev/null | sed -n 's/^ *Candidate: //p')
	if [ -z "$version" ] || [ "$version" = "(none)" ]; then
		apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null
		version=$(apt-cache policy dkms 2>/dev/null | sed -n 's/^ *Candidate: //p')
	fi
	[ -n "$version" ] && [ "$version" != "(none)" ] || return 1
	dir=$cache/dkms/$version
	if [ ! -x "$dir/usr/sbin/dkms" ]; then
		msg "downloading dkms $version"
		# apt drops privileges to _apt: a directory it can write to.
		dl=$(mktemp -d)
		chown _apt "$dl" 2>/dev/null || chmod 0777 "$dl"
		(cd "$dl" && apt-get download -q "dkms=$version" >&2) || { rm -rf "$dl"; return 1; }
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		for deb in "$dl"/*.deb; do
			dpkg -x "$deb" "$dir.tmp" || { rm -rf "$dl"; return 1; }
		done
		rm -rf "$dl" "$dir"
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir/usr/sbin/dkms"
}

# The release of KDIR's kernel as vermagic has it (Debian's kernel.release
# holds the upstream version, UTS_RELEASE the package's).
kernel_release() {
	local uts=$1/include/generated/utsrelease.h
	if [ -f "$uts" ]; then
		sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$uts"
	else
		cat "$1/include/config/kernel.release"
	fi
}

# The files of the tree a user would have: tracked and untracked, without
# what .gitignore leaves out (build products). Without git: src/, the top
# Makefile, dkms.conf and scripts/.
copy_tree() {	# copy_tree DEST
	mkdir -p "$1"
	if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$top" && git ls-files -co --exclude-standard -z |
			while IFS= read -r -d '' f; do [ ! -e "$f" ] || printf '%s\0' "$f"; done |
			tar --null -T - -cf -) | tar -C "$1" -xf -
	else
		tar -C "$top" --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
			-cf - Makefile dkms.conf scripts src | tar -C "$1" -xf -
	fi
}

# check_module DESC KO: KO exists, is named snull and built for $kver.
check_module() {
	local desc=$1 ko=$2 name vermagic
	if [ ! -f "$ko" ]; then
		tap_not_ok "$desc: $ko exists"
		return
	fi
	tap_ok "$desc: ${ko#"$scratch"/} exists"
	name=$(modinfo -F name "$ko" 2>&1)
	[ "$name" = snull ]
	ck $? "$desc: modinfo name is snull (got '$name')"
	vermagic=$(modinfo -F vermagic "$ko" 2>&1)
	[ "${vermagic%% *}" = "$kver" ]
	ck $? "$desc: vermagic is for $kver (got '${vermagic%% *}')"
}

# The first column of the first markdown table in FILE after a heading that
# matches SECTION (an ERE) whose header's first cell is HEAD, without
# backticks: one name a line.
table_names() {	# table_names FILE SECTION HEAD
	awk -v sect="$2" -v head="$3" '
		/^#+ / { insect = ($0 ~ sect); on = 0; next }
		/^\|/ {
			split($0, c, "|")
			cell = c[2]
			gsub(/[ `]/, "", cell)
			if (insect && !on && !seen && cell == head) { on = 1; seen = 1; next }
			if (on && cell ~ /^[-:]+$/) next
			if (on) print cell
			next
		}
		{ on = 0 }' "$1"
}

# One TAP line a table: its names and modinfo -p's are the same set.
check_param_table() {	# check_param_table FILE SECTION HEAD KO
	local file=$1 ko=$4 documented actual missing extra
	documented=$(table_names "$top/$file" "$2" "$3" | sort -u)
	actual=$(modinfo -p "$ko" | sed -n 's/^\([a-z0-9_]*\):.*/\1/p' | sort -u)
	if [ -z "$actual" ] || [ -z "$documented" ]; then
		tap_not_ok "$file: the parameter table lists modinfo -p's names (a list is empty)"
		return
	fi
	missing=$(comm -13 <(echo "$documented") <(echo "$actual"))
	extra=$(comm -23 <(echo "$documented") <(echo "$actual"))
	if [ -z "$missing$extra" ]; then
		tap_ok "$file: the parameter table lists modinfo -p's $(echo "$actual" | wc -l) names"
	else
		tap_not_ok "$file: the parameter table lists modinfo -p's names"
		[ -z "$missing" ] || echo "not in the table: $(echo "$missing" | tr '\n' ' ')" | tap_diag
		[ -z "$extra" ] || echo "in the table, not in the module: $(echo "$extra" | tr '\n' ' ')" | tap_diag
	fi
}

# ck STATUS DESCRIPTION [LOG]: one TAP line; on failure the end of LOG as
# diagnostics.
ck() {
	tap_check "$1" "$2"
	[ "$1" -eq 0 ] || [ -z "${3:-}" ] || tail -n 30 "$3" | tap_diag
}

start=$(date +%s)
need_pkg make gcc kmod
# Debian's headers when there are none, as tests/run.sh installs them.
[ -n "${KDIR:-}" ] || "$top/scripts/find-kdir" >/dev/null 2>&1 || need_pkg linux-headers-amd64
kdir=${KDIR:-$("$top/scripts/find-kdir")} || die "no kernel headers (set KDIR)"
kver=$(kernel_release "$kdir")
[ -n "$kver" ] || die "cannot read the kernel release of $kdir"
dkms=$(fetch_dkms) || die "cannot fetch Debian's dkms package"
pkg_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
[ -n "$pkg_version" ] || die "dkms.conf has no PACKAGE_VERSION"
echo "# kernel $kver ($kdir), $("$dkms" --version), snull/$pkg_version"

scratch=$(mktemp -d)
cleanup() {
	if [ -n "${SNULL_KEEP:-}" ]; then
		msg "scratch trees kept in $scratch"
	else
		rm -rf "$scratch"
	fi
}
trap cleanup EXIT

# ---- DKMS
# Everything dkms writes goes to the scratch trees: the sources (/usr/src),
# its own tree (/var/lib/dkms) and the install tree (/lib/modules). No
# depmod of the host's tree: ours gets its own below. Module signing keys
# (dkms makes one when openssl is there) go to scratch too.
copy_tree "$scratch/checkout"
mkdir -p "$scratch/usr-src" "$scratch/dkms" "$scratch/root/lib/modules/$kver"
export mok_signing_key=$scratch/mok.key mok_certificate=$scratch/mok.pub
dk() {
	"$dkms" "$@" --sourcetree "$scratch/usr-src" --dkmstree "$scratch/dkms" \
		--installtree "$scratch/root/lib/modules" \
		--kernelsourcedir "$kdir" --no-depmod >"$scratch/dkms.log" 2>&1
}
dk add "$scratch/checkout"
ck $? "dkms add: the tree's dkms.conf is accepted (snull/$pkg_version)" "$scratch/dkms.log"
dk build "snull/$pkg_version" -k "$kver"
ck $? "dkms build snull/$pkg_version for $kver exits with status 0" "$scratch/dkms.log"
tail -n 20 "$scratch/dkms/snull/$pkg_version/build/make.log" 2>/dev/null |
	grep -iE 'warning:|error:' | tap_diag
check_module "dkms build" "$scratch/dkms/snull/$pkg_version/$kver/$(uname -m)/module/snull.ko"
dk install "snull/$pkg_version" -k "$kver"
ck $? "dkms install into the scratch install tree exits with status 0" "$scratch/dkms.log"
installed=$scratch/root/lib/modules/$kver/updates/dkms/snull.ko
check_module "dkms install" "$installed"
depmod -b "$scratch/root" "$kver" 2>/dev/null
grep -q '^updates/dkms/snull\.ko:' "$scratch/root/lib/modules/$kver/modules.dep" 2>/dev/null
ck $? "depmod of the install tree lists updates/dkms/snull.ko"
dk status
grep -q "^snull/$pkg_version, $kver, [^:]*: installed" "$scratch/dkms.log"
ck $? "dkms status: snull/$pkg_version installed for $kver" "$scratch/dkms.log"
# The parameter tables, against the module dkms built.
check_param_table docs/interface.md "Module parameters" name "$installed"
check_param_table README.md "^## Parameters" parameter "$installed"
# BUILD_EXCLUSIVE_KERNEL: a kernel below the floor is refused as not
# applying (dkms's status 77), before any build.
dk build "snull/$pkg_version" -k 6.0.0-1-amd64
rc=$?
[ "$rc" -eq 77 ] && grep -q BUILD_EXCLUSIVE "$scratch/dkms.log" &&
	[ ! -e "$scratch/dkms/snull/$pkg_version/6.0.0-1-amd64/$(uname -m)/module/snull.ko" ]
ck $? "dkms build for a 6.0 kernel is refused by BUILD_EXCLUSIVE_KERNEL (status $rc, 77 expected)" \
	"$scratch/dkms.log"
dk remove "snull/$pkg_version" --all
ck $? "dkms remove --all exits with status 0" "$scratch/dkms.log"
[ ! -e "$installed" ] && [ ! -e "$scratch/dkms/snull" ]
ck $? "dkms remove: the installed module and dkms's tree of snull are gone"

# ---- make install (kbuild's modules_install), in a copy of the tree
for dir in "" updates; do
	root=$scratch/mi${dir:+-$dir}
	make -C "$scratch/checkout" KDIR="$kdir" INSTALL_MOD_PATH="$root" \
		${dir:+INSTALL_MOD_DIR=$dir} install >"$scratch/install.log" 2>&1
	ck $? "make install INSTALL_MOD_PATH=scratch${dir:+ INSTALL_MOD_DIR=$dir} exits with status 0" \
		"$scratch/install.log"
	check_module "make install${dir:+ INSTALL_MOD_DIR=$dir}" \
		"$root/lib/modules/$kver/${dir:-extra}/snull.ko"
done
echo "# took $(($(date +%s) - start)) s"
tap_finish
