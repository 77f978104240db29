# plot-install.gp — KVM_SET_PMU_EVENT_FILTER latency vs filter size, one
# line per VM configuration (colour: vCPUs and their state) and encoding
# (dash: exact solid, masked dashed); light shading: the 95% CI of the
# median. Each group of configurations whose medians all lie within 5% of
# the group's middle at each size is one shaded band edged in lines, in
# the colour of its first configuration (bcs), named in the legend. Called by `pfbench suite` / `pfbench report`
# (bench/report/suite-plot.c) with -e on plots/install.dat:
#   gnuplot -e "datafile='plots/install.dat'; outfile='plots/install.svg'; fmt='svg'; \
#       nseries=8; lcs='1 1 2 2 ...'; dts='1 2 1 2 ...'; plottitle='...'; \
#       scriptdir='scripts'; ..." scripts/plot-install.gp
# Data: one block per series (separated by two blank lines), its first row
# the series name, then "x median lo hi" rows: nseries line series, then
# nband bands ("x mid lowest highest", a comment line listing the band's
# series before each). The rest: plot-style.gp.
if (!exists("datafile")) datafile = 'plots/install.dat'
if (!exists("outfile")) outfile = 'plots/install.svg'
if (!exists("fmt")) fmt = 'svg'
if (!exists("nseries")) nseries = 1
if (!exists("nband")) nband = 0
if (!exists("lcs")) lcs = ''
if (!exists("dts")) dts = ''
if (!exists("plottitle")) plottitle = 'KVM_SET_PMU_EVENT_FILTER latency vs filter size'
if (!exists("xlab")) xlab = 'filter size (entries)'
if (!exists("ylab")) ylab = 'ioctl latency (ns)'
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

# Bands only when there are: an empty "for" clause makes gnuplot fail
# (first clause) or warn (last).
series = 'for [i=0:nseries-1] datafile index i using (xf($1)):3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb colour(lc(i)) notitle, for [i=0:nseries-1] datafile index i using (xf($1)):2 with linespoints lw 2 lc rgb colour(lc(i)) dt dash(dt(i), lc(i)) pt ptype(lc(i)) title columnheader(1)'
if (nband) {
	plot @series, \
	     for [b=0:nband-1] datafile index nseries + b using (xf($1)):3:4 with filledcurves \
		fs transparent solid 0.4 noborder lc rgb bc(b) title columnheader(1), \
	     for [b=0:nband-1] datafile index nseries + b using (xf($1)):3 with lines \
		lw 1.5 lc rgb bc(b) notitle, \
	     for [b=0:nband-1] datafile index nseries + b using (xf($1)):4 with lines \
		lw 1.5 lc rgb bc(b) notitle
} else {
	plot @series
}
