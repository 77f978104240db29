/* test_filters_compile.c — pmuf_compile and pmuf_equivalent (filters/compile.c).
 * Every compiled filter is checked against its input with an independent
 * exhaustive comparison (pmuf_decider_* with the 6.3 lookup over every
 * (select, umask) pair of the flavor, pmuf_decide_fixed for counters 0..31),
 * as well as with pmuf_equivalent. Random wanted sets: exact lists of
 * 0..300 entries, masked filters, the differential generator's filters;
 * both flavors and every action choice. Known cases: a whole select, the
 * {0x81,0x82,0x83} triple, the kernel selftest's masked cases, "all but
 * one event" (auto picks DENY), inputs over 300 entries, an over-limit
 * result (-E2BIG). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pmuf-random.h"
#include "pmuf.h"

#define MASKED KVM_PMU_EVENT_FLAG_MASKED_EVENTS

static const enum pmuf_flavor flavors[2] = { PMUF_FLAVOR_INTEL, PMUF_FLAVOR_AMD };
static const enum pmuf_action_choice choices[3] = { PMUF_CHOOSE_ALLOW, PMUF_CHOOSE_DENY, PMUF_CHOOSE_AUTO };

/* Independent of compile.c: the 6.3 decider on both, every pair. in must
 * be within the kernel's limit. */
static void assert_same_decisions(const struct pmuf_filter *in, const struct pmuf_filter *out,
				  enum pmuf_flavor fl)
{
	struct pmuf_decider da, db;
	assert_int_equal(pmuf_decider_init(in, fl, PMUF_KERNEL_6_3, &da), 0);
	assert_int_equal(pmuf_decider_init(out, fl, PMUF_KERNEL_6_3, &db), 0);
	unsigned nsel = 1u << pmuf_flavor_select_bits(fl);
	for (unsigned sel = 0; sel < nsel; sel++)
		for (unsigned u = 0; u < 256; u++) {
			uint64_t ev = pmuf_eventsel_make((uint16_t)sel, (uint8_t)u);
			if (pmuf_decider_allows(&da, ev) != pmuf_decider_allows(&db, ev))
				fail_msg("differ at select 0x%03x umask 0x%02x (flavor %s)", sel, u,
					 pmuf_flavor_name(fl));
		}
	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(pmuf_decide_fixed(in, i), pmuf_decide_fixed(out, i));
	pmuf_decider_free(&da);
	pmuf_decider_free(&db);
}

/* Compiles in, checks the result's shape and equivalence; returns its
 * size (over 300 when pmuf_compile said -E2BIG). */
static size_t compile_checked(const struct pmuf_filter *in, enum pmuf_flavor fl, enum pmuf_action_choice ch,
			      struct pmuf_filter *out)
{
	int err = pmuf_compile(in, fl, ch, out);
	if (err == -E2BIG) { /* filled all the same, and equivalent */
		assert_true(out->nevents > PMUF_KVM_MAX_EVENTS);
		assert_int_equal(pmuf_equivalent(in, out, fl, NULL), 0);
		return out->nevents;
	}
	assert_int_equal(err, 0);
	assert_int_equal(out->arch, PMUF_ARCH_X86);
	assert_int_equal(out->flags, MASKED);
	assert_int_equal(out->flavor, fl);
	if (ch != PMUF_CHOOSE_AUTO)
		assert_int_equal(out->action, (uint32_t)ch);
	struct pmuf_verdict v;
	assert_int_equal(pmuf_validate(out, fl, &v), 0);
	assert_int_equal(v.ndropped, 0);
	pmuf_verdict_free(&v);
	assert_int_equal(pmuf_equivalent(in, out, fl, NULL), 0);
	if (in->nevents <= PMUF_KVM_MAX_EVENTS)
		assert_same_decisions(in, out, fl);
	return out->nevents;
}

/* Entries the kernel keeps of an exact list (duplicates and dropped ones
 * removed: the cover never needs more than one entry per kept umask). */
