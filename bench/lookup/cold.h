/* cold.h — timing lookups that start with the design's memory out of the
 * caches (`lookup --cache cold`, `limits`): one lookup at a time, each after
 * an eviction (evict.h) that is timed on its own and left out.
 * Callers: bench/lookup/bench.c, bench/lookup/limit-study.c.
 */
#ifndef PFBENCH_COLD_H
#define PFBENCH_COLD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disturb.h"
#include "evict.h"
#include "lookup.h"
#include "tsc.h"

struct cold_result {
	double *ticks;       /* per cold lookup, timer overhead subtracted */
	double *warm_ticks;  /* the same single-lookup timing without eviction */
	double *evict_ticks; /* each eviction */
	size_t n;
	size_t lines;        /* lines one eviction flushed */
	struct disturb_cell dc; /* cold samples preempted or migrated, re-taken */
};

/* samples lookups of ev[i % nev], each timed alone (the design's latency
 * runner on one event), each right after evict_run(); then the same
 * without evicting. A cold sample preempted or migrated (disturb.h,
 * checked outside the timed region) is taken again within the budget.
 * 0 or -ENOMEM. */
int cold_measure(const struct lookup_design *d, const void *st, const uint64_t *ev, size_t nev,
		 const struct evict *e, const struct evict_plan *p, size_t samples,
		 const struct tsc_calib *cal, struct cold_result *out);
void cold_result_free(struct cold_result *r);
/* The plan for a built design's memory (its mem_ranges). */
int cold_plan(const struct lookup_design *d, const void *st, const struct evict *e,
	      struct evict_plan *p);

/* cold_measure into rec: the statistics of the cold lookups (out.h),
 * inputs/repeats/lookups_per_sample, evicted_lines, evict_median_ns and
 * same_harness_warm_median_ns. 0 or -errno. */
int cold_record(const struct lookup_design *d, const void *st, const struct evict_plan *p,
		const uint64_t *ev, size_t nev, size_t samples, bool keep_raw,
		const struct evict *e, const struct tsc_calib *cal, json_t *rec);
/* What "cold" meant here, for the context: how memory was evicted, and
 * how cold a line just evicted proved to be against the same line warm
 * (a load timed alone, median of 1001), since no cache-miss counter may
 * be readable. */
json_t *cold_context(const struct evict *e, const struct tsc_calib *cal);

#endif
