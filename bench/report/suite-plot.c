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
#include <time.h>
#include <unistd.h>

#include "out-text.h"
#include "plot-bands.h"
#include "report-md.h"
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
	const char *split_words[4]; /* each split value in the title: "%s mode" */
	const char *split_omit[4];  /* a value left out of the file name */
	const char *series[4]; /* fields that name a series (those that vary);
				* none listed: every varying key column */
	struct sel tail;       /* series with this value drawn last, apart
				* (lookup's floor row): "hasfloor" blocks */
	const char *tail_title;
	struct sel panel;      /* series matching it go to the left panel,
				* the rest to the right (small multiples) */
	const char *panel_titles[2];
	const char *panel_ref; /* the left panel's series repeated in grey on
				* the right, for reference (or NULL) */
	const char *dash_field; /* its value picks the dash pattern, the other
				 * fields the colour */
	bool band;             /* series within BAND_PCT of the first
				* reference line are drawn as one band; without
				* one, each group within BAND_PCT of its own
				* middle at each x (cluster_bands) */
	struct base_spec base[3];
	const char *title;
	const char *xlabel, *ylabel; /* ylabel: "%s" is the unit (ns, µs, ms) */
	/* The same on a set made on arm64 (rset_is_arm64), where the
	 * mechanism has another name; NULL: as above. */
	const char *title_arm64, *xlabel_arm64, *ylabel_arm64;
};

