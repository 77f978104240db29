/* pmuf.h — libpmuf: the PMU event filter model every pfbench tool shares.
 *
 * Owns: the in-memory filter (x86 exact/masked events + fixed-counter
 * bitmap, arm64 event ranges), kernel-exact validation per KVM PMU flavor,
 * one reference decision function per kernel generation, and the three file
 * formats (pmuf text, QEMU kvm-pmu-filter JSON, kvm-raw bytes).
 * Does not: make KVM calls, print, or exit. Functions return 0 or -errno.
 *
 * Callers: bench/cmd-filter.c, the lookup designs (bench/lookup/), the KVM
 * harness (bench/kvm/), tests.
 */
#ifndef PFBENCH_PMUF_H
#define PFBENCH_PMUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kvm-compat.h"

enum pmuf_arch { PMUF_ARCH_X86 = 0, PMUF_ARCH_ARM64 = 1 };

/* KVM's PMU flavor decides the event-select width: 8 bits (Intel) or 12
 * bits (AMD, bits 7:0 and 35:32). It is KVM's, not the CPU's. */
enum pmuf_flavor { PMUF_FLAVOR_UNSET = 0, PMUF_FLAVOR_INTEL, PMUF_FLAVOR_AMD };

enum pmuf_action { PMUF_ALLOW = 0, PMUF_DENY = 1 };

/* Kernel generations of the x86 lookup (see docs/filter-format.md). */
enum pmuf_kernel {
	PMUF_KERNEL_5_3 = 0, /* linear exact scan, 5.3–5.16 */
	PMUF_KERNEL_5_17,    /* sort + bsearch of exact events, 5.17–6.2 */
	PMUF_KERNEL_6_3,     /* masked includes/excludes, 6.3+ */
};

/* Where a filter entry came from, for messages ("file:line"). */
struct pmuf_src {
	int line;       /* 1-based; 0 when unknown (kvm-raw) */
	char name[128]; /* event name as written, or "" */
};

struct pmuf_arm_range {
	uint32_t base;  /* held wider than the uAPI's u16 so bad input survives to validation */
	uint32_t nevents;
	uint32_t action;
};

struct pmuf_filter {
	enum pmuf_arch arch;
	enum pmuf_flavor flavor; /* declared in the file, or UNSET */

	/* x86: exactly the fields of struct kvm_pmu_event_filter. */
	uint32_t action;
	uint32_t flags;
	uint32_t fixed_counter_bitmap;
	uint32_t pad[4];
	size_t nevents;
	uint64_t *events;      /* raw u64 entries as the ioctl takes them */
	struct pmuf_src *src;  /* nevents entries, or NULL */

	/* arm64: filters in installation order. */
	unsigned arm_event_bits; /* 10 (1024 events) or 16 (65536); 0 = 16 */
	size_t nranges;
	struct pmuf_arm_range *ranges;
};

void pmuf_init(struct pmuf_filter *f, enum pmuf_arch arch);
void pmuf_free(struct pmuf_filter *f);
int pmuf_copy(struct pmuf_filter *dst, const struct pmuf_filter *src);
/* Appends one x86 entry (src may be NULL) or one arm64 range. */
int pmuf_add_event(struct pmuf_filter *f, uint64_t entry, const struct pmuf_src *src);
int pmuf_add_range(struct pmuf_filter *f, uint32_t base, uint32_t nevents, uint32_t action);
bool pmuf_is_masked(const struct pmuf_filter *f);

/* ---- x86 encodings ---- */
uint64_t pmuf_exact_encode(uint16_t select, uint8_t umask);
uint64_t pmuf_masked_encode(uint16_t select, uint8_t mask, uint8_t match, bool exclude);
uint16_t pmuf_masked_select(uint64_t entry);
uint8_t pmuf_masked_mask(uint64_t entry);
uint8_t pmuf_masked_match(uint64_t entry);
bool pmuf_masked_exclude(uint64_t entry);
/* select/umask of a guest event-select MSR value (or of an exact entry). */
uint16_t pmuf_eventsel_select(uint64_t eventsel);
uint8_t pmuf_eventsel_umask(uint64_t eventsel);
/* The guest MSR value for (select, umask) with EN|USR|OS set. */
uint64_t pmuf_eventsel_make(uint16_t select, uint8_t umask);
uint64_t pmuf_flavor_select_mask(enum pmuf_flavor fl); /* 0xFF or 0xF000000FF */
unsigned pmuf_flavor_select_bits(enum pmuf_flavor fl); /* 8 or 12 */
const char *pmuf_flavor_name(enum pmuf_flavor fl);     /* "intel", "amd", "unset" */
int pmuf_flavor_parse(const char *s, enum pmuf_flavor *out); /* "intel"|"amd", any case */
/* fl when set, else the filter's declared flavor (f may be NULL), else UNSET. */
enum pmuf_flavor pmuf_flavor_resolve(const struct pmuf_filter *f, enum pmuf_flavor fl);
/* Bits an entry may have: unmasked (others -> dropped: 0xFFFF or
 * 0xF0000FFFF) and masked (others -> EINVAL). UNSET counts as no select. */
