/* test_tsc.c — tsc.c: the perf mmap page is read and converted with the
 * kernel's formula; the bracketed fit's stated uncertainty covers its
 * disagreement with an independent bracketed interval, and the conversion
 * agrees with the kernel's own TSC frequency within the stated bounds; the
 * overhead is measured and consistent, and the recorded fields are filled.
 * No bound depends on how busy the machine is: every tolerance is derived
 * from the brackets actually measured (a preempted read widens its bracket
 * and the bound with it), plus the kernel's own rounding. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <linux/perf_event.h>
#include <stdlib.h>

#include "tsc.h"

static struct tsc_calib calib;

static int setup(void **state)
{
	(void)state;
	return tsc_calibrate(&calib) ? -1 : 0;
}

static void test_fields(void **state)
{
	(void)state;
	assert_non_null(calib.source);
	assert_string_equal(calib.source, TSC_SOURCE);
	assert_non_null(calib.method);
	/* A counter between 1 MHz and 100 GHz: anything else is a broken
	 * calibration, not a slow machine. */
	assert_true(calib.ticks_per_ns > 0.001 && calib.ticks_per_ns < 100.0);
	assert_true(calib.measured_ticks_per_ns > 0.001 && calib.measured_ticks_per_ns < 100.0);
	assert_int_equal(calib.windows, 2);
	assert_true(calib.spread >= 0.0);
	assert_true(calib.measured_uncertainty > 0.0);
	assert_true(calib.bracket_ticks >= 0.0);
	assert_true(calib.invariant == 0 || calib.invariant == 1 || calib.invariant == -1);
	/* The overhead is a median of non-negative differences, so at least
	 * the fastest pair, and converted with the same factor. */
	assert_true(calib.overhead_ticks >= calib.overhead_min_ticks);
	assert_true(calib.overhead_min_ticks >= 0.0);
	assert_true(fabs(calib.overhead_ns - calib.overhead_ticks / calib.ticks_per_ns) < 1e-9);
	struct tsc_perf_time pt;
	if (!strcmp(calib.method, TSC_METHOD_PERF)) {
		assert_int_equal(tsc_perf_time(&pt), 0);
		assert_true(calib.ticks_per_ns == ldexp(1.0, calib.perf_time_shift) / calib.perf_time_mult);
		assert_true(calib.uncertainty == 1.0 / calib.perf_time_mult);
		assert_string_equal(calib.kernel_source, TSC_METHOD_PERF);
	} else {
		/* Not perf-mmap only when the kernel does not publish it. */
		assert_int_not_equal(tsc_perf_time(&pt), 0);
		assert_int_equal(calib.perf_time_mult, 0);
#if defined(__aarch64__)
		assert_string_equal(calib.method, TSC_METHOD_CNTFRQ);
		assert_true(calib.nominal_ticks_per_ns > 0.0);
#else
		assert_string_equal(calib.method, TSC_METHOD_CALIB);
		assert_true(calib.ticks_per_ns == calib.measured_ticks_per_ns);
		assert_true(calib.uncertainty == calib.measured_uncertainty);
#endif
	}
	char buf[256];
	assert_non_null(strstr(tsc_describe(&calib, buf, sizeof(buf)), calib.method));
}

/* A synthetic mmap page: the reader honours cap_user_time and the formula
 * equals the exact 128-bit product the kernel's split computes. */
static void test_perf_page(void **state)
{
	(void)state;
	struct perf_event_mmap_page *pg = calloc(1, sizeof(*pg));
	assert_non_null(pg);
	struct tsc_perf_time t;
	pg->time_mult = 1000;
	assert_int_equal(tsc_perf_page_read(pg, &t), -EOPNOTSUPP);
	pg->cap_user_time = 1;
	pg->cap_user_time_zero = 1;
	pg->time_mult = 822298387u; /* 2^31 / 2.6116: a 2.6 GHz TSC */
	pg->time_shift = 31;
	pg->time_zero = 123456789ull;
	pg->lock = 4;
	assert_int_equal(tsc_perf_page_read(pg, &t), 0);
	assert_int_equal(t.mult, pg->time_mult);
	assert_int_equal(t.shift, 31);
	assert_int_equal(t.has_zero, 1);
	assert_true(t.zero == 123456789ull);
	uint64_t cyc = 0x123456789abcdefull;
	for (int i = 0; i < 1000; i++, cyc = cyc * 6364136223846793005ull + 1442695040888963407ull) {
		uint64_t c = cyc >> (i % 24); /* small and large counts */
		unsigned __int128 want = ((unsigned __int128)c * t.mult) >> t.shift;
		assert_true(tsc_perf_ns(&t, c) == (uint64_t)want + t.zero);
	}
	free(pg);
}

static void test_conversion(void **state)
{
	(void)state;
	struct tsc_calib c = { .ticks_per_ns = 2.5, .overhead_ticks = 30 };
	assert_true(fabs(tsc_to_ns(&c, 250.0) - 100.0) < 1e-9);
	assert_true(fabs(tsc_elapsed(&c, 1000, 1130) - 100.0) < 1e-9);
	/* Not clamped: an interval below the overhead stays negative. */
	assert_true(tsc_elapsed(&c, 1000, 1010) < 0.0);
}

