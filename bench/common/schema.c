/* schema.c — see schema.h: the statistics columns, a schema as the
 * "columns" JSON, the record check and the Markdown of results/README.md. */
#include "schema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = { "key", "measure", "outcome", "context" };
static const char *const type_names[] = { "string", "integer", "real", "bool", "array",
					  "statistics" };

/* What out_record_stats() (out.c) adds, in its order. */
static const struct schema_col stats_cols[] = {
	{ "samples", COL_MEASURE, COL_INT, "count",
	  "number of timed samples (each sample may itself average a batch: see the benchmark)" },
	{ "median_ns", COL_MEASURE, COL_REAL, "ns", "the median sample" },
	{ "p90_ns", COL_MEASURE, COL_REAL, "ns",
	  "90th percentile (linear interpolation between closest ranks)" },
	{ "p99_ns", COL_MEASURE, COL_REAL, "ns", "99th percentile" },
	{ "min_ns", COL_MEASURE, COL_REAL, "ns", "the smallest sample" },
	{ "max_ns", COL_MEASURE, COL_REAL, "ns", "the largest sample" },
	{ "mean_ns", COL_MEASURE, COL_REAL, "ns", "the mean" },
	{ "mad_ns", COL_MEASURE, COL_REAL, "ns", "median absolute deviation, unscaled" },
	{ "cv", COL_MEASURE, COL_REAL, "fraction", "stddev / mean" },
	{ "ci95_low_ns", COL_MEASURE, COL_REAL, "ns",
	  "low end of the 95% bootstrap (percentile) confidence interval of the median; "
	  "fixed seed, so the same samples give the same interval" },
	{ "ci95_high_ns", COL_MEASURE, COL_REAL, "ns", "high end of that interval" },
	{ "outliers", COL_MEASURE, COL_INT, "count",
	  "samples with modified z-score 0.6745·\\|x − median\\|/MAD > 3.5; counted, never dropped" },
	{ "median_cycles", COL_MEASURE, COL_REAL, "timer ticks",
	  "the median before conversion to ns, in ticks of the set's timer (`context.timer.source`: "
	  "the TSC on x86, cntvct_el0 on arm64), not core cycles" },
	{ "stddev_ns", COL_MEASURE, COL_REAL, "ns", "sample standard deviation (n−1)" },
	{ "p90_cycles", COL_MEASURE, COL_REAL, "timer ticks", "`p90_ns` before conversion" },
	{ "p99_cycles", COL_MEASURE, COL_REAL, "timer ticks", "`p99_ns` before conversion" },
	{ "min_cycles", COL_MEASURE, COL_REAL, "timer ticks", "`min_ns` before conversion" },
	{ "max_cycles", COL_MEASURE, COL_REAL, "timer ticks", "`max_ns` before conversion" },
	{ "mean_cycles", COL_MEASURE, COL_REAL, "timer ticks", "`mean_ns` before conversion" },
	{ "mad_cycles", COL_MEASURE, COL_REAL, "timer ticks", "`mad_ns` before conversion" },
	{ "stddev_cycles", COL_MEASURE, COL_REAL, "timer ticks", "`stddev_ns` before conversion" },
	{ "ci95_low_cycles", COL_MEASURE, COL_REAL, "timer ticks", "`ci95_low_ns` before conversion" },
	{ "ci95_high_cycles", COL_MEASURE, COL_REAL, "timer ticks", "`ci95_high_ns` before conversion" },
	{ "samples_ns", COL_MEASURE, COL_ARRAY, "ns",
	  "optional: every raw sample, in the order taken (lookup and install keep them with "
	  "`--raw`, which the suite passes; exit unless `--no-raw`; `pfbench compare` bootstraps "
	  "from them)" },
};

/* Which statistic each of stats_cols is (schema_columns_json's
 * "statistic"), in its order; NULL for none. */
