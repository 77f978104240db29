/* report-repeats.c — the run-to-run spread of a suite run with -r N: the
 * first run's result sets are in DIR, runs 2..N in DIR/repeats/<k>/. For
 * every timed record of DIR's sets, the records of the other runs with
 * the same key columns give N medians; their coefficient of variation
 * (sample standard deviation / mean, the figure `perf stat -r` prints as
 * "+- x%") is the run-to-run spread, next to the record's own 95% CI of
 * the median (within one run). Written to DIR/repeats.json and read by
 * the summary and the tables (report-md.h: rmd_run_*). */
#include "report-md.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out-text.h"
#include "rset.h"

static const json_t *repeats;

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

json_t *report_repeats(const char *dir, const json_t *sets)
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
		json_t *per = json_object();
		size_t j;
		json_t *r;
		json_array_foreach(json_object_get(set, "records"), j, r) {
			if (!json_is_number(json_object_get(r, "median_ns")))
				continue;
			char *id = key_id(set, r);
			if (!id)
				continue;
			json_t *med = json_array();
			json_array_append_new(med, json_real(rset_num(r, "median_ns")));
			size_t k;
			json_t *run;
			json_array_foreach(runs, k, run) {
				const json_t *other = rset_find(run, bench);
				size_t m;
				json_t *o;
				json_array_foreach(json_object_get(other, "records"), m, o) {
					char *oid = key_id(other, o);
					bool same = oid && !strcmp(oid, id);
					free(oid);
					if (same && json_is_number(json_object_get(o, "median_ns"))) {
						json_array_append_new(med, json_real(rset_num(o, "median_ns")));
						break;
					}
				}
			}
			size_t n = json_array_size(med);
			double sum = 0, ss = 0;
			json_array_foreach(med, k, run) sum += json_real_value(run);
			double mean = sum / (double)n;
			json_array_foreach(med, k, run) ss += pow(json_real_value(run) - mean, 2);
			json_t *e = json_pack("{s:o, s:I}", "run_medians_ns", med, "runs", (json_int_t)n);
			if (n > 1 && mean > 0)
				json_object_set_new(e, "run_cv", json_real(sqrt(ss / (double)(n - 1)) / mean));
			json_object_set_new(per, id, e);
			free(id);
		}
		json_object_set_new(json_object_get(out, "sets"), bench, per);
	}
	json_decref(runs);
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/repeats.json", dir);
	char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	int e = text ? out_write_text(path, text, strlen(text)) : -ENOMEM;
	free(text);
	if (e)
		fprintf(stderr, "pfbench: warning: %s: %s\n", path, strerror(-e));
	return out;
}

void rmd_set_repeats(const json_t *rep)
{
	repeats = rep;
}

double rmd_run_cv(const json_t *set, const json_t *rec, size_t *runs)
{
	*runs = 0;
	if (!repeats || !set || !rec)
		return NAN;
	char *id = key_id(set, rec);
	const json_t *e = json_object_get(json_object_get(json_object_get(repeats, "sets"),
							  json_string_value(json_object_get(set, "bench"))),
					  id ? id : "");
	free(id);
	*runs = (size_t)json_integer_value(json_object_get(e, "runs"));
	return rset_num(e, "run_cv");
}

const char *rmd_fmt_run(const json_t *set, const json_t *rec, char *buf, size_t len)
{
	size_t runs;
	double cv = rmd_run_cv(set, rec, &runs);
	if (isnan(cv))
		buf[0] = '\0';
	else
		snprintf(buf, len, ", ±%.2g%% run to run (%zu runs)", 100 * cv, runs);
	return buf;
}