static size_t kept_exact(const struct pmuf_filter *f, enum pmuf_flavor fl)
{
	struct pmuf_prepared p;
	assert_int_equal(pmuf_prepare(f, fl, &p), 0);
	size_t n = 0;
	for (size_t i = 0; i < p.nincludes; i++)
		n += !i || p.includes[i] != p.includes[i - 1];
	pmuf_prepared_free(&p);
	return n;
}

static uint16_t rnd_select(struct pmuf_rng *r, enum pmuf_flavor fl, const uint16_t *pool, unsigned npool)
{
	if (pmuf_rng_below(r, 4))
		return pool[pmuf_rng_below(r, npool)];
	return (uint16_t)pmuf_rng_below(r, 1u << pmuf_flavor_select_bits(fl));
}

static void test_random_exact(void **state)
{
	(void)state;
	struct pmuf_rng r;
	pmuf_rng_seed(&r, 0xC0FFEE);
	for (int fi = 0; fi < 2; fi++) {
		enum pmuf_flavor fl = flavors[fi];
		int ncases = fl == PMUF_FLAVOR_INTEL ? 24 : 8;
		for (int c = 0; c < ncases; c++) {
			uint16_t pool[4];
			for (int i = 0; i < 4; i++)
				pool[i] = (uint16_t)pmuf_rng_below(&r, 1u << pmuf_flavor_select_bits(fl));
			struct pmuf_filter in, out;
			pmuf_init(&in, PMUF_ARCH_X86);
			in.flavor = fl;
			in.action = pmuf_rng_below(&r, 2) ? PMUF_DENY : PMUF_ALLOW;
			in.fixed_counter_bitmap = (uint32_t)pmuf_rng_next(&r);
			unsigned n = c == 0 ? 0 : c == 1 ? 300 : pmuf_rng_below(&r, 301);
			uint8_t base = (uint8_t)pmuf_rng_next(&r);
			for (unsigned i = 0; i < n; i++) {
				/* umasks near a base so that they share bits and merge */
				uint8_t u = pmuf_rng_below(&r, 2) ? (uint8_t)(base ^ pmuf_rng_below(&r, 16))
								  : (uint8_t)pmuf_rng_next(&r);
				assert_int_equal(pmuf_add_event(&in, pmuf_exact_encode(rnd_select(&r, fl, pool, 4), u),
								NULL), 0);
			}
			enum pmuf_action_choice ch = choices[c % 3];
			size_t got = compile_checked(&in, fl, ch, &out);
			if (ch == PMUF_CHOOSE_AUTO || (uint32_t)ch == in.action) {
				if (got > kept_exact(&in, fl))
					fail_msg("case %d: %zu entries from %zu kept exact ones", c, got,
						 kept_exact(&in, fl));
			}
			pmuf_free(&in);
			pmuf_free(&out);
		}
	}
}

static void test_random_masked(void **state)
{
	(void)state;
	struct pmuf_rng r;
	pmuf_rng_seed(&r, 0xBADC0DE);
	for (int fi = 0; fi < 2; fi++) {
		enum pmuf_flavor fl = flavors[fi];
		int ncases = fl == PMUF_FLAVOR_INTEL ? 24 : 8;
		for (int c = 0; c < ncases; c++) {
			uint16_t pool[3];
			for (int i = 0; i < 3; i++)
				pool[i] = (uint16_t)pmuf_rng_below(&r, 1u << pmuf_flavor_select_bits(fl));
			struct pmuf_filter in, out;
			pmuf_init(&in, PMUF_ARCH_X86);
			in.flavor = fl;
			in.flags = MASKED;
			in.action = pmuf_rng_below(&r, 2) ? PMUF_DENY : PMUF_ALLOW;
			in.fixed_counter_bitmap = pmuf_rng_below(&r, 2) ? 0 : (uint32_t)pmuf_rng_next(&r);
			unsigned n = pmuf_rng_below(&r, c % 4 == 0 ? 301 : 24);
			for (unsigned i = 0; i < n; i++) {
				uint8_t mask = (uint8_t)(pmuf_rng_next(&r) & pmuf_rng_next(&r));
				uint8_t match = (uint8_t)pmuf_rng_next(&r) & mask;
				assert_int_equal(pmuf_add_event(&in, pmuf_masked_encode(rnd_select(&r, fl, pool, 3), mask, match,
											 pmuf_rng_below(&r, 3) == 0),
								NULL), 0);
			}
			size_t got = compile_checked(&in, fl, choices[c % 3], &out);
			struct pmuf_filter same;
			if (choices[c % 3] != PMUF_CHOOSE_AUTO) {
				/* compiling the result again is never larger */
				assert_true(compile_checked(&out, fl, choices[c % 3], &same) <= got);
				pmuf_free(&same);
			}
			pmuf_free(&in);
			pmuf_free(&out);
		}
	}
}

