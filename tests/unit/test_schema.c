/* test_schema.c — the declared record schemas (bench/common/schema.h):
 * every table is well formed, results/README.md's field list is exactly
 * what `pfbench schema` prints from them, and a set without "columns"
 * (written before sets declared them) gets them from the compatibility
 * mapping, e.g. the committed reference result set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rset.h"

#define README "results/README.md"
#define BEGIN "<!-- begin `pfbench schema` (generated: do not edit by hand) -->\n"
#define END "<!-- end `pfbench schema` -->"
#define REFERENCE_SET "results/amd-f26m2-vm-7e59f0f8/20261122T031057Z"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, len = 0, n;
	do {
		if (len + 4096 > cap) {
			cap = 2 * cap + 4096;
			char *nb = realloc(buf, cap + 1);
			assert_non_null(nb);
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = 0;
	return buf;
}

/* Names unique in a table (statistics expanded), a description and a
 * valid role and type on every column, at least one key. */
static void test_tables_well_formed(void **state)
{
	(void)state;
	size_t n = 0;
	for (const struct schema *const *s = rset_schemas(); *s; s++, n++) {
		assert_ptr_equal(rset_schema_find((*s)->bench), *s);
		json_t *cols = schema_columns_json(*s), *keys = schema_key_names(*s);
		assert_true(json_array_size(keys) >= 1);
		size_t i;
		json_t *c;
		json_array_foreach(cols, i, c) {
			const char *name = json_string_value(json_object_get(c, "name"));
			assert_non_null(name);
			if (schema_column(cols, name) != c)
				fail_msg("%s: column %s declared twice", (*s)->bench, name);
			assert_true(schema_role_parse(json_string_value(json_object_get(c, "role"))) >= 0);
			assert_true(schema_type_parse(json_string_value(json_object_get(c, "type"))) >= 0);
			assert_true(strlen(json_string_value(json_object_get(c, "description"))) > 3);
		}
		json_decref(cols);
		json_decref(keys);
	}
	assert_int_equal(n, 5); /* lookup, install, exit, check, limits */
	assert_null(rset_schema_find("nope"));
	assert_null(rset_schema_doc("nope"));
}

/* results/README.md holds, between its markers, exactly `pfbench schema`. */
static void test_readme_matches_tables(void **state)
{
	(void)state;
	char *readme = slurp(README);
	if (!readme)
		fail_msg("cannot read %s (run the tests from the source tree)", README);
	char *doc = rset_schema_doc(NULL);
	assert_non_null(doc);
	char *b = strstr(readme, BEGIN), *e = b ? strstr(b, END) : NULL;
	if (!b || !e)
		fail_msg("%s lacks the generated block (%s ... %s)", README, BEGIN, END);
	b += strlen(BEGIN);
	*e = 0;
	if (strcmp(b, doc)) {
		size_t i = 0;
		while (b[i] && b[i] == doc[i])
			i++;
		fail_msg("%s differs from `pfbench schema` at byte %zu of the block: "
			 "regenerate it with build/pfbench schema", README, i);
	}
	free(doc);
	free(readme);
}

/* A set without "columns" loads with them: its own key_columns are the
 * keys, declared fields keep their roles, an unknown field is taken by
 * its name. */
static void test_compat_mapping(void **state)
{
	(void)state;
	json_t *set = json_pack("{s:s, s:s, s:[{s:s, s:i, s:s, s:f, s:i, s:s, s:i}], s:[s,s]}",
				"schema", SCHEMA_VERSION, "bench", "install", "records", "case",
				"valid", "size", 8, "vcpu_state", "none", "median_ns", 1.5,
				"old_count", 3, "old_name", "x", "build_calls", 2, "key_columns",
				"case", "size");
	json_object_set_new(set, "columns", rset_compat_columns(set));
	json_t *keys = rset_set_keys(set, NULL);
	assert_int_equal(json_array_size(keys), 2);
	assert_string_equal(json_string_value(json_array_get(keys, 0)), "case");
	assert_string_equal(json_string_value(json_array_get(keys, 1)), "size");
	json_decref(keys);
	assert_int_equal(rset_role(set, "vcpu_state"), COL_CONTEXT); /* not in its keys */
	assert_int_equal(rset_role(set, "median_ns"), COL_MEASURE);
	assert_string_equal(rset_unit(set, "median_ns"), "ns");
	assert_int_equal(rset_role(set, "old_count"), COL_OUTCOME);
	assert_int_equal(rset_role(set, "build_calls"), COL_OUTCOME);
	assert_int_equal(rset_role(set, "old_name"), COL_CONTEXT);
	assert_int_equal(rset_role(set, "absent"), -1);
	json_decref(set);

	/* Without key_columns an undeclared string is a key. */
	set = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "schema", SCHEMA_VERSION, "bench", "gone",
			"records", "variant", "a", "why", "b");
	json_object_set_new(set, "columns", rset_compat_columns(set));
	assert_int_equal(rset_role(set, "variant"), COL_KEY);
	assert_int_equal(rset_role(set, "why"), COL_OUTCOME);
	json_decref(set);
}

/* The committed reference set (no "columns") loads with the keys it
 * declared, every field given a role. */
static void test_reference_set_loads(void **state)
{
	(void)state;
	json_t *sets = NULL;
	char err[512] = "";
	if (rset_load(REFERENCE_SET, &sets, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(json_array_size(sets), 4);
	size_t i;
	json_t *set;
	json_array_foreach(sets, i, set) {
		const json_t *old = json_object_get(set, "key_columns");
		json_t *keys = rset_set_keys(set, NULL);
		assert_true(json_equal(keys, old));
		json_decref(keys);
		size_t r;
		json_t *rec;
		json_array_foreach(json_object_get(set, "records"), r, rec) {
			const char *name;
			json_t *v;
			json_object_foreach(rec, name, v) assert_true(rset_role(set, name) >= 0);
		}
	}
	json_decref(sets);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_well_formed),
		cmocka_unit_test(test_readme_matches_tables),
		cmocka_unit_test(test_compat_mapping),
		cmocka_unit_test(test_reference_set_loads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
