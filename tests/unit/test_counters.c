/* test_counters.c — bench/common/counters.c. Which branch runs depends on
 * the host: without hardware counters (a VM with no vPMU) every counter
 * must be unavailable with a PAPI reason while start/stop keep working;
 * with them, cycles and instructions must count a real loop. Both branches
 * are tied to ctr_hw_usable(), which opens a counter with perf_event_open. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "counters.h"

static volatile uint64_t sink;

static void busy_loop(void)
{
	uint64_t x = 1;
	for (int i = 0; i < 1000000; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	sink = x;
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ctr_name(CTR_CYCLES), "cycles");
	assert_string_equal(ctr_name(CTR_INSTRUCTIONS), "instructions");
	assert_string_equal(ctr_name(CTR_BRANCH_MISSES), "branch_misses");
	assert_string_equal(ctr_name(CTR_L1D_MISSES), "l1d_misses");
	assert_string_equal(ctr_name(CTR_MAX), "unknown");
}

static void test_open_start_stop(void **state)
{
	(void)state;
	char why[160];
	bool hw = ctr_hw_usable(why, sizeof(why));
	print_message("hardware counters: %s\n", hw ? "usable" : why);
	if (!hw)
		assert_non_null(strstr(why, "perf_event_open"));
	else
		assert_string_equal(why, "");

	struct ctr_set s;
	assert_int_equal(ctr_open(&s), 0);
	/* PAPI's cycles are the kernel's HW cycles: both open or neither. */
	assert_int_equal(s.avail[CTR_CYCLES], hw);

	int n = 0;
	for (int i = 0; i < CTR_MAX; i++) {
		if (s.avail[i]) {
			assert_int_equal(s.index[i], n);
			n++;
		} else {
			print_message("  %s: %s\n", ctr_name(i), s.why[i]);
			assert_int_equal(strncmp(s.why[i], "PAPI_", 5), 0);
			assert_non_null(strstr(s.why[i], ": PAPI_E"));
			assert_int_equal(s.index[i], -1);
		}
	}
	assert_int_equal(s.nactive, n);
	if (!hw) {
		assert_int_equal(s.nactive, 0);
		assert_int_equal(s.eventset, -1);
	}

	/* Measure twice: timing must be able to go on either way. */
	for (int round = 0; round < 2; round++) {
		long long v[CTR_MAX];
		assert_int_equal(ctr_start(&s), 0);
		busy_loop();
		assert_int_equal(ctr_stop(&s, v), 0);
		for (int i = 0; i < CTR_MAX; i++) {
			if (!s.avail[i])
				assert_true(v[i] == -1);
			else if (i == CTR_CYCLES || i == CTR_INSTRUCTIONS)
				assert_true(v[i] > 0);
			else
				assert_true(v[i] >= 0);
		}
		if (s.avail[CTR_INSTRUCTIONS]) /* at least the loop's 1M multiplies */
			assert_true(v[CTR_INSTRUCTIONS] >= 1000000);
	}

	json_t *d = ctr_describe(&s);
	assert_non_null(d);
	for (int i = 0; i < CTR_MAX; i++) {
		json_t *c = json_object_get(d, ctr_name(i));
		assert_non_null(c);
		assert_true(json_is_boolean(json_object_get(c, "available")));
		assert_int_equal(json_is_true(json_object_get(c, "available")), s.avail[i]);
		assert_true(json_is_string(json_object_get(c, "papi_event")));
		if (!s.avail[i])
			assert_string_equal(json_string_value(json_object_get(c, "why")), s.why[i]);
		else
			assert_null(json_object_get(c, "why"));
	}
	json_decref(d);

	ctr_close(&s);
	assert_int_equal(s.nactive, 0);
	ctr_close(&s); /* idempotent */
}

static void test_bad_args(void **state)
{
	(void)state;
	long long v[CTR_MAX];
	assert_int_equal(ctr_open(NULL), -EINVAL);
	assert_int_equal(ctr_start(NULL), -EINVAL);
	assert_int_equal(ctr_stop(NULL, v), -EINVAL);
	/* No buffer for the reason: same answer. */
	char why[160];
	assert_int_equal(ctr_hw_usable(NULL, 0), ctr_hw_usable(why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_open_start_stop),
		cmocka_unit_test(test_bad_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
