/* stats.c — see stats.h.
 *
 * Percentiles interpolate linearly between closest ranks (NumPy's default,
 * Hyndman & Fan type 7). Outliers use Iglewicz & Hoaglin's modified z-score,
 * 0.6745 (x - median) / MAD > 3.5; when MAD is 0 (more than half the samples
 * equal) the mean absolute deviation scaled by 1.253314 stands in for
 * 1.4826 MAD, and when that is 0 too every sample equals the median and none
 * is an outlier.
 *
 * The bootstrap draws from its own small generator (splitmix64) rather than
 * a library: Debian ships no C statistics library with a seedable
 * bootstrap (GSL has an RNG but no resampling, and pulling it in for one
 * generator is not worth a dependency), and rand(3) is neither seedable per
 * call nor of known quality. */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The most sample draws (iterations x n) one bootstrap in stats_compute()
 * makes before it lowers the iteration count (never below
 * STATS_BOOT_MIN_ITERS). Each resample costs O(n): draws are counted per
 * rank of the sorted data, so no resample is sorted. */
#define BOOT_BUDGET 20000000.0

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) by Lemire's multiply-shift; the bias (n / 2^64) is far
 * below anything a bootstrap can resolve. */
static size_t rand_below(uint64_t *state, size_t n)
{
	return (size_t)(((unsigned __int128)splitmix64(state) * n) >> 64);
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

/* Median of the resample described by counts[] over sorted[] (counts sum to
 * n): the same interpolation as stats_percentile_sorted at p = 50. */
static double counted_median(const double *sorted, const uint32_t *counts, size_t n)
{
	size_t want_lo = (n - 1) / 2, want_hi = n / 2; /* ranks, 0-based */
	double lo = NAN;
	size_t seen = 0;
	for (size_t i = 0; i < n; i++) {
		if (!counts[i])
			continue;
		size_t next = seen + counts[i];
		if (isnan(lo) && want_lo < next)
			lo = sorted[i];
		if (want_hi < next)
			return (lo + sorted[i]) / 2.0;
		seen = next;
	}
	return lo; /* not reached: counts sum to n */
}

static int bootstrap_sorted(const double *sorted, size_t n, unsigned iters, uint64_t seed,
			    double *lo, double *hi)
{
	if (n == 1) {
		*lo = *hi = sorted[0];
		return 0;
	}
	uint32_t *counts = malloc(n * sizeof(*counts));
	double *medians = malloc(iters * sizeof(*medians));
	if (!counts || !medians) {
		free(counts);
		free(medians);
		return -ENOMEM;
	}
	uint64_t state = seed;
	for (unsigned it = 0; it < iters; it++) {
		memset(counts, 0, n * sizeof(*counts));
		for (size_t j = 0; j < n; j++)
			counts[rand_below(&state, n)]++;
		medians[it] = counted_median(sorted, counts, n);
	}
	qsort(medians, iters, sizeof(*medians), cmp_double);
	*lo = stats_percentile_sorted(medians, iters, 2.5);
	*hi = stats_percentile_sorted(medians, iters, 97.5);
	free(counts);
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

int stats_bootstrap_median(const double *samples, size_t n, unsigned iters, uint64_t seed,
			   double *lo, double *hi)
{
	int err = check_samples(samples, n);
	if (err)
		return err;
	if (iters == 0 || n > UINT32_MAX || !lo || !hi)
		return -EINVAL;
	double *s = sorted_copy(samples, n);
	if (!s)
		return -ENOMEM;
	err = bootstrap_sorted(s, n, iters, seed, lo, hi);
	free(s);
	return err;
}

unsigned stats_boot_iters(size_t n)
{
	double budget = BOOT_BUDGET / (double)(n ? n : 1);
	if (budget >= STATS_BOOT_ITERS)
		return STATS_BOOT_ITERS;
	if (budget <= STATS_BOOT_MIN_ITERS)
		return STATS_BOOT_MIN_ITERS;
	return (unsigned)budget;
}

int stats_compute(const double *samples, size_t n, uint64_t seed, struct stats *out)
{
	int err = check_samples(samples, n);
	if (err)
		return err;
	if (!out || n > UINT32_MAX)
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

	err = bootstrap_sorted(s, n, stats_boot_iters(n), seed, &st.ci95_low, &st.ci95_high);
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
