/* schema-lookup.c — the records of lookup.json (lookup-bench.h): one row
 * per field bench.c writes. The key columns are the sweep's coordinates;
 * fields derived from them (kernel_replica, encoding_name, nincludes ...)
 * are context, and what a run observed or chose (hit_fraction, build_ns,
 * repeats ...) are measures and outcomes. */
#include "lookup-bench.h"
#include "disturb.h"
#include "emulated.h"

/* Shared with the limit study (schema-limits.c), whose lookup records are
 * these. */
const struct schema_col lookup_schema_cols[] = {
	{ "design", COL_KEY, COL_STRING, NULL,
	  "the design (`pfbench lookup -d help`); `floor-l1` is the one-load floor" },
	{ "size", COL_KEY, COL_INT, "entries", "filter entries" },
	{ "encoding", COL_KEY, COL_STRING, NULL, "`exact`/`masked`" },
	{ "umask_density", COL_KEY, COL_INT, "umasks",
	  "masked: umasks each include matches (N of `masked/N`); null for exact" },
	{ "action", COL_KEY, COL_STRING, NULL, "`allow`/`deny`" },
	{ "filter_shape", COL_KEY, COL_STRING, NULL,
	  "`random`, `one-select` (for `walk-worst`), `pmu` (a libpfm4 PMU's events), `user` (a "
	  "`--filter` file as it is)" },
	{ "filter", COL_KEY, COL_STRING, NULL,
	  "shape `user`: the `--filter` file's name (no directory) or pattern; null otherwise" },
	{ "filter_hash", COL_KEY, COL_STRING, NULL,
	  "shape `user`: the `--filter` file's content hash (as in install.json); null otherwise" },
	{ "pattern", COL_KEY, COL_STRING, NULL,
	  "input hit pattern (`hit`, `miss`, `mixed`, `same-select`, `walk-worst`, `pmu`)" },
	{ "mode", COL_KEY, COL_STRING, NULL, "`throughput`/`latency`" },
	{ "cache", COL_KEY, COL_STRING, NULL,
	  "`warm` (tight loops, the filter cached) or `cold` (one lookup at a time right after "
	  "evicting the design's memory; latency mode only)" },
	{ "flavor", COL_KEY, COL_STRING, NULL,
	  "the event-select width the filters and reference use (`intel`/`amd`), as in the context" },
	{ "kernel_replica", COL_CONTEXT, COL_BOOL, NULL,
	  "a replica of a kernel generation's algorithm (x86's, or arm64's bitmap test)" },
	{ "encoding_name", COL_CONTEXT, COL_STRING, NULL, "the swept name (`exact`, `masked/16` ...)" },
	{ "nincludes", COL_CONTEXT, COL_INT, "entries", "include entries of the filter" },
	{ "nexcludes", COL_CONTEXT, COL_INT, "entries", "exclude entries of the filter" },
	{ "over_kernel_limit", COL_CONTEXT, COL_BOOL, NULL,
	  "size above the kernel's 300 (`--beyond-limit`)" },
	{ "kernel_cap_ignored", COL_CONTEXT, COL_BOOL, NULL,
	  "an x86 kernel replica run above the kernel's limit (the kernel would refuse the "
	  "filter; arm64 has no entry limit)" },
	{ "hit_fraction", COL_OUTCOME, COL_REAL, "fraction",
	  "share of the inputs the filter matched (0–1)" },
	{ "inputs", COL_CONTEXT, COL_INT, "count", "events per input stream" },
	{ "repeats", COL_OUTCOME, COL_INT, "count",
	  "passes per sample (over all the inputs, or over a window of them when one pass "
	  "outlasts a sample; then 1)" },
	{ "lookups_per_sample", COL_OUTCOME, COL_INT, "count",
	  "lookups in one timed sample (inputs × repeats, or the window's inputs); every "
	  "figure is divided by it" },
	{ "", COL_MEASURE, COL_STATS, "ns", "per lookup" },
	SCHEMA_REPEAT_COLS,
	{ "evicted_lines", COL_OUTCOME, COL_INT, "count",
	  "cold: cache lines one eviction flushed (the design's memory)" },
	{ "evict_median_ns", COL_MEASURE, COL_REAL, "ns",
	  "cold: median time of one eviction (not in the lookup's figure)" },
	{ "same_harness_warm_median_ns", COL_MEASURE, COL_REAL, "ns",
	  "cold: the same single-lookup timing with the memory warm (single timings carry the "
	  "timer's granularity)" },
	DISTURB_SCHEMA_COLS,
	{ "cycles_per_lookup", COL_MEASURE, COL_REAL, "count per lookup",
	  "PAPI core cycles; only where that counter is `available`" },
	{ "instructions_per_lookup", COL_MEASURE, COL_REAL, "count per lookup",
	  "PAPI instructions; only where that counter is `available`" },
	{ "branch_misses_per_lookup", COL_MEASURE, COL_REAL, "count per lookup",
	  "PAPI branch misses; only where that counter is `available`" },
	{ "l1d_misses_per_lookup", COL_MEASURE, COL_REAL, "count per lookup",
	  "PAPI L1D misses; only where that counter is `available`" },
	{ "build_ns", COL_MEASURE, COL_REAL, "ns",
	  "time to build the design's structure from the filter (median of 3 builds); per filter, "
	  "not per lookup" },
	{ "footprint_bytes", COL_MEASURE, COL_INT, "bytes", "memory the built structure occupies" },
	{ "verified", COL_OUTCOME, COL_BOOL, NULL,
	  "the design agreed with the reference on every (select, umask) before timing (false for "
	  "`k5.17-bsearch-trunc`, a replica of a shipped bug)" },
	{ "verified_points", COL_OUTCOME, COL_INT, "count",
	  "(select, umask) points it was checked on: the whole space, or for `pfbench limits` beyond "
	  "300 entries the filter's own events plus 16384 sampled points" },
	{ "reference_mismatches", COL_OUTCOME, COL_INT, "count",
	  "`k5.17-bsearch-trunc` only: decisions unlike the reference over the whole space; null "
	  "otherwise" },
	{ "reference", COL_CONTEXT, COL_STRING, NULL,
	  "the kernel generation whose semantics were the reference (`5.3`, `5.17`, `6.3`), or "
	  "`arm64` (`k5.10-arm64-bitmap`: filters/arm64.c's model of the filter's arm64 form); "
	  "null for the floor" },
	{ "reference_composed", COL_CONTEXT, COL_BOOL, NULL,
	  "above 300 entries the reference table was composed from ≤ 300-entry chunks "
	  "(docs/lookup.md)" },
	EMULATED_SCHEMA_COL,
};

static const struct schema_median medians[] = {
	{ "evict_median_ns", "evict_" },
	{ "same_harness_warm_median_ns", "same_harness_warm_" },
	{ NULL, NULL },
};

static const struct schema_control control = {
	.column = "design",
	.value = "floor-l1",
	.group_by = "mode",
	.what = "the harness's loops with one L1 load for a decision, the same in every run",
};

const struct schema lookup_schema = { .medians = medians, .control = &control, .bench = "lookup",
				      .title = "filter lookup cost",
				      SCHEMA_COLS(lookup_schema_cols) };

const size_t lookup_schema_ncols = sizeof(lookup_schema_cols) / sizeof(lookup_schema_cols[0]);
