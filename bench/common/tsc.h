/* tsc.h — the cycle clock: serialized TSC reads on x86 (lfence; rdtsc …
 * rdtscp; lfence), isb + cntvct_el0 on arm64, calibrated against
 * CLOCK_MONOTONIC, with the timer's own overhead measured so benchmarks can
 * subtract it. Owns no output; returns 0 or -errno. */
#ifndef PFBENCH_TSC_H
#define PFBENCH_TSC_H

#include <stdint.h>

#define TSC_CALIB_WINDOWS 5      /* calibration windows ... */
#define TSC_CALIB_WINDOW_NS 20000000 /* ... of 20 ms each; the median wins */
#define TSC_OVERHEAD_PAIRS 10001 /* empty start/stop pairs timed */

struct tsc_calib {
	double ticks_per_ns;    /* e.g. 2.6 for a 2.6 GHz TSC */
	double overhead_ticks;  /* median cost of an empty tsc_start/tsc_stop pair */
	double overhead_ns;
	const char *source;     /* "rdtsc" or "cntvct_el0" */
	/* Added by tsc_calibrate() for the record: */
	const char *method;     /* "clock_monotonic" (median of windows) or "cntfrq_el0" */
	double measured_ticks_per_ns; /* median ratio against CLOCK_MONOTONIC */
	double nominal_ticks_per_ns;  /* cntfrq_el0 on arm64; 0 when unknown (x86) */
	double spread;          /* (max - min) / median of the window ratios */
	unsigned windows;       /* calibration windows taken */
	double overhead_min_ticks; /* fastest empty pair */
	/* 1: the counter runs at a constant rate in all P/C-states (x86: CPUID
	 * 0x80000007 EDX bit 8 "invariant TSC"; arm64: architectural), 0: the
	 * CPU does not claim it, -1: cannot tell. */
	int invariant;
	char clocksource[32];   /* the kernel's current clocksource, "" if unknown */
};

/* Calibrates and measures the timer overhead; takes ~100 ms. 0 or -errno
 * (-EIO when the counter does not advance against CLOCK_MONOTONIC). */
int tsc_calibrate(struct tsc_calib *c);
double tsc_to_ns(const struct tsc_calib *c, double ticks);
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
