/* rset.c — see rset.h. */
#include "rset.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "out.h"

json_t *rset_load_file(const char *path, char *err, size_t errlen)
{
	json_t *set = out_read_json(path, err, errlen);
	if (!set)
		return NULL;
	const char *schema = json_string_value(json_object_get(set, "schema"));
	if (!schema || strcmp(schema, RSET_SCHEMA) ||
	    !json_is_string(json_object_get(set, "bench")) ||
	    !json_is_array(json_object_get(set, "records"))) {
		snprintf(err, errlen, "%s: not a pfbench result set (want \"schema\": \"%s\" "
			 "with \"bench\" and \"records\")", path, RSET_SCHEMA);
		json_decref(set);
		return NULL;
	}
	return set;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_result_file(const char *path)
{
	json_t *j = json_load_file(path, 0, NULL);
	const char *schema = json_string_value(json_object_get(j, "schema"));
	bool yes = schema && !strcmp(schema, RSET_SCHEMA);
	json_decref(j);
	return yes;
}

static int load_dir(const char *path, json_t *sets, char *err, size_t errlen)
{
	DIR *d = opendir(path);
	if (!d) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			char **nn = realloc(names, cap * sizeof(*names));
			if (!nn) {
				ret = -ENOMEM;
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name))) {
			ret = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!ret && n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !ret; i++) {
		char file[4096];
		snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		if (!is_result_file(file))
			continue;
		json_t *set = rset_load_file(file, err, errlen);
		if (!set) {
			ret = -EINVAL;
			break;
		}
		json_array_append_new(sets, set);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!ret && json_array_size(sets) == 0) {
		snprintf(err, errlen, "%s: no result sets (*.json with \"schema\": \"%s\")",
			 path, RSET_SCHEMA);
		ret = -EINVAL;
	}
	return ret;
}

int rset_load(const char *path, json_t **sets, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	json_t *arr = json_array();
	if (!arr)
		return -ENOMEM;
	int ret = 0;
	if (S_ISDIR(st.st_mode)) {
		ret = load_dir(path, arr, err, errlen);
	} else {
		json_t *set = rset_load_file(path, err, errlen);
		if (set)
			json_array_append_new(arr, set);
		else
			ret = -EINVAL;
	}
	if (ret) {
		json_decref(arr);
		return ret;
	}
	*sets = arr;
	return 0;
}

json_t *rset_find(const json_t *sets, const char *bench)
{
	size_t i;
	json_t *set;
	json_array_foreach(sets, i, set) {
		const char *b = json_string_value(json_object_get(set, "bench"));
		if (b && !strcmp(b, bench))
			return set;
	}
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* A stats field of out_record_stats() with an optional "<prefix>_". */
static bool is_stats_name(const char *name)
{
	static const char *const names[] = { "samples", "cv", "outliers", NULL };
	for (const char *const *p = names; *p; p++) {
		size_t n = strlen(name), m = strlen(*p);
		if (!strcmp(name, *p) || (n > m && ends_with(name, *p) && name[n - m - 1] == '_'))
			return true;
	}
	return false;
}

/* Outcomes a benchmark reports beside its timings: what happened (status,
 * why, verified), counts it observed (KVM stat deltas, exits, faults,
 * vectors, footprints), per-run calibration (repeats, lookups per sample)
 * and derived verdicts. They describe a run, not what was measured, so they
 * never identify a record. */
static bool is_outcome_name(const char *name)
{
	static const char *const exact[] = { "why", "status", "measures", "verified", "repeats",
					     "result", "reason", "emulated", NULL };
	static const char *const suffix[] = { "_why", "_insns", "_calls", "_exits", "_faults",
					      "_vector", "_pct", "_count", "_per_sample", "_bytes",
					      NULL };
	static const char *const prefix[] = { "hist_", "kvm_", "count_", "agree_", NULL };
	for (const char *const *p = exact; *p; p++)
		if (!strcmp(name, *p))
			return true;
	for (const char *const *p = suffix; *p; p++)
		if (ends_with(name, *p))
			return true;
	for (const char *const *p = prefix; *p; p++)
		if (!strncmp(name, *p, strlen(*p)))
			return true;
	return false;
}

bool rset_is_measure(const char *name, const json_t *v)
{
	if (json_is_real(v) || json_is_array(v) || json_is_object(v))
		return true;
	return ends_with(name, "_ns") || ends_with(name, "_cycles") || is_stats_name(name) ||
	       is_outcome_name(name);
}

bool rset_in_list(const json_t *list, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		if (s && !strcmp(s, name))
			return true;
	}
	return false;
}

json_t *rset_columns(const json_t *records,
		     bool (*keep)(const char *name, const json_t *v, const void *arg),
		     const void *arg)
{
	json_t *cols = json_array();
	size_t i;
	json_t *rec;
	json_array_foreach(records, i, rec) {
		const char *name;
		json_t *v;
		json_object_foreach((json_t *)rec, name, v) {
			if (!rset_in_list(cols, name) && keep(name, v, arg))
				json_array_append_new(cols, json_string(name));
		}
	}
	return cols;
}

static bool is_key(const char *name, const json_t *v, const void *ignore)
{
	return !rset_is_measure(name, v) && !rset_in_list(ignore, name);
}

json_t *rset_key_columns(const json_t *records, const json_t *ignore)
{
	return rset_columns(records, is_key, ignore);
}

json_t *rset_set_keys(const json_t *set, const json_t *ignore)
{
	const json_t *declared = json_object_get(set, "key_columns");
	if (!json_is_array(declared))
		return rset_key_columns(json_object_get(set, "records"), ignore);
	json_t *keys = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(declared, i, v) {
		if (json_is_string(v) && !rset_in_list(ignore, json_string_value(v)))
			json_array_append(keys, v);
	}
	return keys;
}

static json_t *get_or_null(const json_t *rec, const char *name)
{
	json_t *v = json_object_get(rec, name);
	return v ? v : json_null();
}

json_t *rset_varying(const json_t *records, const json_t *keys)
{
	json_t *out = json_array();
	size_t k;
	json_t *kv;
	json_array_foreach(keys, k, kv) {
		const char *name = json_string_value(kv);
		json_t *first = get_or_null(json_array_get(records, 0), name);
		size_t i;
		json_t *rec;
		json_array_foreach(records, i, rec) {
			if (!json_equal(first, get_or_null(rec, name))) {
				json_array_append_new(out, json_string(name));
				break;
			}
		}
	}
	return out;
}

const char *rset_fmt_num(double v, char *buf, size_t len)
{
	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	double a = fabs(v);
	if (a >= 100 || v == 0 || (v == floor(v) && a < 1e15))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3g", v);
	return buf;
}

const char *rset_scalar(const json_t *v, char *buf, size_t len)
{
	if (!v || json_is_null(v))
		snprintf(buf, len, "-");
	else if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.6g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	else
		snprintf(buf, len, "(%s)", json_is_array(v) ? "array" : "object");
	return buf;
}

double rset_num(const json_t *rec, const char *name)
{
	json_t *v = json_object_get(rec, name);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

int rset_samples(const json_t *rec, const char *prefix, double **out, size_t *n)
{
	char name[128];
	snprintf(name, sizeof(name), "%ssamples_ns", prefix ? prefix : "");
	json_t *arr = json_object_get(rec, name);
	*out = NULL;
	*n = 0;
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return 0;
	double *s = malloc(json_array_size(arr) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (!json_is_number(v) || !isfinite(json_number_value(v))) {
			free(s);
			return -EINVAL;
		}
		s[i] = json_number_value(v);
	}
	*out = s;
	*n = json_array_size(arr);
	return 0;
}
