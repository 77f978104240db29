#!/bin/bash
# Runs every test binary of one build directory and prints cmocka's own
# counts, summed: the last line is "N passed, N failed, N skipped" (tests,
# not binaries). A binary that dies before cmocka's summary (a sanitizer
# abort, a crash) counts as one failure.
#
# What this machine must provide is exported as PFBENCH_MUST_HAVE (words:
# kvm, namespace, pfbench); a test whose precondition is one of them fails
# instead of skipping (tests/unit/need.h), so a skip can never hide a test
# that should have run here. Set PFBENCH_MUST_HAVE yourself to override.
#
# Usage: scripts/run-tests.sh BUILD_DIR
set -u
build=${1:?usage: run-tests.sh BUILD_DIR}
export PFBENCH="$build/pfbench"
export PFBENCH_BUILD="$build"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

if [ -z "${PFBENCH_MUST_HAVE+set}" ]; then
	must="pfbench"
	# /dev/kvm present (the misc device 10:232, not something bound over
	# it) and ours to open: the KVM tests must run.
	[ -c /dev/kvm ] && [ "$(stat -Lc %t:%T /dev/kvm)" = a:e8 ] && [ -r /dev/kvm ] &&
		[ -w /dev/kvm ] && must="$must kvm"
	# Root with mount namespaces: the "without /dev/kvm" tests must run.
	[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null && must="$must namespace"
	export PFBENCH_MUST_HAVE="$must"
fi
echo "this machine must run the tests that need: $PFBENCH_MUST_HAVE"

log=$(mktemp) && rcf=$(mktemp) || exit 1
trap 'rm -f "$log" "$rcf"' EXIT
# The count on cmocka's summary lines of one kind, summed over groups.
count() { sed -n "s/^\[  $1 *\] \([0-9][0-9]*\) test(s).*/\1/p" "$log" | awk '{s += $1} END {print s + 0}'; }

bins=0 pass=0 fail=0 skipped=0 failed="" skips=""
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	bins=$((bins + 1))
	echo "== $name ($build)"
	{ "$t"; echo $? >"$rcf"; } 2>&1 | tee "$log"
	rc=$(cat "$rcf")
	p=$(count PASSED) f=$(count FAILED) s=$(count SKIPPED)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # died before its summary
		echo "$name: exit status $rc before cmocka's summary: counted as 1 failure"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skipped=$((skipped + s))
	[ "$f" -gt 0 ] && failed="$failed $name"
	for n in $(sed -n 's/^\[  SKIPPED \] \(test_[A-Za-z0-9_]*\)$/\1/p' "$log" | sort -u); do
		skips="$skips $name:$n"
	done
done
echo
if [ "$bins" -eq 0 ]; then
	# No binaries at all: a wrong BUILD_DIR or a build that never ran.
	echo "no test binaries in $build/tests (build first: make BUILD=$build)"
	exit 1
fi
[ -n "$skips" ] && echo "skipped in $build:$skips"
[ -n "$failed" ] && echo "failed in $build:$failed"
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
