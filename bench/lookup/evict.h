/* evict.h — taking a built design's memory out of the caches before a
 * cold lookup, as a guest running between two reprograms would.
 *
 * Owns: the eviction plan (every cache line of a design's memory ranges,
 * computed once per built design), the eviction itself (clflush on x86,
 * `dc civac` on arm64, where Linux lets user space clean and invalidate
 * by VA; else walking a buffer twice the last-level cache's size), and the
 * probe that says how cold "cold" proved to be (one load of a line just
 * evicted against the same load warm). Does not: time lookups, print.
 * Callers: bench/lookup/bench.c (lookup --cache cold), limit-study.c, tests.
 */
#ifndef PFBENCH_EVICT_H
#define PFBENCH_EVICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lookup.h"

enum evict_how {
	EVICT_FLUSH = 0,  /* clflush / dc civac of every line of the ranges */
	EVICT_BUFFER,     /* walk a buffer of 2 x the LLC (no flush instruction) */
};

struct evict {
	enum evict_how how;
	const char *how_name;   /* "clflush", "dc civac", "eviction buffer" */
	size_t line;            /* cache line size used by the plan */
	unsigned long long llc_bytes; /* from hwloc; 0 unknown */
	uint8_t *buf;           /* EVICT_BUFFER only */
	size_t buflen;
};

/* Line addresses covering ranges: every byte of every range lies in one
 * of them, none twice. */
struct evict_plan {
	uintptr_t *lines;
	size_t n;
};

/* Picks the way (flush where the CPU lets user space, else the buffer;
 * force_buffer asks for the buffer) and the line size (hwloc, else 64). */
int evict_init(struct evict *e, bool force_buffer);
void evict_free(struct evict *e);

int evict_plan_make(const struct evict *e, const struct lookup_mem_range *r, size_t nr,
		    struct evict_plan *p);
void evict_plan_free(struct evict_plan *p);

/* Evicts the plan's lines (or walks the buffer), then fences, so the
 * lines are out of every cache level when it returns. Returns the number of
 * lines flushed (the buffer's lines for EVICT_BUFFER). */
size_t evict_run(const struct evict *e, const struct evict_plan *p);

/* Ticks of one load of a line right after evicting it (*cold) and of the
 * same load with the line warm (*warm), medians of `reps` probes. */
void evict_probe(const struct evict *e, size_t reps, double *cold, double *warm);

#endif