uint64_t pmuf_exact_valid_bits(enum pmuf_flavor fl);
uint64_t pmuf_masked_valid_bits(enum pmuf_flavor fl);

/* ---- validation, exactly as kvm_vm_ioctl_set_pmu_event_filter ---- */
struct pmuf_verdict {
	int err;           /* 0, -EINVAL or -E2BIG (x86); 0 or -EINVAL (arm64) */
	char reason[160];  /* why, when err != 0 */
	size_t bad_index;  /* offending entry/range, or SIZE_MAX */
	size_t ndropped;   /* unmasked entries the kernel silently drops */
	size_t *dropped;   /* their indices (malloc'd; free with pmuf_verdict_free) */
	size_t nincludes, nexcludes; /* surviving entries after preparation */
};
/* Fills *v (always; free with pmuf_verdict_free) and returns v->err: 0,
 * the kernel's answer (-EINVAL, -E2BIG), or -ENODATA when an x86 filter's
 * flavor is UNSET in both fl and f->flavor (its entries cannot be judged;
 * header errors are still found first), or -ENOMEM. x86: nincludes/
 * nexcludes count the entries the kernel keeps; dropped[] lists unmasked
 * entries it silently drops. arm64: the first bad range (ranges also must
 * fit the uAPI's u16 fields; arm_event_bits must be 0, 10 or 16). */
int pmuf_validate(const struct pmuf_filter *f, enum pmuf_flavor fl, struct pmuf_verdict *v);
void pmuf_verdict_free(struct pmuf_verdict *v);
const char *pmuf_errno_name(int err); /* -EINVAL or EINVAL -> "EINVAL"; 0 -> "ok" */

/* ---- reference decisions ---- */
/* Is this guest event-select value allowed on a GP counter? The filter must
 * be valid for fl (else pmuf_validate's error: -EINVAL, -E2BIG; -ENODATA
 * for 6.3 without a flavor); masked filters need PMUF_KERNEL_6_3
 * (-EOPNOTSUPP otherwise). *allowed gets the answer. f == NULL means no
 * filter installed (allowed). Pre-6.3 generations key on eventsel &
 * 0xF0000FFFF on both flavors, as those kernels did. These are the slow
 * reference (each call validates and prepares/sorts the filter anew); for
 * many queries on one filter, use pmuf_decider_init once and ask
 * pmuf_decider_allows. bench/lookup/ holds the fast replicas. */
int pmuf_decide_gp(const struct pmuf_filter *f, enum pmuf_flavor fl,
		   enum pmuf_kernel k, uint64_t eventsel, bool *allowed);
/* Fixed counter idx (0..31): only fixed_counter_bitmap decides (f == NULL:
 * allowed; idx >= 32 counts as a clear bit). */
bool pmuf_decide_fixed(const struct pmuf_filter *f, unsigned idx);
/* "5.3","5.17","6.3", or any release "X.Y[.Z][-extra]" -> its generation;
 * -EINVAL if malformed, -ERANGE before 5.3 (no filter). */
int pmuf_kernel_parse(const char *s, enum pmuf_kernel *out);
const char *pmuf_kernel_name(enum pmuf_kernel k);

/* The kernel's prepared (6.3+) form: entries converted to masked, dropped
 * entries removed, sorted by (select, exclude); includes then excludes.
 * Used by the decision reference and the lookup replicas. */
