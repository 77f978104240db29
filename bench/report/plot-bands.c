/* plot-bands.c — the bands of a suite plot (see plot-bands.h): which
 * series coincide and are drawn as one band, the band's envelope block in
 * the plot's data file, and its name in the legend and on the subtitle. */
#include "plot-bands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Series whose every median is within this many percent of the reference
 * ("no filter"), or of their group's middle, coincide: one band, named in
 * the legend. */
#define BAND_PCT 5

/* The middle of every series at x = xv: the median of sel's medians
 * there (the reference of a band when the plot has no reference line). */
static double center_at(const struct rset_measure *m, const json_t *sel, const char *x,
			double xv)
{
	double v[512];
	size_t n = 0, i;
	json_t *r;
	json_array_foreach(sel, i, r) {
		double med = plot_stat_of(r, m->median);
		if (rset_num(r, x) == xv && !isnan(med) && n < 512)
			v[n++] = med;
	}
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), plot_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Whether every point of series t lies within BAND_PCT of ref (NAN: of
 * the middle of all series at that x, center_at()). */
static bool coincides(const struct rset_measure *m, const json_t *sel, const json_t *fields,
		      const char *x, const char *t, double ref)
{
	size_t i;
	json_t *r;
	char title[512];
	json_array_foreach(sel, i, r) {
		plot_series_title(r, fields, x, NULL, title, sizeof(title));
		if (strcmp(title, t))
			continue;
		/* no reference (NAN): the middle of all series at this x */
		double c = isnan(ref) ? center_at(m, sel, x, rset_num(r, x)) : ref;
		if (!(fabs(plot_stat_of(r, m->median) / c - 1) * 100 <= BAND_PCT))
			return false;
	}
	return true;
}

/* Characters of a band's name in the legend; a longer name is said in
 * the subtitle, the legend naming as many series as fit and "+N more". */
#define BAND_NAME_MAX 40
/* Characters of the names said on a title line (about the plot's width). */
#define BAND_LINE_MAX 84

static bool any_comma(const json_t *words)
{
	size_t i;
	json_t *w;
	json_array_foreach(words, i, w) if (strchr(json_string_value(w), ',')) return true;
	return false;
}

/* The length of the words every one of several values starts with ("event
 * " of "event early", "event late"), 0 when none or one value. */
static size_t word_prefix(const json_t *vals)
{
	const char *first = json_string_value(json_array_get(vals, 0));
	size_t n = 0, i;
	json_t *v;
	if (json_array_size(vals) < 2)
		return 0;
	for (const char *sp = strchr(first, ' '); sp; sp = strchr(sp + 1, ' ')) {
		bool all = true;
		json_array_foreach(vals, i, v) all = all && !strncmp(json_string_value(v), first,
								     (size_t)(sp - first) + 1);
		if (!all)
			break;
		n = (size_t)(sp - first) + 1;
	}
	return n;
}

/* Splits "1 vCPU, idle" at ", " into parts appended to out. */
static void word_parts(const char *w, json_t *out)
{
	for (const char *c; (c = strstr(w, ", ")); w = c + 2)
		json_array_append_new(out, json_stringn(w, (size_t)(c - w)));
	json_array_append_new(out, json_string(w));
}

/* A band's names as columns of words, one array per column holding each
 * series' word: a field's word ("" when it names nothing), or, when every
 * series' word of a field has as many comma-separated parts, one column
 * per part ("1 vCPU, idle" and "4 vCPUs, idle": "1 vCPU"/"4 vCPUs", "idle"). */
static json_t *band_columns(const json_t *sel, const json_t *fields, const char *x,
			    const json_t *band)
{
	json_t *cols = json_array(), *fv, *t;
	size_t f, i;
	json_array_foreach(fields, f, fv) {
		json_t *parts = json_array(); /* per series: its parts */
		size_t np = (size_t)-1;
		bool same = true;
		json_array_foreach(band, i, t) {
			const json_t *rec = plot_first_with_title(sel, fields, x, json_string_value(t));
			char w[128] = "";
			if (strcmp(json_string_value(fv), x))
				plot_field_word(rec, fields, json_string_value(fv), w, sizeof(w));
			json_t *p = json_array();
			word_parts(w, p);
			same = same && (np == (size_t)-1 || np == json_array_size(p));
			np = json_array_size(p);
			json_array_append_new(parts, p);
		}
		for (size_t k = 0; k < (same ? np : 1); k++) {
			json_t *col = json_array(), *p;
			json_array_foreach(parts, i, p) {
				char w[256] = "";
				for (size_t j = 0; !same && j < json_array_size(p); j++)
					snprintf(w + strlen(w), sizeof(w) - strlen(w), "%s%s", j ? ", " : "",
						 json_string_value(json_array_get(p, j)));
				json_array_append_new(col, same ? json_copy(json_array_get(p, k))
								: json_string(w));
			}
			json_array_append_new(cols, col);
		}
		json_decref(parts);
	}
	return cols;
}

