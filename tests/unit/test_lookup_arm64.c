/* test_lookup_arm64.c — the arm64 kernel's check as a lookup design
 * (bench/lookup/design-arm64.c, k5.10-arm64-bitmap):
 *  - built from random arm64 range filters (10- and 16-bit event spaces,
 *    first action either way, overlapping and empty ranges), it decides
 *    every event as filters/arm64.c's model does, in decide() and in the
 *    timed loops;
 *  - the arm64 form of the sweep's x86 filters (lookup_arm64_filter): the
 *    same events as bits — its model decisions equal the x86 reference's
 *    at every Intel (select, umask) but SW_INCR (0) and CHAIN (0x1E),
 *    which arm64 never filters; one range per run of events, all with the
 *    filter's action; the design built from the x86 filter passes the
 *    bench's check against lookup_arm64_reference_table;
 *  - the AMD flavor has no arm64 form.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lookup.h"
#include "patterns.h"

static const struct lookup_design *arm(void)
{
	const struct lookup_design *d = lookup_find("k5.10-arm64-bitmap");

	assert_non_null(d);
	assert_true(d->flags & LOOKUP_F_ARM64);
	assert_true(d->flags & LOOKUP_F_KERNEL);
	return d;
}

/* A random arm64 filter: 1..12 ranges, some empty, some overlapping. */
static void random_arm(struct pmuf_filter *f, struct lookup_rng *r, unsigned bits)
{
	unsigned nr = bits == 10 ? 1024u : 65536u;
	unsigned n = 1 + (unsigned)lookup_rng_below(r, 12);

	pmuf_init(f, PMUF_ARCH_ARM64);
	f->arm_event_bits = bits;
	for (unsigned i = 0; i < n; i++) {
		unsigned base = (unsigned)lookup_rng_below(r, nr);
		unsigned len = lookup_rng_below(r, 8) == 0 ? 0
						     : (unsigned)lookup_rng_below(r, nr - base + 1);
		if (len > 0xFFFF)
			len = 0xFFFF;
		/* Small ranges near the special events too. */
		if (lookup_rng_below(r, 4) == 0) {
			base = (unsigned)lookup_rng_below(r, 40);
			len = (unsigned)lookup_rng_below(r, 8);
		}
		assert_int_equal(pmuf_add_range(f, base, len, (uint32_t)lookup_rng_below(r, 2)), 0);
	}
}

static void test_random_ranges(void **state)
{
	const struct lookup_design *d = arm();
	struct lookup_rng r = { 42 };

	(void)state;
	for (int k = 0; k < 40; k++) {
		unsigned bits = k % 2 ? 16 : 10, nr = bits == 10 ? 1024u : 65536u;
		struct pmuf_filter f;
		void *st = NULL;
		uint64_t *bm = NULL, *ev = malloc(nr * sizeof(*ev)), want = 0;
		char what[64];

		assert_non_null(ev);
		random_arm(&f, &r, bits);
		snprintf(what, sizeof(what), "filter %d (%u bits, %zu ranges)", k, bits, f.nranges);
		assert_int_equal(d->build(&f, PMUF_FLAVOR_UNSET, 0, &st), 0);
		assert_int_equal(pmuf_arm_bitmap(&f, &bm, NULL), 0);
		for (unsigned e = 0; e < nr; e++) {
			bool model = pmuf_arm_bitmap_allows(bm, e);

			if (d->decide(st, e) != model)
				fail_msg("%s: event 0x%x: design %d, model %d", what, e, !model, model);
			/* The bits above the event number are not the event. */
			assert_int_equal(d->decide(st, e | 0xFF000000u | ((uint64_t)1 << 40)), model);
			ev[e] = e;
			want += model;
		}
		/* The model's own per-event entry point, on a sample. */
		for (int i = 0; i < 256; i++) {
			unsigned e = (unsigned)lookup_rng_below(&r, nr);
			bool a;

			assert_int_equal(pmuf_arm_decide(&f, e, &a), 0);
			assert_int_equal(d->decide(st, e), a);
		}
		assert_int_equal(d->run_throughput(st, ev, nr, 1, 0), want);
		assert_int_equal(d->run_latency(st, ev, nr, 1, 0), want);
		assert_int_equal(d->footprint_bytes(st), d->footprint_bytes(st));
		assert_true(d->footprint_bytes(st) >= nr / 8);
		free(bm);
		free(ev);
		d->free(st);
		pmuf_free(&f);
	}
}

