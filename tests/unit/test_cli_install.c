/* test_cli_install.c — `pfbench install` end to end: --quick -o DIR writes
 * install.json/install.csv with well-formed records (positive times, the
 * sample count asked for, every size x encoding x vCPU configuration, the
 * error paths with their errno names, the context block); --raw keeps
 * exactly the samples asked for; usage errors exit 2; with /dev/kvm not
 * usable the command skips (exit 4) saying why. No timing thresholds. */
#include <errno.h>
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
#include "order.h"
#include "out.h"
#include "topology.h"

static const unsigned sizes[] = { 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
#define QUICK_SAMPLES 100 /* as `pfbench install --help` documents */

/* Skips (saying why) unless the filter ioctl can run here. Returns
 * whether masked events are supported. */
static bool need_kvm(void)
{
	int kvm = need_kvm_filter();
	bool masked = kvm_sys_check_cap(kvm, KVM_CAP_PMU_EVENT_MASKED_EVENTS) > 0;
	close(kvm);
	return masked;
}

static json_t *load_set(const char *dir)
{
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/install.json", dir);
	json_t *set = out_read_json(path, err, sizeof(err));
	if (!set)
		fail_msg("install.json: %s", err);
	return set;
}

static const char *str(json_t *r, const char *k)
{
	const char *s = json_string_value(json_object_get(r, k));
	if (!s)
		fail_msg("record field %s missing or not a string", k);
	return s;
}

static long long num(json_t *r, const char *k)
{
	json_t *v = json_object_get(r, k);
	if (!json_is_integer(v))
		fail_msg("record field %s missing or not an integer", k);
	return json_integer_value(v);
}

/* One record: times positive and ordered, the sample count, errno naming
 * the path. */
static void check_record(json_t *r, long long samples)
{
	assert_int_equal(num(r, "samples"), samples);
	double min = json_number_value(json_object_get(r, "min_ns"));
	double med = json_number_value(json_object_get(r, "median_ns"));
	double p90 = json_number_value(json_object_get(r, "p90_ns"));
	double p99 = json_number_value(json_object_get(r, "p99_ns"));
	double max = json_number_value(json_object_get(r, "max_ns"));
	assert_true(json_is_number(json_object_get(r, "median_cycles")));
	assert_true(min > 0 && isfinite(max));
	assert_true(min <= med && med <= p90 && p90 <= p99 && p99 <= max);
	const char *path = str(r, "path");
	json_t *e = json_object_get(r, "errno");
	if (!strcmp(path, "ok")) {
		assert_true(json_is_null(e));
	} else {
		assert_true(!strcmp(path, "E2BIG") || !strcmp(path, "EINVAL"));
		assert_string_equal(json_string_value(e), path);
	}
	const char *st = str(r, "vcpu_state");
	long long v = num(r, "vcpus");
	assert_true((!strcmp(st, "none") && v == 0) || (!strcmp(st, "idle") && v > 0) ||
		    (!strcmp(st, "in-guest") && v == 1));
}

static json_t *find(json_t *recs, const char *casename, const char *enc, long long size,
		    long long vcpus, const char *state)
{
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r) {
		if (!strcmp(str(r, "case"), casename) && !strcmp(str(r, "encoding"), enc) &&
		    num(r, "size") == size && num(r, "vcpus") == vcpus &&
		    !strcmp(str(r, "vcpu_state"), state))
			return r;
	}
	return NULL;
}

static bool skipped_has(json_t *set, const char *what_prefix)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(set, "skipped"), i, s) {
		const char *w = json_string_value(json_object_get(s, "what"));
		const char *y = json_string_value(json_object_get(s, "why"));
		assert_non_null(y);
		assert_true(*y);
		if (w && !strncmp(w, what_prefix, strlen(what_prefix)))
			return true;
	}
	return false;
}

/* Every configuration of one VM state is present, or (may_skip) skipped
 * with a reason. A VM with no vCPU or one idle vCPU needs nothing a
 * working /dev/kvm lacks (the other KVM tests run such VMs), so a skip of
 * those is a failure, not a note. */
