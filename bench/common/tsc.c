/* tsc.c — see tsc.h.
 *
 * Conversion: the kernel publishes its own TSC-to-ns conversion in the
 * mmap page of any perf event when its sched clock runs on the TSC
 * (cap_user_time; time_mult/time_shift from the kernel's tsc_khz), so that
 * is used where it exists. Else (arm64 without it: cntfrq_el0) a fit
 * against CLOCK_MONOTONIC_RAW (the clocksource's unslewed rate, what the
 * kernel's tsc_khz describes; CLOCK_MONOTONIC would carry NTP's slew):
 * anchors at the start, middle and end of a TSC_CALIB_WINDOW_NS window,
 * each the tightest of TSC_CALIB_BURST clock reads bracketed by two counter
 * reads, so a preemption inside a bracket makes it wide and it loses
 * instead of skewing the ratio; an anchor whose best bracket is still wide
 * is re-taken. The error bound follows from the kept brackets. The fit is
 * always taken, as the cross-check beside the kernel's figure. The timer
 * overhead is the median of TSC_OVERHEAD_PAIRS empty start/stop pairs. */
#include "tsc.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int raw_ns(uint64_t *ns)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC_RAW, &ts))
		return -errno;
	*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One clock read pinned to the counter: the clock read its counter (or the
 * kernel its clock) somewhere between the two counter reads, so the tick
 * that goes with ns is mid +- half. */
struct anchor {
	uint64_t ns;
	double mid, half;
};

/* The tightest of TSC_CALIB_BURST bracketed reads. */
static int burst(struct anchor *best)
{
	best->half = INFINITY;
	for (int i = 0; i < TSC_CALIB_BURST; i++) {
		uint64_t ns = 0;
		uint64_t a = tsc_start();
		int err = raw_ns(&ns);
		uint64_t b = tsc_stop();
		if (err)
			return err;
		double half = (double)(b - a) / 2.0;
		if (half < best->half)
			*best = (struct anchor){ ns, (double)a + half, half };
	}
	return 0;
}

/* A burst re-taken while its best bracket is wider than 4x the tightest
 * seen at the start (w0): preemption or an interrupt hit every read. The
 * best over all tries is kept either way; its width enters the bound. */
static int anchor(struct anchor *best, double w0)
{
	best->half = INFINITY;
	for (int t = 0; t < TSC_CALIB_RETRIES && !(best->half <= 4 * w0); t++) {
		struct anchor a;
		int err = burst(&a);
		if (err)
			return err;
		if (a.half < best->half)
			*best = a;
	}
	return 0;
}

static int wait_until(uint64_t ns_target)
{
	uint64_t now = 0;
	do {
		int err = raw_ns(&now);
		if (err)
			return err;
	} while (now < ns_target);
	return 0;
}

int tsc_calibrate_fit(struct tsc_calib *c, uint64_t window_ns)
{
	struct anchor warm, a[TSC_CALIB_ANCHORS];
	int err = burst(&warm);
	if (err || (err = burst(&warm)))
		return err;
	double w0 = warm.half > 0 ? warm.half : 1;
	for (int i = 0; i < TSC_CALIB_ANCHORS; i++) {
		if (i && (err = wait_until(a[0].ns + window_ns * (uint64_t)i / (TSC_CALIB_ANCHORS - 1))))
			return err;
		if ((err = anchor(&a[i], w0)))
			return err;
	}
	const struct anchor *f = &a[0], *m = &a[TSC_CALIB_ANCHORS / 2], *l = &a[TSC_CALIB_ANCHORS - 1];
	double dt = l->mid - f->mid, dn = (double)(l->ns - f->ns);
	if (!(dt > 0) || !(dn > 0) || !(m->mid > f->mid) || !(m->ns > f->ns))
		return -EIO;
	c->measured_ticks_per_ns = dt / dn;
	/* Worst case: each end's tick off by its half-width, each clock read
	 * off by its 1 ns step. */
	c->measured_uncertainty = (f->half + l->half) / dt + 2.0 / dn;
	double r1 = (m->mid - f->mid) / (double)(m->ns - f->ns);
	double r2 = (l->mid - m->mid) / (double)(l->ns - m->ns);
	c->spread = fabs(r1 - r2) / c->measured_ticks_per_ns;
	c->windows = 2;
	c->bracket_ticks = 0;
	for (int i = 0; i < TSC_CALIB_ANCHORS; i++)
		c->bracket_ticks = fmax(c->bracket_ticks, 2 * a[i].half);
	return 0;
}

int tsc_perf_page_read(const volatile void *page, struct tsc_perf_time *t)
{
	const volatile struct perf_event_mmap_page *p = page;
	uint32_t seq;
	int cap;
	/* The seqlock protocol of perf_event.h: an odd or changed lock means
	 * the kernel was updating the page; read again. */
	do {
		seq = p->lock;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		cap = p->cap_user_time;
		t->mult = p->time_mult;
		t->shift = p->time_shift;
		t->has_zero = p->cap_user_time_zero;
		t->zero = p->time_zero;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || p->lock != seq);
	if (!cap || !t->mult)
		return -EOPNOTSUPP;
	return 0;
}

