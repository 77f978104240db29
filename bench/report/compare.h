/* compare.h — A/B comparison of result sets (two hosts, kernels, designs).
 * Records are matched by their key columns (rset.h); each pair gets the
 * ratio B/A of the medians with a 95% confidence interval from a
 * percentile bootstrap over the raw samples (samples_ns, resampled
 * independently on both sides). When both records were measured with
 * -r N (run_medians_ns, at least 2 runs each) the interval comes from the
 * run-to-run spread instead (cmp_ratio_runs): the bootstrap only sees the
 * noise inside one run, while whole runs shift on a shared machine.
 * Records without raw samples fall back to a conservative interval built
 * from the two records' own CIs, and the table says so.
 *
 * Verdicts: "significant" when the CI excludes 1 and lies entirely
 * outside the practical band [1 - t, 1 + t] (t = threshold), "small" when
 * it excludes 1 but reaches into the band, "within noise" when it holds 1.
 * t = 0 is the plain "CI excludes 1" rule.
 *
 * --pair COL=VA,VB (cmp_opts.pair_*): side A is the records whose COL is
 * VA, side B those whose COL is VB (within one set when both inputs are
 * the same), matched on the other key columns. A record of A matching
 * several of B (or several records of A sharing one key) is an error that
 * names the columns telling them apart; nothing is ever paired by guess.
 *
 * The result leads with one line: the geometric mean of B/A over the
 * matched timed cells with its CI (cmp_geomean), the counts by verdict,
 * then the largest regressions and improvements; every row's table only
 * with cmp_opts.all. Renders Markdown, JSON or CSV (cmp_opts.format) into
 * a FILE; used by `pfbench compare`. Returns 0 or
 * -errno (with a message in err); never exits. */
#ifndef PFBENCH_COMPARE_H
#define PFBENCH_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct rset_measure;

#define CMP_DEFAULT_ITERS 2000
#define CMP_DEFAULT_THRESHOLD 0.05
#define CMP_TICKS_TOLERANCE 0.001 /* ticks per ns may differ by 0.1% */
/* The run medians -r N writes into a record of the statistics block ""
 * (repeat.h, SCHEMA_REPEAT_COLS): median_ns of each run. */
#define CMP_RUN_MEDIANS "run_medians_ns"
#define CMP_RUNS_MEDIAN "median_ns"
/* CMP_RUNS in words, for the Markdown legend and the JSON rule. */
#define CMP_RUNS_RULE                                                                              \
	"Welch t interval on the logs of the run medians (run_medians_ns), exp'd back: the "     \
	"ratio of the geometric means of B's and A's run medians, exp(d ± t·se) with d the "     \
	"difference of the mean logs, se² = s²(A)/n(A) + s²(B)/n(B) and t Student's 97.5% "      \
	"quantile at the Welch–Satterthwaite df; it covers run-to-run variation"

enum cmp_method {
	CMP_BOOTSTRAP,  /* percentile bootstrap over samples_ns on both sides */
	CMP_RUNS,       /* Welch t over the logs of run_medians_ns (-r N, both sides) */
	CMP_RECORD_CI,  /* [B.lo / A.hi, B.hi / A.lo] from the records' ci95 */
	CMP_NONE,       /* neither raw samples nor CIs: no interval */
};

enum cmp_verdict {
	CMP_NO_CI,        /* no interval: no verdict */
	CMP_WITHIN_NOISE, /* the CI holds 1 */
	CMP_SMALL,        /* the CI excludes 1 but reaches into [1-t, 1+t] */
	CMP_SIGNIFICANT,  /* the CI lies outside [1-t, 1+t] */
};

struct cmp_ratio {
	double a_median, b_median; /* ns, from the records (CMP_RUNS: the
				    * geometric mean of the run medians) */
	double a_n, b_n;           /* sample counts (NAN when unknown) */
	size_t a_runs, b_runs;     /* run medians in each record (0: not -r) */
	double ratio, lo, hi;      /* B/A and its 95% CI */
	unsigned iters;            /* resamples (CMP_BOOTSTRAP) */
	double df;                 /* Welch-Satterthwaite df (CMP_RUNS) */
	enum cmp_method method;
	enum cmp_verdict verdict;
	bool significant;          /* verdict == CMP_SIGNIFICANT */
};

enum cmp_format { CMP_MD, CMP_JSON, CMP_CSV };

#define CMP_DEFAULT_TOP 10
#define CMP_MAX_CONTROLS 16 /* control groups (benches x groups) reported */

struct cmp_opts {
	enum cmp_format format; /* md (default), json, csv */
	bool all;              /* md: every matched row's table, not only the top lists */
	unsigned top;          /* md: rows in each top list; 0 = CMP_DEFAULT_TOP */
	unsigned iters;        /* bootstrap resamples; 0 = CMP_DEFAULT_ITERS */
	uint64_t seed;
	double threshold;      /* t as a fraction (0.05 = 5%); 0 = CI excludes 1 */
	const json_t *ignore;  /* key columns left out of matching, or NULL */
	const char *pair_col;  /* --pair: the column compared, or NULL */
	const char *pair_a;    /* its value on side A (as rset_scalar prints it) */
	const char *pair_b;    /* its value on side B */
	/* The measure compared on side A and B, as each set declares it
	 * (rset_measure); NULL: the statistics block "" (schema.h). */
	const struct rset_measure *ma, *mb;
};