static void check_config(json_t *set, long long vcpus, const char *state, bool masked,
			 bool may_skip)
{
	json_t *recs = json_object_get(set, "records");
	char what[96];
	snprintf(what, sizeof(what), "install, %lld vCPUs (%s)", vcpus, state);
	if (skipped_has(set, what)) {
		if (!may_skip)
			fail_msg("%s skipped by the command (see install.json)", what);
		print_message("note: %s skipped by the command (reason in install.json)\n", what);
		return;
	}
	for (size_t s = 0; s < NSIZES; s++) {
		json_t *r = find(recs, "valid", "exact", sizes[s], vcpus, state);
		if (!r)
			fail_msg("no record: valid exact size %u, %lld vCPUs (%s)", sizes[s], vcpus, state);
		assert_string_equal(str(r, "path"), "ok");
		r = find(recs, "valid", "masked", sizes[s], vcpus, state);
		if (masked && !r)
			fail_msg("no record: valid masked size %u, %lld vCPUs (%s)", sizes[s], vcpus, state);
		if (!masked)
			assert_null(r);
	}
	json_t *r = find(recs, "nevents-301", "exact", 301, vcpus, state);
	assert_non_null(r);
	assert_string_equal(str(r, "errno"), "E2BIG");
	r = find(recs, "action-2", "exact", 0, vcpus, state);
	assert_non_null(r);
	assert_string_equal(str(r, "errno"), "EINVAL");
	assert_int_equal(num(r, "action"), 2);
	r = find(recs, "flags-2", "exact", 0, vcpus, state);
	assert_non_null(r);
	assert_string_equal(str(r, "errno"), "EINVAL");
	assert_int_equal(num(r, "flags"), 2);
	if (masked) {
		r = find(recs, "masked-stray-bit-16", "masked", 300, vcpus, state);
		assert_non_null(r);
		assert_string_equal(str(r, "errno"), "EINVAL");
	}
}

static void test_quick(void **state)
{
	(void)state;
	bool masked = need_kvm();
	char dir[64];
	cli_mkdtemp(dir, sizeof(dir));
	char *out, *err;
	const char *args[] = { "install", "--quick", "-o", dir, NULL };
	int st = cli_run(args, &out, &err);
	if (st != 0)
		fail_msg("install --quick exited %d: %s", st, err);
	assert_non_null(strstr(err, "install.json"));
	free(out);
	free(err);

	json_t *set = load_set(dir);
	assert_string_equal(json_string_value(json_object_get(set, "bench")), "install");
	assert_true(json_is_true(json_object_get(set, "complete")));
	json_t *ctx = json_object_get(set, "context");
	assert_true(json_is_object(json_object_get(ctx, "host")));
	assert_true(json_is_object(json_object_get(ctx, "timer")));
	assert_true(json_is_string(json_object_get(ctx, "git_rev")));
	assert_true(json_object_get(ctx, "binding") != NULL);
	json_t *p = json_object_get(ctx, "install");
	assert_int_equal(json_integer_value(json_object_get(p, "samples")), QUICK_SAMPLES);
	assert_int_equal(json_array_size(json_object_get(p, "sizes")), NSIZES);
	/* SCHED_FIFO by default where allowed (root), else said why not. */
	const char *sched = json_string_value(json_object_get(p, "sched"));
	assert_non_null(sched);
	if (geteuid() == 0)
		assert_true(!strncmp(sched, "fifo:", 5));
	else
		assert_true(!strncmp(sched, "other (SCHED_FIFO refused: ", 27));

	json_t *recs = json_object_get(set, "records");
	assert_true(json_array_size(recs) > 0);
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r)
		check_record(r, QUICK_SAMPLES);
	check_config(set, 0, "none", masked, false);
	check_config(set, 1, "idle", masked, false);
	check_config(set, 4, "idle", masked, true);
	if (topo_ncores() >= 2)
		check_config(set, 1, "in-guest", masked, true);
	else
		assert_true(skipped_has(set, "install, 1 vCPUs (in-guest)"));

	/* The CSV: a header and one row per record. */
	char path[512];
	snprintf(path, sizeof(path), "%s/install.csv", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[4096];
	size_t rows = 0;
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "median_ns"));
	assert_non_null(strstr(line, "errno"));
	while (fgets(line, sizeof(line), f))
		rows++;
	fclose(f);
	assert_int_equal(rows, json_array_size(recs));
	json_decref(set);
	cli_rmdir(dir);
}

static void test_raw_small(void **state)
{
	(void)state;
	need_kvm();
	char dir[64];
	cli_mkdtemp(dir, sizeof(dir));
	char *out, *err;
	const char *args[] = { "install", "--sizes", "0,300", "--vcpus", "2", "--no-in-guest",
			       "-n", "7", "--warmup", "0", "--raw", "--no-fifo", "--cpu", "0",
			       "-o", dir, NULL };
	int st = cli_run(args, &out, &err);
	if (st != 0)
		fail_msg("install exited %d: %s", st, err);
	free(out);
	free(err);
	json_t *set = load_set(dir);
	json_t *p = json_object_get(json_object_get(set, "context"), "install");
	assert_string_equal(json_string_value(json_object_get(p, "sched")), "other");
	/* --cpu 0: the binding in the context says core 0. */
	json_t *bind = json_object_get(json_object_get(set, "context"), "binding");
	assert_int_equal(json_integer_value(json_object_get(bind, "core")), 0);
	json_t *recs = json_object_get(set, "records");
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r) {
		check_record(r, 7);
		assert_int_equal(num(r, "vcpus"), 2);
		assert_string_equal(str(r, "vcpu_state"), "idle");
		assert_int_equal(json_array_size(json_object_get(r, "samples_ns")), 7);
	}
	assert_non_null(find(recs, "valid", "exact", 300, 2, "idle"));
	assert_null(find(recs, "valid", "exact", 1, 2, "idle"));
	json_decref(set);
	cli_rmdir(dir);

	/* Without -o: a table on stdout. */
	const char *targs[] = { "install", "--sizes", "4", "--vcpus", "0", "--no-in-guest", "-n",
				"3", NULL };
	assert_int_equal(cli_run(targs, &out, NULL), 0);
	assert_non_null(strstr(out, "# KVM_SET_PMU_EVENT_FILTER latency"));
	assert_non_null(strstr(out, "nevents-301"));
	assert_non_null(strstr(out, "E2BIG"));
	free(out);
}

