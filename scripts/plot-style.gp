# plot-style.gp — what every pfbench plot shares, loaded by plot-lookup.gp,
# plot-exit.gp and plot-install.gp after they set their variables:
# the terminal (PNG or SVG), the Okabe-Ito colour-blind-safe palette
# (Wong, Nature Methods 8:441, 2011) with a dash pattern per further 8
# series, the x axis (log2 of the size, or log2(1 + size) when a size is
# 0, a tic at each size measured, ending at the data), a log y axis with
# minor tics when the data span a decade, and the caption line (host,
# CPU, kernel, date, pfbench revision) at the bottom.
# Variables: fmt outfile width height plottitle subtitle caption xlab ylab
# bandnote (the band rule) bandnames bandnames2 (two lines: the band names
# too long for a legend)
# xmode (0 x, 1 log2 x, 2 log2(1+x)) xtl (tic list) xmin xmax ymin ymax logy
if (!exists("width")) width = 1100
if (!exists("height")) height = 700
if (!exists("subtitle")) subtitle = ''
if (!exists("caption")) caption = ''
if (!exists("bandnote")) bandnote = ''
if (!exists("bandnames")) bandnames = ''
if (!exists("bandnames2")) bandnames2 = ''
if (!exists("xmode")) xmode = 0
if (!exists("xtl")) xtl = ''
if (!exists("logy")) logy = 0
if (fmt eq 'png') {
	if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
		set terminal pngcairo size width,height noenhanced font "DejaVu Sans,11"
	} else {
		set terminal png size width,height noenhanced
	}
} else {
	set terminal svg size width,height dynamic noenhanced font "DejaVu Sans,11"
}
set output outfile
set encoding utf8

# Okabe-Ito without its yellow, which vanishes on white: 7 colours
okabe = '#0072B2 #D55E00 #009E73 #E69F00 #CC79A7 #56B4E9 #000000'
colour(i) = word(okabe, (int(i) - 1) % 7 + 1)
# the dash of series i: its own (dts) and one more step per 7 colours used
dash(d, i) = (int(d) - 1 + (int(i) - 1) / 7) % 5 + 1
# the colour of band i (bcs: each band's, 1-based; else light blue)
bc(i) = exists("bcs") && words(bcs) >= i + 1 ? colour(int(word(bcs, i + 1))) : '#56B4E9'
ptype(i) = word('7 5 9 11 13 4 6 8 10 12', (int(i) - 1) % 10 + 1) + 0

xf(x) = xmode == 2 ? log(1 + x) / log(2) : xmode == 1 ? log(x) / log(2) : x
xlo = xf(xmin)
xhi = xf(xmax)
xpad = (xhi > xlo ? xhi - xlo : 1) * 0.04
set xrange [xlo - xpad : xhi + xpad]
if (strlen(xtl) > 0) {
	eval('set xtics (' . xtl . ')')
} else {
	if (xmode) {
		# no tic list given (scripts/plot-lookup.sh): powers of two
		set xtics ()
		do for [e = 0:20] {
			set xtics add (sprintf('%d', xmode == 2 ? 2**e - 1 : 2**e) e)
		}
	}
}
set xlabel xlab . (xmode ? ' (log scale)' : '')
set grid xtics ytics mytics lc rgb 'gray85', lc rgb 'gray93'
set border 3
set tics nomirror out
if (logy) {
	set logscale y 10
	set mytics 10
	set yrange [ymin / 1.25 : ymax * 1.25]
	# labels at every decade, and at 2 and 5 times it when the data span
	# less than three decades
	set ytics ()
	do for [e = -3:9] {
		set ytics add (sprintf('%g', 10.0**e) 10.0**e)
		if (ymax / ymin < 1000) {
			set ytics add (sprintf('%g', 2 * 10.0**e) 2 * 10.0**e, sprintf('%g', 5 * 10.0**e) 5 * 10.0**e)
		}
	}
	set ylabel ylab . ' (log scale)'
} else {
	ypad = (ymax > ymin ? ymax - ymin : ymax) * 0.08
	set yrange [(ymin - ypad > 0 ? ymin - ypad : 0) : ymax + ypad]
	set mytics 2
	set ylabel ylab
}
set format y '%g'
fulltitle = plottitle . (strlen(subtitle) ? "\n" . subtitle : '') . (strlen(bandnote) ? "\n" . bandnote : '') . (strlen(bandnames) ? "\n" . bandnames : '') . (strlen(bandnames2) ? "\n" . bandnames2 : '')
set title fulltitle font ',13'
if (strlen(caption)) set label 99 caption at screen 0.01, screen 0.012 left font ',9' tc rgb 'gray20'
# (a script with its legend below sets its own, larger, bmargin)
set bmargin 5
