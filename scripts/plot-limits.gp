# plot-limits.gp — the limit study (`pfbench limits`): one cold lookup's ns
# vs the filter limit N (log x, log y), one line per design, the floor
# (one load of an evicted line) dashed grey, today's limit (300) marked.
# Called by `pfbench suite`/`pfbench report` on plots/limits.dat, which
# they extract from limits.json (kind=lookup, cache=cold):
#   gnuplot -e "datafile='plots/limits.dat'; outfile='plots/limits.png'; fmt='png'; \
#       nseries=14; hasfloor=1; lts='1 2 3 ...'; plottitle='...'" scripts/plot-limits.gp
# lts: the line type (colour) of each series, so a design keeps its colour
# from plot to plot.
# Data: one block per design (blocks separated by two blank lines), its
# first row the design's name, then "size median_ns ci95_low_ns
# ci95_high_ns" rows; the floor's block, when present, comes last.
if (!exists("datafile")) datafile = 'plots/limits.dat'
if (!exists("outfile")) outfile = 'plots/limits.svg'
if (!exists("fmt")) fmt = 'svg'
if (!exists("nseries")) nseries = 1
if (!exists("hasfloor")) hasfloor = 0
if (!exists("plottitle")) plottitle = 'One cold lookup vs the filter limit N'
if (!exists("logy")) logy = 1
if (!exists("lts")) lts = ''

if (fmt eq 'png') {
	if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
		set terminal pngcairo size 1100,680 noenhanced font ",10"
	} else {
		set terminal png size 1100,680 noenhanced
	}
} else {
	set terminal svg size 1100,680 dynamic noenhanced
}
set output outfile
set title plottitle
set xlabel 'filter limit N (entries, log scale)'
set ylabel (logy ? 'ns per cold lookup, median (log scale; bars: 95% CI)' : 'ns per cold lookup, median (bars: 95% CI)')
set arrow from 300, graph 0 to 300, graph 1 nohead dt 3 lc rgb 'gray20'
set label "today's limit (300)" at 300, graph 0.97 offset 0.5,0 left font ",9"
set key outside right top
set grid
set logscale x 2
if (logy) set logscale y 10
set bars small
set pointsize 0.8
# Twelve distinguishable colours (kernel replicas come first in the data).
colors = '#d62728 #ff7f0e #8c564b #1f77b4 #2ca02c #17becf #9467bd #e377c2 #7f7f7f #bcbd22 #393b79 #637939 #843c39 #000000'
do for [k=1:words(colors)] { set linetype k lc rgb word(colors, k) lw 1.6 }

plot for [i=0:nseries-1] datafile index i using 1:2:3:4 with yerrorlines \
	lt ((words(lts) > i ? int(word(lts, i + 1)) - 1 : i) % 14 + 1) \
	pt ((words(lts) > i ? int(word(lts, i + 1)) - 1 : i) % 7 + 4) title columnheader(1), \
     for [i=nseries:nseries+hasfloor-1] datafile index i using 1:2 with lines \
	lw 2 lc rgb 'gray40' dt 2 title columnheader(1)
