# plot-exit.gp — guest exit latency vs filter size, one line per filter
# encoding (and whatever else varies), beside the baseline exits (no
# filter) drawn flat across the x range. Called by `pfbench suite` and
# `pfbench report` with -e, on a data file they extract from exit.json
# (plots/exit.dat):
#   gnuplot -e "datafile='plots/exit.dat'; outfile='plots/exit.svg'; fmt='svg'; \
#       nseries=2; nbase=1; ngroup=1; plottitle='...'; xlab='...'; ylab='...'; logx=1" \
#       scripts/plot-exit.gp
# Data: one block per series (separated by two blank lines), its first row
# the series name, then "x median_ns ci95_low_ns ci95_high_ns" rows; the
# first nseries blocks are filter series, the next nbase flat lines: first
# nref reference lines (the same cycle with no filter), then the baseline
# exits. The reference shows both behind and on top of the series (see the
# plot command); each baseline gets its own dash pattern.
if (!exists("datafile")) datafile = 'plots/exit.dat'
if (!exists("outfile")) outfile = 'plots/exit.svg'
if (!exists("fmt")) fmt = 'svg'
if (!exists("nseries")) nseries = 1
if (!exists("nbase")) nbase = 0
if (!exists("nref")) nref = 0
if (!exists("plottitle")) plottitle = 'Guest exit latency vs filter size'
if (!exists("xlab")) xlab = 'filter size (entries)'
if (!exists("ylab")) ylab = 'round trip, median ns (bars: 95% CI)'
if (!exists("logx")) logx = 0
# Series come in groups of ngroup (the values of the last field that names
# a series, e.g. the event's position): one colour per group, one point
# type per member.
if (!exists("ngroup")) ngroup = 1

if (fmt eq 'png') {
	if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
		set terminal pngcairo size 1000,640 noenhanced
	} else {
		set terminal png size 1000,640 noenhanced
	}
} else {
	set terminal svg size 1000,640 dynamic noenhanced
}
set output outfile
set title plottitle
set xlabel xlab
set ylabel ylab
set key outside right top
set grid
if (logx) set logscale x 2
set style data yerrorlines
set bars small

# The reference ("no filter") is drawn twice: first a wide light band
# behind the series, so it stays visible where they cover it, then a thin
# black line on top. Dash types 2-5 are the four distinct dashed patterns
# (dashed, dotted, dash-dot, dash-dot-dot); the baselines take them in turn.
plot for [i=nseries:nseries+nref-1] datafile index i using 1:2 with lines \
	lw 12 lc rgb 'gray80' dt 1 title columnheader(1), \
     for [i=0:nseries-1] datafile index i using 1:2:3:4 with yerrorlines \
	lw 1.5 lc (i/ngroup+1) pt (2*(i%ngroup)+5) ps 0.9 title columnheader(1), \
     for [i=nseries+nref:nseries+nbase-1] datafile index i using 1:2 with lines \
	lw 2 lc rgb 'gray20' dt 2+(i-nseries-nref)%4 title columnheader(1), \
     for [i=nseries:nseries+nref-1] datafile index i using 1:2 with lines \
	lw 1.5 lc rgb 'black' dt 1 notitle