/* A CLOCK_MONOTONIC_RAW read pinned to the counter: the tightest of 256
 * bracketed reads (the test's own, independent of tsc.c's). */
struct pin {
	double ns, mid, half;
};

static struct pin pin_now(void)
{
	struct pin best = { 0, 0, INFINITY };
	for (int i = 0; i < 256; i++) {
		struct timespec ts;
		uint64_t a = tsc_start();
		clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
		uint64_t b = tsc_stop();
		double half = (double)(b - a) / 2.0;
		if (half < best.half)
			best = (struct pin){ (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec, (double)a + half, half };
	}
	return best;
}

/* An independent ~50 ms interval: its ratio, and its own worst-case error
 * from its two brackets. */
static double interval_ratio(double *unc)
{
	struct pin p0 = pin_now(), p1;
	do
		p1 = pin_now();
	while (p1.ns - p0.ns < 5e7);
	double dt = p1.mid - p0.mid, dn = p1.ns - p0.ns;
	*unc = (p0.half + p1.half) / dt + 2.0 / dn;
	return dt / dn;
}

/* The fit's stated uncertainty covers its disagreement with an independent
 * interval measured against the same clock. Both bounds are worst cases
 * computed from the brackets taken; the slack is 2x plus 1e-6 for the
 * clock's nanosecond arithmetic. A loaded machine widens the brackets and
 * so the bounds: it cannot make this fail. */
static void test_fit_covers_its_error(void **state)
{
	(void)state;
	double unc, r = interval_ratio(&unc);
	double off = fabs(calib.measured_ticks_per_ns - r) / r;
	double bound = 2 * (calib.measured_uncertainty + unc) + 1e-6;
	print_message("fit %.7f ticks/ns (+-%.5f%%), interval %.7f (+-%.5f%%): off by %.5f%%, bound %.5f%%\n",
		      calib.measured_ticks_per_ns, 100 * calib.measured_uncertainty, r, 100 * unc,
		      100 * off, 100 * bound);
	assert_true(off <= bound);
}

/* The conversion in use agrees with the kernel's own TSC frequency. With
 * the clocksource on the TSC, CLOCK_MONOTONIC_RAW is the TSC scaled by the
 * kernel's tsc_khz, so a fit against it must land on that figure within its
 * stated uncertainty, the 3 decimals of the MHz in dmesg and the rounding
 * of the kernel's multipliers (1e-5 is ten times what they can add). */
static void test_agrees_with_kernel(void **state)
{
	(void)state;
	if (!calib.kernel_source || !strcmp(calib.kernel_source, "cpuinfo"))
		skip(); /* no trustworthy kernel figure to compare with */
	if (strcmp(calib.clocksource, "tsc") || strcmp(TSC_SOURCE, "rdtsc"))
		skip(); /* the clock is not the TSC scaled: no exact relation */
	double k = calib.kernel_ticks_per_ns;
	double bound = calib.uncertainty + calib.measured_uncertainty + 0.0005 / (k * 1e3) + 1e-5;
	double off_used = fabs(calib.ticks_per_ns - k) / k;
	double off_fit = fabs(calib.measured_ticks_per_ns - k) / k;
	print_message("kernel (%s) %.6f ticks/ns; in use (%s) %.7f, off %.5f%%; fit %.7f, off %.5f%%; "
		      "bound %.5f%%\n", calib.kernel_source, k, calib.method, calib.ticks_per_ns,
		      100 * off_used, calib.measured_ticks_per_ns, 100 * off_fit, 100 * bound);
	assert_true(off_used <= bound);
	assert_true(off_fit <= bound);
}

/* When the kernel publishes its conversion, converting a counter interval
 * with it agrees with CLOCK_MONOTONIC_RAW (the same tsc_khz behind both)
 * within the interval's brackets and the two multipliers' rounding. */
static void test_perf_mmap_vs_clock(void **state)
{
	(void)state;
	struct tsc_perf_time t;
	int err = tsc_perf_time(&t);
	if (err == -EOPNOTSUPP || err == -EACCES || err == -ENOENT || err == -ENODEV || err == -ENOSYS)
		skip(); /* the kernel does not publish cap_user_time here */
	assert_int_equal(err, 0);
	if (strcmp(calib.clocksource, "tsc"))
		skip();
	double unc, r = interval_ratio(&unc);
	double k = ldexp(1.0, t.shift) / t.mult;
	double off = fabs(k - r) / r;
	print_message("perf-mmap %.7f ticks/ns, clock %.7f (+-%.5f%%): off by %.5f%%\n", k, r, 100 * unc,
		      100 * off);
	assert_true(off <= unc + 1e-5);
}

static void test_monotonic_reads(void **state)
{
	(void)state;
	uint64_t prev = tsc_start();
	for (int i = 0; i < 10000; i++) {
		uint64_t now = tsc_stop();
		assert_true(now >= prev);
		prev = now;
	}
}

static void test_null(void **state)
{
	(void)state;
	assert_int_equal(tsc_calibrate(NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_conversion),
		cmocka_unit_test(test_perf_page),
		cmocka_unit_test(test_fit_covers_its_error),
		cmocka_unit_test(test_agrees_with_kernel),
		cmocka_unit_test(test_perf_mmap_vs_clock),
		cmocka_unit_test(test_monotonic_reads),
		cmocka_unit_test(test_null),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
