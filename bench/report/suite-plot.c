/* suite-plot.c — the suite's plots (see suite.h). Each plot is drawn by a
 * gnuplot script in scripts/ from a small data file this code extracts
 * from a result set, as a table of plot specs says: which records are the
 * series (a selection, the x column, the fields that name a series) and
 * which are flat reference lines (the baseline exits, "no filter"). One
 * gnuplot data block per line ("x median ci95_low ci95_high", the block's
 * first row naming it), sorted by x; reference lines span the x range.
 * PNG and SVG are written to temp names and renamed into place. */
#include "report.h"
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
	const char *split[4];  /* one plot per combination of these fields'
				* values: plots/<name>-<v1>-<v2>... */
	const char *series[4]; /* fields that name a series (those that vary);
				* none listed: every varying key column */
	struct sel tail;       /* series with this value drawn last, apart
				* (lookup's floor row): "hasfloor" blocks */
	const char *tail_title;
	struct base_spec base[3];
	const char *title;
	const char *xlabel, *ylabel; /* ylabel: "%s" is the unit (ns, us, ms) */
};

static const struct plot_spec specs[] = {
	/* c2's scripts/plot-lookup.gp: one plot per mode x pattern x encoding,
	 * a line per design, the L1-load floor dashed. */
	{ "lookup", "lookup", "plot-lookup.gp", { "size", NULL },
	  { { "action", "allow" } }, { "mode", "pattern", "encoding_name", NULL },
	  { "design", NULL }, { "design", "floor-l1" }, "floor-l1 (one L1 load)",
	  { { { { NULL, NULL } }, NULL, NULL } },
	  "Filter lookup cost vs filter size", NULL, NULL },
	{ "exit", "exit", "plot-exit.gp", { "filter_size", "nevents", "size", NULL },
	  { { "group", "reprogram" }, { "filter", "installed" }, { "status", "ok" } }, { NULL },
	  { "encoding", "action", "position", NULL }, { NULL, NULL }, NULL,
	  { { { { "group", "reprogram" }, { "filter", "none" }, { "status", "ok" } },
	      NULL, "no filter (same cycle)" },
	    { { { "group", "baseline" }, { "mode", "each" }, { "status", "ok" } }, "exit", NULL } },
	  "Event-select WRMSR in the guest vs installed filter size, beside baseline exits",
	  "filter size (entries)", "guest-timed round trip, median %s (bars: 95%% CI)" },
	/* The limit study: cold lookups vs the limit N, a line per design,
	 * the floor (one L1 load, evicted too) dashed. */
	{ "limits", "limits", "plot-limits.gp", { "size", NULL },
	  { { "kind", "lookup" }, { "cache", "cold" } }, { NULL }, { "design", NULL },
	  { "design", "floor-l1" }, "floor-l1 (one load, evicted)",
	  { { { { NULL, NULL } }, NULL, NULL } },
	  "One cold lookup vs the filter limit N", NULL, NULL },
	{ "install", "install", "plot-install.gp", { "size", "filter_size", "nevents", NULL },
	  { { "case", "valid" } }, { NULL }, { "encoding", "vcpus", "vcpu_state", NULL },
	  { NULL, NULL }, NULL, { { { { NULL, NULL } }, NULL, NULL } },
	  "KVM_SET_PMU_EVENT_FILTER cost vs filter size",
	  "filter size (entries)", "ioctl latency, median %s (bars: 95%% CI)" },
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
	size_t nseries, ntail, nbase, ngroup;
	size_t nref;        /* of the nbase lines, the first nref are the first
			     * base spec's (exit: "no filter"), the reference
			     * the series are read against */
	double xmin, xmax, ymax;
	double scale;       /* data are written in ns x scale */
	const char *unit;   /* "ns", "us", "ms" */
	char lts[512];      /* each series' line type: its place among all plots' series */
};

