/* test_filters_encode.c — filters/encode.c and filters/model.c: entry
 * encodings against the kernel's KVM_PMU_ENCODE_MASKED_ENTRY values,
 * decode round trips, guest event-select fields, flavors, kernel
 * generations, errno names, and the model's init/add/copy/free. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pmuf.h"

/* Facts 1 of the reference: values the kernel's macro gives. */
static void test_masked_encode_kernel_values(void **state)
{
	(void)state;
	assert_true(pmuf_masked_encode(0xD0, 0xFF, 0x81, false) == 0xFF000000000081D0ull);
	assert_true(pmuf_masked_encode(0xD0, 0xFF, 0x83, true) == 0xFF800000000083D0ull);
	assert_true(pmuf_masked_encode(0x1C2, 0xFF, 0, false) == 0xFF000001000000C2ull);
	/* ENCODE(0xff, 0xff, 0xff, 0xf): exclude is !!0xf. */
	assert_true(pmuf_masked_encode(0xFF, 0xFF, 0xFF, 0xF) == 0xFF8000000000FFFFull);
	/* The probe entry kvm-sys.c uses. */
	assert_true(pmuf_masked_encode(0x1C0, 0xFF, 0, false) == 0xFF000001000000C0ull);
	/* The selftest's EVENT(select, umask) layout. */
	assert_true(pmuf_exact_encode(0x1C2, 0) == 0x1000000C2ull);
	assert_true(pmuf_exact_encode(0xC4, 0) == 0xC4ull);
	assert_true(pmuf_exact_encode(0x2E, 0x4F) == 0x4F2Eull);
	assert_true(pmuf_exact_encode(0xFFF, 0xFF) == 0xF0000FFFFull);
}

static void test_masked_round_trip(void **state)
{
	(void)state;
	for (unsigned sel = 0; sel <= 0xFFF; sel++) {
		uint8_t mask = (uint8_t)(sel * 7 + 3), match = (uint8_t)(sel * 13 + 1);
		bool excl = sel & 1;
		uint64_t e = pmuf_masked_encode((uint16_t)sel, mask, match, excl);

		assert_int_equal(pmuf_masked_select(e), sel);
		assert_int_equal(pmuf_masked_mask(e), mask);
		assert_int_equal(pmuf_masked_match(e), match);
		assert_int_equal(pmuf_masked_exclude(e), excl);
		/* Nothing outside select|match|mask|exclude. */
		assert_true((e & ~pmuf_masked_valid_bits(PMUF_FLAVOR_AMD)) == 0);
		if (sel <= 0xFF)
			assert_true((e & ~pmuf_masked_valid_bits(PMUF_FLAVOR_INTEL)) == 0);
		else
			assert_true((e & ~pmuf_masked_valid_bits(PMUF_FLAVOR_INTEL)) != 0);
	}
}

static void test_eventsel_fields(void **state)
{
	(void)state;
	/* EN (22) | OS (17) | USR (16). */
	assert_true(pmuf_eventsel_make(0xC0, 0) == 0x4300C0ull);
	assert_true(pmuf_eventsel_make(0x1C2, 0x01) == 0x1004301C2ull);
	for (unsigned sel = 0; sel <= 0xFFF; sel += 7) {
		for (unsigned um = 0; um <= 0xFF; um += 5) {
			uint64_t ev = pmuf_eventsel_make((uint16_t)sel, (uint8_t)um);

			assert_int_equal(pmuf_eventsel_select(ev), sel);
			assert_int_equal(pmuf_eventsel_umask(ev), um);
			/* Extra guest bits (EDGE 18, INT 20, INV 23, CMASK) don't leak. */
			ev |= (1ull << 18) | (1ull << 20) | (1ull << 23) | (0xA5ull << 24);
			assert_int_equal(pmuf_eventsel_select(ev), sel);
			assert_int_equal(pmuf_eventsel_umask(ev), um);
		}
	}
	/* An exact entry decodes with the same helpers. */
	assert_int_equal(pmuf_eventsel_select(0x1000000C2ull), 0x1C2);
}

