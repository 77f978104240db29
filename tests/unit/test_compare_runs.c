/* test_compare_runs.c — `pfbench compare` on records measured with -r N
 * (run_medians_ns): when both sides carry at least 2 run medians the
 * cell's CI comes from the run-to-run spread (CMP_RUNS, a Welch t interval
 * on the logs), not from the bootstrap within one run. Identical run
 * medians are within noise; 10 runs at 100 against 10 at 120 (1% spread)
 * are significant; 2 widely spread runs a side give a wide CI and no
 * verdict beyond noise, even where the within-run samples alone would
 * call the cell significant; repeats on one side only keep the bootstrap
 * and the header says so once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compare.h"
#include "rset.h"
#include "student-t.h"

static uint64_t rng_state;

static double normal(double mean, double sd)
{
	double u[2];
	for (int i = 0; i < 2; i++) {
		uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		u[i] = ((z >> 11) + 0.5) / 9007199254740992.0;
	}
	return mean + sd * sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
}

#define NSAMP 200

/* A timed record of design d: median_ns = runs[0] (run 1's, as -r writes
 * it), raw samples tight around it (0.1%), and, when nruns > 0, the run
 * medians as -r N writes them. */
static json_t *record(const char *d, const double *runs, size_t nruns, double first)
{
	json_t *s = json_array(), *rm = json_array();
	for (int i = 0; i < NSAMP; i++)
		json_array_append_new(s, json_real(normal(first, first * 0.001)));
	json_t *r = json_pack("{s:s, s:f, s:f, s:f, s:I, s:o}", "design", d, "median_ns", first,
			      "ci95_low_ns", first * 0.999, "ci95_high_ns", first * 1.001,
			      "samples", (json_int_t)NSAMP, "samples_ns", s);
	for (size_t i = 0; i < nruns; i++)
		json_array_append_new(rm, json_real(runs[i]));
	if (nruns) {
		json_object_set_new(r, "runs", json_integer((json_int_t)nruns));
		json_object_set_new(r, "run_medians_ns", rm);
	} else {
		json_decref(rm);
	}
	return r;
}

static void fill(double *v, size_t n, double mean, double rel_sd)
{
	for (size_t i = 0; i < n; i++)
		v[i] = normal(mean, mean * rel_sd);
}

static void test_ratio_runs(void **state)
{
	(void)state;
	double ratio, lo, hi, df;
	/* B = 1.2 x A exactly: the logs differ by a constant, equal spreads,
	 * so df = 2(n - 1) and the interval is exp(log 1.2 +- t(8) se) */
	const double a[] = { 98, 100, 101, 103, 99 };
	double b[5], s2 = 0, m = 0;
	for (int i = 0; i < 5; i++)
		b[i] = 1.2 * a[i], m += log(a[i]) / 5;
	for (int i = 0; i < 5; i++)
		s2 += (log(a[i]) - m) * (log(a[i]) - m) / 4;
	assert_int_equal(cmp_ratio_runs(a, 5, b, 5, &ratio, &lo, &hi, &df), 0);
	assert_true(fabs(ratio - 1.2) < 1e-12);
	assert_true(fabs(df - 8) < 1e-9);
	double w = 2.306 * sqrt(2 * s2 / 5);
	assert_true(fabs(lo - 1.2 * exp(-w)) < 1e-4 && fabs(hi - 1.2 * exp(w)) < 1e-4);
	/* swapping the sides gives the reciprocal interval */
	double r2, lo2, hi2, df2;
	assert_int_equal(cmp_ratio_runs(b, 5, a, 5, &r2, &lo2, &hi2, &df2), 0);
	assert_true(fabs(lo2 - 1 / hi) < 1e-12 && fabs(hi2 - 1 / lo) < 1e-12);
	/* no spread on A: df is B's n - 1 */
	const double flat[] = { 100, 100, 100 }, spread[] = { 110, 120, 130 };
	assert_int_equal(cmp_ratio_runs(flat, 3, spread, 3, &ratio, &lo, &hi, &df), 0);
	assert_true(fabs(df - 2) < 1e-9 && lo < ratio && ratio < hi);
	/* no spread anywhere: the interval is the point */
	assert_int_equal(cmp_ratio_runs(flat, 3, flat, 3, &ratio, &lo, &hi, &df), 0);
	assert_true(ratio == 1 && lo == 1 && hi == 1);
	/* fewer than 2 runs, or a median that has no log */
	assert_int_equal(cmp_ratio_runs(flat, 1, spread, 3, &ratio, &lo, &hi, &df), -EINVAL);
	const double zero[] = { 100, 0 };
	assert_int_equal(cmp_ratio_runs(zero, 2, spread, 3, &ratio, &lo, &hi, &df), -EINVAL);
}

