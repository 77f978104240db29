/* test_cli_check.c — `pfbench check` end to end: on a KVM host it exits 0
 * here (the documented ioctl cases and the differential pass; without a
 * vPMU the counting checks are skipped with that reason), every line is
 * "pass|fail|skipped  NAME[: reason]" with a reason on fail and skipped
 * lines, the flavor line names the flavor KVM really validates with,
 * check.json/check.csv hold one record per line; --json prints the set;
 * --assume-vpmu runs the counting checks' harness path; with /dev/kvm not
 * usable every check is skipped with that reason (exit 4); usage errors
 * exit 2. */
#include <errno.h>
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

#define MAX_LINES 256

struct line {
	char word[16];
	char name[96];
	const char *reason; /* into the buffer, or NULL */
};

/* Splits check's stdout into check lines and the summary (last line).
 * Fails the test on any line that is neither. Returns the count. */
static size_t parse_lines(char *out, struct line *ls, char **summary)
{
	size_t n = 0;
	*summary = NULL;
	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strstr(l, " checks: ") && strstr(l, " passed, ")) {
			*summary = l;
			continue;
		}
		assert_null(*summary); /* the summary comes last */
		assert_true(n < MAX_LINES);
		struct line *x = &ls[n++];
		char *sp = strstr(l, "  ");
		if (!sp)
			fail_msg("not a check line: '%s'", l);
		*sp = '\0';
		snprintf(x->word, sizeof(x->word), "%s", l);
		if (strcmp(x->word, "pass") && strcmp(x->word, "fail") && strcmp(x->word, "skipped"))
			fail_msg("check line starts with '%s'", x->word);
		char *name = sp + 2, *colon = strstr(name, ": ");
		if (colon) {
			*colon = '\0';
			x->reason = colon + 2;
			assert_true(*x->reason);
		} else {
			x->reason = NULL;
			if (strcmp(x->word, "pass"))
				fail_msg("%s %s has no reason", x->word, name);
		}
		assert_true(*name && !strchr(name, ' '));
		snprintf(x->name, sizeof(x->name), "%s", name);
	}
	assert_non_null(*summary);
	return n;
}

static const struct line *find(const struct line *ls, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ls[i].name, name))
			return &ls[i];
	return NULL;
}

static json_t *load(const char *dir, const char *file)
{
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	json_t *set = out_read_json(path, err, sizeof(err));
	if (!set)
		fail_msg("%s: %s", file, err);
	return set;
}

/* The records of a set are exactly the lines, in order. */
static void same_as_lines(json_t *set, const struct line *ls, size_t n)
{
	json_t *recs = json_object_get(set, "records");
	assert_int_equal(json_array_size(recs), n);
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(recs, i);
		assert_string_equal(json_string_value(json_object_get(r, "name")), ls[i].name);
		assert_string_equal(json_string_value(json_object_get(r, "result")), ls[i].word);
		const char *reason = json_string_value(json_object_get(r, "reason"));
		assert_non_null(reason);
		assert_string_equal(reason, ls[i].reason ? ls[i].reason : "");
	}
}