static void test_flavors(void **state)
{
	enum pmuf_flavor fl = PMUF_FLAVOR_UNSET;
	struct pmuf_filter f;

	(void)state;
	assert_true(pmuf_flavor_select_mask(PMUF_FLAVOR_INTEL) == 0xFFull);
	assert_true(pmuf_flavor_select_mask(PMUF_FLAVOR_AMD) == 0xF000000FFull);
	assert_true(pmuf_flavor_select_mask(PMUF_FLAVOR_UNSET) == 0);
	assert_int_equal(pmuf_flavor_select_bits(PMUF_FLAVOR_INTEL), 8);
	assert_int_equal(pmuf_flavor_select_bits(PMUF_FLAVOR_AMD), 12);
	assert_true(pmuf_exact_valid_bits(PMUF_FLAVOR_INTEL) == 0xFFFFull);
	assert_true(pmuf_exact_valid_bits(PMUF_FLAVOR_AMD) == 0xF0000FFFFull);
	assert_true(pmuf_masked_valid_bits(PMUF_FLAVOR_INTEL) == 0xFF8000000000FFFFull);
	assert_true(pmuf_masked_valid_bits(PMUF_FLAVOR_AMD) == 0xFF80000F0000FFFFull);
	assert_string_equal(pmuf_flavor_name(PMUF_FLAVOR_INTEL), "intel");
	assert_string_equal(pmuf_flavor_name(PMUF_FLAVOR_AMD), "amd");
	assert_string_equal(pmuf_flavor_name(PMUF_FLAVOR_UNSET), "unset");
	assert_int_equal(pmuf_flavor_parse("intel", &fl), 0);
	assert_int_equal(fl, PMUF_FLAVOR_INTEL);
	assert_int_equal(pmuf_flavor_parse("AMD", &fl), 0);
	assert_int_equal(fl, PMUF_FLAVOR_AMD);
	assert_int_equal(pmuf_flavor_parse("arm", &fl), -EINVAL);
	assert_int_equal(pmuf_flavor_parse("", &fl), -EINVAL);

	pmuf_init(&f, PMUF_ARCH_X86);
	assert_int_equal(pmuf_flavor_resolve(&f, PMUF_FLAVOR_UNSET), PMUF_FLAVOR_UNSET);
	assert_int_equal(pmuf_flavor_resolve(NULL, PMUF_FLAVOR_AMD), PMUF_FLAVOR_AMD);
	f.flavor = PMUF_FLAVOR_AMD;
	assert_int_equal(pmuf_flavor_resolve(&f, PMUF_FLAVOR_UNSET), PMUF_FLAVOR_AMD);
	/* An explicit flavor (e.g. --vendor) wins over the declared one. */
	assert_int_equal(pmuf_flavor_resolve(&f, PMUF_FLAVOR_INTEL), PMUF_FLAVOR_INTEL);
}

static void test_kernel_generations(void **state)
{
	static const struct {
		const char *s;
		int err;
		enum pmuf_kernel k;
	} cases[] = {
		{ "5.3", 0, PMUF_KERNEL_5_3 },
		{ "5.16", 0, PMUF_KERNEL_5_3 },
		{ "5.17", 0, PMUF_KERNEL_5_17 },
		{ "6.2", 0, PMUF_KERNEL_5_17 },
		{ "6.3", 0, PMUF_KERNEL_6_3 },
		{ "6.18.0-1-amd64", 0, PMUF_KERNEL_6_3 },
		{ "7.0", 0, PMUF_KERNEL_6_3 },
		{ "5.10.0-30-amd64", 0, PMUF_KERNEL_5_3 },
		{ "5.2", -ERANGE, 0 },
		{ "4.19", -ERANGE, 0 },
		{ "6", -EINVAL, 0 },
		{ "6.", -EINVAL, 0 },
		{ "6.3x", -EINVAL, 0 },
		{ "v6.3", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum pmuf_kernel k = 99;
		int err = pmuf_kernel_parse(cases[i].s, &k);

		if (err != cases[i].err)
			fail_msg("\"%s\": got %d, want %d", cases[i].s, err, cases[i].err);
		if (!err)
			assert_int_equal(k, cases[i].k);
	}
	for (int k = PMUF_KERNEL_5_3; k <= PMUF_KERNEL_6_3; k++) {
		enum pmuf_kernel back;

		assert_int_equal(pmuf_kernel_parse(pmuf_kernel_name(k), &back), 0);
		assert_int_equal(back, k);
	}
}

static void test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(pmuf_errno_name(-EINVAL), "EINVAL");
	assert_string_equal(pmuf_errno_name(EINVAL), "EINVAL");
	assert_string_equal(pmuf_errno_name(-E2BIG), "E2BIG");
	assert_string_equal(pmuf_errno_name(-EFAULT), "EFAULT");
	assert_string_equal(pmuf_errno_name(-EBUSY), "EBUSY");
	assert_string_equal(pmuf_errno_name(0), "ok");
	assert_non_null(pmuf_errno_name(-99999));
}