/* One block per title: the records of sel whose series title it is. */
static void write_blocks(FILE *f, const json_t *sel, const json_t *titles, const json_t *fields,
			 const char *x, const char *rename, double scale, struct point *pts,
			 bool *first)
{
	size_t i, k;
	json_t *r, *t;
	char title[512];
	json_array_foreach(titles, k, t) {
		size_t n = 0;
		json_array_foreach(sel, i, r) {
			series_title(r, fields, x, title, sizeof(title));
			if (strcmp(title, json_string_value(t)))
				continue;
			double y = rset_num(r, "median_ns");
			double lo = rset_num(r, "ci95_low_ns"), hi = rset_num(r, "ci95_high_ns");
			pts[n++] = (struct point){ rset_num(r, x), y * scale,
						   (isnan(lo) ? y : lo) * scale,
						   (isnan(hi) ? y : hi) * scale };
		}
		qsort(pts, n, sizeof(*pts), cmp_point);
		fprintf(f, "%s\"%s\" \"median\" \"lo\" \"hi\"\n", *first ? "" : "\n\n",
			rename ? rename : json_string_value(t));
		*first = false;
		for (size_t j = 0; j < n; j++)
			fprintf(f, "%.10g %.10g %.10g %.10g\n", pts[j].x, pts[j].y, pts[j].lo, pts[j].hi);
	}
}

/* Writes the data file: the series, then the tail (floor) series, then
 * the flat reference lines. */
static int write_data(const char *path, const struct plot_spec *p, const json_t *set,
		      const char *x, const json_t *global, struct plot_data *d)
{
	const json_t *records = json_object_get(set, "records");
	json_t *sel = json_array(), *tail = json_array();
	size_t i;
	json_t *r;
	char title[512];
	d->xmin = d->ymax = INFINITY;
	d->xmax = d->ymax = -INFINITY;
	json_array_foreach(records, i, r) {
		if (!matches(r, p->where) || !json_is_number(json_object_get(r, x)) ||
		    isnan(rset_num(r, "median_ns")))
			continue;
		bool is_tail = p->tail.field && matches(r, &p->tail);
		json_array_append(is_tail ? tail : sel, r);
		d->xmin = fmin(d->xmin, rset_num(r, x));
		d->xmax = fmax(d->xmax, rset_num(r, x));
		d->ymax = fmax(d->ymax, rset_num(r, "median_ns"));
	}
	d->scale = 1;
	d->unit = "ns";
	if (p->ylabel && d->ymax >= 1e6) {
		d->scale = 1e-6;
		d->unit = "ms";
	} else if (p->ylabel && d->ymax >= 1e4) {
		d->scale = 1e-3;
		d->unit = "us";
	}
	json_t *fields = series_fields(p, set, sel, x);
	json_t *titles = series_titles(sel, fields, x);
	json_t *tail_titles = series_titles(tail, fields, x);
	d->nseries = json_array_size(titles);
	/* Colour groups: the last field's values, or else all but the first
	 * field's, whichever divides the series evenly. */
	d->ngroup = group_size(sel, fields);
	if (d->nseries % d->ngroup) {
		json_t *first = json_array();
		json_array_append(first, json_array_get(fields, 0));
		json_array_append(first, json_array_get(fields, 0));
		size_t nfirst = group_size(sel, first); /* distinct values of the first field */
		json_decref(first);
		d->ngroup = nfirst && d->nseries % nfirst == 0 ? d->nseries / nfirst : 1;
	}
	d->ntail = json_array_size(tail_titles);
	size_t off = 0, ti;
	json_t *tv;
	d->lts[0] = '\0';
	json_array_foreach(titles, ti, tv) {
		size_t gi, pos = ti;
		json_t *gv;
		json_array_foreach(global, gi, gv) if (json_equal(gv, tv)) pos = gi;
		int w = snprintf(d->lts + off, sizeof(d->lts) - off, "%s%zu", off ? " " : "", pos + 1);
		if (w < 0 || (size_t)w >= sizeof(d->lts) - off) {
			d->lts[0] = '\0'; /* too many: the script's default order */
			break;
		}
		off += (size_t)w;
	}

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct point *pts = malloc((json_array_size(records) + 2) * sizeof(*pts));
	int ret = 0;
	if (!f || !pts) {
		ret = -ENOMEM;
		goto out;
	}
	fprintf(f, "# pfbench plot data for %s from %s.json: x = %s, y = median_ns x %g (%s), "
		   "bars = ci95_low_ns..ci95_high_ns\n", p->name, p->bench, x, d->scale, d->unit);
	bool first = true;
	write_blocks(f, sel, titles, fields, x, NULL, d->scale, pts, &first);
	write_blocks(f, tail, tail_titles, fields, x, d->ntail == 1 ? p->tail_title : NULL,
		     d->scale, pts, &first);
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
				fprintf(f, "%.10g %.10g %.10g %.10g\n", e ? d->xmax : d->xmin,
					y * d->scale, (isnan(lo) ? y : lo) * d->scale,
					(isnan(hi) ? y : hi) * d->scale);
		}
		if (b == 0)
			d->nref = json_array_size(bases);
	}
	d->nbase = json_array_size(bases);
	json_decref(bases);
