/* test_filters_decide.c — the reference decisions per kernel generation
 * (reference facts 5-10), the prepared 6.3+ lists, and a randomized
 * cross-check of the 6.3 bsearch-and-walk against a brute-force reading of
 * the documented semantics, and of 5.17 against 5.3; pmuf_decider (the
 * once-per-filter form) against pmuf_decide_gp on random filters. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pmuf.h"

#define MASKED KVM_PMU_EVENT_FLAG_MASKED_EVENTS
#define INTEL PMUF_FLAVOR_INTEL
#define AMD PMUF_FLAVOR_AMD
#define K53 PMUF_KERNEL_5_3
#define K517 PMUF_KERNEL_5_17
#define K63 PMUF_KERNEL_6_3

static void x86(struct pmuf_filter *f, uint32_t action, uint32_t flags, size_t n,
		const uint64_t *ev)
{
	pmuf_init(f, PMUF_ARCH_X86);
	f->action = action;
	f->flags = flags;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pmuf_add_event(f, ev[i], NULL), 0);
}

/* 1 allowed, 0 denied; fails the test on an error. */
static int gp(const struct pmuf_filter *f, enum pmuf_flavor fl, enum pmuf_kernel k,
	      uint64_t eventsel)
{
	bool allowed = false;
	int r = pmuf_decide_gp(f, fl, k, eventsel, &allowed);

	if (r)
		fail_msg("pmuf_decide_gp(0x%llx, %s, %s) = %s", (unsigned long long)eventsel,
			 pmuf_flavor_name(fl), pmuf_kernel_name(k), pmuf_errno_name(r));
	return allowed;
}

/* Facts 5: only select+umask matter, on every generation and flavor. */
static void test_exact_allow(void **state)
{
	uint64_t ev[] = { 0xC0 };
	struct pmuf_filter f;

	(void)state;
	x86(&f, PMUF_ALLOW, 0, 1, ev);
	for (int k = K53; k <= K63; k++) {
		for (int fl = INTEL; fl <= AMD; fl++) {
			assert_int_equal(gp(&f, fl, k, 0x004200C0ull), 1);
			assert_int_equal(gp(&f, fl, k, 0x004201C0ull), 0);
			assert_int_equal(gp(&f, fl, k, 0x004200C4ull), 0);
			/* USR, EDGE, INT, INV, CMASK do not matter. */
			assert_int_equal(gp(&f, fl, k, 0xFFDF00C0ull), 1);
		}
	}
	f.action = PMUF_DENY;
	for (int k = K53; k <= K63; k++) {
		assert_int_equal(gp(&f, INTEL, k, 0x004200C0ull), 0);
		assert_int_equal(gp(&f, INTEL, k, 0x004201C0ull), 1);
	}
	pmuf_free(&f);
}

/* Facts 6: empty (or all-dropped) filters. */
static void test_empty(void **state)
{
	uint64_t dropped[] = { ~0ull, 0x100C0 };
	struct pmuf_filter f;

	(void)state;
	x86(&f, PMUF_ALLOW, 0, 0, NULL);
	for (int k = K53; k <= K63; k++)
		for (unsigned sel = 0; sel <= 0xFF; sel += 0x11)
			assert_int_equal(gp(&f, INTEL, k, pmuf_eventsel_make(sel, 0)), 0);
	f.action = PMUF_DENY;
	for (int k = K53; k <= K63; k++)
		for (unsigned sel = 0; sel <= 0xFF; sel += 0x11)
			assert_int_equal(gp(&f, AMD, k, pmuf_eventsel_make(sel, 3)), 1);
	pmuf_free(&f);

	/* 6.3: every entry dropped -> as if empty. ~0 contains every select
	 * and umask bit, so it also shows the entries are dropped, not matched. */
	x86(&f, PMUF_ALLOW, 0, 2, dropped);
	assert_int_equal(gp(&f, INTEL, K63, 0x4300C0), 0);
	assert_int_equal(gp(&f, INTEL, K63, 0x43FFFF), 0);
	f.action = PMUF_DENY;
	assert_int_equal(gp(&f, AMD, K63, 0x43FFFF), 1);
	pmuf_free(&f);

	/* No filter at all: everything counts. */
	assert_int_equal(gp(NULL, INTEL, K63, 0x4300C0), 1);
	assert_true(pmuf_decide_fixed(NULL, 0));
}

