/* stats.h — summary statistics over repeated samples: min, median, p90,
 * p99, max, mean, MAD, CV, a bootstrap 95% CI of the median, and MAD-based
 * outliers (flagged and counted, never dropped). Pure functions. */
#ifndef PFBENCH_STATS_H
#define PFBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stats {
	size_t n;
	double min, median, p90, p99, max, mean;
	double stddev;    /* sample (n-1) */
	double mad;       /* median absolute deviation (unscaled) */
	double cv;        /* stddev / mean, a fraction */
	double ci95_low, ci95_high; /* bootstrap CI of the median */
	size_t outliers;  /* |x - median| / (1.4826 MAD) > 3.5 */
	/* The outlier denominator: 1.4826 MAD, or 1.253314 x mean absolute
	 * deviation when MAD is 0; 0 when all samples are equal. */
	double outlier_scale;
};

#define STATS_OUTLIER_Z 3.5        /* modified z-score (Iglewicz & Hoaglin) */
#define STATS_BOOT_ITERS 2000      /* bootstrap resamples in stats_compute() */

/* splitmix64 (Steele et al.): the next of a small seeded sequence (the
 * bootstrap's, and order.h's shuffles). */
uint64_t stats_splitmix64(uint64_t *state);

/* samples are not modified. n == 0 or any NaN/inf sample is -EINVAL.
 * Deterministic for a seed. */
int stats_compute(const double *samples, size_t n, uint64_t seed, struct stats *out);
/* Percentile p in [0,100] of sorted data (linear interpolation between
 * closest ranks); NaN for n == 0 or p out of range. */
double stats_percentile_sorted(const double *sorted, size_t n, double p);
bool stats_is_outlier(const struct stats *s, double x);
/* Bootstrap (percentile) 95% CI of the median from `iters` resamples.
 * Each resample costs O(1) (its median is drawn from the exact order-
 * statistic distribution), so any n is cheap. */
int stats_bootstrap_median(const double *samples, size_t n, unsigned iters, uint64_t seed,
			   double *lo, double *hi);
/* The medians of `iters` bootstrap resamples, in draw order, into
 * medians[iters] (e.g. for a CI of a ratio of two medians: pair the i-th
 * draws of two samples). Same seed, same draws as stats_bootstrap_median. */
int stats_bootstrap_medians(const double *samples, size_t n, unsigned iters, uint64_t seed,
			    double *medians);

#endif