out:
	free(pts);
	if (f)
		fclose(f);
	if (!ret)
		ret = text ? out_write_text(path, text, len) : -ENOMEM;
	free(text);
	json_decref(sel);
	json_decref(tail);
	json_decref(fields);
	json_decref(titles);
	json_decref(tail_titles);
	return ret;
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
			 const json_t *set, const char *name, const char *title,
			 const json_t *global)
{
	json_t *o = json_pack("{s:s, s:s}", "name", name, "from", p->bench);
	char why[600] = "";
	const json_t *records = json_object_get(set, "records");
	const char *x = x_column(p, records);
	char pdir[PATH_MAX], dat[PATH_MAX], script[PATH_MAX];
	struct plot_data d = { 0 };
	fmt(pdir, sizeof(pdir), "%s/plots", dir);
	if (!fmt(dat, sizeof(dat), "%s/%s.dat", pdir, name)) {
		fmt(why, sizeof(why), "path too long");
		goto fail;
	}
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
		fmt(why, sizeof(why), "no record has a size column (%s)", p->x[0]);
		goto fail;
	}
	int e = out_mkdirs(pdir);
	if (!e)
		e = write_data(dat, p, set, x, global, &d);
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
		char q_title[1024], q_x[256], q_y[256], ylab[256], vars[8 * PATH_MAX];
		if (!fmt(out, sizeof(out), "%s/%s.%s", pdir, name, fmts[i]) ||
		    out_tmp_name(out, tmp, sizeof(tmp))) {
			fmt(why, sizeof(why), "path too long");
			goto fail;
		}
		fmt(ylab, sizeof(ylab), p->ylabel ? p->ylabel : "median %s", d.unit);
		gp_str(q_dat, sizeof(q_dat), dat);
		gp_str(q_tmp, sizeof(q_tmp), tmp);
		gp_str(q_title, sizeof(q_title), title);
		gp_str(q_x, sizeof(q_x), p->xlabel ? p->xlabel : x);
		gp_str(q_y, sizeof(q_y), ylab);
		fmt(vars, sizeof(vars),
		    "datafile=%s; outfile=%s; fmt='%s'; nseries=%zu; hasfloor=%zu; nbase=%zu; "
		    "nref=%zu; ngroup=%zu; lts='%s'; plottitle=%s; xlab=%s; ylab=%s; logx=%d",
		    q_dat, q_tmp, fmts[i], d.nseries, d.ntail, d.nbase, d.nref, d.ngroup, d.lts, q_title,
		    q_x, q_y, d.xmin > 0 && d.xmax / d.xmin >= 16);
		if (run_gnuplot(script, vars, why, sizeof(why))) {
			unlink(tmp);
			goto fail;
		}
		e = out_commit(tmp, out);
		if (e) {
			fmt(why, sizeof(why), "%s: %s", out, strerror(-e));
			goto fail;
		}
		json_object_set_new(o, fmts[i], json_sprintf("plots/%s.%s", name, fmts[i]));
	}
	json_object_set_new(o, "data", json_sprintf("plots/%s.dat", name));
	return o;
