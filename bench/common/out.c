/* out.c — see out.h: result sets, the stats columns of a record, the JSON
 * writer and reader. The CSV writer is out-csv.c; the context block is
 * context.c; the atomic write itself (stage, replace, mkdir -p) is
 * out-text.c. */
#include "out.h"
#include "emulated.h"
#include "out-text.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

json_t *out_set_new(const struct schema *s, json_t *context)
{
	json_t *set = json_object();
	if (!set) {
		json_decref(context);
		return NULL;
	}
	json_object_set_new(set, "schema", json_string(OUT_SCHEMA));
	json_object_set_new(set, "bench", json_string(s->bench));
	json_object_set_new(set, "context", context ? context : json_null());
	json_object_set_new(set, "complete", json_false());
	json_object_set_new(set, "skipped", json_array());
	json_object_set_new(set, "records", json_array());
	json_object_set_new(set, "key_columns", schema_key_names(s));
	json_object_set_new(set, "columns", schema_columns_json(s));
	json_t *control = schema_control_json(s);
	if (control)
		json_object_set_new(set, "control", control);
	return set;
}

int out_check_set(const json_t *set, char *err, size_t errlen)
{
	const json_t *recs = json_object_get(set, "records");
	const json_t *cols = json_object_get(set, "columns");
	const char *bench = json_string_value(json_object_get(set, "bench"));
	if (!json_is_array(recs) || !json_is_array(cols)) {
		snprintf(err, errlen, "not a result set with \"records\" and \"columns\"");
		return -EINVAL;
	}
	size_t i;
	json_t *rec;
	json_array_foreach(recs, i, rec) {
		char why[256];
		if (schema_check_record(cols, bench ? bench : "?", rec, why, sizeof(why))) {
			snprintf(err, errlen, "record %zu: %s", i, why);
			return -EPROTO;
		}
	}
	return 0;
}

void out_set_add(json_t *set, json_t *record)
{
	/* Emulated numbers say so in every record (emulated.h). */
	const char *em = host_emulated(NULL);
	if (em && json_is_object(record))
		json_object_set_new(record, "emulated", json_string(em));
#ifndef NDEBUG
	const json_t *cols = json_object_get(set, "columns");
	const char *bench = json_string_value(json_object_get(set, "bench"));
	char why[320];
	if (json_is_array(cols) && json_is_object(record) &&
	    schema_check_record(cols, bench ? bench : "?", record, why, sizeof(why))) {
		fprintf(stderr, "pfbench: BUG: %s (add the field to the benchmark's schema table)\n",
			why);
		abort();
	}
#endif
	json_t *recs = json_object_get(set, "records");
	if (json_is_array(recs) && record)
		json_array_append_new(recs, record);
	else
		json_decref(record);
}

void out_set_skip(json_t *set, const char *what, const char *why)
{
	json_t *sk = json_object_get(set, "skipped");
	if (!json_is_array(sk))
		return;
	json_array_append_new(sk, json_pack("{s:s, s:s}", "what", what ? what : "",
					    "why", why ? why : ""));
}

void out_set_complete(json_t *set, bool complete)
{
	json_object_set_new(set, "complete", json_boolean(complete));
}

void out_set_real(json_t *rec, const char *key, double v)
{
	json_object_set_new(rec, key, isfinite(v) ? json_real(v) : json_null());
}

static void set_pref(json_t *rec, const char *prefix, const char *key, json_t *v)
{
	char k[256];
	snprintf(k, sizeof(k), "%s%s", prefix, key);
	json_object_set_new(rec, k, v);
}

static void real_pref(json_t *rec, const char *prefix, const char *key, double v)
{
	set_pref(rec, prefix, key, isfinite(v) ? json_real(v) : json_null());
}

int out_record_stats(json_t *rec, const char *prefix, const double *ticks, size_t n,
		     const struct tsc_calib *c, bool keep_raw)
{
	if (!json_is_object(rec) || !c || !(c->ticks_per_ns > 0.0))
		return -EINVAL;
	if (!prefix)
		prefix = "";
	struct stats s;
	int err = stats_compute(ticks, n, OUT_STATS_SEED, &s);
	if (err)
		return err;
#define NS(x) tsc_to_ns(c, (x))
	set_pref(rec, prefix, "samples", json_integer((json_int_t)s.n));
	real_pref(rec, prefix, "median_ns", NS(s.median));
	real_pref(rec, prefix, "p90_ns", NS(s.p90));
	real_pref(rec, prefix, "p99_ns", NS(s.p99));
	real_pref(rec, prefix, "min_ns", NS(s.min));
	real_pref(rec, prefix, "max_ns", NS(s.max));
	real_pref(rec, prefix, "mean_ns", NS(s.mean));
	real_pref(rec, prefix, "mad_ns", NS(s.mad));
	real_pref(rec, prefix, "cv", s.cv);
	real_pref(rec, prefix, "ci95_low_ns", NS(s.ci95_low));
	real_pref(rec, prefix, "ci95_high_ns", NS(s.ci95_high));
	set_pref(rec, prefix, "outliers", json_integer((json_int_t)s.outliers));
	real_pref(rec, prefix, "median_cycles", s.median);
	real_pref(rec, prefix, "stddev_ns", NS(s.stddev));
	real_pref(rec, prefix, "p90_cycles", s.p90);
	real_pref(rec, prefix, "p99_cycles", s.p99);
	real_pref(rec, prefix, "min_cycles", s.min);
	real_pref(rec, prefix, "max_cycles", s.max);
	real_pref(rec, prefix, "mean_cycles", s.mean);
	real_pref(rec, prefix, "mad_cycles", s.mad);
	real_pref(rec, prefix, "stddev_cycles", s.stddev);
	real_pref(rec, prefix, "ci95_low_cycles", s.ci95_low);
	real_pref(rec, prefix, "ci95_high_cycles", s.ci95_high);
	if (keep_raw) {
		json_t *raw = json_array();
		if (!raw)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			json_array_append_new(raw, json_real(NS(ticks[i])));
		set_pref(rec, prefix, "samples_ns", raw);
	}
#undef NS
	return 0;
}

