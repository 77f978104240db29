/* test_cli_lookup.c — `pfbench lookup` end to end: runs $PFBENCH (set by
 * scripts/run-tests.sh) on short sweeps and checks that the result files
 * are well formed and plausible: positive times, the sample counts asked
 * for, a context that says what was measured (and why counters are
 * missing), every design present, the CSV matching the JSON, the set's
 * key_columns telling every record apart (and `pfbench compare` matching
 * each record). No timing thresholds. Also the usage errors (exit 2) and
 * -d help. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "lookup.h"
#include "need.h"
#include "out.h"
#include "rset.h"

static char tmpdir[] = "/tmp/pfbench-test-lookup-XXXXXX";

static const char *exe(void)
{
	const char *p = getenv("PFBENCH");

	if (!p || access(p, X_OK) != 0) {
		need_skip("pfbench", "$PFBENCH (%s) is not an executable; run via "
			  "scripts/run-tests.sh", p ? p : "unset");
	}
	return p;
}

/* Runs pfbench with a NULL-terminated argument list; stdout and stderr go
 * to files in tmpdir, read back into *out / *err (malloc'd) when given. */
static int run(const char *const args[], char **out, char **err)
{
	char opath[300], epath[300];
	const char *argv[64] = { exe() };
	int status, i;
	pid_t pid;

	snprintf(opath, sizeof(opath), "%s/stdout", tmpdir);
	snprintf(epath, sizeof(epath), "%s/stderr", tmpdir);
	for (i = 0; args[i] && i < 62; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fo = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fo < 0 || fe < 0)
			_exit(126);
		dup2(fo, 1);
		dup2(fe, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	for (int k = 0; k < 2; k++) {
		char **dst = k ? err : out;
		FILE *f;
		long len;

		if (!dst)
			continue;
		f = fopen(k ? epath : opath, "r");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		*dst = calloc(1, (size_t)len + 1);
		assert_non_null(*dst);
		assert_int_equal(fread(*dst, 1, (size_t)len, f), (size_t)len);
		fclose(f);
	}
	return WEXITSTATUS(status);
}

static json_t *read_set(const char *dir)
{
	char path[300], err[256];
	json_t *set;

	snprintf(path, sizeof(path), "%s/lookup.json", dir);
	set = out_read_json(path, err, sizeof(err));
	if (!set)
		fail_msg("%s", err);
	return set;
}

static size_t count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c;

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	if (!s)
		fail_msg("record lacks string \"%s\"", k);
	return s;
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_number(v))
		fail_msg("record lacks number \"%s\"", k);
	return json_number_value(v);
}

/* Checks every record; returns a bitmask of the designs seen (by index in
 * lookup_designs). */
static uint64_t check_records(json_t *set, size_t samples)
{
	json_t *recs = json_object_get(set, "records"), *r;
	uint64_t seen = 0;
	size_t i;

	assert_true(json_array_size(recs) > 0);
	json_array_foreach(recs, i, r) {
		const char *name = str(r, "design"), *mode = str(r, "mode");
		const struct lookup_design *d = lookup_find(name);
		static const char *const keys[] = { "median_ns", "p90_ns", "p99_ns", "min_ns",
						    "median_cycles", "ci95_low_ns", "ci95_high_ns" };

		assert_non_null(d);
		for (size_t k = 0; lookup_designs[k]; k++)
			if (lookup_designs[k] == d)
				seen |= 1ull << k;
		assert_true(!strcmp(mode, "throughput") || !strcmp(mode, "latency"));
		str(r, "encoding");
		str(r, "action");
		str(r, "pattern");
		assert_true(num(r, "size") >= 0);
		assert_int_equal((size_t)num(r, "samples"), samples);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!(num(r, keys[k]) > 0))
				fail_msg("%s %s: %s = %g is not positive", name, mode, keys[k],
					 num(r, keys[k]));
		assert_true(num(r, "min_ns") <= num(r, "median_ns"));
		assert_true(num(r, "median_ns") <= num(r, "p90_ns"));
		assert_true(num(r, "p90_ns") <= num(r, "p99_ns"));
		assert_true(num(r, "ci95_low_ns") <= num(r, "median_ns"));
		assert_true(num(r, "ci95_high_ns") >= num(r, "median_ns"));
		assert_true(num(r, "cv") >= 0);
		/* A lookup costs less than a millisecond, even k5.3 at 300. */
		assert_true(num(r, "median_ns") < 1e6);
		assert_true(num(r, "footprint_bytes") > 0);
		assert_true(num(r, "hit_fraction") >= 0 && num(r, "hit_fraction") <= 1);
		/* The floor is no filter; k5.17-bsearch-trunc replicates a
		 * shipped bug: its disagreements are counted, not checked. */
		if (d->flags & (LOOKUP_F_FLOOR | LOOKUP_F_KNOWN_BUG))
			assert_false(json_is_true(json_object_get(r, "verified")));
		else
			assert_true(json_is_true(json_object_get(r, "verified")));
		if (d->flags & LOOKUP_F_KNOWN_BUG)
			assert_true(json_is_integer(json_object_get(r, "reference_mismatches")));
		else
			assert_true(json_is_null(json_object_get(r, "reference_mismatches")));
	}
	return seen;
}

