/* student-t.c — see student-t.h.
 *
 * The upper tail comes from the regularized incomplete beta function:
 * P(T > t) = I_x(df/2, 1/2) / 2 with x = df / (df + t^2), t >= 0. I_x is
 * evaluated by its continued fraction (modified Lentz), on the side of the
 * symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges
 * fast. The quantile inverts the tail by bisection: it is monotone, and
 * 200 halvings of a bracket found by doubling reach double precision, so
 * no derivative or starting guess can send it astray. */
#include "student-t.h"

#include <math.h>

#define ST_DF_MAX 1e5
#define ST_CF_ITERS 2000
#define ST_TINY 1e-300

/* The continued fraction of I_x(a, b) (without its prefactor). */
static double beta_cf(double a, double b, double x)
{
	double c = 1, d = 1 - (a + b) * x / (a + 1), f;
	d = fabs(d) < ST_TINY ? ST_TINY : d;
	d = 1 / d;
	f = d;
	for (int m = 1; m <= ST_CF_ITERS; m++) {
		/* the even step, then the odd step, of the fraction */
		for (int odd = 0; odd <= 1; odd++) {
			double num = odd ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
					 : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
			d = 1 + num * d;
			d = fabs(d) < ST_TINY ? ST_TINY : d;
			c = 1 + num / c;
			c = fabs(c) < ST_TINY ? ST_TINY : c;
			d = 1 / d;
			double step = c * d;
			f *= step;
			if (odd && fabs(step - 1) < 1e-15)
				return f;
		}
	}
	return f;
}

/* The regularized incomplete beta I_x(a, b), 0 <= x <= 1. */
static double inc_beta(double a, double b, double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double lead = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return lead * beta_cf(a, b, x) / a;
	return 1 - lead * beta_cf(b, a, 1 - x) / b;
}

double student_t_upper(double t, double df)
{
	if (!(df > 0) || isnan(t))
		return NAN;
	df = df > ST_DF_MAX ? ST_DF_MAX : df;
	double tail = 0.5 * inc_beta(df / 2, 0.5, df / (df + t * t));
	return t >= 0 ? tail : 1 - tail;
}

double student_t_quantile(double p, double df)
{
	if (!(df > 0) || !(p > 0 && p < 1))
		return NAN;
	if (p < 0.5)
		return -student_t_quantile(1 - p, df);
	double want = 1 - p, lo = 0, hi = 1;
	while (student_t_upper(hi, df) > want && hi < 1e300)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-9 * hi; i++) {
		double mid = (lo + hi) / 2;
		if (student_t_upper(mid, df) > want)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}