static const struct plot_spec specs[] = {
	/* scripts/plot-lookup.gp: one plot per mode x pattern x encoding x
	 * action, the kernel's algorithms left and the other designs right,
	 * the L1-load floor dashed in both; designs that coincide are a band. */
	{ "lookup", "lookup", "plot-lookup.gp", { "size", NULL },
	  { { NULL, NULL } }, { "mode", "pattern", "encoding_name", "action" },
	  { "%s mode", "%s pattern", "%s encoding", "%s filter" }, { NULL, NULL, NULL, "allow" },
	  { "design", NULL }, { "design", "floor-l1" }, "floor: one L1 load",
	  { "kernel_replica", "yes" }, { "the kernel's algorithms", "other designs" }, "k6.3-masked",
	  NULL, true,
	  { { { { NULL, NULL } }, NULL, NULL } },
	  "Filter lookup", "filter size in entries", "time per lookup in %s", NULL, NULL, NULL },
	{ "exit", "exit", "plot-exit.gp", { "filter_size", "nevents", "size", NULL },
	  { { "group", "reprogram" }, { "filter", "installed" }, { "status", "ok" } }, { NULL },
	  { NULL }, { NULL }, { "encoding", "action", "position", NULL }, { NULL, NULL }, NULL,
	  { NULL, NULL }, { NULL, NULL }, NULL, "action", true,
	  { { { { "group", "reprogram" }, { "filter", "none" }, { "status", "ok" } },
	      NULL, "no filter (same cycle)" },
	    { { { "group", "baseline" }, { "mode", "each" }, { "status", "ok" } }, "exit", NULL } },
	  "Guest event-select WRMSR vs installed filter size",
	  "installed filter size in entries", "guest-timed round trip in %s",
	  "Guest PMEVTYPER<n>_EL0 write vs installed filter size", NULL, NULL },
	/* The limit study: cold lookups vs the limit N, a line per design,
	 * the floor (one L1 load, evicted too) dashed. */
	{ "limits", "limits", "plot-limits.gp", { "size", NULL },
	  { { "kind", "lookup" }, { "cache", "cold" } }, { NULL }, { NULL }, { NULL },
	  { "design", NULL }, { "design", "floor-l1" }, "floor-l1 (one load, evicted)",
	  { NULL, NULL }, { NULL, NULL }, NULL, NULL, false, { { { { NULL, NULL } }, NULL, NULL } },
	  "One cold lookup vs the filter limit N (exact filter of N random entries, its memory evicted)",
	  "filter limit N in entries", "time per lookup in %s", NULL, NULL, NULL },
	{ "install", "install", "plot-install.gp", { "size", "filter_size", "nevents", NULL },
	  { { "case", "valid" } }, { NULL }, { NULL }, { NULL },
	  { "encoding", "vcpus", "vcpu_state", NULL }, { NULL, NULL }, NULL, { NULL, NULL },
	  { NULL, NULL }, NULL, "encoding", true, { { { { NULL, NULL } }, NULL, NULL } },
	  "KVM_SET_PMU_EVENT_FILTER latency vs filter size",
	  "filter size in entries", "ioctl latency in %s",
	  "KVM_ARM_VCPU_PMU_V3_FILTER set-up vs number of ranges",
	  "filter size in ranges (one vCPU attribute each)",
	  "set-up time (all FILTER attributes) in %s" },
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

/* One selection (tail, panel), not a where[] list. */
static bool matches1(const json_t *rec, const struct sel *one)
{
	struct sel w[2] = { *one, { NULL, NULL } };
	return matches(rec, w);
}

/* snprintf whose truncation is acceptable (messages) or checked by the
 * caller (returns false when cut). */
__attribute__((format(printf, 3, 4))) bool plot_fmt(char *buf, size_t len, const char *f, ...)
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

/* The word for one field of a record's series name ("masked", "1 vCPU,
 * idle", "event early", "size 64"); false when the field names nothing
 * (absent, null, or vcpu_state said by vcpus). */
bool plot_field_word(const json_t *rec, const json_t *cols, const char *name, char *val, size_t len)
{
	json_t *v = json_object_get(rec, name);
	if (!v || json_is_null(v))
		return false;
	if (!strcmp(name, "vcpus"))
		rmd_vcpus_word(rec, val, len);
	else if (!strcmp(name, "vcpu_state") && rset_in_list(cols, "vcpus"))
		return false;
	else if (!strcmp(name, "position"))
		snprintf(val, len, "event %s", json_string_value(v) ? json_string_value(v) : "?");
	else if (json_is_string(v))
		rset_scalar(v, val, len);
	else {
		char n[64];
		snprintf(val, len, "%s %s", name, rset_scalar(v, n, sizeof(n)));
	}
	for (char *c = val; *c; c++)
		if (*c == '"')
			*c = '\'';
	return true;
}

/* The series a record belongs to, in words: its values of the fields that
 * vary (other than x and skip), e.g. "masked, deny, event early" or
 * "exact, 4 vCPUs, idle". */
void plot_series_title(const json_t *rec, const json_t *cols, const char *x, const char *skip,
		  char *buf, size_t len)
{
	size_t k, off = 0;
	json_t *kv;
	buf[0] = '\0';
	json_array_foreach(cols, k, kv) {
		const char *name = json_string_value(kv);
		char val[128];
		if (!strcmp(name, x) || (skip && !strcmp(name, skip)) ||
		    !plot_field_word(rec, cols, name, val, sizeof(val)))
			continue;
		int w = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", val);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	if (!off)
		snprintf(buf, len, "median");
}

int plot_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int plot_cmp_point(const void *a, const void *b)
{
	double x = ((const struct plot_point *)a)->x, y = ((const struct plot_point *)b)->x;
	return (x > y) - (x < y);
}

static size_t title_pos(const json_t *titles, const char *t)
{
	size_t i;
	json_t *v;
	json_array_foreach(titles, i, v) if (!strcmp(json_string_value(v), t)) return i;
	return (size_t)-1;
}

bool plot_has_title(const json_t *titles, const char *t)
{
	return title_pos(titles, t) != (size_t)-1;
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
 * order); skip: a field left out of the name (the colour key without the
 * dash field). */
static json_t *series_titles(const json_t *sel, const json_t *fields, const char *x,
			     const char *skip)
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
		plot_series_title(rk[i].rec, fields, x, skip, title, sizeof(title));
		if (!plot_has_title(titles, title))
			json_array_append_new(titles, json_string(title));
	}
	free(rk);
	return titles;
}

/* What stays the same over every plot of a spec, so a series keeps its
 * colour and dash from plot to plot. */
struct plot_globals {
	json_t *colours[2]; /* colour keys per panel, in order */
	json_t *dashes;     /* values of the dash field */
	char caption[512];  /* host, CPU, kernel, date, revision */
};

struct plot_data {
	size_t nseries, n1, nband, nb1, ntail, nbase; /* nb1: of the nband bands,
							* those in the left panel */
	long refidx;        /* the block of panel_ref's series, or -1 */
	size_t nref;        /* of the nbase lines, the first nref are the first
			     * base spec's (exit: "no filter"), the reference
			     * the series are read against */
	double xmin, xmax, ymin, ymax;
	double scale;       /* data are written in ns x scale */
	const char *unit;   /* "ns", "µs", "ms" */
	char lcs[512], dts[512]; /* each series' colour and dash index (1-based) */
	char bcs[256];      /* each band's colour index (its first series') */
	char xtics[1024];   /* gnuplot tic list: the sizes measured */
	int xmode;          /* x drawn as: 0 x, 1 log2(x), 2 log2(1 + x) */
	struct band_words bw; /* the subtitle's word on the bands */
	struct rset_measure m; /* the set's declared median and CI columns */
};

