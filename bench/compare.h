/* compare.h — A/B comparison of two result sets (two hosts, kernels,
 * designs). Records are matched by their key columns (rset.h); each pair
 * gets the ratio B/A of the medians with a 95% confidence interval from a
 * percentile bootstrap over the raw samples (samples_ns, resampled
 * independently on both sides). Records without raw samples fall back to
 * a conservative interval built from the two records' own CIs, and the
 * table says so. A difference is "significant" when the CI excludes 1,
 * else "within noise". Renders Markdown into a FILE; used by `pfbench
 * compare`. Returns 0 or -errno; never exits. */
#ifndef PFBENCH_COMPARE_H
#define PFBENCH_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CMP_DEFAULT_ITERS 2000

enum cmp_method {
	CMP_BOOTSTRAP,  /* percentile bootstrap over samples_ns on both sides */
	CMP_RECORD_CI,  /* [B.lo / A.hi, B.hi / A.lo] from the records' ci95 */
	CMP_NONE,       /* neither raw samples nor CIs: no interval */
};

struct cmp_ratio {
	double a_median, b_median; /* ns, from the records */
	double a_n, b_n;           /* sample counts (NAN when unknown) */
	double ratio, lo, hi;      /* B/A and its 95% CI */
	unsigned iters;            /* resamples (CMP_BOOTSTRAP) */
	enum cmp_method method;
	bool significant;          /* the CI excludes 1 */
};

struct cmp_opts {
	unsigned iters;        /* bootstrap resamples; 0 = CMP_DEFAULT_ITERS */
	uint64_t seed;
	const json_t *ignore;  /* key columns left out of matching, or NULL */
};

/* 95% percentile-bootstrap CI of median(b) / median(a). Deterministic for
 * a seed. -EINVAL for empty inputs or a zero median resample. */
int cmp_ratio_bootstrap(const double *a, size_t na, const double *b, size_t nb,
			unsigned iters, uint64_t seed, double *lo, double *hi);
/* The ratio of one matched record pair. -EINVAL when a median is missing
 * or not positive. */
int cmp_records(const json_t *ra, const json_t *rb, const struct cmp_opts *o,
		struct cmp_ratio *r);
/* The whole comparison as Markdown. *matched gets the number of matched
 * record pairs (the caller decides whether 0 is an error). */
int cmp_render(FILE *out, const char *name_a, const json_t *sets_a, const char *name_b,
	       const json_t *sets_b, const struct cmp_opts *o, size_t *matched);

#endif