static const char *const stats_stat[] = {
	"n", "median", "p90", "p99", "min", "max", NULL, NULL, NULL, "ci95_low", "ci95_high",
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "samples",
};
_Static_assert(sizeof(stats_stat) / sizeof(stats_stat[0]) ==
		       sizeof(stats_cols) / sizeof(stats_cols[0]),
	       "a statistic (or NULL) per statistics column");

const struct schema_col *schema_stats_cols(size_t *n)
{
	*n = sizeof(stats_cols) / sizeof(stats_cols[0]);
	return stats_cols;
}

const char *schema_role_name(enum col_role r)
{
	return (unsigned)r < sizeof(role_names) / sizeof(role_names[0]) ? role_names[r] : "?";
}

const char *schema_type_name(enum col_type t)
{
	return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "?";
}

static int parse_name(const char *s, const char *const *names, int n)
{
	for (int i = 0; s && i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

int schema_role_parse(const char *s)
{
	return parse_name(s, role_names, (int)(sizeof(role_names) / sizeof(role_names[0])));
}

int schema_type_parse(const char *s)
{
	/* "statistics" is a table row, never a field's type. */
	return parse_name(s, type_names, COL_STATS);
}

/* One column; block is the statistics block's prefix for an expanded
 * statistics row (stat: which statistic, or NULL), NULL for a plain one. */
static json_t *column_json(const char *block, const struct schema_col *c, const char *desc,
			   const char *stat)
{
	char name[128];
	snprintf(name, sizeof(name), "%s%s", block ? block : "", c->name);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s?, s:s}", "name", name, "role",
			      schema_role_name(c->role), "type", schema_type_name(c->type), "unit",
			      c->unit, "description", desc ? desc : c->desc);
	if (j && stat) {
		json_object_set_new(j, "statistic", json_string(stat));
		json_object_set_new(j, "block", json_string(block ? block : ""));
	}
	return j;
}

json_t *schema_columns_json(const struct schema *s)
{
	json_t *cols = json_array();
	for (size_t i = 0; cols && i < s->ncols; i++) {
		const struct schema_col *c = &s->cols[i];
		if (c->type != COL_STATS) {
			const char *block = NULL;
			for (const struct schema_median *m = s->medians; m && m->col; m++)
				if (!strcmp(m->col, c->name))
					block = m->block;
			json_t *j = column_json(NULL, c, NULL, NULL);
			if (j && block) {
				json_object_set_new(j, "statistic", json_string("median"));
				json_object_set_new(j, "block", json_string(block));
			}
			json_array_append_new(cols, j);
			continue;
		}
		for (size_t k = 0; k < sizeof(stats_cols) / sizeof(stats_cols[0]); k++) {
			char desc[512];
			snprintf(desc, sizeof(desc), "%s: %s", c->desc, stats_cols[k].desc);
			json_array_append_new(cols, column_json(c->name, &stats_cols[k], desc, stats_stat[k]));
		}
	}
	return cols;
}

json_t *schema_control_json(const struct schema *s)
{
	const struct schema_control *c = s->control;
	if (!c)
		return NULL;
	json_t *o = json_pack("{s:s, s:s, s:s}", "column", c->column, "value", c->value, "what",
			      c->what);
	if (o && c->group_by)
		json_object_set_new(o, "group_by", json_string(c->group_by));
	return o;
}

json_t *schema_key_names(const struct schema *s)
{
	json_t *keys = json_array();
	for (size_t i = 0; keys && i < s->ncols; i++)
		if (s->cols[i].role == COL_KEY)
			json_array_append_new(keys, json_string(s->cols[i].name));
	return keys;
}

const json_t *schema_column(const json_t *columns, const char *name)
{
	size_t i;
	json_t *c;
	json_array_foreach(columns, i, c) {
		const char *n = json_string_value(json_object_get(c, "name"));
		if (n && !strcmp(n, name))
			return c;
	}
	return NULL;
}

