#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/tools/kver-floor.sh [REPO] - the kernel floor, checked on the host:
# src/snull_compat.h must stop a build for Linux 6.0 with its #error naming
# 6.1, and let 6.1 through. Runs the C preprocessor on the header alone
# with a fake linux/version.h (and an empty stand-in for each other kernel
# header it includes), so that no kernel tree is needed. Prints TAP (with
# tests/lib.sh's helpers); exits 1 when a check fails.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
trap lib_cleanup EXIT

REPO=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
HDR=$REPO/src/snull_compat.h
CC=${CC:-gcc}

# fake_tree DIR MAJOR MINOR: linux/version.h for MAJOR.MINOR.0, and an empty
# file for every other <linux/...> the header includes.
fake_tree()
{
	mkdir -p "$1/linux"
	sed -n 's/^#include <linux\/\([a-z0-9_]*\.h\)>.*/\1/p' "$HDR" |
		while read -r h; do
			: >"$1/linux/$h"
		done
	cat >"$1/linux/version.h" <<EOV
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#define LINUX_VERSION_CODE KERNEL_VERSION($2, $3, 0)
EOV
}

# cpp_at MAJOR MINOR: preprocess the header as for that kernel; its status,
# the compiler's messages in $TMP/out.
cpp_at()
{
	fake_tree "$TMP/$1.$2" "$1" "$2"
	"$CC" -E -nostdinc -I "$TMP/$1.$2" -x c "$HDR" -o /dev/null >"$TMP/out" 2>&1
}

# refused_at MAJOR MINOR: preprocessing fails, on the #error naming 6.1.
refused_at()
{
	if cpp_at "$1" "$2"; then
		diag "preprocessing for $1.$2 succeeded"
		return 1
	fi
	grep -q '#error.*6\.1' "$TMP/out" || { diag <"$TMP/out"; return 1; }
}

plan 3
check_cmd "src/snull_compat.h is there" test -r "$HDR"
check_cmd "Linux 6.0: the build stops at snull_compat.h's #error" refused_at 6 0
check_cmd "Linux 6.1: snull_compat.h lets the build through" cpp_at 6 1
finish
