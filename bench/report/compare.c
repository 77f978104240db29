/* compare.c — see compare.h: one pair's ratio, CI and verdict (the
 * matching and the Markdown are compare-render.c's).
 *
 * The bootstrap resamples A and B independently (they are separate runs):
 * stats_bootstrap_medians() draws the medians of `iters` resamples of each
 * side (in O(1) per resample, from the exact order-statistic
 * distribution), the i-th draws are paired into ratios, and the 2.5th and
 * 97.5th percentiles of those ratios are the CI. */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rset.h"
#include "stats.h"
#include "student-t.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int cmp_ratio_bootstrap(const double *a, size_t na, const double *b, size_t nb,
			unsigned iters, uint64_t seed, double *lo, double *hi)
{
	if (!a || !b || na == 0 || nb == 0 || iters == 0)
		return -EINVAL;
	double *ma = malloc(iters * sizeof(*ma)), *mb = malloc(iters * sizeof(*mb));
	int ret = -ENOMEM;
	if (!ma || !mb)
		goto out;
	ret = stats_bootstrap_medians(a, na, iters, seed, ma);
	if (!ret) /* an independent stream for B */
		ret = stats_bootstrap_medians(b, nb, iters, seed ^ 0x5bd1e9955bd1e995ULL, mb);
	if (ret)
		goto out;
	for (unsigned i = 0; i < iters; i++) {
		if (!(ma[i] > 0)) {
			ret = -EINVAL;
			goto out;
		}
		mb[i] /= ma[i];
	}
	qsort(mb, iters, sizeof(*mb), cmp_double);
	*lo = stats_percentile_sorted(mb, iters, 2.5);
	*hi = stats_percentile_sorted(mb, iters, 97.5);
out:
	free(ma);
	free(mb);
	return ret;
}

/* The run-to-run interval (CMP_RUNS). Each run median is one observation
 * of the cell on that side; it already carries its run's sampling noise,
 * so their spread is the whole run-to-run variation (frequency, placement,
 * neighbours) plus the within-run noise. Why this method:
 * - logs: run-level shifts are multiplicative (a run 4% slow is 4% slow
 *   at 10 ns and at 1 us), and on logs the ratio B/A is a difference; the
 *   interval, exp'd back, is one of the ratio of the geometric means and
 *   never reaches below 0;
 * - Welch, not a pooled t: the two sides' spreads need not match (one of
 *   them may have shared the core with a neighbour);
 * - a t interval, not a bootstrap over the runs: with 3 runs a bootstrap
 *   has 10 distinct resamples and a percentile interval from them is far
 *   too narrow; Student's t at the Welch-Satterthwaite df widens honestly
 *   (t = 12.7 at df 1), so 2 noisy runs a side give a wide interval, not
 *   a verdict. */
static void log_mean_var(const double *v, size_t n, double *mean, double *var)
{
	double s = 0, ss = 0;
	for (size_t i = 0; i < n; i++)
		s += log(v[i]);
	*mean = s / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (log(v[i]) - *mean) * (log(v[i]) - *mean);
	*var = ss / (double)(n - 1);
}

static bool all_positive(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(v[i] > 0) || !isfinite(v[i]))
			return false;
	return true;
}

int cmp_ratio_runs(const double *a, size_t na, const double *b, size_t nb, double *ratio,
		   double *lo, double *hi, double *df)
{
	if (!a || !b || na < 2 || nb < 2 || !all_positive(a, na) || !all_positive(b, nb))
		return -EINVAL;
	double ma, va, mb, vb;
	log_mean_var(a, na, &ma, &va);
	log_mean_var(b, nb, &mb, &vb);
	double qa = va / (double)na, qb = vb / (double)nb, se = sqrt(qa + qb);
	/* Welch-Satterthwaite; with no spread on either side the interval is
	 * the point itself, and df is what a pooled t would have. */
	*df = se > 0 ? (qa + qb) * (qa + qb) /
			       (qa * qa / (double)(na - 1) + qb * qb / (double)(nb - 1))
		     : (double)(na + nb - 2);
	double d = mb - ma, w = se > 0 ? student_t_quantile(0.975, *df) * se : 0;
	*ratio = exp(d);
	*lo = exp(d - w);
	*hi = exp(d + w);
	return 0;
}