/* Whether a band's series are every combination of their names' words
 * (band_columns); then its name column by column into buf ("exact/masked,
 * no vCPU", "masked, 1 vCPU/4 vCPUs, idle"; with one word in the names:
 * "table2, hash"). */
static bool band_factored(const json_t *sel, const json_t *fields, const char *x,
			  const json_t *band, char *buf, size_t len)
{
	json_t *cols = band_columns(sel, fields, x, band), *col, *t;
	json_t *vals = json_array(); /* per column: its distinct words */
	size_t c, i, product = 1, named = 0;
	bool ok = true;
	json_array_foreach(cols, c, col) {
		json_t *v = json_array();
		json_array_foreach(col, i, t) if (!rset_in_list(v, json_string_value(t)))
			json_array_append(v, t);
		/* a word some series have and others not, or words with a
		 * comma, read wrong joined by "/": a list */
		ok = ok && (json_array_size(v) == 1 || (!rset_in_list(v, "") && !any_comma(v)));
		product *= json_array_size(v);
		named += !rset_in_list(v, "");
		json_array_append_new(vals, v);
	}
	ok = ok && product == json_array_size(band);
	buf[0] = '\0';
	json_array_foreach(vals, c, col) {
		if (!ok || rset_in_list(col, ""))
			continue;
		size_t o = strlen(buf), pre = word_prefix(col);
		snprintf(buf + o, len - o, "%s", o ? ", " : "");
		/* a word they all start with once: "event early/late" */
		json_array_foreach(col, i, t) {
			o = strlen(buf);
			snprintf(buf + o, len - o, "%s%s", i ? (named > 1 ? "/" : ", ") : "",
				 json_string_value(t) + (i ? pre : 0));
		}
	}
	json_decref(vals);
	json_decref(cols);
	return ok && buf[0];
}

/* A band's series from the from-th on, one after another ("a; b; c", or
 * with one field in the names "a, b, c"), as many as fit in max
 * characters, then "+N more"; returns the index after the last named. */
static size_t band_list(const json_t *band, size_t from, size_t max, char *buf, size_t len)
{
	size_t n = json_array_size(band), i;
	json_t *t;
	bool one_field = true;
	json_array_foreach(band, i, t) one_field = one_field && !strchr(json_string_value(t), ',');
	buf[0] = '\0';
	for (i = from; i < n; i++) {
		const char *name = json_string_value(json_array_get(band, i));
		size_t o = strlen(buf);
		/* room for this one, and for "+N more" unless it is the last */
		if (i > from && o + strlen(name) + 2 + (i + 1 < n ? 10 : 0) > max) {
			snprintf(buf + o, len - o, " +%zu more", n - i);
			return i;
		}
		snprintf(buf + o, len - o, "%s%s", i > from ? (one_field ? ", " : "; ") : "", name);
	}
	return n;
}

/* A band's legend title into legend ("exact/masked, no vCPU (band)"); when
 * the names do not fit there, what it leaves out into more ("12 filter
 * series: exact/masked, allow/deny, ..." or "a +2 more: b; c"), else "". */
static void band_name(const json_t *sel, const json_t *fields, const char *x, const json_t *band,
		      const char *what, char *legend, size_t len, char *more, size_t morelen)
{
	char name[1024], list[1024], rest[1024];
	band_list(band, 0, sizeof(list) - 1, list, sizeof(list));
	/* factored only when that says it shorter (not with one word each) */
	bool factored = band_factored(sel, fields, x, band, name, sizeof(name)) &&
			strlen(name) < strlen(list);
	const char *all = factored ? name : list;
	more[0] = '\0';
	if (strlen(all) <= BAND_NAME_MAX) {
		plot_fmt(legend, len, "%s (band)", all);
		return;
	}
	if (factored) {
		plot_fmt(legend, len, "%zu %sseries (band)", json_array_size(band), what);
		plot_fmt(more, morelen, "%zu %sseries: %s", json_array_size(band), what, name);
		return;
	}
	size_t k = band_list(band, 0, BAND_NAME_MAX, list, sizeof(list));
	/* two title lines as wide as the plot at most (less what wrapping
	 * them may lose at the end of the first): the rest in the .dat */
	band_list(band, k, 2 * BAND_LINE_MAX - strlen(list) - 16, rest, sizeof(rest));
	plot_fmt(legend, len, "%s (band)", list);
	plot_fmt(more, morelen, "%s: %s", list, rest); /* cut: names the .dat has */
}

