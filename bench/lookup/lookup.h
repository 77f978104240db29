/* lookup.h — filter lookup designs behind one interface, and the checks
 * that keep them honest.
 *
 * Owns: the NULL-terminated table of designs (as perf bench's
 * mem-functions table: variants as data), each built from a pmuf_filter
 * for one KVM PMU flavor and answering "is this guest event-select allowed
 * on a GP counter?"; the reference decision table every design is checked
 * against (from filters/' pmuf_decide_gp, exhaustively over the flavor's
 * (select, umask) space); the timed loops (throughput: independent lookups;
 * latency: each lookup's input depends on the previous result).
 * Does not: time, print, or exit. Functions return 0 or -errno.
 *
 * Callers: bench/lookup/bench.c (the sweep behind `pfbench lookup`), tests.
 * Designs live one family per file in bench/lookup/design-*.c.
 */
#ifndef PFBENCH_LOOKUP_H
#define PFBENCH_LOOKUP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmuf.h"

/* Design flags. */
#define LOOKUP_F_KERNEL 0x1u     /* a replica of a kernel generation */
#define LOOKUP_F_EXACT_ONLY 0x2u /* cannot represent masked filters (-EOPNOTSUPP) */
#define LOOKUP_F_FLOOR 0x4u      /* not a filter: the L1-load floor of the harness */
#define LOOKUP_F_KNOWN_BUG 0x8u  /* replicates a shipped bug: may disagree with its
				  * reference; disagreements are counted, not errors */
#define LOOKUP_F_ARM64 0x10u     /* the arm64 kernel's check (design-arm64.c): decides
				  * the filter's arm64 form, checked against
				  * filters/arm64.c's model (lookup_arm64_reference_table),
				  * not pmuf_decide_gp; Intel flavor only */

/* Build flags. */
#define LOOKUP_B_NO_LIMIT 0x1u   /* accept more than the kernel's 300 entries */
/* Which lib/sort.c generation (klib.h's enum klib_sort_gen) a kernel
 * replica's install sorts with, when its kernels span more than one: the
 * 6.3+ replicas follow it, 5.17-6.2 only ever had the 5.x sort. */
#define LOOKUP_B_SORT_SHIFT 8
#define LOOKUP_B_SORT(gen) ((unsigned)(gen) << LOOKUP_B_SORT_SHIFT)
#define LOOKUP_B_SORT_GEN(bflags) (((bflags) >> LOOKUP_B_SORT_SHIFT) & 0x3u)

/* One piece of memory a built design reads while it decides. */
struct lookup_mem_range {
	const void *p;
	size_t len;
};
#define LOOKUP_MAX_RANGES 8

/* A design's answer in the timed loops is 0 (deny) or 1 (allow). */
typedef uint64_t (*lookup_run_fn)(const void *state, const uint64_t *ev, size_t n,
				  size_t reps, uint64_t zero);

struct lookup_design {
	const char *name;
	const char *desc;  /* one line: what it is, where it comes from */
	const char *cost;  /* build cost and memory, one line */
	unsigned flags;    /* LOOKUP_F_* */
	enum pmuf_kernel ref; /* the kernel generation whose decisions it must give */
	/* NULL = always usable; else false with why (e.g. "CPU lacks AVX2"). */
	bool (*usable)(char *why, size_t len);
	/* From a filter already valid for fl (except, with LOOKUP_B_NO_LIMIT,
	 * its size). 0 or -errno (-EOPNOTSUPP for an encoding it lacks,
	 * -E2BIG over 300 entries without LOOKUP_B_NO_LIMIT, -ENOMEM). */
	int (*build)(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		     void **state);
	bool (*decide)(const void *state, uint64_t eventsel);
	/* The same decision, inlined into loops over ev[0..n) repeated reps
	 * times; the sum of answers is returned so nothing is optimized away.
	 * latency: lookup i's input is ev[i] ^ (previous answer & zero), where
	 * zero is 0 at run time but opaque to the compiler. */
	lookup_run_fn run_throughput;
	lookup_run_fn run_latency;
	size_t (*footprint_bytes)(const void *state);
	/* Every piece of memory a lookup may read (the state and what it
	 * points to), for cold lookups; returns how many (<= max). */
	size_t (*mem_ranges)(const void *state, struct lookup_mem_range *r, size_t max);
	void (*free)(void *state);
};

/* All designs, a NULL-terminated table; arch-only rows (designs-arch.def)
 * are present only on their arch. The floor row comes last. */
