/* limit-study.h — the limit study behind `pfbench limits`: what would a filter
 * size limit of N cost, for N = 300 (today's), 1,000, 3,000, 10,000 and
 * 65,536?
 *
 * One result set ("limits") of three kinds of record:
 *  kind=lookup   per N x design x cache (warm|cold): the lookup cost,
 *                memory (footprint_bytes) and build time, from the lookup
 *                sweep (lookup-bench.h) run beyond the kernel's limit on
 *                exact filters with a mixed hit/miss input stream;
 *  kind=install  per N x lib/sort.c generation: the kernel's install-side
 *                work (copy + convert + sort, the k6.3-masked replica's
 *                build) timed in user space, beyond 300 too (the kernel
 *                refuses those; kernel_refuses says so), and the sort's
 *                comparisons;
 *  kind=pmu      per libpfm4 PMU table: how many exact entries a filter
 *                allowing every event of the table needs, against the
 *                masked size filters/compile.c's pmuf_compile finds.
 * Caller: bench/cli/cmd-limits.c. Returns 0 or -errno with msg.
 */
#ifndef PFBENCH_LIMIT_STUDY_H
#define PFBENCH_LIMIT_STUDY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "klib.h"
#include "pmuf.h"
#include "schema.h"

#define LIMITS_MAX_SIZES 16
#define LIMITS_MAX_PMUS 8

struct limits_opts {
	size_t sizes[LIMITS_MAX_SIZES];
	size_t nsizes;
	const char *pmus[LIMITS_MAX_PMUS];
	size_t npmus;
	enum pmuf_flavor flavor;
	const char *flavor_how;
	char kernel[32];          /* whose lib/sort.c the replicas use */
	const char *kernel_how;
	enum klib_sort_gen sort_gen;
	size_t samples;           /* per lookup record and per install figure */
	int cpu;
	uint64_t seed;
	bool quick;
};

/* The records' declared columns (schema-limits.c). */
extern struct schema limits_schema;

void limits_defaults(struct limits_opts *o, bool quick);
/* *errors counts designs that failed their check (no number for them). */
int limits_run(const struct limits_opts *o, int argc, char **argv, json_t **set,
	       size_t *errors, char *msg, size_t msglen);

#endif