/* The context says what was measured, where, and why counters are absent. */
static void check_context(json_t *set)
{
	json_t *ctx = json_object_get(set, "context"), *l, *ctrs, *c;
	const char *k;

	assert_string_equal(json_string_value(json_object_get(set, "bench")), "lookup");
	assert_true(json_is_object(ctx));
	assert_true(json_is_object(json_object_get(ctx, "host")));
	assert_true(json_is_object(json_object_get(ctx, "binding")));
	assert_true(json_is_object(json_object_get(ctx, "timer")));
	assert_non_null(json_string_value(json_object_get(ctx, "command_line")));
	l = json_object_get(ctx, "lookup");
	assert_true(json_is_object(l));
	assert_non_null(json_string_value(json_object_get(l, "flavor")));
	assert_true(json_array_size(json_object_get(l, "designs")) == lookup_count());
	ctrs = json_object_get(ctx, "counters");
	assert_true(json_object_size(ctrs) > 0);
	json_object_foreach(ctrs, k, c) {
		if (!json_is_true(json_object_get(c, "available"))) {
			const char *why = json_string_value(json_object_get(c, "why"));

			assert_non_null(why);
			assert_true(strlen(why) > 0);
		}
	}
}

/* The set declares key_columns: sweep coordinates present in every record,
 * each declared a key in its columns, and no two records with the same key. Then
 * `pfbench compare --all` of the file with itself matches every record once. */
static void check_keys(json_t *set, const char *dir)
{
	json_t *keys = json_object_get(set, "key_columns"), *recs = json_object_get(set, "records");
	json_t *seen = json_object(), *k, *r;
	const char *args[] = { "compare", "--all", NULL, NULL, NULL };
	char path[300], *out = NULL, *line;
	size_t i, j, rows = 0;

	assert_true(json_is_array(keys));
	assert_true(json_array_size(keys) >= 5);
	json_array_foreach(keys, j, k) {
		const char *name = json_string_value(k);

		assert_non_null(name);
		assert_int_equal(rset_role(set, name), COL_KEY);
	}
	json_array_foreach(recs, i, r) {
		char *id;

		json_t *tuple = json_array();
		json_array_foreach(keys, j, k) {
			json_t *v = json_object_get(r, json_string_value(k));

			if (!v)
				fail_msg("record %zu lacks key column %s", i, json_string_value(k));
			json_array_append(tuple, v);
		}
		id = json_dumps(tuple, JSON_COMPACT);
		assert_non_null(id);
		if (json_object_get(seen, id))
			fail_msg("records %lld and %zu share the key %s",
				 (long long)json_integer_value(json_object_get(seen, id)), i, id);
		json_object_set_new(seen, id, json_integer((json_int_t)i));
		free(id);
		json_decref(tuple);
	}
	json_decref(seen);

	snprintf(path, sizeof(path), "%s/lookup.json", dir);
	args[2] = path;
	args[3] = path;
	assert_int_equal(run(args, &out, NULL), 0);
	for (line = out; (line = strstr(line, "\n| ")); line++)
		rows++;
	/* Header row and one row per record (all are timed). */
	assert_int_equal(rows, json_array_size(recs) + 1);
	assert_null(strstr(out, "matched several rows"));
	free(out);
}

