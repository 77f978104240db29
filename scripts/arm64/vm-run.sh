#!/bin/sh
# vm-run.sh — run a static aarch64 program in an arm64 Linux guest under
# qemu-system-aarch64 (TCG with nested virtualization: the guest has
# /dev/kvm with a vPMU) and bring the guest's output directory back.
#
# usage: scripts/arm64/vm-run.sh [-t SECONDS] [-f HOST:GUEST]... BINARY SCRIPT OUTDIR
#
#   BINARY  a static aarch64 executable, installed as /bin/<its basename>
#           (build-arm64/pfbench becomes /bin/pfbench)
#   SCRIPT  a shell script run by busybox sh as the body of /init, from /,
#           with /out (empty, tmpfs) as the directory to write results to;
#           proc, sys, devtmpfs (/dev/kvm) and a tmpfs /tmp are mounted, PATH
#           holds busybox's applets; $PFBENCH_VM_CPUS is the vCPU count;
#           PFBENCH_EMULATED=qemu-tcg-icount is in the environment and
#           pfbench.emulated=qemu-tcg-icount on the kernel command line
#           (/proc/cmdline), for pfbench to label its records emulated
#   OUTDIR  created (must not exist); receives the guest's /out, the guest's
#           console log (console.log) and the script's exit status
#           (guest-exit, also the exit status of vm-run.sh)
#   -t S    stop the VM after S seconds (default 600): exit 124
#   -f H:G  also copy host file H to guest path G (e.g. a filter file)
#
# Environment, for debugging the guest: ARM64_QEMU_MONITOR=PATH gives QEMU a
# human monitor on the Unix socket PATH (send it `info registers -a`, e.g.
# with python3's socket module; that is how the reload bug in
# docs/methodology.md was found); ARM64_QEMU_LOG=ITEMS logs QEMU's -d ITEMS
# (e.g. int,guest_errors) to OUTDIR/qemu.log; ARM64_VM_CPUS (default 2);
# ARM64_KERNEL_APPEND adds kernel parameters.
#
# Exit status: the SCRIPT's, 124 on timeout (the guest stops SCRIPT about 90 s
# before the host timeout so partial results come back; then OUTDIR has
# guest-timeout; a guest whose virtual clock crawls, e.g. one CPU in an
# exception loop, cannot, and only the console log comes back), 3 when the
# VM ended without bringing results back (see OUTDIR/console.log), 2 on
# usage errors.
#
# The machine: -M virt,virtualization=on,gic-version=3,dtb-randomness=off -cpu
# neoverse-n1,cntfrq=1000000000 (PMUv3; EL2 for the guest's KVM) -icount
# shift=0,sleep=off, so the virtual clock advances one nanosecond per executed
# instruction (QEMU counts INST_RETIRED only with -icount) and every time
# the guest measures is an instruction count, not a hardware time. The
# generic timer runs at 1 GHz instead of QEMU 7.2's 62.5 MHz, so one tick
# of cntvct_el0 is one instruction, not 16. dtb-randomness=off leaves the
# random rng-seed/kaslr-seed out of the device tree and sleep=off jumps
# idle time at once instead of letting the host's clock pass: less of the
# host's chance reaches the guest (two boots measured 21 of exit's 25
# medians identical; what still differs is the guest allocator's
# placement of KVM's perf event, docs/methodology.md). The kernel is Debian's arm64
# cloud kernel (kernel.sh), booted with sysctl.kernel.perf_event_paranoid=-1
# for libpfm4/PAPI and with nokaslr norandmaps randomize_kstack_offset=off:
# kernel and process address layouts and the per-syscall stack offset then
# repeat from run to run, and with them the instruction counts of the paths
# measured (docs/methodology.md, "The arm64 runs under QEMU"). Results come
# back as a tar the guest writes to a second, raw disk (NVMe, which the
# cloud kernel has built in; its virtio-blk is a module); the host extracts
# it. Boot to /init takes about 5 s here.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
timeout_s=600
extra=""
while getopts t:f: opt; do
	case $opt in
	t) timeout_s=$OPTARG ;;
	f) extra="$extra $OPTARG" ;;
	*) sed -n '2,/^set -eu/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 3 ]; then
	sed -n '2,/^set -eu/s/^# \{0,1\}//p' "$0" >&2
	exit 2
