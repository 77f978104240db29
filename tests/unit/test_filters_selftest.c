/* test_filters_selftest.c — the kernel selftest's expectations
 * (tools/testing/selftests/kvm/x86/pmu_event_filter_test.c), replayed
 * against the reference decisions:
 *  - test_masked_events: three guest counters (loads, stores, loads+stores;
 *    Intel MEM_INST_RETIRED 0xD0 umasks 0x81/0x82/0x83, AMD LS_DISPATCH
 *    0x29 umasks 0x01/0x02/0x04), seven ALLOW masked filters, sparse and
 *    again dense (290 dummy entries first);
 *  - test_fixed_counter_bitmap: for each bitmap BIT(i) and counter idx,
 *    ALLOW counts iff bit idx is set, DENY iff clear, with and without the
 *    base events[] list (the bitmap has priority);
 *  - test_filter_ioctl's validation outcomes;
 *  - the allow/deny list tests on the base event list. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pmuf.h"

#define MASKED KVM_PMU_EVENT_FLAG_MASKED_EVENTS
#define MAX_TEST_EVENTS 10

#define EVENTSEL_OS (1ull << 17)
#define EVENTSEL_EN (1ull << 22)

#define MEM_INST_RETIRED 0xD0
#define LS_DISPATCH 0x29
/* Table rows hold the encoder's arguments; pmuf_masked_encode builds the
 * entries (KVM_PMU_ENCODE_MASKED_ENTRY, checked in test_filters_encode). */
struct ent {
	uint16_t sel;
	uint8_t mask, match;
	bool exclude, used;
};
#define INC(s, m, x) { .sel = (s), .mask = (m), .match = (x), .exclude = false, .used = true }
#define EXC(s, m, x) { .sel = (s), .mask = (m), .match = (x), .exclude = true, .used = true }

#define LOADS (1u << 0)
#define STORES (1u << 1)
#define LOADS_STORES (1u << 2)

struct masked_case {
	const char *msg;
	struct ent intel[MAX_TEST_EVENTS]; /* up to the first unused row */
	struct ent amd[MAX_TEST_EVENTS];
	unsigned counts; /* which of the three counters count */
};

static const struct masked_case cases[] = {
	{ "only loads",
	  { INC(MEM_INST_RETIRED, 0xFF, 0x81) },
	  { INC(LS_DISPATCH, 0xFF, 0x01) },
	  LOADS },
	{ "only stores",
	  { INC(MEM_INST_RETIRED, 0xFF, 0x82) },
	  { INC(LS_DISPATCH, 0xFF, 0x02) },
	  STORES },
	{ "only loads+stores",
	  { INC(MEM_INST_RETIRED, 0xFF, 0x83) },
	  { INC(LS_DISPATCH, 0xFF, 0x04) },
	  LOADS_STORES },
	{ "loads and stores",
	  { INC(MEM_INST_RETIRED, 0x7C, 0), EXC(MEM_INST_RETIRED, 0xFF, 0x83) },
	  { INC(LS_DISPATCH, (uint8_t)~(0x01 | 0x02), 0) },
	  LOADS | STORES },
	{ "loads and loads+stores",
	  { INC(MEM_INST_RETIRED, 0x7C, 0), EXC(MEM_INST_RETIRED, 0xFF, 0x82) },
	  { INC(LS_DISPATCH, 0xF8, 0), EXC(LS_DISPATCH, 0xFF, 0x02) },
	  LOADS | LOADS_STORES },
	{ "stores and loads+stores",
	  { INC(MEM_INST_RETIRED, 0xFE, 0x82) },
	  { INC(LS_DISPATCH, 0xF8, 0), EXC(LS_DISPATCH, 0xFF, 0x01) },
	  STORES | LOADS_STORES },
	{ "all three",
	  { INC(MEM_INST_RETIRED, 0x7C, 0) },
	  { INC(LS_DISPATCH, 0xF8, 0) },
	  LOADS | STORES | LOADS_STORES },
};

/* The three counters the guest programs, per vendor. */
static const uint8_t intel_umasks[3] = { 0x81, 0x82, 0x83 };
static const uint8_t amd_umasks[3] = { 0x01, 0x02, 0x04 };

