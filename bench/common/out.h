/* out.h — the one result record type and its writers.
 *
 * A result set is a jansson object:
 *   { "schema": "pfbench-result/1", "bench": "<name>", "context": {...},
 *     "complete": true|false, "skipped": [{"what":..., "why":...}],
 *     "records": [ {...}, ... ], "key_columns": [..], "columns": [..] }
 * "columns" is the benchmark's declared schema (schema.h) and
 * "key_columns" its key names. A record is a flat JSON object of scalars
 * (string, integer, real, bool, null), plus optionally "samples_ns": [..]
 * raw samples kept for A/B bootstrap; every field is declared. The CSV
 * writer emits the declared scalar columns some record holds, in the
 * schema's order, and skips arrays. Writes are atomic (temp + rename).
 * Benchmarks fill records; they print no numbers themselves. */
#ifndef PFBENCH_OUT_H
#define PFBENCH_OUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "schema.h"
#include "stats.h"
#include "tsc.h"

#define PFBENCH_VERSION "0.1.0"
#define OUT_SCHEMA SCHEMA_VERSION
/* Seed of the bootstrap behind out_record_stats(): fixed, so the same
 * samples always give the same CI. */
#define OUT_STATS_SEED 0x70666265ull

/* The context block: what `pfbench info --json` reports, plus compiler and
 * flags, git revision, command line, UTC date, timer calibration (c may be
 * NULL) and CPU binding. New reference. Keys (context.c):
 *   pfbench {version, schema}, host (hostinfo_json()), compiler, cflags,
 *   git_rev, command_line (shell-quoted string), argv [..], date_utc
 *   ("2025-01-31T12:00:00Z"), timer (out_calib_json() or null), affinity
 *   (the calling thread's CPU list, "0-1"). A benchmark that pinned itself
 *   adds pin_thread()'s object: json_object_set_new(ctx, "binding", b). */
json_t *out_context(int argc, char **argv, const struct tsc_calib *c);
/* {"source","method","ticks_per_ns","uncertainty","measured_ticks_per_ns",
 *  "measured_uncertainty","bracket_ticks","perf_time_mult",
 *  "perf_time_shift","kernel_ticks_per_ns","kernel_source",
 *  "nominal_ticks_per_ns","spread","windows","overhead_ticks",
 *  "overhead_min_ticks","overhead_ns","invariant","clocksource",
 *  "cycles_unit"}. New reference. */
json_t *out_calib_json(const struct tsc_calib *c);

/* A new set of schema s (its "bench", "key_columns" and "columns" come
 * from it): "complete" starts false; call out_set_complete(set, true) when
 * the run finished everything it was asked. */
json_t *out_set_new(const struct schema *s, json_t *context /* stolen */);
/* Appends record to the set's records. Unless built with NDEBUG (make
 * never defines it), a record with a field the set's "columns" do not
 * declare, or of another type, is a programming error caught here, where
 * the writer made it: "pfbench: BUG: <bench>: field ... is not declared"
 * on stderr, then abort() (the backtrace names the writer). The writers
 * (out_write_set) refuse such a set too, whatever the build. */
void out_set_add(json_t *set, json_t *record /* stolen */);
void out_set_skip(json_t *set, const char *what, const char *why);
void out_set_complete(json_t *set, bool complete);

/* Adds <prefix>samples, median_ns, p90_ns, p99_ns, min_ns, max_ns, mean_ns,
 * mad_ns, cv, ci95_low_ns, ci95_high_ns, outliers, median_cycles (prefix
 * usually "") from samples given in TSC ticks. keep_raw adds samples_ns.
 * Also adds, after those: stddev_ns and the *_cycles twin of every *_ns
 * figure (p90_cycles, p99_cycles, min_cycles, max_cycles, mean_cycles,
 * mad_cycles, stddev_cycles, ci95_low_cycles, ci95_high_cycles). "cycles"
 * are TSC ticks as given (the caller subtracts c->overhead_ticks where it
 * applies; see tsc_elapsed()). Non-finite values become null. 0, -EINVAL
 * (n == 0, NaN sample, no calibration) or -ENOMEM. */
int out_record_stats(json_t *rec, const char *prefix, const double *ticks, size_t n,
		     const struct tsc_calib *c, bool keep_raw);
/* rec[key] = v, or null when v is NaN/inf (JSON has no NaN). */
void out_set_real(json_t *rec, const char *key, double v);

/* s as one CSV field (RFC 4180: quoted when it holds a comma, quote or
 * line break; quotes doubled). The CSV writers' one quoting. */
void out_csv_field(FILE *f, const char *s);

/* Every record of set against its "columns" (schema_check_record()): 0,
 * or -EPROTO with "record N: field ..." in err; -EINVAL when set has no
 * "records" or "columns" array. The writers below refuse such a set. */
int out_check_set(const json_t *set, char *err, size_t errlen);

/* Atomic writers: path.tmp.<pid> then fsync and rename(2); on any failure
 * the temp file is removed and an existing path is left as it was. 0 or
 * -errno. */
int out_write_json(const json_t *set, const char *path);
/* One header row, one row per record; columns are the union of the
 * records' scalar keys in first-seen order (arrays and objects skipped),
 * fields quoted per RFC 4180 when they hold , " CR or LF; lines end in LF;
 * reals in the shortest form that reads back exactly; true/false; null and
 * missing keys are empty fields. */
int out_write_csv(const json_t *set, const char *path);
/* The CSV text of a set (malloc'd, NUL-terminated), NULL on error. */
char *out_csv_string(const json_t *set);
/* Writes DIR/<bench>.json and DIR/<bench>.csv (creates DIR like mkdir -p).
 * Both are staged before either is renamed into place, so a failure leaves
 * the old pair. -EINVAL when "bench" is empty or holds '/'. */
int out_write_set(const json_t *set, const char *dir);
/* Reads a result set back (for compare, report, tests). NULL on error with
 * "path:line:column: what" in err (a set must be an object with a "schema"
 * string starting "pfbench-result/" and a "records" array), or, for a file
 * that cannot be read, jansson's "unable to open PATH: reason". */
json_t *out_read_json(const char *path, char *err, size_t errlen);

#endif