/* Facts 7 and 8: masked includes and excludes. */
static void test_masked(void **state)
{
	uint64_t a[] = { pmuf_masked_encode(0xD0, 0x7C, 0, false),
			 pmuf_masked_encode(0xD0, 0xFF, 0x83, true) };
	uint64_t d[] = { pmuf_masked_encode(0xD0, 0, 0, false),
			 pmuf_masked_encode(0xD0, 0xFF, 0x81, true) };
	struct pmuf_filter f;

	(void)state;
	x86(&f, PMUF_ALLOW, MASKED, 2, a);
	for (int fl = INTEL; fl <= AMD; fl++) {
		assert_int_equal(gp(&f, fl, K63, pmuf_eventsel_make(0xD0, 0x81)), 1);
		assert_int_equal(gp(&f, fl, K63, pmuf_eventsel_make(0xD0, 0x82)), 1);
		assert_int_equal(gp(&f, fl, K63, pmuf_eventsel_make(0xD0, 0x83)), 0);
		assert_int_equal(gp(&f, fl, K63, pmuf_eventsel_make(0xD0, 0x04)), 0);
		assert_int_equal(gp(&f, fl, K63, pmuf_eventsel_make(0xD1, 0x81)), 0);
		assert_int_equal(gp(&f, fl, K63, pmuf_eventsel_make(0xC0, 0x00)), 0);
	}
	/* Masked filters did not exist before 6.3. */
	bool allowed;
	assert_int_equal(pmuf_decide_gp(&f, INTEL, K53, 0x4381D0, &allowed), -EOPNOTSUPP);
	assert_int_equal(pmuf_decide_gp(&f, INTEL, K517, 0x4381D0, &allowed), -EOPNOTSUPP);
	pmuf_free(&f);

	x86(&f, PMUF_DENY, MASKED, 2, d);
	for (int fl = INTEL; fl <= AMD; fl++) {
		assert_int_equal(gp(&f, fl, K63, pmuf_eventsel_make(0xD0, 0x81)), 1);
		assert_int_equal(gp(&f, fl, K63, pmuf_eventsel_make(0xD0, 0x82)), 0);
		assert_int_equal(gp(&f, fl, K63, pmuf_eventsel_make(0xC0, 0x00)), 1);
	}
	pmuf_free(&f);
}

/* Facts 9 and the flavor's select width, per generation. */
static void test_select_width(void **state)
{
	uint64_t c0[] = { 0xC0 }, c2[] = { 0x1000000C2ull };
	uint64_t in_tx = (1ull << 32) | 0x4300C0; /* IN_TX on Intel, select 0x1C0 on AMD */
	struct pmuf_filter f;

	(void)state;
	x86(&f, PMUF_ALLOW, 0, 1, c0);
	/* 6.3 Intel ignores bits 35:32 of the guest value (6a5cba7bed35). */
	assert_int_equal(gp(&f, INTEL, K63, in_tx), 1);
	/* 6.3 AMD: they are EventSelect[11:8], so this is select 0x1C0. */
	assert_int_equal(gp(&f, AMD, K63, in_tx), 0);
	/* Older kernels keyed on the AMD mask on both flavors. */
	assert_int_equal(gp(&f, INTEL, K53, in_tx), 0);
	assert_int_equal(gp(&f, INTEL, K517, in_tx), 0);
	pmuf_free(&f);

	x86(&f, PMUF_ALLOW, 0, 1, c2);
	uint64_t sel1c2 = pmuf_eventsel_make(0x1C2, 0);
	assert_int_equal(gp(&f, AMD, K63, sel1c2), 1);
	assert_int_equal(gp(&f, AMD, K63, pmuf_eventsel_make(0xC2, 0)), 0);
	/* Intel drops the entry (bits outside 0xFFFF): nothing allowed. */
	assert_int_equal(gp(&f, INTEL, K63, sel1c2), 0);
	assert_int_equal(gp(&f, INTEL, K63, pmuf_eventsel_make(0xC2, 0)), 0);
	/* 5.3/5.17 compared the raw key: IN_TX + 0xC2 matched this entry. */
	assert_int_equal(gp(&f, INTEL, K53, sel1c2), 1);
	assert_int_equal(gp(&f, INTEL, K517, sel1c2), 1);
	/* The selftest's test_amd_deny_list: DENY 0x1C2 still counts 0xC2. */
	f.action = PMUF_DENY;
	for (int k = K53; k <= K63; k++)
		assert_int_equal(gp(&f, AMD, k, pmuf_eventsel_make(0xC2, 0)), 1);
	pmuf_free(&f);

	/* Pre-6.3 entries are compared raw: stray bits never match. */
	uint64_t stray[] = { 0x100C0 };
	x86(&f, PMUF_DENY, 0, 1, stray);
	assert_int_equal(gp(&f, INTEL, K53, 0x4300C0 | 0x10000), 1);
	assert_int_equal(gp(&f, INTEL, K517, 0x4300C0), 1);
	pmuf_free(&f);
}

