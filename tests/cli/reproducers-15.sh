#!/bin/bash
# The reproducers of issue 15 ("Why"), each run as a user would, each
# checked against what the issue's "Done when" asks: refused with a clear
# message and the right exit status, or handled with nothing lost. One
# line per reproducer, "ok" or "FAIL: what happened"; exit 1 if any failed.
# The unit tests check most of these in detail (test_cli_output.c,
# test_cli_damage.c, test_cli_interrupt.c, test_cli_filter.c); this script
# keeps the issue's own list repeatable in one place.
#
# Usage: tests/cli/reproducers-15.sh [BUILD_DIR]   (default: build)
# Needs root for the device node and the mount namespace; the KVM cases
# need /dev/kvm. A case this machine cannot run prints "skipped: why".
set -u
build=${1:-build}
pf=$(realpath "$build/pfbench")
[ -x "$pf" ] || { echo "no $build/pfbench: build first"; exit 1; }
repo=$(pwd)
T=$(mktemp -d /tmp/pfbench-repro15-XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

nok=0 nfail=0 nskip=0 current=""
case_() { current="$*"; }
ok() { nok=$((nok + 1)); echo "ok      $current"; }
fail() { nfail=$((nfail + 1)); echo "FAIL    $current: $*"; }
skipped() { nskip=$((nskip + 1)); echo "skipped $current: $*"; }
# run ARGS...: pfbench with stdout in out, stderr in err, status in rc
run() { "$pf" "$@" >out 2>err </dev/null; rc=$?; }
# expect STATUS WORDS: rc is STATUS and stderr holds WORDS
expect() {
	local want=$1 words=$2
	if [ "$rc" != "$want" ]; then fail "exit $rc, want $want: $(head -c 300 err)"; return 1; fi
	if ! grep -qF -- "$words" err; then fail "stderr lacks '$words': $(head -c 300 err)"; return 1; fi
	return 0
}
have_kvm() { [ -c /dev/kvm ] && [ "$(stat -c %t:%T /dev/kvm)" = "a:e8" ] && [ -w /dev/kvm ]; }

good_set='{"schema": "pfbench-result/1", "bench": "lookup", "complete": true, "records": [{"design": "linear", "nevents": 8, "median_ns": 10.5}]}'
mkdir -p setA setB
echo "$good_set" >setA/lookup.json
echo "$good_set" >setB/lookup.json
printf 'arch x86\naction allow\nevent 0xc0 0x00\n' >f.pmuf

# ---- 1. -o on filter compile, filter convert and compare ----
# sub CMD...: the three writers with OUT replaced by the -o path
writers=("filter convert --to pmuf f.pmuf -o" "filter compile f.pmuf -o" "compare setA setB -o")
for w in "${writers[@]}"; do
	name=${w%% *}; [ "$name" = filter ] && name="filter $(echo "$w" | cut -d' ' -f2)"
	case_ "1. $name -o onto a character device"
	if [ "$(id -u)" = 0 ]; then
		rm -f cdev && mknod cdev c 1 3
		run $w cdev
		expect 2 "cdev" && { [ -c cdev ] && ok || fail "the device node was replaced"; }
	else
		skipped "mknod needs root"
	fi
	case_ "1. $name -o onto a symlink to a file"
	echo old >target && rm -f link && ln -s target link
	run $w link
	if [ "$rc" = 0 ] && [ -L link ] && ! grep -qx old target && [ -s target ]; then ok
	else fail "exit $rc; link $( [ -L link ] && echo kept || echo replaced ); $(head -c 200 err)"; fi
	case_ "1. $name -o onto a dangling symlink"
	rm -f dangling && ln -s nowhere dangling
	run $w dangling
	expect 2 "dangling" && { [ -L dangling ] && ok || fail "the symlink was replaced"; }
	case_ "1. $name -o onto a mode-600 file"
	echo old >private && chmod 600 private
	run $w private
	m=$(stat -c %a private)
	if [ "$rc" = 0 ] && [ "$m" = 600 ]; then ok; else fail "exit $rc, mode $m"; fi
	case_ "1. $name -o onto a FIFO"
	rm -f fifo && mkfifo fifo
	run $w fifo
	expect 2 "fifo" && { [ -p fifo ] && ok || fail "the FIFO was replaced"; }
done

# ---- 2. report and compare of damaged result sets ----
damage() { # damage KIND DIR: make DIR/lookup.json damaged as KIND
	rm -rf "$2" && mkdir -p "$2"
	case $1 in
	truncated) echo "$good_set" | head -c 60 >"$2/lookup.json" ;;
	empty) : >"$2/lookup.json" ;;
	unreadable) echo "$good_set" >"$2/lookup.json" && chmod 000 "$2/lookup.json" ;;
	null-records) echo '{"schema": "pfbench-result/1", "bench": "lookup", "complete": true, "records": null}' >"$2/lookup.json" ;;
	not-json) echo 'hello' >"$2/lookup.json" ;;
	esac
}
for kind in truncated empty unreadable null-records not-json; do
	for cmd in report compare; do
		case_ "2. $cmd of a $kind result set"
		damage $kind bad
		as=()
		if [ $kind = unreadable ]; then
			# root reads any file: run as nobody, who can read nothing else either
			if [ "$(id -u)" != 0 ]; then :; else
				chmod 755 "$T" bad setA && chmod 644 setA/lookup.json
				as=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
			fi
		fi
		if [ $cmd = report ]; then "${as[@]}" "$pf" report bad >out 2>err; rc=$?
		else "${as[@]}" "$pf" compare setA bad >out 2>err; rc=$?; fi
		if expect 1 "bad/lookup.json"; then
			if [ -e bad/report.md ]; then fail "a report was written"; else ok; fi
		fi
	done
