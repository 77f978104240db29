# plot-lookup.gp — time per lookup vs filter size, small multiples: the
# kernel's algorithms on the left, the other designs on the right (the
# kernel's current algorithm repeated there in grey for reference), the
# L1-load floor dashed in both; light shading is the 95% CI of the
# median. Designs whose medians all lie within 5% of their group's middle
# at each size are one band (the range of their medians, edged in lines) in the
# colour of the first, named in the legend: none hides behind another.
# Called by `pfbench suite` / `pfbench report` (bench/report/suite-plot.c)
# and scripts/plot-lookup.sh with -e, e.g.
#   gnuplot -e "datafile='x.dat'; outfile='x.png'; fmt='png'; nseries=14; n1=5; \
#       hasfloor=1; lcs='1 2 ...'; plottitle='...'; scriptdir='scripts'" scripts/plot-lookup.gp
# Data: one block per design (blocks separated by two blank lines), its
# first row the design's name, then "size median lo hi" rows: the first n1
# blocks the left panel's, the next nseries - n1 the right's, then nband
# bands ("size mid lowest highest"), the first nb1 the left panel's, then
# the floor's block when hasfloor. bcs: each band's colour. lcs: each series' colour (1-based), so a
# design keeps its colour from plot to plot. Without n1 (or n1 = nseries)
# one panel. The rest: plot-style.gp.
if (!exists("datafile")) datafile = 'lookup.dat'
if (!exists("outfile")) outfile = 'lookup.svg'
if (!exists("fmt")) fmt = 'svg'
if (!exists("nseries")) nseries = 1
if (!exists("n1")) n1 = nseries
if (!exists("hasfloor")) hasfloor = 0
if (!exists("nband")) nband = 0
if (!exists("nb1")) nb1 = nband
if (!exists("plottitle")) plottitle = 'Filter lookup cost vs filter size'
if (!exists("ptitle1")) ptitle1 = "the kernel's algorithms"
if (!exists("ptitle2")) ptitle2 = 'other designs'
if (!exists("xlab")) xlab = 'filter size in entries'
if (!exists("ylab")) ylab = 'time per lookup in ns'
if (!exists("lcs")) lcs = ''
if (!exists("refidx")) refidx = -1
if (!exists("scriptdir")) scriptdir = 'scripts'
if (!exists("xmode")) xmode = 1
if (!exists("logy")) logy = 1
if (!exists("xmin")) { stats datafile using 1 nooutput; xmin = STATS_min; xmax = STATS_max }
if (!exists("ymin")) { stats datafile using 3 nooutput; ymin = STATS_min; stats datafile using 4 nooutput; ymax = STATS_max }
width = 1500
height = 720
load scriptdir . '/plot-style.gp'
lc(i) = words(lcs) >= i + 1 ? int(word(lcs, i + 1)) : i + 1
set key outside right top Left reverse width 1 samplen 2.5 font ',10'
set pointsize 0.9
floor = nseries + nband
# two panels when each has a line or a band
two = n1 + nb1 > 0 && n1 + nb1 < nseries + nband

if (two) {
	unset title
	set multiplot layout 1,2 title fulltitle font ',13'
	set title ptitle1 font ',11'
}
hi1 = two ? n1 - 1 : nseries - 1
bhi1 = two ? nb1 - 1 : nband - 1
plot for [i=0:hi1] datafile index i using (xf($1)):3:4 with filledcurves \
	fs transparent solid 0.18 noborder lc rgb colour(lc(i)) notitle, \
     for [i=0:hi1] datafile index i using (xf($1)):2 with linespoints \
	lw 2 lc rgb colour(lc(i)) dt dash(1, lc(i)) pt ptype(lc(i)) title columnheader(1), \
     for [b=0:bhi1] datafile index nseries + b using (xf($1)):3:4 with filledcurves \
	fs transparent solid 0.4 noborder lc rgb bc(b) title columnheader(1), \
     for [b=0:bhi1] datafile index nseries + b using (xf($1)):3 with lines \
	lw 1.5 lc rgb bc(b) notitle, \
     for [b=0:bhi1] datafile index nseries + b using (xf($1)):4 with lines \
	lw 1.5 lc rgb bc(b) notitle, \
     for [i=floor:floor+hasfloor-1] datafile index i using (xf($1)):2 with lines \
	lw 2 lc rgb 'gray40' dt 2 title columnheader(1)
if (two) {
	set title ptitle2 font ',11'
	unset label 99
	plot for [i=refidx:refidx] datafile index i using (xf($1)):2 with lines lw 6 \
		lc rgb 'gray80' title columnheader(1), \
	     for [i=n1:nseries-1] datafile index i using (xf($1)):3:4 with filledcurves \
		fs transparent solid 0.18 noborder lc rgb colour(lc(i)) notitle, \
	     for [i=n1:nseries-1] datafile index i using (xf($1)):2 with linespoints \
		lw 2 lc rgb colour(lc(i)) dt dash(1, lc(i)) pt ptype(lc(i)) title columnheader(1), \
	     for [b=nb1:nband-1] datafile index nseries + b using (xf($1)):3:4 with filledcurves \
		fs transparent solid 0.4 noborder lc rgb bc(b) title columnheader(1), \
	     for [b=nb1:nband-1] datafile index nseries + b using (xf($1)):3 with lines \
		lw 1.5 lc rgb bc(b) notitle, \
	     for [b=nb1:nband-1] datafile index nseries + b using (xf($1)):4 with lines \
		lw 1.5 lc rgb bc(b) notitle, \
	     for [i=floor:floor+hasfloor-1] datafile index i using (xf($1)):2 with lines \
		lw 2 lc rgb 'gray40' dt 2 title columnheader(1)
	unset multiplot
}
