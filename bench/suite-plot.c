/* suite-plot.c — the suite's plots (see suite.h). Each plot is drawn by a
 * gnuplot script in scripts/ from a small data file this code extracts
 * from a result set, as a table of plot specs says: which records are the
 * series (a selection, the x column, the fields that name a series) and
 * which are flat reference lines (the baseline exits, "no filter"). One
 * gnuplot data block per line ("x median ci95_low ci95_high", the block's
 * first row naming it), sorted by x; reference lines span the x range.
 * PNG and SVG are written to temp names and renamed into place. */
#include "suite.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out-text.h"
#include "rset.h"

/* A record selection: field == value (compared as text), or with value
 * NULL, the field absent or null. */
struct sel {
	const char *field, *value;
};

struct base_spec {
	struct sel where[4];
	const char *label;     /* field whose value names the line ... */
	const char *fixed;     /* ... or a fixed name */
};

struct plot_spec {
	const char *name;      /* plots/<name>.{dat,png,svg} */
	const char *bench;     /* the result set drawn */
	const char *script;    /* scripts/<script> */
	const char *x[4];      /* the x column: the first one records have */
	struct sel where[4];   /* the records drawn as series */
	const char *series[4]; /* fields that name a series (those that vary);
				* none listed: every varying key column */
	struct base_spec base[3];
	const char *title, *xlabel, *ylabel;
};

static const struct plot_spec specs[] = {
	{ "exit", "exit", "plot-exit.gp", { "filter_size", "nevents", "size", NULL },
	  { { "group", "reprogram" }, { "filter", "installed" }, { "status", "ok" } },
	  { "encoding", "action", "position", NULL },
	  { { { { "group", "reprogram" }, { "filter", "none" }, { "status", "ok" } },
	      NULL, "no filter (same cycle)" },
	    { { { "group", "baseline" }, { "mode", "each" }, { "status", "ok" } }, "exit", NULL } },
	  "Event-select WRMSR in the guest vs installed filter size, beside baseline exits",
	  "filter size (entries)", "guest-timed round trip, median ns (bars: 95% CI)" },
	{ "install", "install", "plot-install.gp", { "filter_size", "nevents", "size", NULL },
	  { { NULL, NULL } }, { NULL }, { { { { NULL, NULL } }, NULL, NULL } },
	  "KVM_SET_PMU_EVENT_FILTER cost vs filter size",
	  "filter size (entries)", "ioctl latency, median ns (bars: 95% CI)" },
};

static bool matches(const json_t *rec, const struct sel *where)
{
	for (int i = 0; i < 4 && where[i].field; i++) {
		json_t *v = json_object_get(rec, where[i].field);
		if (!where[i].value) {
			if (v && !json_is_null(v))
				return false;
			continue;
		}
		char buf[128];
		if (!v || strcmp(rset_scalar(v, buf, sizeof(buf)), where[i].value))
			return false;
	}
	return true;
}

/* snprintf whose truncation is acceptable (messages) or checked by the
 * caller (returns false when cut). */
static __attribute__((format(printf, 3, 4))) bool fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

const char *suite_scripts_dir(void)
{
	static char dir[PATH_MAX];
	char probe[PATH_MAX + 32];
	const char *env = getenv("PFBENCH_SCRIPTS");
	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
		return dir;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		snprintf(dir, sizeof(dir), "%s/../scripts", dirname(exe));
		snprintf(probe, sizeof(probe), "%s/plot-exit.gp", dir);
		if (access(probe, R_OK) == 0)
			return dir;
	}
	snprintf(dir, sizeof(dir), "scripts");
	snprintf(probe, sizeof(probe), "%s/plot-exit.gp", dir);
	return access(probe, R_OK) == 0 ? dir : NULL;
}

static const char *x_column(const struct plot_spec *p, const json_t *records)
{
	for (int i = 0; i < 4 && p->x[i]; i++) {
		size_t j;
		json_t *r;
		json_array_foreach(records, j, r) {
			if (matches(r, p->where) && json_is_number(json_object_get(r, p->x[i])))
				return p->x[i];
		}
	}
	return NULL;
}

/* The series a record belongs to: its values of the varying key columns
 * (other than x), e.g. "masked, deny". */
