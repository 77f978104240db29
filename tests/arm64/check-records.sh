#!/bin/sh
# check-records.sh — does an arm64 result directory show the filter
# enforced? Reads the suite's check.json and exit.json (results/README.md)
# and prints one line per assertion; exit 0 when all hold, 1 otherwise.
#
# usage: tests/arm64/check-records.sh RESULT_DIR [EXIT_JSON]
#
# EXIT_JSON: a second run's exit.json (tests/arm64/guest-e2e.sh runs exit
# twice); its medians must be those of RESULT_DIR/exit.json.
#
# The tables below are the assertions: adjust a record-name pattern here
# when pfbench's arm64 check cases are renamed (their list:
# bench/kvm/arm64/check-arch.c).
set -eu

dir=${1:?usage: check-records.sh RESULT_DIR [EXIT_JSON]}
again=${2:-}

# check.json: each enforcement case is a jq regular expression (case
# insensitive) on the record "name"; at least one record must match and
# every matching record must say "result": "pass".
CHECK_CASES='
^arm64/attr/order$	the attribute order (filters, IRQ, vGIC init, INIT) is accepted
^arm64/attr/filter-after-init-ebusy$	a filter after KVM_ARM_VCPU_PMU_V3_INIT gives EBUSY
^arm64/attr/filter-after-run-ebusy$	a filter after the first KVM_RUN gives EBUSY
^arm64/count/deny-	denied events read 0
^arm64/count/allow-	allowed events count
^arm64/count/allowed-inst-retired-exact$	INST_RETIRED counts exactly (QEMU -icount)
^arm64/count/	every counting case (defaults, cancelling ranges, SW_INCR)
^arm64/pmceid/	PMCEID0/1 as the guest reads them are masked by the filter
'
# exit.json: reprogram records (group "reprogram") for at least this many
# filter sizes, every record labelled emulated ("emulated" naming QEMU),
# these baseline rows measured in both modes, and every reprogram median
# in this range of ns. Under -icount a ns is an instruction: a trapped
# PMEVTYPER0_EL0 write is a world switch into the guest's KVM and back
# (about 2,000 instructions when the filter drops the event, 7,000 when
# KVM creates a perf event); more than a million means something else.
EXIT_MIN_SIZES=3
EMULATED_RE='qemu'
EXIT_BASELINES='sysreg mmio hvc'
EXIT_MEDIAN_MIN=100
EXIT_MEDIAN_MAX=1000000
# Run twice: every median the same, except in configurations where KVM
# creates a perf event (no filter, or one that lets the event through):
# a write costs 3 instructions more when SLUB (its freelists randomised)
# places the new struct perf_event at 32 rather than 0 mod 64 bytes, so
# their samples take two values and the median can land on either or
# between (docs/methodology.md). Those may differ by this many parts per
# million of the median (1000 = 0.1%: 7 ns at 7,000).
EXIT_PERF_TOL_PPM=1000

fail=0
ok() { echo "check-records: pass: $*"; }
bad() { echo "check-records: FAIL: $*"; fail=1; }

has_records() { jq -e '.records | type == "array"' "$dir/$1" >/dev/null 2>&1; }

check_json()
{
	failed=$(jq -r '[.records[] | select(.result == "fail") | .name] | join(", ")' "$dir/check.json")
	[ -z "$failed" ] && ok "no check case failed" || bad "check cases failed: $failed"

	while IFS='	' read -r re what; do
		[ -n "$re" ] || continue
		out=$(jq -r --arg re "$re" '
			[.records[] | select(.name | test($re; "i"))] as $m
			| if ($m | length) == 0 then "none"
			  elif all($m[]; .result == "pass") then "pass \($m | map(.name) | join(", "))"
			  else "notpass \($m | map(select(.result != "pass") | "\(.name): \(.result) \(.reason)") | join("; "))"
			  end' "$dir/check.json")
		case $out in
		"pass "*) ok "$what (${out#pass })" ;;
		none) bad "$what: no check record matches /$re/" ;;
		*) bad "$what: ${out#notpass }" ;;
		esac
	done <<CASES
