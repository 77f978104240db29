/* tsc.h — the cycle clock: serialized TSC reads on x86 (lfence; rdtsc …
 * rdtscp; lfence), isb + cntvct_el0 on arm64, calibrated against
 * CLOCK_MONOTONIC, with the timer's own overhead measured so benchmarks can
 * subtract it. Owns no output; returns 0 or -errno. */
#ifndef PFBENCH_TSC_H
#define PFBENCH_TSC_H

#include <stdint.h>

struct tsc_calib {
	double ticks_per_ns;    /* e.g. 2.6 for a 2.6 GHz TSC */
	double overhead_ticks;  /* median cost of an empty tsc_start/tsc_stop pair */
	double overhead_ns;
	const char *source;     /* "rdtsc" or "cntvct_el0" */
};

int tsc_calibrate(struct tsc_calib *c);  /* takes ~100 ms */
double tsc_to_ns(const struct tsc_calib *c, double ticks);

#if defined(__x86_64__)
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
#elif defined(__aarch64__)
static inline uint64_t tsc_start(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0\n\tisb" : "=r"(v)::"memory");
	return v;
}
static inline uint64_t tsc_stop(void) { return tsc_start(); }
#else
#error "pfbench times with the TSC (x86_64) or CNTVCT (arm64)"
#endif

#endif
