/* test_student_t.c — Student t quantiles (student-t.c) against the
 * published two-sided table (97.5% and 99.5% points), its shape between
 * and beyond the table (monotone in df, the normal limit, symmetry) and
 * its domain. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "student-t.h"

/* cmocka 1.1.5 (Debian 12) compares only floats; doubles need their own. */
#define assert_near(a, b, eps) near_((a), (b), (eps), #a, __FILE__, __LINE__)
static void near_(double a, double b, double eps, const char *what, const char *file, int line)
{
	if (!(fabs(a - b) <= eps)) {
		print_error("%s:%d: %s = %.17g, expected %.17g (+-%g)\n", file, line, what, a, b, eps);
		fail();
	}
}

/* The table every statistics text prints, to its 3 decimals. */
static const struct {
	double df, t975, t995;
} table[] = {
	{ 1, 12.706, 63.657 }, { 2, 4.303, 9.925 }, { 3, 3.182, 5.841 }, { 4, 2.776, 4.604 },
	{ 5, 2.571, 4.032 },   { 8, 2.306, 3.355 }, { 10, 2.228, 3.169 }, { 20, 2.086, 2.845 },
	{ 30, 2.042, 2.750 },  { 60, 2.000, 2.660 }, { 120, 1.980, 2.617 },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		assert_near(student_t_quantile(0.975, table[i].df), table[i].t975, 0.0006);
		assert_near(student_t_quantile(0.995, table[i].df), table[i].t995, 0.0006);
		/* the quantile is where the upper tail is what was asked */
		assert_near(student_t_upper(student_t_quantile(0.975, table[i].df), table[i].df),
			    0.025, 1e-9);
	}
}

static void test_shape(void **state)
{
	(void)state;
	/* fractional df (Welch) lies between its integer neighbours */
	double prev = INFINITY;
	for (double df = 1; df <= 40; df += 0.25) {
		double t = student_t_quantile(0.975, df);
		assert_true(t < prev);
		prev = t;
	}
	assert_true(student_t_quantile(0.975, 2.5) < 4.303 && student_t_quantile(0.975, 2.5) > 3.182);
	/* the normal limit, 1.959964 */
	assert_near(student_t_quantile(0.975, 1e9), 1.959964, 1e-4);
	/* symmetric, and the median is 0 */
	assert_near(student_t_quantile(0.025, 7), -student_t_quantile(0.975, 7), 1e-9);
	assert_near(student_t_quantile(0.5, 7), 0, 1e-9);
	assert_near(student_t_upper(0, 3), 0.5, 1e-12);
	assert_near(student_t_upper(-2, 3) + student_t_upper(2, 3), 1, 1e-12);
	/* df 1 is the Cauchy distribution: P(T > 1) = 1/4 */
	assert_near(student_t_upper(1, 1), 0.25, 1e-12);
}

static void test_domain(void **state)
{
	(void)state;
	assert_true(isnan(student_t_quantile(0.975, 0)));
	assert_true(isnan(student_t_quantile(0.975, -1)));
	assert_true(isnan(student_t_quantile(0.975, NAN)));
	assert_true(isnan(student_t_quantile(0, 5)));
	assert_true(isnan(student_t_quantile(1, 5)));
	assert_true(isnan(student_t_upper(NAN, 5)));
	assert_true(isnan(student_t_upper(1, 0)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_domain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
