/* test_cli_repeat.c — `-r/--repeat N` on every benchmark that takes it
 * (lookup, exit, install, limits; bench/cli/bench-repeat.c): with -r 2
 * each timed record carries the two runs' medians and their spread
 * (runs, run_medians_ns, run_median_min_ns, run_median_max_ns, run_cv,
 * declared in the set's columns), run 1's median is the record's own, the
 * figures agree with each other, the context says how many runs ran, the
 * console prints the spread line; check takes no -r (pass/fail verdicts),
 * lookup's --help tells -r from --repeats, and a count out of 1..100 is a
 * usage error. Never asserts a timing. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cli-run.h"
#include "kvm-need.h"
#include "out.h"
#include "schema.h"

#define ARGS_MAX 24

/* Each benchmark with small parameters (seconds each). */
static const struct {
	const char *cmd;
	bool kvm;
	const char *args[ARGS_MAX];
} benches[] = {
	{ "lookup", false,
	  { "--quick", "--sizes", "1,16", "--samples", "5", "--patterns", "hit", "--modes",
	    "latency", "-e", "exact" } },
	{ "install", true, { "--quick", "-n", "5", "--warmup", "1", "--sizes", "0,16", "--vcpus", "1" } },
	{ "exit", true,
	  { "--quick", "--samples", "20", "--warmup", "5", "--blocks", "5", "--block-len", "4",
	    "--sizes", "0,16", "--no-vmcall", "--rounds", "2" } },
	{ "limits", false, { "--quick", "--sizes", "300", "--samples", "5", "--pmus", "" } },
};

static const char *const spread_fields[] = { "runs", "run_medians_ns", "run_median_min_ns",
					     "run_median_max_ns", "run_cv" };

/* One timed record's spread fields, checked against each other. */
static void check_record(const char *cmd, size_t i, const json_t *r)
{
	json_t *med = json_object_get(r, "run_medians_ns");
	if (json_integer_value(json_object_get(r, "runs")) != 2 || json_array_size(med) != 2)
		fail_msg("%s record %zu: runs %lld, %zu run medians; want 2 and 2", cmd, i,
			 json_integer_value(json_object_get(r, "runs")), json_array_size(med));
	double m0 = json_number_value(json_array_get(med, 0));
	double m1 = json_number_value(json_array_get(med, 1));
	double lo = json_number_value(json_object_get(r, "run_median_min_ns"));
	double hi = json_number_value(json_object_get(r, "run_median_max_ns"));
	double cv = json_number_value(json_object_get(r, "run_cv"));
	/* run 1's median is the record's own: its statistics are run 1's */
	assert_true(m0 == json_number_value(json_object_get(r, "median_ns")));
	assert_true(isfinite(m1));
	assert_true(lo == fmin(m0, m1) && hi == fmax(m0, m1));
	/* the sample CV of two values: |a-b| / sqrt(2) / mean */
	double mean = (m0 + m1) / 2;
	if (mean > 0) {
		assert_true(json_is_number(json_object_get(r, "run_cv")));
		double want = fabs(m0 - m1) / sqrt(2) / mean;
		if (fabs(cv - want) > 1e-9 * (1 + want))
			fail_msg("%s record %zu: run_cv %g, want %g from %g and %g", cmd, i, cv, want,
				 m0, m1);
	}
}