static void test_records_runs(void **state)
{
	(void)state;
	struct cmp_opts o = { .iters = 1000, .seed = 3, .threshold = CMP_DEFAULT_THRESHOLD };
	struct cmp_ratio r;
	double a[10], b[10];
	rng_state = 11;

	/* identical run medians on both sides: within noise */
	fill(a, 10, 100, 0.01);
	json_t *ra = record("same", a, 10, a[0]), *rb = record("same", a, 10, a[0]);
	assert_int_equal(cmp_records(ra, rb, &o, &r), 0);
	assert_int_equal(r.method, CMP_RUNS);
	assert_true(fabs(r.ratio - 1) < 1e-12 && r.lo < 1 && r.hi > 1);
	assert_int_equal(r.verdict, CMP_WITHIN_NOISE);
	assert_true(r.a_runs == 10 && r.b_runs == 10);
	json_decref(ra);
	json_decref(rb);

	/* 10 runs at 100 against 10 at 120, 1% spread: significant, the CI
	 * excludes 1 and the band, and holds the true 1.2 */
	fill(a, 10, 100, 0.01);
	fill(b, 10, 120, 0.01);
	ra = record("shift", a, 10, a[0]);
	rb = record("shift", b, 10, b[0]);
	assert_int_equal(cmp_records(ra, rb, &o, &r), 0);
	assert_int_equal(r.method, CMP_RUNS);
	assert_true(fabs(r.ratio - 1.2) < 0.02);
	assert_true(r.lo > 1 + CMP_DEFAULT_THRESHOLD && r.lo < 1.2 && r.hi > 1.2 && r.hi < 1.25);
	assert_int_equal(r.verdict, CMP_SIGNIFICANT);
	/* A and B are the geometric means of the run medians */
	assert_true(fabs(r.a_median - 100) < 1.5 && fabs(r.b_median - 120) < 1.5);
	assert_true(fabs(r.b_median / r.a_median - r.ratio) < 1e-9);
	json_decref(ra);
	json_decref(rb);

	/* 2 runs a side, widely spread (80/120 against 100/140): run 1's
	 * tight samples alone (80 against 100) would be significant; the
	 * run-to-run CI is wide and holds 1 */
	const double a2[] = { 80, 120 }, b2[] = { 100, 140 };
	ra = record("wide", a2, 2, a2[0]);
	rb = record("wide", b2, 2, b2[0]);
	json_t *ba = record("wide", NULL, 0, a2[0]), *bb = record("wide", NULL, 0, b2[0]);
	assert_int_equal(cmp_records(ba, bb, &o, &r), 0);
	assert_int_equal(r.method, CMP_BOOTSTRAP);
	assert_int_equal(r.verdict, CMP_SIGNIFICANT);
	assert_int_equal(cmp_records(ra, rb, &o, &r), 0);
	assert_int_equal(r.method, CMP_RUNS);
	assert_true(r.lo < 1 && r.hi > 1.5 && r.hi / r.lo > 2);
	assert_int_equal(r.verdict, CMP_WITHIN_NOISE);
	assert_true(fabs(r.df - 2) < 0.5);

	/* repeats on one side only (or 1 run on the other): the bootstrap,
	 * with each side's run count kept for the header's note */
	assert_int_equal(cmp_records(ra, bb, &o, &r), 0);
	assert_int_equal(r.method, CMP_BOOTSTRAP);
	assert_true(r.a_runs == 2 && r.b_runs == 0);
	/* run medians that are not numbers count as none */
	json_t *bad = record("wide", b2, 2, b2[0]);
	json_array_set_new(json_object_get(bad, "run_medians_ns"), 1, json_string("x"));
	assert_int_equal(cmp_records(ra, bad, &o, &r), 0);
	assert_int_equal(r.method, CMP_BOOTSTRAP);
	assert_true(r.a_runs == 2 && r.b_runs == 0);
	json_decref(bad);
	json_t *one = record("wide", b2, 1, b2[0]);
	assert_int_equal(cmp_records(one, rb, &o, &r), 0);
	assert_int_equal(r.method, CMP_BOOTSTRAP);
	assert_true(r.a_runs == 1 && r.b_runs == 2);
	json_decref(one);
	json_decref(ra);
	json_decref(rb);
	json_decref(ba);
	json_decref(bb);
}