struct pmuf_prepared {
	uint32_t action;
	size_t nincludes, nexcludes;
	uint64_t *includes; /* points into events */
	uint64_t *excludes;
	uint64_t *events;   /* nincludes + nexcludes, malloc'd */
	uint64_t select_mask;
};
int pmuf_prepare(const struct pmuf_filter *f, enum pmuf_flavor fl, struct pmuf_prepared *p);
void pmuf_prepared_free(struct pmuf_prepared *p);
/* The 6.3+ decision on a prepared filter (bsearch on the select, then the
 * umask walk, includes then excludes), as is_gp_event_allowed does it. */
bool pmuf_prepared_allows(const struct pmuf_prepared *p, uint64_t eventsel);

/* Many decisions on one filter, for any generation: pmuf_decider_init does
 * once what pmuf_decide_gp repeats on every call (the checks and
 * validation; for 5.17 the sort; for 6.3 pmuf_prepare) and returns the
 * error pmuf_decide_gp would; then pmuf_decider_allows(d, ev) answers as
 * pmuf_decide_gp(f, fl, k, ev) does. d keeps its own copy (f may go).
 * Free with pmuf_decider_free (also after a failed init). */
struct pmuf_decider {
	enum pmuf_kernel kernel;
	bool none;                 /* f was NULL: everything allowed */
	uint32_t action;           /* 5.3, 5.17 */
	size_t nevents;
	uint64_t *events;          /* 5.3: filter order; 5.17: sorted; malloc'd */
	struct pmuf_prepared prep; /* 6.3 */
};
int pmuf_decider_init(const struct pmuf_filter *f, enum pmuf_flavor fl, enum pmuf_kernel k,
		      struct pmuf_decider *d);
bool pmuf_decider_allows(const struct pmuf_decider *d, uint64_t eventsel);
void pmuf_decider_free(struct pmuf_decider *d);

/* ---- equivalence and compiling (compile.c) ---- */
/* Where two x86 filters first differ: a fixed counter, or (select, umask). */
struct pmuf_difference {
	bool fixed;
	unsigned fixed_idx;
	uint16_t select;
	uint8_t umask;
	bool a_allows; /* a's answer there (b's is the opposite) */
};
/* Do a and b decide alike for every (select, umask) pair of fl's select
 * width (6.3+ lookup) and every fixed counter 0..31? fl UNSET: the
 * filters' declared flavor. 0 when equivalent; 1 when not (*diff, if not
 * NULL, gets the first difference); -errno when a filter is refused
 * (-EINVAL; a filter over 300 entries is judged as if the kernel took it),
 * has no flavor (-ENODATA), or -ENOMEM. */
int pmuf_equivalent(const struct pmuf_filter *a, const struct pmuf_filter *b, enum pmuf_flavor fl,
		    struct pmuf_difference *diff);
/* How many umasks f allows per select (6.3+ lookup; over 300 entries
 * judged as pmuf_equivalent does): counts[sel] for every select of fl's
 * width (ncounts must be at least 256, or 4096 on AMD: else -ERANGE).
 * Errors as pmuf_equivalent's. */
int pmuf_allowed_counts(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned *counts, size_t ncounts);
/* Every (select, umask) decision of f at once (6.3+ lookup; a filter over
 * 300 entries judged as pmuf_equivalent does): *bits (malloc'd) has
 * *nsel * 256 bits, bit sel * 256 + umask set when allowed. */
int pmuf_decide_all(const struct pmuf_filter *f, enum pmuf_flavor fl, uint64_t **bits, unsigned *nsel);
enum pmuf_action_choice { PMUF_CHOOSE_ALLOW = PMUF_ALLOW, PMUF_CHOOSE_DENY = PMUF_DENY, PMUF_CHOOSE_AUTO };
/* A small masked (6.3+) filter deciding as in does (pmuf_equivalent).
 * Per select, the umasks the action lists (ALLOW: the allowed ones, DENY:
 * the denied ones) are encoded the smallest of three ways: includes only
 * (a cover by the prime implicants of the umask set), the smallest cube
 * around the set minus excludes (a cover of the rest by primes of the
 * complement), or in's own entries for that select (when in has the same
 * action). Each cover is the essential primes, a greedy completion (at
 * most H(k) ~ ln k + 1 times the minimum), then a branch and bound that
 * proves it minimal or finds a smaller one within 5,000 search nodes
 * (always enough when at most 12 primes remain). Last, every entry whose
 * deletion leaves the select's decisions unchanged is deleted. So no
 * select gets more entries than in has for it (same action), and no entry
 * can be deleted. AUTO builds both actions and keeps the smaller (a tie
 * keeps in's action); the fixed-counter bitmap follows. out gets the
 * flavor, flags = MASKED. Errors as pmuf_equivalent's; -E2BIG when out
 * needs more than 300 entries (out is still filled: free it). */
