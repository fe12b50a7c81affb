#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 3
# snull-debug-cost: 10
#
# docs/interface.md has one table of module parameters, one of ethtool -S
# counters and one of debugfs knobs; each lists exactly the names the
# running driver has: /sys/module/snull/parameters, the names ethtool -S
# gives for sn0 and sn1, and /sys/kernel/debug/snull/sn0 and sn1. A name the
# driver has and no row documents fails, and so does a row that names
# nothing the driver has. A row may be a pattern for names that repeat per
# queue: <N> stands for a number (tx_queue_<N>_packets documents
# tx_queue_0_packets, tx_queue_1_packets, ...). tests/run.sh stages the
# document in the guest as /docs/interface.md.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

DOC=${SNULL_DOCS:-/docs}/interface.md
DBG=/sys/kernel/debug/snull

plan 8

# table_names SECTION HEAD: the first column of the first table of $DOC
# after a heading that matches SECTION (an ERE) whose header's first cell is
# HEAD, without backticks or blanks: one name a line.
table_names()
{
	awk -v sect="$1" -v head="$2" '
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
		{ on = 0 }' "$DOC"
}

# compare WHAT DOCUMENTED ACTUAL: the files of documented rows and of the
# driver's names (one a line) name the same set. Prints what differs.
compare()
{
	awk -v what="$1" '
		FNR == NR {
			if ($0 == "") next
			doc[$0] = 0
			re = $0
			gsub(/<N>/, "[0-9]+", re)
			pat[$0] = "^" re "$"
			next
		}
		$0 != "" {
			found = 0
			for (d in pat)
				if ($0 ~ pat[d]) { doc[d]++; found = 1 }
			if (!found) print what ": " $0 " is not in the table"
		}
		END {
			for (d in doc)
				if (!doc[d]) print what ": the row " d " names nothing the driver has"
		}' "$2" "$3"
}

# check_table DESC SECTION HEAD ACTUAL-FILE: one result.
check_table()
{
	table_names "$2" "$3" >"$TMP/doc"
	_out=$(compare "$3" "$TMP/doc" "$4")
	if [ ! -s "$TMP/doc" ] || [ ! -s "$4" ]; then
		not_ok "$1"
		diag "$(wc -l <"$TMP/doc") rows in the table, $(wc -l <"$4") names from the driver"
	elif [ -n "$_out" ]; then
		not_ok "$1"
		diag "$_out"
	else
		ok "$1 ($(wc -l <"$4") names, $(wc -l <"$TMP/doc") rows)"
	fi
}

check_cmd "docs/interface.md is staged at $DOC" test -s "$DOC"
check_cmd "load snull" snull_load

ls /sys/module/snull/parameters >"$TMP/params" 2>/dev/null
check_table "the table of module parameters lists /sys/module/snull/parameters" \
	"Module parameters" name "$TMP/params"

for i in sn0 sn1; do
	ethtool -S $i 2>/dev/null | sed -n 's/^ *\([^ :]*\): .*/\1/p'
done | sort -u >"$TMP/counters"
check_table "the table of ethtool -S counters lists sn0's and sn1's" \
	"^## ethtool" counter "$TMP/counters"

for i in sn0 sn1; do
	ls $DBG/$i 2>/dev/null
done | sort -u >"$TMP/knobs"
check_table "the table of debugfs knobs lists $DBG/sn0's and sn1's" \
	"debugfs" file "$TMP/knobs"

# The comparison itself: a pattern row matches per-queue names, a name no
# row documents and a row that names nothing are both caught.
printf 'a_counter\ntx_queue_<N>_packets\n' >"$TMP/pdoc"
printf 'a_counter\ntx_queue_0_packets\ntx_queue_11_packets\n' >"$TMP/pnames"
check_eq "compare: a <N> row documents tx_queue_0_packets and tx_queue_11_packets" \
	"" "$(compare x "$TMP/pdoc" "$TMP/pnames")"
printf 'a_counter\ntx_queue_0_packets\ntx_queue_x_packets\n' >"$TMP/pnames"
check_eq "compare: tx_queue_x_packets is not a <N> name" \
	"x: tx_queue_x_packets is not in the table" "$(compare x "$TMP/pdoc" "$TMP/pnames")"
printf 'a_counter\n' >"$TMP/pnames"
check_eq "compare: a row that names nothing is reported" \
	"x: the row tx_queue_<N>_packets names nothing the driver has" \
	"$(compare x "$TMP/pdoc" "$TMP/pnames")"

finish
