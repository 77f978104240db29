#!/bin/sh
# run.sh — cross-checks `pfbench exit`'s CPUID baseline against
# kvm-unit-tests' vmexit method on this host (docs/methodology.md,
# "Cross-check against kvm-unit-tests' vmexit"). Builds a small 64-bit
# multiboot guest (boot.S, main.c) twice — kernel mode (CPL 0) and user
# mode (CPL 3) — runs each under QEMU with KVM, reads the vCPU's KVM stats
# (insn_emulation, exits) through QEMU's monitor while the guest loops, and
# then runs `pfbench exit` for the same loop. Prints, per guest: the CPL,
# CPUID leaf 0 EAX as the guest saw it, the vmexit-style mean ticks per
# iteration, and emulated instructions and VM exits per iteration.
#
# usage: scripts/vmexit-xcheck/run.sh [-h]
# environment:
#   PFBENCH  pfbench binary (default build/pfbench)
#   KUT      kvm-unit-tests' x86/vmexit.flat, if built: also run `vmexit cpuid`
#   FIFO=1   pin every measured vCPU thread to the last core under
#            SCHED_FIFO 10 (QEMU: its vCPU thread only), so preemption stays
#            out of the means
#   OUT      work directory (default: a new one under /tmp)
# Exit status: 0 done, 1 a run failed, 2 usage, 4 a tool is missing.
set -eu

case "${1:-}" in
-h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
"") ;;
*) echo "usage: $0 [-h]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
PFBENCH=${PFBENCH:-build/pfbench}
for t in gcc ld objcopy qemu-system-x86_64 python3 jq; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "vmexit-xcheck: skipped: $t not found (Debian: qemu-system-x86, jq, binutils)" >&2
		exit 4
	}
done
[ -x "$PFBENCH" ] || { echo "vmexit-xcheck: $PFBENCH not built (make)" >&2; exit 4; }
[ -w /dev/kvm ] || { echo "vmexit-xcheck: skipped: no usable /dev/kvm" >&2; exit 4; }
OUT=${OUT:-$(mktemp -d /tmp/pfbench-vmexit-xcheck-XXXXXX)}
mkdir -p "$OUT"
CPU=$(($(nproc) - 1))
PIN=""
[ "${FIFO:-0}" = 1 ] && PIN="taskset -c $CPU chrt -f 10"

# vcpu_fifo PID: with FIFO=1, pin QEMU's vCPU thread ("CPU 0/KVM") and
# make it SCHED_FIFO; the monitor thread stays free to answer.
vcpu_fifo() {
	[ -n "$PIN" ] || return 0
	i=0
	while [ $i -lt 500 ]; do
		for t in /proc/"$1"/task/*; do
			if [ "$(cat "$t/comm" 2>/dev/null)" = "CPU 0/KVM" ]; then
				taskset -p -c "$CPU" "${t##*/}" >/dev/null
				chrt -f -p 10 "${t##*/}"
				return 0
			fi
		done
		sleep 0.01
		i=$((i + 1))
	done
	echo "vmexit-xcheck: no vCPU thread found in QEMU $1" >&2
	return 1
}

CFLAGS="-O2 -ffreestanding -fno-pic -fno-stack-protector -mno-red-zone -Wall -Werror"
build() { # build NAME [CPPFLAGS]
	gcc $CFLAGS ${2:-} -c "$here/boot.S" -o "$OUT/$1-boot.o"
	gcc $CFLAGS ${2:-} -c "$here/main.c" -o "$OUT/$1-main.o"
	ld -nostdlib --no-warn-rwx-segments -T "$here/guest.lds" "$OUT/$1-boot.o" "$OUT/$1-main.o" \
		-o "$OUT/$1.elf64"
	objcopy -O elf32-i386 "$OUT/$1.elf64" "$OUT/$1.elf"
}
build cpl0
build cpl3 "-DUSER_MODE -DSHIFT=19"

# stats MON LOG: the vCPU's cumulative KVM stats from QEMU's monitor and the
# guest's completed passes around the query: "insn_emulation exits passes"
# (passes x10, a pass that ended during the query counted half).
stats() {
	python3 - "$1" "$2" <<'PY'
import re, socket, sys, time
def passes():
    try:
        return sum(1 for l in open(sys.argv[2]) if l.startswith("pass "))
    except OSError:
        return 0
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(5)
time.sleep(0.1)
s.recv(65536)
p0 = passes()
s.sendall(b"info stats vcpu\n")
buf = b""
end = time.time() + 5
while time.time() < end and b"(qemu)" not in buf:  # the next prompt ends the reply
    try:
        buf += s.recv(65536)
    except socket.timeout:
        break
p1 = passes()
d = dict(re.findall(r"\s(\w+) \(cumulative\): (\d+)", buf.decode(errors="replace")))
print(d.get("insn_emulation", "-"), d.get("exits", "-"), (p0 + p1) * 5)
PY
}

