# plot-install.gp — KVM_SET_PMU_EVENT_FILTER latency vs filter size, one line
# per encoding (and whatever else varies: action, vCPUs ...); records
# without a size (if any) drawn flat. Called by `pfbench suite` and
# `pfbench report` with -e, on a data file they extract from install.json
# (plots/install.dat):
#   gnuplot -e "datafile='plots/install.dat'; outfile='plots/install.svg'; fmt='svg'; \
#       nseries=2; nbase=1; ngroup=1; plottitle='...'; xlab='...'; ylab='...'; logx=1" \
#       scripts/plot-install.gp
# Data: one block per series (separated by two blank lines), its first row
# the series name, then "x median_ns ci95_low_ns ci95_high_ns" rows; the
# first nseries blocks are sized series, the next nbase flat ones.
if (!exists("datafile")) datafile = 'plots/install.dat'
if (!exists("outfile")) outfile = 'plots/install.svg'
if (!exists("fmt")) fmt = 'svg'
if (!exists("nseries")) nseries = 1
if (!exists("nbase")) nbase = 0
if (!exists("plottitle")) plottitle = 'KVM_SET_PMU_EVENT_FILTER cost vs filter size'
if (!exists("xlab")) xlab = 'filter size (entries)'
if (!exists("ylab")) ylab = 'ioctl latency, median ns (bars: 95% CI)'
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

plot for [i=0:nseries-1] datafile index i using 1:2:3:4 with yerrorlines \
	lw 1.5 lc (i/ngroup+1) pt (2*(i%ngroup)+5) ps 0.9 title columnheader(1), \
     for [i=nseries:nseries+nbase-1] datafile index i using 1:2 with lines \
	lw 1.5 lc rgb 'gray30' dt i%4+2 title columnheader(1)