fail:
	json_object_set_new(o, "why", json_string(why));
	return o;
}

/* A file-name-safe form of a value: "masked/16" -> "masked16". */
static void name_part(char *dst, size_t len, const char *src)
{
	size_t o = 0;
	for (; *src && o + 1 < len; src++)
		if ((*src >= 'a' && *src <= 'z') || (*src >= 'A' && *src <= 'Z') ||
		    (*src >= '0' && *src <= '9') || *src == '.' || *src == '_' || *src == '-')
			dst[o++] = *src;
	dst[o] = '\0';
}

/* One plot per combination of the spec's split fields (or one plot). */
static void make_plots(json_t *out, const char *dir, const char *scripts,
		       const struct plot_spec *p, const json_t *set)
{
	const json_t *records = json_object_get(set, "records");
	/* Every series over all the plots, so each keeps its line type. */
	const char *x = x_column(p, records);
	json_t *all = json_array(), *global;
	size_t i, c;
	json_t *r, *combo;
	json_array_foreach(records, i, r) {
		if (matches(r, p->where) && !(p->tail.field && matches(r, &p->tail)))
			json_array_append(all, r);
	}
	json_t *fields = x ? series_fields(p, set, all, x) : json_array();
	global = x ? series_titles(all, fields, x) : json_array();
	json_decref(fields);
	json_decref(all);
	/* A benchmark that recorded it ran without a vPMU (exit's
	 * context.exit.vpmu): the title says so, as its records do. */
	char ptitle[384];
	const json_t *own = json_object_get(json_object_get(set, "context"), p->bench);
	snprintf(ptitle, sizeof(ptitle), "%s%s", p->title,
		 json_is_false(json_object_get(own, "vpmu")) ?
			 " (no vPMU: KVM's PMU MSR path, not a filter lookup)" : "");
	if (!p->split[0]) {
		json_array_append_new(out, make_plot(dir, scripts, p, set, p->name, ptitle, global));
		json_decref(global);
		return;
	}
	json_t *combos = json_array();
	json_array_foreach(records, i, r) {
		if (!matches(r, p->where))
			continue;
		json_t *key = json_array();
		for (int k = 0; k < 4 && p->split[k]; k++) {
			char v[128];
			json_array_append_new(key, json_string(rset_scalar(json_object_get(r, p->split[k]),
									   v, sizeof(v))));
		}
		bool have = false;
		json_array_foreach(combos, c, combo) have |= json_equal(combo, key);
		if (have)
			json_decref(key);
		else
			json_array_append_new(combos, key);
	}
	json_array_foreach(combos, c, combo) {
		char name[256], title[512], part[128];
		size_t no = (size_t)snprintf(name, sizeof(name), "%s", p->name);
		size_t to = (size_t)snprintf(title, sizeof(title), "%s:", ptitle);
		json_t *view = json_pack("{s:O, s:[]}", "columns", json_object_get(set, "columns"),
					 "records");
		struct sel where[5] = { { NULL, NULL } };
		int k;
		for (k = 0; k < 4 && p->split[k]; k++) {
			const char *v = json_string_value(json_array_get(combo, (size_t)k));
			name_part(part, sizeof(part), v);
			if (no < sizeof(name))
				no += (size_t)snprintf(name + no, sizeof(name) - no, "-%s", part);
			if (to < sizeof(title))
				to += (size_t)snprintf(title + to, sizeof(title) - to, "%s %s=%s",
						       k ? "," : "", p->split[k], v);
			where[k] = (struct sel){ p->split[k], v };
		}
		for (int w = 0; w < 4 && p->where[w].field && k < 4; w++)
			if (p->where[w].value)
				where[k++] = p->where[w];
		json_array_foreach(records, i, r) if (matches(r, where))
			json_array_append(json_object_get(view, "records"), r);
		json_array_append_new(out, make_plot(dir, scripts, p, view, name, title, global));
		json_decref(view);
	}
	json_decref(combos);
	json_decref(global);
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
			make_plots(out, dir, scripts, &specs[i], set);
	}
	json_decref(sets);
	return out;
}
