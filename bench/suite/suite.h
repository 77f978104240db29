/* suite.h — the suite driver's part, shared by cmd-suite.c (`pfbench
 * suite`) and suite-child.c: running one stage as a child process (signals
 * forwarded, output logged, timeout). The plots and report.md are
 * bench/report/report.h's. A suite run directory holds metadata.json (schema
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
	bool sent_kill;             /* we sent SIGKILL (a grace period ran out) */
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

#endif
