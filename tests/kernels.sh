#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the `make check` suite on every kernel of tests/vm/kernels.list: for
# each release, tests/vm/kbuild.sh builds snull against that kernel's own
# Debian headers (W=1, no warnings; in a chroot of the release when it is not
# the host's) and fetches that kernel's own image, then tests/run.sh boots it.
#
#   tests/kernels.sh [--readme] [run.sh options, e.g. --tests "t_trick"]
#   tests/kernels.sh --prepare
#
# Prints one TAP stream, each line tagged with its kernel, a table of the
# results, and last "N passed, M failed". --readme also writes the table into
# README.md, between its "kernels:begin" and "kernels:end" markers.
# SNULL_RELEASES="trixie sid" limits the run to those lines of the list.
#
# The releases are prepared all at once (a fresh chroot is mostly download
# and unpacking: about 10 minutes each, measured on 2026-12-02), and each
# suite runs as soon as its release is ready, one at a time. --prepare only
# fills the cache that way (chroots, headers, images) and says which
# release failed: .ci/run runs it in the background while the CPU-bound
# steps run.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
SNULL_CACHE=${SNULL_CACHE:-$HOME/.cache/snull}
export SNULL_CACHE
README=0
N=0
FAILED=0
TABLE=""

tap() {	# tap ok|"not ok" DESCRIPTION
	N=$((N + 1))
	[ "$1" = ok ] || FAILED=$((FAILED + 1))
	echo "$1 $N - $2"
}

releases() {
	sed 's/#.*//' "$REPO/tests/vm/kernels.list" | awk -v only="${SNULL_RELEASES:-}" '
		NF && (only == "" || index(" " only " ", " " $1 " ")) { print $1 }'
}

# Re-number one kernel's TAP lines into ours, tagged; keep diagnostics.
merge_tap() {	# merge_tap TAG FILE: sets P and F to its passed and failed
	local tag=$1 line
	P=0
	F=0
	while IFS= read -r line; do
		case $line in
		"ok "*) tap ok "[$tag] ${line#ok * - }"; P=$((P + 1)) ;;
		"not ok "*) tap "not ok" "[$tag] ${line#not ok * - }"; F=$((F + 1)) ;;
		"#"*) echo "$line" ;;
		*) ;;	# its plan and summary: ours come at the end
		esac
	done <"$2"
}

# Start preparing every release in the background, each into WORK/REL;
# PREP_PID[REL] is its job (tests/vm/kbuild.sh takes a lock per release).
declare -A PREP_PID
prepare_all() {	# prepare_all WORK
	local rel
	for rel in $(releases); do
		echo "# === $rel: preparing (tests/vm/kbuild.sh)" >&2
		"$REPO/tests/vm/kbuild.sh" "$rel" "$1/$rel" >"$1/$rel.kbuild.out" 2>&1 &
		PREP_PID[$rel]=$!
	done
}

# One release: wait for its preparation, boot, merge. Adds a row to TABLE;
# its time runs from the end of the previous release's suite.
run_release() {
	local rel=$1 dir=$2 kver start secs
	shift 2
	start=$(date +%s)
	if ! wait "${PREP_PID[$rel]}"; then
		tap "not ok" "[$rel] snull builds with W=1 against the release's headers"
		tail -n 30 "$dir.kbuild.out" | sed 's/^/# /'
		TABLE="$TABLE| $rel | ? | build failed | |"$'\n'
		return 0
	fi
	kver=$(cat "$dir/kver")
	echo "# === $rel: $kver: running the suite" >&2
	"$REPO/tests/run.sh" --kernel "$dir" "$@" >"$dir.tap" 2>"$dir.err" || true
	merge_tap "$kver" "$dir.tap"
	if [ $((P + F)) -eq 0 ]; then
		tap "not ok" "[$kver] tests/run.sh reported results"
		tail -n 30 "$dir.err" | sed 's/^/# /'
		F=1
	fi
	secs=$(($(date +%s) - start))
	TABLE="$TABLE| $rel | $kver | $P passed, $F failed | ${secs} s |"$'\n'
}

write_readme() {
	local table=$1 tmp
	tmp=$(mktemp)
	awk -v table="$table" '
		/<!-- kernels:begin -->/ { print; printf "%s", table; skip = 1; next }
		/<!-- kernels:end -->/ { skip = 0 }
		!skip { print }' "$REPO/README.md" >"$tmp"
	cat "$tmp" >"$REPO/README.md"
	rm -f "$tmp"
}

main() {
	local work rel table
	if [ "${1:-}" = --readme ]; then
		README=1
		shift
	fi
	mkdir -p "$SNULL_CACHE"
	work=$(mktemp -d "$SNULL_CACHE/kernels-run.XXXXXX")
	prepare_all "$work"
	if [ "${1:-}" = --prepare ]; then
		FAILED=0
		for rel in $(releases); do
			wait "${PREP_PID[$rel]}" && continue
			echo "# $rel: tests/vm/kbuild.sh failed:"
			tail -n 30 "$work/$rel.kbuild.out" | sed 's/^/# /'
			FAILED=$((FAILED + 1))
		done
		return $((FAILED > 0))
	fi
	for rel in $(releases); do
		run_release "$rel" "$work/$rel" "$@"
	done
	table="Measured by \`make check-kernels\` on $(date -u +%Y-%m-%d):"$'\n\n'
	table="$table| Debian release | kernel | \`make check\` suite | time |"$'\n'
	table="$table|----------------|--------|---------------------|------|"$'\n'
	table="$table$TABLE"
	printf '%s' "$table" | sed 's/^/# /'
	[ "$README" -eq 0 ] || write_readme "$table"
	echo "# work dir: $work"
	echo "1..$N"
	echo "$((N - FAILED)) passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

main "$@"