static void test_invalid(void **state)
{
	uint64_t ev[] = { 0xC0 | (1ull << 40) };
	struct pmuf_filter f;
	bool allowed;

	(void)state;
	x86(&f, PMUF_ALLOW, MASKED, 1, ev);
	assert_int_equal(pmuf_decide_gp(&f, INTEL, K63, 0x4300C0, &allowed), -EINVAL);
	f.flags = 0;
	f.action = 2;
	for (int k = K53; k <= K63; k++)
		assert_int_equal(pmuf_decide_gp(&f, INTEL, k, 0x4300C0, &allowed), -EINVAL);
	f.action = PMUF_ALLOW;
	for (int i = 0; i < 300; i++)
		assert_int_equal(pmuf_add_event(&f, 0xC0, NULL), 0);
	for (int k = K53; k <= K63; k++)
		assert_int_equal(pmuf_decide_gp(&f, AMD, k, 0x4300C0, &allowed), -E2BIG);
	f.nevents = 1;
	/* 6.3 needs a flavor; the older generations do not. */
	assert_int_equal(pmuf_decide_gp(&f, PMUF_FLAVOR_UNSET, K63, 0x4300C0, &allowed),
			 -ENODATA);
	assert_int_equal(pmuf_decide_gp(&f, PMUF_FLAVOR_UNSET, K53, 0x4300C0, &allowed), 0);
	assert_int_equal(pmuf_decide_gp(&f, INTEL, 7, 0x4300C0, &allowed), -EINVAL);
	pmuf_free(&f);
	pmuf_init(&f, PMUF_ARCH_ARM64);
	assert_int_equal(pmuf_decide_gp(&f, INTEL, K63, 0x4300C0, &allowed), -EINVAL);
	pmuf_free(&f);
}

/* Facts 10: only fixed_counter_bitmap decides fixed counters. */
static void test_fixed(void **state)
{
	uint64_t ev[] = { 0xC0, 0x3C, 0x13C };
	struct pmuf_filter f;

	(void)state;
	for (int with_events = 0; with_events < 2; with_events++) {
		x86(&f, PMUF_ALLOW, 0, with_events ? 3 : 0, ev);
		for (unsigned i = 0; i < 32; i++) {
			for (unsigned idx = 0; idx < 32; idx++) {
				f.fixed_counter_bitmap = 1u << i;
				f.action = PMUF_ALLOW;
				assert_int_equal(pmuf_decide_fixed(&f, idx), i == idx);
				f.action = PMUF_DENY;
				assert_int_equal(pmuf_decide_fixed(&f, idx), i != idx);
			}
		}
		f.fixed_counter_bitmap = 0xFFFFFFFF;
		f.action = PMUF_ALLOW;
		assert_false(pmuf_decide_fixed(&f, 32));
		f.action = PMUF_DENY;
		assert_true(pmuf_decide_fixed(&f, 40));
		pmuf_free(&f);
	}
}

static void test_prepare(void **state)
{
	uint64_t ev[] = {
		pmuf_masked_encode(0xD0, 0xFF, 0x83, true),
		pmuf_masked_encode(0x1C2, 0xFF, 0x01, false),
		pmuf_masked_encode(0xD0, 0x7C, 0, false),
		pmuf_masked_encode(0x29, 0xF8, 0, true),
		pmuf_masked_encode(0x29, 0x01, 1, false),
	};
	uint64_t ex[] = { 0x1000000C0ull, 0x81D0, ~0ull, 0xC0, 0x100C0 };
	struct pmuf_prepared p;
	struct pmuf_filter f;

	(void)state;
	x86(&f, PMUF_DENY, MASKED, 5, ev);
	assert_int_equal(pmuf_prepare(&f, INTEL, &p), -EINVAL); /* 0x1C2 on Intel */
	assert_int_equal(pmuf_prepare(&f, AMD, &p), 0);
	assert_int_equal(p.action, PMUF_DENY);
	assert_int_equal(p.nincludes, 3);
	assert_int_equal(p.nexcludes, 2);
	assert_true(p.select_mask == 0xF000000FFull);
	assert_ptr_equal(p.includes, p.events);
	assert_ptr_equal(p.excludes, p.events + 3);
	assert_true(p.includes[0] == ev[4]);
	assert_true(p.includes[1] == ev[2]);
	assert_true(p.includes[2] == ev[1]);
	assert_true(p.excludes[0] == ev[3]);
	assert_true(p.excludes[1] == ev[0]);
	pmuf_prepared_free(&p);
	pmuf_free(&f);

	/* Unmasked: survivors get umask-mask 0xFF; all are includes. */
	x86(&f, PMUF_ALLOW, 0, 5, ex);
	assert_int_equal(pmuf_prepare(&f, INTEL, &p), 0);
	assert_int_equal(p.nincludes, 2);
	assert_int_equal(p.nexcludes, 0);
	assert_true(p.select_mask == 0xFFull);
	assert_true(p.events[0] == (0xFF00000000000000ull | 0xC0));
	assert_true(p.events[1] == (0xFF00000000000000ull | 0x81D0));
	pmuf_prepared_free(&p);
	assert_int_equal(pmuf_prepare(&f, AMD, &p), 0);
	assert_int_equal(p.nincludes, 3); /* 0x1C0 survives on AMD */
	assert_true(p.events[2] == (0xFF00000000000000ull | 0x1000000C0ull));
	/* The prepared decision is the 6.3 decision. */
	assert_true(pmuf_prepared_allows(&p, pmuf_eventsel_make(0x1C0, 0)));
	assert_false(pmuf_prepared_allows(&p, pmuf_eventsel_make(0x1C0, 1)));
	pmuf_prepared_free(&p);
	pmuf_free(&f);
}

