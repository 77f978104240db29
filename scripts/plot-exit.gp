# plot-exit.gp — guest exit latency vs installed filter size: one line per
# filter series (colour: encoding and where the programmed event sits;
# dash: allow solid, deny dashed), series that coincide with "no filter"
# merged into one shaded band (named in the legend), the same cycle with
# no filter as a grey reference, and the baseline exits (no filter
# involved) flat in dark grey, one dash each, named on the line. Shaded bands around lines:
# the 95% CI of the median. Called by `pfbench suite` / `pfbench report`
# (bench/report/suite-plot.c) with -e on plots/exit.dat:
#   gnuplot -e "datafile='plots/exit.dat'; outfile='plots/exit.svg'; fmt='svg'; \
#       nseries=2; nband=1; nbase=5; nref=1; lcs='1 2'; dts='1 2'; plottitle='...'; \
#       scriptdir='scripts'; ..." scripts/plot-exit.gp
# Data: one block per series (separated by two blank lines), its first row
# the series name, then "x median lo hi" rows: nseries line series, nband
# (0 or 1) band ("x mid lowest highest"), then nbase flat lines: the first
# nref the reference (no filter), then the baseline exits. The rest:
# plot-style.gp.
if (!exists("datafile")) datafile = 'plots/exit.dat'
if (!exists("outfile")) outfile = 'plots/exit.svg'
if (!exists("fmt")) fmt = 'svg'
if (!exists("nseries")) nseries = 1
if (!exists("nband")) nband = 0
if (!exists("nbase")) nbase = 0
if (!exists("nref")) nref = 0
if (!exists("lcs")) lcs = ''
if (!exists("dts")) dts = ''
if (!exists("plottitle")) plottitle = 'Guest exit latency vs filter size'
if (!exists("xlab")) xlab = 'installed filter size (entries)'
if (!exists("ylab")) ylab = 'guest-timed round trip (ns)'
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
b0 = nseries + nband
# A baseline's name on its line, at the left end ("baseline exit: pio" ->
# "pio"): four grey dash patterns alone are hard to tell apart in a PNG.
# (autotitle columnheader: each block's first row is its header in every
# clause, so every ::0::0 is the first data row and columnhead(1) the name.)
set key autotitle columnheader
bname(s) = strstrt(s, ': ') ? s[strstrt(s, ': ') + 2:] : s

plot for [i=b0:b0+nref-1] datafile index i using (xf($1)):2 with lines \
	lw 10 lc rgb 'gray82' title columnheader(1), \
     for [i=nseries:nseries+nband-1] datafile index i using (xf($1)):3:4 with filledcurves \
	fs transparent solid 0.35 noborder lc rgb '#56B4E9' title columnheader(1), \
     for [i=0:nseries-1] datafile index i using (xf($1)):3:4 with filledcurves \
	fs transparent solid 0.15 noborder lc rgb colour(lc(i)) notitle, \
     for [i=0:nseries-1] datafile index i using (xf($1)):2 with linespoints \
	lw 2 lc rgb colour(lc(i)) dt dash(dt(i), lc(i)) pt ptype(lc(i)) title columnheader(1), \
     for [i=b0+nref:b0+nbase-1] datafile index i using (xf($1)):2 with lines \
	lw 2 lc rgb '#505050' dt 2 + (i - b0 - nref) % 4 title columnheader(1), \
     for [i=b0+nref:b0+nbase-1] datafile index i every ::0::0 using (xf($1)):2:(bname(columnhead(1))) \
	with labels left offset 0.5,0.7 font ',9' tc rgb '#505050' notitle, \
     for [i=b0:b0+nref-1] datafile index i using (xf($1)):2 with lines \
	lw 1.2 lc rgb 'black' notitle