/* The differential generator: stray bits, odd headers; refused filters
 * give the kernel's error, accepted ones compile. */
static void test_random_generator(void **state)
{
	(void)state;
	struct pmuf_rng r;
	int compiled = 0, refused = 0;
	pmuf_rng_seed(&r, 42);
	for (int c = 0; c < 60; c++) {
		struct pmuf_filter in, out;
		assert_int_equal(pmuf_random_filter(&r, &in), 0);
		enum pmuf_flavor fl = c % 5 == 4 ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL;
		struct pmuf_verdict v;
		int verr = pmuf_validate(&in, fl, &v);
		pmuf_verdict_free(&v);
		int cerr = 0;
		if (verr == -E2BIG) { /* judged in chunks of 300, which may be refused */
			cerr = pmuf_compile(&in, fl, choices[c % 3], &out);
			pmuf_free(&out);
		}
		if (cerr == -EINVAL) {
			refused++;
		} else if (verr && verr != -E2BIG) {
			assert_int_equal(pmuf_compile(&in, fl, choices[c % 3], &out), verr);
			assert_int_equal(out.nevents, 0);
			refused++;
		} else {
			compile_checked(&in, fl, choices[c % 3], &out);
			compiled++;
		}
		pmuf_free(&in);
		pmuf_free(&out);
	}
	assert_true(compiled >= 10);
	assert_true(refused >= 5);
}

static void test_whole_select(void **state)
{
	(void)state;
	for (int fi = 0; fi < 2; fi++) {
		struct pmuf_filter in, out;
		pmuf_init(&in, PMUF_ARCH_X86);
		for (unsigned u = 0; u < 256; u++)
			assert_int_equal(pmuf_add_event(&in, pmuf_exact_encode(0xC0, (uint8_t)u), NULL), 0);
		assert_int_equal(compile_checked(&in, flavors[fi], PMUF_CHOOSE_ALLOW, &out), 1);
		assert_int_equal(out.events[0], pmuf_masked_encode(0xC0, 0, 0, false));
		pmuf_free(&out);
		assert_int_equal(compile_checked(&in, flavors[fi], PMUF_CHOOSE_AUTO, &out), 1);
		pmuf_free(&in);
		pmuf_free(&out);
	}
}

static void test_triple(void **state)
{
	(void)state;
	struct pmuf_filter in, out;
	pmuf_init(&in, PMUF_ARCH_X86);
	static const uint8_t um[3] = { 0x81, 0x82, 0x83 };
	for (int i = 0; i < 3; i++)
		assert_int_equal(pmuf_add_event(&in, pmuf_exact_encode(0xD0, um[i]), NULL), 0);
	for (int c = 0; c < 3; c += 2) { /* allow, auto */
		size_t n = compile_checked(&in, PMUF_FLAVOR_INTEL, choices[c], &out);
		assert_true(n >= 1 && n <= 2);
		pmuf_free(&out);
	}
	pmuf_free(&in);
}