static void test_run(void **state)
{
	(void)state;
	int kvm = need_kvm_filter();
	struct kvm_vpmu_info vp;
	assert_int_equal(kvm_sys_vpmu(kvm, &vp), 0);
	bool masked = kvm_sys_check_cap(kvm, KVM_CAP_PMU_EVENT_MASKED_EVENTS) > 0;
	close(kvm);

	char dir[64];
	cli_mkdtemp(dir, sizeof(dir));
	char *out, *err;
	const char *args[] = { "check", "-o", dir, NULL };
	int st = cli_run(args, &out, &err);
	if (st != 0)
		fail_msg("check exited %d; stdout:\n%s\nstderr:\n%s", st, out, err);
	static struct line ls[MAX_LINES];
	char *summary;
	size_t n = parse_lines(out, ls, &summary);

	unsigned np = 0, nf = 0, ns = 0;
	for (size_t i = 0; i < n; i++) {
		np += !strcmp(ls[i].word, "pass");
		nf += !strcmp(ls[i].word, "fail");
		ns += !strcmp(ls[i].word, "skipped");
	}
	char want[96];
	snprintf(want, sizeof(want), "%zu checks: %u passed, %u failed, %u skipped", n, np, nf, ns);
	assert_string_equal(summary, want);
	assert_int_equal(nf, 0);

	/* The validation checks ran and passed here. */
	const struct line *l = find(ls, n, "ioctl/differential");
	assert_non_null(l);
	assert_string_equal(l->word, masked ? "pass" : "skipped");
	static const char *const fixed[] = { "ioctl/action-2", "ioctl/flags-2", "ioctl/nevents-301",
					     "ioctl/nevents-300", "ioctl/pad-nonzero",
					     "ioctl/unmasked-all-ones", "ioctl/events-efault",
					     "ioctl/fixed-bitmap-beyond-counters", "caps/pmu-event-filter" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		l = find(ls, n, fixed[i]);
		if (!l)
			fail_msg("no line for %s", fixed[i]);
		assert_string_equal(l->word, "pass");
	}
	static const char *const mfixed[] = { "ioctl/masked-stray-bit-16", "ioctl/masked-stray-bit-54",
					      "ioctl/masked-select-bit-32", "ioctl/masked-all-ones",
					      "ioctl/masked-encode-max", "flavor" };
	for (size_t i = 0; i < sizeof(mfixed) / sizeof(mfixed[0]); i++) {
		l = find(ls, n, mfixed[i]);
		if (!l)
			fail_msg("no line for %s", mfixed[i]);
		assert_string_equal(l->word, masked ? "pass" : "skipped");
	}
	/* The flavor line names the flavor KVM validates with. */
	enum pmuf_flavor fl;
	if (masked && kvm_sys_probe_flavor(&fl) == 0) {
		l = find(ls, n, "flavor");
		assert_non_null(strstr(l->reason, fl == PMUF_FLAVOR_INTEL ? "8-bit Intel flavor"
									  : "12-bit AMD flavor"));
	}
	/* Counting: skipped with the vPMU reason exactly when KVM has none. */
	size_t ncount = 0;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(ls[i].name, "count/", 6))
			continue;
		ncount++;
		if (!vp.present) {
			assert_string_equal(ls[i].word, "skipped");
			assert_non_null(strstr(ls[i].reason, "no vPMU"));
		}
	}
	assert_true(ncount >= 10);

	json_t *set = load(dir, "check.json");
	assert_string_equal(json_string_value(json_object_get(set, "bench")), "check");
	json_t *ctx = json_object_get(set, "context");
	assert_true(json_is_object(json_object_get(ctx, "host")));
	assert_true(json_is_object(json_object_get(ctx, "check")));
	same_as_lines(set, ls, n);
	json_decref(set);

	char path[512], line[256];
	snprintf(path, sizeof(path), "%s/check.csv", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "name,result,reason\n");
	size_t rows = 0;
	while (fgets(line, sizeof(line), f))
		rows += line[strlen(line) - 1] == '\n';
	fclose(f);
	assert_true(rows >= n); /* reasons with commas are quoted, never split */
	free(out);
	free(err);
	cli_rmdir(dir);
}

static void test_json(void **state)
{
	(void)state;
	close(need_kvm_filter());
	char *out, *err;
	const char *args[] = { "check", "--json", "--count", "50", NULL };
	int st = cli_run(args, &out, &err);
	if (st != 0)
		fail_msg("check --json exited %d: %s", st, err);
	json_error_t je;
	json_t *set = json_loads(out, 0, &je);
	if (!set)
		fail_msg("check --json is not JSON: %d:%d: %s", je.line, je.column, je.text);
	assert_string_equal(json_string_value(json_object_get(set, "schema")), OUT_SCHEMA);
	json_t *recs = json_object_get(set, "records");
	assert_true(json_array_size(recs) > 0);
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r) {
		const char *res = json_string_value(json_object_get(r, "result"));
		assert_non_null(res);
		assert_true(!strcmp(res, "pass") || !strcmp(res, "fail") || !strcmp(res, "skipped"));
		assert_true(json_is_string(json_object_get(r, "name")));
		if (!strcmp(json_string_value(json_object_get(r, "name")), "ioctl/differential") &&
		    !strcmp(res, "pass"))
			assert_non_null(strstr(json_string_value(json_object_get(r, "reason")),
					       "50 random filters"));
	}
	/* The summary goes to stderr, stdout stays JSON. */
	assert_non_null(strstr(err, " checks: "));
	json_decref(set);
	free(out);
	free(err);
}

/* --count 0 checks no filter: the differential check is skipped with that
 * reason, not a pass. */
static void test_count_zero(void **state)
{
	(void)state;
	close(need_kvm_filter());
	char *out, *err;
	const char *args[] = { "check", "--json", "--count", "0", NULL };
	int st = cli_run(args, &out, &err);
	if (st != 0)
		fail_msg("check --json --count 0 exited %d: %s", st, err);
	json_error_t je;
	json_t *set = json_loads(out, 0, &je);
	if (!set)
		fail_msg("check --json is not JSON: %d:%d: %s", je.line, je.column, je.text);
	size_t i, seen = 0;
	json_t *r;
	json_array_foreach(json_object_get(set, "records"), i, r) {
		if (strcmp(json_string_value(json_object_get(r, "name")), "ioctl/differential"))
			continue;
		seen++;
		assert_string_equal(json_string_value(json_object_get(r, "result")), "skipped");
		assert_non_null(strstr(json_string_value(json_object_get(r, "reason")), "--count 0"));
	}
	assert_int_equal(seen, 1);
	json_decref(set);
	free(out);
	free(err);
}