/* A lookup set of two records, with the columns rset_load would give it. */
static json_t *set_of(json_t *r1, json_t *r2)
{
	json_t *set = json_pack("{s:s, s:s, s:{s:s}, s:b, s:[], s:[o, o]}", "schema",
				SCHEMA_VERSION, "bench", "lookup", "context", "date",
				"2024-01-01T00:00:00Z", "complete", 1, "skipped", "records", r1, r2);
	json_object_set_new(set, "columns", rset_compat_columns(set));
	return set;
}

static bool render_all = true; /* cmp_opts.all: every row's table */

/* The whole comparison of sets a and b in format f, as text (malloc'd). */
static char *render(json_t *a, json_t *b, enum cmp_format f, struct cmp_counts *c)
{
	json_t *la = json_pack("[O]", a), *lb = json_pack("[O]", b);
	struct cmp_input ia = { .path = "A", .sets = la }, ib = { .path = "B", .sets = lb };
	struct cmp_opts o = { .format = f, .all = render_all, .iters = 500, .seed = 1,
			      .threshold = CMP_DEFAULT_THRESHOLD };
	char *text = NULL, err[256] = "";
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	int ret = cmp_render(out, &ia, &ib, &o, c, err, sizeof(err));
	if (ret)
		fail_msg("cmp_render: %d %s", ret, err);
	fclose(out);
	json_decref(la);
	json_decref(lb);
	return text;
}

static size_t occurrences(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* With more rows than the whole table shows, the top lists' A and B of a
 * run-to-run row are the geometric means of its runs, and say so. */
static void test_top_list_runs(void **state)
{
	(void)state;
	double a[10], b[10], c[10];
	rng_state = 9;
	fill(a, 10, 100, 0.01);
	fill(b, 10, 130, 0.01);
	fill(c, 10, 50, 0.01);
	json_t *sa = set_of(record("x", a, 10, a[0]), record("y", c, 10, c[0]));
	json_t *sb = set_of(record("x", b, 10, b[0]), record("y", c, 10, c[0]));
	for (int i = 0; i < 25; i++) {
		char d[16];
		snprintf(d, sizeof(d), "z%d", i);
		json_array_append_new(json_object_get(sa, "records"), record(d, c, 10, c[0]));
		json_array_append_new(json_object_get(sb, "records"), record(d, c, 10, c[0]));
	}
	struct cmp_counts cnt;
	render_all = false;
	char *md = render(sa, sb, CMP_MD, &cnt);
	render_all = true;
	const char *top = strstr(md, "## Top regressions");
	assert_non_null(top);
	const char *x = strstr(top, "| design=x |");
	if (!x)
		fail_msg("%.1500s", top);
	assert_non_null(strstr(x, "(10 runs) | 1")); /* B's geomean, about 130 */
	assert_true(strstr(x, "(10 runs) | ") < strchr(x, '\n'));
	free(md);
	json_decref(sa);
	json_decref(sb);
}

static void test_render_runs(void **state)
{
	(void)state;
	double a[10], b[10], c[10];
	rng_state = 5;
	fill(a, 10, 100, 0.01);
	fill(b, 10, 120, 0.01);
	fill(c, 10, 50, 0.01);
	/* both sides repeated: "runs" rows, the rule in the legend and JSON */
	json_t *sa = set_of(record("x", a, 10, a[0]), record("y", c, 10, c[0]));
	json_t *sb = set_of(record("x", b, 10, b[0]), record("y", c, 10, c[0]));
	struct cmp_counts cnt;
	char *md = render(sa, sb, CMP_MD, &cnt);
	assert_true(cnt.slower == 1 && cnt.noise == 1 && cnt.faster == 0);
	assert_int_equal(occurrences(md, "| runs | significant |"), 1);
	assert_int_equal(occurrences(md, "| runs | within noise |"), 1);
	assert_non_null(strstr(md, "(10 runs) | "));
	assert_non_null(strstr(md, "95% CI \"runs\""));
	assert_null(strstr(md, "**Note**"));
	free(md);
	char *js = render(sa, sb, CMP_JSON, &cnt);
	json_t *j = json_loads(js, 0, NULL);
	assert_non_null(j);
	const char *rule = json_string_value(json_object_get(json_object_get(j, "rule"), "cell_ci"));
	assert_true(rule && !strncmp(rule, "runs: Welch t interval", 22));
	json_t *row = json_array_get(json_object_get(j, "rows"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "ci_from")), "runs");
	assert_int_equal(json_integer_value(json_object_get(row, "a_runs")), 10);
	assert_true(json_is_number(json_object_get(row, "df")));
	assert_null(json_object_get(j, "notes"));
	/* the counts keep their shape */
	assert_int_equal(json_object_size(json_object_get(j, "counts")), 7);
	json_decref(j);
	free(js);
	json_decref(sb);

	/* B without repeats: the bootstrap, and one note in the header */
	sb = set_of(record("x", NULL, 0, b[0]), record("y", NULL, 0, c[0]));
	md = render(sa, sb, CMP_MD, &cnt);
	assert_int_equal(occurrences(md, "| bootstrap |"), 2);
	assert_int_equal(occurrences(md, "| runs |"), 0);
	assert_int_equal(occurrences(md, "**Note**: 2 cells have run medians (`-r N`) in A only"), 1);
	assert_int_equal(occurrences(md, "run medians (`-r N`)"), 1); /* not per row */
	free(md);
	js = render(sa, sb, CMP_JSON, &cnt);
	j = json_loads(js, 0, NULL);
	assert_non_null(j);
	json_t *notes = json_object_get(j, "notes");
	assert_int_equal(json_array_size(notes), 1);
	assert_non_null(strstr(json_string_value(json_array_get(notes, 0)), "in A only"));
	assert_int_equal(json_object_size(json_object_get(j, "counts")), 7);
	json_decref(j);
	free(js);
	json_decref(sa);
	json_decref(sb);
}