/* The scripts turn the CSV into a Markdown table and plots. */
static void check_scripts(const char *dir)
{
	char cmd[1024], path[512], *text = NULL;
	unsigned char sig[8];
	FILE *f;
	long len;

	if (access("scripts/table-lookup.sh", X_OK) != 0) {
		print_message("note: scripts/ not here (run from the repo root); scripts unchecked\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/table.md", tmpdir);
	snprintf(cmd, sizeof(cmd), "scripts/table-lookup.sh -s 1,300 %s/lookup.csv > %s", dir,
		 path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_non_null(strstr(text, "| design | n=1 | n=300 | k6.3 / design at 300 |"));
	for (size_t k = 0; lookup_designs[k]; k++) {
		char row[64], why[96];

		if (lookup_designs[k]->usable && !lookup_designs[k]->usable(why, sizeof(why)))
			continue;
		snprintf(row, sizeof(row), "| %s |", lookup_designs[k]->name);
		if (!strstr(text, row))
			fail_msg("table-lookup.sh: no row for %s", lookup_designs[k]->name);
	}
	free(text);

	if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
		print_message("note: no gnuplot; plot-lookup.sh unchecked\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "scripts/plot-lookup.sh -o %s/plots %s/lookup.csv >/dev/null",
		 tmpdir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/plots/lookup-latency-mixed-exact.png", tmpdir);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(sig, 1, 8, f), 8);
	fclose(f);
	assert_memory_equal(sig, "\x89PNG\r\n\x1a\n", 8);
	snprintf(path, sizeof(path), "%s/plots/lookup-throughput-walk-worst-masked16.svg", tmpdir);
	assert_int_equal(access(path, R_OK), 0);
}

static void test_quick(void **state)
{
	const char *args[] = { "lookup", "--quick", "-s", "1,300", "--samples", "7", "-o",
			       NULL, NULL };
	char dir[200], csv[256], *err = NULL;
	uint64_t seen, want = 0;
	json_t *set;
	size_t k;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/quick", tmpdir);
	args[7] = dir;
	if (run(args, NULL, &err) != 0)
		fail_msg("pfbench lookup --quick failed: %s", err);
	free(err);
	set = read_set(dir);
	assert_true(json_is_true(json_object_get(set, "complete")));
	check_context(set);
	seen = check_records(set, 7);
	for (k = 0; lookup_designs[k]; k++) {
		char why[96];

		if (!lookup_designs[k]->usable || lookup_designs[k]->usable(why, sizeof(why)))
			want |= 1ull << k;
	}
	assert_int_equal(seen, want); /* every usable design appears */
	snprintf(csv, sizeof(csv), "%s/lookup.csv", dir);
	assert_int_equal(count_lines(csv), json_array_size(json_object_get(set, "records")) + 1);
	check_keys(set, dir);
	json_decref(set);
	check_scripts(dir);
}

static void test_beyond_limit(void **state)
{
	const char *args[] = { "lookup", "-s", "400", "--beyond-limit", "-e", "masked/16",
			       "-a", "deny", "-p", "mixed", "-m", "latency", "--samples", "3",
			       "-d", "k6.3-masked,bitmap", "-o", NULL, NULL };
	char dir[256], *err = NULL;
	json_t *set, *r;
	size_t i, n = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/beyond", tmpdir);
	args[17] = dir;
	if (run(args, NULL, &err) != 0)
		fail_msg("pfbench lookup --beyond-limit failed: %s", err);
	free(err);
	set = read_set(dir);
	check_records(set, 3);
	json_array_foreach(json_object_get(set, "records"), i, r) {
		bool kernel = !strcmp(str(r, "design"), "k6.3-masked");

		assert_int_equal((int)num(r, "size"), 400);
		assert_string_equal(str(r, "mode"), "latency");
		assert_string_equal(str(r, "action"), "deny");
		assert_true(json_is_true(json_object_get(r, "over_kernel_limit")));
		assert_int_equal(json_is_true(json_object_get(r, "kernel_cap_ignored")), kernel);
		assert_true(json_is_true(json_object_get(r, "reference_composed")) ||
			    !strcmp(str(r, "design"), "floor-l1"));
		n++;
	}
	assert_int_equal(n, 3); /* k6.3, bitmap, floor */
	json_decref(set);
}

static void test_pmu_pattern(void **state)
{
	const char *args[] = { "lookup", "-s", "16", "-e", "exact", "-a", "allow", "--pmu", "icl",
			       "-p", "pmu", "-m", "throughput", "--samples", "3", "-d", "bitmap",
			       "-o", NULL, NULL };
	char dir[256], *err = NULL;
	json_t *set, *r;
	size_t i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/pmu", tmpdir);
	args[18] = dir;
	if (run(args, NULL, &err) != 0)
		fail_msg("pfbench lookup --pmu icl failed: %s", err);
	free(err);
	set = read_set(dir);
	check_records(set, 3);
	json_array_foreach(json_object_get(set, "records"), i, r) {
		assert_string_equal(str(r, "pattern"), "pmu");
		assert_string_equal(str(r, "filter_shape"), "pmu");
		/* Half the inputs are the filter's events, half not. */
		assert_true(num(r, "hit_fraction") > 0.3 && num(r, "hit_fraction") < 0.7);
	}
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(json_object_get(json_object_get(set, "context"),
								    "lookup"),
						    "pmu"),
				    "name")),
			    "icl");
	json_decref(set);
}

