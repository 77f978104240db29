/* test_lookup_cold.c — cold lookups without timing luck: the eviction
 * plan of every design covers every line of the memory it reads (each
 * line once, nothing else), the eviction routine flushes all of them, and
 * `lookup --cache both` produces a warm and a cold record for every design.
 * How cold "cold" proved to be is a timing probe, recorded by the
 * benchmark as context, not asserted here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cold.h"
#include "evict.h"
#include "lookup-bench.h"
#include "lookup.h"
#include "patterns.h"

static bool usable(const struct lookup_design *d)
{
	char why[96];

	return !d->usable || d->usable(why, sizeof(why));
}

static int cmp_uptr(const void *pa, const void *pb)
{
	uintptr_t a = *(const uintptr_t *)pa, b = *(const uintptr_t *)pb;

	return (a > b) - (a < b);
}

/* The plan is sorted (checked below), so a binary search finds a line. */
static bool line_in_plan(const struct evict_plan *p, uintptr_t line)
{
	return bsearch(&line, p->lines, p->n, sizeof(line), cmp_uptr) != NULL;
}

/* Every byte of every range lies in a planned line; every planned line
 * holds a byte of some range; no line twice. */
static void check_plan(const struct evict *e, const struct lookup_mem_range *r, size_t nr,
		       const struct evict_plan *p, const char *what)
{
	for (size_t i = 1; i < p->n; i++) /* sorted, so no line twice */
		assert_true(p->lines[i - 1] < p->lines[i]);
	/* Each byte's line: the first byte, then every line start after it. */
	for (size_t k = 0; k < nr; k++)
		for (size_t off = 0; off < r[k].len;
		     off = (((uintptr_t)r[k].p + off) / e->line + 1) * e->line - (uintptr_t)r[k].p)
			if (!line_in_plan(p, ((uintptr_t)r[k].p + off) / e->line * e->line))
				fail_msg("%s: byte %zu of range %zu is in no planned line", what, off,
					 k);
	for (size_t i = 0; i < p->n; i++) {
		bool used = false;

		for (size_t k = 0; k < nr && !used; k++)
			used = r[k].len && p->lines[i] + e->line > (uintptr_t)r[k].p &&
			       p->lines[i] < (uintptr_t)r[k].p + r[k].len;
		if (!used)
			fail_msg("%s: planned line %zu holds no byte of the design", what, i);
	}
}

static void test_plans_cover_designs(void **state)
{
	struct evict e;

	(void)state;
	assert_int_equal(evict_init(&e, false), 0);
	for (int fli = 0; fli < 2; fli++) {
		enum pmuf_flavor fl = fli ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL;

		for (size_t n = 0; n <= 300; n += 60) {
			struct lookup_gen g = {
				.flavor = fl, .n = n, .enc = lookup_encoding_find("masked/16"),
				.action = PMUF_ALLOW, .shape = "random",
			};
			struct pmuf_filter f;

			assert_int_equal(lookup_gen_filter(&g, 7 + n, &f), 0);
			for (const struct lookup_design *const *dp = lookup_designs; *dp; dp++) {
				const struct lookup_design *d = *dp;
				struct lookup_mem_range r[LOOKUP_MAX_RANGES];
				struct evict_plan p;
				size_t nr, total = 0;
				void *st = NULL;
				char what[96];

				if (!usable(d) || !lookup_supports(d, &f, fl))
					continue;
				snprintf(what, sizeof(what), "%s n=%zu %s", d->name, n,
					 pmuf_flavor_name(fl));
				assert_non_null(d->mem_ranges);
				assert_int_equal(d->build(&f, fl, 0, &st), 0);
				nr = d->mem_ranges(st, r, LOOKUP_MAX_RANGES);
				assert_true(nr >= 1);
				assert_ptr_equal(r[0].p, st); /* the state itself first */
				for (size_t k = 0; k < nr; k++)
					total += r[k].len;
				/* Everything the design says it holds is in its ranges. */
				if (total < d->footprint_bytes(st))
					fail_msg("%s: ranges %zu B < footprint %zu B", what, total,
						 d->footprint_bytes(st));
				assert_int_equal(cold_plan(d, st, &e, &p), 0);
				check_plan(&e, r, nr, &p, what);
				/* The routine flushes exactly the planned lines. */
				assert_int_equal(evict_run(&e, &p), p.n);
				/* and the design still answers (flushing loses no data). */
				(void)d->decide(st, 0x4300C0);
				evict_plan_free(&p);
				d->free(st);
			}
			pmuf_free(&f);
		}
	}
	evict_free(&e);
}

