# plot-limits.gp — the limit study (`pfbench limits`): one cold lookup vs
# the filter limit N, one line per design (colour from lcs, dash from dts,
# so a design keeps its look from plot to plot), shaded bands the 95% CI
# of the median, the floor (one load of an evicted line) dashed grey, and
# today's limit (300) marked. Called by `pfbench suite` / `pfbench report`
# (bench/report/suite-plot.c) with -e on plots/limits.dat:
#   gnuplot -e "datafile='plots/limits.dat'; outfile='plots/limits.svg'; fmt='svg'; \
#       nseries=14; hasfloor=1; lcs='1 2 ...'; ylab='time per lookup in µs'; \
#       scriptdir='scripts'; ..." scripts/plot-limits.gp
# Data: one block per design (separated by two blank lines), its first row
# the design's name, then "N median lo hi" rows in the unit ylab names;
# the floor's block, when present, comes last. The rest: plot-style.gp.
if (!exists("datafile")) datafile = 'plots/limits.dat'
if (!exists("outfile")) outfile = 'plots/limits.svg'
if (!exists("fmt")) fmt = 'svg'
if (!exists("nseries")) nseries = 1
if (!exists("hasfloor")) hasfloor = 0
if (!exists("lcs")) lcs = ''
if (!exists("dts")) dts = ''
if (!exists("plottitle")) plottitle = 'One cold lookup vs the filter limit N'
if (!exists("xlab")) xlab = 'filter limit N in entries'
if (!exists("ylab")) ylab = 'time per lookup in ns'
if (!exists("scriptdir")) scriptdir = 'scripts'
if (!exists("xmin")) { stats datafile using 1 nooutput; xmin = STATS_min; xmax = STATS_max }
if (!exists("ymin")) { stats datafile using 3 nooutput; ymin = STATS_min; stats datafile using 4 nooutput; ymax = STATS_max }
width = 1200
height = 720
load scriptdir . '/plot-style.gp'
lc(i) = words(lcs) >= i + 1 ? int(word(lcs, i + 1)) : i + 1
dt(i) = words(dts) >= i + 1 ? int(word(dts, i + 1)) : 1
set key outside right top Left reverse width 1 samplen 3
set pointsize 1
set arrow from xf(300), graph 0 to xf(300), graph 1 nohead dt 3 lc rgb 'gray40'
set label "today's limit (300)" at xf(300), graph 0.97 offset 0.5,0 left font ",10"

plot for [i=0:nseries-1] datafile index i using (xf($1)):3:4 with filledcurves \
	fs transparent solid 0.15 noborder lc rgb colour(lc(i)) notitle, \
     for [i=0:nseries-1] datafile index i using (xf($1)):2 with linespoints \
	lw 2 lc rgb colour(lc(i)) dt dash(dt(i), lc(i)) pt ptype(lc(i)) title columnheader(1), \
     for [i=nseries:nseries+hasfloor-1] datafile index i using (xf($1)):2 with lines \
	lw 2 lc rgb 'gray40' dt 2 title columnheader(1)
