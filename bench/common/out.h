/* out.h — the one result record type and its writers.
 *
 * A result set is a jansson object:
 *   { "schema": "pfbench-result/1", "bench": "<name>", "context": {...},
 *     "complete": true|false, "skipped": [{"what":..., "why":...}],
 *     "records": [ {...}, ... ] }
 * A record is a flat JSON object of scalars (string, integer, real, bool,
 * null), plus optionally "samples_ns": [..] raw samples kept for A/B
 * bootstrap. The CSV writer emits the scalar columns (union of keys in
 * first-seen order) and skips arrays. Writes are atomic (temp + rename).
 * Benchmarks fill records; they print no numbers themselves. */
#ifndef PFBENCH_OUT_H
#define PFBENCH_OUT_H

#include <jansson.h>
#include <stdbool.h>

#include "stats.h"
#include "tsc.h"

/* The context block: what `pfbench info --json` reports, plus compiler and
 * flags, git revision, command line, UTC date, timer calibration (c may be
 * NULL) and CPU binding. New reference. */
json_t *out_context(int argc, char **argv, const struct tsc_calib *c);

json_t *out_set_new(const char *bench, json_t *context /* stolen */);
void out_set_add(json_t *set, json_t *record /* stolen */);
void out_set_skip(json_t *set, const char *what, const char *why);
void out_set_complete(json_t *set, bool complete);

/* Adds <prefix>samples, median_ns, p90_ns, p99_ns, min_ns, max_ns, mean_ns,
 * mad_ns, cv, ci95_low_ns, ci95_high_ns, outliers, median_cycles (prefix
 * usually "") from samples given in TSC ticks. keep_raw adds samples_ns. */
int out_record_stats(json_t *rec, const char *prefix, const double *ticks, size_t n,
		     const struct tsc_calib *c, bool keep_raw);

/* Atomic writers: path.tmp.<pid> then rename(2). 0 or -errno. */
int out_write_json(const json_t *set, const char *path);
int out_write_csv(const json_t *set, const char *path);
/* Writes DIR/<bench>.json and DIR/<bench>.csv (creates DIR). */
int out_write_set(const json_t *set, const char *dir);
/* Reads a result set back (for compare, report, tests). */
json_t *out_read_json(const char *path, char *err, size_t errlen);

#endif
