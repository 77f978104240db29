/* suite.h — the suite's parts, shared by cmd-suite.c (`pfbench suite`),
 * cmd-report.c (`pfbench report`) and suite-*.c: running one stage as a
 * child process (signals forwarded, output logged, timeout), the plots,
 * and report.md. A suite run directory holds metadata.json (schema
 * "pfbench-suite/1", see results/README.md), one result set per stage,
 * logs/, plots/ and report.md. */
#ifndef PFBENCH_SUITE_H
#define PFBENCH_SUITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define SUITE_SCHEMA "pfbench-suite/1"

/* ---- suite-child.c ---- */

struct suite_child {
	char **argv;                /* argv[0] is the program to exec */
	const char *stdout_path;    /* child's stdout into this file (atomically,
				     * only when it exits 0); NULL: into the log */
	unsigned timeout_s;         /* SIGTERM after this, SIGKILL 5 s later */
	bool echo;                  /* copy the child's stderr to ours, live */
};

struct suite_child_res {
	int exit_code;              /* -1 when ended by a signal */
	int term_signal;            /* the signal that ended it, else 0 */
	int forwarded;              /* SIGINT/SIGTERM we passed on, else 0 */
	bool timed_out;
	double duration_s;
	char *log;                  /* stderr (and stdout unless captured), with
				     * progress redraws collapsed; malloc'd */
	size_t log_len;
	char last_line[512];        /* last non-empty stderr line */
};

/* SIGINT/SIGTERM: remember the first and forward it to the running
 * child's process group. */
void suite_signals_install(void);
void suite_signals_restore(void);
/* The first SIGINT/SIGTERM received, or 0. */
int suite_signal(void);
/* Runs a child to its end. 0, or -errno when it could not be started
 * (then r->last_line says why). */
int suite_child_run(const struct suite_child *c, struct suite_child_res *r);
void suite_child_res_free(struct suite_child_res *r);

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

/* ---- suite-report.c ---- */

/* Writes dir/report.md from metadata.json (if present), the result sets
 * and the plots found in dir. 0 or -errno with err set. */
int suite_report(const char *dir, char *err, size_t errlen);

#endif