/* benches[b] with -r 2. */
static void repeat_bench(size_t b)
{
	{
		const char *cmd = benches[b].cmd;
		if (benches[b].kvm)
			close(need_kvm_filter());
		char dir[64], *out, *err;
		cli_mkdtemp(dir, sizeof(dir));
		const char *args[ARGS_MAX + 8] = { cmd };
		size_t n = 1;
		for (size_t k = 0; benches[b].args[k]; k++)
			args[n++] = benches[b].args[k];
		args[n++] = "-r";
		args[n++] = "2";
		args[n++] = "-o";
		args[n++] = dir;
		int st = cli_run(args, &out, &err);
		if (st != 0)
			fail_msg("%s -r 2: exit %d\n%s", cmd, st, err);
		char want[64];
		snprintf(want, sizeof(want), "# %s -r 2: run-to-run spread", cmd);
		if (!strstr(out, want))
			fail_msg("%s -r 2: stdout lacks '%s': %s", cmd, want, out);
		if (!strstr(err, "run 2 of 2"))
			fail_msg("%s -r 2: no progress line for run 2: %s", cmd, err);
		free(out);
		free(err);

		char path[128], lerr[256];
		snprintf(path, sizeof(path), "%s/%s.json", dir, cmd);
		json_t *set = out_read_json(path, lerr, sizeof(lerr));
		if (!set)
			fail_msg("%s: %s", path, lerr);
		const json_t *rep = json_object_get(json_object_get(set, "context"), "repeat");
		assert_int_equal(json_integer_value(json_object_get(rep, "asked")), 2);
		assert_int_equal(json_integer_value(json_object_get(rep, "runs")), 2);
		const json_t *cols = json_object_get(set, "columns");
		for (size_t k = 0; k < sizeof(spread_fields) / sizeof(spread_fields[0]); k++)
			if (!schema_column(cols, spread_fields[k]))
				fail_msg("%s: column %s not declared", cmd, spread_fields[k]);
		size_t i, timed = 0;
		json_t *r;
		json_array_foreach(json_object_get(set, "records"), i, r) {
			if (json_is_number(json_object_get(r, "median_ns"))) {
				check_record(cmd, i, r);
				timed++;
			} else if (json_object_get(r, "runs")) {
				fail_msg("%s record %zu: spread fields on a record with no median", cmd, i);
			}
		}
		if (!timed)
			fail_msg("%s -r 2: no timed record", cmd);
		json_decref(set);
		/* the CSV header follows the schema: the scalar spread fields are there */
		snprintf(path, sizeof(path), "%s/%s.csv", dir, cmd);
		FILE *f = fopen(path, "r");
		char head[16384] = "";
		assert_non_null(f);
		assert_non_null(fgets(head, sizeof(head), f));
		fclose(f);
		assert_non_null(strstr(head, ",run_cv"));
		assert_non_null(strstr(head, ",run_median_max_ns"));
		cli_rmdir(dir);
	}
}

/* One test per benchmark: state points at its index in benches[]. */
static void test_repeat(void **state)
{
	repeat_bench(*(const size_t *)*state);
}

/* Without -r nothing changes: no spread fields, no repeat context. */
static void test_no_repeat_no_fields(void **state)
{
	(void)state;
	char dir[64], path[128], lerr[256];
	cli_mkdtemp(dir, sizeof(dir));
	const char *args[ARGS_MAX + 4] = { "lookup" };
	size_t n = 1;
	for (size_t k = 0; benches[0].args[k]; k++)
		args[n++] = benches[0].args[k];
	args[n++] = "-o";
	args[n++] = dir;
	assert_int_equal(cli_run(args, NULL, NULL), 0);
	snprintf(path, sizeof(path), "%s/lookup.json", dir);
	json_t *set = out_read_json(path, lerr, sizeof(lerr));
	assert_non_null(set);
	assert_null(json_object_get(json_object_get(set, "context"), "repeat"));
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(set, "records"), i, r)
		assert_null(json_object_get(r, "run_cv"));
	json_decref(set);
	cli_rmdir(dir);
}

static void test_repeat_usage(void **state)
{
	(void)state;
	for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++) {
		const char *zero[] = { benches[b].cmd, "-r", "0", NULL };
		const char *big[] = { benches[b].cmd, "--repeat", "101", NULL };
		char want[96];
		snprintf(want, sizeof(want), "pfbench %s: --repeat: '0' is not a number in 1..100",
			 benches[b].cmd);
		cli_usage_case(zero, want);
		snprintf(want, sizeof(want), "pfbench %s: --repeat: '101' is not a number in 1..100",
			 benches[b].cmd);
		cli_usage_case(big, want);
		cli_help_case(benches[b].cmd, "-r, --repeat N");
	}
	/* check's records are verdicts, not timings: no -r there */
	const char *check[] = { "check", "-r", "2", NULL };
	cli_usage_case(check, "pfbench check: -r: unknown option");
	/* lookup's --repeats (within a sample) is told apart from -r */
	cli_help_case("lookup", "not -r/--repeat");
}

int main(void)
{
	static const size_t bench_index[] = { 0, 1, 2, 3 };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repeat_usage),
		cmocka_unit_test(test_no_repeat_no_fields),
		cmocka_unit_test_prestate(test_repeat, (void *)&bench_index[0]),
		cmocka_unit_test_prestate(test_repeat, (void *)&bench_index[1]),
		cmocka_unit_test_prestate(test_repeat, (void *)&bench_index[2]),
		cmocka_unit_test_prestate(test_repeat, (void *)&bench_index[3]),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
