#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug tier behind `make check-debug`: build (once, cached) a 6.1
# kernel with KASAN, lockdep, kmemleak, UBSAN, debugobjects and the netdev
# refcount tracker (tests/vm/debug-kernel.sh), build snull against it with
# W=1, and run both the `make check` suite and the stress suite on it. The
# harness scans kmemleak twice after every test there.
#
#   tests/debug.sh [tests/run.sh options, e.g. --tests "t_trick"]
#
# Prints TAP and last "N passed, M failed".
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
SNULL_CACHE=${SNULL_CACHE:-$HOME/.cache/snull}
export SNULL_CACHE

# The kernel (cached by its config) and snull built for it, in a fresh dir.
prepare() {
	local out=$1 tmp status=0
	"$REPO/tests/vm/debug-kernel.sh" "$out" >&2
	tmp=$(mktemp -d)
	cp -r "$REPO/src" "$tmp/"
	make -C "$out/build" M="$tmp/src" W=1 modules >"$out/build.log" 2>&1 || status=$?
	[ "$status" -eq 0 ] && cp "$tmp/src/snull.ko" "$out/"
	rm -rf "$tmp"
	# tests/run.sh --kernel reports the build from build.log.
	[ "$status" -eq 0 ] || echo "error: make exited with status $status" >>"$out/build.log"
}

main() {
	local out
	mkdir -p "$SNULL_CACHE"
	out=$(mktemp -d "$SNULL_CACHE/debug-run.XXXXXX")
	if ! prepare "$out"; then
		echo "not ok 1 - debug kernel: tests/vm/debug-kernel.sh builds it"
		echo "1..1"
		echo "0 passed, 1 failed"
		exit 1
	fi
	# Everything is 3-5 times slower under KASAN and lockdep.
	SNULL_TEST_TIMEOUT=${SNULL_TEST_TIMEOUT:-1500} \
		exec "$REPO/tests/run.sh" --kernel "$out" --all "$@"
}

main "$@"
