/* test_hostinfo.c — bench/common/hostinfo.c: the object's shape, its
 * cache (copies are independent), the host id, and the default flavor
 * against kvm-sys's own probe. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>

#include "counters.h"
#include "cpu-id.h"
#include "hostinfo.h"
#include "kvm-sys.h"

static void test_cached_copies(void **state)
{
	(void)state;
	json_t *a = hostinfo_json(), *b = hostinfo_json();
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_true(json_equal(a, b));
	/* Changing a copy must not change what the next caller gets. */
	json_object_set_new(a, "host_id", json_string("changed"));
	json_array_clear(json_object_get(a, "missing"));
	json_t *c = hostinfo_json();
	assert_true(json_equal(b, c));
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

static void test_host_id(void **state)
{
	(void)state;
	const char *id = hostinfo_host_id();
	assert_non_null(id);
	size_t n = strlen(id);
	assert_true(n >= 8 && n <= 64);
	for (size_t i = 0; i < n; i++)
		assert_true((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') ||
			    id[i] == '-');
	assert_true(id[0] != '-');
	json_t *h = hostinfo_json();
	assert_string_equal(json_string_value(json_object_get(h, "host_id")), id);
	json_decref(h);
	assert_string_equal(hostinfo_host_id(), id);
}

/* The id's format from fixed inputs, every arch on any host. */
static void test_host_id_format(void **state)
{
	(void)state;
	char id[128], id2[128];
	struct cpu_id amd = { .vendor = "AuthenticAMD", .family = 26, .model = 2, .stepping = 1,
			      .have_fms = true };
	cpu_host_id(&amd, "x86_64", "AMD EPYC", "vm", "abc", id, sizeof(id));
	assert_int_equal(strncmp(id, "amd-f26m2-vm-", 13), 0);
	assert_int_equal(strlen(id), 13 + 8);

	/* arm64 under QEMU: a Neoverse N1's MIDR, the kernel's "(none)"
	 * hostname (the id once came out as aarch64-none--HASH). */
	struct cpu_id n1 = { 0 };
	cpu_id_from_midr(&n1, 0x410fd0c0);
	assert_true(n1.have_midr);
	assert_int_equal(n1.implementer, 0x41);
	assert_int_equal(n1.part, 0xd0c);
	assert_int_equal(n1.variant, 0);
	assert_int_equal(n1.revision, 0);
	cpu_host_id(&n1, "aarch64", NULL, "(none)", "", id, sizeof(id));
	assert_int_equal(strncmp(id, "arm-pd0c-host-", 14), 0);
	assert_int_equal(strlen(id), 14 + 8);
	/* A different part or revision is a different machine: another hash. */
	struct cpu_id n1r1 = { 0 };
	cpu_id_from_midr(&n1r1, 0x411fd0c1);
	assert_int_equal(n1r1.variant, 1);
	assert_int_equal(n1r1.revision, 1);
	cpu_host_id(&n1r1, "aarch64", NULL, "(none)", "", id2, sizeof(id2));
	assert_int_equal(strncmp(id2, "arm-pd0c-host-", 14), 0);
	assert_string_not_equal(id, id2);
	/* Same inputs, same id. */
	cpu_host_id(&n1, "aarch64", NULL, "(none)", "", id2, sizeof(id2));
	assert_string_equal(id, id2);

	/* An implementer without a name; a hostname needing cleaning. */
	struct cpu_id odd = { 0 };
	cpu_id_from_midr(&odd, 0x7a0f0010);
	cpu_host_id(&odd, "aarch64", NULL, "--Build_Box.(lab)--", "m", id, sizeof(id));
	assert_int_equal(strncmp(id, "impl0x7a-p1-build-box-lab-", 26), 0);
	assert_string_equal(cpu_midr_implementer_name(0xC0), "ampere");
	assert_null(cpu_midr_implementer_name(0x7a));

	/* Nothing known: the machine name, cleaned. */
	struct cpu_id none = { 0 };
	cpu_host_id(&none, "x86_64", NULL, "", "", id, sizeof(id));
	assert_int_equal(strncmp(id, "x86-64-host-", 12), 0);

	/* Never an empty part, a doubled or an edge '-'. */
	struct cpu_id *all[] = { &amd, &n1, &n1r1, &odd, &none };
	const char *hosts[] = { "(none)", "", "-", "a--b", "___", "vm" };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		for (size_t j = 0; j < sizeof(hosts) / sizeof(hosts[0]); j++) {
			cpu_host_id(all[i], "aarch64", NULL, hosts[j], "", id, sizeof(id));
			assert_true(id[0] != '-' && id[strlen(id) - 1] != '-');
			assert_null(strstr(id, "--"));
			for (const char *p = id; *p; p++)
				assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
		}
}

static void test_fields_match_sources(void **state)
{
	(void)state;
	json_t *h = hostinfo_json();
	struct utsname u;
	assert_int_equal(uname(&u), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(h, "kernel"), "release")),
			    u.release);

	char why[192];
	bool hw = ctr_hw_usable(why, sizeof(why));
	json_t *ctr = json_object_get(h, "counters");
	assert_int_equal(json_is_true(json_object_get(ctr, "hw_usable")), hw);

	json_t *kvm = json_object_get(h, "kvm");
	char pmu[16];
	if (kvm_sys_param("enable_pmu", pmu, sizeof(pmu)) == 0)
		assert_string_equal(json_string_value(json_object_get(kvm, "enable_pmu")), pmu);
	else
		assert_true(json_is_null(json_object_get(kvm, "enable_pmu")));
	json_decref(h);
}

static void test_default_flavor(void **state)
{
	(void)state;
	const char *how = NULL;
	enum pmuf_flavor fl = hostinfo_default_flavor(&how);
	assert_non_null(how);
	enum pmuf_flavor probed;
	int r = kvm_sys_probe_flavor(&probed);
	if (r == 0) {
		assert_string_equal(how, "probed");
		assert_int_equal(fl, probed);
	} else {
		print_message("flavor probe unavailable (%s): default from %s\n", strerror(-r), how);
		assert_true(!strcmp(how, "cpu") || !strcmp(how, "none"));
		assert_int_equal(fl == PMUF_FLAVOR_UNSET, !strcmp(how, "none"));
	}
	json_t *h = hostinfo_json();
	assert_string_equal(json_string_value(json_object_get(h, "default_flavor_how")), how);
	json_decref(h);
	assert_int_equal(hostinfo_default_flavor(NULL), fl);
}

int main(void)
{
	hostinfo_set_kvm(kvm_host_json); /* as pfbench's main() does */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_copies),
		cmocka_unit_test(test_host_id),
		cmocka_unit_test(test_host_id_format),
		cmocka_unit_test(test_fields_match_sources),
		cmocka_unit_test(test_default_flavor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
