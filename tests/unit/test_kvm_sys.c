/* test_kvm_sys.c — bench/kvm/kvm-sys.c against the running kernel. Every
 * test that needs /dev/kvm says why it skipped when it is absent. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvm-compat.h"
#include "kvm-sys.h"
#include "need.h"

/* Opens /dev/kvm or skips the test, saying why. */
static int open_or_skip(void)
{
	int fd = kvm_sys_open();
	if (fd < 0) {
		need_skip("kvm", "/dev/kvm not usable: %s", strerror(-fd));
	}
	return fd;
}

struct one_filter {
	struct kvm_pmu_event_filter h;
	uint64_t ev[1];
};

static int set_filter(int vm, uint32_t action, uint32_t flags, uint64_t entry)
{
	struct one_filter f;
	memset(&f, 0, sizeof(f));
	f.h.action = action;
	f.h.flags = flags;
	f.h.nevents = 1;
	f.ev[0] = entry;
	return __vm_set_pmu_filter_raw(vm, &f, sizeof(f));
}

static void test_open_and_caps(void **state)
{
	(void)state;
	int kvm = open_or_skip();
	/* Constants from kvm-compat.h the running kernel can confirm. */
	assert_true(kvm_sys_check_cap(kvm, KVM_CAP_PMU_EVENT_FILTER) > 0);
	assert_true(kvm_sys_check_cap(kvm, KVM_CAP_PMU_EVENT_MASKED_EVENTS) > 0);
	/* An unknown capability answers 0, not an error. */
	assert_int_equal(kvm_sys_check_cap(kvm, 0x7FFFFFF0), 0);
	assert_true(kvm_sys_check_cap(-1, KVM_CAP_PMU_EVENT_FILTER) == -EBADF);
	close(kvm);
}

static void test_filter_flags(void **state)
{
	(void)state;
	int kvm = open_or_skip();
	int vm = kvm_sys_create_vm(kvm);
	assert_true(vm >= 0);
	/* KVM_PMU_EVENT_FLAG_MASKED_EVENTS (bit 0) is the only valid flag. */
	assert_int_equal(set_filter(vm, KVM_PMU_EVENT_ALLOW, KVM_PMU_EVENT_FLAG_MASKED_EVENTS,
				    0xFF000000000000C0ull), 0);
	assert_int_equal(set_filter(vm, KVM_PMU_EVENT_ALLOW, 2, 0xC0), -EINVAL);
	assert_int_equal(set_filter(vm, KVM_PMU_EVENT_DENY, 0, 0xC0), 0);
	assert_int_equal(set_filter(vm, 2, 0, 0xC0), -EINVAL);
	/* A buffer shorter than the header never reaches the kernel. */
	assert_int_equal(__vm_set_pmu_filter_raw(vm, "short", 6), -EINVAL);
	close(vm);
	close(kvm);
}

/* The model-filter form goes through pmuf_to_kvm to the same ioctl: the
 * kernel's verdicts must come back unchanged. */
static void test_set_model_filter(void **state)
{
	(void)state;
	int kvm = open_or_skip();
	int vm = kvm_sys_create_vm(kvm);
	assert_true(vm >= 0);
	struct pmuf_filter f;
	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = PMUF_ALLOW;
	f.flags = KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
	assert_int_equal(pmuf_add_event(&f, pmuf_masked_encode(0xD0, 0xFF, 0x81, false), NULL), 0);
	assert_int_equal(pmuf_add_event(&f, pmuf_masked_encode(0xD0, 0xFF, 0x83, true), NULL), 0);
	assert_int_equal(__vm_set_pmu_filter(vm, &f), 0);
	/* Bit 16 is outside every masked field: EINVAL on both flavors. */
	assert_int_equal(pmuf_add_event(&f, 1ull << 16, NULL), 0);
	assert_int_equal(__vm_set_pmu_filter(vm, &f), -EINVAL);
	pmuf_free(&f);

	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = PMUF_DENY;
	for (int i = 0; i < 301; i++)
		assert_int_equal(pmuf_add_event(&f, pmuf_exact_encode((uint16_t)i & 0xFF, 0), NULL), 0);
	assert_int_equal(__vm_set_pmu_filter(vm, &f), -E2BIG);
	pmuf_free(&f);
	close(vm);
	close(kvm);
}