/* splitmix64: a small seeded generator for the cell resampling. */
static uint64_t mix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int cmp_geomean(const double *ratios, size_t n, unsigned iters, uint64_t seed, double *g,
		double *lo, double *hi)
{
	if (!ratios || n == 0)
		return -EINVAL;
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(ratios[i] > 0) || !isfinite(ratios[i]))
			return -EINVAL;
		sum += log(ratios[i]);
	}
	*g = exp(sum / (double)n);
	*lo = *hi = NAN;
	if (n < 2 || iters == 0)
		return 0;
	double *m = malloc(iters * sizeof(*m));
	if (!m)
		return -ENOMEM;
	uint64_t st = seed;
	for (unsigned k = 0; k < iters; k++) {
		double s = 0;
		for (size_t i = 0; i < n; i++)
			s += log(ratios[mix64(&st) % n]);
		m[k] = s / (double)n;
	}
	qsort(m, iters, sizeof(*m), cmp_double);
	*lo = exp(stats_percentile_sorted(m, iters, 2.5));
	*hi = exp(stats_percentile_sorted(m, iters, 97.5));
	free(m);
	return 0;
}

const char *cmp_verdict_name(enum cmp_verdict v)
{
	static const char *const words[] = {
		[CMP_NO_CI] = "no CI",
		[CMP_WITHIN_NOISE] = "within noise",
		[CMP_SMALL] = "small",
		[CMP_SIGNIFICANT] = "significant",
	};
	return (unsigned)v < sizeof(words) / sizeof(words[0]) ? words[v] : "?";
}

enum cmp_verdict cmp_verdict_of(double lo, double hi, double t)
{
	if (isnan(lo) || isnan(hi))
		return CMP_NO_CI;
	if (!(t >= 0))
		t = 0;
	if (lo <= 1.0 && hi >= 1.0)
		return CMP_WITHIN_NOISE;
	/* The CI excludes 1; is it clear of the band [1 - t, 1 + t]? At t = 0
	 * the band is the point 1, so this is the plain rule. */
	if (lo > 1.0 + t || hi < 1.0 - t)
		return CMP_SIGNIFICANT;
	return CMP_SMALL;
}

/* The run medians of rec when the measure compared is the one -r N
 * repeats (median_ns of the block ""); *n = 0 otherwise, and when the
 * field holds something else than numbers (the row then keeps the
 * within-run CI, as without -r). 0 or -ENOMEM. */
static int run_medians(const json_t *rec, const struct rset_measure *m, double **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	if (!m->median || strcmp(m->median, CMP_RUNS_MEDIAN))
		return 0;
	int err = rset_samples(rec, CMP_RUN_MEDIANS, v, n);
	return err == -EINVAL ? 0 : err; /* rset_samples left *v NULL, *n 0 */
}

/* CMP_RUNS when both records hold at least 2 run medians. r->a_runs and
 * r->b_runs are set either way (the caller's note on one-sided repeats). */
static int ci_from_runs(const json_t *ra, const json_t *rb, const struct rset_measure *ma,
			const struct rset_measure *mb, struct cmp_ratio *r)
{
	double *va = NULL, *vb = NULL;
	size_t na, nb;
	int err = run_medians(ra, ma, &va, &na);
	if (!err)
		err = run_medians(rb, mb, &vb, &nb);
	if (!err) {
		r->a_runs = na;
		r->b_runs = nb;
		double ratio, lo, hi, df;
		/* a run median that is not positive: no logs; the bootstrap decides */
		if (na >= 2 && nb >= 2 && !cmp_ratio_runs(va, na, vb, nb, &ratio, &lo, &hi, &df)) {
			double lo_, hi_; /* no CI wanted: iters 0 */
			cmp_geomean(va, na, 0, 0, &r->a_median, &lo_, &hi_);
			cmp_geomean(vb, nb, 0, 0, &r->b_median, &lo_, &hi_);
			r->ratio = ratio;
			r->lo = lo;
			r->hi = hi;
			r->df = df;
			r->method = CMP_RUNS;
		}
	}
	free(va);
	free(vb);
	return err;
}