static void series_title(const json_t *rec, const json_t *cols, const char *x, char *buf,
			 size_t len)
{
	size_t k, off = 0;
	json_t *kv;
	buf[0] = '\0';
	json_array_foreach(cols, k, kv) {
		const char *name = json_string_value(kv);
		if (!strcmp(name, x))
			continue;
		json_t *v = json_object_get(rec, name);
		if (!v || json_is_null(v))
			continue;
		char val[128];
		rset_scalar(v, val, sizeof(val));
		int w;
		if (json_is_string(v))
			w = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", val);
		else
			w = snprintf(buf + off, len - off, "%s%s=%s", off ? ", " : "", name, val);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	if (!off)
		snprintf(buf, len, "median");
	for (char *c = buf; *c; c++)
		if (*c == '"')
			*c = '\'';
}

struct point {
	double x, y, lo, hi;
};

static int cmp_point(const void *a, const void *b)
{
	double x = ((const struct point *)a)->x, y = ((const struct point *)b)->x;
	return (x > y) - (x < y);
}

static bool has_title(const json_t *titles, const char *t)
{
	size_t i;
	json_t *v;
	json_array_foreach(titles, i, v) if (!strcmp(json_string_value(v), t)) return true;
	return false;
}

/* The fields that name a series: the spec's (or every key column), those
 * that vary among the series records, never x. */
static json_t *series_fields(const struct plot_spec *p, const json_t *set, const json_t *sel,
			     const char *x)
{
	json_t *cand = json_array();
	if (p->series[0]) {
		for (int i = 0; i < 4 && p->series[i]; i++)
			json_array_append_new(cand, json_string(p->series[i]));
	} else {
		json_t *keys = rset_set_keys(set, NULL);
		json_array_extend(cand, keys);
		json_decref(keys);
	}
	json_t *vary = rset_varying(sel, cand), *out = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(vary, i, v) if (strcmp(json_string_value(v), x)) json_array_append(out, v);
	json_decref(vary);
	json_decref(cand);
	return out;
}

/* Distinct values of the last series field: the gnuplot script gives
 * series of one group the same colour and varies the point type. */
static size_t group_size(const json_t *sel, const json_t *fields)
{
	if (json_array_size(fields) < 2)
		return 1;
	const char *last = json_string_value(json_array_get(fields, json_array_size(fields) - 1));
	json_t *seen = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(sel, i, r) {
		json_t *v = json_object_get(r, last);
		bool have = false;
		size_t j;
		json_t *s;
		json_array_foreach(seen, j, s) have |= json_equal(s, v ? v : json_null());
		if (!have)
			json_array_append(seen, v ? v : json_null());
	}
	size_t n = json_array_size(seen);
	json_decref(seen);
	return n ? n : 1;
}

/* Position of v among the distinct values of field, in first-seen order. */
static size_t value_rank(const json_t *sel, const char *field, const json_t *v)
{
	json_t *seen = json_array();
	size_t i, rank = 0;
	json_t *r;
	json_array_foreach(sel, i, r) {
		json_t *w = json_object_get(r, field);
		w = w ? w : json_null();
		bool have = false;
		size_t j;
		json_t *s;
		json_array_foreach(seen, j, s) have |= json_equal(s, w);
		if (have)
			continue;
		if (json_equal(w, v ? v : json_null())) {
			rank = json_array_size(seen);
			break;
		}
		json_array_append(seen, w);
	}
	json_decref(seen);
	return rank;
}

struct ranked {
	size_t rank[4];
	const json_t *rec;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	for (int i = 0; i < 4; i++)
		if (x->rank[i] != y->rank[i])
			return x->rank[i] < y->rank[i] ? -1 : 1;
	return 0;
}

/* Series names ordered field by field (each field's values in first-seen
 * order), so the members of a colour group sit together. */
static json_t *series_titles(const json_t *sel, const json_t *fields, const char *x)
{
	size_t n = json_array_size(sel), i;
	struct ranked *rk = calloc(n ? n : 1, sizeof(*rk));
	json_t *titles = json_array(), *r;
	char title[512];
	if (!rk)
		return titles;
	json_array_foreach(sel, i, r) {
		rk[i].rec = r;
		for (size_t f = 0; f < 4 && f < json_array_size(fields); f++) {
			const char *name = json_string_value(json_array_get(fields, f));
			rk[i].rank[f] = value_rank(sel, name, json_object_get(r, name));
		}
	}
	qsort(rk, n, sizeof(*rk), cmp_ranked);
	for (i = 0; i < n; i++) {
		series_title(rk[i].rec, fields, x, title, sizeof(title));
		if (!has_title(titles, title))
			json_array_append_new(titles, json_string(title));
	}
	free(rk);
	return titles;
}

struct plot_data {
	size_t nseries, nbase, ngroup;
	double xmin, xmax;
};

/* Writes the data file. */
static int write_data(const char *path, const struct plot_spec *p, const json_t *set,
		      const char *x, struct plot_data *d)
{
	const json_t *records = json_object_get(set, "records");
	json_t *sel = json_array();
	size_t i, k;
	json_t *r, *t;
	char title[512];
	d->xmin = INFINITY;
	d->xmax = -INFINITY;
	json_array_foreach(records, i, r) {
		if (!matches(r, p->where) || !json_is_number(json_object_get(r, x)) ||
		    isnan(rset_num(r, "median_ns")))
			continue;
		json_array_append(sel, r);
		d->xmin = fmin(d->xmin, rset_num(r, x));
		d->xmax = fmax(d->xmax, rset_num(r, x));
	}
	json_t *fields = series_fields(p, set, sel, x);
	d->ngroup = group_size(sel, fields);
	json_t *titles = series_titles(sel, fields, x);
	d->nseries = json_array_size(titles);

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct point *pts = malloc((json_array_size(records) + 2) * sizeof(*pts));
	if (!f || !pts) {
		if (f)
			fclose(f);
		free(text);
		free(pts);
		json_decref(sel);
		json_decref(fields);
		json_decref(titles);
		return -ENOMEM;
	}
	fprintf(f, "# pfbench plot data for %s from %s.json: x = %s, y = median_ns, "
		   "bars = ci95_low_ns..ci95_high_ns\n", p->name, p->bench, x);
	json_array_foreach(titles, k, t) {
		size_t n = 0;
		json_array_foreach(sel, i, r) {
			series_title(r, fields, x, title, sizeof(title));
			if (strcmp(title, json_string_value(t)))
				continue;
			double y = rset_num(r, "median_ns");
			double lo = rset_num(r, "ci95_low_ns"), hi = rset_num(r, "ci95_high_ns");
			pts[n++] = (struct point){ rset_num(r, x), y, isnan(lo) ? y : lo,
						   isnan(hi) ? y : hi };
		}
		qsort(pts, n, sizeof(*pts), cmp_point);
		fprintf(f, "%s\"%s\" \"median\" \"lo\" \"hi\"\n", k ? "\n\n" : "",
			json_string_value(t));
		for (size_t j = 0; j < n; j++)
			fprintf(f, "%.10g %.10g %.10g %.10g\n", pts[j].x, pts[j].y, pts[j].lo, pts[j].hi);
	}
	/* Reference lines: the first record of each name, flat across x. */
	json_t *bases = json_array();
	for (int b = 0; b < 3 && d->nseries; b++) {
		const struct base_spec *bs = &p->base[b];
		if (!bs->where[0].field)
			break;
		json_array_foreach(records, i, r) {
			double y = rset_num(r, "median_ns");
			if (!matches(r, bs->where) || isnan(y))
				continue;
			char val[128];
			if (bs->label)
				snprintf(title, sizeof(title), "baseline: %s",
					 rset_scalar(json_object_get(r, bs->label), val, sizeof(val)));
			else
				snprintf(title, sizeof(title), "%s", bs->fixed ? bs->fixed : "baseline");
			if (has_title(bases, title))
				continue;
			json_array_append_new(bases, json_string(title));
			double lo = rset_num(r, "ci95_low_ns"), hi = rset_num(r, "ci95_high_ns");
			fprintf(f, "\n\n\"%s\" \"median\" \"lo\" \"hi\"\n", title);
			for (int e = 0; e < 2; e++)
				fprintf(f, "%.10g %.10g %.10g %.10g\n", e ? d->xmax : d->xmin, y,
					isnan(lo) ? y : lo, isnan(hi) ? y : hi);
		}
	}
	d->nbase = json_array_size(bases);
	json_decref(bases);
	free(pts);
	fclose(f);
	int e = text ? out_write_text(path, text, len) : -ENOMEM;
	free(text);
	json_decref(sel);
	json_decref(fields);
	json_decref(titles);
	return e;
}

/* 'text' as a gnuplot single-quoted string ('' for a quote). */
static void gp_str(char *out, size_t len, const char *s)
{
	size_t o = 0;
	if (len < 3)
		return;
	out[o++] = '\'';
	for (; *s && o + 3 < len; s++) {
		if (*s == '\'')
			out[o++] = '\'';
		out[o++] = *s;
	}
	out[o++] = '\'';
	out[o] = '\0';
}

static int run_gnuplot(const char *script, const char *vars, char *why, size_t whylen)
{
	char *argv[] = { "/usr/bin/env", "gnuplot", "-e", (char *)vars, (char *)script, NULL };
	struct suite_child c = { .argv = argv, .timeout_s = 60 };
	struct suite_child_res r;
	int e = suite_child_run(&c, &r);
	int ret = 0;
	if (e) {
		snprintf(why, whylen, "%s", r.last_line);
		ret = e;
	} else if (r.exit_code == 127) {
		snprintf(why, whylen, "gnuplot not found (Debian: apt-get install gnuplot-nox)");
		ret = -ENOENT;
	} else if (r.exit_code != 0) {
		snprintf(why, whylen, "gnuplot failed (exit %d): %s", r.exit_code, r.last_line);
		ret = -EIO;
	}
	suite_child_res_free(&r);
	return ret;
}

static json_t *make_plot(const char *dir, const char *scripts, const struct plot_spec *p,
			 const json_t *set)
{
	json_t *o = json_pack("{s:s, s:s}", "name", p->name, "from", p->bench);
	char why[600] = "";
	const json_t *records = json_object_get(set, "records");
	const char *x = x_column(p, records);
	char pdir[PATH_MAX], dat[PATH_MAX], script[PATH_MAX];
	struct plot_data d = { 0 };
	fmt(pdir, sizeof(pdir), "%s/plots", dir);
	fmt(dat, sizeof(dat), "%s/%s.dat", pdir, p->name);
	if (!scripts) {
		fmt(why, sizeof(why), "no scripts/ directory with the gnuplot scripts "
					   "(set PFBENCH_SCRIPTS)");
		goto fail;
	}
	fmt(script, sizeof(script), "%s/%s", scripts, p->script);
	if (access(script, R_OK) < 0) {
		fmt(why, sizeof(why), "%s: %s", script, strerror(errno));
		goto fail;
	}
	if (!x) {
		fmt(why, sizeof(why), "no record has a filter-size column (%s)", p->x[0]);
		goto fail;
	}
	int e = out_mkdirs(pdir);
	if (!e)
		e = write_data(dat, p, set, x, &d);
	if (e) {
		fmt(why, sizeof(why), "%s: %s", dat, strerror(-e));
		goto fail;
	}
	if (!d.nseries) {
		fmt(why, sizeof(why), "no record with a median and a %s", x);
		goto fail;
	}
	static const char *const fmts[] = { "png", "svg" };
	for (int i = 0; i < 2; i++) {
		char out[PATH_MAX], tmp[PATH_MAX], q_dat[2 * PATH_MAX], q_tmp[2 * PATH_MAX];
		char q_title[512], q_x[256], q_y[256], vars[8 * PATH_MAX];
		fmt(out, sizeof(out), "%s/%s.%s", pdir, p->name, fmts[i]);
		out_tmp_name(out, tmp, sizeof(tmp));
		gp_str(q_dat, sizeof(q_dat), dat);
		gp_str(q_tmp, sizeof(q_tmp), tmp);
		gp_str(q_title, sizeof(q_title), p->title);
		gp_str(q_x, sizeof(q_x), p->xlabel);
		gp_str(q_y, sizeof(q_y), p->ylabel);
		fmt(vars, sizeof(vars),
			 "datafile=%s; outfile=%s; fmt='%s'; nseries=%zu; nbase=%zu; ngroup=%zu; "
			 "plottitle=%s; xlab=%s; ylab=%s; logx=%d",
			 q_dat, q_tmp, fmts[i], d.nseries, d.nbase, d.ngroup, q_title, q_x, q_y,
			 d.xmin > 0 && d.xmax / d.xmin >= 16);
		if (run_gnuplot(script, vars, why, sizeof(why))) {
			unlink(tmp);
			goto fail;
		}
		e = out_commit(tmp, out);
		if (e) {
			fmt(why, sizeof(why), "%s: %s", out, strerror(-e));
			goto fail;
		}
		json_object_set_new(o, fmts[i], json_sprintf("plots/%s.%s", p->name, fmts[i]));
	}
	json_object_set_new(o, "data", json_sprintf("plots/%s.dat", p->name));
	return o;
fail:
	json_object_set_new(o, "why", json_string(why));
	return o;
}

json_t *suite_plots(const char *dir)
{
	json_t *out = json_array();
	json_t *sets = NULL;
	char err[512];
	if (rset_load(dir, &sets, err, sizeof(err)))
		return out;
	const char *scripts = suite_scripts_dir();
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const json_t *set = rset_find(sets, specs[i].bench);
		if (set && json_array_size(json_object_get(set, "records")))
			json_array_append_new(out, make_plot(dir, scripts, &specs[i], set));
	}
	json_decref(sets);
	return out;
}