/* Unaligned and overlapping ranges: lines shared by two ranges once. */
static void test_plan_edges(void **state)
{
	struct evict e;
	uint8_t *mem = aligned_alloc(64, 1024);
	struct lookup_mem_range r[3] = {
		{ mem + 3, 10 },    /* inside line 0 */
		{ mem + 60, 200 },  /* lines 0..4 */
		{ mem + 700, 0 },   /* empty: no line */
	};
	struct evict_plan p;

	(void)state;
	assert_non_null(mem);
	assert_int_equal(evict_init(&e, false), 0);
	e.line = 64;
	assert_int_equal(evict_plan_make(&e, r, 3, &p), 0);
	assert_int_equal(p.n, 5);
	check_plan(&e, r, 3, &p, "edges");
	evict_plan_free(&p);
	evict_free(&e);
	free(mem);
}

/* The eviction buffer, when asked for: twice the LLC, walked whole. */
static void test_buffer_mode(void **state)
{
	struct evict e;
	struct evict_plan p = { 0 };

	(void)state;
	assert_int_equal(evict_init(&e, true), 0);
	assert_int_equal(e.how, EVICT_BUFFER);
	assert_true(e.buflen >= (e.llc_bytes ? 2 * e.llc_bytes : 1));
	assert_int_equal(evict_run(&e, &p), e.buflen / e.line);
	evict_free(&e);
}

/* `lookup --cache both`, tiny: a warm and a cold record for every design. */
static void test_cold_records_every_design(void **state)
{
	struct lookup_bench_opts o;
	json_t *set = NULL, *rec;
	struct lookup_failures fails = { 0 };
	size_t i;
	char msg[256];
	char *argv[] = { "test" };

	(void)state;
	lookup_bench_defaults(&o, true);
	o.sizes[0] = 16;
	o.nsizes = 1;
	o.nencs = 1; /* exact: every design, the exact-only replicas too */
	o.npatterns = 1;
	o.patterns[0] = LOOKUP_PAT_HIT;
	o.samples = 3;
	o.repeats = 1;
	o.cache_cold = true;
	assert_int_equal(lookup_bench_run(&o, 1, argv, &set, &fails, msg, sizeof(msg)), 0);
	assert_int_equal(fails.errors, 0);
	json_decref(fails.mismatches);
	for (size_t d = 0; d <= o.ndesigns; d++) {
		const char *name = d < o.ndesigns ? o.designs[d]->name : "floor-l1";
		bool warm = false, cold = false;

		if (d < o.ndesigns && !usable(o.designs[d]))
			continue;
		json_array_foreach(json_object_get(set, "records"), i, rec) {
			const char *c = json_string_value(json_object_get(rec, "cache"));

			if (strcmp(json_string_value(json_object_get(rec, "design")), name))
				continue;
			warm |= !strcmp(c, "warm");
			if (!strcmp(c, "cold")) {
				cold = true;
				assert_string_equal(
					json_string_value(json_object_get(rec, "mode")), "latency");
				assert_true(json_integer_value(json_object_get(rec, "evicted_lines")) >=
					    1);
			}
		}
		if (!warm || !cold)
			fail_msg("%s: warm %d cold %d", name, warm, cold);
	}
	assert_non_null(json_object_get(
		json_object_get(json_object_get(json_object_get(set, "context"), "lookup"), "cold"),
		"eviction"));
	json_decref(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plans_cover_designs),
		cmocka_unit_test(test_plan_edges),
		cmocka_unit_test(test_buffer_mode),
		cmocka_unit_test(test_cold_records_every_design),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