/* The documented 6.3 semantics read literally: no sorting, no bsearch. */
static bool brute_63(const struct pmuf_filter *f, enum pmuf_flavor fl, uint64_t eventsel)
{
	uint64_t selmask = pmuf_flavor_select_mask(fl);
	uint64_t sel = eventsel & selmask;
	uint8_t umask = pmuf_eventsel_umask(eventsel);
	bool inc = false, exc = false;

	for (size_t i = 0; i < f->nevents; i++) {
		uint64_t e = f->events[i];
		uint8_t mask, match;
		bool excl = false;

		if (!pmuf_is_masked(f)) {
			if (e & ~pmuf_exact_valid_bits(fl))
				continue; /* dropped */
			mask = 0xFF;
			match = pmuf_eventsel_umask(e);
		} else {
			mask = pmuf_masked_mask(e);
			match = pmuf_masked_match(e);
			excl = pmuf_masked_exclude(e);
		}
		if ((e & PMUF_MASKED_EVENT_SELECT) != sel || (umask & mask) != match)
			continue;
		if (excl)
			exc = true;
		else
			inc = true;
	}
	return (inc && !exc) ? f->action == PMUF_ALLOW : f->action == PMUF_DENY;
}

static uint64_t rnd64(void)
{
	return ((uint64_t)random() << 33) ^ ((uint64_t)random() << 11) ^ (uint64_t)random();
}

static void test_random_cross_check(void **state)
{
	struct pmuf_filter f;
	long checks = 0;

	(void)state;
	srandom(12345);
	for (int iter = 0; iter < 600; iter++) {
		bool masked = iter & 1;
		enum pmuf_flavor fl = (iter & 2) ? AMD : INTEL;
		/* Few selects and umasks, so that entries collide and match. */
		unsigned nsel = 1 + random() % 6;
		uint16_t sels[6];
		size_t n = random() % 40;

		for (unsigned i = 0; i < nsel; i++)
			sels[i] = (uint16_t)((random() % 2 && fl == AMD) ? 0x100 | (random() % 256)
									 : random() % 256);
		x86(&f, random() % 2, masked ? MASKED : 0, 0, NULL);
		for (size_t i = 0; i < n; i++) {
			uint16_t s = sels[random() % nsel];
			uint8_t um = (uint8_t)(random() % 8);
			uint64_t e = masked ? pmuf_masked_encode(s, (uint8_t)(random() % 8), um & 7,
								 random() % 3 == 0)
					    : pmuf_exact_encode(s, um);
			/* Unmasked: some entries get stray bits (dropped in 6.3). */
			if (!masked && random() % 5 == 0)
				e |= 1ull << (16 + random() % 48);
			assert_int_equal(pmuf_add_event(&f, e, NULL), 0);
		}
		for (int q = 0; q < 200; q++) {
			uint16_t s = random() % 4 ? sels[random() % nsel] : (uint16_t)(random() % 0x1000);
			uint64_t ev = pmuf_eventsel_make(s, (uint8_t)(random() % 8)) |
				      (rnd64() & 0xFFFFFFF0FF3F0000ull); /* other guest bits */

			assert_int_equal(gp(&f, fl, K63, ev), brute_63(&f, fl, ev));
			if (!masked)
				assert_int_equal(gp(&f, fl, K517, ev), gp(&f, fl, K53, ev));
			checks++;
		}
		pmuf_free(&f);
	}
	print_message("%ld random decisions cross-checked\n", checks);
}

