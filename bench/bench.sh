#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/bench.sh - `make bench` (issue #11): snull against veth (and dummy)
# in one VM boot of bookworm's kernel, the one `make check` uses, with snull
# built as tests/run.sh builds it. tests/run.sh --bench boots the VM and
# runs bench/guest.sh in it; this script turns its output into TAP, a table
# and a JSON record.
#
# Environment (make bench ROUNDS=N QUICK=1 PROFILE=1 passes them):
#   ROUNDS=N    rounds of every case, subjects interleaved (default 5)
#   QUICK=1     one short round, no 1000-pair step: the CI check
#   PROFILE=1   also perf record -a -g during snull's l2drop, udp and tcp1,
#               and print the top 25 symbols of each
#   BENCH_OUT   the JSON file (default bench/results/latest.json, and
#               bench/results/quick.json with QUICK=1); the guest's own
#               record beside it, .log for .json
#
# bench/bench.sh --report LOG prints the tables of such a record again.
#
# Prints TAP ending in "N passed, M failed": a figure for every case of
# every subject that should have one (snull, veth, dummy for l2drop, snull
# copy=1 when snull.ko has the copy parameter), in every round, and the
# VM's own kernel log and taint checks. The figures themselves are never a
# test: under software emulation only the ratios within one boot mean
# anything.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/vm/harness.sh
. "$REPO/tests/vm/harness.sh"

ROUNDS=${ROUNDS:-}
QUICK=${QUICK:-0}
PROFILE=${PROFILE:-0}
[ "$QUICK" = 1 ] || QUICK=0
[ "$PROFILE" = 1 ] || PROFILE=0
if [ -z "$ROUNDS" ]; then
	ROUNDS=5
	[ "$QUICK" = 0 ] || ROUNDS=1
fi
case $ROUNDS in
'' | *[!0-9]* | 0) echo "bench: ROUNDS must be a number of at least 1" >&2; exit 2 ;;
esac
OUT=${BENCH_OUT:-$REPO/bench/results/latest.json}
[ -n "${BENCH_OUT:-}" ] || [ "$QUICK" = 0 ] || OUT=$REPO/bench/results/quick.json
mkdir -p "$(dirname "$OUT")"

# The guest's output on stdout (the record, in $log), run.sh's on stderr;
# the "# " lines of the guest show how far it got.
run_bench() {
	local start
	start=$(date +%s)
	load_start=$(cut -d' ' -f1-3 /proc/loadavg)
	SNULL_BENCH_ROUNDS=$ROUNDS SNULL_BENCH_QUICK=$QUICK SNULL_BENCH_PROFILE=$PROFILE \
		"$REPO/tests/run.sh" --bench | tr -d '\r' | tee "$log" |
		grep --line-buffered -v '^BENCH ' | sed -u 's/^/bench: /' >&2
	rc=${PIPESTATUS[0]}
	took=$(($(date +%s) - start))
	load_end=$(cut -d' ' -f1-3 /proc/loadavg)
}

# ---- the record -------------------------------------------------------------------

commit=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)
qemu_accel=$(sed -n 's/^QEMU_ACCEL=//p' "$REPO/tests/run.sh" | head -n 1)
qemu_version=$(qemu-system-x86_64 --version 2>/dev/null | head -n 1)
host_cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)

