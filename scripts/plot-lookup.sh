#!/bin/sh
# plot-lookup.sh — turns a `pfbench lookup` result (lookup.csv) into plots
# of ns per lookup vs filter size (log x), one line per design and the
# floor row, one plot per mode x pattern x encoding, as PNG and SVG
# (scripts/plot-lookup.gp does the drawing).
#
# usage: scripts/plot-lookup.sh [-a allow|deny] [-o OUTDIR] DIR/lookup.csv
#   -a ACTION  which action's records to draw (default allow; deny when the
#              file has only deny)
#   -o OUTDIR  where the plots go (default DIR/plots)
# Writes OUTDIR/lookup-<mode>-<pattern>-<encoding>.{png,svg} and the .dat
# each was drawn from; prints the PNG paths.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
action=""
out=""
while getopts a:o:h opt; do
	case $opt in
	a) action=$OPTARG ;;
	o) out=$OPTARG ;;
	h) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: $0 [-a allow|deny] [-o OUTDIR] DIR/lookup.csv" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [-a allow|deny] [-o OUTDIR] DIR/lookup.csv" >&2; exit 2; }
csv=$1
[ -r "$csv" ] || { echo "plot-lookup: cannot read $csv" >&2; exit 2; }
command -v gnuplot >/dev/null 2>&1 ||
	{ echo "plot-lookup: gnuplot not found (Debian: apt-get install gnuplot-nox)" >&2; exit 1; }
[ -n "$out" ] || out=$(dirname "$csv")/plots
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -z "$action" ]; then
	action=$(awk -f "$here/lookup-csv.awk" -f /dev/stdin "$csv" <<'AWK'
{ if (csv_row($0)) { need("action"); seen[col["action"]] = 1 } }
END { print ("allow" in seen) ? "allow" : "deny" }
AWK
)
fi

# Writes one .dat per (mode, pattern, encoding) and a list of them.
awk -v action="$action" -v out="$out" -v list="$tmp/list" -f "$here/lookup-csv.awk" \
	-f /dev/stdin "$csv" <<'AWK'
{
	if (!csv_row($0))
		next
	need("design"); need("mode"); need("pattern"); need("encoding_name"); need("size")
	need("median_ns"); need("ci95_low_ns"); need("ci95_high_ns"); need("action")
	if (col["action"] != action || col["median_ns"] == "")
		next
	c = col["mode"] SUBSEP col["pattern"] SUBSEP col["encoding_name"]
	if (!(c in combo)) { combo[c] = 1; combos[++nc] = c }
	d = col["design"]
	if (!(d in gidx)) gidx[d] = ++ngd   # one colour per design across plots
	if (!((c, d) in has)) { has[c, d] = 1; des[c, ++nd[c]] = d }
	s = col["size"] + 0
	if (!(s in sizeseen)) { sizeseen[s] = 1; sizes[++ns] = s }
	row[c, d, s] = s " " col["median_ns"] " " col["ci95_low_ns"] " " col["ci95_high_ns"]
	if (col["flavor"] != "") flavor = col["flavor"]
}
END {
	# sizes ascending (insertion sort; a handful of values)
	for (i = 2; i <= ns; i++) {
		v = sizes[i]
		for (j = i - 1; j >= 1 && sizes[j] > v; j--) sizes[j + 1] = sizes[j]
		sizes[j + 1] = v
	}
	for (k = 1; k <= nc; k++) {
		c = combos[k]
		split(c, p, SUBSEP)
		enc = p[3]; gsub(/\//, "", enc)
		name = "lookup-" p[1] "-" p[2] "-" enc
		dat = out "/" name ".dat"
		printf "# pfbench lookup: %s mode, %s pattern, %s encoding, action %s, flavor %s\n",
			p[1], p[2], p[3], action, flavor > dat
		nser = 0; floor = ""; lts = ""
		for (i = 1; i <= nd[c]; i++) {
			d = des[c, i]
			if (d == "floor-l1") { floor = d; continue }
			lts = lts (lts == "" ? "" : " ") gidx[d]
			if (nser++) printf "\n\n" > dat
			printf "\"%s\"\n", d > dat
			for (j = 1; j <= ns; j++)
				if ((c, d, sizes[j]) in row) print row[c, d, sizes[j]] > dat
		}
		if (floor != "") {
			printf "\n\n\"floor-l1 (one L1 load)\"\n" > dat
			for (j = 1; j <= ns; j++)
				if ((c, floor, sizes[j]) in row) print row[c, floor, sizes[j]] > dat
		}
		close(dat)
		printf "%s\t%s\t%d\t%d\t%s\t%s mode, %s pattern, %s encoding, action %s, %s flavor\n",
			name, dat, nser, floor != "", lts, p[1], p[2], p[3], action, flavor > list
	}
}
AWK

[ -s "$tmp/list" ] || { echo "plot-lookup: no records with action $action in $csv" >&2; exit 1; }
tab=$(printf '\t')
while IFS="$tab" read -r name dat nser hasfloor lts title; do
	for fmt in png svg; do
		gnuplot -e "datafile='$dat'; outfile='$out/$name.$fmt'; fmt='$fmt'; \
nseries=$nser; hasfloor=$hasfloor; lcs='$lts'; scriptdir='$here'; plottitle='Filter lookup: $title'" \
			"$here/plot-lookup.gp"
	done
	echo "$out/$name.png"
done < "$tmp/list"