json_t *schema_present_columns(const json_t *columns, const json_t *records, bool scalar_only)
{
	json_t *out = json_array();
	size_t k, i;
	json_t *c, *rec;
	json_array_foreach(columns, k, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		if (!name || !out)
			continue;
		json_array_foreach(records, i, rec) {
			json_t *v = json_object_get(rec, name);
			if (v && (!scalar_only || (!json_is_array(v) && !json_is_object(v)))) {
				json_array_append_new(out, json_string(name));
				break;
			}
		}
	}
	return out;
}

static bool type_fits(int type, const json_t *v)
{
	if (json_is_null(v))
		return true;
	switch (type) {
	case COL_STRING:
		return json_is_string(v);
	case COL_INT:
		return json_is_integer(v);
	case COL_REAL:
		return json_is_number(v);
	case COL_BOOL:
		return json_is_boolean(v);
	case COL_ARRAY:
		return json_is_array(v);
	default:
		return false;
	}
}

int schema_check_record(const json_t *columns, const char *bench, const json_t *rec,
			char *err, size_t errlen)
{
	const char *name;
	json_t *v;
	json_object_foreach((json_t *)rec, name, v) {
		const json_t *c = schema_column(columns, name);
		const char *type = json_string_value(json_object_get(c, "type"));
		if (!c) {
			snprintf(err, errlen, "field \"%s\" is not declared in the schema of %s", name,
				 bench);
			return -EPROTO;
		}
		if (!type_fits(schema_type_parse(type), v)) {
			snprintf(err, errlen, "field \"%s\" of %s holds a JSON %s, declared %s", name,
				 bench, json_is_object(v) ? "object" : json_is_array(v) ? "array" :
				 json_is_string(v) ? "string" : json_is_boolean(v) ? "bool" : "number",
				 type ? type : "?");
			return -EPROTO;
		}
	}
	return 0;
}

static void md_row(FILE *f, const char *field, const struct schema_col *c, bool with_role)
{
	fprintf(f, "| %s |", field);
	if (with_role)
		fprintf(f, " %s |", schema_role_name(c->role));
	/* An empty cell is "| |", not "|  |". */
	const char *type = c->type == COL_STATS ? NULL : schema_type_name(c->type);
	fprintf(f, " %s%s%s%s %s |\n", type ? type : "", type ? " | " : "| ",
		c->unit ? c->unit : "", c->unit ? " |" : "|", c->desc);
}

static void md_stats(FILE *f)
{
	fprintf(f, "| field | type | unit | meaning |\n| --- | --- | --- | --- |\n");
	for (size_t k = 0; k < sizeof(stats_cols) / sizeof(stats_cols[0]); k++) {
		char field[128];
		snprintf(field, sizeof(field), "`%s`", stats_cols[k].name);
		md_row(f, field, &stats_cols[k], false);
	}
}

static void md_bench(FILE *f, const struct schema *s)
{
	fprintf(f, "#### %s.json — %s\n\n", s->bench, s->title);
	fprintf(f, "| field | role | type | unit | meaning |\n| --- | --- | --- | --- | --- |\n");
	for (size_t i = 0; i < s->ncols; i++) {
		const struct schema_col *c = &s->cols[i];
		char field[160];
		if (c->type == COL_STATS && *c->name)
			snprintf(field, sizeof(field), "`%s*` statistics", c->name);
		else if (c->type == COL_STATS)
			snprintf(field, sizeof(field), "statistics");
		else
			snprintf(field, sizeof(field), "`%s`", c->name);
		md_row(f, field, c, true);
	}
	if (s->control)
		fprintf(f, "\nControl rows: `%s` = `%s`%s%s%s — %s (`pfbench compare` reports how "
			   "they moved).\n", s->control->column, s->control->value,
			s->control->group_by ? ", one group per `" : "",
			s->control->group_by ? s->control->group_by : "",
			s->control->group_by ? "`" : "", s->control->what);
}

char *schema_markdown(const struct schema *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	if (s)
		md_bench(f, s);
	else
		md_stats(f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