/* A record's median, CI ends (NAN when the set declares none). */
double plot_stat_of(const json_t *r, const char *col)
{
	return col ? rset_num(r, col) : NAN;
}

/* The colour key and dash of a record's series. */
static void series_style(const struct plot_spec *p, const struct plot_globals *g,
			 const json_t *fields, const char *x, const json_t *rec, int panel,
			 size_t *lc, size_t *dt)
{
	char key[512];
	plot_series_title(rec, fields, x, p->dash_field, key, sizeof(key));
	size_t pos = title_pos(g->colours[panel], key);
	*lc = pos == (size_t)-1 ? 0 : pos;
	*dt = 0;
	if (p->dash_field) {
		json_t *v = json_object_get(rec, p->dash_field);
		size_t i;
		json_t *d;
		json_array_foreach(g->dashes, i, d) if (json_equal(d, v ? v : json_null())) *dt = i;
	}
}

const json_t *plot_first_with_title(const json_t *sel, const json_t *fields, const char *x,
			       const char *t)
{
	size_t i;
	json_t *r;
	char title[512];
	json_array_foreach(sel, i, r) {
		plot_series_title(r, fields, x, NULL, title, sizeof(title));
		if (!strcmp(title, t))
			return r;
	}
	return NULL;
}

/* One block per title: the records of sel whose series title it is. */
static void write_blocks(FILE *f, const struct rset_measure *m, const json_t *sel,
			 const json_t *titles, const json_t *fields, const char *x, const char *rename,
			 double scale, struct plot_point *pts, bool *first)
{
	size_t i, k;
	json_t *r, *t;
	char title[512];
	json_array_foreach(titles, k, t) {
		size_t n = 0;
		json_array_foreach(sel, i, r) {
			plot_series_title(r, fields, x, NULL, title, sizeof(title));
			if (strcmp(title, json_string_value(t)))
				continue;
			double y = plot_stat_of(r, m->median);
			double lo = plot_stat_of(r, m->ci_low), hi = plot_stat_of(r, m->ci_high);
			pts[n++] = (struct plot_point){ rset_num(r, x), y * scale,
						   (isnan(lo) ? y : lo) * scale,
						   (isnan(hi) ? y : hi) * scale };
		}
		qsort(pts, n, sizeof(*pts), plot_cmp_point);
		fprintf(f, "%s\"%s\" \"median\" \"lo\" \"hi\"\n", *first ? "" : "\n\n",
			rename ? rename : json_string_value(t));
		*first = false;
		for (size_t j = 0; j < n; j++)
			fprintf(f, "%.10g %.10g %.10g %.10g\n", pts[j].x, pts[j].y, pts[j].lo, pts[j].hi);
	}
}

static void append(char *buf, size_t len, const char *fmt_, size_t v)
{
	size_t o = strlen(buf);
	if (o + 24 < len)
		snprintf(buf + o, len - o, fmt_, v);
}

/* The records p plots into sel (tail: p's tail series), their x values
 * (as text) into xs; the x and y ranges (the reference lines count in y)
 * and the unit into d. */
static void select_points(const struct plot_spec *p, const json_t *records, const char *x,
			  struct plot_data *d, json_t *sel, json_t *tail, json_t *xs)
{
	const struct rset_measure *m = &d->m;
	size_t i;
	json_t *r;
	d->xmin = d->ymin = INFINITY;
	d->xmax = d->ymax = -INFINITY;
	json_array_foreach(records, i, r) {
		double xv = rset_num(r, x), y = plot_stat_of(r, m->median), lo = plot_stat_of(r, m->ci_low);
		if (!matches(r, p->where) || !json_is_number(json_object_get(r, x)) || isnan(y))
			continue;
		bool is_tail = p->tail.field && matches1(r, &p->tail);
		json_array_append(is_tail ? tail : sel, r);
		d->xmin = fmin(d->xmin, xv);
		d->xmax = fmax(d->xmax, xv);
		d->ymax = fmax(d->ymax, fmax(y, plot_stat_of(r, m->ci_high)));
		d->ymin = fmin(d->ymin, isnan(lo) ? y : lo);
		char xb[32];
		snprintf(xb, sizeof(xb), "%.10g", xv);
		if (!rset_in_list(xs, xb))
			json_array_append_new(xs, json_string(xb));
	}
	json_array_foreach(records, i, r) {
		double y = plot_stat_of(r, m->median);
		for (int b = 0; b < 3 && p->base[b].where[0].field; b++)
			if (matches(r, p->base[b].where) && !isnan(y)) {
				d->ymax = fmax(d->ymax, y);
				d->ymin = fmin(d->ymin, y);
			}
	}
	/* The unit follows the series (the tables' rule, report-md.h). */
	double smax = 0;
	json_array_foreach(sel, i, r) smax = fmax(smax, plot_stat_of(r, m->median));
	struct rmd_unit u = rmd_unit_for(smax);
	d->scale = 1 / u.ns;
	d->unit = u.name;
}

