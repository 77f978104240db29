/* test_filters_validate.c — pmuf_validate against the kernel's rules and
 * their order (kvm_vm_ioctl_set_pmu_event_filter + prepare_filter_lists on
 * x86, KVM_ARM_VCPU_PMU_V3_FILTER on arm64): reference facts 2-4 and 12. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pmuf.h"

#define MASKED KVM_PMU_EVENT_FLAG_MASKED_EVENTS
#define INTEL PMUF_FLAVOR_INTEL
#define AMD PMUF_FLAVOR_AMD

static void x86(struct pmuf_filter *f, uint32_t action, uint32_t flags, size_t n,
		const uint64_t *ev)
{
	pmuf_init(f, PMUF_ARCH_X86);
	f->action = action;
	f->flags = flags;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pmuf_add_event(f, ev[i], NULL), 0);
}

/* The verdict for one flavor; frees everything. */
static int verdict1(uint32_t action, uint32_t flags, uint64_t entry, enum pmuf_flavor fl)
{
	struct pmuf_filter f;
	struct pmuf_verdict v;
	int r;

	x86(&f, action, flags, 1, &entry);
	r = pmuf_validate(&f, fl, &v);
	assert_int_equal(r, v.err);
	pmuf_verdict_free(&v);
	pmuf_free(&f);
	return r;
}

/* Facts 2: header checks. */
static void test_header(void **state)
{
	struct pmuf_filter f;
	struct pmuf_verdict v;

	(void)state;
	assert_int_equal(verdict1(PMUF_ALLOW, 0, 0xC0, INTEL), 0);
	assert_int_equal(verdict1(PMUF_DENY, 0, 0xC0, INTEL), 0);
	assert_int_equal(verdict1(2, 0, 0xC0, INTEL), -EINVAL);
	assert_int_equal(verdict1(0xFFFFFFFF, 0, 0xC0, AMD), -EINVAL);
	assert_int_equal(verdict1(PMUF_ALLOW, 2, 0xC0, INTEL), -EINVAL);
	assert_int_equal(verdict1(PMUF_ALLOW, MASKED << 1, 0xC0, AMD), -EINVAL);
	assert_int_equal(verdict1(PMUF_ALLOW, 0x80000000u, 0xC0, AMD), -EINVAL);

	/* nevents: 300 is fine, 301 is E2BIG. */
	x86(&f, PMUF_ALLOW, 0, 0, NULL);
	for (int i = 0; i < 300; i++)
		assert_int_equal(pmuf_add_event(&f, (uint64_t)i & 0xFF, NULL), 0);
	assert_int_equal(pmuf_validate(&f, INTEL, &v), 0);
	assert_int_equal(v.nincludes, 300);
	pmuf_verdict_free(&v);
	assert_int_equal(pmuf_add_event(&f, 0xC0, NULL), 0);
	assert_int_equal(pmuf_validate(&f, INTEL, &v), -E2BIG);
	assert_int_equal(v.err, -E2BIG);
	assert_true(strlen(v.reason) > 0);
	assert_true(v.bad_index == SIZE_MAX);
	pmuf_verdict_free(&v);

	/* pad is never checked. */
	f.nevents = 1;
	f.pad[0] = 0xDEADBEEF;
	f.pad[3] = 1;
	assert_int_equal(pmuf_validate(&f, INTEL, &v), 0);
	pmuf_verdict_free(&v);
	/* Nor is fixed_counter_bitmap (bits for absent counters are fine). */
	f.fixed_counter_bitmap = 0xFFFFFFFF;
	assert_int_equal(pmuf_validate(&f, AMD, &v), 0);
	pmuf_verdict_free(&v);
	pmuf_free(&f);

	/* An empty filter is valid in both modes. */
	x86(&f, PMUF_DENY, MASKED, 0, NULL);
	assert_int_equal(pmuf_validate(&f, INTEL, &v), 0);
	assert_int_equal(v.nincludes + v.nexcludes, 0);
	pmuf_verdict_free(&v);
	pmuf_free(&f);
}

/* The kernel checks action, then flags, then nevents, then (masked) bits:
 * the first failing check decides the errno. */
