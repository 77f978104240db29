/* stats.c — see stats.h.
 *
 * Percentiles interpolate linearly between closest ranks (NumPy's default,
 * Hyndman & Fan type 7). Outliers use Iglewicz & Hoaglin's modified z-score,
 * 0.6745 (x - median) / MAD > 3.5; when MAD is 0 (more than half the samples
 * equal) the mean absolute deviation scaled by 1.253314 stands in for
 * 1.4826 MAD, and when that is 0 too every sample equals the median and none
 * is an outlier.
 *
 * The bootstrap is the percentile bootstrap of the median. Each resample's
 * median is drawn directly from its exact distribution (see
 * resample_median()), so a resample costs O(1) whatever n is.
 *
 * Random numbers come from our own splitmix64 rather than a library: Debian
 * ships no C statistics library with a seedable bootstrap (GSL has
 * generators and Beta variates but no resampling, and a dependency for one
 * generator is not worth it), and rand(3) is neither seedable per call nor
 * of known quality. */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t stats_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1): 53 random bits, never exactly 0 or 1. */
static double rand_open01(uint64_t *state)
{
	return ((double)(stats_splitmix64(state) >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal by the Marsaglia polar method (one of the pair is used:
 * simplicity over speed). */
static double rand_normal(uint64_t *state)
{
	double u, v, s;
	do {
		u = 2.0 * rand_open01(state) - 1.0;
		v = 2.0 * rand_open01(state) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	return u * sqrt(-2.0 * log(s) / s);
}

/* Gamma(a, 1) for a >= 1 (Marsaglia & Tsang 2000). */
static double rand_gamma(uint64_t *state, double a)
{
	double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
	for (;;) {
		double x = rand_normal(state), v = 1.0 + c * x;
		if (v <= 0.0)
			continue;
		v = v * v * v;
		double u = rand_open01(state);
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int check_samples(const double *samples, size_t n)
{
	if (!samples || n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(samples[i]))
			return -EINVAL;
	return 0;
}

double stats_percentile_sorted(const double *sorted, size_t n, double p)
{
	if (!sorted || n == 0 || !(p >= 0.0 && p <= 100.0))
		return NAN;
	double rank = p / 100.0 * (double)(n - 1);
	size_t lo = (size_t)floor(rank);
	if (lo >= n - 1)
		return sorted[n - 1];
	double frac = rank - (double)lo;
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

static size_t rank_of(double u, size_t n)
{
	size_t k = (size_t)(u * (double)n);
	return k < n ? k : n - 1;
}

/* One bootstrap resample's median, drawn without building the resample.
 * A resample is n indices floor(n U_i) with U_i iid uniform; floor is
 * monotone, so its j-th smallest index is floor(n U_(j)), and the j-th
 * order statistic of n uniforms is Beta(j, n - j + 1) = X / (X + Y) with
 * X ~ Gamma(j), Y ~ Gamma(n - j + 1). Given U_(j), the next one is
 * U_(j) + (1 - U_(j)) (1 - V^(1 / (n - j))) with V uniform (the least of
 * the n - j uniforms above it), which even n needs for the upper middle.
 * The medians so drawn follow exactly the distribution of the medians of
 * resamples; the O(n) resampling loop is not needed. n >= 2. */
static double resample_median(const double *sorted, size_t n, uint64_t *state)
{
	size_t j = (n + 1) / 2; /* 1-based rank of the (lower) middle */
	double x = rand_gamma(state, (double)j);
	double y = rand_gamma(state, (double)(n - j + 1));
	double u = x / (x + y);
	double lo = sorted[rank_of(u, n)];
	if (n % 2)
		return lo;
	double next = u + (1.0 - u) * (1.0 - pow(rand_open01(state), 1.0 / (double)(n - j)));
	return (lo + sorted[rank_of(next, n)]) / 2.0;
}

static void draw_medians(const double *sorted, size_t n, unsigned iters, uint64_t seed,
			 double *medians)
{
	uint64_t state = seed;
	for (unsigned it = 0; it < iters; it++)
		medians[it] = n == 1 ? sorted[0] : resample_median(sorted, n, &state);
}

static int bootstrap_sorted(const double *sorted, size_t n, unsigned iters, uint64_t seed,
			    double *lo, double *hi)
{
	double *medians = malloc(iters * sizeof(*medians));
	if (!medians)
		return -ENOMEM;
	draw_medians(sorted, n, iters, seed, medians);
	qsort(medians, iters, sizeof(*medians), cmp_double);
	*lo = stats_percentile_sorted(medians, iters, 2.5);
	*hi = stats_percentile_sorted(medians, iters, 97.5);
	free(medians);
	return 0;
}

static double *sorted_copy(const double *samples, size_t n)
{
	double *s = malloc(n * sizeof(*s));
	if (!s)
		return NULL;
	memcpy(s, samples, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

int stats_bootstrap_medians(const double *samples, size_t n, unsigned iters, uint64_t seed,
			    double *medians)
{
	int err = check_samples(samples, n);
	if (err)
		return err;
	if (iters == 0 || !medians)
		return -EINVAL;
	double *s = sorted_copy(samples, n);
	if (!s)
		return -ENOMEM;
	draw_medians(s, n, iters, seed, medians);
	free(s);
	return 0;
}

int stats_bootstrap_median(const double *samples, size_t n, unsigned iters, uint64_t seed,
			   double *lo, double *hi)
{
	int err = check_samples(samples, n);
	if (err)
		return err;
	if (iters == 0 || !lo || !hi)
		return -EINVAL;
	double *s = sorted_copy(samples, n);
	if (!s)
		return -ENOMEM;
	err = bootstrap_sorted(s, n, iters, seed, lo, hi);
	free(s);
	return err;
}

int stats_compute(const double *samples, size_t n, uint64_t seed, struct stats *out)
{
	int err = check_samples(samples, n);
	if (err)
		return err;
	if (!out)
		return -EINVAL;
	double *s = sorted_copy(samples, n);
	double *dev = malloc(n * sizeof(*dev));
	if (!s || !dev) {
		free(s);
		free(dev);
		return -ENOMEM;
	}
	struct stats st = { .n = n };
	st.min = s[0];
	st.max = s[n - 1];
	st.median = stats_percentile_sorted(s, n, 50.0);
	st.p90 = stats_percentile_sorted(s, n, 90.0);
	st.p99 = stats_percentile_sorted(s, n, 99.0);

	/* Mean and variance by Welford's update (stable for large ticks). */
	double mean = 0.0, m2 = 0.0;
	for (size_t i = 0; i < n; i++) {
		double d = s[i] - mean;
		mean += d / (double)(i + 1);
		m2 += d * (s[i] - mean);
	}
	st.mean = mean;
	st.stddev = n > 1 ? sqrt(m2 / (double)(n - 1)) : 0.0;
	if (mean != 0.0)
		st.cv = st.stddev / fabs(mean);
	else
		st.cv = st.stddev == 0.0 ? 0.0 : NAN;

	double meanad = 0.0;
	for (size_t i = 0; i < n; i++) {
		dev[i] = fabs(s[i] - st.median);
		meanad += dev[i];
	}
	meanad /= (double)n;
	qsort(dev, n, sizeof(*dev), cmp_double);
	st.mad = stats_percentile_sorted(dev, n, 50.0);
	st.outlier_scale = st.mad > 0.0 ? 1.4826 * st.mad : 1.253314 * meanad;
	for (size_t i = 0; i < n; i++)
		if (stats_is_outlier(&st, s[i]))
			st.outliers++;

	err = bootstrap_sorted(s, n, STATS_BOOT_ITERS, seed, &st.ci95_low, &st.ci95_high);
	free(s);
	free(dev);
	if (err)
		return err;
	*out = st;
	return 0;
}

bool stats_is_outlier(const struct stats *s, double x)
{
	if (!s || !(s->outlier_scale > 0.0))
		return false;
	return fabs(x - s->median) / s->outlier_scale > STATS_OUTLIER_Z;
}
