# guest-e2e.sh — the body of /init in the arm64 guest of `make test-arm64`
# (tests/arm64/run.sh boots it with scripts/arm64/vm-run.sh). Runs
# kvm-probe, then, when this build has an arm64 pfbench, `pfbench info`,
# `pfbench check`, `pfbench suite --quick` (without the limit study) into
# /out/results and `pfbench exit --quick` once more into /out/exit-again
# (the host compares its medians with the suite's exit.json). Each
# step's output goes to the console and /out/<step>.txt, its exit status to
# /out/status as "<step> <status>". The host judges the records; this
# script's own status is 0 when every step ran to an exit status.

step()
{
	name=$1
	shift
	echo "guest-e2e: == $*"
	{
		"$@" 2>&1
		echo $? >/tmp/status.$name
	} | tee /out/$name.txt
	echo "$name $(cat /tmp/status.$name)" >>/out/status
	echo "guest-e2e: $name exit $(cat /tmp/status.$name)"
}

: >/out/status
step kvm-probe kvm-probe
if [ -x /bin/pfbench ]; then
	step info pfbench info
	pfbench info --json >/out/info.json 2>/dev/null
	step check pfbench check
	# The limit study (a stage of the quick suite) takes ~100 s natively on
	# x86 and far longer under TCG; it is the same user-space code on every
	# arch, so the arm64 guest leaves it out.
	step suite pfbench suite --quick --only info,lookup,install,exit,check -o /out/results
	# Under -icount the same run twice gives the same instruction counts:
	# the host compares this run's medians with the suite's.
	step exit-again pfbench exit --quick -o /out/exit-again
fi
exit 0
