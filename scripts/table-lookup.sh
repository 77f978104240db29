#!/bin/sh
# table-lookup.sh — a Markdown table from a `pfbench lookup` result
# (lookup.csv): median ns per lookup for every design at filter sizes 1,
# 16, 64 and 300 (the sizes present), for one mode, pattern, encoding and
# action, with each design's ratio to the kernel's 6.3+ algorithm and to
# the L1-load floor at the largest of those sizes.
#
# usage: scripts/table-lookup.sh [-m MODE] [-p PATTERN] [-e ENCODING]
#                                [-a ACTION] [-s SIZES] DIR/lookup.csv
#   -m  throughput | latency (default latency)
#   -p  hit | miss | mixed | same-select | walk-worst | pmu (default mixed)
#   -e  exact | masked/1 | masked/16 | masked/128 (default exact)
#   -a  allow | deny (default allow)
#   -s  comma-separated sizes (default 1,16,64,300)
# "k6.3 / design" > 1 means the design is that many times faster than
# k6.3-masked; "design / floor" is its cost in L1-load floors. Cells are
# "—" where the run has no record (e.g. an exact-only design on a masked
# encoding).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mode=latency
pattern=mixed
enc=exact
action=allow
sizes=1,16,64,300
usage() {
	echo "usage: $0 [-m MODE] [-p PATTERN] [-e ENCODING] [-a ACTION] [-s SIZES] DIR/lookup.csv" >&2
	exit 2
}
while getopts m:p:e:a:s:h opt; do
	case $opt in
	m) mode=$OPTARG ;;
	p) pattern=$OPTARG ;;
	e) enc=$OPTARG ;;
	a) action=$OPTARG ;;
	s) sizes=$OPTARG ;;
	h) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
csv=$1
[ -r "$csv" ] || { echo "table-lookup: cannot read $csv" >&2; exit 2; }

awk -v mode="$mode" -v pattern="$pattern" -v enc="$enc" -v action="$action" \
	-v sizes="$sizes" -f "$here/lookup-csv.awk" -f /dev/stdin "$csv" <<'AWK'
BEGIN { nsz = split(sizes, sz, ",") }
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
	v[d, col["size"] + 0] = col["median_ns"] + 0
	if (col["flavor"] != "") flavor = col["flavor"]
	nrec++
}
END {
	if (!nrec) {
		printf "table-lookup: no %s/%s/%s/%s records\n", mode, pattern, enc, action > "/dev/stderr"
		exit 1
	}
	# The largest requested size that has the k6.3 and floor rows.
	ref = ""
	for (i = nsz; i >= 1 && ref == ""; i--)
		if ((("k6.3-masked", sz[i] + 0) in v) && (("floor-l1", sz[i] + 0) in v)) ref = sz[i] + 0
	printf "%s mode, %s pattern, %s encoding, action %s, %s flavor: median ns per lookup\n\n",
		mode, pattern, enc, action, flavor
	printf "| design |"
	for (i = 1; i <= nsz; i++) printf " n=%s |", sz[i]
	if (ref != "") printf " k6.3 / design at %d | design / floor at %d |", ref, ref
	printf "\n|---|"
	for (i = 1; i <= nsz; i++) printf "---:|"
	if (ref != "") printf "---:|---:|"
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
		}
		printf "\n"
	}
}
AWK