static void test_order(void **state)
{
	struct pmuf_filter f;
	struct pmuf_verdict v;

	(void)state;
	x86(&f, 2, 4, 0, NULL);
	for (int i = 0; i < 301; i++)
		assert_int_equal(pmuf_add_event(&f, ~0ull, NULL), 0);
	/* bad action + bad flags + 301 events: EINVAL (action). */
	assert_int_equal(pmuf_validate(&f, INTEL, &v), -EINVAL);
	assert_non_null(strstr(v.reason, "action"));
	pmuf_verdict_free(&v);
	/* bad flags + 301: EINVAL (flags) before E2BIG. */
	f.action = PMUF_DENY;
	assert_int_equal(pmuf_validate(&f, INTEL, &v), -EINVAL);
	assert_non_null(strstr(v.reason, "flags"));
	pmuf_verdict_free(&v);
	/* masked, 301 invalid entries: E2BIG before the entry check. */
	f.flags = MASKED;
	assert_int_equal(pmuf_validate(&f, INTEL, &v), -E2BIG);
	pmuf_verdict_free(&v);
	/* Header errors need no flavor. */
	assert_int_equal(pmuf_validate(&f, PMUF_FLAVOR_UNSET, &v), -E2BIG);
	pmuf_verdict_free(&v);
	/* 300 invalid masked entries: EINVAL, the first one named. */
	f.nevents = 300;
	assert_int_equal(pmuf_validate(&f, INTEL, &v), -EINVAL);
	assert_int_equal(v.bad_index, 0);
	pmuf_verdict_free(&v);
	/* Unmasked, the same entries are only dropped. */
	f.flags = 0;
	assert_int_equal(pmuf_validate(&f, INTEL, &v), 0);
	assert_int_equal(v.ndropped, 300);
	assert_int_equal(v.nincludes, 0);
	pmuf_verdict_free(&v);
	pmuf_free(&f);
}

/* Facts 3: masked entries, per flavor. */
static void test_masked_bits(void **state)
{
	struct pmuf_filter f;
	struct pmuf_verdict v;
	uint64_t bit32 = pmuf_masked_encode(0x1C0, 0xFF, 0, false);

	(void)state;
	assert_int_equal(verdict1(PMUF_ALLOW, MASKED, bit32, INTEL), -EINVAL);
	assert_int_equal(verdict1(PMUF_ALLOW, MASKED, bit32, AMD), 0);
	for (int b = 32; b <= 35; b++) {
		assert_int_equal(verdict1(PMUF_ALLOW, MASKED, 0xC0 | (1ull << b), INTEL), -EINVAL);
		assert_int_equal(verdict1(PMUF_ALLOW, MASKED, 0xC0 | (1ull << b), AMD), 0);
	}
	/* Bits 31:16 and 54:36 are never valid. */
	for (int b = 16; b <= 31; b++) {
		assert_int_equal(verdict1(PMUF_ALLOW, MASKED, 0xC0 | (1ull << b), INTEL), -EINVAL);
		assert_int_equal(verdict1(PMUF_DENY, MASKED, 0xC0 | (1ull << b), AMD), -EINVAL);
	}
	for (int b = 36; b <= 54; b++) {
		assert_int_equal(verdict1(PMUF_ALLOW, MASKED, 0xC0 | (1ull << b), INTEL), -EINVAL);
		assert_int_equal(verdict1(PMUF_ALLOW, MASKED, 0xC0 | (1ull << b), AMD), -EINVAL);
	}
	/* select|match|mask|exclude are all fine. */
	assert_int_equal(verdict1(PMUF_ALLOW, MASKED, 0xFF8000000000FFFFull, INTEL), 0);
	assert_int_equal(verdict1(PMUF_ALLOW, MASKED, 0xFF80000F0000FFFFull, AMD), 0);
	/* The selftest's ~0 with the masked flag fails; without it, passes. */
	assert_int_equal(verdict1(PMUF_ALLOW, MASKED, ~0ull, INTEL), -EINVAL);
	assert_int_equal(verdict1(PMUF_ALLOW, MASKED, ~0ull, AMD), -EINVAL);
	assert_int_equal(verdict1(PMUF_ALLOW, 0, ~0ull, INTEL), 0);
	assert_int_equal(verdict1(PMUF_ALLOW, 0, ~0ull, AMD), 0);

	/* The first bad entry is named; includes/excludes are counted. */
	{
		uint64_t ev[] = { pmuf_masked_encode(0xD0, 0x7C, 0, false),
				  pmuf_masked_encode(0xD0, 0xFF, 0x83, true),
				  pmuf_masked_encode(0xC0, 0, 0, true), 0xD0 | (1ull << 40),
				  0xD0 | (1ull << 16) };

		x86(&f, PMUF_ALLOW, MASKED, 3, ev);
		assert_int_equal(pmuf_validate(&f, INTEL, &v), 0);
		assert_int_equal(v.nincludes, 1);
		assert_int_equal(v.nexcludes, 2);
		assert_int_equal(v.ndropped, 0);
		pmuf_verdict_free(&v);
		pmuf_free(&f);
		x86(&f, PMUF_ALLOW, MASKED, 5, ev);
		assert_int_equal(pmuf_validate(&f, AMD, &v), -EINVAL);
		assert_int_equal(v.bad_index, 3);
		assert_non_null(strstr(v.reason, "entry 3"));
		pmuf_verdict_free(&v);
		pmuf_free(&f);
	}
}

