/* lookup-bench.h — the lookup benchmark's sweep: filter size x encoding x
 * action x hit pattern x mode, every chosen design side by side in one
 * process, plus the L1-load floor row, into one result set (out.h).
 *
 * Each design is checked against the reference on every filter before it
 * is timed (lookup_verify); a mismatch is recorded as an error in the set's
 * "skipped" list, produces no number, and is counted in *errors.
 * Prints only the progress line (stderr, terminals only); returns 0 or
 * -errno with msg saying what failed. Caller: bench/cmd-lookup.c.
 */
#ifndef PFBENCH_LOOKUP_BENCH_H
#define PFBENCH_LOOKUP_BENCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "klib.h"
#include "lookup.h"
#include "patterns.h"
#include "schema.h"
#include "user-filter.h"

#define LOOKUP_MAX_SIZES 64
#define LOOKUP_MAX_DESIGNS 32
/* Events per input stream: enough that the branch predictors cannot learn
 * the stream by heart over repeated passes (at 512 and 1024 they partly
 * did, and the kernel replicas' figures then depended on how much they
 * had learnt: docs/lookup.md, "Repeatability of quick runs"). */
#define LOOKUP_DEFAULT_INPUTS 4096

struct lookup_bench_opts {
	size_t sizes[LOOKUP_MAX_SIZES];
	size_t nsizes;
	bool beyond_limit; /* sizes above 300 allowed (LOOKUP_B_NO_LIMIT) */
	const struct lookup_encoding *encs[8];
	size_t nencs;
	uint32_t actions[2];
	size_t nactions;
	enum lookup_pattern patterns[LOOKUP_PAT_MAX];
	size_t npatterns;
	bool throughput, latency;
	/* --cache: warm (the default: tight loops over a warm filter), cold
	 * (each lookup after evicting the design's memory; latency mode
	 * only, one lookup at a time: cold.h), or both. */
	bool cache_warm, cache_cold;
	bool evict_buffer;        /* evict by walking a buffer, not by flushing */
	/* Filters over the kernel's limit are checked on the events they name
	 * plus this many points of the space instead of all of it (0: all;
	 * the limit study sets it, records say verified_points). */
	size_t verify_points;
	const struct lookup_design *designs[LOOKUP_MAX_DESIGNS]; /* floor added by the sweep */
	size_t ndesigns;
	const char *pmu;          /* libpfm4 PMU name for the "pmu" pattern, or NULL */
	enum pmuf_flavor flavor;
	const char *flavor_how;   /* "option", "probed", "cpu" */
	int cpu;                  /* core to pin to; -1 = last */
	size_t samples;           /* timed samples per record */
	size_t repeats;           /* passes over the inputs per sample; 0 = auto */
	double sample_ns;         /* auto repeats aim at samples this long */
	size_t ninputs;           /* events per input stream */
	uint64_t seed;
	bool keep_raw;            /* samples_ns arrays in the JSON */
	/* The kernel whose lib/sort.c the 6.3+ replicas' install uses
	 * (--kernel; default the running kernel's release). */
	char kernel[32];
	const char *kernel_how;   /* "option", "uname" */
	enum klib_sort_gen sort_gen;
	bool quick;
	const struct user_filter *filters; /* --filter FILE: timed as shape "user" after the sweep */
	size_t nfilters;
};

/* The records' declared columns (schema-lookup.c). */
extern const struct schema lookup_schema;

/* Fills opts with the defaults (full sweep, or --quick's). */
void lookup_bench_defaults(struct lookup_bench_opts *o, bool quick);

/* What a sweep failed at beside its records: errors counts the design and
 * filter pairs that gave no number (a failed build or check, also in the
 * set's "skipped"); mismatches lists the checks that disagreed with the
 * reference, [{"what", "why"}] (new reference). */
struct lookup_failures {
	size_t errors;
	json_t *mismatches;
};

/* Runs the sweep. *set gets the result set (new reference, even when some
 * designs failed their check; *fails says which). */
int lookup_bench_run(const struct lookup_bench_opts *o, int argc, char **argv, json_t **set,
		     struct lookup_failures *fails, char *msg, size_t msglen);

#endif