/* SW_INCR and CHAIN count whatever the filter says; the first filter's
 * action sets the default; no ranges is no bitmap. */
static void test_fixed_cases(void **state)
{
	const struct lookup_design *d = arm();
	struct pmuf_filter f;
	void *st;

	(void)state;
	pmuf_init(&f, PMUF_ARCH_ARM64);
	assert_int_equal(d->build(&f, PMUF_FLAVOR_UNSET, 0, &st), 0);
	assert_true(d->decide(st, 0x11) && d->decide(st, 0x1234));
	d->free(st);

	assert_int_equal(pmuf_add_range(&f, 0, 10, PMUF_ALLOW), 0);
	assert_int_equal(d->build(&f, PMUF_FLAVOR_UNSET, 0, &st), 0);
	assert_true(d->decide(st, 9));
	assert_false(d->decide(st, 10));
	assert_false(d->decide(st, 0x11));
	assert_true(d->decide(st, 0x1E)); /* CHAIN */
	assert_true(d->footprint_bytes(st) >= 8192 && d->footprint_bytes(st) < 8192 + 64);
	d->free(st);

	assert_int_equal(pmuf_add_range(&f, 0, 0x20, PMUF_DENY), 0);
	assert_int_equal(d->build(&f, PMUF_FLAVOR_UNSET, 0, &st), 0);
	assert_true(d->decide(st, 0));  /* SW_INCR */
	assert_false(d->decide(st, 8)); /* INST_RETIRED: cancelled, not restored */
	d->free(st);
	pmuf_free(&f);

	/* A first DENY: everything else allowed; 10-bit events: 128 B. */
	pmuf_init(&f, PMUF_ARCH_ARM64);
	f.arm_event_bits = 10;
	assert_int_equal(pmuf_add_range(&f, 0x11, 1, PMUF_DENY), 0);
	assert_int_equal(d->build(&f, PMUF_FLAVOR_UNSET, 0, &st), 0);
	assert_false(d->decide(st, 0x11));
	assert_true(d->decide(st, 0x08));
	assert_false(d->decide(st, 0x411)); /* 10-bit mask: 0x411 is event 0x11 */
	assert_true(d->footprint_bytes(st) < 512);
	d->free(st);
	pmuf_free(&f);
}

/* The sweep's x86 filters, as the same events as bits. */
static void check_x86(const struct pmuf_filter *f, const char *what)
{
	const struct lookup_design *d = arm();
	struct pmuf_filter a;
	uint8_t *x86 = NULL, *ref = NULL;
	uint64_t *bm = NULL;
	bool composed;
	void *st = NULL;
	char msg[256];

	assert_int_equal(lookup_arm64_filter(f, PMUF_FLAVOR_INTEL, 0, &a), 0);
	assert_int_equal(a.arch, PMUF_ARCH_ARM64);
	assert_int_equal(pmuf_arm_nr_events(&a), 65536);
	assert_true(a.nranges >= 1);
	for (size_t i = 0; i < a.nranges; i++)
		assert_int_equal(a.ranges[i].action, f->action);
	assert_int_equal(pmuf_arm_bitmap(&a, &bm, NULL), 0);
	assert_int_equal(lookup_reference_table(f, PMUF_FLAVOR_INTEL, PMUF_KERNEL_6_3, &x86,
						&composed), 0);
	for (unsigned e = 0; e < 65536; e++) {
		uint64_t es = pmuf_eventsel_make((uint16_t)(e & 0xFF), (uint8_t)(e >> 8));
		bool want = x86[lookup_space_index(PMUF_FLAVOR_INTEL, es)];

		if (e == PMUF_ARM_EVENT_SW_INCR || e == PMUF_ARM_EVENT_CHAIN)
			want = true;
		if (pmuf_arm_bitmap_allows(bm, e) != want)
			fail_msg("%s: event 0x%04x: arm64 form %d, x86 %d", what, e, !want, want);
	}
	/* The design from the x86 filter, checked as the bench checks it. */
	assert_int_equal(lookup_arm64_reference_table(f, PMUF_FLAVOR_INTEL, &ref), 0);
	assert_int_equal(d->build(f, PMUF_FLAVOR_INTEL, 0, &st), 0);
	if (lookup_verify(d, st, PMUF_FLAVOR_INTEL, ref, msg, sizeof(msg)))
		fail_msg("%s: %s", what, msg);
	d->free(st);
	free(ref);
	free(x86);
	free(bm);
	pmuf_free(&a);
}

