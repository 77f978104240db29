/* test_stats.c — stats.c on inputs whose answers are computed by hand. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"

#define EPS 1e-9

/* cmocka 1.1.5 (Debian 12) compares only floats; doubles need their own. */
#define assert_double_equal(a, b, eps) near_((a), (b), (eps), #a, __FILE__, __LINE__)
static void near_(double a, double b, double eps, const char *what, const char *file, int line)
{
	if (!(fabs(a - b) <= eps)) {
		print_error("%s:%d: %s = %.17g, expected %.17g (+-%g)\n", file, line, what, a, b, eps);
		fail();
	}
}

static void test_percentiles_by_hand(void **state)
{
	(void)state;
	/* 1..10: rank = p/100 * 9, interpolated. */
	double s[10];
	for (int i = 0; i < 10; i++)
		s[i] = i + 1;
	assert_double_equal(stats_percentile_sorted(s, 10, 0), 1.0, EPS);
	assert_double_equal(stats_percentile_sorted(s, 10, 25), 3.25, EPS);
	assert_double_equal(stats_percentile_sorted(s, 10, 50), 5.5, EPS);
	assert_double_equal(stats_percentile_sorted(s, 10, 90), 9.1, EPS);
	assert_double_equal(stats_percentile_sorted(s, 10, 99), 9.91, EPS);
	assert_double_equal(stats_percentile_sorted(s, 10, 100), 10.0, EPS);
	assert_true(isnan(stats_percentile_sorted(s, 10, -1)));
	assert_true(isnan(stats_percentile_sorted(s, 10, 100.5)));
	assert_true(isnan(stats_percentile_sorted(s, 10, NAN)));
	assert_true(isnan(stats_percentile_sorted(s, 0, 50)));
	double one = 4.0;
	assert_double_equal(stats_percentile_sorted(&one, 1, 99), 4.0, EPS);
}

static void test_known_set_with_outlier(void **state)
{
	(void)state;
	/* Given unsorted; sorted {1,2,3,4,100}. median 3; |x - 3| = {2,1,0,1,97}
	 * -> MAD 1; mean 22; sum of squared deviations 7610 -> sd
	 * sqrt(7610/4); p90 at rank 3.6 = 4 + 0.6*96; p99 at rank 3.96. Only
	 * 100 has |x - 3| / 1.4826 > 3.5. */
	const double in[] = { 4, 100, 1, 3, 2 };
	double copy[5];
	memcpy(copy, in, sizeof(in));
	struct stats s;
	assert_int_equal(stats_compute(in, 5, 42, &s), 0);
	assert_memory_equal(in, copy, sizeof(in)); /* input untouched */
	assert_int_equal(s.n, 5);
	assert_double_equal(s.min, 1, EPS);
	assert_double_equal(s.max, 100, EPS); /* flagged, not dropped */
	assert_double_equal(s.median, 3, EPS);
	assert_double_equal(s.p90, 61.6, EPS);
	assert_double_equal(s.p99, 96.16, EPS);
	assert_double_equal(s.mean, 22, EPS);
	assert_double_equal(s.stddev, sqrt(7610.0 / 4.0), EPS);
	assert_double_equal(s.cv, sqrt(7610.0 / 4.0) / 22.0, EPS);
	assert_double_equal(s.mad, 1, EPS);
	assert_double_equal(s.outlier_scale, 1.4826, EPS);
	assert_int_equal(s.outliers, 1);
	assert_true(stats_is_outlier(&s, 100));
	assert_false(stats_is_outlier(&s, 1));  /* 2 / 1.4826 = 1.35 */
	assert_false(stats_is_outlier(&s, 8));  /* 5 / 1.4826 = 3.37 */
	assert_true(stats_is_outlier(&s, 9));   /* 6 / 1.4826 = 4.05 */
	assert_true(stats_is_outlier(&s, -3));  /* both sides */
	assert_true(s.ci95_low <= s.median && s.median <= s.ci95_high);
	assert_true(s.ci95_low >= s.min && s.ci95_high <= s.max);
}

static void test_even_n_median(void **state)
{
	(void)state;
	const double in[] = { 4, 1, 3, 2 };
	struct stats s;
	assert_int_equal(stats_compute(in, 4, 1, &s), 0);
	assert_double_equal(s.median, 2.5, EPS);
	/* |x - 2.5| = {1.5, 0.5, 0.5, 1.5} -> MAD 1 */
	assert_double_equal(s.mad, 1.0, EPS);
	assert_int_equal(s.outliers, 0);
}