# One awk reads the guest's record and writes the JSON file (-v json=) or
# the tables (-v json=): medians of the raw figures and, per round, the
# ratios to veth and dummy, their median and spread (min..max).
summarize() {
	tr -d '\r' <"$log" | awk -v json="$1" -v commit="$commit" -v date="$date_utc" \
		-v accel="$qemu_accel" -v qemu="$qemu_version" -v hostcpu="$host_cpu" \
		-v quick="$QUICK" -v profile="$PROFILE" -v took="$took" -v rc="$rc" \
		-v load0="$load_start" -v load1="$load_end" -v cores="$(nproc)" '
	function sortv(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	}
	# median (and MIN, MAX) of the list "v1 v2 ..." ("null" entries skipped);
	# "" when it holds no number.
	function med(list,   a, b, n, i, k) {
		n = split(list, a, " "); k = 0
		for (i = 1; i <= n; i++) if (a[i] != "null") b[++k] = a[i] + 0
		if (!k) { MIN = MAX = ""; return "" }
		sortv(b, k); MIN = b[1]; MAX = b[k]
		return k % 2 ? b[(k + 1) / 2] : (b[k / 2] + b[k / 2 + 1]) / 2
	}
	function jnum(v) { return v == "" || v == "null" ? "null" : v + 0 }
	function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, " ", s); return "\"" s "\"" }
	function jlist(list,   a, n, i, s) {
		n = split(list, a, " "); s = ""
		for (i = 1; i <= n; i++) s = s (i > 1 ? ", " : "") jnum(a[i])
		return "[" s "]"
	}
	function fmt(v) {
		if (v == "") return "-"
		if (v >= 100) return sprintf("%d", v + 0.5)
		return sprintf("%.3g", v)
	}
	function rfmt(v) { return v == "" ? "-" : sprintf("%.2f", v) }
	$1 != "BENCH" { next }
	$2 == "info" { k = $3; $1 = $2 = $3 = ""; sub(/^ */, ""); info[k] = $0; next }
	$2 == "raw" {
		r = $3; c = $4; s = $5; raw[c, s, r] = $6; if (r > nr) nr = r
		next
	}
	$2 == "scale" { sc[$3, $4] = $5 " " $6 " " $7; if (!($4 in pseen)) { pseen[$4]; pl[++np] = $4 }; next }
	$2 == "prof" { c = $3; $1 = $2 = $3 = ""; sub(/^ */, ""); prof[c] = prof[c] (prof[c] == "" ? "" : "\n") $0; next }
	END {
		if ("commit" in info) commit = info["commit"]
		if ("date" in info) date = info["date"]
		if ("load_start" in info) { load0 = info["load_start"]; load1 = info["load_end"] }
		nc = split("l2drop udp tcp1 tcp4 rr", cs, " ")
		split("pps pps Mbit/s Mbit/s trans/s", unit, " ")
		ns = split("snull copy veth dummy", ss, " ")
		nq = split("snull/veth copy/veth snull/dummy", qs, " ")
		for (i = 1; i <= nc; i++) {
			c = cs[i]
			for (j = 1; j <= ns; j++) {
				s = ss[j]; l = ""; have = 0
				for (r = 1; r <= nr; r++) {
					v = ((c, s, r) in raw) ? raw[c, s, r] : "null"
					if ((c, s, r) in raw) have = 1
					l = l (r > 1 ? " " : "") v
				}
				rl[c, s] = have ? l : ""
				m[c, s] = med(l)
			}
			for (q = 1; q <= nq; q++) {
				split(qs[q], p, "/"); l = ""
				for (r = 1; r <= nr; r++) {
					a = ((c, p[1], r) in raw) ? raw[c, p[1], r] : "null"
					b = ((c, p[2], r) in raw) ? raw[c, p[2], r] : "null"
					v = (a == "null" || b == "null" || b + 0 == 0) ? "null" : sprintf("%.4f", a / b)
					l = l (r > 1 ? " " : "") v
				}
				ql[c, q] = l; qm[c, q] = med(l); qmin[c, q] = MIN; qmax[c, q] = MAX
			}
		}
		if (json != "") {
			split(info["vm"], vm, /[ =]/)
			printf "{\n" > json
			printf "  \"kernel\": %s,\n", jstr(info["kernel"]) > json
			printf "  \"qemu\": {\"cpu\": %s, \"vcpus\": %s, \"memory_mib\": %s, \"accel\": %s, \"version\": %s},\n", jstr(vm[2]), jnum(vm[4]), jnum(vm[6]), jstr(accel), jstr(qemu) > json
			printf "  \"guest_cpu\": %s,\n  \"host_cpu\": %s,\n  \"host_cores\": %s,\n", jstr(info["cpu"]), jstr(hostcpu), cores > json
			printf "  \"host_loadavg_start\": %s,\n  \"host_loadavg_end\": %s,\n", jstr(load0), jstr(load1) > json
			printf "  \"date\": %s,\n  \"commit\": %s,\n", jstr(date), jstr(commit) > json
			printf "  \"rounds\": %s,\n  \"quick\": %s,\n  \"profile\": %s,\n", jnum(info["rounds"]), quick ? "true" : "false", profile ? "true" : "false" > json
			printf "  \"seconds_per_run\": %s,\n  \"wall_seconds\": %s,\n  \"exit_status\": %s,\n", jnum(info["duration_s"]), took, rc > json
			printf "  \"snull_parameters\": %s,\n", jstr(info["snull_parms"]) > json
			printf "  \"cases\": {\n" > json
			for (i = 1; i <= nc; i++) {
				c = cs[i]
				printf "    %s: {\n      \"unit\": %s,\n      \"raw\": {", jstr(c), jstr(unit[i]) > json
				sep = ""
				for (j = 1; j <= ns; j++) {
					s = ss[j]
					if (s == "dummy" && c != "l2drop") continue
					printf "%s%s: %s", sep, jstr(s), rl[c, s] == "" ? "null" : jlist(rl[c, s]) > json
					sep = ", "
				}
				printf "},\n      \"median\": {" > json
				sep = ""
				for (j = 1; j <= ns; j++) {
					s = ss[j]
					if (s == "dummy" && c != "l2drop") continue
					printf "%s%s: %s", sep, jstr(s), jnum(m[c, s]) > json
					sep = ", "
				}
				printf "},\n      \"ratios\": {" > json
				sep = ""
				for (q = 1; q <= nq; q++) {
					if (qs[q] == "snull/dummy" && c != "l2drop") continue
					printf "%s\n        %s: {\"per_round\": %s, \"median\": %s, \"min\": %s, \"max\": %s}", sep, jstr(qs[q]), jlist(ql[c, q]), jnum(qm[c, q]), jnum(qmin[c, q]), jnum(qmax[c, q]) > json
					sep = ","
				}
				printf "\n      }\n    }%s\n", (i < nc ? "," : "") > json
			}
			printf "  },\n  \"scale\": {\n" > json
			for (j = 1; j <= 2; j++) {
				s = j == 1 ? "veth" : "snull"
				printf "    %s: {", jstr(s) > json
				for (k = 1; k <= np; k++) {
					key = s SUBSEP pl[k]; split((key in sc) ? sc[key] : "null null null", sv, " ")
					printf "%s\n      %s: {\"create_us_per_pair\": %s, \"delete_us_per_pair\": %s, \"slab_kib_per_pair\": %s}", (k > 1 ? "," : ""), jstr(pl[k]), jnum(sv[1]), jnum(sv[2]), jnum(sv[3]) > json
				}
				printf "\n    }%s\n", (j == 1 ? "," : "") > json
			}
			printf "  },\n  \"profile_top25\": {" > json
			sep = ""
			for (c in prof) {
				n = split(prof[c], pr, "\n"); l = ""
				for (k = 1; k <= n; k++) l = l (k > 1 ? ", " : "") jstr(pr[k])
				printf "%s\n    %s: [%s]", sep, jstr(c), l > json
				sep = ","
			}
			printf "%s}\n}\n", sep == "" ? "" : "\n  " > json
			exit
		}
		split(info["vm"], vm, /[ =]/)
		printf "snull vs veth: kernel %s, QEMU TCG -cpu %s, %s vCPUs, %s MiB; %d round(s) of %s s a run; %s\n\n", info["kernel"], vm[2], vm[4], vm[6], nr, info["duration_s"], commit
		printf "| case | unit | snull | copy=1 | veth | dummy | snull/veth | copy=1/veth | snull/dummy | rounds |\n"
		printf "|------|------|------:|-------:|-----:|------:|------------|-------------|-------------|-------:|\n"
		for (i = 1; i <= nc; i++) {
			c = cs[i]
			printf "| %s | %s", c, unit[i]
			for (j = 1; j <= ns; j++) printf " | %s", fmt(m[c, ss[j]])
			for (q = 1; q <= nq; q++) {
				if (qm[c, q] == "") { printf " | -"; continue }
				printf " | %s (%s..%s)", rfmt(qm[c, q]), rfmt(qmin[c, q]), rfmt(qmax[c, q])
			}
			printf " | %d |\n", nr
		}
		printf "\nFigures: medians over the rounds; ratios: the median of the per-round ratios, (min..max).\n"
		if (load0 != "")
			printf "Host load average (1, 5, 15 min) at the start: %s; at the end: %s (%d cores).\n", load0, load1, cores
		printf "\nCost as work grows (per pair; slab: /proc/meminfo Slab after creation minus before):\n\n"
		printf "| pairs | veth create | veth delete | veth slab | snull create | snull delete | snull slab |\n"
		printf "|------:|------------:|------------:|----------:|-------------:|-------------:|-----------:|\n"
		for (k = 1; k <= np; k++) {
			printf "| %s", pl[k]
			for (j = 1; j <= 2; j++) {
				s = j == 1 ? "veth" : "snull"
				key = s SUBSEP pl[k]; split((key in sc) ? sc[key] : "null null null", sv, " ")
				if (sv[1] == "null") { printf " | n/a | n/a | n/a"; continue }
				printf " | %s us | %s us | %s KiB", sv[1], sv[2], sv[3]
			}
			printf " |\n"
		}
		key = "snull" SUBSEP pl[1]; if ((key in sc) && sc[key] ~ /^null/)
			printf "\nsnull: n/a (needs the pairs= parameter, issue #12)\n"
		npc = split("l2drop udp tcp1", pc, " ")
		for (k = 1; k <= npc; k++) {
			c = pc[k]
			if (!(c in prof)) continue
			printf "\nperf, snull %s: the top 25 symbols of perf report --no-children --sort sym, the idle loop aside\n", c
			printf "(%% of all samples, %% of the non-idle ones):\n%s\n", prof[c]
		}
	}'
}