$CHECK_CASES
CASES
}

if has_records check.json; then
	check_json
else
	bad "$dir/check.json: missing or has no records array"
fi

# Every install record is labelled as emulated: QEMU's times are never
# taken for hardware ones.
if has_records install.json; then
	unlabelled=$(jq --arg re "$EMULATED_RE" '[.records[]
		| select((.emulated // "") | tostring | test($re; "i") | not)] | length' "$dir/install.json")
	n=$(jq '.records | length' "$dir/install.json")
	[ "$n" -gt 0 ] && [ "$unlabelled" = 0 ] &&
		ok "install.json: all $n records labelled emulated (/$EMULATED_RE/)" ||
		bad "install.json: $unlabelled of $n records without an \"emulated\" label matching /$EMULATED_RE/"
else
	bad "$dir/install.json: missing or has no records array"
fi

if ! has_records exit.json; then
	bad "$dir/exit.json: missing or has no records array"
	exit 1
fi

SIZES='[.records[] | select(.group == "reprogram") | .filter_size | numbers] | unique'
sizes=$(jq "$SIZES | length" "$dir/exit.json")
[ "$sizes" -ge "$EXIT_MIN_SIZES" ] &&
	ok "exit.json: reprogram records for $sizes filter sizes ($(jq -c "$SIZES" "$dir/exit.json"))" ||
	bad "exit.json: reprogram records for $sizes filter sizes, want >= $EXIT_MIN_SIZES"
unlabelled=$(jq --arg re "$EMULATED_RE" '[.records[]
	| select((.emulated // "") | tostring | test($re; "i") | not)] | length' "$dir/exit.json")
n=$(jq '.records | length' "$dir/exit.json")
[ "$n" -gt 0 ] && [ "$unlabelled" = 0 ] &&
	ok "exit.json: all $n records labelled emulated (/$EMULATED_RE/)" ||
	bad "exit.json: $unlabelled of $n records without an \"emulated\" label matching /$EMULATED_RE/"
for b in $EXIT_BASELINES; do
	modes=$(jq -r --arg b "$b" '[.records[] | select(.group == "baseline" and .exit == $b
		and .status == "ok" and (.median_ns // 0) > 0) | .mode] | unique | join(",")' "$dir/exit.json")
	[ "$modes" = "amortized,each" ] && ok "exit.json: baseline $b measured (each, amortized)" ||
		bad "exit.json: baseline $b measured in modes '${modes:-none}', want each and amortized (skipped: $(jq -c '.skipped' "$dir/exit.json"))"
done
out=$(jq -r --argjson lo "$EXIT_MEDIAN_MIN" --argjson hi "$EXIT_MEDIAN_MAX" '
	[.records[] | select(.group == "reprogram")] as $r
	| [$r[] | select(.status != "ok" or (.median_ns // 0) < $lo or .median_ns > $hi)
	  | "\(.filter_size // 0)/\(.action // "-")/\(.position // "-"): \(.status) \(.median_ns)"] as $bad
	| "\($r | length) \($bad | join("; "))"' "$dir/exit.json")
nrep=${out%% *}
why=${out#* }
[ "$nrep" -gt 0 ] && [ -z "$why" ] &&
	ok "exit.json: all $nrep reprogram records ok, medians in [$EXIT_MEDIAN_MIN, $EXIT_MEDIAN_MAX] ns" ||
	bad "exit.json: reprogram records not ok or with a median outside [$EXIT_MEDIAN_MIN, $EXIT_MEDIAN_MAX] ns: ${why:-no records}"

# One run: every configuration whose filter lets the event through does
# what no filter does (KVM's bitmap test passes, the same perf event is
# created), so its median is no filter's, within the same tolerance. An
# allow list once measured 1,100 instructions dearer because counters
# that KVM's reset had left enabled got perf events only where the filter
# allowed their events (docs/methodology.md).
out=$(jq -r --argjson tol "$EXIT_PERF_TOL_PPM" '
	[.records[] | select(.group == "reprogram" and .status == "ok" and .median_ns != null)] as $r
	| [$r[] | select(.filter == "none")] as $none
	| [$r[] | select(.filter_allows_event == true) as $x
	  | ($none[] | select(.cycle == $x.cycle) | .median_ns) as $m0
	  | {k: "\($x.filter_size)/\($x.action)/\($x.position)/\($x.cycle)", m: $x.median_ns, m0: $m0}] as $c
	| [($c | length),
	   ($c | map(select(((.m - .m0) | fabs) * 1e6 > $tol * .m0) | "\(.k): \(.m) vs \(.m0)") | join("; ")),
	   ($c | map((.m - .m0) | fabs) | max // 0)]
	| map(tostring) | join("|")' "$dir/exit.json")
IFS='|' read -r nsame far maxd <<OUT
$out
OUT
[ "$nsame" -gt 0 ] && [ -z "$far" ] &&
	ok "exit.json: $nsame configurations whose filter lets the event through within $EXIT_PERF_TOL_PPM ppm of no filter's median (largest difference $maxd ns)" ||
	bad "exit.json: configurations whose filter lets the event through, against no filter: ${far:-none compared}"

# The second run: the same configurations, the same medians.
if [ -z "$again" ]; then
	echo "check-records: skip: exit run twice: no second exit.json given"
	exit $fail
fi
if ! jq -e '.records | type == "array"' "$again" >/dev/null 2>&1; then
	bad "$again: missing or has no records array (the second exit run)"
	exit 1
fi
out=$(jq -rn --slurpfile a "$dir/exit.json" --slurpfile b "$again" --argjson tol "$EXIT_PERF_TOL_PPM" '
	def key: [.group, .exit, .mode, .block_len, .filter_size, .action, .position, .cycle]
		| map(tostring) | join("/");
	def perf: .group == "reprogram" and (.filter == "none" or .filter_allows_event == true);
	def timed: [.records[] | select(.median_ns != null)];
	($b[0] | timed | map({(key): .median_ns}) | add // {}) as $bm
	| [$a[0] | timed[] | {k: key, perf: perf, m: .median_ns, m2: $bm[key]}] as $c
	| [$c[] | select(.m2 != null)] as $both
	| ($c | map(select(.m2 == null) | .k)) as $missing
	| ($both | map(select((.perf | not) and .m != .m2) | "\(.k): \(.m) vs \(.m2)")) as $diff
	| ($both | map(select(.perf and ((.m - .m2) | fabs) * 1e6 > $tol * .m)
		| "\(.k): \(.m) vs \(.m2)")) as $far
	| [$both[] | select(.perf)] as $p
	| [($c | length), ($missing | join(", ")), ($diff | join("; ")), ($far | join("; ")),
	   ($both | map(select(.perf | not)) | length), ($p | length),
	   ($p | map(select(.m == .m2)) | length), ($p | map((.m - .m2) | fabs) | max // 0)]
	| map(tostring) | join("|")')
IFS='|' read -r ncmp missing diff far nexact nperf perfsame maxd <<OUT
$out
OUT
[ "$ncmp" -gt 0 ] && [ -z "$missing" ] &&
	ok "exit run twice: all $ncmp timed records of exit.json are in the second run" ||
	bad "exit run twice: $ncmp timed records; missing from the second run: ${missing:-all}"
[ "$nexact" -gt 0 ] && [ -z "$diff" ] &&
	ok "exit run twice: $nexact medians identical (baselines; configurations whose filter drops the event)" ||
	bad "exit run twice: medians differ: ${diff:-no records to compare}"
[ "$nperf" -gt 0 ] && [ -z "$far" ] &&
	ok "exit run twice: $nperf configurations that create a perf event within $EXIT_PERF_TOL_PPM ppm ($perfsame identical, largest difference $maxd ns)" ||
	bad "exit run twice: configurations that create a perf event beyond $EXIT_PERF_TOL_PPM ppm: ${far:-none compared}"
exit $fail