/* --filter: a .pmuf, a QEMU JSON and a kvm-raw file, every design on each,
 * inputs from their own selects and from icl's table; records named. */
static void test_user_filters(void **state)
{
	const char *args[] = { "lookup", "--filter", "filters/specs/intel-allow-branches.pmuf", "--filter",
			       "filters/specs/qemu-masked.json", "--filter", "filters/specs/intel-allow-branches.bin",
			       "--pmu", "icl", "--flavor", "intel", "-m", "throughput", "--samples", "3", "-o", NULL,
			       NULL };
	static const char *const names[] = { "intel-allow-branches.pmuf", "qemu-masked.json",
					     "intel-allow-branches.bin" };
	static const char *const pats[] = { "hit", "miss", "mixed", "same-select", "pmu" };
	char dir[256], *err = NULL;
	json_t *set, *r;
	size_t i, seen[3][5] = { { 0 } };

	(void)state;
	snprintf(dir, sizeof(dir), "%s/user", tmpdir);
	args[16] = dir;
	if (run(args, NULL, &err) != 0)
		fail_msg("pfbench lookup --filter failed: %s", err);
	free(err);
	set = read_set(dir);
	check_records(set, 3);
	json_array_foreach(json_object_get(set, "records"), i, r) {
		int k = -1, p = -1;
		assert_string_equal(str(r, "filter_shape"), "user");
		for (int n = 0; n < 3; n++)
			if (!strcmp(str(r, "filter"), names[n]))
				k = n;
		for (int n = 0; n < 5; n++)
			if (!strcmp(str(r, "pattern"), pats[n]))
				p = n;
		assert_true(k >= 0 && p >= 0);
		assert_int_equal(strncmp(str(r, "filter_hash"), "fnv1a64:", 8), 0);
		assert_int_equal((int)num(r, "size"), 4);
		if (p == 0)
			assert_true(num(r, "hit_fraction") == 1.0);
		if (p == 1)
			assert_true(num(r, "hit_fraction") == 0.0);
		seen[k][p]++;
	}
	for (int k = 0; k < 3; k++)
		for (int p = 0; p < 5; p++)
			if (!seen[k][p])
				fail_msg("no %s record for %s", pats[p], names[k]);
	json_decref(set);
}

struct usage_case {
	const char *args[8];
	int status;
	const char *say; /* in stderr (exit 2) or stdout (exit 0) */
};

static void test_usage(void **state)
{
	const struct usage_case cases[] = {
		{ { "lookup", "--help" }, 0, "--beyond-limit" },
		{ { "lookup", "-d", "help" }, 0, "k6.3-masked" },
		{ { "lookup", "--no-such-option" }, 2, "usage" },
		{ { "lookup", "-s", "301" }, 2, "--beyond-limit" },
		{ { "lookup", "-s", "12x" }, 2, "12x" },
		{ { "lookup", "-d", "nope" }, 2, "nope" },
		{ { "lookup", "-e", "masked/3" }, 2, "masked/3" },
		{ { "lookup", "-p", "pmu" }, 2, "--pmu" },
		{ { "lookup", "--flavor", "arm" }, 2, "arm" },
		{ { "lookup", "-s", "1", "--pmu", "no-such-pmu", "-o", "/nonexistent/x" }, 2,
		  "no-such-pmu" },
		{ { "lookup", "extra" }, 2, "extra" },
		/* a core this host does not have is a usage error, not a failed run */
		{ { "lookup", "--cpu", "4096" }, 2, "--cpu" },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char *out = NULL, *err = NULL;
		int st = run(cases[c].args, &out, &err);

		if (st != cases[c].status)
			fail_msg("%s %s: exit %d, want %d (%s)", cases[c].args[1],
				 cases[c].args[2] ? cases[c].args[2] : "", st, cases[c].status,
				 err);
		assert_non_null(strstr(st ? err : out, cases[c].say));
		free(out);
		free(err);
	}
	/* -d help names every design. */
	{
		const char *args[] = { "lookup", "-d", "help", NULL };
		char *out = NULL;

		assert_int_equal(run(args, &out, NULL), 0);
		for (size_t k = 0; lookup_designs[k]; k++)
			assert_non_null(strstr(out, lookup_designs[k]->name));
		free(out);
	}
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_quick),
		cmocka_unit_test(test_beyond_limit),
		cmocka_unit_test(test_pmu_pattern),
		cmocka_unit_test(test_user_filters),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