fi
binary=$1
script=$2
outdir=$3
for f in "$binary" "$script"; do
	[ -f "$f" ] || { echo "vm-run: $f: no such file" >&2; exit 2; }
done
for t in qemu-system-aarch64 cpio tar file dpkg-deb; do
	command -v $t >/dev/null 2>&1 || {
		echo "vm-run: $t not found (scripts/deps.sh --arm64 installs it)" >&2
		exit 2
	}
done
case $(file -b "$binary") in
*aarch64*statically*|*aarch64*static-pie*) ;;
*) echo "vm-run: $binary: not a static aarch64 executable ($(file -b "$binary"))" >&2; exit 2 ;;
esac
[ -e "$outdir" ] && { echo "vm-run: $outdir exists; refusing to write into it" >&2; exit 2; }

ARM64_BUILD=${ARM64_BUILD:-build-arm64}
export ARM64_DEBS=${ARM64_DEBS:-$ARM64_BUILD/debs}
kernel=$("$here/kernel.sh" "$ARM64_BUILD/kernel")
busybox_deb=$(ls "$ARM64_DEBS"/busybox-static_*_arm64.deb 2>/dev/null | head -n1 || true)
if [ -z "$busybox_deb" ]; then
	(. "$here/apt.sh" && arm64_apt_download "$ARM64_DEBS" busybox-static)
	busybox_deb=$(ls "$ARM64_DEBS"/busybox-static_*_arm64.deb | head -n1)
fi

