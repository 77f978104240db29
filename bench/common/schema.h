/* schema.h — the declared record schema of a result set.
 *
 * Owns: what a benchmark's records may contain. Each benchmark declares
 * one static `struct schema` next to its writer (lookup: bench/lookup/
 * schema-lookup.c; exit, install, check: bench/kvm/schema-*.c), a table
 * of columns { name, role, type, unit, description }. out_set_new() copies
 * the table into the set as "columns" (so every JSON file says what its
 * fields are, with roles and units); out_write_set() refuses a record
 * with a field the table does not declare, or of another type (a
 * programming error: -EPROTO, and out_check_set() names the field); the
 * CSV header follows the table's order; report, plots and compare read
 * roles and units from "columns" (bench/report/rset.h); `pfbench schema`
 * prints the tables as the Markdown of results/README.md.
 *
 * To add a field: add a row to the benchmark's table (and run
 * `pfbench schema` into results/README.md: test_schema compares them).
 * No KVM, no printing, no exits. */
#ifndef PFBENCH_SCHEMA_H
#define PFBENCH_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The result-set format version: "schema" of every <bench>.json. */
#define SCHEMA_VERSION "pfbench-result/1"

enum col_role {
	COL_KEY,	/* what was measured: identifies a record (design, size ...) */
	COL_MEASURE,	/* a measured figure (median_ns, build_ns ...) */
	COL_OUTCOME,	/* what happened (status, why, counts observed, verdicts) */
	COL_CONTEXT,	/* a fact of the run repeated per record (vpmu, measures) */
};

enum col_type {
	COL_STRING,
	COL_INT,
	COL_REAL,	/* a number; null when not finite */
	COL_BOOL,
	COL_ARRAY,
	COL_STATS,	/* not a field: the statistics of out_record_stats() with
			 * this column's name as prefix ("" or "overhead_") */
};

struct schema_col {
	const char *name;
	enum col_role role;
	enum col_type type;
	const char *unit;	/* "ns", "count", "bytes" ...; NULL when none */
	const char *desc;	/* one line for results/README.md */
};

struct schema {
	const char *bench;	/* the set's "bench" and file name */
	const char *title;	/* "filter lookup cost" */
	const struct schema_col *cols;
	size_t ncols;
	/* Plain real columns that are a median (exit's net_median_ns) and
	 * the block they stand for ("net_"); ends with { NULL }, or NULL. */
	const struct schema_median {
		const char *col, *block;
	} *medians;
	/* The control rows, or NULL: records whose `column` is `value` time
	 * the harness alone (lookup's floor), the same code whatever is
	 * compared, so between two runs they move only with the machine.
	 * compare reports their movement per `group_by` value (NULL: one
	 * group) and warns when it is beyond the noise (compare-control.c). */
	const struct schema_control {
		const char *column, *value, *group_by, *what;
	} *control;
};

#define SCHEMA_COLS(a) .cols = (a), .ncols = sizeof(a) / sizeof((a)[0])

/* The run-to-run spread fields repeat_add_spread() (repeat.h) writes into
 * a timed record when the run was repeated (-r N): rows for a benchmark's
 * table, after its statistics. */
#define SCHEMA_REPEAT_COLS                                                                         \
	{ "runs", COL_MEASURE, COL_INT, "count",                                                   \
	  "with -r N: how many of the N runs measured this record (the others did not reach it)" }, \
	{ "run_medians_ns", COL_MEASURE, COL_ARRAY, "ns",                                          \
	  "with -r N: the median of each run, in run order (the record's other statistics are "     \
	  "run 1's)" },                                                                            \
	{ "run_median_min_ns", COL_MEASURE, COL_REAL, "ns", "with -r N: the smallest run median" }, \
	{ "run_median_max_ns", COL_MEASURE, COL_REAL, "ns", "with -r N: the largest run median" },  \
	{ "run_cv", COL_MEASURE, COL_REAL, "fraction",                                             \
	  "with -r N: run-to-run spread, sample standard deviation / mean of the run medians "     \
	  "(perf stat -r's ± figure); `ci95_*` is the spread within one run" }

const char *schema_role_name(enum col_role r);
const char *schema_type_name(enum col_type t);
/* -1 when not a role / type name. */
int schema_role_parse(const char *s);
int schema_type_parse(const char *s);

/* The statistics columns out_record_stats() adds (prefix ""), in its
 * order; *n gets their number. */
const struct schema_col *schema_stats_cols(size_t *n);

/* The "columns" array of a set: one {name, role, type, unit, description}
 * per field, COL_STATS rows expanded. A column that is a statistic of a
 * measure also says which, for readers that need "the median" or "its
 * CI" whatever the field is called: "statistic" ("median", "p90", "p99",
 * "min", "max", "ci95_low", "ci95_high", "n": the sample count,
 * "samples": the raw samples) and "block" (the statistics block's
 * prefix, "" or "overhead_"; a lone median's declared block, "net_"). New
 * reference. */
json_t *schema_columns_json(const struct schema *s);
/* The set's "control" object ({column, value, group_by, what}) for
 * s->control, or NULL when s declares none. New reference. */
json_t *schema_control_json(const struct schema *s);
/* The key column names, in table order. New reference. */
json_t *schema_key_names(const struct schema *s);

/* Does record rec only hold fields that columns (a "columns" array)
 * declares, each of its declared type or null? 0, or -EPROTO with
 * "field \"x\" is not declared in the schema of lookup" (or "... is an
 * integer, declared string") in err. */
int schema_check_record(const json_t *columns, const char *bench, const json_t *rec,
			char *err, size_t errlen);

/* The names of the columns (a "columns" array) that some record of
 * records holds (as a scalar when scalar_only), in the columns' order.
 * The one column union: the CSV header, report tables. New reference. */
json_t *schema_present_columns(const json_t *columns, const json_t *records, bool scalar_only);

/* The column object named name in columns, or NULL. */
const json_t *schema_column(const json_t *columns, const char *name);

/* The Markdown results/README.md holds for s (a heading, a table of
 * field, role, type, unit, meaning; a statistics block is one row), or,
 * with s NULL, the table of the statistics columns. malloc'd. */
char *schema_markdown(const struct schema *s);

#endif
