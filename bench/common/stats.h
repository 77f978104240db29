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
};

/* samples are not modified. n == 0 is -EINVAL. Deterministic for a seed. */
int stats_compute(const double *samples, size_t n, uint64_t seed, struct stats *out);
/* Percentile p in [0,100] of sorted data (linear interpolation). */
double stats_percentile_sorted(const double *sorted, size_t n, double p);
bool stats_is_outlier(const struct stats *s, double x);
/* Bootstrap CI of the median from `iters` resamples. */
int stats_bootstrap_median(const double *samples, size_t n, unsigned iters, uint64_t seed,
			   double *lo, double *hi);

#endif
