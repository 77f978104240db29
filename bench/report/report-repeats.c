/* report-repeats.c — the run-to-run spread in the report. A benchmark
 * run with -r N carries it in its records (runs, run_medians_ns, run_cv:
 * bench/common/repeat.h). A suite run with -r N has the first run's
 * result sets in DIR and runs 2..N in DIR/repeats/<k>/: report_repeats()
 * adds the same fields to DIR's sets in memory through the same
 * repeat_add_spread() (so the report and the tables read them from the
 * records either way) and writes them to DIR/repeats.json. The CV (sample
 * standard deviation / mean of the N medians, `perf stat -r`'s "+- x%")
 * stands next to each record's own 95% CI of the median (within one
 * run). */
#include "report-md.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out-text.h"
#include "repeat.h"
#include "rset.h"

/* A record's identity over its set's key columns, as compact JSON. */
static char *key_id(const json_t *set, const json_t *rec)
{
	json_t *keys = rset_set_keys(set, NULL), *vals = json_array();
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k) {
		json_t *v = json_object_get(rec, json_string_value(k));
		json_array_append(vals, v ? v : json_null());
	}
	char *id = json_dumps(vals, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(vals);
	json_decref(keys);
	return id;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

json_t *report_repeats_add(const char *dir, const json_t *sets)
{
	char rdir[PATH_MAX];
	snprintf(rdir, sizeof(rdir), "%s/repeats", dir);
	DIR *d = opendir(rdir);
	if (!d)
		return NULL;
	char *names[256];
	size_t nrun = 0;
	struct dirent *de;
	while ((de = readdir(d)) && nrun < 256)
		if (de->d_name[0] != '.')
			names[nrun++] = strdup(de->d_name);
	closedir(d);
	qsort(names, nrun, sizeof(*names), cmp_name);
	json_t *runs = json_array(), *dirs = json_array();
	json_array_append_new(dirs, json_string("."));
	for (size_t k = 0; k < nrun; k++) {
		char path[PATH_MAX + 300], err[512];
		json_t *s = NULL;
		snprintf(path, sizeof(path), "%s/%s", rdir, names[k]);
		if (names[k] && !rset_load(path, &s, err, sizeof(err))) {
			json_array_append_new(runs, s);
			json_array_append_new(dirs, json_sprintf("repeats/%s", names[k]));
		}
		free(names[k]);
	}
	json_t *out = json_pack("{s:s, s:I, s:o, s:s, s:{}}", "schema", "pfbench-repeats/1", "runs",
				(json_int_t)json_array_size(dirs), "dirs", dirs, "spread",
				"run_cv: sample standard deviation / mean of the run medians "
				"(perf stat -r's +- figure); beside it each record's ci95 is "
				"within one run", "sets");
	size_t i;
	json_t *set;
	json_array_foreach(sets, i, set) {
		const char *bench = json_string_value(json_object_get(set, "bench"));
		json_t *same[257] = { set }, *per = json_object();
		size_t n = 1, k, j;
		json_t *run, *r;
		json_array_foreach(runs, k, run) {
			json_t *other = (json_t *)rset_find(run, bench);
			if (other && n < 257)
				same[n++] = other;
		}
		repeat_add_spread(set, same, n);
		json_array_foreach(json_object_get(set, "records"), j, r) {
			char *id = json_object_get(r, "runs") ? key_id(set, r) : NULL;
			if (!id)
				continue;
			json_object_set_new(per, id, json_pack("{s:O, s:O, s:O}", "run_medians_ns",
							       json_object_get(r, "run_medians_ns"), "runs",
							       json_object_get(r, "runs"), "run_cv",
							       json_object_get(r, "run_cv")));
			free(id);
		}
		json_object_set_new(json_object_get(out, "sets"), bench, per);
	}
	json_decref(runs);
	return out;
}

json_t *report_repeats(const char *dir, const json_t *sets)
{
	json_t *out = report_repeats_add(dir, sets);
	if (!out)
		return NULL;
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/repeats.json", dir);
	char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	int e = text ? out_write_text(path, text, strlen(text)) : -ENOMEM;
	free(text);
	if (e)
		fprintf(stderr, "pfbench: warning: %s: %s\n", path, strerror(-e));
	return out;
}

double rmd_run_cv(const json_t *set, const json_t *rec, size_t *runs)
{
	(void)set;
	*runs = (size_t)json_integer_value(json_object_get(rec, "runs"));
	return rec ? rset_num(rec, "run_cv") : NAN;
}

const char *rmd_fmt_run(const json_t *set, const json_t *rec, char *buf, size_t len)
{
	size_t runs;
	double cv = rmd_run_cv(set, rec, &runs);
	if (isnan(cv))
		buf[0] = '\0';
	else
		snprintf(buf, len, ", ±%s run to run (%zu runs)", rmd_fmt_cv(cv, (char[16]){ 0 }, 16),
			 runs);
	return buf;
}

const char *rmd_fmt_cv(double cv, char *buf, size_t len)
{
	if (isnan(cv))
		snprintf(buf, len, "-");
	else if (cv < 1e-4)
		snprintf(buf, len, "<0.01%%");
	else
		snprintf(buf, len, cv < 0.1 ? "%.2g%%" : "%.0f%%", 100 * cv);
	return buf;
}
