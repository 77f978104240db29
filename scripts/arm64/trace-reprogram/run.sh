#!/bin/sh
# run.sh — where the instructions of an arm64 PMEVTYPER0_EL0 write go, in
# the guest kernel's KVM under QEMU (docs/methodology.md, "The arm64 runs
# under QEMU": why allow lists measured dearer, and the slow samples).
# Boots the arm64 guest with one CPU (scripts/arm64/vm-run.sh), runs
# guest.sh there and prints:
#   1. per configuration of `exit --sizes 0,1` (full cycle), the median
#      duration of each traced perf-event function. Under -icount one ns
#      is one instruction; each duration includes the tracer's own cost for
#      the traced functions inside it, the same in every configuration, so
#      compare configurations, not absolute values.
#   2. the samples of `exit --sizes 0 --writes-only` grouped by which
#      SLUB slow paths (___slab_alloc, by caller) ran between the timed
#      write and the next write, with how many instructions each group
#      took over the median, and what one function-tracer hit costs.
#
# usage: scripts/arm64/trace-reprogram/run.sh [OUTDIR]
#   (default: a new directory under /tmp; needs make arm64 first;
#   ARM64_VM_CPUS: guest CPUs, default 1)
# Exit status: 0 done, 1 the VM run failed, 2 usage, 4 a tool is missing.
set -eu

case "${1:-}" in
-h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
B=${ARM64_BUILD:-build-arm64}
for t in python3 jq; do
	command -v $t >/dev/null 2>&1 || { echo "trace-reprogram: $t not found" >&2; exit 4; }
done
[ -x "$B/pfbench" ] || { echo "trace-reprogram: $B/pfbench missing (make arm64)" >&2; exit 4; }
out=${1:-$(mktemp -u /tmp/pfbench-trace-reprogram-XXXXXX)}
ARM64_VM_CPUS=${ARM64_VM_CPUS:-1} "$here/../vm-run.sh" -t 900 "$B/pfbench" "$here/guest.sh" "$out" >"${out}.log" 2>&1 || {
	echo "trace-reprogram: the VM run failed; see ${out}.log" >&2
	exit 1
}
echo "trace-reprogram: traces in $out"

python3 - "$out" <<'PY'
import collections, json, re, statistics, sys
out = sys.argv[1]

def records(d):
    return [r for r in json.load(open(f"{out}/{d}/exit.json"))["records"] if r["group"] == "reprogram"]

# 1. function_graph: per VM (newvm), per function, the durations.
secs, stack = [], []
for l in open(f"{out}/a/trace.txt"):
    m = re.match(r"\s*\d+\)\s+(?:[!#@*+-]\s*)?([\d.]+ us)?\s*\|(\s*)(.*)$", l)
    if not m or l.startswith("#"):
        continue
    dur, _, body = m.groups()
    if "newvm" in body:
        secs.append(collections.defaultdict(list)); stack = []
        continue
    if not secs:
        continue
    d = float(dur.split()[0]) * 1000 if dur else None
    if body.startswith("}"):
        if stack:
            secs[-1][stack.pop()].append(d)
        continue
    n = re.match(r"([\w.]+)\(\)\s*(\{|;)", body)
    if n:
        if n.group(2) == "{":
            stack.append(n.group(1))
        else:
            secs[-1][n.group(1)].append(d)
recs = records("a")
names = ["none" if r["filter"] == "none" else f"{r['action']}-{r['position']}" for r in recs]
secs = secs[-len(recs):]
funcs = sorted({f for s in secs for f in s})
print("1. median duration (instructions, tracer included) of each function, per configuration;")
print("   exit's median per write (traced) in the last row")
print("%-34s" % "function" + "".join("%14s" % n for n in names))
for f in funcs:
    row = []
    for s in secs:
        v = s.get(f, [])[len(s.get(f, [])) // 3:]  # past the first cycles
        row.append("%14.0f" % statistics.median(v) if v else "%14s" % "-")
    print("%-34s" % f + "".join(row))
print("%-34s" % "exit median_ns" + "".join("%14s" % r["median_ns"] for r in recs))

# 2. the slow samples: SLUB's slow path, lined up sample by sample.
def groups(d):
    items, cpus = [], collections.Counter()
    for l in open(f"{out}/{d}/trace.txt"):
        if l.startswith("#"):
            continue
        cpu = re.search(r"\[(\d+)\]", l)
        cpu = cpu.group(1) if cpu else None
        m = re.search(r"\s\d+\.\d+: (\w+): .*?(?:data=(0x[0-9a-f]+))?\s*$", l)
        if m:
            items.append((m.group(1), m.group(2), cpu))
            cpus[cpu] += m.group(1) == "w"
            continue
        m = re.search(r"\s\d+\.\d+: (\w+) <-(\w+)", l)
        if m and m.group(1) == "___slab_alloc":
            items.append(("___slab_alloc<-" + m.group(2), None, cpu))
    # the vCPU thread is pinned: keep the CPU the writes were made on
    vcpu = cpus.most_common(1)[0][0]
    items = [e for e in items if e[2] == vcpu or e[0] == "newvm"]
    items = items[max(i for i, e in enumerate(items) if e[0] == "newvm"):]
    ws = [i for i, e in enumerate(items) if e[0] == "w"]
    timed = [k for k, i in enumerate(ws) if items[i][1] == "0x8"]
    s = records(d)[0]["samples_ns"]
    timed = timed[-len(s):]  # the run kept: its samples are the last timed writes
    med = statistics.median(s)
    g = collections.defaultdict(list)
    for v, k in zip(s, timed):
        end = ws[k + 1] if k + 1 < len(ws) else len(items)
        c = collections.Counter(e[0] for e in items[ws[k] + 1:end] if e[0].startswith("___slab"))
        g[tuple(sorted(c.items()))].append(v - med)
    return med, len(s), g
med_b, n, g = groups("b")
med_c = statistics.median(records("c")[0]["samples_ns"])
print()
print(f"2. writes only, no filter: {n} samples, median {med_b:.0f} (kprobe and tracer included);")
print(f"   one function-tracer hit costs {med_c - med_b:.0f} instructions (median with one more hit per write: {med_c:.0f})")
for key, v in sorted(g.items(), key=lambda x: -len(x[1])):
    what = ", ".join(f"{c}x {k}" for k, c in key) or "no slow path"
    top = ", ".join(f"{d:+.0f} ({c})" for d, c in collections.Counter(v).most_common(3))
    print(f"   {len(v):4d} samples: {what}: over the median {top}")
PY
