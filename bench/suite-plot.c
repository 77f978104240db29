/* suite-plot.c — the suite's plots (see suite.h). Each plot is drawn by a
 * gnuplot script in scripts/ from a small data file this code extracts
 * from a result set: records grouped into series by their varying key
 * columns, one gnuplot data block per series ("x median ci95_low
 * ci95_high", the block's first row naming the series), sorted by x.
 * Records without the x column (no filter: the baseline exits) become
 * horizontal reference lines across the x range. PNG and SVG are written
 * to temp names and renamed into place. */
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

struct plot_spec {
	const char *name;      /* plots/<name>.{dat,png,svg} */
	const char *bench;     /* the result set drawn */
	const char *script;    /* scripts/<script> */
	const char *x[4];      /* the x column: the first one records have */
	const char *title, *xlabel, *ylabel;
};

static const struct plot_spec specs[] = {
	{ "exit", "exit", "plot-exit.gp", { "nevents", "filter_size", "size", NULL },
	  "Guest exit latency vs filter size, beside the baseline exits",
	  "filter size (entries)", "round trip, median ns (bars: 95% CI)" },
	{ "install", "install", "plot-install.gp", { "nevents", "filter_size", "size", NULL },
	  "KVM_SET_PMU_EVENT_FILTER cost vs filter size",
	  "filter size (entries)", "ioctl latency, median ns (bars: 95% CI)" },
};

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
	for (int i = 0; p->x[i]; i++) {
		size_t j;
		json_t *r;
		json_array_foreach(records, j, r) if (json_is_number(json_object_get(r, p->x[i])))
			return p->x[i];
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

/* "baseline: <title>" for records without a filter size. */
static void baseline_title(char *title, size_t len)
{
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s", title);
	snprintf(title, len, "baseline: %.400s", tmp);
}

struct point {
	double x, y, lo, hi;
};

static int cmp_point(const void *a, const void *b)
{
	double x = ((const struct point *)a)->x, y = ((const struct point *)b)->x;
	return (x > y) - (x < y);
}

/* Writes the data file; *nseries / *nbase get the block counts. */
static int write_data(const char *path, const struct plot_spec *p, const json_t *set,
		      const char *x, size_t *nseries, size_t *nbase, double *xmin, double *xmax)
{
	const json_t *records = json_object_get(set, "records");
	json_t *keys = rset_key_columns(records, NULL);
	json_t *vary = rset_varying(records, keys);
	json_t *titles = json_array(); /* series in first-seen order, filter series first */
	size_t i, k;
	json_t *r, *t;
	char title[512];
	*xmin = INFINITY;
	*xmax = -INFINITY;
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(records, i, r) {
			bool has_x = json_is_number(json_object_get(r, x));
			if (has_x != (pass == 0) || isnan(rset_num(r, "median_ns")))
				continue;
			if (has_x) {
				double xv = rset_num(r, x);
				*xmin = fmin(*xmin, xv);
				*xmax = fmax(*xmax, xv);
			}
			series_title(r, vary, x, title, sizeof(title));
			if (!has_x)
				baseline_title(title, sizeof(title));
			bool seen = false;
			json_array_foreach(titles, k, t) seen |= !strcmp(json_string_value(t), title);
			if (!seen) {
				json_array_append_new(titles, json_string(title));
				if (pass == 0)
					(*nseries)++;
				else
					(*nbase)++;
			}
		}
	}
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		json_decref(keys);
		json_decref(vary);
		json_decref(titles);
		return -ENOMEM;
	}
	fprintf(f, "# pfbench plot data for %s from %s.json: x = %s, y = median_ns, "
		   "bars = ci95_low_ns..ci95_high_ns\n# %zu filter series, then %zu baseline "
		   "series (no %s: drawn flat across the x range)\n",
		p->name, p->bench, x, *nseries, *nbase, x);
	struct point *pts = malloc((json_array_size(records) + 2) * sizeof(*pts));
	json_array_foreach(titles, k, t) {
		size_t n = 0;
		bool base = k >= *nseries;
		json_array_foreach(records, i, r) {
			if (json_is_number(json_object_get(r, x)) == base)
				continue;
			series_title(r, vary, x, title, sizeof(title));
			if (base)
				baseline_title(title, sizeof(title));
			double y = rset_num(r, "median_ns");
			if (strcmp(title, json_string_value(t)) || isnan(y) || !pts)
				continue;
			double lo = rset_num(r, "ci95_low_ns"), hi = rset_num(r, "ci95_high_ns");
			pts[n++] = (struct point){ base ? *xmin : rset_num(r, x), y,
						   isnan(lo) ? y : lo, isnan(hi) ? y : hi };
			if (base) { /* one flat line: first baseline record of the series */
				pts[n] = pts[n - 1];
				pts[n++].x = *xmax;
				break;
			}
		}
		if (pts)
			qsort(pts, n, sizeof(*pts), cmp_point);
		fprintf(f, "%s\"%s\" \"median\" \"lo\" \"hi\"\n", k ? "\n\n" : "", json_string_value(t));
		for (size_t j = 0; j < n; j++)
			fprintf(f, "%.10g %.10g %.10g %.10g\n", pts[j].x, pts[j].y, pts[j].lo, pts[j].hi);
	}
	free(pts);
	fclose(f);
	int e = text ? out_write_text(path, text, len) : -ENOMEM;
	free(text);
	json_decref(keys);
	json_decref(vary);
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
	size_t nseries = 0, nbase = 0;
	double xmin, xmax;
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
		e = write_data(dat, p, set, x, &nseries, &nbase, &xmin, &xmax);
	if (e) {
		fmt(why, sizeof(why), "%s: %s", dat, strerror(-e));
		goto fail;
	}
	if (!nseries) {
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
			 "datafile=%s; outfile=%s; fmt='%s'; nseries=%zu; nbase=%zu; "
			 "plottitle=%s; xlab=%s; ylab=%s; logx=%d",
			 q_dat, q_tmp, fmts[i], nseries, nbase, q_title, q_x, q_y,
			 xmin > 0 && xmax / xmin >= 16);
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
