#!/bin/sh
# table-lookup.sh — a Markdown table from a `pfbench lookup` result
# (lookup.csv): median ns per lookup for every design at filter sizes 1,
# 16, 64 and 300 (the sizes present), for one mode, pattern, encoding and
# action, with each design's ratio to the kernel's 6.3+ algorithm and to
# the L1-load floor at the largest of those sizes.
#
# usage: scripts/table-lookup.sh [-m MODE] [-p PATTERN] [-e ENCODING]
#                                [-a ACTION] [-s SIZES] DIR/lookup.csv...
#   -m  throughput | latency (default latency)
#   -p  hit | miss | mixed | same-select | walk-worst | pmu (default mixed)
#   -e  exact | masked/1 | masked/16 | masked/128 (default exact)
#   -a  allow | deny (default allow)
#   -s  comma-separated sizes (default 1,16,64,300)
# "k6.3 / design" > 1 means the design is that many times faster than
# k6.3-masked; "design / floor" is its cost in L1-load floors. Cells are
# "—" where the run has no record (e.g. an exact-only design on a masked
# encoding). Given several runs' files, each cell is the median of the
# runs' medians, ratios are taken on those, and a last column gives the
# spread of the design's median across runs at the reference size (CV:
# sample standard deviation / mean).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mode=latency
pattern=mixed
enc=exact
action=allow
sizes=1,16,64,300
usage() {
	echo "usage: $0 [-m MODE] [-p PATTERN] [-e ENCODING] [-a ACTION] [-s SIZES] DIR/lookup.csv..." >&2
	exit 2
}
while getopts m:p:e:a:s:h opt; do
	case $opt in
	m) mode=$OPTARG ;;
	p) pattern=$OPTARG ;;
	e) enc=$OPTARG ;;
	a) action=$OPTARG ;;
	s) sizes=$OPTARG ;;
	h) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
for csv in "$@"; do
	[ -r "$csv" ] || { echo "table-lookup: cannot read $csv" >&2; exit 2; }
done

awk -v mode="$mode" -v pattern="$pattern" -v enc="$enc" -v action="$action" \
	-v sizes="$sizes" -f "$here/lookup-csv.awk" -f /dev/stdin "$@" <<'AWK'
BEGIN { nsz = split(sizes, sz, ",") }
FNR == 1 { csv_have_header = 0; delete idx; nrun++ }
{
	if (!csv_row($0))
		next
	need("design"); need("mode"); need("pattern"); need("encoding_name"); need("action")
	need("size"); need("median_ns")
	if (col["mode"] != mode || col["pattern"] != pattern || col["encoding_name"] != enc ||
	    col["action"] != action || col["median_ns"] == "")
		next
	d = col["design"]
	if (!(d in seen)) { seen[d] = 1; des[++nd] = d }
	k = d SUBSEP (col["size"] + 0)
	runs[k] = runs[k] " " (col["median_ns"] + 0)
	if (col["flavor"] != "") flavor = col["flavor"]
	nrec++
}
# Median and CV of the space-separated numbers in s.
function stats(s, out,    n, a, i, j, t, sum, mean, ss) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
	out["median"] = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	for (i = 1; i <= n; i++) sum += a[i]
	mean = sum / n
	for (i = 1; i <= n; i++) ss += (a[i] - mean) ^ 2
	out["cv"] = (n > 1 && mean > 0) ? sqrt(ss / (n - 1)) / mean : -1
	out["n"] = n
}
END {
	for (k in runs) {
		stats(runs[k], st)
		v[k] = st["median"]
		cv[k] = st["cv"]
		nr[k] = st["n"]
	}
	if (!nrec) {
		printf "table-lookup: no %s/%s/%s/%s records\n", mode, pattern, enc, action > "/dev/stderr"
		exit 1
	}
	# The largest requested size that has the k6.3 and floor rows.
	ref = ""
	for (i = nsz; i >= 1 && ref == ""; i--)
		if ((("k6.3-masked", sz[i] + 0) in v) && (("floor-l1", sz[i] + 0) in v)) ref = sz[i] + 0
	printf "%s mode, %s pattern, %s encoding, action %s, %s flavor: median ns per lookup",
		mode, pattern, enc, action, flavor
	if (nrun > 1) printf " (median of %d runs)", nrun
	printf "\n\n"
	printf "| design |"
	for (i = 1; i <= nsz; i++) printf " n=%s |", sz[i]
	if (ref != "") printf " k6.3 / design at %d | design / floor at %d |", ref, ref
	if (ref != "" && nrun > 1) printf " CV across runs at %d |", ref
	printf "\n|---|"
	for (i = 1; i <= nsz; i++) printf "---:|"
	if (ref != "") printf "---:|---:|"
	if (ref != "" && nrun > 1) printf "---:|"
	printf "\n"
	for (k = 1; k <= nd; k++) {
		d = des[k]
		printf "| %s |", d
		for (i = 1; i <= nsz; i++) {
			if ((d, sz[i] + 0) in v) printf " %.2f |", v[d, sz[i] + 0]
			else printf " — |"
		}
		if (ref != "") {
			if ((d, ref) in v && v[d, ref] > 0)
				printf " %.1f | %.2f |", v["k6.3-masked", ref] / v[d, ref],
					v[d, ref] / v["floor-l1", ref]
			else
				printf " — | — |"
			if (nrun > 1) {
				if ((d, ref) in cv && cv[d, ref] >= 0)
					printf " %.1f%% |", 100 * cv[d, ref]
				else
					printf " — |"
			}
		}
		printf "\n"
	}
}
AWK
