/* bench-repeat.c — see bench-repeat.h. */
#include "bench-repeat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repeat.h"
#include "report-md.h"
#include "rset.h"
#include "util.h"

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* "design=k6.3-masked size=300 ..." from r's key columns. */
static void key_text(const json_t *set, const json_t *r, char *buf, size_t len)
{
	size_t i, k = 0;
	json_t *c;
	buf[0] = '\0';
	json_array_foreach(json_object_get(set, "columns"), i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		const json_t *v = name ? json_object_get(r, name) : NULL;
		if (!v || json_is_null(v) || strcmp(json_string_value(json_object_get(c, "role")) ?: "", "key"))
			continue;
		char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (t && k < len)
			k += (size_t)snprintf(buf + k, len - k, "%s%s=%s", k ? " " : "", name,
					      json_is_string(v) ? json_string_value(v) : t);
		free(t);
	}
}

/* The console lines: the spread over the timed records beside the
 * within-run CI, and the record that varied most. */
static void summary(const char *cmd, const json_t *set, size_t runs)
{
	const json_t *recs = json_object_get(set, "records"), *worst = NULL;
	size_t n = json_array_size(recs), ncv = 0, nci = 0, i;
	double *cv = calloc(n + 1, sizeof(*cv)), *ci = calloc(n + 1, sizeof(*ci));
	json_t *r;
	if (!cv || !ci)
		die("%s: out of memory", cmd);
	json_array_foreach(recs, i, r) {
		double c = json_number_value(json_object_get(r, "run_cv"));
		double m = rset_median(r), lo, hi;
		rset_ci(r, &lo, &hi);
		if (json_is_number(json_object_get(r, "run_cv"))) {
			if (!worst || c > json_number_value(json_object_get(worst, "run_cv")))
				worst = r;
			cv[ncv++] = c;
		}
		if (!isnan(lo) && !isnan(hi) && m > 0)
			ci[nci++] = (hi - lo) / 2 / m;
	}
	if (!ncv) {
		printf("# %s -r: %zu run(s); no timed record was measured twice, so no run-to-run "
		       "spread\n", cmd, runs);
	} else {
		char key[256];
		qsort(cv, ncv, sizeof(*cv), cmp_dbl);
		qsort(ci, nci, sizeof(*ci), cmp_dbl);
		key_text(set, worst, key, sizeof(key));
		char a[16], b[16], c[16];
		printf("# %s -r %zu: run-to-run spread (CV of the %zu runs' medians, perf stat -r's ±) "
		       "over %zu timed records: median %s, p90 %s, max %s (%s)\n",
		       cmd, runs, runs, ncv, rmd_fmt_cv(cv[ncv / 2], a, sizeof(a)),
		       rmd_fmt_cv(cv[(ncv * 9) / 10], b, sizeof(b)), rmd_fmt_cv(cv[ncv - 1], c, sizeof(c)),
		       key);
		if (nci)
			printf("# %s -r %zu: within one run, the 95%% CI of the median is ±%s "
			       "(median half-width over %zu records)\n",
			       cmd, runs, rmd_fmt_cv(ci[nci / 2], a, sizeof(a)), nci);
	}
	free(cv);
	free(ci);
}

/* Raw samples of runs 2..N are never written: dropped as soon as a run
 * ends so N full runs do not sit in memory. */
static void drop_samples(json_t *set)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(set, "records"), i, r)
		json_object_del(r, "samples_ns");
}

json_t *bench_repeat(const char *cmd, unsigned long long n, json_t *(*run)(void *arg), void *arg)
{
	if (n <= 1)
		return run(arg);
	json_t *sets[BENCH_REPEAT_MAX];
	size_t k = 0;
	while (k < n && k < BENCH_REPEAT_MAX) {
		info("%s: run %zu of %llu (-r %llu)", cmd, k + 1, n, n);
		json_t *s = run(arg);
		if (!s)
			break;
		if (k)
			drop_samples(s);
		sets[k++] = s;
		if (!json_is_true(json_object_get(s, "complete")))
			break;
	}
	if (!k)
		return NULL;
	if (repeat_add_spread(sets[0], sets, k) < 0)
		die("%s: out of memory", cmd);
	json_t *ctx = json_object_get(sets[0], "context");
	if (ctx)
		json_object_set_new(ctx, "repeat",
				    json_pack("{s:I, s:I}", "asked", (json_int_t)n, "runs", (json_int_t)k));
	for (size_t i = 1; i < k; i++)
		json_decref(sets[i]);
	summary(cmd, sets[0], k);
	return sets[0];
}
