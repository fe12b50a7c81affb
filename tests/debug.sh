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
# shellcheck source=tests/vm/harness.sh
. "$REPO/tests/vm/harness.sh"

# The kernel (cached by its config) and snull built for it with W=1 into
# OUT, the build's output in OUT/build.log, which tests/run.sh --kernel
# checks (a failed or warning build shows there). Fails only when there
# is no kernel.
prepare() {
	local out=$1
	"$REPO/tests/vm/debug-kernel.sh" "$out" >&2 || return 1
	copy_sources "$REPO/src" "$out/src"
	build_module "$out/build" "$out/src" "$out/build.log" || true
	[ ! -f "$out/src/snull.ko" ] || cp "$out/src/snull.ko" "$out/"
}

main() {
	local out
	mkdir -p "$SNULL_CACHE"
	out=$(mktemp -d "$SNULL_CACHE/debug-run.XXXXXX")
	# Not "if ! prepare": errexit is off in a condition, and a failed
	# debug-kernel.sh would go unseen; prepare says so itself.
	prepare "$out" || {
		tap_not_ok "debug kernel: tests/vm/debug-kernel.sh builds it"
		tap_finish
		exit 1
	}
	# Everything is 3-5 times slower under KASAN and lockdep.
	SNULL_TEST_TIMEOUT=${SNULL_TEST_TIMEOUT:-1500} \
		exec "$REPO/tests/run.sh" --kernel "$out" --all "$@"
}

main "$@"