/* pmuf_decider: the same error as pmuf_decide_gp at init, then the same
 * answer for every eventsel, on random (also invalid) filters, every
 * generation; it keeps its own copy of the filter. */
static void test_decider_matches_decide_gp(void **state)
{
	long checks = 0, allows = 0, errs = 0;

	(void)state;
	srandom(4242);
	for (int iter = 0; iter < 400; iter++) {
		bool masked = random() % 3 == 0;
		enum pmuf_flavor fl = random() % 8 == 0 ? PMUF_FLAVOR_UNSET
				      : random() % 2	 ? AMD
							 : INTEL;
		size_t n = iter % 50 == 7 ? 301 : (size_t)(random() % 60);
		uint16_t sels[4];
		struct pmuf_filter f, *fp = &f;
		uint64_t ev[64];
		bool want[64];

		for (unsigned i = 0; i < 4; i++)
			sels[i] = (uint16_t)(random() % (fl == AMD ? 0x1000 : 0x100));
		x86(&f, random() % 2, masked ? MASKED : 0, 0, NULL);
		if (iter % 37 == 5)
			f.action = 2; /* invalid */
		for (size_t i = 0; i < n; i++) {
			uint16_t s = sels[random() % 4];
			uint64_t e = masked ? pmuf_masked_encode(s, (uint8_t)random(), (uint8_t)random(),
								 random() % 3 == 0)
					    : pmuf_exact_encode(s, (uint8_t)(random() % 4));

			if (random() % 9 == 0) /* dropped (exact) or invalid (masked) */
				e |= 1ull << (16 + random() % 16);
			assert_int_equal(pmuf_add_event(&f, e, NULL), 0);
		}
		if (iter % 41 == 3)
			fp = NULL; /* no filter */
		for (int k = K53; k <= K63 + 1; k++) {
			struct pmuf_decider d;
			bool got;
			int err0 = 0, err;

			for (int q = 0; q < 64; q++) {
				uint16_t s = random() % 2 ? sels[random() % 4]
							  : (uint16_t)(random() % 0x1000);

				ev[q] = pmuf_eventsel_make(s, (uint8_t)(random() % 4)) |
					(rnd64() & 0xFFFFFFF0FF3F0000ull);
				want[q] = false;
				err = pmuf_decide_gp(fp, fl, k, ev[q], &want[q]);
				if (q == 0)
					err0 = err;
				assert_int_equal(err, err0); /* errors never depend on eventsel */
			}
			err = pmuf_decider_init(fp, fl, k, &d);
			assert_int_equal(err, err0);
			if (err) {
				pmuf_decider_free(&d);
				errs++;
				continue;
			}
			for (int q = 0; q < 64; q++) {
				got = pmuf_decider_allows(&d, ev[q]);
				assert_int_equal(got, want[q]);
				allows += got;
				checks++;
			}
			/* The whole Intel space now and then. */
			if (fp && iter % 25 == 0 && fl == INTEL)
				for (uint32_t i = 0; i < 0x10000; i++) {
					uint64_t e = pmuf_eventsel_make((uint16_t)(i >> 8),
									(uint8_t)i);

					assert_int_equal(pmuf_decide_gp(fp, fl, k, e, &want[0]), 0);
					assert_int_equal(pmuf_decider_allows(&d, e), want[0]);
					checks++;
				}
			pmuf_decider_free(&d);
		}
		/* The decider does not read f after init. */
		if (n && fp && f.action != 2 && !masked) {
			struct pmuf_decider d;

			if (!pmuf_decider_init(&f, INTEL, K517, &d)) {
				uint64_t e = f.events[0] & 0xFFFF;
				bool before = pmuf_decider_allows(&d, e);

				memset(f.events, 0xFF, f.nevents * sizeof(f.events[0]));
				f.action ^= 1;
				assert_int_equal(pmuf_decider_allows(&d, e), before);
				pmuf_decider_free(&d);
			}
		}
		pmuf_free(&f);
	}
	/* The filters must exercise both answers and the error paths. */
	assert_true(allows > 0 && allows < checks);
	assert_true(errs > 0);
	print_message("%ld decider decisions matched pmuf_decide_gp (%ld allowed), %ld init errors\n",
		      checks, allows, errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_allow),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_masked),
		cmocka_unit_test(test_select_width),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_random_cross_check),
		cmocka_unit_test(test_decider_matches_decide_gp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
