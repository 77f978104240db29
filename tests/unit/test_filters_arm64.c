/* test_filters_arm64.c — the arm64 range filter replay (filters/arm64.c):
 * reference facts 12 and the cases of the (unmerged) arm64 filter
 * selftest, checked over the whole event space. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "pmuf.h"

#define SW_INCR PMUF_ARM_EVENT_SW_INCR
#define CHAIN PMUF_ARM_EVENT_CHAIN
#define CPU_CYCLES PMUF_ARM_EVENT_CPU_CYCLES
#define INST_RETIRED 0x08
#define BR_RETIRED 0x21

struct rng {
	uint32_t base, n, action;
};

static void arm(struct pmuf_filter *f, unsigned bits, size_t n, const struct rng *r)
{
	pmuf_init(f, PMUF_ARCH_ARM64);
	f->arm_event_bits = bits;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pmuf_add_range(f, r[i].base, r[i].n, r[i].action), 0);
}

static int allowed(const struct pmuf_filter *f, unsigned ev)
{
	bool a = false;
	int r = pmuf_arm_decide(f, ev, &a);

	if (r)
		fail_msg("pmuf_arm_decide(%u) = %s", ev, pmuf_errno_name(r));
	return a;
}

/* Every event of the space against an expected predicate. */
#define CHECK_ALL(f, expr)                                                                 \
	do {                                                                               \
		unsigned nr_ = pmuf_arm_nr_events(f);                                      \
		for (unsigned ev = 0; ev < nr_; ev++) {                                    \
			int want_ = (ev == SW_INCR || ev == CHAIN) ? 1 : !!(expr);         \
			if (allowed(f, ev) != want_)                                       \
				fail_msg("event 0x%x: got %d, want %d", ev, !want_, want_); \
		}                                                                          \
	} while (0)

static void test_space(void **state)
{
	struct pmuf_filter f;
	bool a;

	(void)state;
	arm(&f, 10, 0, NULL);
	assert_int_equal(pmuf_arm_nr_events(&f), 1024);
	assert_int_equal(pmuf_arm_decide(&f, 1024, &a), -ERANGE);
	f.arm_event_bits = 16;
	assert_int_equal(pmuf_arm_nr_events(&f), 65536);
	f.arm_event_bits = 0;
	assert_int_equal(pmuf_arm_nr_events(&f), 65536);
	assert_int_equal(pmuf_arm_decide(&f, 65535, &a), 0);
	pmuf_free(&f);
	/* x86 filters are not arm64 filters. */
	pmuf_init(&f, PMUF_ARCH_X86);
	assert_int_equal(pmuf_arm_decide(&f, 1, &a), -EINVAL);
	pmuf_free(&f);
}

static void test_no_filter(void **state)
{
	struct pmuf_filter f;
	uint64_t *bm = (uint64_t *)1;

	(void)state;
	arm(&f, 16, 0, NULL);
	assert_int_equal(pmuf_arm_bitmap(&f, &bm, NULL), 0);
	assert_null(bm);
	CHECK_ALL(&f, 1);
	pmuf_free(&f);
	assert_int_equal(allowed(NULL, 0x11), 1);
}

/* Facts 12: first ALLOW -> default deny; a later DENY of the same range
 * does not bring the default back. */
static void test_first_filter_default(void **state)
{
	struct rng r[] = { { 0, 10, PMUF_ALLOW }, { 0, 10, PMUF_DENY } };
	struct pmuf_filter f;

	(void)state;
	arm(&f, 16, 1, r);
	CHECK_ALL(&f, ev < 10);
	pmuf_free(&f);
	arm(&f, 16, 2, r);
	CHECK_ALL(&f, 0);
	pmuf_free(&f);

	struct rng d[] = { { 0x11, 1, PMUF_DENY } };
	arm(&f, 10, 1, d);
	/* First DENY -> default allow; the cycle counter (0x11) stops. */
	CHECK_ALL(&f, ev != CPU_CYCLES);
	pmuf_free(&f);
}

