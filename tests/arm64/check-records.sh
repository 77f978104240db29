#!/bin/sh
# check-records.sh — does an arm64 result directory show the filter
# enforced? Reads the suite's check.json and exit.json (results/README.md)
# and prints one line per assertion; exit 0 when all hold, 1 otherwise.
#
# usage: tests/arm64/check-records.sh RESULT_DIR
#
# The tables below are the assertions: adjust a record-name pattern here
# when pfbench's arm64 check cases are renamed (their list:
# bench/kvm/arm64/check-arch.c).
set -eu

dir=${1:?usage: check-records.sh RESULT_DIR}

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
# filter sizes, every one labelled emulated ("emulated" naming QEMU).
EXIT_MIN_SIZES=3
EMULATED_RE='qemu'

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

if ! has_records exit.json; then
	bad "$dir/exit.json: missing or has no records array"
	exit 1
fi

SIZES='[.records[] | select(.group == "reprogram") | .filter_size | numbers] | unique'
sizes=$(jq "$SIZES | length" "$dir/exit.json")
[ "$sizes" -ge "$EXIT_MIN_SIZES" ] &&
	ok "exit.json: reprogram records for $sizes filter sizes ($(jq -c "$SIZES" "$dir/exit.json"))" ||
	bad "exit.json: reprogram records for $sizes filter sizes, want >= $EXIT_MIN_SIZES"
unlabelled=$(jq --arg re "$EMULATED_RE" '[.records[] | select(.group == "reprogram")
	| select((.emulated // "") | tostring | test($re; "i") | not)] | length' "$dir/exit.json")
[ "$unlabelled" = 0 ] && ok "exit.json: every reprogram record is labelled emulated (/$EMULATED_RE/)" ||
	bad "exit.json: $unlabelled reprogram records without an \"emulated\" label matching /$EMULATED_RE/"
exit $fail
