/* rset.c — see rset.h. */
#include "rset.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "out.h"

json_t *rset_load_file(const char *path, char *err, size_t errlen)
{
	/* out_read_json: JSON, an object, a pfbench-result/N schema and a
	 * records array, else file:line:column and what was expected */
	json_t *set = out_read_json(path, err, errlen);
	if (!set)
		return NULL;
	const char *schema = json_string_value(json_object_get(set, "schema"));
	if (strcmp(schema, SCHEMA_VERSION))
		snprintf(err, errlen, "%s:1:1: unknown schema version \"%s\" (this pfbench reads "
			 "\"%s\")", path, schema, SCHEMA_VERSION);
	else if (!json_is_string(json_object_get(set, "bench")))
		snprintf(err, errlen, "%s:1:1: expected \"bench\": the benchmark's name", path);
	else {
		if (!json_is_array(json_object_get(set, "columns")))
			json_object_set_new(set, "columns", rset_compat_columns(set));
		else
			rset_compat_tags(set);
		rset_compat_control(set);
		return set;
	}
	json_decref(set);
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is this JSON text meant as a result set? Any "schema" of the
 * pfbench-result family, whatever its version: an unknown version is
 * damage to report, not a file to pass over. */
static bool claims_result(const json_t *j)
{
	const char *schema = json_string_value(json_object_get(j, "schema"));
	return schema && !strncmp(schema, "pfbench-result/", 15);
}

/* One problem with a file of a run directory: the first fails the load
 * (strict, problems NULL), else each is kept in problems. */
static int damage(json_t *problems, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int damage(json_t *problems, char *err, size_t errlen, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (problems) {
		json_array_append_new(problems, json_string(msg));
		return 0;
	}
	snprintf(err, errlen, "%s", msg);
	return -EBADMSG;
}

/* A regular file no larger than the readers accept; FIFOs, devices and
 * directories named *.json are refused before opening (no blocking). */
static const char *not_readable(const char *file, const struct stat *st)
{
	(void)file;
	if (S_ISDIR(st->st_mode))
		return "a directory, not a file";
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_size == 0)
		return "empty file (expected JSON)";
	if (st->st_size > RSET_MAX_BYTES)
		return "larger than " RSET_MAX_TEXT " (not a result file pfbench writes)";
	return NULL;
}

/* One *.json of a run directory: a result set appended to sets, passed
 * over (valid JSON that does not claim the result schema: metadata.json,
 * info.json), or damage. */
static int load_one(const char *file, json_t *sets, json_t *problems, char *err, size_t errlen)
{
	struct stat st;
	if (stat(file, &st) < 0)
		return damage(problems, err, errlen, "%s: %s", file, strerror(errno));
	const char *why = not_readable(file, &st);
	if (why)
		return damage(problems, err, errlen, "%s:1:1: %s", file, why);
	char msg[1024];
	json_error_t je;
	json_t *j = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		/* out_read_json's message: file:line:column and what was expected */
		out_read_json(file, msg, sizeof(msg));
		return damage(problems, err, errlen, "%s (truncated or not JSON)", msg);
	}
	bool claims = claims_result(j);
	json_decref(j);
	if (!claims)
		return 0;
	json_t *set = rset_load_file(file, msg, sizeof(msg));
	if (!set)
		return damage(problems, err, errlen, "%s", msg);
	json_array_append_new(sets, set);
	return 0;
}

static int list_json(const char *path, char ***out, size_t *count, char *err, size_t errlen)
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
	if (ret) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		snprintf(err, errlen, "%s: out of memory", path);
		return ret;
	}
	*out = names;
	*count = n;
	return 0;
}

