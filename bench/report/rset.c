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
	if (!schema || strcmp(schema, SCHEMA_VERSION) ||
	    !json_is_string(json_object_get(set, "bench")) ||
	    !json_is_array(json_object_get(set, "records"))) {
		snprintf(err, errlen, "%s: not a pfbench result set (want \"schema\": \"%s\" "
			 "with \"bench\" and \"records\")", path, SCHEMA_VERSION);
		json_decref(set);
		return NULL;
	}
	if (!json_is_array(json_object_get(set, "columns")))
		json_object_set_new(set, "columns", rset_compat_columns(set));
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
	bool yes = schema && !strcmp(schema, SCHEMA_VERSION);
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
			 path, SCHEMA_VERSION);
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

int rset_role(const json_t *set, const char *name)
{
	const json_t *c = schema_column(json_object_get(set, "columns"), name);
	return c ? schema_role_parse(json_string_value(json_object_get(c, "role"))) : -1;
}

const char *rset_unit(const json_t *set, const char *name)
{
	const json_t *c = schema_column(json_object_get(set, "columns"), name);
	return json_string_value(json_object_get(c, "unit"));
}

json_t *rset_role_columns(const json_t *set, unsigned roles, const json_t *ignore)
{
	json_t *out = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(set, "columns"), i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		int role = schema_role_parse(json_string_value(json_object_get(c, "role")));
		if (name && role >= 0 && (roles & (1u << role)) && !rset_in_list(ignore, name))
			json_array_append_new(out, json_string(name));
	}
	return out;
}

json_t *rset_set_keys(const json_t *set, const json_t *ignore)
{
	return rset_role_columns(set, 1u << COL_KEY, ignore);
}

json_t *rset_present_columns(const json_t *set, const json_t *records)
{
	return schema_present_columns(json_object_get(set, "columns"), records, true);
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