if [ "${1:-}" = --report ]; then
	[ -f "${2:-}" ] || { echo "usage: bench/bench.sh --report LOG" >&2; exit 2; }
	log=$2
	rc=0
	took=0
	load_start=
	load_end=
	summarize ""
	exit 0
fi
log=${OUT%.json}.log
run_bench
# What the host knows, in the record too (--report reads it back).
{
	echo "BENCH info commit $commit"
	echo "BENCH info date $date_utc"
	echo "BENCH info load_start $load_start"
	echo "BENCH info load_end $load_end"
	echo "BENCH info took $took"
} >>"$log"

# ---- TAP ---------------------------------------------------------------------


# The guest's own checks (tests/vm/init: kernel log, taint).
while IFS= read -r line; do
	case $line in
	"ok - "*) tap_ok "${line#ok - }" ;;
	"not ok - "*) tap_not_ok "${line#not ok - }" ;;
	esac
done < <(tr -d '\r' <"$log")
tap_check "$rc" "bench: tests/run.sh --bench exits with status 0 (status $rc)"
grep -qx 'BENCH info finished yes' "$log"
tap_check $? "bench: bench/guest.sh ran to its end"

copy_param=$(awk '$1 == "BENCH" && $2 == "info" && $3 == "copy_param" { print $4 }' "$log")
subjects_of() {
	case $1 in
	l2drop) echo "snull copy veth dummy" ;;
	*) echo "snull copy veth" ;;
	esac
}
name_of() {
	case $1 in
	copy) echo "snull copy=1" ;;
	*) echo "$1" ;;
	esac
}
# A figure for every round of every case of every subject that should have
# one; the reasons of the missing ones as diagnostics.
for c in l2drop udp tcp1 tcp4 rr; do
	for s in $(subjects_of "$c"); do
		got=$(awk -v c="$c" -v s="$s" '$1 == "BENCH" && $2 == "raw" && $4 == c && $5 == s && $6 != "null"' "$log" | wc -l)
		desc="bench: $c: $(name_of "$s") figure in each of $ROUNDS rounds ($got)"
		if [ "$s" = copy ] && [ "$copy_param" != yes ]; then
			tap_ok "$desc # SKIP snull.ko has no copy parameter"
			continue
		fi
		tap_check $((got != ROUNDS)) "$desc"
		awk -v c="$c" -v s="$s" '$1 == "BENCH" && $2 == "why" && $4 == c && $5 == s {
			$1 = $2 = ""; print "round" $0 }' "$log" | sed 's/^ *//' | tap_diag
	done
done
for n in 1 100 1000; do
	[ "$QUICK" = 0 ] || [ "$n" -lt 1000 ] || continue
	for k in veth snull; do
		v=$(awk -v n="$n" -v k="$k" '$2 == "scale" && $3 == k && $4 == n { print $5 }' "$log")
		[ -n "$v" ] && [ "$v" != null ]
		tap_check $? "bench: scale: $n $k pairs made, counted and deleted"
	done
done
if [ "$PROFILE" = 1 ]; then
	for c in l2drop udp tcp1; do
		n=$(awk -v c="$c" '$2 == "prof" && $3 == c && $4 ~ /%$/ && $5 ~ /%$/' "$log" | wc -l)
		tap_check $((n == 0)) "bench: profile $c: perf report lists symbols ($n)"
	done
fi

summarize "$OUT"
echo "# record: $OUT"
echo
summarize ""
echo
echo "# make bench took $took s"
tap_finish
