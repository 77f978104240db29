/* test_cli_info.c — `pfbench info` end to end: runs $PFBENCH (set by
 * scripts/run-tests.sh), parses --json with jansson and checks it against
 * what the library says about this host. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli-run.h"
#include "counters.h"
#include "kvm-sys.h"

static json_t *get(json_t *o, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *cur = o;
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		cur = json_object_get(cur, k);
		if (!cur)
			fail_msg("missing field %s (at %s)", path, k);
	}
	return cur;
}

static bool missing_has(json_t *h, const char *prefix)
{
	size_t i;
	json_t *m;
	json_array_foreach(get(h, "missing"), i, m)
		if (!strncmp(json_string_value(m), prefix, strlen(prefix)))
			return true;
	return false;
}

static void test_json(void **state)
{
	(void)state;
	char *out;
	const char *args[] = { "info", "--json", NULL };
	assert_int_equal(cli_run(args, &out, NULL), 0);
	json_error_t je;
	json_t *h = json_loads(out, 0, &je);
	if (!h)
		fail_msg("info --json is not JSON: %d:%d: %s", je.line, je.column, je.text);
	free(out);

	/* Shape and types. */
	assert_string_equal(json_string_value(get(h, "schema")), "pfbench-hostinfo/1");
	assert_true(json_is_string(get(h, "host_id")));
	assert_true(json_is_string(get(h, "hostname")));
	assert_true(json_is_string(get(h, "cpu.arch")));
	assert_true(json_is_string(get(h, "cpu.vendor")) || json_is_null(get(h, "cpu.vendor")));
	assert_true(json_is_integer(get(h, "cpu.family")) || json_is_null(get(h, "cpu.family")));
	assert_true(json_is_integer(get(h, "cpu.model")) || json_is_null(get(h, "cpu.model")));
	assert_true(json_is_integer(get(h, "cpu.stepping")) || json_is_null(get(h, "cpu.stepping")));
	assert_true(json_is_string(get(h, "cpu.microcode")) || json_is_null(get(h, "cpu.microcode")));
	assert_true(json_is_boolean(get(h, "virtualization.hypervisor")));
	assert_true(json_is_array(get(h, "pmu.present")));
	assert_true(json_is_string(get(h, "pmu.default")) || json_is_null(get(h, "pmu.default")));
	assert_true(json_integer_value(get(h, "topology.cores")) >= 1);
	assert_true(json_integer_value(get(h, "topology.pus")) >= json_integer_value(get(h, "topology.cores")));
	assert_true(json_is_string(get(h, "kernel.release")));
	assert_true(json_is_boolean(get(h, "kvm.usable")));
	assert_true(json_is_object(get(h, "kvm.caps")));
	assert_true(json_is_boolean(get(h, "kvm.vpmu.present")));
	assert_true(json_is_integer(get(h, "kvm.vpmu.gp_counters")));
	assert_true(json_is_string(get(h, "kvm.flavor_how")));
	assert_true(json_is_boolean(get(h, "counters.hw_usable")));
	assert_true(json_is_object(get(h, "counters.papi.cycles")));
	assert_true(json_is_array(get(h, "missing")));
	size_t i;
	json_t *m;
	json_array_foreach(get(h, "missing"), i, m)
		assert_true(json_is_string(m));

	/* Against the library's own view of this host. */
	int kvm = kvm_sys_open();
	assert_int_equal(json_is_true(get(h, "kvm.usable")), kvm >= 0);
	if (kvm >= 0) {
		assert_int_equal(json_integer_value(get(h, "kvm.caps.pmu_event_filter")),
				 kvm_sys_check_cap(kvm, KVM_CAP_PMU_EVENT_FILTER));
		assert_true(json_is_integer(get(h, "kvm.api_version")));
		assert_int_equal(json_integer_value(get(h, "kvm.api_version")),
				 ioctl(kvm, KVM_GET_API_VERSION, 0));
		enum pmuf_flavor fl;
		if (kvm_sys_probe_flavor(&fl) == 0) {
			assert_string_equal(json_string_value(get(h, "kvm.flavor")),
					    fl == PMUF_FLAVOR_INTEL ? "intel" : "amd");
			assert_string_equal(json_string_value(get(h, "default_flavor")),
					    json_string_value(get(h, "kvm.flavor")));
			assert_string_equal(json_string_value(get(h, "default_flavor_how")), "probed");
		} else {
			assert_true(json_is_null(get(h, "kvm.flavor")));
		}
		struct kvm_vpmu_info v;
		assert_int_equal(kvm_sys_vpmu(kvm, &v), 0);
		assert_int_equal(json_is_true(get(h, "kvm.vpmu.present")), v.present);
		assert_int_equal(missing_has(h, "vPMU:"), !v.present);
		if (!v.present)
			assert_string_equal(json_string_value(get(h, "kvm.vpmu.why")), v.why);
		close(kvm);
	} else {
		print_message("/dev/kvm not usable (%s): KVM checks reduced\n", strerror(-kvm));
		assert_true(json_is_null(get(h, "kvm.flavor")));
		assert_true(missing_has(h, "KVM:"));
		assert_true(missing_has(h, "vPMU:"));
	}
	char why[192];
	bool hw = ctr_hw_usable(why, sizeof(why));
	assert_int_equal(json_is_true(get(h, "counters.hw_usable")), hw);
	assert_int_equal(missing_has(h, "hardware counters:"), !hw);
	json_decref(h);
}

static void test_human(void **state)
{
	(void)state;
	char *out;
	const char *args[] = { "info", NULL };
	assert_int_equal(cli_run(args, &out, NULL), 0);
	assert_non_null(strstr(out, "pfbench info: host "));
	assert_non_null(strstr(out, "filter flavor"));
	assert_non_null(strstr(out, "vPMU"));

	char *js;
	const char *jargs[] = { "info", "--json", NULL };
	assert_int_equal(cli_run(jargs, &js, NULL), 0);
	json_t *h = json_loads(js, 0, NULL);
	assert_non_null(h);
	/* Every missing item is stated in the human output too. */
	size_t i;
	json_t *m;
	if (json_array_size(get(h, "missing")))
		assert_non_null(strstr(out, "Missing on this host:"));
	else
		assert_non_null(strstr(out, "Nothing is missing."));
	json_array_foreach(get(h, "missing"), i, m)
		assert_non_null(strstr(out, json_string_value(m)));
	json_decref(h);
	free(js);
	free(out);
}

static void test_usage(void **state)
{
	(void)state;
	const char *bogus[] = { "info", "--bogus", NULL };
	cli_usage_case(bogus, "--bogus");
	const char *extra[] = { "info", "extra", NULL };
	cli_usage_case(extra, "extra");

	cli_help_case("info", "usage: pfbench info [--json]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_human),
		cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