extern const struct lookup_design *const lookup_designs[];
const struct lookup_design *lookup_find(const char *name);
size_t lookup_count(void);
/* Why d cannot build f for flavor fl (its build answers -EOPNOTSUPP):
 * LOOKUP_F_EXACT_ONLY designs on masked filters, LOOKUP_F_ARM64 on the AMD
 * flavor; NULL when it can. lookup_supports is its negation. */
const char *lookup_unsupported(const struct lookup_design *d, const struct pmuf_filter *f,
			       enum pmuf_flavor fl);
bool lookup_supports(const struct lookup_design *d, const struct pmuf_filter *f,
		     enum pmuf_flavor fl);
/* The reference name a design's records carry: its kernel generation's
 * ("5.3", "5.17", "6.3"), "arm64" for LOOKUP_F_ARM64, NULL for the floor. */
const char *lookup_reference_name(const struct lookup_design *d);

/* Generates run_throughput/run_latency/decide for a design whose decision
 * is the static inline function `decide_fn(const T *st, uint64_t ev)`;
 * the _ATTR form adds a function attribute (e.g. a SIMD target).
 * These are the timed loops, written once here but expanded in each
 * design's file on purpose: the measurement needs the decision inlined
 * into the loop (an indirect call per lookup would add its own cost to
 * every design and hide the differences), so this stays a macro rather
 * than one function taking a decide pointer. */
#define LOOKUP_DEFINE_RUNNERS(prefix, T, decide_fn) LOOKUP_DEFINE_RUNNERS_ATTR(prefix, T, decide_fn, )
#define LOOKUP_DEFINE_RUNNERS_ATTR(prefix, T, decide_fn, attr)                             \
	attr static uint64_t prefix##_run_throughput(const void *state, const uint64_t *ev, \
						     size_t n, size_t reps, uint64_t zero)  \
	{                                                                                   \
		const T *st = state;                                                        \
		uint64_t acc = 0;                                                           \
		(void)zero;                                                                 \
		for (size_t k = 0; k < reps; k++)                                           \
			for (size_t i = 0; i < n; i++)                                      \
				acc += decide_fn(st, ev[i]);                                \
		return acc;                                                                 \
	}                                                                                   \
	attr static uint64_t prefix##_run_latency(const void *state, const uint64_t *ev,    \
						  size_t n, size_t reps, uint64_t zero)     \
	{                                                                                   \
		const T *st = state;                                                        \
		uint64_t acc = 0, r = 0;                                                    \
		for (size_t k = 0; k < reps; k++)                                           \
			for (size_t i = 0; i < n; i++) {                                    \
				r = decide_fn(st, ev[i] ^ (r & zero));                      \
				acc += r;                                                   \
			}                                                                   \
		return acc;                                                                 \
	}                                                                                   \
	attr static bool prefix##_decide(const void *state, uint64_t ev)                    \
	{                                                                                   \
		return decide_fn((const T *)state, ev);                                     \
	}

/* The three members LOOKUP_DEFINE_RUNNERS(prefix, ...) defined, for a
 * design's row: .decide, .run_throughput and .run_latency. */
#define LOOKUP_RUNNERS(prefix)                                                          \
	.decide = prefix##_decide, .run_throughput = prefix##_run_throughput,              \
	.run_latency = prefix##_run_latency

/* -E2BIG for a filter over the kernel's 300 entries unless bflags has
 * LOOKUP_B_NO_LIMIT; every design's build starts with it. */
static inline int lookup_check_size(const struct pmuf_filter *f, unsigned bflags)
{
	if (f->nevents > PMUF_KVM_MAX_EVENTS && !(bflags & LOOKUP_B_NO_LIMIT))
		return -E2BIG;
	return 0;
}

/* ---- the reference, exhaustively ---- */

/* The flavor's (select, umask) space: index = select << 8 | umask, select
 * 8 bits (Intel) or 12 bits (AMD). */
size_t lookup_space_size(enum pmuf_flavor fl); /* 2^16 or 2^20 */
uint64_t lookup_space_eventsel(enum pmuf_flavor fl, size_t idx);
size_t lookup_space_index(enum pmuf_flavor fl, uint64_t eventsel);

/* table[idx] = reference decision (pmuf_decide_gp with kernel k) for every
 * (select, umask) of fl. Above the kernel's 300 entries the reference
 * refuses the filter, so the table is composed from it on <= 300-entry
 * chunks (a masked filter's decision is "some include matches and no
 * exclude matches", each an OR over entries); *composed says so.
 * table: lookup_space_size(fl) bytes, malloc'd. */