/* The selftest's masked cases (see test_filters_selftest.c). */
struct ent {
	uint16_t sel;
	uint8_t mask, match;
	bool exclude;
};
static const struct {
	const char *msg;
	enum pmuf_flavor fl;
	int n;
	struct ent e[2];
} selftest[] = {
	{ "only loads", PMUF_FLAVOR_INTEL, 1, { { 0xD0, 0xFF, 0x81, false } } },
	{ "loads and stores", PMUF_FLAVOR_INTEL, 2, { { 0xD0, 0x7C, 0, false }, { 0xD0, 0xFF, 0x83, true } } },
	{ "loads and loads+stores", PMUF_FLAVOR_INTEL, 2, { { 0xD0, 0x7C, 0, false }, { 0xD0, 0xFF, 0x82, true } } },
	{ "stores and loads+stores", PMUF_FLAVOR_INTEL, 1, { { 0xD0, 0xFE, 0x82, false } } },
	{ "all three", PMUF_FLAVOR_INTEL, 1, { { 0xD0, 0x7C, 0, false } } },
	{ "amd loads and stores", PMUF_FLAVOR_AMD, 1, { { 0x29, 0xFC, 0, false } } },
	{ "amd loads and loads+stores", PMUF_FLAVOR_AMD, 2, { { 0x29, 0xF8, 0, false }, { 0x29, 0xFF, 0x02, true } } },
	{ "amd stores and loads+stores", PMUF_FLAVOR_AMD, 2, { { 0x29, 0xF8, 0, false }, { 0x29, 0xFF, 0x01, true } } },
	{ "amd all three", PMUF_FLAVOR_AMD, 1, { { 0x29, 0xF8, 0, false } } },
};

static void test_selftest_cases(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(selftest) / sizeof(selftest[0]); c++) {
		struct pmuf_filter in, out;
		pmuf_init(&in, PMUF_ARCH_X86);
		in.flags = MASKED;
		for (int i = 0; i < selftest[c].n; i++)
			assert_int_equal(pmuf_add_event(&in, pmuf_masked_encode(selftest[c].e[i].sel, selftest[c].e[i].mask,
										 selftest[c].e[i].match, selftest[c].e[i].exclude),
							NULL), 0);
		for (int ch = 0; ch < 3; ch += 2) {
			size_t n = compile_checked(&in, selftest[c].fl, choices[ch], &out);
			if (n > (size_t)selftest[c].n)
				fail_msg("%s: %zu entries from %d", selftest[c].msg, n, selftest[c].n);
			pmuf_free(&out);
		}
		pmuf_free(&in);
	}
}

/* Everything but one event: ALLOW with an include per select and one
 * exclude. On amd that is 4097 entries, over the kernel's limit: judged
 * as if it took them. */
static void test_auto_picks_deny(void **state)
{
	(void)state;
	for (int fi = 0; fi < 2; fi++) {
		enum pmuf_flavor fl = flavors[fi];
		struct pmuf_filter in, out;
		pmuf_init(&in, PMUF_ARCH_X86);
		in.flags = MASKED;
		in.fixed_counter_bitmap = 0xFFFFFFFF; /* every fixed counter allowed */
		for (unsigned sel = 0; sel < 1u << pmuf_flavor_select_bits(fl); sel++)
			assert_int_equal(pmuf_add_event(&in, pmuf_masked_encode((uint16_t)sel, 0, 0, false), NULL), 0);
		assert_int_equal(pmuf_add_event(&in, pmuf_masked_encode(0x3C, 0xFF, 0x00, true), NULL), 0);
		assert_int_equal(compile_checked(&in, fl, PMUF_CHOOSE_AUTO, &out), 1);
		assert_int_equal(out.action, PMUF_DENY);
		assert_int_equal(out.events[0], pmuf_masked_encode(0x3C, 0xFF, 0x00, false));
		assert_int_equal(out.fixed_counter_bitmap, 0); /* DENY: no counter denied */
		pmuf_free(&out);
		/* ALLOW asked for: an include per select, 0x3C's minus one exclude
		 * (on amd 4097 entries: -E2BIG) */
		assert_int_equal(compile_checked(&in, fl, PMUF_CHOOSE_ALLOW, &out),
				 (1u << pmuf_flavor_select_bits(fl)) + 1);
		assert_int_equal(out.fixed_counter_bitmap, 0xFFFFFFFF);
		pmuf_free(&out);
		pmuf_free(&in);
	}
}

