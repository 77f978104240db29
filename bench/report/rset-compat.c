/* rset-compat.c — see rset.h: the one mapping that gives a result set
 * written before sets carried "columns" (e.g. the committed
 * results/amd-f26m2-vm-7e59f0f8/20261122T031057Z/) its columns, and one
 * written before columns said which statistic they are its tags. */
#include "rset.h"

#include <string.h>

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static bool in_names(const char *name, const char *const *exact, const char *const *suffix,
		     const char *const *prefix)
{
	for (const char *const *p = exact; *p; p++)
		if (!strcmp(name, *p))
			return true;
	for (const char *const *p = suffix; *p; p++)
		if (ends_with(name, *p))
			return true;
	for (const char *const *p = prefix; *p; p++)
		if (!strncmp(name, *p, strlen(*p)))
			return true;
	return false;
}

/* A field no schema declares (a benchmark's field that has since been
 * renamed or dropped), by the naming rules results/README.md gave before
 * sets declared their columns: figures (reals, arrays, *_ns, *_cycles and
 * the statistics with any prefix) are measures, what a run observed are
 * outcomes, any other scalar is a key. */
static enum col_role legacy_role(const char *name, const json_t *v)
{
	static const char *const none[] = { NULL };
	static const char *const m_exact[] = { "samples", "cv", "outliers", NULL };
	static const char *const m_suffix[] = { "_ns", "_cycles", "_samples", "_cv", "_outliers",
						NULL };
	static const char *const o_exact[] = { "why", "status", "measures", "verified", "repeats",
					       "result", "reason", NULL };
	static const char *const o_suffix[] = { "_why", "_insns", "_calls", "_exits", "_faults",
						"_vector", "_pct", "_count", "_per_sample",
						"_bytes", NULL };
	static const char *const o_prefix[] = { "hist_", "kvm_", "count_", "agree_", NULL };
	if (json_is_real(v) || json_is_array(v) || json_is_object(v) ||
	    in_names(name, m_exact, m_suffix, none))
		return COL_MEASURE;
	if (in_names(name, o_exact, o_suffix, o_prefix))
		return COL_OUTCOME;
	return COL_KEY;
}

static const char *json_type_name(const json_t *v)
{
	if (json_is_string(v))
		return "string";
	if (json_is_integer(v))
		return "integer";
	if (json_is_real(v))
		return "real";
	if (json_is_boolean(v))
		return "bool";
	return json_is_array(v) ? "array" : "string";
}

/* The role of an old set's field: its own "key_columns", when it has
 * them, decide the keys as they did when it was written; otherwise the
 * current schema, else the old naming rules. */
static enum col_role compat_role(const json_t *declared, const char *name, const json_t *v,
				 const json_t *old_keys)
{
	int role = declared ? schema_role_parse(json_string_value(json_object_get(declared, "role")))
			    : (int)legacy_role(name, v);
	if (!json_is_array(old_keys) || role < 0)
		return role < 0 ? COL_CONTEXT : (enum col_role)role;
	if (rset_in_list(old_keys, name))
		return COL_KEY;
	return role == COL_KEY ? COL_CONTEXT : (enum col_role)role;
}

static json_t *compat_column(const json_t *declared, const char *name, const json_t *v,
			     const json_t *old_keys)
{
	json_t *c = declared ? json_deep_copy(declared)
			     : json_pack("{s:s, s:s, s:n, s:s}", "name", name, "type",
					 json_type_name(v), "unit", "description",
					 "not declared by this pfbench (an older field)");
	json_object_set_new(c, "role",
			    json_string(schema_role_name(compat_role(declared, name, v, old_keys))));
	return c;
}

json_t *rset_compat_columns(const json_t *set)
{
	const struct schema *s = rset_schema_find(json_string_value(json_object_get(set, "bench")));
	json_t *declared = s ? schema_columns_json(s) : json_array();
	const json_t *old_keys = json_object_get(set, "key_columns");
	json_t *cols = json_array(), *seen = json_array();
	size_t i;
	json_t *rec, *k;
	/* The old key list first, in its order: the order compare and report
	 * showed keys in. */
	json_array_foreach(old_keys, i, k) if (json_is_string(k))
		json_array_append(seen, k);
	json_array_foreach(json_object_get(set, "records"), i, rec) {
		const char *name;
		json_t *v;
		json_object_foreach(rec, name, v) {
			if (!rset_in_list(seen, name))
				json_array_append_new(seen, json_string(name));
		}
	}
	json_array_foreach(seen, i, k) {
		const char *name = json_string_value(k);
		json_t *v = NULL;
		size_t r;
		/* The first non-null value tells an undeclared field's type. */
		json_array_foreach(json_object_get(set, "records"), r, rec) {
			v = json_object_get(rec, name);
			if (v && !json_is_null(v))
				break;
		}
		json_array_append_new(cols, compat_column(schema_column(declared, name), name,
							  v ? v : json_null(), old_keys));
	}
	json_decref(seen);
	json_decref(declared);
	return cols;
}

void rset_compat_tags(json_t *set)
{
	json_t *cols = json_object_get(set, "columns");
	size_t i;
	json_t *c;
	json_array_foreach(cols, i, c) if (json_object_get(c, "statistic"))
		return;
	const struct schema *s = rset_schema_find(json_string_value(json_object_get(set, "bench")));
	if (!s)
		return;
	json_t *declared = schema_columns_json(s);
	json_array_foreach(cols, i, c) {
		const json_t *d = schema_column(declared, json_string_value(json_object_get(c, "name")));
		if (d && json_equal(json_object_get(d, "role"), json_object_get(c, "role")) &&
		    json_equal(json_object_get(d, "unit"), json_object_get(c, "unit")) &&
		    json_object_get(d, "statistic")) {
			json_object_set(c, "statistic", json_object_get(d, "statistic"));
			json_object_set(c, "block", json_object_get(d, "block"));
		}
	}
	json_decref(declared);
}

void rset_compat_control(json_t *set)
{
	if (json_object_get(set, "control"))
		return;
	const struct schema *s = rset_schema_find(json_string_value(json_object_get(set, "bench")));
	json_t *c = s ? schema_control_json(s) : NULL;
	if (c)
		json_object_set_new(set, "control", c);
}
