/* test_disturb.c — disturb.c: what disturb_since reports for disturbances
 * that can be caused on purpose (blocking, a forced migration), the
 * re-take budget, and the noisy verdict (disturbed samples kept, bimodal
 * samples; the load only as context). No timing thresholds. */
#include <math.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "disturb.h"

static void test_blocking_is_seen(void **state)
{
	(void)state;
	struct disturb_mark m;
	disturb_mark(&m);
	usleep(2000); /* blocks: a voluntary context switch */
	assert_true(disturb_since(&m) & DISTURB_SLEPT);
}

static void test_migration_is_seen(void **state)
{
	(void)state;
	cpu_set_t old, one;
	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	int a = -1, b = -1;
	for (int c = 0; c < CPU_SETSIZE && b < 0; c++)
		if (CPU_ISSET(c, &old))
		{
			if (a < 0)
				a = c;
			else
				b = c;
		}
	if (b < 0)
		skip(); /* one allowed CPU: nowhere to migrate to */
	CPU_ZERO(&one);
	CPU_SET(a, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	struct disturb_mark m;
	disturb_mark(&m);
	assert_int_equal(m.cpu, a);
	CPU_ZERO(&one);
	CPU_SET(b, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0); /* moves us now */
	unsigned f = disturb_since(&m);
	assert_int_equal(sched_setaffinity(0, sizeof(old), &old), 0);
	assert_true(f & DISTURB_MIGRATED);
	assert_true(f & DISTURB_INVOLUNTARY);
}

static void test_retake_budget(void **state)
{
	(void)state;
	struct disturb_cell c;
	disturb_cell_begin(&c);
	assert_false(disturb_retake(&c, 0, 3)); /* undisturbed: keep */
	for (int i = 0; i < 3; i++)
		assert_true(disturb_retake(&c, DISTURB_PREEMPTED, 3));
	assert_false(disturb_retake(&c, DISTURB_MIGRATED, 3)); /* budget spent: kept */
	assert_int_equal(c.retaken, 3);
	assert_int_equal(c.kept, 1);
	assert_int_equal(c.disturbed, 4);
	assert_int_equal(c.flags, DISTURB_PREEMPTED | DISTURB_MIGRATED);
}

static void test_verdict(void **state)
{
	(void)state;
	double flat[20], two[20];
	for (int i = 0; i < 20; i++) {
		flat[i] = 100 + i * 0.5;           /* 100..109.5: one mode */
		two[i] = i < 12 ? 100 + i : 200 + i; /* 12 near 105, 8 near 215 */
	}
	char why[320];
	struct disturb_cell c;
	disturb_cell_begin(&c);
	c.runnable[0] = c.runnable[1] = 9;
	c.load1[0] = c.load1[1] = 7.5;
	/* A loaded machine alone does not make a cell noisy. */
	assert_false(disturb_verdict(&c, flat, 20, why, sizeof(why)));
	assert_string_equal(why, "");
	assert_false(disturb_bimodal(flat, 20));
	/* Two clusters do, and the reason gives both and the load. */
	assert_true(disturb_bimodal(two, 20));
	assert_true(disturb_verdict(&c, two, 20, why, sizeof(why)));
	assert_non_null(strstr(why, "bimodal: 12 samples near"));
	assert_non_null(strstr(why, "8 near"));
	assert_non_null(strstr(why, "9 then 9 runnable tasks"));
	/* So do disturbed samples kept after the budget. */
	c.kept = 2;
	c.retaken = 20;
	c.flags = DISTURB_PREEMPTED;
	assert_true(disturb_verdict(&c, flat, 20, why, sizeof(why)));
	assert_non_null(strstr(why, "2 of 20 samples disturbed (preempted) after 20 re-takes"));

	c.batches = 5; /* checked per guest run */
	assert_true(disturb_verdict(&c, flat, 20, why, sizeof(why)));
	assert_non_null(strstr(why, "2 of 5 timed guest runs disturbed (preempted) after 20 re-runs"));
	c.batches = 0;

	json_t *rec = json_object();
	assert_true(disturb_record(rec, &c, flat, 20));
	assert_true(json_is_true(json_object_get(rec, "noisy")));
	assert_non_null(strstr(json_string_value(json_object_get(rec, "noisy_reason")), "disturbed"));
	assert_int_equal(json_integer_value(json_object_get(rec, "retaken")), 20);
	c.kept = 0;
	assert_false(disturb_record(rec, &c, flat, 20));
	assert_true(json_is_false(json_object_get(rec, "noisy")));
	assert_true(json_is_null(json_object_get(rec, "noisy_reason")));
	json_decref(rec);
}

static void test_cell_add(void **state)
{
	(void)state;
	struct disturb_cell to = { 0 }, a, b;
	disturb_cell_begin(&a);
	disturb_cell_begin(&b);
	a.retaken = 1;
	a.load1[0] = 1.0;
	b.retaken = 2;
	b.kept = 1;
	b.flags = DISTURB_MIGRATED;
	b.load1[1] = 3.0;
	disturb_cell_add(&to, &a);
	disturb_cell_add(&to, &b);
	assert_int_equal(to.retaken, 3);
	assert_int_equal(to.kept, 1);
	assert_int_equal(to.flags, DISTURB_MIGRATED);
	assert_true(to.load1[0] == 1.0 && to.load1[1] == 3.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocking_is_seen),
		cmocka_unit_test(test_migration_is_seen),
		cmocka_unit_test(test_retake_budget),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_cell_add),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