/* One input as given on the command line. */
struct cmp_input {
	const char *path;   /* for the header */
	const json_t *sets; /* rset_load() */
	const json_t *meta; /* the result directory's metadata.json, or NULL */
};

/* Rows compared, by verdict. */
struct cmp_counts {
	size_t matched;            /* record pairs matched (timed or not) */
	size_t faster, slower;     /* significant, B/A below / above 1 */
	size_t small, noise, no_ci;
	char control_moved[512];   /* the control groups beyond the threshold
				    * (cmp_controls_moved), "" when none */
};

/* One group of control rows (a set's "control", schema.h): the geometric
 * mean of their B/A with its CI and the verdict on it. */
struct cmp_control {
	char bench[32], group[64];
	size_t n;
	double g, lo, hi;
	enum cmp_verdict verdict;
};

/* 95% percentile-bootstrap CI of median(b) / median(a). Deterministic for
 * a seed. -EINVAL for empty inputs or a zero median resample. */
int cmp_ratio_bootstrap(const double *a, size_t na, const double *b, size_t nb,
			unsigned iters, uint64_t seed, double *lo, double *hi);
/* 95% CI of the ratio of the geometric means of b and a (run medians, at
 * least 2 each): a Welch t interval on their logs, exp'd back (see
 * compare.c for why). *ratio is that ratio, *df the Welch-Satterthwaite
 * degrees of freedom. -EINVAL for fewer than 2 values on a side or a
 * value that is not positive and finite. */
int cmp_ratio_runs(const double *a, size_t na, const double *b, size_t nb, double *ratio,
		   double *lo, double *hi, double *df);
/* The geometric mean of n ratios and its 95% CI, a percentile bootstrap
 * over the ratios (cells resampled with replacement; iters resamples,
 * deterministic for a seed): how consistently B differs from A across the
 * matched cells; iters 0: the mean alone, lo = hi = NAN. -EINVAL for n = 0
 * or a ratio that is not positive. */
int cmp_geomean(const double *ratios, size_t n, unsigned iters, uint64_t seed, double *g,
		double *lo, double *hi);
/* The verdict's word ("significant", "small", "within noise", "no CI"). */
const char *cmp_verdict_name(enum cmp_verdict v);
/* The verdict on a CI [lo, hi] at threshold t (NaN bounds: CMP_NO_CI). */
enum cmp_verdict cmp_verdict_of(double lo, double hi, double t);
/* The ratio of one matched record pair. -EINVAL when a median is missing
 * or not positive. */
int cmp_records(const json_t *ra, const json_t *rb, const struct cmp_opts *o,
		struct cmp_ratio *r);
/* How A's and B's conditions differ: host id, CPU model, kernel, pfbench
 * revision, timer method, ticks per ns (per benchmark in both) beyond
 * CMP_TICKS_TOLERANCE; a field recorded on one side only counts, one
 * neither side recorded does not. Returns the number of differences,
 * described in msg ("kernel (A 6.1, B 6.18); ..."), followed by "not
 * recorded in either: kernel, ..." when some field is absent on both
 * sides (msg is that alone, or "", when there is no difference). The
 * header of cmp_render states them. */
size_t cmp_conditions(const struct cmp_input *a, const struct cmp_input *b, char *msg, size_t len);
/* Control rows (compare-control.c). cmp_control_group: the group label
 * of rec when it is a control record of set (written into buf), else
 * NULL; none under --pair over the control's own column. cmp_controls:
 * the groups of rows (compare's rows, each with "bench", "ratio" and,
 * for a control row, "control_group"), at most max, with their geometric
 * mean, CI and verdict at o's threshold. cmp_controls_moved: the groups
 * whose verdict is significant, described in msg; their number.
 * cmp_controls_md: the header line (and warning); cmp_controls_json:
 * the "control" array of compare's JSON (new reference). */
const char *cmp_control_group(const json_t *set, const json_t *rec, const struct cmp_opts *o,
			      char *buf, size_t len);
size_t cmp_controls(const json_t *rows, const struct cmp_opts *o, struct cmp_control *out,
		    size_t max);
size_t cmp_controls_moved(const struct cmp_control *c, size_t n, char *msg, size_t len);
void cmp_controls_md(FILE *out, const struct cmp_control *c, size_t n, const json_t *sets,
		     double t);
json_t *cmp_controls_json(const struct cmp_control *c, size_t n);
/* The whole comparison as Markdown; counts filled as rows are compared
 * (the caller decides whether 0 matched is an error). -EINVAL with err
 * set when a match is ambiguous (nothing useful is in out then). */
int cmp_render(FILE *out, const struct cmp_input *a, const struct cmp_input *b,
	       const struct cmp_opts *o, struct cmp_counts *counts, char *err, size_t errlen);

#endif