int pmuf_compile(const struct pmuf_filter *in, enum pmuf_flavor fl, enum pmuf_action_choice choice,
		 struct pmuf_filter *out);
/* How the chosen action's selects were encoded. */
struct pmuf_compile_stats {
	size_t nselects; /* selects with entries */
	size_t nproven;  /* ... whose entries are a proven minimum of their form */
	size_t nown;     /* ... that kept in's own entries (smaller than any cover) */
	size_t npruned;  /* entries the redundancy pass deleted */
};
/* pmuf_compile, and (st not NULL) its statistics. */
int pmuf_compile_ex(const struct pmuf_filter *in, enum pmuf_flavor fl, enum pmuf_action_choice choice,
		    struct pmuf_filter *out, struct pmuf_compile_stats *st);

/* ---- arm64 ---- */
unsigned pmuf_arm_nr_events(const struct pmuf_filter *f); /* 1024 or 65536 */
/* Builds the VM-wide bitmap (nr_events bits, 64-bit words, caller frees)
 * by replaying the ranges as the kernel does; NULL bitmap when no filter. */
int pmuf_arm_bitmap(const struct pmuf_filter *f, uint64_t **bitmap, struct pmuf_verdict *v);
/* Is arm64 event `event` counted? (SW_INCR/CHAIN never filtered; the cycle
 * counter asks with event 0x11.) f == NULL: no filter, allowed. -ERANGE
 * when event is outside the event space; the validation error if invalid. */
int pmuf_arm_decide(const struct pmuf_filter *f, unsigned event, bool *allowed);
/* The same decision from a bitmap pmuf_arm_bitmap built (bm NULL: no
 * filter), for callers deciding many events of one filter; event must be
 * below pmuf_arm_nr_events(f). */
bool pmuf_arm_bitmap_allows(const uint64_t *bm, unsigned event);

/* ---- formats ---- */
enum pmuf_format { PMUF_FMT_AUTO = 0, PMUF_FMT_PMUF, PMUF_FMT_QEMU_JSON, PMUF_FMT_KVM_RAW };
int pmuf_format_parse(const char *s, enum pmuf_format *out); /* "pmuf","qemu-json","kvm-raw" */
const char *pmuf_format_name(enum pmuf_format fmt);
enum pmuf_format pmuf_format_from_path(const char *path); /* by extension; AUTO if unknown */

/* A parse error: where, and what was expected. */
struct pmuf_error {
	char file[256];
	int line, col; /* 1-based; 0 when not applicable */
	char msg[256];
};
/* "file:line:col: msg" */
void pmuf_error_format(const struct pmuf_error *e, char *buf, size_t len);

int pmuf_parse_buf(const char *buf, size_t len, enum pmuf_format fmt, const char *name,
		   struct pmuf_filter *out, struct pmuf_error *err);
/* Filter files are small (the kernel takes 300 entries, a few KiB); a
 * larger file (filters for lookup experiments) is fine up to this, and
 * pfbench writes none larger (cmd_filter_emit). */
#define PMUF_MAX_FILE_SIZE (16u << 20)
/* path "-" is standard input (then fmt cannot be AUTO); any other path
 * must be a regular file (a FIFO, device or directory is refused without
 * opening it for a blocking read) of at most PMUF_MAX_FILE_SIZE. */
int pmuf_parse_file(const char *path, enum pmuf_format fmt, struct pmuf_filter *out,
		    struct pmuf_error *err);
/* Renders f into a malloc'd buffer (*len bytes; text formats are NUL-terminated). */
int pmuf_render(const struct pmuf_filter *f, enum pmuf_format fmt, char **buf, size_t *len);
/* The same; when the format cannot express f (-EINVAL), msg says why. */
int pmuf_render_msg(const struct pmuf_filter *f, enum pmuf_format fmt, char **buf, size_t *len,
		    char *msg, size_t msglen);
/* An upper bound on the bytes pmuf_render(f, fmt) writes, counted from
 * the entries without rendering (kvm-raw: exact), so a caller can refuse
 * an output over PMUF_MAX_FILE_SIZE before building it. */