/* --filter: a .pmuf, a QEMU JSON and a kvm-raw file, each timed as case
 * "user" and named (file name, content hash) in its records. */
static void test_user_filters(void **state)
{
	(void)state;
	bool masked = need_kvm();
	char dir[64];
	cli_mkdtemp(dir, sizeof(dir));
	char *out, *err;
	const char *args[] = { "install", "--sizes", "1", "--vcpus", "0,1", "--no-in-guest", "-n", "5",
			       "--warmup", "0", "--filter", "filters/specs/intel-allow-branches.pmuf",
			       "--filter", "filters/specs/qemu-masked.json", "--filter",
			       "filters/specs/intel-allow-branches.bin", "-o", dir, NULL };
	int st = cli_run(args, &out, &err);
	if (st != 0)
		fail_msg("install exited %d: %s", st, err);
	free(out);
	free(err);
	json_t *set = load_set(dir);
	json_t *fs = json_object_get(json_object_get(json_object_get(set, "context"), "install"), "filters");
	assert_int_equal(json_array_size(fs), 3);
	static const char *const names[] = { "intel-allow-branches.pmuf", "qemu-masked.json",
					     "intel-allow-branches.bin" };
	size_t i, n[3] = { 0 };
	json_t *r;
	json_array_foreach(json_object_get(set, "records"), i, r) {
		if (strcmp(str(r, "case"), "user")) {
			assert_true(json_is_null(json_object_get(r, "filter")));
			continue;
		}
		check_record(r, 5);
		assert_string_equal(str(r, "path"), "ok");
		assert_int_equal(strncmp(str(r, "filter_hash"), "fnv1a64:", 8), 0);
		for (int k = 0; k < 3; k++)
			n[k] += !strcmp(str(r, "filter"), names[k]);
		assert_int_equal(num(r, "size"), 4);
	}
	/* every filter on both VMs (the masked one only where KVM has masked events) */
	assert_int_equal(n[0], 2);
	assert_int_equal(n[1], masked ? 2 : 0);
	assert_int_equal(n[2], 2);
	/* the .pmuf and the .bin are the same filter but different bytes */
	json_t *f0 = json_array_get(fs, 0), *f2 = json_array_get(fs, 2);
	assert_string_not_equal(json_string_value(json_object_get(f0, "hash")),
				json_string_value(json_object_get(f2, "hash")));
	json_decref(set);
	cli_rmdir(dir);
	const char *u1[] = { "install", "--filter", "filters/specs/arm64-cancel.pmuf", NULL };
	cli_usage_case(u1, "an arm64 filter");
	const char *u2[] = { "install", "--filter", "/nonexistent.pmuf", NULL };
	cli_usage_case(u2, "/nonexistent.pmuf");
}

static void test_usage(void **state)
{
	(void)state;
	const char *a1[] = { "install", "--bogus", NULL };
	cli_usage_case(a1, "--bogus");
	const char *a2[] = { "install", "--sizes", "0,301", NULL };
	cli_usage_case(a2, "'301' is not a number in 0..300");
	const char *a3[] = { "install", "--sizes", "1,,2", NULL };
	cli_usage_case(a3, "column 3");
	const char *a4[] = { "install", "--vcpus", "9", NULL };
	cli_usage_case(a4, "--vcpus");
	const char *a5[] = { "install", "-n", "0", NULL };
	cli_usage_case(a5, "--samples");
	const char *a6[] = { "install", "extra", NULL };
	cli_usage_case(a6, "extra");
	const char *a7[] = { "install", "-o", NULL };
	cli_usage_case(a7, "needs an argument");
	const char *a8[] = { "install", "--cpu", "99", NULL };
	cli_usage_case(a8, "pfbench install: --cpu: '99' is not a number in 0..");
	const char *a9[] = { "install", "--core", "99", NULL };
	cli_usage_case(a9, "pfbench install: --cpu: '99' is not a number in 0..");

	cli_help_case("install", "usage: pfbench install [--quick] [-o DIR]");
}

