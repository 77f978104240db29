#!/bin/sh
# run.sh — `make test-arm64`: the arm64 end-to-end test under QEMU.
#
# Boots an arm64 guest (scripts/arm64/vm-run.sh) that runs kvm-probe and,
# once this tree has the arm64 VMM (bench/kvm/arm64/), the static
# build-arm64/pfbench: info, check, suite --quick and exit --quick once
# more (tests/arm64/guest-e2e.sh). The suite's result directory comes back to
# results/<host-id>/<UTC>/ beside x86 results (the guest's pfbench names
# its host id); the VM's console log and step outputs stay in
# build-arm64/test-arm64/<UTC>/. Passes only when kvm-probe passes and the
# records show enforcement and exit's sweep, the same twice
# (tests/arm64/check-records.sh). Without
# bench/kvm/arm64/ the pfbench part is reported as SKIPPED.
#
# The host's build/pfbench (PFBENCH=...) then draws the plots and rewrites
# report.md there: the guest has no gnuplot.
#
# Environment: ARM64_VM_TIMEOUT (seconds, default 1200) bounds the VM.
set -eu

B=${ARM64_BUILD:-build-arm64}
timeout_s=${ARM64_VM_TIMEOUT:-1200}
probe=$B/arm64/kvm-probe
stamp=$(date -u +%Y%m%dT%H%M%SZ)
vmout=$B/test-arm64/$stamp
mkdir -p "$B/test-arm64"

with_pfbench=0
if [ -d bench/kvm/arm64 ]; then
	with_pfbench=1
	[ -x "$B/pfbench" ] || { echo "test-arm64: $B/pfbench missing (make arm64)" >&2; exit 1; }
fi

start=$(date +%s)
status=0
if [ $with_pfbench = 1 ]; then
	scripts/arm64/vm-run.sh -t "$timeout_s" -f "$probe:/bin/kvm-probe" \
		"$B/pfbench" tests/arm64/guest-e2e.sh "$vmout" || status=$?
else
	scripts/arm64/vm-run.sh -t "$timeout_s" "$probe" tests/arm64/guest-e2e.sh "$vmout" ||
		status=$?
fi
echo "test-arm64: VM run: $(($(date +%s) - start)) s, exit $status; console log and outputs in $vmout"
if [ "$status" != 0 ]; then
	echo "test-arm64: FAIL: the VM run ended with exit $status"
	echo "test-arm64: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

# Counted like scripts/run-tests.sh: the last line is "N passed, N failed,
# N skipped".
pass=0 fail=0 skip=0
passed() { echo "test-arm64: pass: $*"; pass=$((pass + 1)); }
failed() { echo "test-arm64: FAIL: $*"; fail=$((fail + 1)); }
summary()
{
	echo "test-arm64: $pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit
}
step_status()
{
	sed -n "s/^$1 //p" "$vmout/status"
}
if [ "$(step_status kvm-probe)" = 0 ]; then
	passed "kvm-probe (vPMU, filter, vGIC, PMU INIT, EBUSY after INIT)"
else
	failed "kvm-probe (see $vmout/kvm-probe.txt)"
fi

if [ $with_pfbench = 0 ]; then
	echo "test-arm64: SKIPPED: pfbench info/check/suite on arm64 (no bench/kvm/arm64/ in this" \
		"tree: the arm64 VMM is not built yet)"
	skip=1
	summary
fi

for s in info check suite exit-again; do
	st=$(step_status $s)
	if [ "$st" = 0 ]; then
		passed "pfbench $s exit 0"
	else
		failed "pfbench $s exit ${st:-none} (see $vmout/$s.txt)"
	fi
done
# The suite's run directory: <host-id>/<UTC>/ under the guest's results root.
run=$(find "$vmout/results" -mindepth 2 -maxdepth 2 -type d 2>/dev/null | head -n1)
if [ -z "$run" ]; then
	failed "the guest's suite left no result directory (see $vmout/suite.txt)"
	summary
fi
rel=${run#"$vmout/results/"}
dest=results/$rel
if [ -e "$dest" ]; then
	failed "$dest exists; not overwriting it"
	summary
fi
mkdir -p "$(dirname "$dest")"
cp -a "$run" "$dest"
echo "test-arm64: arm64 results: $dest"
# The guest has no gnuplot: the host's pfbench draws the plots and rewrites
# report.md from the arm64 records.
host_pfbench=${PFBENCH:-build/pfbench}
if [ -x "$host_pfbench" ]; then
	if "$host_pfbench" report "$dest" >/dev/null; then
		passed "$host_pfbench report $dest (plots drawn on the host)"
	else
		failed "$host_pfbench report $dest"
	fi
else
	echo "test-arm64: no $host_pfbench: $dest keeps the guest's report (no plots)"
fi
rc=0
tests/arm64/check-records.sh "$dest" "$vmout/exit-again/exit.json" >"$vmout/check-records.txt" 2>&1 ||
	rc=$?
cat "$vmout/check-records.txt"
# grep -c exits 1 when it counts 0: not an error here (set -e)
count() { grep -c "^check-records: $1:" "$vmout/check-records.txt" || true; }
pass=$((pass + $(count pass)))
nfail=$(count FAIL)
fail=$((fail + nfail))
skip=$((skip + $(count skip)))
[ "$rc" != 0 ] && [ "$nfail" = 0 ] && failed "check-records.sh exit $rc without a verdict"
summary
