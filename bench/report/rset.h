/* rset.h — result sets read back, for `pfbench compare` and `pfbench
 * report`: load one file or every result set in a directory, tell a
 * record's key columns (what was measured: design, size, encoding ...)
 * from its measures, outcomes and context by the roles the set declares
 * ("columns", bench/common/schema.h), and format values for Markdown
 * tables. A set written before sets carried "columns" gets them on load
 * from one compatibility mapping (rset-compat.c). Returns 0 or -errno
 * with a message in err; never prints or exits. */
#ifndef PFBENCH_RSET_H
#define PFBENCH_RSET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "schema.h"

#define RSET_SUITE_SCHEMA "pfbench-suite/1" /* metadata.json (suite.h) */
/* The largest result file the readers take (what pfbench writes is far
 * smaller; the bound keeps a stray huge file from being slurped). */
#define RSET_MAX_BYTES (256L << 20)
#define RSET_MAX_TEXT "256 MiB"

/* path is a result-set file, or a directory whose *.json files with
 * "schema": SCHEMA_VERSION are loaded in name order (metadata.json and
 * other JSON files are passed over). *sets gets a new array of sets. A
 * file that is not a result set, or a directory with none, is -EINVAL;
 * damage in a directory (rset_load_dir) is -EBADMSG. */
int rset_load(const char *path, json_t **sets, char *err, size_t errlen);
/* Every result set of a run directory, damage never passed over: a *.json
 * that is empty, truncated or not JSON, not a regular file, or claims
 * "schema": "pfbench-result/N" but is not a readable set of version 1.
 * With problems NULL the first damage is -EBADMSG with file:line:column
 * and what was expected in err; else each goes to problems (an array of
 * strings) and the file is left out. Valid JSON without the result schema
 * (metadata.json, info.json) is passed over. Zero sets is 0 with an empty
 * array; an unreadable directory is -errno. */
int rset_load_dir(const char *path, json_t **sets, json_t *problems, char *err, size_t errlen);
/* dir/metadata.json: *meta NULL when absent (not a suite run); damage
 * (not a regular file, not JSON, not "schema": "pfbench-suite/1", a
 * "stages" that is not an array) as rset_load_dir. */
int rset_load_meta(const char *dir, json_t **meta, json_t *problems, char *err, size_t errlen);
/* A stage metadata.json marks "ok" whose result set is not in sets: damage
 * as rset_load_dir. */
int rset_check_stages(const char *dir, const json_t *meta, const json_t *sets, json_t *problems,
		      char *err, size_t errlen);
/* One result-set file; NULL with err set when unreadable or not a set. */
json_t *rset_load_file(const char *path, char *err, size_t errlen);
/* The set in sets whose "bench" is bench, or NULL. */
json_t *rset_find(const json_t *sets, const char *bench);
/* Was this set (or host description) made on arm64? Its context's
 * host.cpu.arch (or the description's cpu.arch) is "aarch64". Texts that
 * name an arch's mechanism (TSC vs cntvct_el0, WRMSR vs PMEVTYPER, the x86
 * ioctl vs the arm64 attributes) pick their words with it. */
bool rset_is_arm64(const json_t *set_or_host);

/* Whether list (an array of strings) holds name. */
bool rset_in_list(const json_t *list, const char *name);
/* The role (enum col_role) the set declares for field name, -1 when it
 * declares none. */
int rset_role(const json_t *set, const char *name);
/* The unit the set declares for name ("ns", "count" ...), NULL when none. */
const char *rset_unit(const json_t *set, const char *name);
/* The set's columns whose role is in roles (a mask of 1 << COL_*), in
 * declared order, minus those named in ignore (array of strings or NULL).
 * New array. */
json_t *rset_role_columns(const json_t *set, unsigned roles, const json_t *ignore);
/* rset_role_columns(set, 1 << COL_KEY, ignore). */
json_t *rset_set_keys(const json_t *set, const json_t *ignore);
/* The set's declared scalar columns some of records hold, in declared
 * order. New array. */