done
case_ "2. report of a run whose metadata marks a stage ok with no set"
rm -rf run && mkdir run
echo '{"schema": "pfbench-suite/1", "mode": "quick", "complete": true, "stages": [{"name": "install", "status": "ok"}]}' >run/metadata.json
echo "$good_set" >run/lookup.json
run report run
expect 1 "install" && ok

# ---- 3. write errors on stdout ----
case_ "3. filter show F > /dev/full"
"$pf" filter show f.pmuf >/dev/full 2>err; rc=$?
expect 1 "writing standard output: No space left on device" && ok
case_ "3. filter validate F > /dev/full"
"$pf" filter validate f.pmuf >/dev/full 2>err; rc=$?
if [ "$rc" = 1 ] && [ -s err ]; then ok; else fail "exit $rc: $(head -c 200 err)"; fi
case_ "3. filter show F | head -c1 (EPIPE is not an error)"
( set -o pipefail; "$pf" filter show f.pmuf 2>err | head -c1 >/dev/null ); rc=$?
if [ "$rc" = 0 ]; then ok; else fail "exit $rc: $(head -c 200 err)"; fi

# ---- 4. benchmarks check -o before measuring ----
echo file >afile
for b in exit install check lookup limits; do
	for o in afile afile/sub; do
		case_ "4. $b --quick -o $o fails at once, naming the path"
		start=$(date +%s)
		run $b --quick -o $o
		took=$(($(date +%s) - start))
		expect 2 "-o $o: " && grep -q "not a directory" err &&
			{ [ "$took" -le 2 ] && ok || fail "took $took s (measured first?)"; }
	done
done

# ---- 5. a FIFO as filter input ----
case_ "5. filter show on a FIFO does not block"
rm -f in.pmuf && mkfifo in.pmuf
timeout 10 "$pf" filter show in.pmuf >out 2>err; rc=$?
expect 2 "in.pmuf" && ok
case_ "5. filter show - reads stdin"
"$pf" filter show --format pmuf - <f.pmuf >out 2>err; rc=$?
if [ "$rc" = 0 ] && grep -q "1 entr" out; then ok; else fail "exit $rc: $(head -c 200 err)"; fi

# ---- 6. numbers are decimal or 0x hex ----
case_ "6. -n 010 is ten, --samples 08 is eight, 0x10 sixteen"
if have_kvm; then
	res=""
	for n in 010 08 0x10; do
		rm -rf n && "$pf" install -n $n --warmup 0 --sizes 1 --vcpus 0 --no-in-guest -o n >/dev/null 2>err
		res="$res $(sed -n 's/.*"samples": \([0-9]*\).*/\1/p' n/install.json | head -1)"
	done
	[ "$res" = " 10 8 16" ] && ok || fail "took$res samples: $(head -c 200 err)"
else
	skipped "no /dev/kvm"
fi
case_ "6. --samples 1e3 / -5 / 0o7 are not numbers"
bad=""
for n in 1e3 -5 0o7 " 7"; do
	run lookup --samples "$n" -o x; [ "$rc" = 2 ] && grep -q "not a number" err || bad="$bad '$n'"
done
[ -z "$bad" ] && ok || fail "accepted or unclear:$bad"

# ---- 7. filter convert refuses an output it would not read back ----
case_ "7. filter convert of a 16 MB kvm-raw file to qemu-json"
python3 -c '
import struct, sys
n = 1999990
sys.stdout.buffer.write(struct.pack("<8I", 0, n, 0, 0, 0, 0, 0, 0))
sys.stdout.buffer.write(struct.pack("<Q", 0xc0) * n)' >big.bin
start=$(date +%s)
run filter convert --to qemu-json big.bin -o big.json
took=$(($(date +%s) - start))
expect 2 "over the 16 MiB pfbench reads back" && {
	[ ! -e big.json ] && [ "$took" -le 3 ] && ok || fail "took $took s or wrote big.json"; }
rm -f big.bin

# ---- 8. killed and interrupted runs ----
case_ "8. a SIGKILLed suite leaves a running marker; report says interrupted during"
# the quick lookup stage runs for many seconds: the kill comes during it
"$pf" suite --quick --only info,lookup --no-plots --dir killed >/dev/null 2>&1 &
spid=$!
for _ in $(seq 1200); do # 2 minutes at most; the marker comes after info (a second)
	grep -q '"status": "running"' killed/metadata.json 2>/dev/null && break
	sleep 0.1
