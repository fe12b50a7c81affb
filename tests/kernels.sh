#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the `make check` suite on every kernel of tests/vm/kernels.list: for
# each line (a release and a flavour, named by its key: bookworm,
# bookworm-rt, ...), tests/vm/kbuild.sh builds snull against that kernel's
# own Debian headers (W=1, no warnings; in a chroot of the release when it is
# not the host's) and fetches that kernel's own image, then tests/run.sh
# boots it.
#
#   tests/kernels.sh [--readme] [run.sh options, e.g. --tests "t_trick"]
#   tests/kernels.sh --prepare
#
# Prints one TAP stream, each line tagged with its kernel, a table of the
# results, and last "N passed, M failed". --readme also writes the rows of
# the kernels it ran into README.md's table, between its "kernels:begin" and
# "kernels:end" markers; rows of other kernels stay as they are.
# SNULL_RELEASES="trixie sid" limits the run to the lines with those keys; a
# key that is not in the list is an error, not an empty run. A line whose
# pass column names a pass runs that pass alone (tests/run.sh --pass), unless
# SNULL_FULL is set (make check-kernels FULL=1, make check-all).
#
# The releases are prepared all at once (a fresh chroot is mostly download
# and unpacking: about 10 minutes each, measured on 2026-12-02), and each
# suite runs as soon as its release is ready, one at a time. --prepare only
# fills the cache that way (chroots, headers, images) and says which
# release failed: .ci/run runs it in the background while the CPU-bound
# steps run.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
LIST=$REPO/tests/vm/kernels.list
SNULL_CACHE=${SNULL_CACHE:-$HOME/.cache/snull}
export SNULL_CACHE
# shellcheck source=tests/vm/harness.sh
. "$REPO/tests/vm/harness.sh"
README=0
TABLE=""

tap() {	# tap ok|"not ok" DESCRIPTION
	if [ "$1" = ok ]; then tap_ok "$2"; else tap_not_ok "$2"; fi
}

die() { echo "kernels.sh: $*" >&2; exit 2; }

