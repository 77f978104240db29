/* rset.h — result sets read back, for `pfbench compare` and `pfbench
 * report`: load one file or every result set in a directory, tell a
 * record's key columns (what was measured: design, size, encoding ...)
 * from its measurement columns (median_ns, p90_ns, samples ...), and
 * format values for Markdown tables. Returns 0 or -errno with a message
 * in err; never prints or exits. The schema is out.h's. */
#ifndef PFBENCH_RSET_H
#define PFBENCH_RSET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define RSET_SCHEMA "pfbench-result/1"

/* path is a result-set file, or a directory whose *.json files with
 * "schema": "pfbench-result/1" are loaded in name order (metadata.json and
 * other JSON files are passed over). *sets gets a new array of sets. A
 * file that is not a result set, or a directory with none, is -EINVAL. */
int rset_load(const char *path, json_t **sets, char *err, size_t errlen);
/* One result-set file; NULL with err set when unreadable or not a set. */
json_t *rset_load_file(const char *path, char *err, size_t errlen);
/* The set in sets whose "bench" is bench, or NULL. */
json_t *rset_find(const json_t *sets, const char *bench);

/* Is this record field a measurement or an outcome rather than a key?
 * Stats fields from out_record_stats() (any prefix: median_ns,
 * overhead_p99_ns, samples, cv, outliers, ...), anything ending in _ns or
 * _cycles, reals, arrays and objects, and what a run observed: status,
 * why, *_why, result, reason, measures, verified, counts (*_insns,
 * *_calls, *_exits, *_faults, *_vector, *_count, *_bytes, kvm_*, count_*,
 * hist_*), per-run calibration (repeats, *_per_sample) and verdicts
 * (agree_*, *_pct). Everything else (strings, integers, bools, null) is a
 * key: what was measured. A set's own "key_columns" overrides all this
 * (rset_set_keys). */
bool rset_is_measure(const char *name, const json_t *v);
/* Whether list (an array of strings) holds name. */
bool rset_in_list(const json_t *list, const char *name);
/* The union of the records' field names in first-seen order, keeping the
 * ones keep(name, value, arg) accepts. New reference. */
json_t *rset_columns(const json_t *records,
		     bool (*keep)(const char *name, const json_t *v, const void *arg),
		     const void *arg);
/* Key column names over records (first-seen order), minus those named in
 * ignore (a JSON array of strings or NULL). New array. */
json_t *rset_key_columns(const json_t *records, const json_t *ignore);
/* A set's key columns: its "key_columns" array when the benchmark
 * declares one (results/README.md), else rset_key_columns() of its
 * records; minus ignore. New array. */
json_t *rset_set_keys(const json_t *set, const json_t *ignore);
/* Key columns whose value is not the same in every record. New array. */
json_t *rset_varying(const json_t *records, const json_t *keys);

/* A scalar as text ("-" for absent/null, "yes"/"no" for bools). */
const char *rset_scalar(const json_t *v, char *buf, size_t len);
/* A number for tables: at least 3 significant digits, no exponent
 * ("0.512", "12.3", "8420"); whole numbers without decimals; "-" for NaN. */
const char *rset_fmt_num(double v, char *buf, size_t len);
/* Field as a double (integer or real); NAN when absent or not a number. */
double rset_num(const json_t *rec, const char *name);
/* <prefix>samples_ns as a malloc'd array of finite values; *n = 0 and
 * *out = NULL when absent. 0 or -EINVAL (non-numbers) / -ENOMEM. */
int rset_samples(const json_t *rec, const char *prefix, double **out, size_t *n);

#endif
