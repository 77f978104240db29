/* test_filters_arm64_attr.c — the arm64 vPMU attribute sequence built as
 * data (filters/arm64-attr.c), checked on any host: the kernel's order
 * (SET_PMU, FILTER per range in installation order on vCPU 0, IRQ on each
 * vCPU, the vGIC's CTRL_INIT, INIT on each vCPU), the uAPI encoding of each
 * range (struct kvm_pmu_event_filter: base_event, nevents, action), and
 * the refusals (bad PPI, no vCPUs, an x86 or invalid filter). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pmuf-arm64.h"

static void arm(struct pmuf_filter *f, size_t n, const uint32_t (*r)[3])
{
	pmuf_init(f, PMUF_ARCH_ARM64);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pmuf_add_range(f, r[i][0], r[i][1], r[i][2]), 0);
}

/* The uAPI layout: 8 bytes, base_event at 0, nevents at 2, action at 4. */
static void test_encoding(void **state)
{
	(void)state;
	struct pmuf_arm_range r = { 0x4021, 7, PMUF_DENY };
	struct pmuf_arm64_kvm_filter k;
	memset(&k, 0xAA, sizeof(k));
	pmuf_arm_kvm_filter(&r, &k);
	const uint8_t *b = (const uint8_t *)&k;
	assert_int_equal(sizeof(k), 8);
	assert_int_equal(b[0] | b[1] << 8, 0x4021);
	assert_int_equal(b[2] | b[3] << 8, 7);
	assert_int_equal(b[4], 1); /* KVM_PMU_EVENT_DENY */
	assert_int_equal(b[5] | b[6] | b[7], 0);
	r.action = PMUF_ALLOW;
	pmuf_arm_kvm_filter(&r, &k);
	assert_int_equal(k.action, 0);
}

static void test_order_two_vcpus(void **state)
{
	(void)state;
	static const uint32_t rs[][3] = { { 0, 0x10, PMUF_ALLOW }, { 6, 3, PMUF_DENY } };
	struct pmuf_filter f;
	arm(&f, 2, rs);
	struct pmuf_arm_attr *s;
	size_t n;
	assert_int_equal(pmuf_arm_attr_plan(&f, 2, 9, 23, &s, &n), 0);
	/* SET_PMU x2, FILTER x2, IRQ x2, VGIC_INIT, INIT x2 */
	static const struct {
		enum pmuf_arm_step step;
		unsigned vcpu;
		uint64_t attr;
	} want[] = {
		{ PMUF_ARM_STEP_SET_PMU, 0, PMUF_ARM_VCPU_PMU_V3_SET_PMU },
		{ PMUF_ARM_STEP_SET_PMU, 1, PMUF_ARM_VCPU_PMU_V3_SET_PMU },
		{ PMUF_ARM_STEP_FILTER, 0, PMUF_ARM_VCPU_PMU_V3_FILTER },
		{ PMUF_ARM_STEP_FILTER, 0, PMUF_ARM_VCPU_PMU_V3_FILTER },
		{ PMUF_ARM_STEP_IRQ, 0, PMUF_ARM_VCPU_PMU_V3_IRQ },
		{ PMUF_ARM_STEP_IRQ, 1, PMUF_ARM_VCPU_PMU_V3_IRQ },
		{ PMUF_ARM_STEP_VGIC_INIT, 0, 0 },
		{ PMUF_ARM_STEP_INIT, 0, PMUF_ARM_VCPU_PMU_V3_INIT },
		{ PMUF_ARM_STEP_INIT, 1, PMUF_ARM_VCPU_PMU_V3_INIT },
	};
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		if (s[i].step != want[i].step || s[i].vcpu != want[i].vcpu || s[i].attr != want[i].attr)
			fail_msg("step %zu: %s on vCPU %u (attr %llu), want %s on vCPU %u", i,
				 pmuf_arm_step_name(s[i].step), s[i].vcpu,
				 (unsigned long long)s[i].attr, pmuf_arm_step_name(want[i].step),
				 want[i].vcpu);
	}
	assert_int_equal(s[0].value, 9);
	assert_int_equal(s[4].value, 23);
	/* The ranges in installation order: the first sets the default. */
	assert_int_equal(s[2].filter.base_event, 0);
	assert_int_equal(s[2].filter.nevents, 0x10);
	assert_int_equal(s[2].filter.action, 0);
	assert_int_equal(s[3].filter.base_event, 6);
	assert_int_equal(s[3].filter.nevents, 3);
	assert_int_equal(s[3].filter.action, 1);
	assert_string_equal(pmuf_arm_step_name(s[6].step), "KVM_DEV_ARM_VGIC_CTRL_INIT");
	free(s);
	pmuf_free(&f);
}

/* No filter and no SET_PMU (pmu_type < 0): IRQ, vGIC init, INIT only. */
static void test_no_filter(void **state)
{
	(void)state;
	struct pmuf_arm_attr *s;
	size_t n;
	assert_int_equal(pmuf_arm_attr_plan(NULL, 1, -1, 23, &s, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(s[0].step, PMUF_ARM_STEP_IRQ);
	assert_int_equal(s[1].step, PMUF_ARM_STEP_VGIC_INIT);
	assert_int_equal(s[2].step, PMUF_ARM_STEP_INIT);
	free(s);
}

static void test_refusals(void **state)
{
	(void)state;
	struct pmuf_arm_attr *s = (void *)1;
	size_t n = 5;
	/* The overflow interrupt must be a PPI (16..31). */
	assert_int_equal(pmuf_arm_attr_plan(NULL, 1, -1, 15, &s, &n), -EINVAL);
	assert_null(s);
	assert_int_equal(n, 0);
	assert_int_equal(pmuf_arm_attr_plan(NULL, 1, -1, 32, &s, &n), -EINVAL);
	assert_int_equal(pmuf_arm_attr_plan(NULL, 0, -1, 23, &s, &n), -EINVAL);
	/* An x86 filter is not an arm64 one. */
	struct pmuf_filter x;
	pmuf_init(&x, PMUF_ARCH_X86);
	assert_int_equal(pmuf_arm_attr_plan(&x, 1, -1, 23, &s, &n), -EINVAL);
	pmuf_free(&x);
	/* A range beyond the 10-bit space is the kernel's EINVAL, refused here first. */
	static const uint32_t rs[][3] = { { 1020, 8, PMUF_ALLOW } };
	struct pmuf_filter f;
	arm(&f, 1, rs);
	f.arm_event_bits = 10;
	assert_int_equal(pmuf_arm_attr_plan(&f, 1, -1, 23, &s, &n), -EINVAL);
	f.arm_event_bits = 16;
	assert_int_equal(pmuf_arm_attr_plan(&f, 1, -1, 23, &s, &n), 0);
	assert_int_equal(n, 4);
	free(s);
	pmuf_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_order_two_vcpus),
		cmocka_unit_test(test_no_filter),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