json_t *rset_present_columns(const json_t *set, const json_t *records);

/* The schema a benchmark declares, by its "bench" name; NULL for none.
 * rset_schemas() lists them all (NULL-terminated). (schemas.c) */
const struct schema *rset_schema_find(const char *bench);
const struct schema *const *rset_schemas(void);
/* The Markdown of results/README.md's generated block (`pfbench schema`):
 * the statistics table, then every benchmark's; or only bench's table.
 * malloc'd; NULL for an unknown bench. (schemas.c) */
char *rset_schema_doc(const char *bench);
/* The "columns" of a set that has none (written before sets declared
 * them): each field the records hold, in first-seen order, with the role,
 * type and unit of the bench's current schema, its old "key_columns"
 * deciding the keys, and a field no schema declares taken by its name
 * (rset-compat.c). New array. */
json_t *rset_compat_columns(const json_t *set);
/* A set whose "columns" tag no "statistic" (written before columns did):
 * each column the bench's current schema declares with the same name,
 * role and unit gets that column's "statistic" and "block" (rset-compat.c). */
void rset_compat_tags(json_t *set);
/* A set with no "control" (written before sets declared it) gets the one
 * its bench's current schema declares, if any (rset-compat.c). */
void rset_compat_control(json_t *set);

/* One measure of a set and its statistics, as its columns declare them
 * ("statistic" and "block", schema.h): each a column name in the set's
 * "columns" (borrowed: valid while the set is), NULL when not declared. */
struct rset_measure {
	const char *median, *p90, *p99, *ci_low, *ci_high;
	const char *n;       /* the sample count */
	const char *samples; /* the raw samples (an array) */
	const char *unit;    /* the median's unit ("ns") */
	const char *block;   /* the statistics block ("" or "overhead_") */
};
/* The measure of block in set (block NULL: the set's headline measure,
 * the first declared median). A set whose columns tag no statistic gets
 * its first real measure in ns as the median, the rest NULL. false when
 * there is none (check, limits). rset_measure_cols() takes the columns. */
bool rset_measure(const json_t *set, const char *block, struct rset_measure *m);
bool rset_measure_cols(const json_t *cols, const char *block, struct rset_measure *m);
/* The statistics block "" of schema.c, for records read without their
 * set (compare's records from tests). */
void rset_measure_default(struct rset_measure *m);
/* For readers of a benchmark's own records (report tables, summary): the
 * median, and its 95% CI ends, of the statistics block "" every timed
 * benchmark writes (out_record_stats), by the columns schema.c declares
 * for it; NAN when absent. */
double rset_median(const json_t *rec);
void rset_ci(const json_t *rec, double *lo, double *hi);
/* The columns the set declares as a median ("statistic": "median") that
 * some of records holds as a number, in declared order. New array. */
json_t *rset_medians(const json_t *set, const json_t *records);

/* Key columns whose value is not the same in every record. New array. */
json_t *rset_varying(const json_t *records, const json_t *keys);

/* A scalar as text ("-" for absent/null, "yes"/"no" for bools). */
const char *rset_scalar(const json_t *v, char *buf, size_t len);
/* A number for tables: at least 3 significant digits, no exponent
 * ("0.512", "12.3", "8420"); whole numbers without decimals; "-" for NaN. */
const char *rset_fmt_num(double v, char *buf, size_t len);
/* Field as a double (integer or real); NAN when absent or not a number. */
double rset_num(const json_t *rec, const char *name);
/* The array field name (a measure's raw samples, rset_measure's
 * .samples) as a malloc'd array of finite values; *n = 0 and *out = NULL
 * when absent or name is NULL. 0 or -EINVAL (non-numbers) / -ENOMEM. */
int rset_samples(const json_t *rec, const char *name, double **out, size_t *n);

#endif