/* x where the axis puts v (d->xmode). */
static double x_pos(const struct plot_data *d, double v)
{
	return d->xmode == 2 ? log2(1 + v) : d->xmode == 1 ? log2(v) : v;
}

/* x: log2(x), or log2(1 + x) when a size is 0, once the sizes span 16x;
 * a tic at every size measured (xs: as text). */
static void x_tics(struct plot_data *d, const json_t *xs)
{
	size_t i;
	json_t *r;
	d->xmode = d->xmax > 0 && (d->xmin > 0 ? d->xmax / d->xmin >= 16 : d->xmax >= 16)
			   ? (d->xmin > 0 ? 1 : 2) : 0;
	d->xtics[0] = '\0';
	size_t nx = json_array_size(xs), kept = 0;
	double *pos = calloc(nx ? nx : 1, sizeof(*pos)), *val = calloc(nx ? nx : 1, sizeof(*val));
	if (!pos || !val)
		goto out;
	json_array_foreach(xs, i, r) val[i] = atof(json_string_value(r));
	qsort(val, nx, sizeof(*val), plot_cmp_double);
	double all = x_pos(d, d->xmax) - x_pos(d, d->xmin), span = all > 0 ? all : 1;
	for (i = 0; i < nx; i++) {
		double pv = x_pos(d, val[i]);
		/* Tics closer than 4.5% of the axis would print over each
		 * other (256 and 300): the larger one stays. */
		if (kept && nx > 1 && pv - pos[kept - 1] < 0.045 * span) {
			if (kept > 1)
				kept--;
			else
				continue;
		}
		val[kept] = val[i];
		pos[kept++] = pv;
	}
	for (i = 0; i < kept; i++) {
		size_t o = strlen(d->xtics);
		snprintf(d->xtics + o, sizeof(d->xtics) - o, "%s\"%.10g\" %.6g", o ? ", " : "", val[i],
			 pos[i]);
	}
out:
	free(pos);
	free(val);
}

/* The reference: the first base spec's first record's median, or NAN. */
static double ref_median(const struct plot_spec *p, const json_t *records,
			 const struct rset_measure *m)
{
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		if (p->base[0].where[0].field && matches(r, p->base[0].where) &&
		    !isnan(plot_stat_of(r, m->median)))
			return plot_stat_of(r, m->median);
	}
	return NAN;
}

/* The series titles in drawing order (left panel, then right) into
 * ordered and the bands (arrays of titles, left panel's first) into bands:
 * a plot with a reference line bands the series that coincide with it
 * (ref NAN: none), one without bands each group of series that coincide
 * with one another. Each drawn series' colour and dash, and each band's
 * colour (its first series'), into d. */