static void test_model(void **state)
{
	struct pmuf_filter f, g;
	struct pmuf_src src = { .line = 7 };

	(void)state;
	pmuf_init(&f, PMUF_ARCH_X86);
	assert_int_equal(f.action, PMUF_ALLOW);
	assert_int_equal(f.nevents, 0);
	assert_false(pmuf_is_masked(&f));
	strcpy(src.name, "icl::MEM_INST_RETIRED:ALL_LOADS");
	assert_int_equal(pmuf_add_event(&f, 0xC0, NULL), 0);
	assert_int_equal(pmuf_add_event(&f, 0x81D0, &src), 0);
	for (unsigned i = 0; i < 400; i++)
		assert_int_equal(pmuf_add_event(&f, i, NULL), 0);
	assert_int_equal(f.nevents, 402);
	assert_true(f.events[0] == 0xC0 && f.events[1] == 0x81D0 && f.events[401] == 399);
	assert_non_null(f.src);
	assert_int_equal(f.src[0].line, 0);
	assert_int_equal(f.src[1].line, 7);
	assert_string_equal(f.src[1].name, "icl::MEM_INST_RETIRED:ALL_LOADS");
	f.flags = KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
	assert_true(pmuf_is_masked(&f));

	/* A deep copy: changing the copy leaves the original alone. */
	assert_int_equal(pmuf_copy(&g, &f), 0);
	assert_int_equal(g.nevents, 402);
	assert_ptr_not_equal(g.events, f.events);
	g.events[0] = 0x1234;
	g.src[1].line = 99;
	assert_true(f.events[0] == 0xC0);
	assert_int_equal(f.src[1].line, 7);
	pmuf_free(&g);
	assert_null(g.events);
	assert_int_equal(g.nevents, 0);
	pmuf_free(&f);

	/* A parser may hand us events without src[]; adding keeps them. */
	pmuf_init(&f, PMUF_ARCH_X86);
	f.events = malloc(2 * sizeof(*f.events));
	f.events[0] = 1;
	f.events[1] = 2;
	f.nevents = 2;
	assert_int_equal(pmuf_add_event(&f, 3, &src), 0);
	assert_true(f.events[0] == 1 && f.events[2] == 3);
	assert_int_equal(f.src[0].line, 0);
	assert_int_equal(f.src[2].line, 7);
	pmuf_free(&f);

	pmuf_init(&f, PMUF_ARCH_ARM64);
	assert_false(pmuf_is_masked(&f));
	assert_int_equal(pmuf_add_range(&f, 0, 10, PMUF_ALLOW), 0);
	assert_int_equal(pmuf_add_range(&f, 6, 3, PMUF_DENY), 0);
	assert_int_equal(f.nranges, 2);
	assert_int_equal(f.ranges[1].base, 6);
	assert_int_equal(f.ranges[1].nevents, 3);
	assert_int_equal(f.ranges[1].action, PMUF_DENY);
	assert_int_equal(pmuf_copy(&g, &f), 0);
	assert_int_equal(g.nranges, 2);
	assert_int_equal(g.arch, PMUF_ARCH_ARM64);
	pmuf_free(&g);
	pmuf_free(&f);
	assert_int_equal(f.arch, PMUF_ARCH_ARM64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masked_encode_kernel_values),
		cmocka_unit_test(test_masked_round_trip),
		cmocka_unit_test(test_eventsel_fields),
		cmocka_unit_test(test_flavors),
		cmocka_unit_test(test_kernel_generations),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