/* A target that is a directory would fail the rename after the other file
 * of a pair was already replaced: refuse it before replacing anything. */
static int check_target(const char *path)
{
	struct stat st;
	if (!lstat(path, &st) && S_ISDIR(st.st_mode))
		return -EISDIR;
	return 0;
}

static int check_set(const json_t *set)
{
	char why[320];
	if (!json_is_object(set))
		return -EINVAL;
	return out_check_set(set, why, sizeof(why));
}

/* The JSON text of a set, newline-terminated (malloc'd). */
static char *json_text(const json_t *set)
{
	char *text = json_dumps(set, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (!text)
		return NULL;
	size_t len = strlen(text);
	char *buf = realloc(text, len + 2);
	if (!buf) {
		free(text);
		return NULL;
	}
	buf[len] = '\n';
	buf[len + 1] = '\0';
	return buf;
}

static int write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	int err = check_target(path);
	if (!err)
		err = out_stage(path, text, strlen(text), tmp, sizeof(tmp));
	if (!err)
		err = out_replace(tmp, path);
	return err;
}

int out_write_json(const json_t *set, const char *path)
{
	int err = check_set(set);
	if (err)
		return err;
	char *text = json_text(set);
	if (!text)
		return -ENOMEM;
	err = write_file(path, text);
	free(text);
	return err;
}

int out_write_csv(const json_t *set, const char *path)
{
	int err = check_set(set);
	if (err)
		return err;
	char *text = out_csv_string(set);
	if (!text)
		return -ENOMEM;
	err = write_file(path, text);
	free(text);
	return err;
}

int out_write_set(const json_t *set, const char *dir)
{
	int err = check_set(set);
	if (err)
		return err;
	const char *bench = json_string_value(json_object_get(set, "bench"));
	if (!bench || !*bench || strchr(bench, '/') || !strcmp(bench, ".") || !strcmp(bench, ".."))
		return -EINVAL;
	if ((err = out_mkdirs(dir)))
		return err;
	char jpath[PATH_MAX], cpath[PATH_MAX], jtmp[PATH_MAX], ctmp[PATH_MAX];
	if (snprintf(jpath, sizeof(jpath), "%s/%s.json", dir, bench) >= (int)sizeof(jpath) ||
	    snprintf(cpath, sizeof(cpath), "%s/%s.csv", dir, bench) >= (int)sizeof(cpath))
		return -ENAMETOOLONG;
	if ((err = check_target(jpath)) || (err = check_target(cpath)))
		return err;
	/* Both files are staged before either replaces its old version, so a
	 * failure leaves the old pair. */
	char *jtext = json_text(set), *ctext = out_csv_string(set);
	if (!jtext || !ctext) {
		err = -ENOMEM;
	} else if (!(err = out_stage(jpath, jtext, strlen(jtext), jtmp, sizeof(jtmp)))) {
		if ((err = out_stage(cpath, ctext, strlen(ctext), ctmp, sizeof(ctmp))))
			unlink(jtmp);
	}
	free(jtext);
	free(ctext);
	if (err)
		return err;
	if ((err = out_replace(jtmp, jpath))) {
		unlink(ctmp);
		return err;
	}
	return out_replace(ctmp, cpath);
}

/* The 1-based line and column of byte offset off of the file at path
 * (columns count UTF-8 characters); *line and *col are left alone when the
 * file cannot be read again. */
static void offset_linecol(const char *path, int off, int *line, int *col)
{
	FILE *f = fopen(path, "re");
	int l = 1, c = 1, ch;

	if (!f)
		return;
	for (int i = 0; i < off && (ch = getc(f)) != EOF; i++) {
		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c++;
		}
	}
	fclose(f);
	*line = l;
	*col = c;
}

json_t *out_read_json(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	char dummy[1];
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	json_t *set = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!set) {
		if (je.line < 0) { /* not read at all; the text names the path */
			snprintf(err, errlen, "%s", je.text);
			return NULL;
		}
		int line = je.line, col = je.column;
		if (col <= 0) /* at the end of the input jansson gives column 0 */
			offset_linecol(path, je.position, &line, &col);
		snprintf(err, errlen, "%s:%d:%d: %s", path, line, col, je.text);
		return NULL;
	}
	const char *schema = json_string_value(json_object_get(set, "schema"));
	const char *what = NULL;
	if (!json_is_object(set))
		what = "expected a JSON object (a pfbench result set)";
	else if (!schema || strncmp(schema, "pfbench-result/", 15))
		what = "expected \"schema\": \"pfbench-result/N\"";
	else if (!json_is_array(json_object_get(set, "records")))
		what = "expected a \"records\" array";
	if (what) {
		snprintf(err, errlen, "%s:1:1: %s", path, what);
		json_decref(set);
		return NULL;
	}
	return set;
}