/* Runs install on sizes 1..6 and vCPUs 0,1 (seed: NULL for none) and
 * returns the (size, vCPUs) order of its exact valid records, as
 * "s:v s:v ...", checking it follows context.install.sizes and .vcpus
 * and that context.install.seed is want_seed (NULL: null). */
static char *install_order(const char *seed, const char *want_seed)
{
	char dir[64], *out, *err;
	cli_mkdtemp(dir, sizeof(dir));
	const char *args[] = { "install", "--sizes", "1,2,3,4,5,6", "--vcpus", "0,1", "--no-in-guest",
			       "-n", "2", "--warmup", "0", "--no-fifo", "-o", dir,
			       seed ? "--seed" : NULL, seed, NULL };
	int st = cli_run(args, &out, &err);
	if (st != 0)
		fail_msg("install --seed %s exited %d: %s", seed ? seed : "(none)", st, err);
	free(out);
	free(err);
	json_t *set = load_set(dir);
	json_t *p = json_object_get(json_object_get(set, "context"), "install");
	json_t *js = json_object_get(p, "seed");
	if (want_seed)
		assert_string_equal(json_string_value(js), want_seed);
	else
		assert_true(json_is_null(js));
	json_t *szs = json_object_get(p, "sizes"), *vcs = json_object_get(p, "vcpus");
	assert_int_equal(json_array_size(szs), 6);
	assert_int_equal(json_array_size(vcs), 2);
	static char order[200];
	size_t k = 0, n = 0, i;
	json_t *r;
	order[0] = '\0';
	json_array_foreach(json_object_get(set, "records"), i, r) {
		if (strcmp(str(r, "case"), "valid") || strcmp(str(r, "encoding"), "exact"))
			continue;
		/* the records run vCPU count by vCPU count, size by size, in
		 * the context's order */
		assert_int_equal(num(r, "vcpus"), json_integer_value(json_array_get(vcs, n / 6)));
		assert_int_equal(num(r, "size"), json_integer_value(json_array_get(szs, n % 6)));
		k += (size_t)snprintf(order + k, sizeof(order) - k, "%s%lld:%lld", n ? " " : "",
				      num(r, "size"), num(r, "vcpus"));
		n++;
	}
	assert_int_equal(n, 12);
	json_decref(set);
	cli_rmdir(dir);
	return strdup(order);
}

/* --seed N: the sizes and vCPU counts in a random order drawn from N,
 * the same for the same N, another for another N; without it the order
 * given. */
static void test_seed_order(void **state)
{
	(void)state;
	need_kvm();
	char *none = install_order(NULL, NULL), *a = install_order("7", "0x7"),
	     *b = install_order("0x7", "0x7"), *c = install_order("8", "0x8");
	assert_string_equal(none, "1:0 2:0 3:0 4:0 5:0 6:0 1:1 2:1 3:1 4:1 5:1 6:1");
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, none);
	/* the order is order_shuffle()'s for that seed */
	unsigned sz[6] = { 1, 2, 3, 4, 5, 6 }, vc[2] = { 0, 1 };
	order_shuffle(sz, 6, 7);
	order_shuffle(vc, 2, 7);
	char want[16];
	snprintf(want, sizeof(want), "%u:%u %u:%u", sz[0], vc[0], sz[1], vc[0]);
	assert_true(!strncmp(a, want, strlen(want)));
	free(none);
	free(a);
	free(b);
	free(c);
}

static void test_no_kvm(void **state)
{
	(void)state;
	char dir[64];
	cli_mkdtemp(dir, sizeof(dir));
	char *out, *err;
	const char *args[] = { "install", "--quick", "-o", dir, NULL };
	int st = cli_run_ex(args, &out, &err, 1);
	if (st == CLI_NO_NAMESPACE) {
		free(out);
		free(err);
		cli_rmdir(dir);
		need_skip("namespace", "cannot hide /dev/kvm (needs a private mount namespace: root)");
	}
	assert_int_equal(st, 4);
	assert_non_null(strstr(err, "skipped: /dev/kvm not usable"));
	/* The result set still says why, for the suite. */
	json_t *set = load_set(dir);
	assert_int_equal(json_array_size(json_object_get(set, "records")), 0);
	assert_false(json_is_true(json_object_get(set, "complete")));
	assert_true(skipped_has(set, "install"));
	json_decref(set);
	free(out);
	free(err);
	cli_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_no_kvm),
		cmocka_unit_test(test_raw_small),
		cmocka_unit_test(test_seed_order),
		cmocka_unit_test(test_user_filters),
		cmocka_unit_test(test_quick),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
