/* test_limits.c — the limit study end to end on tiny sizes: every kind of
 * record is there (lookup warm and cold for every design at every size,
 * install per sort generation with the kernel's refusal marked, the PMU
 * table's exact and compiled sizes), and the report's part has its table
 * and a conclusion built from those records. No timing is asserted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "limit-study.h"
#include "lookup.h"
#include "report.h"

static size_t count(const json_t *recs, const char *kind, const char *design, json_int_t size,
		    const char *cache)
{
	size_t n = 0, i;
	json_t *r;

	json_array_foreach(recs, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "kind")), kind))
			continue;
		if (design && strcmp(json_string_value(json_object_get(r, "design")), design))
			continue;
		if (size >= 0 && json_integer_value(json_object_get(r, "size")) != size)
			continue;
		if (cache && strcmp(json_string_value(json_object_get(r, "cache")), cache))
			continue;
		n++;
	}
	return n;
}

static void test_limits_tiny(void **state)
{
	struct limits_opts o;
	json_t *set = NULL, *recs, *r;
	size_t errors = 0, i;
	char msg[256], *argv[] = { "test" };
	static const json_int_t sizes[] = { 300, 400 };

	(void)state;
	limits_defaults(&o, true);
	o.sizes[0] = 300;
	o.sizes[1] = 400;
	o.nsizes = 2;
	o.npmus = 1;
	o.pmus[0] = "icl";
	o.samples = 3;
	assert_int_equal(limits_run(&o, 1, argv, &set, &errors, msg, sizeof(msg)), 0);
	assert_int_equal(errors, 0);
	recs = json_object_get(set, "records");
	for (const struct lookup_design *const *dp = lookup_designs; *dp; dp++) {
		char why[96];

		if ((*dp)->usable && !(*dp)->usable(why, sizeof(why)))
			continue;
		/* A design the flavor has no form for (arm64's 16-bit events on
		 * the AMD flavor) is a listed skip, not a record. */
		struct pmuf_filter exact;
		pmuf_init(&exact, PMUF_ARCH_X86);
		const char *no = lookup_unsupported(*dp, &exact, o.flavor);
		pmuf_free(&exact);
		if (no) {
			bool listed = false;
			json_array_foreach(json_object_get(set, "skipped"), i, r)
				listed |= !strcmp(json_string_value(json_object_get(r, "why")), no);
			assert_true(listed);
			continue;
		}
		for (int s = 0; s < 2; s++) {
			if (count(recs, "lookup", (*dp)->name, sizes[s], "warm") != 1 ||
			    count(recs, "lookup", (*dp)->name, sizes[s], "cold") != 1)
				fail_msg("%s at %lld: no warm and cold record", (*dp)->name,
					 (long long)sizes[s]);
		}
	}
	assert_int_equal(count(recs, "install", NULL, 300, NULL), KLIB_SORT_NGENS);
	assert_int_equal(count(recs, "install", NULL, 400, NULL), KLIB_SORT_NGENS);
	json_array_foreach(recs, i, r) {
		const char *kind = json_string_value(json_object_get(r, "kind"));

		if (!strcmp(kind, "install")) {
			assert_true(json_integer_value(json_object_get(r, "comparisons")) > 0);
			assert_int_equal(json_is_true(json_object_get(r, "kernel_refuses")),
					 json_integer_value(json_object_get(r, "size")) > 300);
		} else if (!strcmp(kind, "lookup") &&
			   !strcmp(json_string_value(json_object_get(r, "design")), "k6.3-masked")) {
			/* The kernel's allocation: 40 + 8n. */
			assert_int_equal(json_integer_value(json_object_get(r, "footprint_bytes")),
					 40 + 8 * json_integer_value(json_object_get(r, "size")));
		}
	}
	/* icl: a table libpfm4 always has (inactive PMUs are encodable). */
	assert_int_equal(count(recs, "pmu", NULL, -1, NULL), 1);
	json_array_foreach(recs, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "kind")), "pmu"))
			continue;
		assert_true(json_integer_value(json_object_get(r, "exact_entries")) > 0);
		assert_true(json_integer_value(json_object_get(r, "compiled_masked_entries")) > 0);
	}

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	report_limits(f, set);
	fclose(f);
	assert_non_null(strstr(text, "| 300 (today) |"));
	assert_non_null(strstr(text, "| 400 |"));
	assert_non_null(strstr(text, "**Conclusion.** At 400 entries the kernel's bsearch"));
	assert_non_null(strstr(text, "icl (intel flavor)"));
	free(text);
	json_decref(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits_tiny),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