static void test_x86_forms(void **state)
{
	static const size_t sizes[] = { 0, 1, 16, 64, 300 };
	static const char *const encs[] = { "exact", "masked/16", "masked/128" };
	static const char *const shapes[] = { "random", "one-select" };

	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t e = 0; e < 3; e++)
			for (size_t sh = 0; sh < 2; sh++)
				for (uint32_t action = 0; action < 2; action++) {
					struct lookup_gen g = {
						.flavor = PMUF_FLAVOR_INTEL, .n = sizes[s],
						.enc = lookup_encoding_find(encs[e]),
						.action = action, .shape = shapes[sh],
					};
					struct pmuf_filter f;
					char what[96];
					int err = lookup_gen_filter(&g, 11 + s * 7 + e * 3 + sh, &f);

					if (err == -ENOSPC)
						continue;
					assert_int_equal(err, 0);
					snprintf(what, sizeof(what), "n=%zu %s %s %s", sizes[s], encs[e],
						 shapes[sh], action ? "deny" : "allow");
					check_x86(&f, what);
					pmuf_free(&f);
				}
}

/* An exact filter of n events no two adjacent (each its own umask): n
 * one-event ranges. */
static void test_exact_one_range_each(void **state)
{
	struct pmuf_filter f, a;

	(void)state;
	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = PMUF_ALLOW;
	for (unsigned i = 0; i < 100; i++)
		assert_int_equal(pmuf_add_event(&f, pmuf_exact_encode((uint16_t)(0x20 + i),
								      (uint8_t)i), NULL), 0);
	assert_int_equal(lookup_arm64_filter(&f, PMUF_FLAVOR_INTEL, 0, &a), 0);
	assert_int_equal(a.nranges, 100);
	for (size_t i = 0; i < a.nranges; i++)
		assert_int_equal(a.ranges[i].nevents, 1);
	pmuf_free(&a);
	/* Adjacent selects of one umask are one range. */
	pmuf_free(&f);
	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = PMUF_DENY;
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(pmuf_add_event(&f, pmuf_exact_encode((uint16_t)(0xC0 + i), 0x01),
						 NULL), 0);
	assert_int_equal(lookup_arm64_filter(&f, PMUF_FLAVOR_INTEL, 0, &a), 0);
	assert_int_equal(a.nranges, 1);
	assert_int_equal(a.ranges[0].base, 0x01C0);
	assert_int_equal(a.ranges[0].nevents, 5);
	assert_int_equal(a.ranges[0].action, PMUF_DENY);
	pmuf_free(&a);
	/* No events: one empty range with the action, the default alone. */
	pmuf_free(&f);
	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = PMUF_ALLOW;
	assert_int_equal(lookup_arm64_filter(&f, PMUF_FLAVOR_INTEL, 0, &a), 0);
	assert_int_equal(a.nranges, 1);
	assert_int_equal(a.ranges[0].nevents, 0);
	bool allowed;
	assert_int_equal(pmuf_arm_decide(&a, 0x11, &allowed), 0);
	assert_false(allowed);
	pmuf_free(&a);
	pmuf_free(&f);
}

static void test_amd_unsupported(void **state)
{
	const struct lookup_design *d = arm();
	struct pmuf_filter f, a;
	void *st = NULL;

	(void)state;
	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = PMUF_ALLOW;
	assert_int_equal(pmuf_add_event(&f, pmuf_exact_encode(0x1C0, 0), NULL), 0);
	assert_int_equal(lookup_arm64_filter(&f, PMUF_FLAVOR_AMD, 0, &a), -EOPNOTSUPP);
	assert_int_equal(d->build(&f, PMUF_FLAVOR_AMD, 0, &st), -EOPNOTSUPP);
	assert_non_null(lookup_unsupported(d, &f, PMUF_FLAVOR_AMD));
	assert_null(lookup_unsupported(d, &f, PMUF_FLAVOR_INTEL));
	assert_false(lookup_supports(d, &f, PMUF_FLAVOR_AMD));
	assert_string_equal(lookup_reference_name(d), "arm64");
	pmuf_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_cases),
		cmocka_unit_test(test_random_ranges),
		cmocka_unit_test(test_exact_one_range_each),
		cmocka_unit_test(test_x86_forms),
		cmocka_unit_test(test_amd_unsupported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