static void test_mad_zero_falls_back_to_mean_deviation(void **state)
{
	(void)state;
	/* MAD 0; mean |x - 5| = 4/7; 4 / (1.253314 * 4/7) = 5.59 > 3.5. */
	const double in[] = { 5, 5, 9, 5, 5, 5, 5 };
	struct stats s;
	assert_int_equal(stats_compute(in, 7, 1, &s), 0);
	assert_double_equal(s.mad, 0, EPS);
	assert_double_equal(s.outlier_scale, 1.253314 * 4.0 / 7.0, EPS);
	assert_int_equal(s.outliers, 1);
	assert_false(stats_is_outlier(&s, 5));
}

static void test_all_equal_and_single(void **state)
{
	(void)state;
	const double eq[] = { 5, 5, 5, 5 };
	struct stats s;
	assert_int_equal(stats_compute(eq, 4, 1, &s), 0);
	assert_int_equal(s.outliers, 0);
	assert_double_equal(s.cv, 0, EPS);
	assert_double_equal(s.ci95_low, 5, EPS);
	assert_double_equal(s.ci95_high, 5, EPS);
	assert_false(stats_is_outlier(&s, 6)); /* no spread: nothing to judge by */

	const double one = 7;
	assert_int_equal(stats_compute(&one, 1, 1, &s), 0);
	assert_int_equal(s.n, 1);
	assert_double_equal(s.min, 7, EPS);
	assert_double_equal(s.median, 7, EPS);
	assert_double_equal(s.p99, 7, EPS);
	assert_double_equal(s.max, 7, EPS);
	assert_double_equal(s.mean, 7, EPS);
	assert_double_equal(s.stddev, 0, EPS);
	assert_double_equal(s.mad, 0, EPS);
	assert_double_equal(s.cv, 0, EPS);
	assert_double_equal(s.ci95_low, 7, EPS);
	assert_double_equal(s.ci95_high, 7, EPS);
	assert_int_equal(s.outliers, 0);

	/* Mean 0 with spread: CV is undefined, not 0 or inf. */
	const double sym[] = { -1, 1 };
	assert_int_equal(stats_compute(sym, 2, 1, &s), 0);
	assert_true(isnan(s.cv));
}

static void test_rejects_empty_and_nonfinite(void **state)
{
	(void)state;
	struct stats s;
	double lo, hi;
	const double ok[] = { 1, 2, 3 };
	const double bad_nan[] = { 1, NAN, 3 };
	const double bad_inf[] = { 1, 2, INFINITY };
	const double bad_ninf[] = { -INFINITY };
	assert_int_equal(stats_compute(ok, 0, 1, &s), -EINVAL);
	assert_int_equal(stats_compute(NULL, 3, 1, &s), -EINVAL);
	assert_int_equal(stats_compute(ok, 3, 1, NULL), -EINVAL);
	assert_int_equal(stats_compute(bad_nan, 3, 1, &s), -EINVAL);
	assert_int_equal(stats_compute(bad_inf, 3, 1, &s), -EINVAL);
	assert_int_equal(stats_compute(bad_ninf, 1, 1, &s), -EINVAL);
	assert_int_equal(stats_bootstrap_median(ok, 0, 100, 1, &lo, &hi), -EINVAL);
	assert_int_equal(stats_bootstrap_median(bad_nan, 3, 100, 1, &lo, &hi), -EINVAL);
	assert_int_equal(stats_bootstrap_median(ok, 3, 0, 1, &lo, &hi), -EINVAL);
}

/* Deterministic pseudo-normal data (Irwin-Hall, 12 uniforms) around 100. */
static void fill_normalish(double *x, size_t n, uint64_t seed)
{
	uint64_t st = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		double sum = 0;
		for (int k = 0; k < 12; k++) {
			st ^= st << 13;
			st ^= st >> 7;
			st ^= st << 17;
			sum += (double)(st >> 11) / 9007199254740992.0;
		}
		x[i] = 100.0 + 10.0 * (sum - 6.0);
	}
}

