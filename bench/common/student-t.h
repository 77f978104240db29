/* student-t.h — quantiles of Student's t distribution for any real
 * (fractional) degrees of freedom, as a Welch interval needs (compare's
 * run-to-run CI, bench/report/compare.c). Pure functions; no printing.
 *
 * Written here rather than taken from a library: the one function pfbench
 * needs is about 60 lines over libm's lgamma, while GSL (gsl_cdf_tdist_Pinv)
 * would be a new dependency of every build, the static arm64 one included. */
#ifndef PFBENCH_STUDENT_T_H
#define PFBENCH_STUDENT_T_H

/* P(T > t) for T ~ Student t with df > 0 degrees of freedom; NAN for
 * df <= 0 or a NaN t. */
double student_t_upper(double t, double df);
/* The p-quantile of Student t with df > 0 degrees of freedom (0 < p < 1;
 * 0.975 for a two-sided 95% interval), to a relative 1e-9; NAN outside
 * that domain. df above 1e5 is taken as 1e5 (within 1e-5 of the normal
 * quantile). */
double student_t_quantile(double p, double df);

#endif