/* Facts 4: unmasked entries outside select+umask are dropped silently. */
static void test_unmasked_drops(void **state)
{
	uint64_t ev[] = {
		0xC0,                  /* kept */
		~0ull,                 /* dropped */
		0x100C0,               /* bit 16: dropped */
		0x00800000000000C0ull, /* bit 55 (exclude): dropped */
		0x1000000C2ull,        /* Intel: dropped; AMD: kept */
		0x81D0,                /* kept */
		0xFF000000000000C0ull, /* a masked-style entry: dropped */
	};
	struct pmuf_filter f;
	struct pmuf_verdict v;

	(void)state;
	x86(&f, PMUF_ALLOW, 0, sizeof(ev) / sizeof(ev[0]), ev);
	assert_int_equal(pmuf_validate(&f, INTEL, &v), 0);
	assert_int_equal(v.ndropped, 5);
	assert_int_equal(v.dropped[0], 1);
	assert_int_equal(v.dropped[1], 2);
	assert_int_equal(v.dropped[2], 3);
	assert_int_equal(v.dropped[3], 4);
	assert_int_equal(v.dropped[4], 6);
	assert_int_equal(v.nincludes, 2);
	assert_int_equal(v.nexcludes, 0);
	pmuf_verdict_free(&v);
	assert_null(v.dropped);

	assert_int_equal(pmuf_validate(&f, AMD, &v), 0);
	assert_int_equal(v.ndropped, 4);
	assert_int_equal(v.dropped[3], 6);
	assert_int_equal(v.nincludes, 3);
	pmuf_verdict_free(&v);

	/* The filter's declared flavor applies when the caller has none. */
	f.flavor = AMD;
	assert_int_equal(pmuf_validate(&f, PMUF_FLAVOR_UNSET, &v), 0);
	assert_int_equal(v.ndropped, 4);
	pmuf_verdict_free(&v);
	/* And an explicit one wins. */
	assert_int_equal(pmuf_validate(&f, INTEL, &v), 0);
	assert_int_equal(v.ndropped, 5);
	pmuf_verdict_free(&v);
	/* Without any flavor the entries cannot be judged. */
	f.flavor = PMUF_FLAVOR_UNSET;
	assert_int_equal(pmuf_validate(&f, PMUF_FLAVOR_UNSET, &v), -ENODATA);
	pmuf_verdict_free(&v);
	pmuf_free(&f);
}

static int arm_verdict(unsigned bits, uint32_t base, uint32_t n, uint32_t action, size_t *bad)
{
	struct pmuf_filter f;
	struct pmuf_verdict v;
	int r;

	pmuf_init(&f, PMUF_ARCH_ARM64);
	f.arm_event_bits = bits;
	assert_int_equal(pmuf_add_range(&f, 0, 1, PMUF_ALLOW), 0);
	assert_int_equal(pmuf_add_range(&f, base, n, action), 0);
	r = pmuf_validate(&f, PMUF_FLAVOR_UNSET, &v);
	if (bad)
		*bad = v.bad_index;
	pmuf_verdict_free(&v);
	pmuf_free(&f);
	return r;
}

/* Facts 12 (validation part) and the arm64 selftest's invalid filters. */
static void test_arm64(void **state)
{
	size_t bad = 0;

	(void)state;
	assert_int_equal(arm_verdict(16, 0, 10, PMUF_ALLOW, NULL), 0);
	assert_int_equal(arm_verdict(16, 0, 0, PMUF_DENY, NULL), 0); /* nevents 0 is fine */
	assert_int_equal(arm_verdict(16, 65535, 1, PMUF_DENY, NULL), 0);
	assert_int_equal(arm_verdict(0, 65535, 1, PMUF_DENY, NULL), 0); /* 0 means 16 bits */
	assert_int_equal(arm_verdict(16, 65535, 2, PMUF_DENY, &bad), -EINVAL);
	assert_int_equal(bad, 1);
	assert_int_equal(arm_verdict(16, 0x8000, 0x8001, PMUF_ALLOW, NULL), -EINVAL);
	assert_int_equal(arm_verdict(10, 1000, 24, PMUF_ALLOW, NULL), 0);
	assert_int_equal(arm_verdict(10, 1000, 25, PMUF_ALLOW, NULL), -EINVAL);
	assert_int_equal(arm_verdict(10, 1024, 0, PMUF_ALLOW, NULL), 0);
	assert_int_equal(arm_verdict(16, 0x11, 1, 2, NULL), -EINVAL);
	assert_int_equal(arm_verdict(16, 0x11, 1, 3, NULL), -EINVAL);
	/* Not representable in the u16 fields. */
	assert_int_equal(arm_verdict(16, 0x10000, 0, PMUF_ALLOW, NULL), -EINVAL);
	/* No such event space. */
	assert_int_equal(arm_verdict(12, 0, 1, PMUF_ALLOW, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_masked_bits),
		cmocka_unit_test(test_unmasked_drops),
		cmocka_unit_test(test_arm64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