int rset_load_dir(const char *path, json_t **sets, json_t *problems, char *err, size_t errlen)
{
	char **names = NULL;
	size_t n = 0;
	int ret = list_json(path, &names, &n, err, errlen);
	if (ret)
		return ret;
	json_t *arr = json_array();
	for (size_t i = 0; i < n && !ret; i++) {
		char file[4096];
		snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		ret = load_one(file, arr, problems, err, errlen);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (ret) {
		json_decref(arr);
		return ret;
	}
	*sets = arr;
	return 0;
}

static int load_dir(const char *path, json_t **sets, char *err, size_t errlen)
{
	int ret = rset_load_dir(path, sets, NULL, err, errlen);
	if (!ret && json_array_size(*sets) == 0) {
		snprintf(err, errlen, "%s: no result sets (*.json with \"schema\": \"%s\")",
			 path, SCHEMA_VERSION);
		json_decref(*sets);
		*sets = NULL;
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
	if (S_ISDIR(st.st_mode))
		return load_dir(path, sets, err, errlen);
	const char *why = not_readable(path, &st);
	if (why) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -EINVAL;
	}
	json_t *set = rset_load_file(path, err, errlen);
	if (!set)
		return -EINVAL;
	json_t *arr = json_array();
	json_array_append_new(arr, set);
	*sets = arr;
	return 0;
}

int rset_load_meta(const char *dir, json_t **meta, json_t *problems, char *err, size_t errlen)
{
	char file[4096];
	snprintf(file, sizeof(file), "%s/metadata.json", dir);
	*meta = NULL;
	struct stat st;
	if (lstat(file, &st) < 0) {
		if (errno == ENOENT)
			return 0; /* not a suite run: the sets alone */
		return damage(problems, err, errlen, "%s: %s", file, strerror(errno));
	}
	const char *why = not_readable(file, &st);
	if (why)
		return damage(problems, err, errlen, "%s:1:1: %s", file, why);
	json_error_t je;
	json_t *m = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
	if (!m) {
		char msg[1024];
		out_read_json(file, msg, sizeof(msg));
		return damage(problems, err, errlen, "%s (truncated or not JSON)", msg);
	}
	const char *schema = json_string_value(json_object_get(m, "schema"));
	const char *what = NULL;
	if (!json_is_object(m))
		what = "expected a JSON object (the suite's metadata)";
	else if (!schema || strcmp(schema, RSET_SUITE_SCHEMA))
		what = "expected \"schema\": \"" RSET_SUITE_SCHEMA "\" (unknown schema version)";
	else if (json_object_get(m, "stages") && !json_is_array(json_object_get(m, "stages")))
		what = "expected \"stages\" to be an array";
	if (what) {
		json_decref(m);
		return damage(problems, err, errlen, "%s:1:1: %s", file, what);
	}
	*meta = m;
	return 0;
}

/* Stages that write a result set named after themselves (cmd-suite.c);
 * info's output is info.json, a host description. */
static bool stage_writes_set(const char *name)
{
	return strcmp(name, "info") != 0;
}

int rset_check_stages(const char *dir, const json_t *meta, const json_t *sets, json_t *problems,
		      char *err, size_t errlen)
{
	size_t i;
	json_t *st;
	json_array_foreach(json_object_get(meta, "stages"), i, st) {
		const char *name = json_string_value(json_object_get(st, "name"));
		const char *status = json_string_value(json_object_get(st, "status"));
		if (!name || !status || strcmp(status, "ok") || !stage_writes_set(name) ||
		    rset_find(sets, name))
			continue;
		int r = damage(problems, err, errlen,
			       "%s/%s.json: missing: metadata.json says stage %s finished ok, "
			       "but there is no such result set", dir, name, name);
		if (r)
			return r;
	}
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

int rset_samples(const json_t *rec, const char *name, double **out, size_t *n)
{
	json_t *arr = name ? json_object_get(rec, name) : NULL;
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

bool rset_is_arm64(const json_t *o)
{
	const json_t *host = json_object_get(json_object_get(o, "context"), "host");
	const json_t *cpu = json_object_get(host ? host : o, "cpu");
	const char *arch = json_string_value(json_object_get(cpu, "arch"));

	return arch && !strcmp(arch, "aarch64");
}