/* The arm64 selftest's cases. */
static void test_selftest_cases(void **state)
{
	struct rng member_allow[] = { { SW_INCR, 1, PMUF_ALLOW },
				      { INST_RETIRED, 1, PMUF_ALLOW },
				      { BR_RETIRED, 1, PMUF_ALLOW } };
	struct rng member_deny[] = { { SW_INCR, 1, PMUF_DENY },
				     { INST_RETIRED, 1, PMUF_DENY },
				     { BR_RETIRED, 1, PMUF_DENY } };
	struct rng not_member_allow[] = { { SW_INCR, 1, PMUF_ALLOW } };
	struct rng not_member_deny[] = { { SW_INCR, 1, PMUF_DENY } };
	struct rng deny_chain[] = { { CHAIN, 1, PMUF_DENY } };
	struct rng cancel[] = { { CPU_CYCLES, 1, PMUF_ALLOW }, { CPU_CYCLES, 1, PMUF_DENY } };
	struct rng multiple[] = { { 0, 0x10, PMUF_ALLOW }, { 6, 3, PMUF_DENY } };
	struct pmuf_filter f;

	(void)state;
	arm(&f, 16, 3, member_allow);
	CHECK_ALL(&f, ev == INST_RETIRED || ev == BR_RETIRED);
	pmuf_free(&f);
	arm(&f, 16, 3, member_deny);
	CHECK_ALL(&f, ev != INST_RETIRED && ev != BR_RETIRED);
	pmuf_free(&f);
	arm(&f, 16, 1, not_member_allow);
	CHECK_ALL(&f, 0);
	pmuf_free(&f);
	arm(&f, 16, 1, not_member_deny);
	CHECK_ALL(&f, 1);
	pmuf_free(&f);
	/* CHAIN is never filtered, even when denied by name. */
	arm(&f, 16, 1, deny_chain);
	CHECK_ALL(&f, 1);
	assert_int_equal(allowed(&f, CHAIN), 1);
	pmuf_free(&f);
	arm(&f, 16, 2, cancel);
	CHECK_ALL(&f, 0);
	pmuf_free(&f);
	arm(&f, 10, 2, multiple);
	CHECK_ALL(&f, ev < 0x10 && !(ev >= 6 && ev < 9));
	pmuf_free(&f);
}

static void test_bitmap_and_errors(void **state)
{
	struct rng r[] = { { 64, 64, PMUF_DENY }, { 100, 3, PMUF_ALLOW } };
	struct rng bad[] = { { 0, 10, PMUF_ALLOW }, { 1020, 5, PMUF_ALLOW } };
	struct pmuf_verdict v;
	struct pmuf_filter f;
	uint64_t *bm;
	bool a;

	(void)state;
	arm(&f, 10, 2, r);
	assert_int_equal(pmuf_arm_bitmap(&f, &bm, &v), 0);
	assert_int_equal(v.err, 0);
	pmuf_verdict_free(&v);
	assert_true(bm[0] == ~0ull);
	assert_true(bm[1] == (7ull << (100 - 64)));
	for (int w = 2; w < 1024 / 64; w++)
		assert_true(bm[w] == ~0ull);
	free(bm);
	pmuf_free(&f);

	arm(&f, 10, 2, bad);
	assert_int_equal(pmuf_arm_bitmap(&f, &bm, &v), -EINVAL);
	assert_null(bm);
	assert_int_equal(v.bad_index, 1);
	pmuf_verdict_free(&v);
	assert_int_equal(pmuf_arm_decide(&f, 3, &a), -EINVAL);
	/* The same ranges fit the 16-bit space. */
	f.arm_event_bits = 16;
	assert_int_equal(allowed(&f, 1024), 1);
	assert_int_equal(allowed(&f, 1025), 0);
	assert_int_equal(allowed(&f, 9), 1);
	pmuf_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_space),
		cmocka_unit_test(test_no_filter),
		cmocka_unit_test(test_first_filter_default),
		cmocka_unit_test(test_selftest_cases),
		cmocka_unit_test(test_bitmap_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
