/* report-md.h — what the parts of report.md share (suite-report.c: the
 * page; report-summary.c: "## Summary"; report-tables.c: the selected
 * tables, one per question): JSON paths, Markdown cells, a unit that fits
 * a magnitude (the plots use the same rule), and the records each
 * question is answered from, so the summary quotes exactly the cells of
 * the table it links to. Reads only; never prints outside the FILE given. */
#ifndef PFBENCH_REPORT_MD_H
#define PFBENCH_REPORT_MD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* obj at a dotted path ("kvm.caps"), or NULL. */
json_t *rmd_path(const json_t *o, const char *path);
const char *rmd_str(const json_t *o, const char *path);
/* Whether v is the string want. */
bool rmd_is_str(const json_t *v, const char *want);
/* s as a Markdown table cell ('|' escaped, newlines as spaces). */
void rmd_cell(FILE *f, const char *s);

/* A time unit: ns below 10 µs, µs below 10 ms, else ms (as the plots). */
struct rmd_unit {
	const char *name; /* "ns", "µs", "ms" */
	double ns;        /* ns per unit */
};
struct rmd_unit rmd_unit_for(double max_ns);
/* ns in unit u, 3 significant digits ("-" for NaN). */
const char *rmd_fmt(double ns, struct rmd_unit u, char *buf, size_t len);
/* "12.3 µs (95% CI 12.1–12.5)" into buf, the unit picked for the value. */
const char *rmd_fmt_ci(const json_t *rec, char *buf, size_t len);
const char *rmd_fmt_ci_u(const json_t *rec, struct rmd_unit u, char *buf, size_t len);
/* The unit of exit's reprogramming table, plot and summary line. */
struct rmd_unit rmd_exit_unit(const json_t *records);

/* The records of one lookup table: mode x encoding at one pattern, action
 * and filter shape. */
struct rmd_lookup {
	const char *mode, *pattern, *enc, *action, *shape;
	double ref_size; /* the kernel's limit (300) when measured, else the
			  * largest size measured */
	const char *kernel; /* the kernel's current algorithm (k6.3-masked) */
	const char *floor;  /* the floor row (floor-l1) or NULL */
};
/* Fills s for (mode, enc) — NULL for the headline's defaults: latency
 * mode (else throughput), exact encoding, the mixed pattern (else the
 * first), allow (else the first action), the first filter shape. false
 * when no record fits. */
bool rmd_lookup_pick(const json_t *records, const char *mode, const char *enc,
		     struct rmd_lookup *s);
bool rmd_lookup_in(const json_t *r, const struct rmd_lookup *s);
const json_t *rmd_lookup_rec(const json_t *records, const struct rmd_lookup *s,
			     const char *design, double size);
/* The fastest design at s->ref_size (floor excluded), or NULL. */
const json_t *rmd_lookup_winner(const json_t *records, const struct rmd_lookup *s);
/* The anchor id of s's table: "lookup-<mode>-<enc>" with '/' dropped. */
void rmd_lookup_anchor(const struct rmd_lookup *s, char *buf, size_t len);

/* Ordinary least squares of median_ns on x over the records; slope and
 * its 95% CI (Student t). false with fewer than 3 points or one x. */
bool rmd_slope(const json_t *records, const char *x, double *slope, double *lo, double *hi,
	       size_t *n);

/* install's codes as words: action 0/1 allow/deny, flags 1 masked. */
const char *rmd_action_word(const json_t *v, char *buf, size_t len);
const char *rmd_flags_word(const json_t *v, char *buf, size_t len);
/* "1 vCPU, idle", "no vCPU", "4 vCPUs, in guest". */
const char *rmd_vcpus_word(const json_t *rec, char *buf, size_t len);
/* The install record the summary quotes: case valid, encoding enc, the
 * VM with one idle vCPU (else the first configuration), size. */
const json_t *rmd_install_rec(const json_t *records, const char *enc, double size);

/* ---- report-repeats.c ---- */
/* With DIR/repeats/<k>/ (suite -r N): adds the run-to-run spread to every
 * timed record of sets (as a benchmark's own -r does) and writes it to
 * DIR/repeats.json; NULL when the run has no repeats. */
json_t *report_repeats(const char *dir, const json_t *sets);
/* The same without writing anything (compare reads a suite -r N
 * directory's run medians this way): the repeats.json object, or NULL. */
json_t *report_repeats_add(const char *dir, const json_t *sets);
/* The run-to-run CV of rec's median over *runs runs (its run_cv), NAN
 * without repeats. */
double rmd_run_cv(const json_t *set, const json_t *rec, size_t *runs);
/* ", ±1.2% run to run (5 runs)", or "" without repeats. */
const char *rmd_fmt_run(const json_t *set, const json_t *rec, char *buf, size_t len);
/* A CV as a percentage: "1.2%", "<0.01%", or "-" for NAN. */
const char *rmd_fmt_cv(double cv, char *buf, size_t len);

/* ---- report-summary.c ---- */
void report_summary(FILE *f, const json_t *sets, const json_t *host, const json_t *meta);

/* ---- report-tables.c ---- */
/* The selected tables of a set (one per question, anchors the summary
 * links to); false when the bench has none (the caller shows the full
 * table instead). */
bool report_tables(FILE *f, const json_t *set, const char *bench);

#endif
