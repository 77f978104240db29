#!/bin/sh
# Runs every test binary of one build directory and prints a closing
# "N passed, N failed" line. Usage: scripts/run-tests.sh BUILD_DIR
set -u
build=${1:?usage: run-tests.sh BUILD_DIR}
export PFBENCH="$build/pfbench"
export PFBENCH_BUILD="$build"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
pass=0
fail=0
failed=""
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	echo "== $name ($build)"
	if "$t"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		failed="$failed $name"
	fi
done
echo
if [ $((pass + fail)) -eq 0 ]; then
	# No binaries at all: a wrong BUILD_DIR or a build that never ran.
	echo "no test binaries in $build/tests (build first: make BUILD=$build)"
	exit 1
fi
[ -n "$failed" ] && echo "failed in $build:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
