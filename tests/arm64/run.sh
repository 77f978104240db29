#!/bin/sh
# run.sh — `make test-arm64`: the arm64 end-to-end test under QEMU.
#
# Boots an arm64 guest (scripts/arm64/vm-run.sh) that runs kvm-probe and,
# once this tree has the arm64 VMM (bench/kvm/arm64/), the static
# build-arm64/pfbench: info, check and suite --quick (tests/arm64/
# guest-e2e.sh). The suite's result directory comes back to
# results/<host-id>/<UTC>/ beside x86 results (the guest's pfbench names
# its host id); the VM's console log and step outputs stay in
# build-arm64/test-arm64/<UTC>/. Passes only when kvm-probe passes and the
# records show enforcement (tests/arm64/check-records.sh). Without
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
[ "$status" = 0 ] || exit 1

fail=0
step_status()
{
	sed -n "s/^$1 //p" "$vmout/status"
}
if [ "$(step_status kvm-probe)" = 0 ]; then
	echo "test-arm64: kvm-probe: pass (vPMU, filter, vGIC, PMU INIT, EBUSY after INIT)"
else
	echo "test-arm64: kvm-probe: FAIL (see $vmout/kvm-probe.txt)"
	fail=1
fi

if [ $with_pfbench = 0 ]; then
	echo "test-arm64: pfbench info/check/suite on arm64: SKIPPED (no bench/kvm/arm64/ in this tree:" \
		"the arm64 VMM is not built yet)"
	exit $fail
fi

for s in info check suite; do
	st=$(step_status $s)
	echo "test-arm64: pfbench $s exit ${st:-none}"
done
# The suite's run directory: <host-id>/<UTC>/ under the guest's results root.
run=$(find "$vmout/results" -mindepth 2 -maxdepth 2 -type d 2>/dev/null | head -n1)
if [ -z "$run" ]; then
	echo "test-arm64: FAIL: the guest's suite left no result directory (see $vmout/suite.txt)"
	exit 1
fi
rel=${run#"$vmout/results/"}
dest=results/$rel
if [ -e "$dest" ]; then
	echo "test-arm64: FAIL: $dest exists; not overwriting it" >&2
	exit 1
fi
mkdir -p "$(dirname "$dest")"
cp -a "$run" "$dest"
echo "test-arm64: arm64 results: $dest"
# The guest has no gnuplot: the host's pfbench draws the plots and rewrites
# report.md from the arm64 records.
host_pfbench=${PFBENCH:-build/pfbench}
if [ -x "$host_pfbench" ]; then
	"$host_pfbench" report "$dest" >/dev/null ||
		{ echo "test-arm64: FAIL: $host_pfbench report $dest"; fail=1; }
else
	echo "test-arm64: no $host_pfbench: $dest keeps the guest's report (no plots)"
fi
tests/arm64/check-records.sh "$dest" || fail=1
[ "$(step_status suite)" = 0 ] || { echo "test-arm64: FAIL: pfbench suite exit $(step_status suite)"; fail=1; }
exit $fail