static void test_bootstrap_ci(void **state)
{
	(void)state;
	enum { SMALL = 50, LARGE = 5000 };
	double *x = malloc(LARGE * sizeof(*x));
	assert_non_null(x);
	for (uint64_t seed = 1; seed <= 4; seed++) {
		struct stats a, b;
		fill_normalish(x, SMALL, seed);
		assert_int_equal(stats_compute(x, SMALL, seed, &a), 0);
		fill_normalish(x, LARGE, seed);
		assert_int_equal(stats_compute(x, LARGE, seed, &b), 0);
		assert_true(a.ci95_low <= a.median && a.median <= a.ci95_high);
		assert_true(b.ci95_low <= b.median && b.median <= b.ci95_high);
		assert_true(a.ci95_low < a.ci95_high);
		/* The median's standard error shrinks as 1/sqrt(n): 10x narrower
		 * here in theory; ask for clearly narrower. */
		assert_true((b.ci95_high - b.ci95_low) * 3 < a.ci95_high - a.ci95_low);
	}
	/* Deterministic for a seed, through both entry points. */
	double lo1, hi1, lo2, hi2;
	fill_normalish(x, 101, 9);
	assert_int_equal(stats_bootstrap_median(x, 101, 500, 77, &lo1, &hi1), 0);
	assert_int_equal(stats_bootstrap_median(x, 101, 500, 77, &lo2, &hi2), 0);
	assert_true(lo1 == lo2 && hi1 == hi2);
	struct stats s1, s2;
	assert_int_equal(stats_compute(x, 101, 5, &s1), 0);
	assert_int_equal(stats_compute(x, 101, 5, &s2), 0);
	assert_memory_equal(&s1, &s2, sizeof(s1));
	free(x);

	/* n = 2: resample medians are 1, 2 or 3. */
	const double two[] = { 3, 1 };
	assert_int_equal(stats_bootstrap_median(two, 2, 1000, 3, &lo1, &hi1), 0);
	assert_double_equal(lo1, 1, EPS);
	assert_double_equal(hi1, 3, EPS);
}

/* The median of every one of the n^n equally likely resamples of
 * {1, 2, 4, ...} (powers of two keep every median distinct), against the
 * frequencies of stats_bootstrap_medians()' draws. */
static void check_exact_distribution(size_t n)
{
	enum { DRAWS = 200000, MAXV = 64 };
	double x[8], vals[MAXV], prob[MAXV];
	size_t nv = 0, total = 1;
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)(1u << i);
		total *= n;
	}
	for (size_t code = 0; code < total; code++) {
		double r[8];
		size_t c = code;
		for (size_t i = 0; i < n; i++, c /= n)
			r[i] = x[c % n];
		for (size_t i = 1; i < n; i++) /* insertion sort */
			for (size_t k = i; k > 0 && r[k - 1] > r[k]; k--) {
				double t = r[k];
				r[k] = r[k - 1];
				r[k - 1] = t;
			}
		double m = stats_percentile_sorted(r, n, 50.0);
		size_t v = 0;
		while (v < nv && vals[v] != m)
			v++;
		if (v == nv) {
			assert_true(nv < MAXV);
			vals[nv] = m;
			prob[nv++] = 0;
		}
		prob[v] += 1.0 / (double)total;
	}
	double *d = malloc(DRAWS * sizeof(*d));
	assert_non_null(d);
	/* unsorted input on purpose */
	double in[8];
	for (size_t i = 0; i < n; i++)
		in[i] = x[n - 1 - i];
	assert_int_equal(stats_bootstrap_medians(in, n, DRAWS, 12345, d), 0);
	for (size_t v = 0; v < nv; v++) {
		size_t hits = 0;
		for (size_t i = 0; i < DRAWS; i++)
			hits += d[i] == vals[v];
		/* 0.006 is over five standard errors of a frequency here. */
		double f = (double)hits / DRAWS;
		if (fabs(f - prob[v]) > 0.006) {
			print_error("n=%zu median %g: drawn %.4f, exact %.4f\n", n, vals[v], f, prob[v]);
			fail();
		}
	}
	for (size_t i = 0; i < DRAWS; i++) { /* nothing outside the support */
		size_t v = 0;
		while (v < nv && vals[v] != d[i])
			v++;
		assert_true(v < nv);
	}
	free(d);
}

static void test_bootstrap_exact_distribution(void **state)
{
	(void)state;
	for (size_t n = 2; n <= 6; n++)
		check_exact_distribution(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles_by_hand),
		cmocka_unit_test(test_known_set_with_outlier),
		cmocka_unit_test(test_even_n_median),
		cmocka_unit_test(test_mad_zero_falls_back_to_mean_deviation),
		cmocka_unit_test(test_all_equal_and_single),
		cmocka_unit_test(test_rejects_empty_and_nonfinite),
		cmocka_unit_test(test_bootstrap_ci),
		cmocka_unit_test(test_bootstrap_exact_distribution),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