size_t pmuf_render_bound(const struct pmuf_filter *f, enum pmuf_format fmt);
/* The exact ioctl argument for x86 (header + events), malloc'd. */
int pmuf_to_kvm(const struct pmuf_filter *f, void **buf, size_t *len);

/* ---- events by name (libpfm4: names.c, pmu-table.c) ---- */
/* Spellings: libpfm4's "pmu::EVENT:UMASK", Intel's and perf's
 * "EVENT.UMASK", any case; modifiers (":u", ":c=2") are dropped, only
 * select and umask matter. A name without "pmu::" is looked up in pmu
 * (a libpfm4 PMU name or an alias such as zen4), or when pmu is NULL in
 * the default PMU: pmuf_default_pmu_set's, else this host's core PMU.
 * Works for PMUs this host lacks (sets LIBPFM_ENCODE_INACTIVE=1 before
 * libpfm4's initialization; see names.c). -ENOENT for an unknown name
 * (msg then names the closest events of the PMU's table), -EINVAL for a
 * bad attribute or a non-core PMU, -ENODEV when no PMU is named and
 * libpfm4 has no table for this host's CPU; msg says why (libpfm4's
 * pfm_strerror). Select is 12-bit for amd64* PMUs, 8-bit otherwise. */
struct pmuf_named_event {
	uint16_t select;
	uint8_t umask;
	int fixed;               /* Intel's fixed-counter pseudo-event: counter N; else -1 */
	enum pmuf_flavor flavor; /* the PMU's vendor: AMD for amd64*, else Intel */
	char pmu[32];            /* libpfm4's PMU name */
};
int pmuf_event_lookup(const char *name, const char *pmu, struct pmuf_named_event *ev, char *msg,
		      size_t msglen);
/* pmuf_event_lookup(name, NULL, ...) for select and umask only. */
int pmuf_event_by_name(const char *name, uint16_t *select, uint8_t *umask,
		       char *msg, size_t msglen);
/* The PMU names without "pmu::" use from now on (name or alias; NULL or
 * "": this host's again). -ENOENT for an unknown PMU, msg lists them. */
int pmuf_default_pmu_set(const char *name, char *msg, size_t msglen);
/* libpfm4's name of PMU `name` (an alias is resolved; NULL: the default
 * PMU) into out, and its vendor's flavor; errors as pmuf_event_lookup. */
int pmuf_pmu_resolve(const char *name, char *out, size_t outlen, enum pmuf_flavor *flavor, char *msg,
		     size_t msglen);
/* The x86 core PMUs libpfm4 knows, "a, b, c" (truncated to len). */
void pmuf_pmu_list(char *buf, size_t len);
/* Intel's fixed-counter pseudo-events (select 0x00, umask N+1): N; else -1. */
int pmuf_pseudo_fixed(enum pmuf_flavor fl, uint16_t select, uint8_t umask);

/* A PMU model's event table: every event with each umask libpfm4 encodes
 * alone, in libpfm4's order. Names are "EVENT:UMASK" (or "EVENT"). */
struct pmuf_pmu_event {
	char name[96];
	uint16_t select;
	uint8_t umask;
	int fixed; /* as pmuf_named_event's */
};
struct pmuf_pmu_table {
	char pmu[32];   /* libpfm4's PMU name */
	char desc[96];  /* libpfm4's description */
	enum pmuf_flavor flavor;
	size_t nevents;
	struct pmuf_pmu_event *events;
	size_t nskipped; /* umasks libpfm4 cannot encode alone (they need another) */
};
/* pmu: as pmuf_event_lookup's. Free with pmuf_pmu_table_free. */
int pmuf_pmu_table_load(const char *pmu, struct pmuf_pmu_table *t, char *msg, size_t msglen);
void pmuf_pmu_table_free(struct pmuf_pmu_table *t);
/* The events of a PMU's table that pattern "[pmu::]GLOB" matches: GLOB is
 * an fnmatch pattern (*, ?, [..]) over "EVENT:UMASK", any case, '.' read
 * as ':' ("icl::MEM_*", "icl::*", "MEM_LOAD_RETIRED.L?_HIT"); without a
 * glob character, one event by name (any spelling). pmu as
 * pmuf_event_lookup's. -ENOENT when nothing matches (msg says so). */
int pmuf_pmu_match(const char *pattern, const char *pmu, struct pmuf_pmu_table *out, char *msg,
		   size_t msglen);

#endif