done
kids=$(pgrep -P $spid)
kill -KILL $spid; wait $spid 2>/dev/null
for k in $kids; do kill -KILL "$k" 2>/dev/null; done
"$pf" report killed >out 2>err; rc=$?
# the metadata as the kill left it: a stage running, or (killed between
# two stages) none; either way the report says the run did not finish
running=$(python3 -c 'import json
for s in json.load(open("killed/metadata.json"))["stages"]:
    if s["status"] == "running": print(s["name"])' 2>/dev/null)
want=${running:+interrupted during $running}
if [ "$rc" = 0 ] && grep -q "${want:-Incomplete run}" killed/report.md 2>/dev/null; then ok
else fail "report exit $rc, want '${want:-Incomplete run}'; $(head -c 200 err)"; fi
case_ "8. report removes stale plots/*.svg.tmp.PID"
mkdir -p killed/plots && : >killed/plots/lookup.svg.tmp.999999999
"$pf" report --lenient killed >out 2>err
[ ! -e killed/plots/lookup.svg.tmp.999999999 ] && grep -q "tmp" err && ok ||
	fail "left or not said: $(head -c 200 err)"
case_ "8. a stage timeout records the signals it sent"
"$pf" suite --quick --only lookup --no-plots --timeout 1 --dir timed >/dev/null 2>&1
why=$(python3 -c 'import json; s=json.load(open("timed/metadata.json"))["stages"][0]; print(s["status"], "|", s["why"], "|", s["signal"], "|", s["exit_code"])' 2>&1)
case $why in
timeout*"sent SIGTERM, which stopped it"*"None | 143"*) ok ;;
timeout*"then SIGKILL"*"SIGKILL"*) ok ;;
timeout*"sent SIGTERM, which stopped it"*"SIGTERM"*) ok ;; # a stage without a handler
*) fail "$why" ;;
esac
case_ "8. standalone lookup, limits, exit, install, check keep their records on SIGINT/SIGTERM"
# test_cli_interrupt signals each once its progress line (on a pty) shows
# a finished step (check: a verdict line), then checks exit 128+signal, the
# set's marks and report.
if have_kvm; then
	PFBENCH="$pf" PFBENCH_MUST_HAVE="pfbench kvm" "$repo/$build/tests/test_cli_interrupt" >ti.log 2>&1; rc=$?
	[ "$rc" = 0 ] && ok || fail "test_cli_interrupt: $(grep -E 'ERROR|FAILED' ti.log | head -3)"
else
	skipped "no /dev/kvm"
fi

# ---- 9. status and message details ----
case_ "9. report FILE exits 2"
run report setA/lookup.json
expect 2 "not a directory" && ok
case_ "9. metadata.json that is a directory"
rm -rf mdir && mkdir -p mdir/metadata.json && echo "$good_set" >mdir/lookup.json
run report mdir
expect 1 "metadata.json" && ok
case_ "9. filter decide F -- -1 says what was wrong"
run filter decide f.pmuf -- -1
expect 2 "-1" && { [ "$(head -1 err | grep -c '^usage')" = 0 ] && ok || fail "usage first: $(head -1 err)"; }
case_ "9. filter show A B says what was wrong"
run filter show f.pmuf f.pmuf
expect 2 "expected one FILE" && { [ "$(head -1 err | grep -c '^usage')" = 0 ] && ok || fail "usage first: $(head -1 err)"; }
case_ "9. control bytes from a filter file are escaped"
printf 'arch x86\naction allow\nevent \033[2J\n' >ctl.pmuf
run filter show ctl.pmuf
if [ "$rc" = 2 ] && ! grep -q $'\033' err && grep -qF '\x1b' err; then ok
else fail "exit $rc: $(od -c err | head -3)"; fi

# ---- 10. run-tests.sh counts skipped tests ----
case_ "10. run-tests.sh with /dev/kvm hidden reports the skips"
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null && have_kvm; then
	mkdir -p rt/tests && ln -s "$pf" rt/pfbench
	for t in test_kvm_sys test_cli_install; do ln -s "$(realpath "$repo/$build/tests/$t")" rt/tests/$t; done
	: >nokvm # a regular file; /dev/null bound there hides it as well (run-tests.sh checks 10:232)
	(cd "$repo" && unshare -m sh -c "mount --make-rprivate / && mount --bind '$T/nokvm' /dev/kvm &&
		env -u PFBENCH_MUST_HAVE scripts/run-tests.sh '$T/rt'") >rt.log 2>&1
	last=$(tail -n 5 rt.log | grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' | tail -1)
	s=$(echo "$last" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
	if [ -n "$s" ] && [ "$s" -gt 0 ]; then ok; else fail "last lines: $(tail -n 3 rt.log)"; fi
else
	skipped "needs root, mount namespaces and /dev/kvm"
fi

echo
echo "reproducers of issue 15: $nok ok, $nfail failed, $nskip skipped"
[ "$nfail" = 0 ]
