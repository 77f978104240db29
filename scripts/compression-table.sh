#!/bin/sh
# Makes the compression table of docs/compression.md: for each PMU model
# libpfm4 knows (icl, spr, skl, zen3, zen4), the filter entries needed to
# allow or deny all of its events, half of them, and a typical guest
# profile (filters/specs/guest-profile-*.pmuf), as an exact list and as
# compiled masked entries, with compile times. Everything comes from
# pfbench itself: `filter events` (the table), `filter fit` (exact and
# compiled counts) and `filter compile` (timed, median of 3 runs).
#
# usage: scripts/compression-table.sh [--pfbench PATH] [--update FILE]
#   prints the Markdown table; --update replaces the part of FILE between
#   <!-- compression-table:begin --> and <!-- compression-table:end -->.
set -eu

PFBENCH=build/pfbench
UPDATE=""
while [ $# -gt 0 ]; do
	case "$1" in
	--pfbench) PFBENCH=$2; shift 2 ;;
	--update) UPDATE=$2; shift 2 ;;
	-h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "compression-table: unknown argument '$1'; see --help" >&2; exit 2 ;;
	esac
done
[ -x "$PFBENCH" ] || { echo "compression-table: $PFBENCH is not built (make)" >&2; exit 2; }

TMP=$(mktemp -d /tmp/pfbench-compression-XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM

# compile_ms ARGS...: the median of 3 runs of the compiler's own time, as
# `pfbench filter compile` reports it ("compiled in X ms": the compiler
# alone, not reading the input, the check or writing)
compile_ms() {
	for i in 1 2 3; do
		"$PFBENCH" filter compile "$@" -o "$TMP/out.pmuf" 2>&1 >/dev/null |
			sed -n 's/.*; compiled in \([0-9.]*\) ms$/\1/p'
	done | sort -n | sed -n 2p
}

# row PMU SET NAMES ARGS...: one table row from `filter fit` and `filter compile`
row() {
	pmu=$1 set=$2 names=$3
	shift 3
	"$PFBENCH" filter fit "$@" > "$TMP/fit.txt" 2>"$TMP/fit.err" || true
	exact=$(awk '$1 == "exact" { print $2 }' "$TMP/fit.txt")
	list=$(awk '$1 == "exact" { print $5 }' "$TMP/fit.txt")
	compiled=$(awk '$1 == "compiled" { print $2 }' "$TMP/fit.txt")
	action=$(awk '$1 == "compiled" { sub(/;/, "", $6); print $6 }' "$TMP/fit.txt")
	[ -n "$exact" ] || { echo "compression-table: $pmu $set: $(cat "$TMP/fit.err" "$TMP/fit.txt")" >&2; exit 1; }
	"$PFBENCH" filter compile "$@" -o "$TMP/out.pmuf" 2>"$TMP/compile.err" || true
	proven=$(sed -n 's/.*; \([0-9]*\) of \([0-9]*\) selects a proven minimum.*/\1 of \2/p' "$TMP/compile.err")
	ms=$(compile_ms "$@")
	fits=""
	[ "$compiled" -le 300 ] || fits=" (over 300)"
	echo "| $pmu | $set | $names | $exact ($list) | $compiled$fits ($action) | ${proven:--} | $ms |"
}

# every other event of the table, in libpfm4's order, as `event` lines
half() {
	pmu=$1 action=$2 flavor=$3
	{
		echo "flavor $flavor"
		echo "action $action"
		"$PFBENCH" filter events --pmu "$pmu" "$pmu::*" | awk '!/^#/ && NR % 2 == 1 { print "event " $NF }'
	} > "$TMP/half-$action.pmuf"
	echo "$TMP/half-$action.pmuf"
}

table() {
	echo "| PMU | set | events | exact entries (list) | compiled entries (action) | selects proven minimal | compile ms |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
	for pmu in icl spr skl zen3 zen4; do
		case $pmu in
		zen*) flavor=amd profile=filters/specs/guest-profile-amd.pmuf ;;
		*) flavor=intel profile=filters/specs/guest-profile-intel.pmuf ;;
		esac
		n=$("$PFBENCH" filter events --pmu "$pmu" "$pmu::*" | grep -vc '^#')
		printf 'flavor %s\naction deny\ndeny %s::*\n' "$flavor" "$pmu" > "$TMP/deny-all.pmuf"
		row "$pmu" "allow all" "$n" "$pmu::*"
		row "$pmu" "deny all" "$n" "$TMP/deny-all.pmuf"
		h=$(half "$pmu" allow "$flavor")
		row "$pmu" "allow half" "$(grep -c '^event' "$h")" "$h"
		h=$(half "$pmu" deny "$flavor")
		row "$pmu" "deny half" "$(grep -c '^event' "$h")" "$h"
		np=$("$PFBENCH" filter events --pmu "$pmu" --allowed "$profile" | grep -vc '^#')
		row "$pmu" "guest profile" "$np" --pmu "$pmu" "$profile"
	done
}

table > "$TMP/table.md"
if [ -n "$UPDATE" ]; then
	grep -q '<!-- compression-table:begin -->' "$UPDATE" ||
		{ echo "compression-table: $UPDATE has no <!-- compression-table:begin --> marker" >&2; exit 2; }
	awk -v table="$TMP/table.md" '
		/<!-- compression-table:begin -->/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
		/<!-- compression-table:end -->/ { skip = 0 }
		!skip' "$UPDATE" > "$TMP/doc.md"
	cp "$TMP/doc.md" "$UPDATE"
	echo "compression-table: updated $UPDATE" >&2
else
	cat "$TMP/table.md"
fi
