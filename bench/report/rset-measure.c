/* rset-measure.c — see rset.h: a set's measure and its statistics found
 * by what its columns declare ("statistic", "block", role, unit), never
 * by a field's name. */
#include "rset.h"

#include <stddef.h>
#include <string.h>

static const char *col_str(const json_t *c, const char *key)
{
	return json_string_value(json_object_get(c, key));
}

static bool is_str(const char *s, const char *want)
{
	return s && want && !strcmp(s, want);
}

/* Fills m from the columns of one block. */
static void fill_block(const json_t *cols, const char *block, struct rset_measure *m)
{
	static const struct {
		const char *stat;
		size_t off;
	} slots[] = {
		{ "median", offsetof(struct rset_measure, median) },
		{ "p90", offsetof(struct rset_measure, p90) },
		{ "p99", offsetof(struct rset_measure, p99) },
		{ "ci95_low", offsetof(struct rset_measure, ci_low) },
		{ "ci95_high", offsetof(struct rset_measure, ci_high) },
		{ "n", offsetof(struct rset_measure, n) },
		{ "samples", offsetof(struct rset_measure, samples) },
	};
	size_t i;
	json_t *c;
	json_array_foreach(cols, i, c) {
		if (!is_str(col_str(c, "block"), block))
			continue;
		for (size_t k = 0; k < sizeof(slots) / sizeof(slots[0]); k++)
			if (is_str(col_str(c, "statistic"), slots[k].stat))
				*(const char **)((char *)m + slots[k].off) = col_str(c, "name");
	}
}

bool rset_measure_cols(const json_t *cols, const char *block, struct rset_measure *m)
{
	memset(m, 0, sizeof(*m));
	size_t i;
	json_t *c;
	bool tagged = false;
	json_array_foreach(cols, i, c) {
		if (!json_is_string(json_object_get(c, "statistic")))
			continue;
		tagged = true;
		if (!is_str(col_str(c, "statistic"), "median") ||
		    (block && !is_str(col_str(c, "block"), block)))
			continue;
		m->block = col_str(c, "block");
		m->unit = col_str(c, "unit");
		fill_block(cols, m->block, m);
		return true;
	}
	if (tagged || block)
		return false;
	/* Columns that tag no statistic (a set another tool wrote): its
	 * first real measure in ns is the median, with nothing around it. */
	json_array_foreach(cols, i, c) {
		if (is_str(col_str(c, "role"), "measure") && is_str(col_str(c, "unit"), "ns") &&
		    is_str(col_str(c, "type"), "real")) {
			m->median = m->block = col_str(c, "name");
			m->unit = "ns";
			return true;
		}
	}
	return false;
}

bool rset_measure(const json_t *set, const char *block, struct rset_measure *m)
{
	return rset_measure_cols(json_object_get(set, "columns"), block, m);
}

void rset_measure_default(struct rset_measure *m)
{
	/* The statistics block with prefix "", as schema.c declares it. */
	static json_t *cols;
	if (!cols) {
		static const struct schema_col stats = { "", COL_MEASURE, COL_STATS, "ns", "" };
		static const struct schema s = { .bench = "", .title = "", .cols = &stats, .ncols = 1 };
		cols = schema_columns_json(&s); /* kept for the process: m points into it */
	}
	rset_measure_cols(cols, "", m);
}

/* The statistics block "" as schema.c declares it, looked up once. */
static const struct rset_measure *stats_block(void)
{
	static struct rset_measure m;
	if (!m.median)
		rset_measure_default(&m);
	return &m;
}

double rset_median(const json_t *rec)
{
	return rset_num(rec, stats_block()->median);
}

void rset_ci(const json_t *rec, double *lo, double *hi)
{
	*lo = rset_num(rec, stats_block()->ci_low);
	*hi = rset_num(rec, stats_block()->ci_high);
}

json_t *rset_medians(const json_t *set, const json_t *records)
{
	json_t *out = json_array();
	size_t i, r;
	json_t *c, *rec;
	json_array_foreach(json_object_get(set, "columns"), i, c) {
		const char *name = col_str(c, "name");
		if (!name || !is_str(col_str(c, "statistic"), "median"))
			continue;
		json_array_foreach(records, r, rec) {
			if (json_is_number(json_object_get(rec, name))) {
				json_array_append_new(out, json_string(name));
				break;
			}
		}
	}
	return out;
}