static void order_series(const struct plot_spec *p, const struct plot_globals *g,
			 const json_t *sel, const json_t *fields, const json_t *titles,
			 const char *x, double ref, struct plot_data *d, json_t *ordered,
			 json_t *bands)
{
	size_t i;
	json_t *t;
	for (int panel = 0; panel < 2; panel++) {
		json_t *cand = json_array();
		json_array_foreach(titles, i, t) {
			const json_t *rec = plot_first_with_title(sel, fields, x, json_string_value(t));
			if ((p->panel.field && !matches1(rec, &p->panel)) == panel)
				json_array_append(cand, t);
		}
		if (!p->band)
			json_array_extend(ordered, cand);
		else if (p->base[0].where[0].field)
			ref_band(&d->m, sel, fields, x, cand, ref, bands, ordered);
		else
			cluster_bands(&d->m, sel, fields, x, cand, p->panel_ref, bands, ordered);
		json_decref(cand);
		if (panel == 0) {
			d->n1 = json_array_size(ordered);
			d->nb1 = json_array_size(bands);
		}
	}
	d->nseries = json_array_size(ordered);
	d->nband = json_array_size(bands);
	d->refidx = p->panel_ref && d->n1 ? (long)title_pos(ordered, p->panel_ref) : -1;
	if (d->refidx >= (long)d->n1)
		d->refidx = -1;
	d->lcs[0] = d->dts[0] = d->bcs[0] = '\0';
	json_array_foreach(ordered, i, t) {
		const json_t *rec = plot_first_with_title(sel, fields, x, json_string_value(t));
		size_t lc, dt;
		series_style(p, g, fields, x, rec, p->panel.field && !matches1(rec, &p->panel), &lc, &dt);
		append(d->lcs, sizeof(d->lcs), d->lcs[0] ? " %zu" : "%zu", lc + 1);
		append(d->dts, sizeof(d->dts), d->dts[0] ? " %zu" : "%zu", dt + 1);
	}
	json_array_foreach(bands, i, t) {
		const json_t *rec = plot_first_with_title(sel, fields, x,
						     json_string_value(json_array_get(t, 0)));
		size_t lc, dt;
		series_style(p, g, fields, x, rec, p->panel.field && !matches1(rec, &p->panel), &lc, &dt);
		append(d->bcs, sizeof(d->bcs), d->bcs[0] ? " %zu" : "%zu", lc + 1);
	}
}

/* Reference lines: the first record of each base spec's name, flat
 * across x. */