/* add_dummy_events: select i % 0xFF (bumped off 0xD0/0x29), exclude when
 * i % 4 == 0, umask mask and match 0. */
static void add_dummies(struct pmuf_filter *f, int n)
{
	for (int i = 0; i < n; i++) {
		int sel = i % 0xFF;

		if (sel == MEM_INST_RETIRED || sel == LS_DISPATCH)
			sel++;
		assert_int_equal(pmuf_add_event(f, pmuf_masked_encode((uint16_t)sel, 0, 0, i % 4 == 0),
						NULL),
				 0);
	}
}

static void run_masked(bool amd_events, enum pmuf_flavor fl, int ndummies)
{
	const uint8_t *umasks = amd_events ? amd_umasks : intel_umasks;
	uint16_t select = amd_events ? LS_DISPATCH : MEM_INST_RETIRED;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct ent *ev = amd_events ? cases[c].amd : cases[c].intel;
		struct pmuf_filter f;
		struct pmuf_verdict v;

		pmuf_init(&f, PMUF_ARCH_X86);
		f.action = PMUF_ALLOW;
		f.flags = MASKED;
		add_dummies(&f, ndummies);
		for (int i = 0; i < MAX_TEST_EVENTS && ev[i].used; i++)
			assert_int_equal(pmuf_add_event(&f,
							pmuf_masked_encode(ev[i].sel, ev[i].mask,
									   ev[i].match, ev[i].exclude),
							NULL),
					 0);
		assert_true(f.nevents <= PMUF_KVM_MAX_EVENTS);
		if (pmuf_validate(&f, fl, &v))
			fail_msg("%s: %s", cases[c].msg, v.reason);
		pmuf_verdict_free(&v);

		for (int ctr = 0; ctr < 3; ctr++) {
			uint64_t eventsel = EVENTSEL_EN | EVENTSEL_OS |
					    pmuf_exact_encode(select, umasks[ctr]);
			bool want = cases[c].counts & (1u << ctr), got = !want;
			int r = pmuf_decide_gp(&f, fl, PMUF_KERNEL_6_3, eventsel, &got);

			assert_int_equal(r, 0);
			if (got != want)
				fail_msg("%s (%s entries, %s flavor, %d dummies): counter %d "
					 "(umask 0x%02x) %s, want %s",
					 cases[c].msg, amd_events ? "AMD" : "Intel",
					 pmuf_flavor_name(fl), ndummies, ctr, umasks[ctr],
					 got ? "counts" : "filtered", want ? "counts" : "filtered");
		}
		pmuf_free(&f);
	}
}

static void test_masked_sparse(void **state)
{
	(void)state;
	run_masked(false, PMUF_FLAVOR_INTEL, 0);
	run_masked(true, PMUF_FLAVOR_AMD, 0);
	/* The selects fit 8 bits, so the other flavor agrees. */
	run_masked(false, PMUF_FLAVOR_AMD, 0);
	run_masked(true, PMUF_FLAVOR_INTEL, 0);
}

static void test_masked_dense(void **state)
{
	(void)state;
	int n = PMUF_KVM_MAX_EVENTS - MAX_TEST_EVENTS; /* 290 */

	run_masked(false, PMUF_FLAVOR_INTEL, n);
	run_masked(true, PMUF_FLAVOR_AMD, n);
	run_masked(false, PMUF_FLAVOR_AMD, n);
	run_masked(true, PMUF_FLAVOR_INTEL, n);
}

/* The selftest's base list: Intel's eight architectural events plus AMD
 * Zen's retired branches. */
static const uint64_t base_events[] = {
	0x3C, 0xC0, 0x13C, 0x4F2E, 0x412E, 0xC4, 0xC5, 0x1A4, 0xC2,
};
#define NBASE (sizeof(base_events) / sizeof(base_events[0]))

