# lookup-csv.awk — shared by plot-lookup.sh and table-lookup.sh: reads
# pfbench's lookup.csv (RFC 4180: a header row, fields quoted when they hold
# , " CR or LF) and lets the including script address fields by column
# name: col["median_ns"] is that field of the current row. POSIX awk (mawk
# is Debian's default), so the split is done by hand.

# Splits line into f[1..n] honouring quotes; returns n.
function csv_split(line, f,    n, i, c, q, cur) {
	n = 0
	cur = ""
	q = 0
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (q) {
			if (c == "\"") {
				if (substr(line, i + 1, 1) == "\"") {
					cur = cur "\""
					i++
				} else {
					q = 0
				}
			} else {
				cur = cur c
			}
		} else if (c == "\"") {
			q = 1
		} else if (c == ",") {
			f[++n] = cur
			cur = ""
		} else {
			cur = cur c
		}
	}
	f[++n] = cur
	return n
}

# Call once per record: the first row names the columns (idx[name] = i),
# later rows fill col[name]. Returns 1 for a data row.
function csv_row(line,    n, i, f) {
	sub(/\r$/, "", line)
	n = csv_split(line, f)
	if (!csv_have_header) {
		for (i = 1; i <= n; i++)
			idx[f[i]] = i
		csv_have_header = 1
		return 0
	}
	for (name in idx)
		col[name] = (idx[name] <= n) ? f[idx[name]] : ""
	return 1
}

function need(name) {
	if (!(name in idx)) {
		printf "lookup.csv has no column \"%s\"\n", name > "/dev/stderr"
		exit 2
	}
}