passes() { # completed passes in log $1 (0 before it exists)
	n=$(grep -c '^pass ' "$1" 2>/dev/null) || true
	echo "${n:-0}"
}

# run_guest NAME: the guest's figures and its per-iteration stats.
run_guest() {
	log="$OUT/$1.log"
	mon="$OUT/$1.mon"
	rm -f "$log" "$mon"
	qemu-system-x86_64 -name xcheck,debug-threads=on -accel kvm -m 64 -display none -nodefaults -no-reboot \
		-debugcon "file:$log" -monitor "unix:$mon,server,nowait" \
		-kernel "$OUT/$1.elf" >/dev/null 2>"$OUT/$1.qemu.err" &
	qpid=$!
	vcpu_fifo "$qpid" || { kill "$qpid"; exit 1; }
	s1=""
	i=0
	while [ $i -lt 6000 ] && ! grep -q '^done' "$log" 2>/dev/null; do
		if [ -z "$s1" ] && [ "$(passes "$log")" -ge 1 ]; then
			s1=$(stats "$mon" "$log")
		fi
		sleep 0.02
		i=$((i + 1))
	done
	if ! grep -q '^done' "$log" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		echo "vmexit-xcheck: $1 did not finish (see $OUT/$1.qemu.err)" >&2
		exit 1
	fi
	s2=$(stats "$mon" "$log")
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	head=$(head -1 "$log")
	mean=$(sed -n 's/^mean ticks\/iter //p' "$log")
	python3 - "$1" "$head" "$mean" "${s1:-- - 0}" "$s2" <<'PY'
import sys
name, head, mean, s1, s2 = sys.argv[1:]
e1, x1, p1 = s1.split(); e2, x2, p2 = s2.split()
it = (int(p2) - int(p1)) / 10 * int(head.split("iterations/pass ")[1])
if it > 0 and "-" not in (e1, x1, e2, x2):
    per = "%.2f emulated, %.3f exits per iteration" % ((int(e2) - int(e1)) / it, (int(x2) - int(x1)) / it)
else:
    per = "stats not read during the loop"
print("%-22s %s | mean %s ticks/iter | %s" % ("own guest " + name, head, mean, per))
PY
}

echo "# host: $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg)${PIN:+, pinned: $PIN}"
run_guest cpl0
run_guest cpl3
if [ -n "${KUT:-}" ]; then
	qemu-system-x86_64 -name kut,debug-threads=on --no-reboot -nodefaults -device pc-testdev \
		-device isa-debug-exit,iobase=0xf4,iosize=0x4 -display none -accel kvm -m 256 -smp 1 \
		-serial "file:$OUT/kut.log" -kernel "$KUT" -append cpuid >/dev/null 2>"$OUT/kut.qemu.err" &
	kpid=$!
	vcpu_fifo "$kpid" || { kill "$kpid"; exit 1; }
	wait "$kpid" || true  # vmexit leaves through isa-debug-exit: a non-zero status
	echo "kvm-unit-tests         $(grep '^cpuid' "$OUT/kut.log" || echo "no cpuid line (see $OUT/kut.log)") ticks/iter (vmexit's mean)"
fi
pfcpu=""
[ -n "$PIN" ] && pfcpu="--cpu $CPU"
# shellcheck disable=SC2086
$PIN "$PFBENCH" exit --quick --only baselines --no-vmcall --rounds 3 --no-raw $pfcpu \
	-o "$OUT/pfbench" >"$OUT/pfbench.out" 2>&1 || { cat "$OUT/pfbench.out" >&2; exit 1; }
jq -r '"pfbench exit           guest_execution \(.context.exit.guest_execution), \(.context.exit.kvm_insn_emulation_per_cpuid) emulated and \(.context.exit.kvm_exits_per_cpuid) exits per CPUID",
       (.records[] | select(.group == "baseline" and .exit == "cpuid")
        | "pfbench cpuid \(.mode | . + "        " | .[0:9]) median \(.median_cycles | round) ticks/iter, mean \(.mean_cycles | round), \(.samples) samples")' \
	"$OUT/pfbench/exit.json"
echo "# files in $OUT"