/* The envelope of the band series: per x, the lowest and highest median. */
static void write_band(FILE *f, const struct rset_measure *m, const json_t *sel,
		       const json_t *band, const json_t *fields, const char *x, double scale,
		       const char *title)
{
	size_t n = 0, i;
	json_t *r;
	char t[512];
	struct plot_point *pts = malloc((json_array_size(sel) + 1) * sizeof(*pts));
	if (!pts)
		return;
	json_array_foreach(sel, i, r) {
		plot_series_title(r, fields, x, NULL, t, sizeof(t));
		if (!plot_has_title(band, t))
			continue;
		double xv = rset_num(r, x), y = plot_stat_of(r, m->median) * scale;
		size_t j;
		for (j = 0; j < n && pts[j].x != xv; j++)
			;
		if (j == n)
			pts[n++] = (struct plot_point){ xv, y, y, y };
		pts[j].lo = fmin(pts[j].lo, y);
		pts[j].hi = fmax(pts[j].hi, y);
	}
	qsort(pts, n, sizeof(*pts), plot_cmp_point);
	fprintf(f, "\n\n# band of %zu series:", json_array_size(band));
	json_array_foreach(band, i, r) fprintf(f, "%s \"%s\"", i ? "," : "", json_string_value(r));
	fprintf(f, "\n\"%s\" \"median\" \"lo\" \"hi\"\n", title);
	for (size_t j = 0; j < n; j++)
		fprintf(f, "%.10g %.10g %.10g %.10g\n", pts[j].x, (pts[j].lo + pts[j].hi) / 2,
			pts[j].lo, pts[j].hi);
	free(pts);
}

/* The records of sel whose series title is one of ts. */
static json_t *records_of(const json_t *sel, const json_t *fields, const char *x, const json_t *ts)
{
	json_t *out = json_array(), *r;
	size_t i;
	char title[512];
	json_array_foreach(sel, i, r) {
		plot_series_title(r, fields, x, NULL, title, sizeof(title));
		if (plot_has_title(ts, title))
			json_array_append(out, r);
	}
	return out;
}

/* Whether every series of group lies within BAND_PCT of the group's own
 * middle at each x. */
static bool group_coincides(const struct rset_measure *m, const json_t *sel, const json_t *fields,
			    const char *x, const json_t *group)
{
	json_t *sub = records_of(sel, fields, x, group), *t;
	size_t i;
	bool ok = true;
	json_array_foreach(group, i, t) ok = ok && coincides(m, sub, fields, x, json_string_value(t), NAN);
	json_decref(sub);
	return ok;
}

struct level {
	double level; /* the mean log of a series' medians */
	json_t *title;
};

static int cmp_level(const void *a, const void *b)
{
	double x = ((const struct level *)a)->level, y = ((const struct level *)b)->level;
	return (x > y) - (x < y);
}

/* The titles of cand that are in group, in cand's order. */
static json_t *in_order(const json_t *cand, const json_t *group)
{
	json_t *out = json_array(), *t;
	size_t i;
	json_array_foreach(cand, i, t) if (plot_has_title(group, json_string_value(t))) json_array_append(out, t);
	return out;
}

/* cand's series grouped, lowest first, into runs that coincide
 * (group_coincides): each run of more than one is a band (appended to
 * bands, in cand's order), the rest go to rest in cand's order. keep (or
 * NULL) is never banded (lookup's reference design). */