int tsc_perf_time(struct tsc_perf_time *t)
{
	static const uint64_t configs[] = { PERF_COUNT_SW_DUMMY, PERF_COUNT_SW_CPU_CLOCK };
	int fd = -1, err = 0;
	for (size_t i = 0; fd < 0 && i < sizeof(configs) / sizeof(configs[0]); i++) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE,
			.size = sizeof(attr),
			.config = configs[i],
			.exclude_kernel = 1,
			.exclude_hv = 1,
		};
		fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
		err = fd < 0 ? -errno : 0;
	}
	if (fd < 0)
		return err;
	long pg = sysconf(_SC_PAGESIZE);
	void *page = mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, fd, 0);
	if (page == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	err = tsc_perf_page_read(page, t);
	munmap(page, (size_t)pg);
	close(fd);
	return err;
}

uint64_t tsc_perf_ns(const struct tsc_perf_time *t, uint64_t cyc)
{
	uint64_t quot = cyc >> t->shift, rem = cyc & ((1ull << t->shift) - 1);
	return (t->has_zero ? t->zero : 0) + quot * t->mult + ((rem * t->mult) >> t->shift);
}

/* The last "tsc: Refined TSC clocksource calibration: X MHz" or
 * "tsc: Detected X MHz" in the kernel log (needs CAP_SYSLOG when
 * dmesg_restrict is set; early messages are gone once the ring wraps). */
static double dmesg_tsc_mhz(void)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	if (len <= 0)
		return 0;
	char *buf = malloc((size_t)len + 1);
	if (!buf)
		return 0;
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	double mhz = 0;
	if (n > 0) {
		buf[n] = '\0';
		static const char *const keys[] = { "tsc: Detected ",
						     "tsc: Refined TSC clocksource calibration: " };
		for (size_t k = 0; k < 2; k++) {
			for (char *p = buf; (p = strstr(p, keys[k])); p++) {
				double v;
				if (sscanf(p + strlen(keys[k]), "%lf MHz", &v) == 1 && v > 0)
					mhz = v; /* the refined figure, read second, wins */
			}
		}
	}
	free(buf);
	return mhz;
}

/* /proc/cpuinfo's "cpu MHz" is the kernel's cpu_khz (the TSC's rate on
 * constant-TSC x86) only when the CPU has no APERF/MPERF, otherwise it is
 * the current core clock: used only then. */
static double cpuinfo_tsc_mhz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return 0;
	char line[4096];
	double mhz = 0;
	int seen_mhz = 0, aperf = 0, seen_flags = 0;
	while (fgets(line, sizeof(line), f) && !(seen_mhz && seen_flags)) {
		if (!seen_mhz && sscanf(line, "cpu MHz : %lf", &mhz) == 1)
			seen_mhz = 1;
		else if (!seen_flags && !strncmp(line, "flags", 5)) {
			seen_flags = 1;
			aperf = strstr(line, " aperfmperf") != NULL;
		}
	}
	fclose(f);
	return seen_mhz && seen_flags && !aperf ? mhz : 0;
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

	int err = tsc_calibrate_fit(c, TSC_CALIB_WINDOW_NS);
	if (err)
		return err;

	struct tsc_perf_time pt;
	uint64_t hz = tsc_arch_freq_hz();
	if (!tsc_perf_time(&pt)) {
		c->perf_time_mult = pt.mult;
		c->perf_time_shift = pt.shift;
		c->ticks_per_ns = ldexp(1.0, pt.shift) / pt.mult;
		c->uncertainty = 1.0 / pt.mult;
		c->method = TSC_METHOD_PERF;
		c->kernel_ticks_per_ns = c->ticks_per_ns;
		c->kernel_source = TSC_METHOD_PERF;
	} else if (hz) {
		c->nominal_ticks_per_ns = (double)hz / 1e9;
		c->ticks_per_ns = c->nominal_ticks_per_ns;
		c->method = TSC_METHOD_CNTFRQ;
	} else {
		c->ticks_per_ns = c->measured_ticks_per_ns;
		c->uncertainty = c->measured_uncertainty;
		c->method = TSC_METHOD_CALIB;
	}
	if (hz)
		c->nominal_ticks_per_ns = (double)hz / 1e9;
	if (!c->kernel_source) {
		double mhz = dmesg_tsc_mhz();
		c->kernel_source = mhz > 0 ? "dmesg" : NULL;
		if (!(mhz > 0) && (mhz = cpuinfo_tsc_mhz()) > 0)
			c->kernel_source = "cpuinfo";
		c->kernel_ticks_per_ns = mhz > 0 ? mhz / 1e3 : 0;
	}
	return measure_overhead(c);
}

double tsc_to_ns(const struct tsc_calib *c, double ticks)
{
	return ticks / c->ticks_per_ns;
}

const char *tsc_describe(const struct tsc_calib *c, char *buf, unsigned len)
{
	int n = snprintf(buf, len, "%s at %.6f ticks/ns (%s", c->source ? c->source : TSC_SOURCE,
			 c->ticks_per_ns, c->method ? c->method : "?");
	if (n >= 0 && (unsigned)n < len && c->method && !strcmp(c->method, TSC_METHOD_CALIB))
		n += snprintf(buf + n, len - (unsigned)n, ", +-%.2g ppm", 1e6 * c->uncertainty);
	if (n >= 0 && (unsigned)n < len && c->kernel_source && strcmp(c->kernel_source, TSC_METHOD_PERF))
		n += snprintf(buf + n, len - (unsigned)n, "; kernel %s says %.6f, %+.4f%%", c->kernel_source,
			      c->kernel_ticks_per_ns,
			      100 * (c->ticks_per_ns - c->kernel_ticks_per_ns) / c->kernel_ticks_per_ns);
	if (n >= 0 && (unsigned)n < len)
		snprintf(buf + n, len - (unsigned)n, ")");
	return buf;
}