static void test_fixed_counter_bitmap(void **state)
{
	(void)state;
	for (int with_events = 0; with_events < 2; with_events++) {
		struct pmuf_filter f;

		pmuf_init(&f, PMUF_ARCH_X86);
		if (with_events)
			for (size_t i = 0; i < NBASE; i++)
				assert_int_equal(pmuf_add_event(&f, base_events[i], NULL), 0);
		for (unsigned idx = 0; idx < 32; idx++) {
			for (unsigned i = 0; i < 32; i++) {
				f.fixed_counter_bitmap = 1u << i;
				f.action = PMUF_ALLOW;
				if (pmuf_decide_fixed(&f, idx) != (i == idx))
					fail_msg("ALLOW bitmap BIT(%u), fixed %u, events %d", i, idx,
						 with_events);
				f.action = PMUF_DENY;
				if (pmuf_decide_fixed(&f, idx) != (i != idx))
					fail_msg("DENY bitmap BIT(%u), fixed %u, events %d", i, idx,
						 with_events);
			}
		}
		pmuf_free(&f);
	}
}

static int ioctl_verdict(uint32_t action, uint32_t flags, uint64_t e, size_t n,
			 uint32_t bitmap, enum pmuf_flavor fl)
{
	struct pmuf_filter f;
	struct pmuf_verdict v;
	int r;

	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = action;
	f.flags = flags;
	f.fixed_counter_bitmap = bitmap;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pmuf_add_event(&f, n == 1 ? e : base_events[i % NBASE], NULL), 0);
	r = pmuf_validate(&f, fl, &v);
	pmuf_verdict_free(&v);
	pmuf_free(&f);
	return r;
}

/* test_filter_ioctl. */
static void test_filter_ioctl(void **state)
{
	(void)state;
	for (int fl = PMUF_FLAVOR_INTEL; fl <= PMUF_FLAVOR_AMD; fl++) {
		assert_int_equal(ioctl_verdict(PMUF_ALLOW, 0, ~0ull, 1, 0, fl), 0);
		assert_int_not_equal(ioctl_verdict(PMUF_ALLOW, MASKED, ~0ull, 1, 0, fl), 0);
		assert_int_equal(ioctl_verdict(PMUF_ALLOW, MASKED,
					       pmuf_masked_encode(0xFF, 0xFF, 0xFF, 0xF), 1, 0, fl),
				 0);
		assert_int_not_equal(ioctl_verdict(2, 0, 0, NBASE, 0, fl), 0);
		assert_int_not_equal(ioctl_verdict(PMUF_ALLOW, MASKED << 1, 0, NBASE, 0, fl), 0);
		assert_int_not_equal(ioctl_verdict(PMUF_ALLOW, 0, 0, 301, 0, fl), 0);
		/* Masking non-existent fixed counters is allowed. */
		assert_int_equal(ioctl_verdict(PMUF_ALLOW, 0, 0, NBASE, ~0x7u, fl), 0);
	}
}

/* The allow/deny list tests: the guest counts 0xC0 (instructions) and the
 * vendor's branch event; member/not-member lists. */
static void test_lists(void **state)
{
	static const struct {
		enum pmuf_flavor fl;
		uint64_t branches;
	} vendors[] = { { PMUF_FLAVOR_INTEL, 0xC4 }, { PMUF_FLAVOR_AMD, 0xC2 } };

	(void)state;
	for (size_t vi = 0; vi < 2; vi++) {
		uint64_t sel = EVENTSEL_EN | EVENTSEL_OS | vendors[vi].branches;

		for (int k = PMUF_KERNEL_5_3; k <= PMUF_KERNEL_6_3; k++) {
			for (int member = 0; member < 2; member++) {
				for (int action = PMUF_ALLOW; action <= PMUF_DENY; action++) {
					struct pmuf_filter f;
					bool got;

					pmuf_init(&f, PMUF_ARCH_X86);
					f.action = action;
					for (size_t i = 0; i < NBASE; i++)
						if (member || (base_events[i] != 0xC4 &&
							       base_events[i] != 0xC2))
							pmuf_add_event(&f, base_events[i], NULL);
					assert_int_equal(pmuf_decide_gp(&f, vendors[vi].fl, k,
									sel, &got),
							 0);
					/* member+ALLOW and not-member+DENY count. */
					assert_int_equal(got, member == (action == PMUF_ALLOW));
					pmuf_free(&f);
				}
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masked_sparse),
		cmocka_unit_test(test_masked_dense),
		cmocka_unit_test(test_fixed_counter_bitmap),
		cmocka_unit_test(test_filter_ioctl),
		cmocka_unit_test(test_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