static void test_trivial_and_errors(void **state)
{
	(void)state;
	struct pmuf_filter in, out;
	pmuf_init(&in, PMUF_ARCH_X86);
	in.fixed_counter_bitmap = 0x5;
	/* empty ALLOW: nothing allowed, no entry */
	assert_int_equal(compile_checked(&in, PMUF_FLAVOR_INTEL, PMUF_CHOOSE_AUTO, &out), 0);
	assert_int_equal(out.action, PMUF_ALLOW);
	assert_int_equal(out.fixed_counter_bitmap, 0x5);
	pmuf_free(&out);
	/* the same as DENY: an include per select, bitmap inverted */
	assert_int_equal(compile_checked(&in, PMUF_FLAVOR_INTEL, PMUF_CHOOSE_DENY, &out), 256);
	assert_int_equal(out.fixed_counter_bitmap, ~0x5u);
	pmuf_free(&out);
	/* refused input: the kernel's error */
	in.action = 2;
	assert_int_equal(pmuf_compile(&in, PMUF_FLAVOR_INTEL, PMUF_CHOOSE_AUTO, &out), -EINVAL);
	assert_int_equal(pmuf_equivalent(&in, &in, PMUF_FLAVOR_INTEL, NULL), -EINVAL);
	in.action = PMUF_ALLOW;
	assert_int_equal(pmuf_compile(&in, PMUF_FLAVOR_UNSET, PMUF_CHOOSE_AUTO, &out), -ENODATA);
	assert_int_equal(pmuf_compile(&in, PMUF_FLAVOR_INTEL, (enum pmuf_action_choice)7, &out), -EINVAL);
	/* odd-parity umasks on 3 selects: 128 entries each either way */
	for (uint16_t sel = 0x10; sel < 0x13; sel++)
		for (unsigned u = 0; u < 256; u++)
			if (__builtin_popcount(u) & 1)
				assert_int_equal(pmuf_add_event(&in, pmuf_exact_encode(sel, (uint8_t)u), NULL), 0);
	assert_int_equal(pmuf_compile(&in, PMUF_FLAVOR_INTEL, PMUF_CHOOSE_AUTO, &out), -E2BIG);
	assert_int_equal(out.nevents, 384);
	assert_int_equal(pmuf_equivalent(&in, &out, PMUF_FLAVOR_INTEL, NULL), 0);
	pmuf_free(&out);
	pmuf_free(&in);
}

static void test_equivalent_difference(void **state)
{
	(void)state;
	struct pmuf_filter a, b;
	struct pmuf_difference d;
	pmuf_init(&a, PMUF_ARCH_X86);
	pmuf_init(&b, PMUF_ARCH_X86);
	a.flavor = b.flavor = PMUF_FLAVOR_AMD;
	assert_int_equal(pmuf_add_event(&a, pmuf_exact_encode(0x1D0, 0x81), NULL), 0);
	assert_int_equal(pmuf_add_event(&b, pmuf_exact_encode(0x1D0, 0x81), NULL), 0);
	assert_int_equal(pmuf_equivalent(&a, &b, PMUF_FLAVOR_UNSET, &d), 0);
	assert_int_equal(pmuf_add_event(&b, pmuf_exact_encode(0x1D0, 0x83), NULL), 0);
	assert_int_equal(pmuf_equivalent(&a, &b, PMUF_FLAVOR_UNSET, &d), 1);
	assert_false(d.fixed);
	assert_int_equal(d.select, 0x1D0);
	assert_int_equal(d.umask, 0x83);
	assert_false(d.a_allows);
	/* on intel the 12-bit select is dropped from both: equivalent */
	assert_int_equal(pmuf_equivalent(&a, &b, PMUF_FLAVOR_INTEL, &d), 0);
	b.nevents = 1;
	b.fixed_counter_bitmap = 0x4;
	assert_int_equal(pmuf_equivalent(&a, &b, PMUF_FLAVOR_UNSET, &d), 1);
	assert_true(d.fixed);
	assert_int_equal(d.fixed_idx, 2);
	assert_false(d.a_allows);
	pmuf_free(&a);
	pmuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_exact),	 cmocka_unit_test(test_random_masked),
		cmocka_unit_test(test_random_generator), cmocka_unit_test(test_whole_select),
		cmocka_unit_test(test_triple),		 cmocka_unit_test(test_selftest_cases),
		cmocka_unit_test(test_auto_picks_deny),	 cmocka_unit_test(test_trivial_and_errors),
		cmocka_unit_test(test_equivalent_difference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
