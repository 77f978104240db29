/* tsc.c — see tsc.h. Calibration: TSC_CALIB_WINDOWS busy-wait windows of
 * TSC_CALIB_WINDOW_NS against CLOCK_MONOTONIC; each window's ends are
 * bracketed by two counter reads whose midpoint stands for the clock read,
 * and the median ratio wins. On arm64 the architected cntfrq_el0 gives the
 * frequency and the measured ratio is kept beside it as a check. The timer
 * overhead is the median of TSC_OVERHEAD_PAIRS empty start/stop pairs. */
#include "tsc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int mono_ns(uint64_t *ns)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return -errno;
	*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return 0;
}

/* A clock read with the counter read on both sides; *ticks gets the
 * midpoint. */
static int bracketed(uint64_t *ns, double *ticks)
{
	uint64_t a = tsc_start();
	int err = mono_ns(ns);
	uint64_t b = tsc_stop();
	*ticks = (double)a + (double)(b - a) / 2.0;
	return err;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int one_window(double *ratio)
{
	uint64_t n0, n1;
	double t0, t1;
	int err = bracketed(&n0, &t0);
	if (err)
		return err;
	do {
		if ((err = bracketed(&n1, &t1)))
			return err;
	} while (n1 - n0 < TSC_CALIB_WINDOW_NS);
	if (!(t1 > t0))
		return -EIO;
	*ratio = (t1 - t0) / (double)(n1 - n0);
	return 0;
}

static void read_clocksource(char *buf, size_t len)
{
	buf[0] = '\0';
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	else
		buf[0] = '\0';
	fclose(f);
}

static int measure_overhead(struct tsc_calib *c)
{
	double *d = malloc(TSC_OVERHEAD_PAIRS * sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (int i = 0; i < 100; i++) { /* warm up the path */
		uint64_t a = tsc_start();
		uint64_t b = tsc_stop();
		(void)a;
		(void)b;
	}
	for (size_t i = 0; i < TSC_OVERHEAD_PAIRS; i++) {
		uint64_t a = tsc_start();
		uint64_t b = tsc_stop();
		d[i] = (double)(b - a);
	}
	qsort(d, TSC_OVERHEAD_PAIRS, sizeof(*d), cmp_double);
	c->overhead_min_ticks = d[0];
	c->overhead_ticks = d[TSC_OVERHEAD_PAIRS / 2];
	c->overhead_ns = tsc_to_ns(c, c->overhead_ticks);
	free(d);
	return 0;
}

int tsc_calibrate(struct tsc_calib *c)
{
	if (!c)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->source = TSC_SOURCE;
	c->invariant = tsc_arch_invariant();
	read_clocksource(c->clocksource, sizeof(c->clocksource));

	double r[TSC_CALIB_WINDOWS];
	for (int i = 0; i < TSC_CALIB_WINDOWS; i++) {
		int err = one_window(&r[i]);
		if (err)
			return err;
	}
	qsort(r, TSC_CALIB_WINDOWS, sizeof(r[0]), cmp_double);
	c->windows = TSC_CALIB_WINDOWS;
	c->measured_ticks_per_ns = r[TSC_CALIB_WINDOWS / 2];
	c->spread = (r[TSC_CALIB_WINDOWS - 1] - r[0]) / c->measured_ticks_per_ns;

	uint64_t hz = tsc_arch_freq_hz();
	if (hz) {
		c->nominal_ticks_per_ns = (double)hz / 1e9;
		c->ticks_per_ns = c->nominal_ticks_per_ns;
		c->method = "cntfrq_el0";
	} else {
		c->ticks_per_ns = c->measured_ticks_per_ns;
		c->method = "clock_monotonic";
	}
	return measure_overhead(c);
}

double tsc_to_ns(const struct tsc_calib *c, double ticks)
{
	return ticks / c->ticks_per_ns;
}