void cluster_bands(const struct rset_measure *m, const json_t *sel, const json_t *fields,
		   const char *x, const json_t *cand, const char *keep, json_t *bands, json_t *rest)
{
	size_t n = json_array_size(cand), i, k = 0;
	struct level *l = calloc(n ? n : 1, sizeof(*l));
	json_t *banded = json_array(), *group = json_array(), *t;
	json_array_foreach(cand, i, t) {
		json_t *one = json_pack("[O]", t), *sub = records_of(sel, fields, x, one), *r;
		double sum = 0, cnt = 0;
		size_t j;
		json_array_foreach(sub, j, r) {
			sum += log(plot_stat_of(r, m->median));
			cnt++;
		}
		if (l && !(keep && !strcmp(keep, json_string_value(t))))
			l[k++] = (struct level){ cnt ? sum / cnt : 0, t };
		json_decref(one);
		json_decref(sub);
	}
	if (l)
		qsort(l, k, sizeof(*l), cmp_level);
	for (i = 0; i <= k; i++) {
		if (i < k) {
			json_t *trial = json_copy(group);
			json_array_append(trial, l[i].title);
			if (group_coincides(m, sel, fields, x, trial)) {
				json_decref(group);
				group = trial;
				continue;
			}
			json_decref(trial);
		}
		if (json_array_size(group) > 1) {
			json_array_append_new(bands, in_order(cand, group));
			json_array_extend(banded, group);
		}
		json_array_clear(group);
		if (i < k)
			json_array_append(group, l[i].title);
	}
	json_array_foreach(cand, i, t) if (!plot_has_title(banded, json_string_value(t))) json_array_append(rest, t);
	free(l);
	json_decref(group);
	json_decref(banded);
}

/* cand's series whose every median lies within BAND_PCT of ref: one band
 * when more than one (into bands), the rest into rest. */
void ref_band(const struct rset_measure *m, const json_t *sel, const json_t *fields,
	      const char *x, const json_t *cand, double ref, json_t *bands, json_t *rest)
{
	json_t *band = json_array(), *t;
	size_t i;
	json_array_foreach(cand, i, t) {
		if (!isnan(ref) && coincides(m, sel, fields, x, json_string_value(t), ref))
			json_array_append(band, t);
	}
	if (json_array_size(band) < 2) /* one series alone is drawn as a line */
		json_array_clear(band);
	json_array_foreach(cand, i, t) if (!plot_has_title(band, json_string_value(t))) json_array_append(rest, t);
	if (json_array_size(band))
		json_array_append(bands, band);
	json_decref(band);
}

/* Where to break names to fit max characters: after the last "; " (else
 * ", ", else " ") before max; strlen(names) when it fits or cannot break. */
static size_t break_at(const char *names, size_t max)
{
	static const char *const seps[] = { "; ", ", ", " " };
	size_t n = strlen(names), cut = n;
	for (int k = 0; n > max && k < 3 && cut == n; k++)
		for (const char *s = strstr(names, seps[k]); s && (size_t)(s - names) < max;
		     s = strstr(s + 1, seps[k]))
			cut = (size_t)(s - names) + 1;
	return cut;
}

/* names on two lines of at most BAND_LINE_MAX characters; what does not
 * fit in two is cut, said by "...". */
static void wrap_names(const char *names, char *l1, char *l2, size_t len)
{
	size_t cut = break_at(names, BAND_LINE_MAX);
	const char *rest = names + cut + (names[cut] == ' ');
	snprintf(l1, len, "%.*s", (int)cut, names);
	size_t cut2 = break_at(rest, BAND_LINE_MAX - 4);
	snprintf(l2, len, "%.*s%s", (int)cut2, rest, rest[cut2] ? " ..." : "");
}

/* Each band's block, named (band_name), and the subtitle's word on the
 * bands: the rule, and the names a legend entry had no room for. */
void write_bands(FILE *f, bool has_ref, const struct rset_measure *m, double scale,
		 const json_t *sel, const json_t *bands, const json_t *fields, const char *x,
		 struct band_words *w)
{
	size_t i, o, nband = json_array_size(bands);
	json_t *band;
	char names[2 * BAND_LINE_MAX + 8] = "";
	w->note[0] = w->names[0] = w->names2[0] = '\0';
	if (!nband)
		return;
	if (has_ref)
		snprintf(w->note, sizeof(w->note), "band: %zu filter series whose medians "
			 "lie within %d%% of no filter at every size",
			 json_array_size(json_array_get(bands, 0)), BAND_PCT);
	else
		snprintf(w->note, sizeof(w->note), "band%s: series whose medians lie "
			 "within %d%% of their middle at every size", nband > 1 ? "s" : "", BAND_PCT);
	json_array_foreach(bands, i, band) {
		char legend[256], full[1024];
		band_name(sel, fields, x, band, has_ref ? "filter " : "", legend, sizeof(legend), full,
			  sizeof(full)); /* full: what the legend had no room for */
		o = strlen(names);
		/* names too long for the subtitle too are in the .dat only */
		if (full[0] && o + strlen(full) + 3 < 2 * BAND_LINE_MAX)
			plot_fmt(names + o, sizeof(names) - o, "%s%s", o ? "; " : "", full);
		write_band(f, m, sel, band, fields, x, scale, legend);
	}
	wrap_names(names, w->names, w->names2, sizeof(w->names));
}

