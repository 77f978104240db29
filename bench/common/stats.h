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
#define STATS_BOOT_ITERS 1000      /* bootstrap resamples in stats_compute() */
#define STATS_BOOT_MIN_ITERS 200   /* ... never fewer, even for huge n */

/* samples are not modified. n == 0 or any NaN/inf sample is -EINVAL.
 * Deterministic for a seed. */
int stats_compute(const double *samples, size_t n, uint64_t seed, struct stats *out);
/* Percentile p in [0,100] of sorted data (linear interpolation between
 * closest ranks); NaN for n == 0 or p out of range. */
double stats_percentile_sorted(const double *sorted, size_t n, double p);
bool stats_is_outlier(const struct stats *s, double x);
/* Bootstrap (percentile) 95% CI of the median from `iters` resamples. */
int stats_bootstrap_median(const double *samples, size_t n, unsigned iters, uint64_t seed,
			   double *lo, double *hi);

/* Resamples stats_compute() uses for n samples: STATS_BOOT_ITERS, lowered
 * for large n so one bootstrap costs at most ~2e7 draws. */
unsigned stats_boot_iters(size_t n);

#endif
