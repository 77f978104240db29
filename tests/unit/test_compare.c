/* test_compare.c — `pfbench compare` on synthetic result sets with known
 * shifts: B = 2 x A (low noise) must come out near 2 and significant;
 * B = A + tiny noise must come out near 1 and within noise; B = 1.02 x A
 * with tight noise resolves a difference smaller than the default 5%
 * threshold ("small", not significant) that --threshold 0 calls
 * significant; records without raw samples fall back to their own CIs and
 * the table says so. --pair compares two values of one column; a match
 * that is not one-to-one is an error naming the columns that tell the
 * rows apart. */
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
#include "stats.h"

static uint64_t rng_state;

static double uniform01(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((z >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(double mean, double sd)
{
	double u = uniform01(), v = uniform01();
	return mean + sd * sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* A record over samples: key fields + median_ns, ci95 (a crude +-2%),
 * samples and, when raw, samples_ns. */
static json_t *record(const char *design, int nevents, const double *s, size_t n, int raw)
{
	double *sorted = malloc(n * sizeof(*sorted));
	memcpy(sorted, s, n * sizeof(*s));
	qsort(sorted, n, sizeof(*sorted), cmp_d);
	double med = stats_percentile_sorted(sorted, n, 50);
	json_t *r = json_pack("{s:s, s:i, s:f, s:f, s:f, s:f, s:I}", "design", design, "nevents",
			      nevents, "median_ns", med, "p90_ns",
			      stats_percentile_sorted(sorted, n, 90), "ci95_low_ns",
			      stats_percentile_sorted(sorted, n, 45), "ci95_high_ns",
			      stats_percentile_sorted(sorted, n, 55), "samples", (json_int_t)n);
	if (raw) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, json_real(s[i]));
		json_object_set_new(r, "samples_ns", arr);
	}
	free(sorted);
	return r;
}

static json_t *set_new(const char *bench)
{
	return json_pack("{s:s, s:s, s:{s:s}, s:b, s:[], s:[]}", "schema", SCHEMA_VERSION, "bench",
			 bench, "context", "date", "2024-01-01T00:00:00Z", "complete", 1,
			 "skipped", "records");
}

#define N 400

/* A: design "linear" nevents 8 and 64, N(100, 2) and N(300, 5).
 * B: linear x2 (fresh noise); "bsearch" rows equal to A's plus tiny noise;
 * a "hash" row without raw samples, 3x slower. */
static void make_sets(json_t **a, json_t **b)
{
	double sa[N], sb[N];
	*a = set_new("lookup");
	*b = set_new("lookup");
	json_t *ra = json_object_get(*a, "records"), *rb = json_object_get(*b, "records");
	rng_state = 42;
	for (int i = 0; i < N; i++) {
		sa[i] = normal(100, 2);
		sb[i] = 2 * normal(100, 2);
	}
	json_array_append_new(ra, record("linear", 8, sa, N, 1));
	json_array_append_new(rb, record("linear", 8, sb, N, 1));
	for (int i = 0; i < N; i++) {
		sa[i] = normal(300, 5);
		sb[i] = sa[i] + normal(0, 0.05);
	}
	json_array_append_new(ra, record("bsearch", 64, sa, N, 1));
	json_array_append_new(rb, record("bsearch", 64, sb, N, 1));
	for (int i = 0; i < N; i++) {
		sa[i] = normal(50, 1);
		sb[i] = 3 * normal(50, 1);
	}
	json_array_append_new(ra, record("hash", 8, sa, N, 0));
	json_array_append_new(rb, record("hash", 8, sb, N, 0));
	for (int i = 0; i < N; i++) {
		sa[i] = normal(200, 0.4);
		sb[i] = 1.02 * normal(200, 0.4);
	}
	json_array_append_new(ra, record("scaled", 16, sa, N, 1));
	json_array_append_new(rb, record("scaled", 16, sb, N, 1));
	/* Only in A. */
	json_array_append_new(ra, record("linear", 300, sa, N, 0));
	/* Untimed on both sides (a conformance-style record): matched, not compared. */
	json_array_append_new(ra, json_pack("{s:s, s:i, s:s}", "design", "none", "nevents", 0,
					    "result", "pass"));
	json_array_append_new(rb, json_pack("{s:s, s:i, s:s}", "design", "none", "nevents", 0,
					    "result", "pass"));
}

static void test_bootstrap_shift(void **state)
{
	(void)state;
	double a[N], b[N], lo, hi;
	rng_state = 7;
	for (int i = 0; i < N; i++) {
		a[i] = normal(100, 2);
		b[i] = 2 * normal(100, 2);
	}
	assert_int_equal(cmp_ratio_bootstrap(a, N, b, N, 2000, 1, &lo, &hi), 0);
	/* The medians' ratio is within ~0.5% of 2; the CI covers it, is
	 * narrow and excludes 1. */
	assert_true(lo > 1.97 && lo < hi && hi < 2.03);
	assert_true(hi - lo < 0.03);
	/* Deterministic for a seed. */
	double lo2, hi2;
	assert_int_equal(cmp_ratio_bootstrap(a, N, b, N, 2000, 1, &lo2, &hi2), 0);
	assert_true(lo == lo2 && hi == hi2);
	/* Same data: the CI straddles 1. */
	assert_int_equal(cmp_ratio_bootstrap(a, N, a, N, 2000, 3, &lo, &hi), 0);
	assert_true(lo < 1.0 && hi > 1.0);
	assert_int_equal(cmp_ratio_bootstrap(a, 0, b, N, 2000, 1, &lo, &hi), -EINVAL);
}

/* The geometric mean of the cells' ratios and its bootstrap over cells. */
static void test_geomean(void **state)
{
	(void)state;
	double g, lo, hi;
	const double half_double[] = { 2.0, 0.5 }, same[] = { 2.0, 2.0, 2.0 };
	const double spread[] = { 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7 };
	assert_int_equal(cmp_geomean(half_double, 2, 1000, 1, &g, &lo, &hi), 0);
	assert_true(fabs(g - 1.0) < 1e-12);
	assert_true(lo <= 1.0 && hi >= 1.0 && lo >= 0.5 && hi <= 2.0);
	assert_int_equal(cmp_geomean(same, 3, 1000, 1, &g, &lo, &hi), 0);
	assert_true(fabs(g - 2.0) < 1e-12 && fabs(lo - 2.0) < 1e-12 && fabs(hi - 2.0) < 1e-12);
	assert_int_equal(cmp_geomean(spread, 8, 2000, 7, &g, &lo, &hi), 0);
	assert_true(lo < g && g < hi && lo > 1.0 && hi < 1.7);
	double g2, lo2, hi2;
	assert_int_equal(cmp_geomean(spread, 8, 2000, 7, &g2, &lo2, &hi2), 0);
	assert_true(lo == lo2 && hi == hi2); /* deterministic for a seed */
	assert_int_equal(cmp_geomean(spread, 0, 2000, 7, &g, &lo, &hi), -EINVAL);
	const double bad[] = { 1.0, 0.0 };
	assert_int_equal(cmp_geomean(bad, 2, 2000, 7, &g, &lo, &hi), -EINVAL);
}

static void test_verdicts(void **state)
{
	(void)state;
	assert_int_equal(cmp_verdict_of(0.99, 1.01, 0.05), CMP_WITHIN_NOISE);
	assert_int_equal(cmp_verdict_of(1.01, 1.03, 0.05), CMP_SMALL);
	assert_int_equal(cmp_verdict_of(1.04, 1.10, 0.05), CMP_SMALL);
	assert_int_equal(cmp_verdict_of(1.06, 1.10, 0.05), CMP_SIGNIFICANT);
	assert_int_equal(cmp_verdict_of(0.90, 0.94, 0.05), CMP_SIGNIFICANT);
	assert_int_equal(cmp_verdict_of(0.90, 0.96, 0.05), CMP_SMALL);
	assert_int_equal(cmp_verdict_of(1.01, 1.03, 0), CMP_SIGNIFICANT);
	assert_int_equal(cmp_verdict_of(0.97, 0.99, 0), CMP_SIGNIFICANT);
	assert_int_equal(cmp_verdict_of(NAN, NAN, 0.05), CMP_NO_CI);
}

static void test_records(void **state)
{
	(void)state;
	json_t *a, *b;
	make_sets(&a, &b);
	json_t *ra = json_object_get(a, "records"), *rb = json_object_get(b, "records");
	struct cmp_opts o = { .iters = 1000, .seed = 5 };
	struct cmp_ratio r;

	assert_int_equal(cmp_records(json_array_get(ra, 0), json_array_get(rb, 0), &o, &r), 0);
	assert_int_equal(r.method, CMP_BOOTSTRAP);
	assert_true(fabs(r.ratio - 2.0) < 0.03);
	assert_true(r.lo <= r.ratio && r.ratio <= r.hi);
	assert_true(r.significant);

	assert_int_equal(cmp_records(json_array_get(ra, 1), json_array_get(rb, 1), &o, &r), 0);
	assert_int_equal(r.method, CMP_BOOTSTRAP);
	assert_true(fabs(r.ratio - 1.0) < 0.005);
	assert_true(r.lo < 1.0 && r.hi > 1.0);
	assert_false(r.significant);

	assert_int_equal(cmp_records(json_array_get(ra, 2), json_array_get(rb, 2), &o, &r), 0);
	assert_int_equal(r.method, CMP_RECORD_CI);
	assert_true(fabs(r.ratio - 3.0) < 0.1);
	assert_true(r.significant);

	/* B = 1.02 x A, tight noise: the CI excludes 1 but lies inside the 5%
	 * band: "small", not significant; with threshold 0 (the plain rule)
	 * significant; with a 1% band significant too. */
	o.threshold = CMP_DEFAULT_THRESHOLD;
	assert_int_equal(cmp_records(json_array_get(ra, 3), json_array_get(rb, 3), &o, &r), 0);
	assert_int_equal(r.method, CMP_BOOTSTRAP);
	assert_true(fabs(r.ratio - 1.02) < 0.002);
	assert_true(r.lo > 1.0 && r.hi < 1.05);
	assert_int_equal(r.verdict, CMP_SMALL);
	assert_false(r.significant);
	o.threshold = 0;
	assert_int_equal(cmp_records(json_array_get(ra, 3), json_array_get(rb, 3), &o, &r), 0);
	assert_int_equal(r.verdict, CMP_SIGNIFICANT);
	assert_true(r.significant);
	o.threshold = 0.01;
	assert_int_equal(cmp_records(json_array_get(ra, 3), json_array_get(rb, 3), &o, &r), 0);
	assert_true(r.significant);
	/* B = 2 x A stays significant at the default threshold. */
	o.threshold = CMP_DEFAULT_THRESHOLD;
	assert_int_equal(cmp_records(json_array_get(ra, 0), json_array_get(rb, 0), &o, &r), 0);
	assert_int_equal(r.verdict, CMP_SIGNIFICANT);
	/* Same data within noise at any threshold. */
	assert_int_equal(cmp_records(json_array_get(ra, 1), json_array_get(rb, 1), &o, &r), 0);
	assert_int_equal(r.verdict, CMP_WITHIN_NOISE);
	json_decref(a);
	json_decref(b);
}

/* A set whose context records the conditions compare checks. */
static json_t *cond_set(const char *bench, const char *kernel, const char *method, double tpn)
{
	return json_pack("{s:s, s:s, s:{s:{s:s, s:{s:s}, s:{s:s}}, s:s, s:{s:s, s:f}}, s:[]}",
			 "schema", SCHEMA_VERSION, "bench", bench, "context", "host", "host_id",
			 "h1", "cpu", "model_name", "AMD EPYC", "kernel", "release", kernel,
			 "git_rev", "abc123", "timer", "method", method, "ticks_per_ns", tpn,
			 "records");
}

/* compare's guard: identical conditions give no difference; each changed
 * field, and ticks per ns beyond 0.1% (not within it), is named. */
static void test_conditions(void **state)
{
	(void)state;
	static const struct {
		const char *kernel, *method;
		double tpn;
		size_t want;
		const char *names;
	} cases[] = {
		{ "6.1", "calibrated", 2.4454, 0, "" },
		{ "6.1", "calibrated", 2.4454 * 1.0009, 0, "" },
		{ "6.1", "calibrated", 2.4454 * 1.0011, 1, "ticks per ns of lookup 0.11% apart" },
		{ "6.18", "calibrated", 2.4454, 1, "kernel (A 6.1, B 6.18)" },
		{ "6.1", "perf-mmap", 2.4454, 1, "timer method (A calibrated, B perf-mmap)" },
		{ "6.18", "perf-mmap", 2.596, 3, "kernel (A 6.1, B 6.18); timer method" },
	};
	json_t *sa = json_pack("[o]", cond_set("lookup", "6.1", "calibrated", 2.4454));
	struct cmp_input a = { .path = "A", .sets = sa };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *sb = json_pack("[o]", cond_set("lookup", cases[i].kernel, cases[i].method,
						       cases[i].tpn));
		struct cmp_input b = { .path = "B", .sets = sb };
		char msg[512];
		size_t n = cmp_conditions(&a, &b, msg, sizeof(msg));
		if (n != cases[i].want || !strstr(msg, cases[i].names))
			fail_msg("case %zu: %zu differences '%s', want %zu naming '%s'", i, n, msg,
				 cases[i].want, cases[i].names);
		json_decref(sb);
	}
	/* A field one side does not record counts as a difference. */
	json_t *sb = json_pack("[o]", set_new("lookup"));
	struct cmp_input b = { .path = "B", .sets = sb };
	char msg[512];
	assert_true(cmp_conditions(&a, &b, msg, sizeof(msg)) >= 5);
	assert_non_null(strstr(msg, "host id (A h1, B not recorded)"));
	/* Fields neither side records are no difference, named once. */
	struct cmp_input c = { .path = "C", .sets = sb };
	assert_int_equal(cmp_conditions(&b, &c, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "not recorded in either: host id, CPU model, kernel, pfbench "
				 "revision, timer method, ticks per ns");
	json_t *sd = json_pack("[o]", cond_set("lookup", "6.1", "calibrated", 2.4454));
	json_object_del(json_object_get(json_object_get(json_array_get(sd, 0), "context"), "host"),
			"host_id");
	json_t *se = json_pack("[o]", cond_set("lookup", "6.18", "calibrated", 2.4454));
	json_object_del(json_object_get(json_object_get(json_array_get(se, 0), "context"), "host"),
			"host_id");
	struct cmp_input d = { .path = "D", .sets = sd }, e = { .path = "E", .sets = se };
	assert_int_equal(cmp_conditions(&d, &e, msg, sizeof(msg)), 1);
	assert_string_equal(msg, "kernel (A 6.1, B 6.18); not recorded in either: host id");
	assert_null(strstr(msg, "A not recorded"));
	json_decref(sd);
	json_decref(se);
	json_decref(sb);
	json_decref(sa);
}

/* Runs `$PFBENCH compare ARGS...`; returns the exit status, output in *out. */
static int run_compare(char **out, const char *a1, const char *a2, const char *a3,
		       const char *a4)
{
	const char *pf = getenv("PFBENCH");
	if (!pf)
		pf = "build/pfbench";
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "%s compare %s %s %s %s 2>&1", pf, a1, a2 ? a2 : "",
		 a3 ? a3 : "", a4 ? a4 : "");
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	*out = buf;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The table row whose key cells are "| k1 | k2 |". */
static const char *row(const char *text, const char *prefix)
{
	const char *p = strstr(text, prefix);
	assert_non_null(p);
	return p;
}

/* Does needle occur in the line that starts at line? */
static bool in_line(const char *line, const char *needle)
{
	const char *end = strchr(line, '\n');
	const char *p = strstr(line, needle);
	return p && (!end || p < end);
}

static void test_cli(void **state)
{
	(void)state;
	char dir[] = "/tmp/pfbench-test-compare-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char da[4200], db[4200], fa[4300], fb[4300];
	snprintf(da, sizeof(da), "%s/a", dir);
	snprintf(db, sizeof(db), "%s/b", dir);
	assert_int_equal(mkdir(da, 0755), 0);
	assert_int_equal(mkdir(db, 0755), 0);
	json_t *a, *b;
	make_sets(&a, &b);
	snprintf(fa, sizeof(fa), "%s/lookup.json", da);
	snprintf(fb, sizeof(fb), "%s/lookup.json", db);
	assert_int_equal(json_dump_file(a, fa, 0), 0);
	assert_int_equal(json_dump_file(b, fb, 0), 0);
	/* metadata.json is not a result set and must be passed over. */
	snprintf(fa, sizeof(fa), "%s/metadata.json", da);
	FILE *f = fopen(fa, "w");
	fputs("{\"schema\": \"pfbench-suite/1\", \"started_utc\": \"2023-05-06T07:08:09Z\"}\n", f);
	fclose(f);

	char *out;
	assert_int_equal(run_compare(&out, da, db, NULL, NULL), 0);
	const char *r = row(out, "| linear | 8 |");
	assert_true(in_line(r, "| 2.0") || in_line(r, "| 1.99"));
	assert_true(in_line(r, "significant"));
	assert_true(in_line(r, "bootstrap"));
	r = row(out, "| bsearch | 64 |");
	assert_true(in_line(r, "| 1.00") || in_line(r, "| 0.99"));
	assert_true(in_line(r, "within noise"));
	r = row(out, "| hash | 8 |");
	assert_true(in_line(r, "record CIs †"));
	assert_true(in_line(r, "significant"));
	assert_non_null(strstr(out, "No raw samples"));
	assert_non_null(strstr(out, "Only in A: design=linear, nevents=300"));
	assert_non_null(strstr(out, "1 more records match by key but have no median"));
	assert_null(strstr(out, "| none | 0 |"));
	/* 1.02 x A: small at the default 5% threshold; the summary counts. */
	r = row(out, "| scaled | 16 |");
	assert_true(in_line(r, "| small |"));
	assert_non_null(strstr(out, "**Summary**: 2 significant (0 B faster, 2 B slower), 1 small, "
				    "1 within noise"));
	/* A's date is the run's start from metadata.json, not a set's. */
	assert_non_null(strstr(out, "run started 2023-05-06T07:08:09Z"));
	free(out);
	assert_int_equal(run_compare(&out, "--threshold 0", da, db, NULL), 0);
	r = row(out, "| scaled | 16 |");
	assert_true(in_line(r, "| significant |"));
	assert_non_null(strstr(out, "**Summary**: 3 significant"));
	free(out);
	assert_int_equal(run_compare(&out, "--threshold -1", da, db, NULL), 2);
	free(out);

	/* The one line, and the same as JSON for scripts: the geometric mean
	 * of the four timed ratios (about 2, 1, 3 and 1.02) with its CI, and
	 * the counts. */
	assert_int_equal(run_compare(&out, da, db, NULL, NULL), 0);
	assert_non_null(strstr(out, "**B/A geometric mean 1.5"));
	assert_non_null(strstr(out, "over 4 matched timed cells: 0 faster, 2 slower, 1 within "
				    "noise, 1 small**"));
	free(out);
	assert_int_equal(run_compare(&out, "--format json", da, db, NULL), 0);
	json_error_t je;
	/* stdout is the JSON; run_compare also captures stderr, where the
	 * header's warning about differing conditions goes first. */
	const char *js = out[0] == '{' ? out : strstr(out, "\n{");
	assert_non_null(js);
	json_t *j = json_loads(js, 0, &je);
	if (!j)
		fail_msg("compare --format json: line %d: %s", je.line, je.text);
	json_t *gm = json_object_get(j, "geomean"), *cn = json_object_get(j, "counts");
	double g = json_real_value(json_object_get(gm, "ratio"));
	assert_true(g > 1.5 && g < 1.65);
	assert_true(json_real_value(json_object_get(gm, "ci95_low")) <= g);
	assert_true(json_real_value(json_object_get(gm, "ci95_high")) >= g);
	assert_int_equal(json_integer_value(json_object_get(gm, "cells")), 4);
	assert_int_equal(json_integer_value(json_object_get(cn, "slower")), 2);
	assert_int_equal(json_integer_value(json_object_get(cn, "faster")), 0);
	assert_int_equal(json_integer_value(json_object_get(cn, "small")), 1);
	assert_int_equal(json_integer_value(json_object_get(cn, "within_noise")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "rows")), 4);
	assert_non_null(json_string_value(json_object_get(json_object_get(j, "rule"), "cell_ci")));
	json_decref(j);
	free(out);
	assert_int_equal(run_compare(&out, "--format csv", da, db, NULL), 0);
	const char *csv = strstr(out, "bench,measured,");
	assert_non_null(csv);
	assert_int_equal(strncmp(csv, "bench,measured,a_median_ns,a_n,b_median_ns,b_n,ratio,", 53), 0);
	assert_true(in_line(csv, ",verdict,a_runs,b_runs,df,control_group\n"));
	size_t lines = 0;
	for (const char *c = csv; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 5);
	free(out);
	assert_int_equal(run_compare(&out, "--format xml", da, db, NULL), 2);
	free(out);

	/* --ignore design: rows of A (linear 8, hash 8) each match two rows of
	 * B; an error naming design, never a guess. */
	assert_int_equal(run_compare(&out, "--ignore design", da, db, NULL), 2);
	assert_non_null(strstr(out, "matches 2 rows of B, which differ in design"));
	assert_non_null(strstr(out, "--pair"));
	free(out);
	/* The same set twice with design ignored: the same error. */
	assert_int_equal(run_compare(&out, "--ignore design", da, da, NULL), 2);
	assert_non_null(strstr(out, "differ in design"));
	free(out);

	/* --pair within one set: hash against linear at nevents 8 (hash's
	 * medians are half of linear's), matched on nevents alone. */
	assert_int_equal(run_compare(&out, "--pair design=linear,hash", da, NULL, NULL), 0);
	assert_non_null(strstr(out, "A is design=linear, B is design=hash"));
	assert_non_null(strstr(out, "| A: linear median ns (n) | B: hash median ns (n) |"));
	r = row(out, "| 8 |");
	assert_true(in_line(r, "| 0.5") || in_line(r, "| 0.49"));
	assert_true(in_line(r, "significant"));
	assert_non_null(strstr(out, "Only in A (design=linear): nevents=300"));
	free(out);
	/* --pair across two sets: A's linear against B's linear. */
	assert_int_equal(run_compare(&out, "--pair design=linear,linear", da, db, NULL), 0);
	r = row(out, "| 8 |");
	assert_true(in_line(r, "| 2.0") || in_line(r, "| 1.99"));
	free(out);
	/* Bad --pair: no such value (exit 2, values listed), malformed, one set
	 * with equal values. */
	assert_int_equal(run_compare(&out, "--pair design=linear,nosuch", da, NULL, NULL), 2);
	free(out);
	assert_int_equal(run_compare(&out, "--pair design=linear", da, NULL, NULL), 2);
	assert_non_null(strstr(out, "COL=VA,VB"));
	free(out);
	assert_int_equal(run_compare(&out, "--pair design=hash,hash", da, NULL, NULL), 2);
	free(out);
	/* Without --pair, one set is a usage error. */
	assert_int_equal(run_compare(&out, da, NULL, NULL, NULL), 2);
	free(out);

	/* Files work as well as directories; -o writes atomically. */
	char o[4300];
	snprintf(o, sizeof(o), "-o %s/cmp.md", dir);
	snprintf(fa, sizeof(fa), "%s/lookup.json", da);
	assert_int_equal(run_compare(&out, fa, fb, o, NULL), 0);
	free(out);
	snprintf(o, sizeof(o), "%s/cmp.md", dir);
	struct stat st;
	assert_int_equal(stat(o, &st), 0);
	assert_true(st.st_size > 100);

	/* Bad input: exit 2 with the file named. */
	assert_int_equal(run_compare(&out, da, "/nonexistent-pfbench", NULL, NULL), 2);
	assert_non_null(strstr(out, "/nonexistent-pfbench"));
	free(out);
	snprintf(fa, sizeof(fa), "%s/bad.json", dir);
	f = fopen(fa, "w");
	fputs("{\"schema\": \"pfbench-result/1\", \"bench\": \n", f);
	fclose(f);
	assert_int_equal(run_compare(&out, fa, fb, NULL, NULL), 2);
	assert_non_null(strstr(out, "bad.json"));
	free(out);

	/* --ignore with a one-to-one match: the ignored column is shown. */
	json_t *c = set_new("lookup"), *d = set_new("lookup");
	json_array_append(json_object_get(c, "records"),
			  json_array_get(json_object_get(a, "records"), 0));
	json_array_append(json_object_get(d, "records"),
			  json_array_get(json_object_get(b, "records"), 2));
	snprintf(fa, sizeof(fa), "%s/c.json", dir);
	snprintf(fb, sizeof(fb), "%s/d.json", dir);
	assert_int_equal(json_dump_file(c, fa, 0), 0);
	assert_int_equal(json_dump_file(d, fb, 0), 0);
	assert_int_equal(run_compare(&out, "--ignore design", fa, fb, NULL), 0);
	assert_non_null(strstr(out, "| design (A → B) |"));
	assert_non_null(strstr(out, "| linear → hash |"));
	free(out);
	json_decref(c);
	json_decref(d);

	json_decref(a);
	json_decref(b);
	char rm[4200];
	snprintf(rm, sizeof(rm), "rm -rf %s", dir);
	assert_int_equal(system(rm), 0);
}

/* Emulated (QEMU TCG) results against hardware ones: refused with exit 2
 * naming both sides, unless --allow-emulated; two runs under the same
 * emulator compare as usual. The label is read from a record, a set's
 * context or metadata.json. */
static void test_cli_emulated(void **state)
{
	(void)state;
	char dir[] = "/tmp/pfbench-test-compare-emu-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char da[4200], db[4200], dc[4200], f[4300];
	snprintf(da, sizeof(da), "%s/hw", dir);
	snprintf(db, sizeof(db), "%s/emu", dir);
	snprintf(dc, sizeof(dc), "%s/emu2", dir);
	assert_int_equal(mkdir(da, 0755), 0);
	assert_int_equal(mkdir(db, 0755), 0);
	assert_int_equal(mkdir(dc, 0755), 0);
	json_t *a, *b;
	make_sets(&a, &b);
	snprintf(f, sizeof(f), "%s/lookup.json", da);
	assert_int_equal(json_dump_file(a, f, 0), 0);
	/* B: every record labelled, as out_set_add does under an emulator. */
	size_t i;
	json_t *rec;
	json_array_foreach(json_object_get(b, "records"), i, rec)
		json_object_set_new(rec, "emulated", json_string("qemu-tcg-icount"));
	snprintf(f, sizeof(f), "%s/lookup.json", db);
	assert_int_equal(json_dump_file(b, f, 0), 0);
	/* C: the same numbers, labelled in the context only. */
	json_array_foreach(json_object_get(b, "records"), i, rec)
		json_object_del(rec, "emulated");
	json_object_set_new(json_object_get(b, "context"), "emulated", json_string("qemu-tcg-icount"));
	snprintf(f, sizeof(f), "%s/lookup.json", dc);
	assert_int_equal(json_dump_file(b, f, 0), 0);

	char *out;
	assert_int_equal(run_compare(&out, da, db, NULL, NULL), 2);
	assert_non_null(strstr(out, "is hardware"));
	assert_non_null(strstr(out, "is emulated: qemu-tcg-icount"));
	assert_non_null(strstr(out, "--allow-emulated"));
	free(out);
	assert_int_equal(run_compare(&out, dc, da, NULL, NULL), 2);
	free(out);
	assert_int_equal(run_compare(&out, "--allow-emulated", da, db, NULL), 0);
	assert_non_null(strstr(out, "**Summary**"));
	free(out);
	assert_int_equal(run_compare(&out, db, dc, NULL, NULL), 0);
	free(out);
	json_decref(a);
	json_decref(b);
	char cmd[4300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A set whose measure is not called median_ns: declared with role
 * measure and unit ns ("latency", no statistics tagged), or as a
 * statistics block whose fields are named otherwise (lat_med, lat_lo ...,
 * tagged "statistic"). A field named median_ns that is declared an
 * outcome is a decoy: a reader guessing by name would compare it. */
static json_t *declared_set(bool tagged, double scale)
{
	json_t *set = set_new("probe");
	json_t *cols = json_pack("[{s:s, s:s, s:s, s:n}, {s:s, s:s, s:s, s:n},"
				 " {s:s, s:s, s:s, s:s}]",
				 "name", "design", "role", "key", "type", "string", "unit",
				 "name", "nevents", "role", "key", "type", "integer", "unit",
				 "name", "median_ns", "role", "outcome", "type", "real", "unit", "count");
	if (!tagged)
		json_array_append_new(cols, json_pack("{s:s, s:s, s:s, s:s}", "name", "latency", "role",
						      "measure", "type", "real", "unit", "ns"));
	static const char *const stat[][2] = { { "lat_med", "median" }, { "lat_lo", "ci95_low" },
					       { "lat_hi", "ci95_high" }, { "lat_n", "n" },
					       { "lat_raw", "samples" } };
	for (size_t i = 0; tagged && i < sizeof(stat) / sizeof(stat[0]); i++)
		json_array_append_new(cols, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name",
						      stat[i][0], "role", "measure", "type",
						      i == 4 ? "array" : i == 3 ? "integer" : "real",
						      "unit", i == 3 ? "count" : "ns", "statistic",
						      stat[i][1], "block", "lat_"));
	json_object_set_new(set, "columns", cols);
	double s[N];
	rng_state = 7;
	for (int i = 0; i < N; i++)
		s[i] = scale * normal(100, 2);
	json_t *raw = json_array();
	for (int i = 0; i < N; i++)
		json_array_append_new(raw, json_real(s[i]));
	json_t *r = json_pack("{s:s, s:i, s:f}", "design", "x", "nevents", 8, "median_ns", 5.0);
	if (tagged)
		json_object_update_new(r, json_pack("{s:f, s:f, s:f, s:i, s:o}", "lat_med", 100 * scale,
						    "lat_lo", 99 * scale, "lat_hi", 101 * scale,
						    "lat_n", N, "lat_raw", raw));
	else {
		json_object_set_new(r, "latency", json_real(100 * scale));
		json_decref(raw);
	}
	json_array_append_new(json_object_get(set, "records"), r);
	return set;
}

static void test_declared_measure(void **state)
{
	(void)state;
	/* rset_measure finds the statistics by their declared tags */
	json_t *t = declared_set(true, 1), *u = declared_set(false, 1);
	struct rset_measure m;
	assert_true(rset_measure(t, NULL, &m));
	assert_string_equal(m.median, "lat_med");
	assert_string_equal(m.ci_low, "lat_lo");
	assert_string_equal(m.ci_high, "lat_hi");
	assert_string_equal(m.n, "lat_n");
	assert_string_equal(m.samples, "lat_raw");
	assert_string_equal(m.unit, "ns");
	assert_true(rset_measure(u, NULL, &m));
	assert_string_equal(m.median, "latency");
	assert_null(m.ci_low);
	assert_null(m.samples);
	json_decref(t);
	json_decref(u);
	/* a benchmark's declared block "" (an old set's compat columns: the
	 * fields its records hold) */
	json_t *old = set_new("lookup");
	json_array_append_new(json_object_get(old, "records"),
			      json_pack("{s:s, s:f, s:f, s:f, s:i, s:[f]}", "design", "x", "median_ns",
					1.0, "evict_median_ns", 2.0, "ci95_high_ns", 1.1, "samples", 1,
					"samples_ns", 1.0));
	json_object_set_new(old, "columns", rset_compat_columns(old));
	assert_true(rset_measure(old, NULL, &m));
	assert_string_equal(m.median, "median_ns");
	assert_string_equal(m.ci_high, "ci95_high_ns");
	assert_string_equal(m.samples, "samples_ns");
	assert_string_equal(m.n, "samples");
	json_t *meds = rset_medians(old, json_object_get(old, "records"));
	assert_int_equal(json_array_size(meds), 2);
	assert_string_equal(json_string_value(json_array_get(meds, 1)), "evict_median_ns");
	json_decref(meds);
	json_decref(old);
	/* no measure declared: none found, and no field is guessed by its name */
	json_t *none = set_new("probe");
	json_object_set_new(none, "columns",
			    json_pack("[{s:s, s:s, s:s, s:s}]", "name", "median_ns", "role", "outcome",
				      "type", "real", "unit", "count"));
	assert_false(rset_measure(none, NULL, &m));
	json_decref(none);

	/* pfbench compare B = 2 x A on both shapes */
	char dir[] = "/tmp/pfbench-test-compare-XXXXXX";
	assert_non_null(mkdtemp(dir));
	for (int tagged = 0; tagged <= 1; tagged++) {
		char da[64], db[64], f[96], *out;
		snprintf(da, sizeof(da), "%s/a%d", dir, tagged);
		snprintf(db, sizeof(db), "%s/b%d", dir, tagged);
		assert_int_equal(mkdir(da, 0755), 0);
		assert_int_equal(mkdir(db, 0755), 0);
		json_t *a = declared_set(tagged, 1), *b = declared_set(tagged, 2);
		snprintf(f, sizeof(f), "%s/probe.json", da);
		assert_int_equal(json_dump_file(a, f, 0), 0);
		snprintf(f, sizeof(f), "%s/probe.json", db);
		assert_int_equal(json_dump_file(b, f, 0), 0);
		json_decref(a);
		json_decref(b);
		assert_int_equal(run_compare(&out, "--all", da, db, NULL), 0);
		/* one row (its keys named above the table): A's median 100, B's 200 */
		const char *r = row(out, "| 100 (");
		if (!in_line(r, "| 200 (") || !in_line(r, "| 2.000 |"))
			fail_msg("tagged %d: %.400s", tagged, r);
		assert_true(in_line(r, tagged ? "bootstrap" : "none ‡"));
		if (tagged)
			assert_true(in_line(r, "significant"));
		assert_non_null(strstr(out, "A median ns (n)"));
		free(out);
	}
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A lookup set: floor-l1 and bitmap in both modes at sizes 1, 16, 64,
 * each a record of N samples around base; B's floor-l1 throughput and
 * bitmap throughput scaled by thr (the machine moved in that mode only). */
static json_t *control_set(double thr)
{
	static const char *const designs[] = { "floor-l1", "bitmap" };
	static const char *const modes[] = { "latency", "throughput" };
	static const int sizes[] = { 1, 16, 64 };
	json_t *set = set_new("lookup");
	double s[N];
	rng_state = 11;
	for (int d = 0; d < 2; d++)
		for (int m = 0; m < 2; m++)
			for (int z = 0; z < 3; z++) {
				double base = (d + 1) * (m ? 0.5 : 2.0) * (1 + z / 10.0);
				for (int i = 0; i < N; i++)
					s[i] = (m ? thr : 1.0) * normal(base, base / 200);
				json_t *r = record(designs[d], 0, s, N, 1);
				json_object_del(r, "nevents");
				json_object_set_new(r, "mode", json_string(modes[m]));
				json_object_set_new(r, "size", json_integer(sizes[z]));
				json_array_append_new(json_object_get(set, "records"), r);
			}
	return set;
}

/* The control rows (lookup's floor-l1, per mode): their movement is in
 * the header, and a warning when it is beyond the threshold; --pair over
 * the control's column has no control. */
static void test_control(void **state)
{
	(void)state;
	char dir[] = "/tmp/pfbench-test-compare-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char da[64], db[64], dc[64], f[96], *out;
	snprintf(da, sizeof(da), "%s/a", dir);
	snprintf(db, sizeof(db), "%s/b", dir);
	snprintf(dc, sizeof(dc), "%s/c", dir);
	const char *dirs[] = { da, db, dc };
	const double thr[] = { 1.0, 1.10, 1.0 };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(mkdir(dirs[i], 0755), 0);
		json_t *set = control_set(thr[i]);
		snprintf(f, sizeof(f), "%s/lookup.json", dirs[i]);
		assert_int_equal(json_dump_file(set, f, 0), 0);
		json_decref(set);
	}
	/* B's throughput 10% slower, floor included: the warning names it,
	 * not latency, on stdout and stderr */
	assert_int_equal(run_compare(&out, da, db, NULL, NULL), 0);
	assert_non_null(strstr(out, "**Control rows** (`design` = `floor-l1`"));
	const char *w = strstr(out, "**Warning: the control moved beyond ±5%** — lookup throughput: ×1.1");
	if (!w)
		fail_msg("%.2000s", out);
	assert_false(in_line(w, "latency"));
	assert_non_null(strstr(out, "the control rows moved between A and B (lookup throughput"));
	free(out);
	assert_int_equal(run_compare(&out, "--format json", da, db, NULL), 0);
	json_error_t je;
	json_t *j = json_loads(strchr(out, '{'), JSON_DISABLE_EOF_CHECK, &je);
	assert_non_null(j);
	json_t *ctl = json_object_get(j, "control");
	assert_int_equal(json_array_size(ctl), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *g = json_array_get(ctl, i);
		bool thru = !strcmp(json_string_value(json_object_get(g, "group")), "throughput");
		assert_int_equal(json_integer_value(json_object_get(g, "cells")), 3);
		assert_string_equal(json_string_value(json_object_get(g, "verdict")),
				    thru ? "significant" : "within noise");
		double r = json_real_value(json_object_get(g, "ratio"));
		assert_true(thru ? r > 1.08 && r < 1.12 : fabs(r - 1) < 0.01);
	}
	json_decref(j);
	free(out);
	/* the same machine speed: said, and no warning */
	assert_int_equal(run_compare(&out, da, dc, NULL, NULL), 0);
	assert_non_null(strstr(out, "the machine ran the same code at the same speed within ±5%"));
	assert_null(strstr(out, "control rows moved"));
	assert_null(strstr(out, "**Warning: the control"));
	free(out);
	/* --pair over design compares the floor with a design: no control */
	assert_int_equal(run_compare(&out, "--pair design=floor-l1,bitmap", da, NULL, NULL), 0);
	assert_null(strstr(out, "Control rows"));
	free(out);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bootstrap_shift),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_geomean),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_cli_emulated),
		cmocka_unit_test(test_declared_measure),
		cmocka_unit_test(test_control),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
