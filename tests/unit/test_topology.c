/* test_topology.c — bench/common/topology.c: a sane summary, and pinning
 * that really binds (checked with sched_getaffinity and sched_getcpu,
 * independently of hwloc). */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "topology.h"

static json_int_t geti(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void test_summary(void **state)
{
	(void)state;
	json_t *s = topo_summary();
	assert_non_null(s);
	assert_null(json_object_get(s, "error"));
	json_int_t pk = geti(s, "packages"), co = geti(s, "cores"), pu = geti(s, "pus");
	assert_true(pk >= 1);
	assert_true(co >= pk);
	assert_true(pu >= co);
	/* hwloc sees what the kernel lets us run on, at most all online CPUs. */
	assert_true(pu <= sysconf(_SC_NPROCESSORS_CONF));
	assert_true(geti(s, "numa_nodes") >= 1);
	assert_true(geti(s, "l1d_bytes") >= 0);
	assert_true(geti(s, "l3_bytes") >= 0);
	assert_true(json_is_boolean(json_object_get(s, "smt")));
	assert_int_equal(json_is_true(json_object_get(s, "smt")), pu > co);
	assert_int_equal(topo_ncores(), co);
	json_decref(s);
}

static void check_bound_to(json_t *b, int core)
{
	assert_int_equal(geti(b, "core"), core);
	json_int_t pu = geti(b, "pu_os_index");
	assert_true(json_is_boolean(json_object_get(b, "strict")));
	assert_true(json_is_string(json_object_get(b, "cpuset")));

	cpu_set_t set;
	CPU_ZERO(&set);
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	assert_int_equal(CPU_COUNT(&set), 1);
	assert_true(CPU_ISSET((int)pu, &set));
	/* After a yield the scheduler must run us there. */
	sched_yield();
	assert_int_equal(sched_getcpu(), (int)pu);
}

static void test_pin(void **state)
{
	(void)state;
	cpu_set_t saved;
	assert_int_equal(sched_getaffinity(0, sizeof(saved), &saved), 0);

	int n = topo_ncores();
	json_t *b = NULL;
	assert_int_equal(pin_thread(-1, &b), 0); /* -1 = the last core */
	assert_non_null(b);
	check_bound_to(b, n - 1);
	json_decref(b);

	b = NULL;
	assert_int_equal(pin_thread(0, &b), 0);
	check_bound_to(b, 0);
	json_decref(b);

	assert_int_equal(pin_thread(n, NULL), -EINVAL);
	assert_int_equal(pin_thread(-2, NULL), -EINVAL);
	assert_int_equal(pin_thread(0, NULL), 0); /* binding is optional */

	assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_pin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