static void write_refs(FILE *f, const struct plot_spec *p, const json_t *records,
		       struct plot_data *d)
{
	json_t *bases = json_array();
	char title[512];
	size_t i;
	json_t *r;
	for (int b = 0; b < 3 && d->nseries + d->nband; b++) {
		const struct base_spec *bs = &p->base[b];
		if (!bs->where[0].field)
			break;
		json_array_foreach(records, i, r) {
			double y = plot_stat_of(r, d->m.median);
			if (!matches(r, bs->where) || isnan(y))
				continue;
			char val[128];
			if (bs->label)
				snprintf(title, sizeof(title), "baseline exit: %s",
					 rset_scalar(json_object_get(r, bs->label), val, sizeof(val)));
			else
				snprintf(title, sizeof(title), "%s", bs->fixed ? bs->fixed : "baseline");
			if (plot_has_title(bases, title))
				continue;
			json_array_append_new(bases, json_string(title));
			double lo = plot_stat_of(r, d->m.ci_low), hi = plot_stat_of(r, d->m.ci_high);
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
}

/* Writes the data file: the series (left panel, right panel), the bands
 * of coinciding series (left panel's first), the tail (floor) series, then the flat reference
 * lines. The median and its CI are the columns the set declares. */
static int write_data(const char *path, const struct plot_spec *p, const json_t *set,
		      const char *x, const struct plot_globals *g, struct plot_data *d)
{
	const json_t *records = json_object_get(set, "records");
	json_t *sel = json_array(), *tail = json_array(), *xs = json_array();
	if (!rset_measure(set, NULL, &d->m))
		memset(&d->m, 0, sizeof(d->m)); /* nothing to plot: no median */
	select_points(p, records, x, d, sel, tail, xs);
	x_tics(d, xs);
	json_decref(xs);

	json_t *fields = series_fields(p, set, sel, x);
	json_t *titles = series_titles(sel, fields, x, NULL);
	json_t *tail_titles = series_titles(tail, fields, x, NULL);
	json_t *ordered = json_array(), *bands = json_array();
	order_series(p, g, sel, fields, titles, x, ref_median(p, records, &d->m), d, ordered, bands);
	d->ntail = json_array_size(tail_titles);

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct plot_point *pts = malloc((json_array_size(records) + 2) * sizeof(*pts));
	int ret = 0;
	if (!f || !pts) {
		ret = -ENOMEM;
		goto out;
	}
	fprintf(f, "# pfbench plot data for %s from %s.json: x = %s, y = %s x %g (%s), "
		   "lo..hi = %s..%s (a band: the lowest..highest median of "
		   "the series it merges)\n", p->name, p->bench, x, d->m.median ? d->m.median : "-",
		d->scale, d->unit, d->m.ci_low ? d->m.ci_low : "-", d->m.ci_high ? d->m.ci_high : "-");
	bool first = true;
	write_blocks(f, &d->m, sel, ordered, fields, x, NULL, d->scale, pts, &first);
	write_bands(f, p->base[0].where[0].field, &d->m, d->scale, sel, bands, fields, x, &d->bw);
	write_blocks(f, &d->m, tail, tail_titles, fields, x, d->ntail == 1 ? p->tail_title : NULL,
		     d->scale, pts, &first);
	write_refs(f, p, records, d);
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
	json_decref(ordered);
	json_decref(bands);
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

/* Runs gnuplot; anything it printed on a run that succeeded (a warning:
 * a skipped data block, an unknown option) lands in warnings. */
static int run_gnuplot(const char *script, const char *vars, char *why, size_t whylen,
		       char *warnings, size_t warnlen)
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
	} else if (r.log && r.log_len && warnings[0] == '\0') {
		snprintf(warnings, warnlen, "%.*s", (int)r.log_len, r.log);
		for (char *c = warnings; *c; c++)
			if (*c == '\n')
				*c = ' ';
	}
	suite_child_res_free(&r);
	return ret;
}

static json_t *make_plot(const char *dir, const char *scripts, const struct plot_spec *p,
			 const json_t *set, const char *name, const char *title,
			 const char *subtitle, const struct plot_globals *g)
{
	json_t *o = json_pack("{s:s, s:s}", "name", name, "from", p->bench);
	char why[600] = "", warnings[600] = "";
	const json_t *records = json_object_get(set, "records");
	const char *x = x_column(p, records);
	char pdir[PATH_MAX], dat[PATH_MAX], script[PATH_MAX];
	struct plot_data d = { 0 };
	plot_fmt(pdir, sizeof(pdir), "%s/plots", dir);
	if (!plot_fmt(dat, sizeof(dat), "%s/%s.dat", pdir, name)) {
		plot_fmt(why, sizeof(why), "path too long");
		goto fail;
	}
	if (!scripts) {
		plot_fmt(why, sizeof(why), "no scripts/ directory with the gnuplot scripts "
				      "(set PFBENCH_SCRIPTS)");
		goto fail;
	}
	plot_fmt(script, sizeof(script), "%s/%s", scripts, p->script);
	if (access(script, R_OK) < 0) {
		plot_fmt(why, sizeof(why), "%s: %s", script, strerror(errno));
		goto fail;
	}
	if (!x) {
		plot_fmt(why, sizeof(why), "no record has a size column (%s)", p->x[0]);
		goto fail;
	}
	int e = out_mkdirs(pdir);
	if (!e)
		e = write_data(dat, p, set, x, g, &d);
	if (e) {
		plot_fmt(why, sizeof(why), "%s: %s", dat, strerror(-e));
		goto fail;
	}
	if (!d.nseries && !d.nband) {
		plot_fmt(why, sizeof(why), "no record with a median and a %s", x);
		goto fail;
	}
	static const char *const fmts[] = { "png", "svg" };
	for (int i = 0; i < 2; i++) {
		char out[PATH_MAX], tmp[PATH_MAX], q_dat[2 * PATH_MAX], q_tmp[2 * PATH_MAX];
		char q_title[1024], q_sub[1024], q_x[256], q_y[256], ylab[256], q_cap[1200];
		char q_p1[256], q_p2[256], q_sdir[2 * PATH_MAX], q_band[400], q_bnames[400], q_bnames2[400], vars[8 * PATH_MAX];
		if (!plot_fmt(out, sizeof(out), "%s/%s.%s", pdir, name, fmts[i]) ||
		    out_tmp_name(out, tmp, sizeof(tmp))) {
			plot_fmt(why, sizeof(why), "path too long");
			goto fail;
		}
		plot_fmt(ylab, sizeof(ylab), p->ylabel ? p->ylabel : "median (%s)", d.unit);
		gp_str(q_dat, sizeof(q_dat), dat);
		gp_str(q_tmp, sizeof(q_tmp), tmp);
		gp_str(q_title, sizeof(q_title), title);
		gp_str(q_sub, sizeof(q_sub), subtitle ? subtitle : "");
		gp_str(q_band, sizeof(q_band), d.bw.note);
		gp_str(q_bnames, sizeof(q_bnames), d.bw.names);
		gp_str(q_bnames2, sizeof(q_bnames2), d.bw.names2);
		gp_str(q_x, sizeof(q_x), p->xlabel ? p->xlabel : x);
		gp_str(q_y, sizeof(q_y), ylab);
		gp_str(q_cap, sizeof(q_cap), g->caption);
		gp_str(q_sdir, sizeof(q_sdir), scripts);
		gp_str(q_p1, sizeof(q_p1), p->panel_titles[0] ? p->panel_titles[0] : "");
		gp_str(q_p2, sizeof(q_p2), p->panel_titles[1] ? p->panel_titles[1] : "");
		plot_fmt(vars, sizeof(vars),
		    "datafile=%s; outfile=%s; fmt='%s'; nseries=%zu; n1=%zu; refidx=%ld; nband=%zu; nb1=%zu; bcs='%s'; "
		    "hasfloor=%zu; "
		    "nbase=%zu; nref=%zu; lcs='%s'; dts='%s'; plottitle=%s; subtitle=%s; "
		    "caption=%s; bandnote=%s; bandnames=%s; bandnames2=%s; ptitle1=%s; ptitle2=%s; xlab=%s; ylab=%s; xmode=%d; logy=%d; "
		    "xmin=%.10g; xmax=%.10g; ymin=%.10g; ymax=%.10g; xtl='%s'; scriptdir=%s",
		    q_dat, q_tmp, fmts[i], d.nseries, p->panel.field ? d.n1 : d.nseries, d.refidx, d.nband,
		    d.nb1, d.bcs, d.ntail, d.nbase, d.nref, d.lcs, d.dts, q_title, q_sub, q_cap, q_band, q_bnames, q_bnames2, q_p1, q_p2, q_x,
		    q_y, d.xmode, d.ymin > 0 && d.ymax / d.ymin >= 10, d.xmin, d.xmax,
		    d.ymin * d.scale, d.ymax * d.scale, d.xtics, q_sdir);
		if (run_gnuplot(script, vars, why, sizeof(why), warnings, sizeof(warnings))) {
			unlink(tmp);
			goto fail;
		}
		e = out_commit(tmp, out);
		if (e) {
			plot_fmt(why, sizeof(why), "%s: %s", out, strerror(-e));
			goto fail;
		}
		json_object_set_new(o, fmts[i], json_sprintf("plots/%s.%s", name, fmts[i]));
	}
	json_object_set_new(o, "data", json_sprintf("plots/%s.dat", name));
	if (warnings[0])
		json_object_set_new(o, "warnings", json_string(warnings));
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

/* Colour keys per panel and the dash values over every plot of the spec,
 * and the caption line. */
static void globals(struct plot_globals *g, const struct plot_spec *p, const json_t *set)
{
	const json_t *records = json_object_get(set, "records");
	const char *x = x_column(p, records);
	json_t *all[2] = { json_array(), json_array() };
	size_t i;
	json_t *r;
	g->dashes = json_array();
	json_array_foreach(records, i, r) {
		if (!matches(r, p->where) || (p->tail.field && matches1(r, &p->tail)))
			continue;
		json_array_append(all[p->panel.field && !matches1(r, &p->panel)], r);
		if (p->dash_field) {
			json_t *v = json_object_get(r, p->dash_field);
			bool have = false;
			size_t j;
			json_t *d;
			json_array_foreach(g->dashes, j, d) have |= json_equal(d, v ? v : json_null());
			if (!have)
				json_array_append(g->dashes, v ? v : json_null());
		}
	}
	for (int k = 0; k < 2; k++) {
		json_t *fields = x ? series_fields(p, set, all[k], x) : json_array();
		g->colours[k] = x ? series_titles(all[k], fields, x, p->dash_field) : json_array();
		json_decref(fields);
		json_decref(all[k]);
	}
	const json_t *ctx = json_object_get(set, "context");
	const json_t *h = json_object_get(ctx, "host");
	snprintf(g->caption, sizeof(g->caption), "%s: %s, kernel %s; %s; pfbench %s",
		 rmd_str(h, "host_id") ? rmd_str(h, "host_id") : "host -",
		 /* arm64 has no model name: libpfm4's name of its PMU says it */
		 rmd_str(h, "cpu.model_name")	 ? rmd_str(h, "cpu.model_name")
		 : rmd_str(h, "pmu.default_desc") ? rmd_str(h, "pmu.default_desc")
						  : "CPU -",
		 rmd_str(h, "kernel.release") ? rmd_str(h, "kernel.release") : "-",
		 rmd_str(ctx, "date_utc") ? rmd_str(ctx, "date_utc") : "date -",
		 rmd_str(ctx, "git_rev") ? rmd_str(ctx, "git_rev") : "-");
}

/* One plot per combination of the spec's split fields (or one plot). */
static void make_plots(json_t *out, const char *dir, const char *scripts,
		       const struct plot_spec *spec, const json_t *set)
{
	struct plot_spec arm = *spec;
	const struct plot_spec *p = spec;
	if (rset_is_arm64(set)) {
		arm.title = spec->title_arm64 ? spec->title_arm64 : spec->title;
		arm.xlabel = spec->xlabel_arm64 ? spec->xlabel_arm64 : spec->xlabel;
		arm.ylabel = spec->ylabel_arm64 ? spec->ylabel_arm64 : spec->ylabel;
		p = &arm;
	}
	const json_t *records = json_object_get(set, "records");
	size_t i, c;
	json_t *r, *combo;
	struct plot_globals g;
	globals(&g, p, set);
	/* A benchmark that recorded it ran without a vPMU (exit's
	 * context.exit.vpmu): the subtitle says so, as its records do. */
	const json_t *own = json_object_get(json_object_get(set, "context"), p->bench);
	const char *sub = json_is_false(json_object_get(own, "vpmu"))
				  ? "no vPMU: this is KVM's PMU MSR path, not a filter lookup"
				  : NULL;
	if (!p->split[0]) {
		json_array_append_new(out, make_plot(dir, scripts, p, set, p->name, p->title, sub, &g));
		goto done;
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
		char name[256], title[512], part[128], word[160];
		size_t no = (size_t)snprintf(name, sizeof(name), "%s", p->name);
		size_t to = (size_t)snprintf(title, sizeof(title), "%s:", p->title);
		/* The records of this plot, with the set's declared columns
		 * and context (the caption). */
		json_t *view = json_pack("{s:[]}", "records");
		static const char *const keep[] = { "columns", "key_columns", "context", "bench" };
		for (size_t kk = 0; kk < sizeof(keep) / sizeof(keep[0]); kk++)
			if (json_object_get(set, keep[kk]))
				json_object_set(view, keep[kk], json_object_get(set, keep[kk]));
		struct sel where[5] = { { NULL, NULL } };
		int k;
		for (k = 0; k < 4 && p->split[k]; k++) {
			const char *v = json_string_value(json_array_get(combo, (size_t)k));
			name_part(part, sizeof(part), v);
			if (no < sizeof(name) && !(p->split_omit[k] && !strcmp(v, p->split_omit[k])))
				no += (size_t)snprintf(name + no, sizeof(name) - no, "-%s", part);
			if (p->split_words[k])
				snprintf(word, sizeof(word), p->split_words[k], v);
			else
				snprintf(word, sizeof(word), "%s %s", p->split[k], v);
			if (to < sizeof(title))
				to += (size_t)snprintf(title + to, sizeof(title) - to, "%s %s",
						       k ? "," : "", word);
			where[k] = (struct sel){ p->split[k], v };
		}
		for (int w = 0; w < 4 && p->where[w].field && k < 4; w++)
			if (p->where[w].value)
				where[k++] = p->where[w];
		json_array_foreach(records, i, r) if (matches(r, where))
			json_array_append(json_object_get(view, "records"), r);
		json_array_append_new(out, make_plot(dir, scripts, p, view, name, title, sub, &g));
		json_decref(view);
	}
	json_decref(combos);
done:
	json_decref(g.colours[0]);
	json_decref(g.colours[1]);
	json_decref(g.dashes);
}

json_t *suite_plots(const char *dir)
{
	json_t *out = json_array();
	json_t *sets = NULL;
	char err[512];
	/* What can be read is plotted; damage is the report's to name. */
	json_t *problems = json_array();
	int e = rset_load_dir(dir, &sets, problems, err, sizeof(err));
	json_decref(problems);
	if (e)
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

int suite_meta_set_plots(const char *dir, const json_t *made, char *err, size_t errlen)
{
	json_t *meta = NULL, *problems = json_array();
	int e = rset_load_meta(dir, &meta, problems, err, errlen);
	json_decref(problems);
	if (e || !meta)
		return e; /* damage is the report's to name; no metadata, nothing to say */
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	json_object_set_new(meta, "plots", json_deep_copy(made));
	json_object_set_new(meta, "plots_redrawn_utc", json_string(now));
	/* The suite's own layout (cmd-suite.c write_meta), one rename. */
	char *text = json_dumps(meta, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(meta);
	if (!text) {
		snprintf(err, errlen, "%s/metadata.json: out of memory", dir);
		return -ENOMEM;
	}
	size_t len = strlen(text);
	text[len] = '\n'; /* replaces the NUL json_dumps ended with */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/metadata.json", dir);
	e = out_write_text(path, text, len + 1);
	free(text);
	if (e)
		snprintf(err, errlen, "%s: %s", path, strerror(-e));
	return e;
}
