/* tsc.h — the cycle clock: serialized TSC reads on x86 (lfence; rdtsc …
 * rdtscp; lfence), isb + cntvct_el0 on arm64, converted to ns with the
 * kernel's own conversion where the kernel publishes it (the perf_event mmap
 * page's time_mult/time_shift), else a bracketed calibration against
 * CLOCK_MONOTONIC_RAW that preemption cannot fool; with the timer's own
 * overhead measured so benchmarks can subtract it. Owns no output; returns
 * 0 or -errno. */
#ifndef PFBENCH_TSC_H
#define PFBENCH_TSC_H

#include <stdint.h>

#define TSC_CALIB_WINDOW_NS 100000000 /* the calibration fit spans 100 ms ... */
#define TSC_CALIB_ANCHORS 3      /* ... anchored at its start, middle and end */
#define TSC_CALIB_BURST 256      /* bracketed clock reads per anchor; the tightest wins */
#define TSC_CALIB_RETRIES 20     /* anchors re-taken while their best bracket is wide */
#define TSC_OVERHEAD_PAIRS 10001 /* empty start/stop pairs timed */

/* Where ticks_per_ns came from (tsc_calib.method). */
#define TSC_METHOD_PERF "perf-mmap"   /* the kernel's time_mult/time_shift */
#define TSC_METHOD_CALIB "calibrated" /* the bracketed fit */
#define TSC_METHOD_CNTFRQ "cntfrq_el0" /* arm64's architected frequency */

struct tsc_calib {
	double ticks_per_ns;    /* e.g. 2.6 for a 2.6 GHz TSC */
	double overhead_ticks;  /* median cost of an empty tsc_start/tsc_stop pair */
	double overhead_ns;
	const char *source;     /* "rdtsc" or "cntvct_el0" */
	/* Added by tsc_calibrate() for the record: */
	const char *method;     /* TSC_METHOD_*: where ticks_per_ns came from */
	/* Relative uncertainty of ticks_per_ns: perf-mmap 1/time_mult (the
	 * rounding of the kernel's multiplier), calibrated the fit's worst
	 * case (measured_uncertainty), cntfrq_el0 0. */
	double uncertainty;
	/* The bracketed fit, always taken (the cross-check when perf-mmap or
	 * cntfrq_el0 wins): its ratio and worst-case relative error, from the
	 * half-widths of the anchors' brackets and the clock's 1 ns step. */
	double measured_ticks_per_ns;
	double measured_uncertainty;
	double nominal_ticks_per_ns;  /* cntfrq_el0 on arm64; 0 when unknown (x86) */
	double spread;          /* |first half - second half| / ratio of the fit */
	unsigned windows;       /* sub-windows compared for spread (2) */
	double bracket_ticks;   /* the widest bracket kept (clock read + 2 counter reads) */
	/* The perf mmap page's conversion when the kernel publishes one
	 * (cap_user_time); 0 otherwise. */
	uint32_t perf_time_mult;
	uint16_t perf_time_shift;
	/* The kernel's stated TSC frequency, a cross-check; 0 when unknown,
	 * then kernel_source is NULL. kernel_source: "perf-mmap", "dmesg"
	 * ("tsc: Detected/Refined ... MHz") or "cpuinfo" ("cpu MHz"). */
	double kernel_ticks_per_ns;
	const char *kernel_source;
	double overhead_min_ticks; /* fastest empty pair */
	/* 1: the counter runs at a constant rate in all P/C-states (x86: CPUID
	 * 0x80000007 EDX bit 8 "invariant TSC"; arm64: architectural), 0: the
	 * CPU does not claim it, -1: cannot tell. */
	int invariant;
	char clocksource[32];   /* the kernel's current clocksource, "" if unknown */
};

/* Picks the conversion (perf-mmap, else cntfrq_el0 on arm64, else the
 * bracketed fit), always takes the fit as a cross-check, reads the
 * kernel's stated frequency and measures the timer overhead; ~110 ms.
 * 0 or -errno (-EIO when the counter does not advance against the clock). */
int tsc_calibrate(struct tsc_calib *c);
/* Only the bracketed fit over window_ns: fills measured_ticks_per_ns,
 * measured_uncertainty, spread, windows, bracket_ticks. */
int tsc_calibrate_fit(struct tsc_calib *c, uint64_t window_ns);

/* The fields of a perf_event mmap page (include/uapi/linux/perf_event.h)
 * that the conversion needs, read under the page's seqlock: 0, or
 * -EOPNOTSUPP when cap_user_time is clear. page is a
 * struct perf_event_mmap_page. */
struct tsc_perf_time {
	uint32_t mult;
	uint16_t shift;
	uint64_t zero;       /* valid when has_zero */
	int has_zero;        /* cap_user_time_zero */
};
int tsc_perf_page_read(const volatile void *page, struct tsc_perf_time *t);
/* Opens a software perf event on this thread, maps its page and reads it:
 * 0, -EOPNOTSUPP (no cap_user_time) or the failing call's -errno. */
int tsc_perf_time(struct tsc_perf_time *t);
/* The kernel's own formula (perf_event.h): ns = zero + (cyc >> shift) *
 * mult + (((cyc & mask) * mult) >> shift), exact in 64 bits for the
 * kernel's shifts (rem * mult fits while mult < 2^shift <= 2^32). */
uint64_t tsc_perf_ns(const struct tsc_perf_time *t, uint64_t cyc);

double tsc_to_ns(const struct tsc_calib *c, double ticks);
/* One line for the console: "rdtsc at 2.445412 ticks/ns (perf-mmap)" or
 * "... (calibrated, +-0.6 ppm)". Returns buf. */
const char *tsc_describe(const struct tsc_calib *c, char *buf, unsigned len);
/* Ticks between a tsc_start() and a tsc_stop() with the measured timer
 * overhead subtracted (not clamped: a negative result is reported as is). */
static inline double tsc_elapsed(const struct tsc_calib *c, uint64_t start, uint64_t stop)
{
	return (double)(stop - start) - c->overhead_ticks;
}

#if defined(__x86_64__)
#include <cpuid.h>

static inline uint64_t tsc_start(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t tsc_stop(void)
{
	uint32_t lo, hi, aux;
	__asm__ volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
	return ((uint64_t)hi << 32) | lo;
}
#define TSC_SOURCE "rdtsc"
/* The counter as output text names it. */
#define TSC_CLOCK_NAME "TSC"
/* CPUID 0x80000007 EDX bit 8: invariant TSC (same bit on Intel and AMD). */
static inline int tsc_arch_invariant(void)
{
	unsigned int a, b, c, d;
	if (!__get_cpuid(0x80000007u, &a, &b, &c, &d)) /* checks the max leaf */
		return 0;
	return (d >> 8) & 1;
}
/* The counter's nominal frequency when the architecture states it; 0 here
 * (CPUID 0x15 is Intel-only and often zero in guests). */
static inline uint64_t tsc_arch_freq_hz(void) { return 0; }
#elif defined(__aarch64__)
static inline uint64_t tsc_start(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0\n\tisb" : "=r"(v)::"memory");
	return v;
}
static inline uint64_t tsc_stop(void) { return tsc_start(); }
#define TSC_SOURCE "cntvct_el0"
#define TSC_CLOCK_NAME "generic timer (cntvct_el0, CNTFRQ_EL0 rate)"
/* The generic timer's virtual count is constant-rate by architecture. */
static inline int tsc_arch_invariant(void) { return 1; }
static inline uint64_t tsc_arch_freq_hz(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}
#else
#error "pfbench times with the TSC (x86_64) or CNTVCT (arm64)"
#endif

#endif