static void test_assume_vpmu(void **state)
{
	(void)state;
	close(need_kvm_filter());
	char *out, *err;
	const char *args[] = { "check", "--assume-vpmu", "--count", "10", "--loops", "100", NULL };
	int st = cli_run(args, &out, &err);
	if (st != 0 && st != 1)
		fail_msg("check --assume-vpmu exited %d: %s", st, err);
	static struct line ls[MAX_LINES];
	char *summary;
	size_t n = parse_lines(out, ls, &summary);
	size_t ran = 0;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(ls[i].name, "count/", 6))
			continue;
		/* The guest ran: no count check is skipped for the missing vPMU. */
		if (!strcmp(ls[i].word, "skipped"))
			assert_null(strstr(ls[i].reason, "no vPMU"));
		else
			ran++;
	}
	assert_true(ran > 0);
	free(out);
	free(err);
}

/* --filter: a .pmuf, a QEMU JSON and a kvm-raw file, and one the kernel
 * refuses: user/NAME/install agrees with the model; count is checked with a
 * vPMU, else skipped with the reason. */
static void test_user_filters(void **state)
{
	(void)state;
	close(need_kvm_filter());
	char dir[64], bad[128];
	cli_mkdtemp(dir, sizeof(dir));
	snprintf(bad, sizeof(bad), "%s/action2.pmuf", dir);
	FILE *f = fopen(bad, "w");
	assert_non_null(f);
	fputs("action 2\nevent 0xc0 0\n", f);
	fclose(f);
	char *out, *err;
	const char *args[] = { "check", "--count", "0", "--filter", "filters/specs/intel-allow-branches.pmuf",
			       "--filter", "filters/specs/qemu-masked.json", "--filter",
			       "filters/specs/intel-allow-branches.bin", "--filter", bad, NULL };
	int st = cli_run(args, &out, &err);
	if (st != 0)
		fail_msg("check --filter exited %d: %s", st, err);
	struct line ls[MAX_LINES];
	char *summary;
	size_t n = parse_lines(out, ls, &summary);
	static const char *const names[] = { "intel-allow-branches.pmuf", "qemu-masked.json",
					     "intel-allow-branches.bin", "action2.pmuf" };
	for (int k = 0; k < 4; k++) {
		char name[128];
		snprintf(name, sizeof(name), "user/%s/install", names[k]);
		const struct line *l = find(ls, n, name);
		if (!l)
			fail_msg("no %s line", name);
		assert_string_equal(l->word, "pass");
		assert_non_null(strstr(l->reason, k == 3 ? "kernel and model: EINVAL" : "kernel and model: ok"));
		assert_non_null(strstr(l->reason, "fnv1a64:"));
		snprintf(name, sizeof(name), "user/%s/count", names[k]);
		l = find(ls, n, name);
		if (k == 3) {
			assert_non_null(l);
			assert_string_equal(l->word, "skipped");
			assert_non_null(strstr(l->reason, "the kernel refuses the filter (EINVAL)"));
		} else if (l) { /* no vPMU (or no guest PMU): skipped, saying why */
			assert_string_equal(l->word, "skipped");
		} else { /* a vPMU: the two events, none failed */
			for (int e = 0; e < 2; e++) {
				snprintf(name, sizeof(name), "user/%s/count/%s", names[k],
					 e ? "unnamed-select" : "first-entry");
				l = find(ls, n, name);
				assert_non_null(l);
				assert_string_not_equal(l->word, "fail");
			}
		}
	}
	free(out);
	free(err);
	cli_rmdir(dir);
}

static void test_no_kvm(void **state)
{
	(void)state;
	char dir[64];
	cli_mkdtemp(dir, sizeof(dir));
	char *out, *err;
	const char *args[] = { "check", "-o", dir, NULL };
	int st = cli_run_ex(args, &out, &err, 1);
	if (st == CLI_NO_NAMESPACE) {
		free(out);
		free(err);
		cli_rmdir(dir);
		need_skip("namespace", "cannot hide /dev/kvm (needs a private mount namespace: root)");
	}
	assert_int_equal(st, 4);
	static struct line ls[MAX_LINES];
	char *summary;
	size_t n = parse_lines(out, ls, &summary);
	assert_true(n > 10);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(ls[i].word, "skipped");
		assert_non_null(strstr(ls[i].reason, "/dev/kvm not usable"));
	}
	assert_non_null(strstr(summary, "nothing could be checked"));
	json_t *set = load(dir, "check.json");
	same_as_lines(set, ls, n);
	assert_true(json_array_size(json_object_get(set, "skipped")) > 0);
	json_decref(set);
	free(out);
	free(err);
	cli_rmdir(dir);
}

static void test_usage(void **state)
{
	(void)state;
	const char *a1[] = { "check", "--bogus", NULL };
	cli_usage_case(a1, "--bogus");
	const char *a2[] = { "check", "--count", "x", NULL };
	cli_usage_case(a2, "pfbench check: --samples: 'x' is not a number");
	const char *a3[] = { "check", "--loops", "0", NULL };
	cli_usage_case(a3, "--loops");
	const char *a4[] = { "check", "extra", NULL };
	cli_usage_case(a4, "extra");
	const char *a5[] = { "check", "-o", NULL };
	cli_usage_case(a5, "needs an argument");
	cli_help_case("check", "usage: pfbench check [--json] [-o DIR]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_no_kvm),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_count_zero),
		cmocka_unit_test(test_assume_vpmu),
		cmocka_unit_test(test_user_filters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