mkdir -p "$outdir"
work=$(mktemp -d "${TMPDIR:-/tmp}/pfbench-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# The initramfs: busybox, the program, the script, and /init.
root=$work/root
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/out"
dpkg-deb --fsys-tarfile "$busybox_deb" | tar -xf - -C "$work" ./bin/busybox
mv "$work/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$binary" "$root/bin/$(basename "$binary")"
cp "$script" "$root/guest.sh"
for m in $extra; do
	g=${m#*:}
	mkdir -p "$root$(dirname "$g")"
	cp "${m%%:*}" "$root$g"
done
cpus=${ARM64_VM_CPUS:-2}
monitor="-monitor none"
[ -n "${ARM64_QEMU_MONITOR:-}" ] && monitor="-monitor unix:$ARM64_QEMU_MONITOR,server=on,wait=off"
qlog=""
[ -n "${ARM64_QEMU_LOG:-}" ] && qlog="-d $ARM64_QEMU_LOG -D $outdir/qemu.log"
# The guest stops the script this many seconds before the host's timeout,
# leaving time to write the results disk.
margin=90
[ "$timeout_s" -lt 360 ] && margin=$((timeout_s / 4))
deadline=$(($(date +%s) + timeout_s - margin))
cat >"$root/init" <<INIT
#!/bin/busybox sh
# Written by scripts/arm64/vm-run.sh.
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
export PATH=/bin HOME=/tmp PFBENCH_VM_CPUS=$cpus PFBENCH_EMULATED=qemu-tcg-icount
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /out
echo "vm-run: /init: kernel \$(uname -r), \$(nproc) CPUs, running the script"
cd /
# The host stops QEMU at its timeout; shortly before that (the RTC is the
# host's clock, the guest's own clock runs with -icount) the script is
# stopped here instead, so its partial results still come back.
rtc_now() { cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null || echo 0; }
setsid sh /guest.sh &
pid=\$!
(
	[ -r /sys/class/rtc/rtc0/since_epoch ] ||
		{ echo "vm-run: no RTC: no deadline in the guest"; exit 0; }
	while [ -d /proc/\$pid ] && [ \$(rtc_now) -lt $deadline ]; do sleep 2; done
	[ -d /proc/\$pid ] || exit 0
	echo "vm-run: the host's timeout is near: stopping the script (TERM, KILL after 20 s)"
	: >/out/guest-timeout
	kill -TERM -\$pid
	while [ -d /proc/\$pid ] && [ \$(rtc_now) -lt $((deadline + 20)) ]; do sleep 1; done
	kill -KILL -\$pid 2>/dev/null
) &
watchdog=\$!
wait \$pid
status=\$?
kill \$watchdog 2>/dev/null
echo \$status >/out/guest-exit
echo "vm-run: script exit status \$status"
# The results disk: a tar at its start, read back by the host.
tar -cf /dev/nvme0n1 -C /out . && sync && echo "vm-run: results written" ||
	echo "vm-run: could not write the results disk"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio"

# Sparse; the guest's tar must fit (a suite's results are a few MB).
disk=$work/results.img
truncate -s 512M "$disk"

echo "vm-run: booting $(cat "$ARM64_BUILD/kernel/version") under qemu-system-aarch64" \
	"(TCG, -icount shift=0, 1 GHz timer; timeout ${timeout_s}s)"
start=$(date +%s)
start_ns=$(date +%s%N)
{
	timeout --foreground -k 10 "$timeout_s" qemu-system-aarch64 \
		-M virt,virtualization=on,gic-version=3,dtb-randomness=off -cpu neoverse-n1,cntfrq=1000000000 -smp $cpus -m 2048 \
		-icount shift=0,sleep=off -display none $monitor $qlog -serial stdio -no-reboot \
		-kernel "$kernel" -initrd "$work/initramfs.cpio" \
		-append "console=ttyAMA0 quiet rdinit=/init panic=-1 sysctl.kernel.perf_event_paranoid=-1 pfbench.emulated=qemu-tcg-icount nokaslr norandmaps randomize_kstack_offset=off ${ARM64_KERNEL_APPEND:-}" \
		-drive file="$disk",if=none,id=results,format=raw \
		-device nvme,serial=pfbench-results,drive=results \
		</dev/null 2>&1 || rc=$?
	echo "${rc:-0}" >"$work/qemu-status"
} | while IFS= read -r line || [ -n "$line" ]; do
	# The console, live and into console.log, and when /init started.
	printf '%s\n' "$line"
	printf '%s\n' "$line" >>"$outdir/console.log"
	case $line in
	"vm-run: /init:"*)
		echo "vm-run: boot to /init: $((($(date +%s%N) - start_ns) / 1000000)) ms (host wall clock)" ;;
	esac
done
qemu_status=$(cat "$work/qemu-status")
echo "vm-run: the VM ran $(($(date +%s) - start)) s (host wall clock)"
# The guest's tar, if it wrote one (also after the guest's own deadline).
got_results=0
tar -xf "$disk" -C "$outdir" 2>"$work/tar.err" && [ -f "$outdir/guest-exit" ] && got_results=1
if [ -f "$outdir/guest-timeout" ]; then
	echo "vm-run: timeout: the guest stopped the script ${margin}s before the host's" \
		"${timeout_s}s; its partial results are in $outdir" >&2
	echo 124 >"$outdir/guest-exit"
	exit 124
fi
if [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
	echo "vm-run: timeout after ${timeout_s}s; console log: $outdir/console.log" >&2
	echo 124 >"$outdir/guest-exit"
	exit 124
fi
if [ $got_results = 0 ]; then
	echo "vm-run: the VM (qemu exit $qemu_status) brought no results back;" \
		"console log: $outdir/console.log" >&2
	sed 's/^/vm-run: tar: /' "$work/tar.err" >&2
	exit 3
fi
exit "$(cat "$outdir/guest-exit")"