# The keys of kernels.list, or those of SNULL_RELEASES, in the list's order.
releases() {
	local keys k
	keys=$(sed 's/#.*//' "$LIST" | awk 'NF { print $1 }')
	for k in ${SNULL_RELEASES:-}; do
		grep -qxF -- "$k" <<<"$keys" ||
			die "SNULL_RELEASES: $k is not a key of $LIST (keys: ${keys//$'\n'/ })"
	done
	awk -v only="${SNULL_RELEASES:-}" \
		'only == "" || index(" " only " ", " " $1 " ")' <<<"$keys"
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
prepare_all() {	# prepare_all WORK KEYS
	local rel
	for rel in $2; do
		echo "# === $rel: preparing (tests/vm/kbuild.sh)" >&2
		"$REPO/tests/vm/kbuild.sh" "$rel" "$1/$rel" >"$1/$rel.kbuild.out" 2>&1 &
		PREP_PID[$rel]=$!
	done
}

# One release: wait for its preparation, boot, merge. Adds a row to TABLE;
# its time runs from the end of the previous release's suite.
run_release() {
	local rel=$1 dir=$2 kver start secs status pass opts what
	shift 2
	start=$(date +%s)
	if ! wait "${PREP_PID[$rel]}"; then
		tap "not ok" "[$rel] snull builds with W=1 against the release's headers"
		tail -n 30 "$dir.kbuild.out" | sed 's/^/# /'
		TABLE="$TABLE| $rel | ? | build failed | | $(date -u +%Y-%m-%d) |"$'\n'
		return 0
	fi
	kver=$(cat "$dir/kver")
	pass=$(list_pass "$rel")
	[ -z "${SNULL_FULL:-}" ] || pass=all
	echo "# === $rel: $kver: running the suite (pass: $pass)" >&2
	opts=()
	[ "$pass" = all ] || opts=(--pass "$pass")
	status=0
	"$REPO/tests/run.sh" --kernel "$dir" "${opts[@]}" "$@" >"$dir.tap" 2>"$dir.err" || status=$?
	merge_tap "$kver" "$dir.tap"
	# run.sh's verdict counts even when its TAP says nothing failed.
	if [ $((P + F)) -eq 0 ] || { [ "$status" -ne 0 ] && [ "$F" -eq 0 ]; }; then
		tap "not ok" "[$kver] tests/run.sh reported results and exited with 0 (status $status)"
		tail -n 30 "$dir.err" | sed 's/^/# /'
		F=$((F + 1))
	fi
	secs=$(($(date +%s) - start))
	what="$P passed, $F failed"
	[ "$pass" = all ] || what="$what ($pass pass)"
	TABLE="$TABLE| $rel | $kver | $what | ${secs} s | $(date -u +%Y-%m-%d) |"$'\n'
}

# The pass column of KEY's line: all, or the pass its CI run takes.
list_pass() {
	sed 's/#.*//' "$LIST" | awk -v k="$1" '$1 == k { print ($5 == "" ? "all" : $5); exit }'
}

# Put the rows of $1 into README.md's kernel table: a row replaces the row
# of the same kernel key, a new key's row goes where the list has it, rows
# of kernels not run this time stay; the line above the table gets $2.
write_readme() {
	local rows=$1 intro=$2 tmp
	tmp=$(mktemp)
	awk -v rows="$rows" -v intro="$intro" -v order="$(sed 's/#.*//' "$LIST" |
		awk 'NF { printf "%s ", $1 }')" '
		function key(r) { split(r, f, "|"); gsub(/ /, "", f[2]); return f[2] }
		BEGIN {
			n = split(rows, nr, "\n")
			for (i = 1; i <= n; i++) if (nr[i] != "") new[key(nr[i])] = nr[i]
		}
		/<!-- kernels:begin -->/ { print; inside = 1; next }
		inside && /^\| *[a-z]/ && !/Debian/ { old[key($0)] = $0; next }
		inside && /<!-- kernels:end -->/ {
			print intro "\n"
			print "| kernel (tests/vm/kernels.list) | uname -r | `make check` suite | time | measured |"
			print "|--------------------------------|----------|---------------------|------|----------|"
			m = split(order, ord, " ")
			for (i = 1; i <= m; i++) {
				k = ord[i]
				if (k in new) print new[k]; else if (k in old) print old[k]
			}
			inside = 0
			print
			next
		}
		inside { next }
		{ print }' "$REPO/README.md" >"$tmp"
	cat "$tmp" >"$REPO/README.md"
	rm -f "$tmp"
}

main() {
	local work rel keys failed=0
	if [ "${1:-}" = --readme ]; then
		README=1
		shift
	fi
	keys=$(releases) || exit 2
	[ -n "$keys" ] || die "no kernels in $LIST"
	mkdir -p "$SNULL_CACHE"
	work=$(mktemp -d "$SNULL_CACHE/kernels-run.XXXXXX")
	prepare_all "$work" "$keys"
	if [ "${1:-}" = --prepare ]; then
		for rel in $keys; do
			wait "${PREP_PID[$rel]}" && continue
			echo "# $rel: tests/vm/kbuild.sh failed:"
			tail -n 30 "$work/$rel.kbuild.out" | sed 's/^/# /'
			failed=$((failed + 1))
		done
		return $((failed > 0))
	fi
	for rel in $keys; do
		run_release "$rel" "$work/$rel" "$@"
	done
	printf '%s' "$TABLE" | sed 's/^/# /'
	[ "$README" -eq 0 ] || write_readme "$TABLE" \
		"Each row as \`make check-kernels\` measured it on the day it gives; \`tests/kernels.sh
--readme\` rewrites the row of each kernel it runs:"
	echo "# work dir: $work"
	tap_finish
}

main "$@"