/* Writes run k of a suite -r 3 directory dir: its lookup.json (k = 1) or
 * repeats/<k>/lookup.json, one record "x" of median m. */
static void write_run(const char *dir, int k, double m)
{
	char d[256], f[300];
	if (k == 1)
		snprintf(d, sizeof(d), "%s", dir);
	else
		snprintf(d, sizeof(d), "%s/repeats/%d", dir, k);
	snprintf(f, sizeof(f), "%s/repeats", dir);
	if (k == 1) {
		assert_int_equal(mkdir(dir, 0755), 0);
		assert_int_equal(mkdir(f, 0755), 0);
	} else {
		assert_int_equal(mkdir(d, 0755), 0);
	}
	json_t *set = json_pack("{s:s, s:s, s:{s:s}, s:b, s:[], s:[o]}", "schema", SCHEMA_VERSION,
				"bench", "lookup", "context", "date", "2024-01-01T00:00:00Z",
				"complete", 1, "skipped", "records", record("x", NULL, 0, m));
	snprintf(f, sizeof(f), "%s/lookup.json", d);
	assert_int_equal(json_dump_file(set, f, 0), 0);
	json_decref(set);
}

/* `pfbench compare` of two suite -r 3 directories: the records get their
 * run medians from repeats/<k>/ (each a separate process there), the CI
 * comes from them, and compare writes nothing into its inputs. */
static void test_cli_suite_repeats(void **state)
{
	(void)state;
	char dir[] = "/tmp/pfbench-test-compare-runs-XXXXXX", da[64], db[64], cmd[512], f[96];
	assert_non_null(mkdtemp(dir));
	snprintf(da, sizeof(da), "%s/a", dir);
	snprintf(db, sizeof(db), "%s/b", dir);
	const double ma[] = { 100, 101, 99 }, mb[] = { 120, 121, 119 };
	for (int k = 1; k <= 3; k++) {
		write_run(da, k, ma[k - 1]);
		write_run(db, k, mb[k - 1]);
	}
	const char *pf = getenv("PFBENCH");
	snprintf(cmd, sizeof(cmd), "%s compare --format json %s %s", pf ? pf : "build/pfbench", da,
		 db);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	json_error_t je;
	json_t *j = json_loadf(p, 0, &je);
	assert_int_equal(pclose(p), 0);
	if (!j)
		fail_msg("compare's JSON: %s", je.text);
	json_t *row = json_array_get(json_object_get(j, "rows"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "ci_from")), "runs");
	assert_int_equal(json_integer_value(json_object_get(row, "a_runs")), 3);
	assert_int_equal(json_integer_value(json_object_get(row, "b_runs")), 3);
	assert_string_equal(json_string_value(json_object_get(row, "verdict")), "significant");
	assert_true(json_real_value(json_object_get(row, "ci95_low")) > 1.05);
	json_decref(j);
	snprintf(f, sizeof(f), "%s/repeats.json", da);
	assert_int_equal(access(f, F_OK), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratio_runs),
		cmocka_unit_test(test_records_runs),
		cmocka_unit_test(test_render_runs),
		cmocka_unit_test(test_top_list_runs),
		cmocka_unit_test(test_cli_suite_repeats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
