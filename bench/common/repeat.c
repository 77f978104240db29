/* repeat.c — see repeat.h. */
#include "repeat.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void repeat_spread(const double *v, size_t n, double *min, double *max, double *cv)
{
	double sum = 0, ss = 0;
	*min = INFINITY;
	*max = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		sum += v[i];
		*min = fmin(*min, v[i]);
		*max = fmax(*max, v[i]);
	}
	double mean = n ? sum / (double)n : NAN;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	*cv = n > 1 && mean > 0 ? sqrt(ss / (double)(n - 1)) / mean : NAN;
	if (!n)
		*min = *max = NAN;
}

/* A record's identity: its key columns' values as compact JSON. */
static char *key_id(const json_t *cols, const json_t *rec)
{
	json_t *vals = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(cols, i, c) {
		if (strcmp(json_string_value(json_object_get(c, "role")) ?: "", "key"))
			continue;
		json_t *v = json_object_get(rec, json_string_value(json_object_get(c, "name")) ?: "");
		json_array_append(vals, v ? v : json_null());
	}
	char *id = json_dumps(vals, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(vals);
	return id;
}

static bool timed(const json_t *rec)
{
	return json_is_number(json_object_get(rec, "median_ns"));
}

/* id -> [record, ...], the timed records of set in order, by key. */
static json_t *by_key(const json_t *set)
{
	json_t *by = json_object(), *cols = json_object_get(set, "columns");
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(set, "records"), i, r) {
		char *id = timed(r) ? key_id(cols, r) : NULL;
		if (!id)
			continue;
		json_t *l = json_object_get(by, id);
		if (!l)
			json_object_set_new(by, id, l = json_array());
		json_array_append(l, r);
		free(id);
	}
	return by;
}

/* The spread fields of rec over the medians v[0..m-1] (med: them as JSON). */
static void put_spread(json_t *rec, json_t *med, const double *v, size_t m)
{
	double lo, hi, cv;
	repeat_spread(v, m, &lo, &hi, &cv);
	json_object_set_new(rec, "runs", json_integer((json_int_t)m));
	json_object_set_new(rec, "run_medians_ns", med);
	json_object_set_new(rec, "run_median_min_ns", isfinite(lo) ? json_real(lo) : json_null());
	json_object_set_new(rec, "run_median_max_ns", isfinite(hi) ? json_real(hi) : json_null());
	json_object_set_new(rec, "run_cv", isfinite(cv) ? json_real(cv) : json_null());
}

int repeat_add_spread(json_t *set, json_t *const *runs, size_t n)
{
	json_t **by = calloc(n + 1, sizeof(*by));
	double *v = calloc(n + 1, sizeof(*v));
	int done = 0;
	if (!by || !v) {
		free(by);
		free(v);
		return -ENOMEM;
	}
	for (size_t k = 0; k < n; k++)
		by[k] = by_key(runs[k]);
	json_t *own = by_key(set), *list;
	const char *id;
	/* the q-th record with a key meets the q-th of every run */
	json_object_foreach(own, id, list) {
		size_t q;
		json_t *r;
		json_array_foreach(list, q, r) {
			json_t *med = json_array();
			size_t m = 0;
			for (size_t k = 0; k < n; k++) {
				json_t *x = json_array_get(json_object_get(by[k], id), q);
				if (!x)
					continue;
				v[m] = json_number_value(json_object_get(x, "median_ns"));
				json_array_append_new(med, json_real(v[m++]));
			}
			put_spread(r, med, v, m);
			done++;
		}
	}
	json_decref(own);
	for (size_t k = 0; k < n; k++)
		json_decref(by[k]);
	free(by);
	free(v);
	return done;
}