static void test_probe_flavor_matches_ioctl(void **state)
{
	(void)state;
	int kvm = open_or_skip();
	if (kvm_sys_check_cap(kvm, KVM_CAP_PMU_EVENT_MASKED_EVENTS) <= 0) {
		enum pmuf_flavor fl;
		assert_int_equal(kvm_sys_probe_flavor(&fl), -EOPNOTSUPP);
		close(kvm);
		print_message("SKIP: no KVM_CAP_PMU_EVENT_MASKED_EVENTS\n");
		skip();
	}
	enum pmuf_flavor fl = PMUF_FLAVOR_UNSET;
	assert_int_equal(kvm_sys_probe_flavor(&fl), 0);
	assert_true(fl == PMUF_FLAVOR_INTEL || fl == PMUF_FLAVOR_AMD);

	/* Ask the kernel directly on a fresh VM: a masked entry with select
	 * 0x1C0 (bit 32) is EINVAL on the 8-bit flavor, accepted on 12-bit. */
	int vm = kvm_sys_create_vm(kvm);
	assert_true(vm >= 0);
	int r = set_filter(vm, KVM_PMU_EVENT_DENY, KVM_PMU_EVENT_FLAG_MASKED_EVENTS,
			   (1ull << 32) | 0xC0 | (0x0Full << 56));
	assert_true(r == 0 || r == -EINVAL);
	assert_int_equal(fl, r == 0 ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL);
	/* Bit 35 too, the other end of EventSelect[11:8]. */
	r = set_filter(vm, KVM_PMU_EVENT_ALLOW, KVM_PMU_EVENT_FLAG_MASKED_EVENTS, (1ull << 35) | 0x29);
	assert_int_equal(fl, r == 0 ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL);
	print_message("probed flavor: %s\n", fl == PMUF_FLAVOR_AMD ? "amd (12-bit)" : "intel (8-bit)");
	close(vm);
	close(kvm);
}

static void test_param(void **state)
{
	(void)state;
	char buf[64];
	assert_int_equal(kvm_sys_param("no_such_param_pfbench", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(kvm_sys_param("../kvm/parameters/enable_pmu", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(kvm_sys_param("", buf, sizeof(buf)), -EINVAL);
	if (access("/sys/module/kvm/parameters/enable_pmu", R_OK) != 0) {
		print_message("SKIP: no /sys/module/kvm/parameters/enable_pmu: %s\n", strerror(errno));
		skip();
	}
	assert_int_equal(kvm_sys_param("enable_pmu", buf, sizeof(buf)), 0);
	assert_true(!strcmp(buf, "Y") || !strcmp(buf, "N"));
	/* Same answer as reading the file ourselves, newline stripped. */
	FILE *f = fopen("/sys/module/kvm/parameters/enable_pmu", "r");
	assert_non_null(f);
	char direct[64] = "";
	assert_non_null(fgets(direct, sizeof(direct), f));
	fclose(f);
	assert_int_equal(direct[0], buf[0]);
	assert_int_equal(direct[1], '\n');
}

static void test_vpmu(void **state)
{
	(void)state;
	int kvm = open_or_skip();
	struct kvm_vpmu_info v;
	assert_int_equal(kvm_sys_vpmu(kvm, &v), 0);
	char pmu[16];
	int have_param = kvm_sys_param("enable_pmu", pmu, sizeof(pmu)) == 0;
	if (v.present) {
		assert_true(v.version >= 1);
		assert_true(v.gp_counters >= 1 && v.gp_counters <= 32);
		assert_true(v.gp_width >= 32 && v.gp_width <= 64);
		assert_true(v.fixed_counters <= 31);
		/* KVM zeroes the PMU leaves when enable_pmu=N. */
		if (have_param)
			assert_string_equal(pmu, "Y");
		print_message("vPMU: version %u, %u GP x %u bits, %u fixed\n", v.version,
			      v.gp_counters, v.gp_width, v.fixed_counters);
	} else {
		assert_true(v.why[0] != '\0');
		assert_int_equal(v.gp_counters, 0);
		if (have_param && !strcmp(pmu, "N"))
			assert_string_equal(v.why, "KVM reports no vPMU (enable_pmu=N)");
		print_message("no vPMU: %s\n", v.why);
	}
	/* A bad fd reports the ioctl's error. */
	assert_int_equal(kvm_sys_vpmu(-1, &v), -EBADF);
	assert_false(v.present);
	assert_true(strstr(v.why, "KVM_GET_SUPPORTED_CPUID") != NULL);
	close(kvm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_and_caps),
		cmocka_unit_test(test_filter_flags),
		cmocka_unit_test(test_set_model_filter),
		cmocka_unit_test(test_probe_flavor_matches_ioctl),
		cmocka_unit_test(test_param),
		cmocka_unit_test(test_vpmu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
