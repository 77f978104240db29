/* report.h — a run directory's plots (suite-plot.c) and report.md
 * (suite-report.c), used by `pfbench suite` and `pfbench report`. Reads
 * result sets through rset.h; never runs a benchmark. */
#ifndef PFBENCH_REPORT_H
#define PFBENCH_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- suite-plot.c ---- */

/* The directory holding the gnuplot scripts: $PFBENCH_SCRIPTS, else
 * <dir of the pfbench binary>/../scripts, else ./scripts. NULL if none
 * has plot-exit.gp. */
const char *suite_scripts_dir(void);
/* Makes every plot the result sets in dir support, as plots/<name>.png and
 * .svg (plus the .dat they are drawn from). A new array of
 * {"name","from","png","svg"} or {"name","from","why"} for plots that
 * could not be made; never fails the suite. */
json_t *suite_plots(const char *dir);
/* After a redraw (`pfbench report`): dir/metadata.json's "plots" become
 * made and "plots_redrawn_utc" the time, in one atomic replace, so the
 * metadata of a set drawn elsewhere (an arm64 guest without gnuplot) no
 * longer says its plots are missing. 0 also when dir has no
 * metadata.json; -errno with err set when it cannot be read (damage:
 * -EBADMSG) or written. */
int suite_meta_set_plots(const char *dir, const json_t *made, char *err, size_t errlen);

/* ---- suite-report.c ---- */

/* Writes dir/report.md from metadata.json (if present), the result sets
 * and the plots found in dir. Damage (rset_load_dir, rset_load_meta,
 * rset_check_stages) is -EBADMSG with file:line:column in err, and no
 * report is written, unless lenient: then every problem is listed at the
 * top of the report. Removes temp files (NAME.tmp.PID) that a killed
 * writer left in dir and dir/plots. A directory with neither
 * metadata.json nor a result set is -EINVAL. 0 or -errno with err set. */
int suite_report(const char *dir, bool lenient, char *err, size_t errlen);

/* ---- report-limits.c ---- */

#include <stdio.h>
/* The limit study's table, PMU sizes and conclusion (bench "limits"). */
void report_limits(FILE *f, const json_t *set);

#endif