/* CMP_BOOTSTRAP when both records hold raw samples. */
static int ci_from_samples(const json_t *ra, const json_t *rb, const struct rset_measure *ma,
			   const struct rset_measure *mb, const struct cmp_opts *o,
			   struct cmp_ratio *r)
{
	double *sa, *sb;
	size_t na, nb;
	int err = rset_samples(ra, ma->samples, &sa, &na);
	if (!err)
		err = rset_samples(rb, mb->samples, &sb, &nb);
	else
		sb = NULL, nb = 0;
	if (err) {
		free(sa);
		return err;
	}
	if (na && nb) {
		r->iters = o && o->iters ? o->iters : CMP_DEFAULT_ITERS;
		err = cmp_ratio_bootstrap(sa, na, sb, nb, r->iters, o ? o->seed : 1, &r->lo, &r->hi);
		if (!err)
			r->method = CMP_BOOTSTRAP;
	}
	if (isnan(r->a_n) && na)
		r->a_n = (double)na;
	if (isnan(r->b_n) && nb)
		r->b_n = (double)nb;
	free(sa);
	free(sb);
	return 0;
}

/* CMP_RECORD_CI from the records' own 95% CIs of their medians. */
static void ci_from_records(const json_t *ra, const json_t *rb, const struct rset_measure *ma,
			    const struct rset_measure *mb, struct cmp_ratio *r)
{
	double alo = ma->ci_low ? rset_num(ra, ma->ci_low) : NAN;
	double ahi = ma->ci_high ? rset_num(ra, ma->ci_high) : NAN;
	double blo = mb->ci_low ? rset_num(rb, mb->ci_low) : NAN;
	double bhi = mb->ci_high ? rset_num(rb, mb->ci_high) : NAN;
	if (alo > 0 && ahi >= alo && blo >= 0 && bhi >= blo) {
		r->lo = blo / ahi;
		r->hi = bhi / alo;
		r->method = CMP_RECORD_CI;
	}
}

int cmp_records(const json_t *ra, const json_t *rb, const struct cmp_opts *o,
		struct cmp_ratio *r)
{
	memset(r, 0, sizeof(*r));
	struct rset_measure dm;
	rset_measure_default(&dm);
	const struct rset_measure *ma = o && o->ma ? o->ma : &dm, *mb = o && o->mb ? o->mb : &dm;
	r->a_median = ma->median ? rset_num(ra, ma->median) : NAN;
	r->b_median = mb->median ? rset_num(rb, mb->median) : NAN;
	r->a_n = ma->n ? rset_num(ra, ma->n) : NAN;
	r->b_n = mb->n ? rset_num(rb, mb->n) : NAN;
	r->lo = r->hi = r->df = NAN;
	r->method = CMP_NONE;
	if (!(r->a_median > 0) || !(r->b_median >= 0)) {
		r->ratio = NAN;
		return -EINVAL;
	}
	r->ratio = r->b_median / r->a_median;

	/* Run-to-run first (it covers what the others cannot), then the
	 * bootstrap within one run, then the records' own CIs. */
	int err = ci_from_runs(ra, rb, ma, mb, r);
	if (!err && r->method == CMP_NONE)
		err = ci_from_samples(ra, rb, ma, mb, o, r);
	if (err)
		return err;
	if (r->method == CMP_NONE)
		ci_from_records(ra, rb, ma, mb, r);
	r->verdict = r->method == CMP_NONE ? CMP_NO_CI
					   : cmp_verdict_of(r->lo, r->hi, o ? o->threshold : 0);
	r->significant = r->verdict == CMP_SIGNIFICANT;
	return 0;
}