int lookup_reference_table(const struct pmuf_filter *f, enum pmuf_flavor fl,
			   enum pmuf_kernel k, uint8_t **table, bool *composed);

/* Compares every (select, umask) decision of a built design with table.
 * 0, or -EPROTO with msg naming the first mismatch. */
int lookup_verify(const struct lookup_design *d, const void *state, enum pmuf_flavor fl,
		  const uint8_t *table, char *msg, size_t msglen);
/* lookup_verify on a sample of the space: every event the filter names
 * (its entries' (select, umask) and, for masked entries, their match),
 * then `points` more spread evenly over the rest, each against the
 * reference of kernel k composed as in lookup_reference_table but asked at
 * those points only (no table). For filters far beyond the kernel's limit,
 * where a table through a linear scan of 65,536 entries at 2^20 points
 * would take most of a minute; callers say it was sampled. 0, -EPROTO
 * with msg naming the first mismatch, or -errno with msg. */
int lookup_verify_sampled(const struct lookup_design *d, const void *state,
			  const struct pmuf_filter *f, enum pmuf_flavor fl, enum pmuf_kernel k,
			  size_t points, char *msg, size_t msglen);
/* How many (select, umask) decisions differ from table (for
 * LOOKUP_F_KNOWN_BUG designs, whose differences are the finding). */
size_t lookup_count_mismatches(const struct lookup_design *d, const void *state,
			       enum pmuf_flavor fl, const uint8_t *table);

/* ---- arm64 (design-arm64.c) ---- */

/* The arm64 range filter a LOOKUP_F_ARM64 design installs for f: f itself
 * (copied) when it is an arm64 filter; for an x86 filter of the Intel
 * flavor, the same events as bits — every event number (eventsel bits
 * 15:0) whose decision differs from the action's default, in ranges of
 * the filter's action, consecutive numbers merged, 16-bit event space;
 * one empty range when there is none. -EOPNOTSUPP for the AMD flavor,
 * errors of lookup_rows_from_filter, -ENOMEM. out is pmuf_free'd by the
 * caller on success. */
int lookup_arm64_filter(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			struct pmuf_filter *out);
/* table[idx] for every (select, umask) of fl: filters/arm64.c's decision
 * (pmuf_arm_bitmap_allows) on lookup_arm64_filter(f) for the event number
 * eventsel & (nr_events - 1). malloc'd, lookup_space_size(fl) bytes. */
int lookup_arm64_reference_table(const struct pmuf_filter *f, enum pmuf_flavor fl,
				 uint8_t **table);

/* The 6.3+ replica's header, for the test that holds it to the kernel's
 * struct kvm_x86_pmu_event_filter: its size, and the offsets of action,
 * nevents, fixed_counter_bitmap, flags, nr_includes, nr_excludes,
 * includes, excludes and events, in that order. */
extern const size_t lookup_kfilter63_size;
extern const size_t lookup_kfilter63_offsets[9];

/* The masked (6.3+) view of any filter, as the kernel prepares it but
 * without the size cap: unmasked entries with bits outside select|umask
 * dropped, the rest given mask 0xFF. Shared by the alternative designs. */
struct lookup_entries {
	uint32_t action;
	uint64_t select_mask; /* the flavor's EVENTSEL_EVENT */
	size_t ninc, nexc;
	uint64_t *inc, *exc;  /* masked entries, malloc'd, in filter order */
};
int lookup_entries_get(const struct pmuf_filter *f, enum pmuf_flavor fl,
		       struct lookup_entries *e);
void lookup_entries_free(struct lookup_entries *e);
/* 12-bit select of a masked entry or eventsel: bits 7:0 | 35:32 -> 11:0. */
static inline uint32_t lookup_sel12(uint64_t v)
{
	return (uint32_t)((v & 0xFF) | ((v >> 24) & 0xF00));
}

/* Per-select 256-bit "allowed" umask rows: the decision for every umask of
 * every select the filter names; selects it does not name share one
 * default row (all allowed for DENY, none for ALLOW). */
struct lookup_rows {
	size_t nsel;
	uint32_t *sel;     /* sorted 12-bit selects named by the filter */
	uint64_t (*row)[4]; /* row[i] for sel[i]; row[nsel] is the default */
};
int lookup_rows_build(const struct lookup_entries *e, struct lookup_rows *r);
/* lookup_check_size, lookup_entries_get and lookup_rows_build in one: the
 * first build step of every design that works from umask rows. */
int lookup_rows_from_filter(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			    struct lookup_rows *r);
void lookup_rows_free(struct lookup_rows *r);

#endif
