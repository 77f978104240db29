/* patterns.h — what the lookup benchmark feeds the designs: generated
 * filters (exact or masked at a umask density, random, one-select or drawn
 * from a real PMU's event table) and input event streams (hit patterns).
 * Which inputs hit is read off the reference decision table, never
 * re-derived. Deterministic for a seed. Returns 0 or -errno; never prints.
 */
#ifndef PFBENCH_LOOKUP_PATTERNS_H
#define PFBENCH_LOOKUP_PATTERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmuf.h"

/* splitmix64: small, fast, good enough for test data. */
struct lookup_rng {
	uint64_t s;
};
static inline uint64_t lookup_rng_next(struct lookup_rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}
static inline uint64_t lookup_rng_below(struct lookup_rng *r, uint64_t n)
{
	return n ? lookup_rng_next(r) % n : 0;
}

/* Encodings: exact, or masked where each include matches `density`
 * umasks of its select (1, 16 or 128: 0, 4 or 7 don't-care bits). */
struct lookup_encoding {
	const char *name;  /* "exact", "masked/1", "masked/16", "masked/128" */
	bool masked;
	unsigned density;
};
extern const struct lookup_encoding lookup_encodings[]; /* NULL-name terminated */
const struct lookup_encoding *lookup_encoding_find(const char *name);

enum lookup_pattern {
	LOOKUP_PAT_HIT = 0,  /* every input matches the filter (the action applies) */
	LOOKUP_PAT_MISS,     /* every input's select is named by no entry */
	LOOKUP_PAT_MIXED,    /* hit or miss, 50/50 at random */
	LOOKUP_PAT_SAME,     /* a named select with a umask that does not match */
	LOOKUP_PAT_WALK,     /* one-select filter, a umask matching none: the kernel
			      * walks every entry (its worst case) */
	LOOKUP_PAT_PMU,      /* a real PMU's events (libpfm4), half in the filter */
	LOOKUP_PAT_MAX,
};
const char *lookup_pattern_name(enum lookup_pattern p);
int lookup_pattern_parse(const char *s, enum lookup_pattern *p);
/* The filter shape a pattern needs: "random", "one-select" or "pmu". */
const char *lookup_pattern_shape(enum lookup_pattern p);

/* A PMU's (select, umask) pairs, deduplicated, from libpfm4's table. */
struct lookup_pmu_table {
	char pmu[64];
	size_t n;
	uint16_t *sel;
	uint8_t *umask;
};
/* Enumerates pmu_name's events (pfm_get_event_next / pfm_get_event_attr_info)
 * and encodes each "pmu::EVENT[:UMASK]" with pmuf_event_by_name. -ENOENT
 * (unknown PMU, msg lists how to find names), -ENODEV (libpfm4). */
int lookup_pmu_table_load(const char *pmu_name, struct lookup_pmu_table *t, char *msg,
			  size_t msglen);
void lookup_pmu_table_free(struct lookup_pmu_table *t);

struct lookup_gen {
	enum pmuf_flavor flavor;
	size_t n;
	const struct lookup_encoding *enc;
	uint32_t action;
	const char *shape;                  /* lookup_pattern_shape() */
	const struct lookup_pmu_table *pmu; /* shape "pmu" */
};
/* A filter of exactly g->n entries. -ENOSPC when the shape cannot hold n
 * distinct entries (e.g. more than the PMU table has). */
int lookup_gen_filter(const struct lookup_gen *g, uint64_t seed, struct pmuf_filter *f);

/* n input eventsels (EN|USR|OS set) for pattern p on filter f, classified
 * with ref (the reference decision per lookup_space_index). *hit_frac gets
 * the fraction of inputs the filter matches. -ENOENT when the filter has no
 * event of a needed class (e.g. no unnamed select left for "miss"); msg
 * says which. */
int lookup_gen_inputs(enum lookup_pattern p, const struct pmuf_filter *f, enum pmuf_flavor fl,
		      const uint8_t *ref, const struct lookup_pmu_table *pmu, uint64_t seed,
		      uint64_t *ev, size_t n, double *hit_frac, char *msg, size_t msglen);

#endif
