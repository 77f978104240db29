/* compare-render.c — cmp_render() (compare.h): which records pair up (key
 * columns, --ignore, --pair), the ambiguity check, and the Markdown table
 * with its verdict summary. The ratios themselves are compare.c's. */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "rset.h"

/* ---- the header ---- */

/* host, date and revision of one input: the result directory's
 * metadata.json when there is one (the run's start, not a stage's time),
 * else the first set's context. */
static void context_line(FILE *out, const char *label, const struct cmp_input *in,
			 const struct cmp_opts *o, const char *pair_v)
{
	const json_t *ctx = json_object_get(json_array_get(in->sets, 0), "context");
	const char *host = json_string_value(json_object_get(json_object_get(ctx, "host"), "host_id"));
	const char *date = json_string_value(json_object_get(ctx, "date_utc"));
	const char *rev = json_string_value(json_object_get(ctx, "git_rev"));
	const char *date_what = json_array_size(in->sets) > 1 ? "first set " : "";
	if (in->meta) {
		const json_t *m = in->meta;
		const char *h = json_string_value(json_object_get(m, "host_id"));
		const char *d = json_string_value(json_object_get(m, "started_utc"));
		const char *r = json_string_value(json_object_get(json_object_get(m, "context"),
								  "git_rev"));
		host = h ? h : host;
		rev = r ? r : rev;
		if (d) {
			date = d;
			date_what = "run started ";
		}
	}
	fprintf(out, "- **%s**: ", label);
	if (o->pair_col)
		fprintf(out, "%s=%s in ", o->pair_col, pair_v);
	fprintf(out, "`%s`", in->path);
	if (host)
		fprintf(out, ", host %s", host);
	if (date)
		fprintf(out, ", %s%s", date_what, date);
	if (rev)
		fprintf(out, ", pfbench %s", rev);
	fputc('\n', out);
}

/* ---- matching ---- */

static void key_text(FILE *out, const json_t *rec, const json_t *keys)
{
	size_t k;
	json_t *kv;
	char buf[256];
	json_array_foreach(keys, k, kv) {
		const char *name = json_string_value(kv);
		fprintf(out, "%s%s=%s", k ? ", " : "", name,
			rset_scalar(json_object_get(rec, name), buf, sizeof(buf)));
	}
}

/* A record's identity over keys, as text (each value JSON-encoded, so 1,
 * 1.0 and "1" differ as json_equal says). malloc'd. */
static char *key_id(const json_t *rec, const json_t *keys)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	size_t k;
	json_t *kv;
	json_array_foreach(keys, k, kv) {
		json_t *v = json_object_get(rec, json_string_value(kv));
		char *t = json_dumps(v ? v : json_null(), JSON_ENCODE_ANY | JSON_COMPACT);
		fprintf(f, "%s\x1f", t ? t : "?");
		free(t);
	}
	fclose(f);
	return buf;
}

/* key id -> array of the records with that key. */
static json_t *index_records(const json_t *records, const json_t *keys)
{
	json_t *idx = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		char *t = key_id(r, keys);
		if (!t)
			continue;
		json_t *e = json_object_get(idx, t);
		if (!e)
			json_object_set_new(idx, t, e = json_array());
		json_array_append(e, r);
		free(t);
	}
	return idx;
}

/* The records of index with rec's key (borrowed; NULL when none). */
static const json_t *matches(const json_t *index, const json_t *rec, const json_t *keys)
{
	char *t = key_id(rec, keys);
	json_t *e = t ? json_object_get(index, t) : NULL;
	free(t);
	return e;
}

/* The records whose col prints as value (rset_scalar). New array. */
static json_t *with_value(const json_t *records, const char *col, const char *value)
{
	json_t *out = json_array();
	size_t i;
	json_t *r;
	char buf[256];
	json_array_foreach(records, i, r) {
		if (!strcmp(rset_scalar(json_object_get(r, col), buf, sizeof(buf)), value))
			json_array_append(out, r);
	}
	return out;
}

static bool has_column(const json_t *records, const char *col)
{
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) if (json_object_get(r, col)) return true;
	return false;
}

/* The distinct printed values of col over records, comma-separated. */
static void list_values(FILE *out, const json_t *records, const char *col)
{
	json_t *seen = json_array();
	size_t i;
	json_t *r;
	char buf[256];
	json_array_foreach(records, i, r) {
		const char *v = rset_scalar(json_object_get(r, col), buf, sizeof(buf));
		if (!rset_in_list(seen, v)) {
			fprintf(out, "%s%s", json_array_size(seen) ? ", " : "", v);
			json_array_append_new(seen, json_string(v));
		}
	}
	json_decref(seen);
}

/* The columns (keys and context, not measures or outcomes) telling rows
 * of set apart. */
static void differing_columns(FILE *out, const json_t *set, const json_t *rows)
{
	json_t *cols = rset_role_columns(set, 1u << COL_KEY | 1u << COL_CONTEXT, NULL);
	json_t *vary = rset_varying(rows, cols);
	size_t k;
	json_t *kv;
	json_array_foreach(vary, k, kv) fprintf(out, "%s%s", k ? ", " : "", json_string_value(kv));
	if (!json_array_size(vary))
		fprintf(out, "no column (duplicate records)");
	json_decref(cols);
	json_decref(vary);
}

/* Every row of A must meet at most one row of B and share its key with no
 * other row of A. Else -EINVAL and a message naming what tells the rows
 * apart. */
static int check_unique(const char *bench, const json_t *set, const json_t *ra, const json_t *idxa,
			const json_t *idxb, const json_t *keys, const struct cmp_opts *o,
			char *err, size_t errlen)
{
	size_t i;
	json_t *r;
	json_array_foreach(ra, i, r) {
		const json_t *mb = matches(idxb, r, keys), *ma = matches(idxa, r, keys);
		if (!mb || (json_array_size(mb) < 2 && json_array_size(ma) < 2))
			continue;
		bool b_side = json_array_size(mb) > 1;
		char *msg = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&msg, &len);
		if (!f)
			return -ENOMEM;
		if (b_side)
			fprintf(f, "%s: the row of A with ", bench);
		else
			fprintf(f, "%s: %zu rows of A share ", bench, json_array_size(ma));
		key_text(f, r, keys);
		if (!json_array_size(keys))
			fprintf(f, "(no key columns left)");
		if (b_side)
			fprintf(f, " matches %zu rows of B, which differ in ", json_array_size(mb));
		else
			fprintf(f, " (they differ in ");
		differing_columns(f, set, b_side ? mb : ma);
		fprintf(f, "%s; keep such a column in the match (leave it out of --ignore)%s",
			b_side ? "" : ")", o->pair_col ? "" : " or compare two of its values with "
							   "--pair COL=VA,VB");
		fclose(f);
		snprintf(err, errlen, "%s", msg ? msg : bench);
		free(msg);
		return -EINVAL;
	}
	return 0;
}

/* ---- the table ---- */

/* Whether rec holds the median its set declares (m: rset_measure). */
static bool timed(const json_t *rec, const struct rset_measure *m)
{
	return m->median && json_is_number(json_object_get(rec, m->median));
}

struct notes {
	bool record_ci, none, boot, runs;
	/* cells with -r run medians on one side only (A's, B's): their CI
	 * is the within-run bootstrap; said once, in the header */
	size_t runs_only_a, runs_only_b;
	json_t *rows;      /* every compared timed pair, for the summary,
			    * the top lists, JSON and CSV */
	const char *bench; /* the set being compared */
	const json_t *set; /* its side A, for its control rows */
	struct cmp_control ctl[CMP_MAX_CONTROLS]; /* the control groups */
	size_t nctl;
};

static const char *const method_words[] = {
	[CMP_BOOTSTRAP] = "bootstrap",
	[CMP_RUNS] = "runs",
	[CMP_RECORD_CI] = "record CIs",
	[CMP_NONE] = "none",
};


static void count(struct cmp_counts *c, const struct cmp_ratio *r)
{
	switch (r->verdict) {
	case CMP_SIGNIFICANT:
		if (r->ratio < 1)
			c->faster++;
		else
			c->slower++;
		break;
	case CMP_SMALL:
		c->small++;
		break;
	case CMP_WITHIN_NOISE:
		c->noise++;
		break;
	case CMP_NO_CI:
		c->no_ci++;
		break;
	}
}

/* The row for the summary and the other formats: what was measured (the
 * shown key columns) and the ratio. New reference. */
static json_t *row_json(const json_t *ra, const json_t *shown, const struct cmp_ratio *r,
			const char *bench)
{
	json_t *key = json_object(), *kv;
	size_t k;
	json_array_foreach(shown, k, kv) {
		json_t *v = json_object_get(ra, json_string_value(kv));
		json_object_set(key, json_string_value(kv), v ? v : json_null());
	}
	json_t *jrow = json_pack("{s:s, s:o, s:f, s:f, s:f, s:f, s:s, s:s}", "bench", bench, "key",
				 key, "a_median_ns", r->a_median, "b_median_ns", r->b_median, "ratio",
				 r->ratio, "ratio_log", log(r->ratio), "ci_from",
				 method_words[r->method], "verdict", cmp_verdict_name(r->verdict));
	if (!jrow)
		return NULL;
	if (!isnan(r->a_n))
		json_object_set_new(jrow, "a_n", json_real(r->a_n));
	if (!isnan(r->b_n))
		json_object_set_new(jrow, "b_n", json_real(r->b_n));
	if (r->a_runs)
		json_object_set_new(jrow, "a_runs", json_integer((json_int_t)r->a_runs));
	if (r->b_runs)
		json_object_set_new(jrow, "b_runs", json_integer((json_int_t)r->b_runs));
	if (r->method != CMP_NONE) {
		json_object_set_new(jrow, "ci95_low", json_real(r->lo));
		json_object_set_new(jrow, "ci95_high", json_real(r->hi));
	}
	if (r->method == CMP_RUNS)
		json_object_set_new(jrow, "df", json_real(r->df));
	return jrow;
}

/* "12.3 (400)", or with CMP_RUNS the run medians' geometric mean and
 * how many runs: "12.3 (3 runs)". */
static const char *side_cell(double median, double n, size_t runs, bool by_runs, char *buf,
			     size_t len)
{
	char m[64], c[64];
	rset_fmt_num(median, m, sizeof(m));
	if (by_runs)
		snprintf(buf, len, "%s (%zu runs)", m, runs);
	else
		snprintf(buf, len, "%s (%s)", m, rset_fmt_num(n, c, sizeof(c)));
	return buf;
}

static void render_row(FILE *out, const json_t *ra, const json_t *rb, const json_t *shown,
		       const json_t *ign_shown, const struct cmp_opts *o, size_t row,
		       struct notes *nt, struct cmp_counts *c)
{
	struct cmp_opts ro = *o;
	ro.seed = o->seed + 0x9e3779b97f4a7c15ULL * (row + 1);
	struct cmp_ratio r;
	int err = cmp_records(ra, rb, &ro, &r);
	char b1[128], b2[128];
	size_t k;
	json_t *kv;
	fputc('|', out);
	json_array_foreach(shown, k, kv) {
		fprintf(out, " %s |", rset_scalar(json_object_get(ra, json_string_value(kv)), b1,
						   sizeof(b1)));
	}
	json_array_foreach(ign_shown, k, kv) {
		const char *name = json_string_value(kv);
		rset_scalar(json_object_get(ra, name), b1, sizeof(b1));
		rset_scalar(json_object_get(rb, name), b2, sizeof(b2));
		if (strcmp(b1, b2))
			fprintf(out, " %s → %s |", b1, b2);
		else
			fprintf(out, " %s |", b1);
	}
	bool by_runs = !err && r.method == CMP_RUNS;
	fprintf(out, " %s | %s |", side_cell(r.a_median, r.a_n, r.a_runs, by_runs, b1, sizeof(b1)),
		side_cell(r.b_median, r.b_n, r.b_runs, by_runs, b2, sizeof(b2)));
	if (err) {
		fprintf(out, " - | - | - | no median to compare |\n");
		nt->none = true;
		c->no_ci++;
		return;
	}
	fprintf(out, " %.3f |", r.ratio);
	switch (r.method) {
	case CMP_BOOTSTRAP:
		fprintf(out, " %.3f – %.3f | bootstrap |", r.lo, r.hi);
		nt->boot = true;
		break;
	case CMP_RUNS:
		fprintf(out, " %.3f – %.3f | runs |", r.lo, r.hi);
		nt->runs = true;
		break;
	case CMP_RECORD_CI:
		fprintf(out, " %.3f – %.3f | record CIs † |", r.lo, r.hi);
		nt->record_ci = true;
		break;
	case CMP_NONE:
		fprintf(out, " - | none ‡ |");
		nt->none = true;
		break;
	}
	fprintf(out, " %s |\n", cmp_verdict_name(r.verdict));
	if (r.method != CMP_RUNS) {
		nt->runs_only_a += r.a_runs >= 2 && r.b_runs < 2;
		nt->runs_only_b += r.b_runs >= 2 && r.a_runs < 2;
	}
	count(c, &r);
	json_t *jrow = row_json(ra, shown, &r, nt->bench);
	char grp[64];
	if (jrow && cmp_control_group(nt->set, ra, o, grp, sizeof(grp)))
		json_object_set_new(jrow, "control_group", json_string(grp));
	json_array_append_new(nt->rows, jrow);
}

static void summary_line(FILE *out, const struct cmp_counts *c, double t)
{
	size_t sig = c->faster + c->slower;
	fprintf(out, "%zu significant (%zu B faster, %zu B slower), %zu small, %zu within noise",
		sig, c->faster, c->slower, c->small, c->noise);
	if (c->no_ci)
		fprintf(out, ", %zu without a CI", c->no_ci);
	fprintf(out, " — threshold ±%g%%", t * 100);
}

static void add_counts(struct cmp_counts *to, const struct cmp_counts *c)
{
	to->matched += c->matched;
	to->faster += c->faster;
	to->slower += c->slower;
	to->small += c->small;
	to->noise += c->noise;
	to->no_ci += c->no_ci;
}

/* The union of a and b's key columns minus ignore. New array. */
static json_t *match_keys(const json_t *sa, const json_t *sb, const json_t *ignore)
{
	json_t *keys = rset_set_keys(sa, ignore), *kb = rset_set_keys(sb, ignore);
	size_t i;
	json_t *v;
	json_array_foreach(kb, i, v) {
		if (!rset_in_list(keys, json_string_value(v)))
			json_array_append(keys, v);
	}
	json_decref(kb);
	return keys;
}

struct bench_ctx {
	const char *bench;
	json_t *ra, *rb;       /* the two sides' records */
	json_t *keys, *ignore; /* matched on / left out (--ignore + the paired column) */
	json_t *idxa, *idxb;
};

static void bench_free(struct bench_ctx *b)
{
	json_decref(b->ra);
	json_decref(b->rb);
	json_decref(b->keys);
	json_decref(b->ignore);
	json_decref(b->idxa);
	json_decref(b->idxb);
}

/* Sides for --pair; false (and a note in out) when the set cannot take part. */
static bool pair_sides(FILE *out, struct bench_ctx *b, const json_t *sa, const json_t *sb,
		       const struct cmp_opts *o)
{
	const json_t *all_a = json_object_get(sa, "records"), *all_b = json_object_get(sb, "records");
	const char *col = o->pair_col;
	if (!has_column(all_a, col) && !has_column(all_b, col)) {
		fprintf(out, "No `%s` column: not compared.\n", col);
		return false;
	}
	b->ra = with_value(all_a, col, o->pair_a);
	b->rb = with_value(all_b, col, o->pair_b);
	if (json_array_size(b->ra) && json_array_size(b->rb))
		return true;
	const bool a_empty = !json_array_size(b->ra);
	fprintf(out, "No record of %s has %s=%s (its values: ", a_empty ? "A" : "B", col,
		a_empty ? o->pair_a : o->pair_b);
	list_values(out, a_empty ? all_a : all_b, col);
	fprintf(out, "); not compared.\n");
	return false;
}

static void same_line(FILE *out, const json_t *names, const json_t *shown, const json_t *rec)
{
	size_t k, n = 0;
	json_t *kv;
	char buf[256];
	json_array_foreach(names, k, kv) {
		const char *name = json_string_value(kv);
		if (rset_in_list(shown, name) || !json_object_get(rec, name))
			continue;
		fprintf(out, "%s %s=%s", n++ ? "," : "Same in every row:", name,
			rset_scalar(json_object_get(rec, name), buf, sizeof(buf)));
	}
	if (n)
		fprintf(out, ".\n\n");
}

/* The head of a bench's table: the shown keys, the ignored columns that
 * vary (A → B), the medians (in unit), ratio, CI, its source, verdict. */
static void bench_table_head(FILE *out, const json_t *shown, const json_t *ign_shown,
			     const struct cmp_opts *o, const char *unit)
{
	size_t k;
	json_t *kv;
	fputc('|', out);
	json_array_foreach(shown, k, kv) fprintf(out, " %s |", json_string_value(kv));
	json_array_foreach(ign_shown, k, kv) fprintf(out, " %s (A → B) |", json_string_value(kv));
	if (o->pair_col)
		fprintf(out, " A: %s median %s (n) | B: %s median %s (n) |", o->pair_a, unit,
			o->pair_b, unit);
	else
		fprintf(out, " A median %s (n) | B median %s (n) |", unit, unit);
	fprintf(out, " B/A | 95%% CI | CI from | difference |\n|");
	for (k = 0; k < json_array_size(shown) + json_array_size(ign_shown) + 6; k++)
		fprintf(out, "---|");
	fputc('\n', out);
}

/* "Only in A (COL=V): key=value, ..." for each of side's records the
 * other side's index lacks. */
static void only_in(FILE *out, const char *side, const char *pair_col, const char *pair_v,
		    const json_t *recs, const json_t *other_idx, const json_t *keys)
{
	char b[256] = "";
	size_t i;
	json_t *r;
	if (pair_col)
		snprintf(b, sizeof(b), " (%s=%s)", pair_col, pair_v);
	json_array_foreach(recs, i, r) {
		if (matches(other_idx, r, keys))
			continue;
		fprintf(out, "\nOnly in %s%s: ", side, b);
		key_text(out, r, keys);
		fputc('\n', out);
	}
}

/* Ignored columns stay visible: the --ignore columns records hold (not
 * --pair's), varying ones as "A → B" cells, the others named above the
 * table. New array. */
static json_t *ignored_present(const json_t *records, const struct cmp_opts *o)
{
	json_t *ign = json_array();
	size_t k;
	json_t *kv;
	json_array_foreach(o->ignore, k, kv) {
		if (has_column(records, json_string_value(kv)) &&
		    (!o->pair_col || strcmp(json_string_value(kv), o->pair_col)))
			json_array_append(ign, kv);
	}
	return ign;
}

static int render_bench(FILE *out, const char *bench, const json_t *sa, const json_t *sb,
			const struct cmp_opts *o, struct notes *nt, struct cmp_counts *cnt,
			char *err, size_t errlen)
{
	struct bench_ctx b = { .bench = bench };
	nt->bench = bench;
	nt->set = sa;
	struct cmp_counts c = { 0 };
	int ret = 0;
	size_t i;
	json_t *ra;

	fprintf(out, "\n## %s\n\n", bench);
	b.ignore = o->ignore ? json_deep_copy(o->ignore) : json_array();
	if (o->pair_col) {
		if (!pair_sides(out, &b, sa, sb, o))
			goto out;
		json_array_append_new(b.ignore, json_string(o->pair_col));
	} else {
		b.ra = json_incref(json_object_get(sa, "records"));
		b.rb = json_incref(json_object_get(sb, "records"));
	}
	b.keys = match_keys(sa, sb, b.ignore);
	b.idxa = index_records(b.ra, b.keys);
	b.idxb = index_records(b.rb, b.keys);
	ret = check_unique(bench, sa, b.ra, b.idxa, b.idxb, b.keys, o, err, errlen);
	if (ret)
		goto out;

	/* Both sides' timed records (holding the median each set declares):
	 * what the table shows. */
	struct rset_measure ma, mb;
	struct cmp_opts bo = *o;
	rset_measure(sa, NULL, &ma);
	rset_measure(sb, NULL, &mb);
	bo.ma = &ma;
	bo.mb = &mb;
	const char *unit = ma.unit ? ma.unit : "ns";
	json_t *all = json_array();
	json_array_foreach(b.ra, i, ra) if (timed(ra, &ma)) json_array_append(all, ra);
	json_array_foreach(b.rb, i, ra) if (timed(ra, &mb)) json_array_append(all, ra);
	if (!json_array_size(all)) {
		json_array_foreach(b.ra, i, ra) c.matched += matches(b.idxb, ra, b.keys) != NULL;
		fprintf(out, "No timed records (no declared median) on either side; %zu records match by "
			     "key and are not compared here.\n", c.matched);
		json_decref(all);
		goto out;
	}
	json_t *shown = rset_varying(all, b.keys), *ign = ignored_present(all, o);
	json_t *ign_shown = rset_varying(all, ign);
	if (o->pair_col)
		fprintf(out, "A is %s=%s, B is %s=%s; rows matched on the other key columns.\n\n",
			o->pair_col, o->pair_a, o->pair_col, o->pair_b);
	json_t *same = json_deep_copy(b.keys), *varies = json_deep_copy(shown);
	json_array_extend(same, ign);
	json_array_extend(varies, ign_shown);
	same_line(out, same, varies, json_array_get(all, 0));
	json_decref(same);
	json_decref(varies);

	bench_table_head(out, shown, ign_shown, o, unit);

	size_t untimed = 0;
	json_array_foreach(b.ra, i, ra) {
		const json_t *m = matches(b.idxb, ra, b.keys);
		if (!m)
			continue;
		const json_t *rb = json_array_get(m, 0);
		c.matched++;
		if (!timed(ra, &ma) && !timed(rb, &mb)) {
			untimed++;
			continue;
		}
		render_row(out, ra, rb, shown, ign_shown, &bo, c.matched - 1, nt, &c);
	}
	fprintf(out, "\n");
	summary_line(out, &c, o->threshold);
	fprintf(out, ".\n");
	if (untimed)
		fprintf(out, "\n%zu more records match by key but have no median on either side "
			     "(derived or conformance records); not compared.\n", untimed);
	only_in(out, "A", o->pair_col, o->pair_a, b.ra, b.idxb, b.keys);
	only_in(out, "B", o->pair_col, o->pair_b, b.rb, b.idxa, b.keys);
	json_decref(all);
	json_decref(shown);
	json_decref(ign);
	json_decref(ign_shown);
out:
	add_counts(cnt, &c);
	bench_free(&b);
	return ret;
}

static void how_to_read(FILE *out, const struct cmp_opts *o, const struct notes *nt)
{
	fprintf(out, "\n## How to read this\n\n");
	if (nt->runs)
		fprintf(out, "- 95%% CI \"runs\" (both records measured with `-r N`, at least 2 "
			     "runs each): %s. A and B are then the geometric means of the run "
			     "medians, with the number of runs.\n", CMP_RUNS_RULE);
	if (nt->boot)
		fprintf(out, "- 95%% CI \"bootstrap\": percentile bootstrap of median(B)/median(A), "
			     "A and B resampled independently from their raw samples (`samples_ns`), "
			     "%u resamples, seed %llu.\n", o->iters, (unsigned long long)o->seed);
	if (nt->record_ci)
		fprintf(out, "- † No raw samples in these records, so no bootstrap of the ratio: the "
			     "interval is [B.ci95_low / A.ci95_high, B.ci95_high / A.ci95_low], built "
			     "from each record's own 95%% CI of its median. It is wider than a "
			     "bootstrap of the ratio would be (conservative).\n");
	if (nt->none)
		fprintf(out, "- ‡ Neither raw samples nor CIs in these records: no interval, no "
			     "verdict.\n");
	double t = o->threshold * 100;
	if (o->threshold > 0)
		fprintf(out, "- **significant**: the 95%% CI lies entirely outside %g%%–%g%% of A "
			     "(B/A below %g or above %g, `--threshold %g`); **small**: the CI "
			     "excludes 1 but reaches into that band, a difference this run resolves "
			     "that is smaller than the threshold; **within noise**: the CI "
			     "includes 1.",
			100 - t, 100 + t, 1 - o->threshold, 1 + o->threshold, t);
	else
		fprintf(out, "- **significant**: the 95%% CI excludes 1 (`--threshold 0`); "
			     "**within noise**: it includes 1.");
	if (nt->boot || nt->record_ci)
		fprintf(out, " A bootstrap or record CI covers the sampling noise inside each run, "
			     "not run-to-run variation (frequency, placement, neighbours), which the "
			     "threshold stands in for; \"runs\" covers both. See "
			     "docs/reading-results.md.\n");
	else
		fprintf(out, " See docs/reading-results.md.\n");
}

/* The note on cells with -r run medians on one side only, "" when none. */
static const char *one_sided_note(const struct notes *nt, char *buf, size_t len)
{
	size_t n = nt->runs_only_a + nt->runs_only_b;
	if (!n)
		return strcpy(buf, "");
	snprintf(buf, len, "%zu cells have run medians (`-r N`) in %s only: their CI comes from "
			   "within one run (bootstrap, or the records' own CIs), which does not "
			   "cover run-to-run variation; "
			   "measure both sides with -r N (N >= 2) for a run-to-run CI", n,
		 nt->runs_only_a && nt->runs_only_b ? "A or B"
		 : nt->runs_only_a		    ? "A"
						    : "B");
	return buf;
}

/* Rows up to this many are shown whole without --all; the top lists
 * then add nothing. */
#define CMP_SMALL_TABLE 20

static int cmp_row_ratio(const void *a, const void *b)
{
	double x = json_real_value(json_object_get(*(json_t *const *)a, "ratio"));
	double y = json_real_value(json_object_get(*(json_t *const *)b, "ratio"));
	return (x > y) - (x < y);
}

static void key_cells(FILE *out, const json_t *row)
{
	const char *k;
	json_t *v;
	size_t n = 0;
	char buf[256];
	fprintf(out, "| %s | ", json_string_value(json_object_get(row, "bench")));
	json_object_foreach(json_object_get(row, "key"), k, v)
		fprintf(out, "%s%s=%s", n++ ? ", " : "", k, rset_scalar(v, buf, sizeof(buf)));
	fprintf(out, " |");
}

/* The largest regressions (slower: true) or improvements among the
 * significant rows, sorted by ratio. */
/* A top-list cell: side's median; a run-to-run row's is the geometric
 * mean of its run medians, as in the full table, and says so. */
static const char *top_cell(const json_t *row, const char *side, char *buf, size_t len)
{
	char key[16], m[32];
	snprintf(key, sizeof(key), "%s_median_ns", side);
	rset_fmt_num(json_real_value(json_object_get(row, key)), m, sizeof(m));
	snprintf(key, sizeof(key), "%s_runs", side);
	if (strcmp(json_string_value(json_object_get(row, "ci_from")) ?: "", "runs"))
		snprintf(buf, len, "%s", m);
	else
		snprintf(buf, len, "%s (%lld runs)", m,
			 (long long)json_integer_value(json_object_get(row, key)));
	return buf;
}

static void top_list(FILE *out, const json_t *rows, bool slower, unsigned top)
{
	size_t n = 0, i;
	json_t *r;
	const json_t **sel = calloc(json_array_size(rows) + 1, sizeof(*sel));
	if (!sel)
		return;
	json_array_foreach(rows, i, r) {
		double ratio = json_real_value(json_object_get(r, "ratio"));
		if (!strcmp(json_string_value(json_object_get(r, "verdict")), "significant") &&
		    (slower ? ratio > 1 : ratio < 1))
			sel[n++] = r;
	}
	qsort(sel, n, sizeof(*sel), cmp_row_ratio);
	fprintf(out, "\n## Top %s (B %s than A)\n\n", slower ? "regressions" : "improvements",
		slower ? "slower" : "faster");
	if (!n) {
		fprintf(out, "None significant.\n");
		free(sel);
		return;
	}
	fprintf(out, "| set | measured | A median ns | B median ns | B/A | 95%% CI |\n"
		     "|---|---|---:|---:|---:|---|\n");
	char b1[96], b2[96];
	for (size_t k = 0; k < n && k < top; k++) {
		const json_t *row = sel[slower ? n - 1 - k : k];
		key_cells(out, row);
		fprintf(out, " %s | %s | %.3f | %.3f – %.3f |\n", top_cell(row, "a", b1, sizeof(b1)),
			top_cell(row, "b", b2, sizeof(b2)),
			json_real_value(json_object_get(row, "ratio")),
			json_real_value(json_object_get(row, "ci95_low")),
			json_real_value(json_object_get(row, "ci95_high")));
	}
	if (n > top)
		fprintf(out, "\n%zu more significant %s (`--top N`, `--all`).\n", n - top,
			slower ? "regressions" : "improvements");
	free(sel);
}

struct geo {
	double g, lo, hi;
	size_t n;
	bool ok;
};

static struct geo geomean_of(const json_t *rows, const struct cmp_opts *o)
{
	struct geo g = { .g = NAN, .lo = NAN, .hi = NAN };
	double *r = calloc(json_array_size(rows) + 1, sizeof(*r));
	size_t i;
	json_t *row;
	if (!r)
		return g;
	json_array_foreach(rows, i, row) {
		double v = json_real_value(json_object_get(row, "ratio"));
		if (v > 0 && isfinite(v))
			r[g.n++] = v;
	}
	g.ok = g.n && !cmp_geomean(r, g.n, o->iters, o->seed, &g.g, &g.lo, &g.hi);
	free(r);
	return g;
}

static void geomean_line(FILE *out, const struct geo *g, const struct cmp_counts *c,
			 const struct cmp_opts *o, const struct notes *nt)
{
	if (!g->ok) {
		fprintf(out, "**B/A: no matched timed cell to compare.**\n");
		return;
	}
	fprintf(out, "**B/A geometric mean %.3f×", g->g);
	if (isfinite(g->lo))
		fprintf(out, " (95%% CI %.3f–%.3f)", g->lo, g->hi);
	fprintf(out, " over %zu matched timed cells: %zu faster, %zu slower, %zu within noise",
		g->n, c->faster, c->slower, c->noise);
	if (c->small)
		fprintf(out, ", %zu small", c->small);
	if (c->no_ci)
		fprintf(out, ", %zu without a CI", c->no_ci);
	fprintf(out, "** (threshold ±%g%%; each cell's CI %s%s%s%s%s; the geomean's CI a bootstrap "
		     "over the cells).\n", o->threshold * 100,
		nt->runs ? "from the run-to-run spread of `-r` run medians" : "",
		nt->runs && (nt->boot || nt->record_ci) ? ", or " : "",
		nt->boot ? "by bootstrap over the raw samples" : "",
		nt->boot && nt->record_ci ? ", or " : "",
		nt->record_ci ? "from the records' own CIs where no raw samples were kept" : "");
}

static void side_json(json_t *o, const char *label, const struct cmp_input *in)
{
	const json_t *ctx = json_object_get(json_array_get(in->sets, 0), "context");
	json_t *s = json_pack("{s:s}", "path", in->path);
	const char *host = json_string_value(json_object_get(in->meta, "host_id"));
	const char *date = json_string_value(json_object_get(in->meta, "started_utc"));
	const char *rev = json_string_value(json_object_get(json_object_get(in->meta, "context"), "git_rev"));
	host = host ? host : json_string_value(json_object_get(json_object_get(ctx, "host"), "host_id"));
	date = date ? date : json_string_value(json_object_get(ctx, "date_utc"));
	rev = rev ? rev : json_string_value(json_object_get(ctx, "git_rev"));
	if (host)
		json_object_set_new(s, "host_id", json_string(host));
	if (date)
		json_object_set_new(s, "date_utc", json_string(date));
	if (rev)
		json_object_set_new(s, "git_rev", json_string(rev));
	json_object_set_new(o, label, s);
}

static int render_json(FILE *out, const struct cmp_input *a, const struct cmp_input *b,
		       const struct cmp_opts *o, const struct cmp_counts *c, const struct geo *g,
		       const struct notes *nt)
{
	const json_t *rows = nt->rows;
	char note[512];
	json_t *j = json_pack("{s:s}", "schema", "pfbench-compare/1");
	side_json(j, "a", a);
	side_json(j, "b", b);
	if (o->pair_col)
		json_object_set_new(j, "pair", json_pack("{s:s, s:s, s:s}", "column", o->pair_col,
							 "a", o->pair_a, "b", o->pair_b));
	json_t *gm = json_object();
	json_object_set_new(gm, "cells", json_integer((json_int_t)g->n));
	if (g->ok) {
		json_object_set_new(gm, "ratio", json_real(g->g));
		if (isfinite(g->lo)) {
			json_object_set_new(gm, "ci95_low", json_real(g->lo));
			json_object_set_new(gm, "ci95_high", json_real(g->hi));
		}
	}
	json_object_set_new(gm, "ci_method", json_string("percentile bootstrap over the matched cells"));
	json_object_set_new(j, "geomean", gm);
	if (nt->nctl)
		json_object_set_new(j, "control", cmp_controls_json(nt->ctl, nt->nctl));
	json_object_set_new(j, "counts", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
						   "matched", (json_int_t)c->matched, "timed",
						   (json_int_t)g->n, "faster", (json_int_t)c->faster,
						   "slower", (json_int_t)c->slower, "small",
						   (json_int_t)c->small, "within_noise",
						   (json_int_t)c->noise, "no_ci", (json_int_t)c->no_ci));
	json_object_set_new(j, "rule", json_pack("{s:f, s:s, s:I, s:I}", "threshold", o->threshold,
						 "cell_ci", "runs: " CMP_RUNS_RULE "; otherwise percentile "
						 "bootstrap of median(B)/median(A) over samples_ns; "
						 "records' ci95 bounds when no raw samples",
						 "iters", (json_int_t)o->iters, "seed", (json_int_t)o->seed));
	if (*one_sided_note(nt, note, sizeof(note)))
		json_object_set_new(j, "notes", json_pack("[s]", note));
	json_t *rs = json_deep_copy(rows);
	size_t i;
	json_t *r;
	json_array_foreach(rs, i, r) json_object_del(r, "ratio_log");
	json_object_set_new(j, "rows", rs);
	int e = json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	fputc('\n', out);
	json_decref(j);
	return e ? -EIO : 0;
}

static void render_csv(FILE *out, const json_t *rows)
{
	/* The JSON rows' fields; those that came later at the end, so
	 * earlier columns keep their places. */
	static const char *const cols[] = { "a_median_ns", "a_n", "b_median_ns", "b_n", "ratio",
					    "ci95_low", "ci95_high", "ci_from", "verdict", "a_runs",
					    "b_runs", "df", "control_group", NULL };
	fprintf(out, "bench,measured");
	for (const char *const *c = cols; *c; c++)
		fprintf(out, ",%s", *c);
	fputc('\n', out);
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		char *key = NULL, buf[256];
		size_t len = 0;
		FILE *k = open_memstream(&key, &len);
		if (k) {
			const char *name;
			json_t *v;
			size_t n = 0;
			json_object_foreach(json_object_get(r, "key"), name, v)
				fprintf(k, "%s%s=%s", n++ ? " " : "", name, rset_scalar(v, buf, sizeof(buf)));
			fclose(k);
		}
		out_csv_field(out, json_string_value(json_object_get(r, "bench")));
		fputc(',', out);
		out_csv_field(out, key ? key : "");
		free(key);
		for (const char *const *c = cols; *c; c++) {
			json_t *v = json_object_get(r, *c);
			fputc(',', out);
			if (json_is_string(v))
				out_csv_field(out, json_string_value(v));
			else if (json_is_number(v))
				fprintf(out, "%.10g", json_number_value(v));
		}
		fputc('\n', out);
	}
}

/* Every bench's table into *body (malloc'd): the sets of A and B
 * matched by bench name, and those only one side has. */
static int render_tables(char **body, size_t *len, const struct cmp_input *a,
			 const struct cmp_input *b, const struct cmp_opts *o, struct notes *nt,
			 struct cmp_counts *counts, char *err, size_t errlen)
{
	FILE *f = open_memstream(body, len);
	if (!f)
		return -ENOMEM;
	int ret = 0;
	size_t i;
	json_t *sa;
	json_array_foreach(a->sets, i, sa) {
		const char *bench = json_string_value(json_object_get(sa, "bench"));
		const json_t *sb = rset_find(b->sets, bench);
		if (!sb) {
			fprintf(f, "\n## %s\n\nOnly in A (B has no `%s` result set).\n", bench, bench);
			continue;
		}
		ret = render_bench(f, bench, sa, sb, o, nt, counts, err, errlen);
		if (ret)
			break;
	}
	json_array_foreach(b->sets, i, sa) {
		const char *bench = json_string_value(json_object_get(sa, "bench"));
		if (!rset_find(a->sets, bench))
			fprintf(f, "\n## %s\n\nOnly in B (A has no `%s` result set).\n", bench,
				bench);
	}
	if (fclose(f) && !ret)
		ret = -ENOMEM;
	if (ret) {
		free(*body);
		*body = NULL;
	}
	return ret;
}

/* The Markdown's head: the inputs, their conditions, the geometric mean
 * and the summary line. */
static void md_head(FILE *out, const struct cmp_input *a, const struct cmp_input *b,
		    const struct cmp_opts *o, const struct geo *g, const struct cmp_counts *counts,
		    const struct notes *nt)
{
	const struct cmp_opts opts = *o;
	fprintf(out, "# pfbench compare: B / A\n\n");
	context_line(out, "A", a, &opts, opts.pair_a);
	context_line(out, "B", b, &opts, opts.pair_b);
	char cond[1024];
	if (cmp_conditions(a, b, cond, sizeof(cond)))
		fprintf(out, "\n**Warning: A and B were measured under different conditions**: %s. "
			     "Ratios may reflect these differences, not only what was compared.\n\n",
			cond);
	else
		fprintf(out, "- **Same conditions**%s: host id, CPU model, kernel, pfbench revision, "
			     "timer method, ticks per ns within %g%%%s%s\n", *cond ? " where recorded" : "",
			100 * CMP_TICKS_TOLERANCE, *cond ? "; " : "", cond);
	char note[512];
	if (*one_sided_note(nt, note, sizeof(note)))
		fprintf(out, "- **Note**: %s.\n", note);
	cmp_controls_md(out, nt->ctl, nt->nctl, a->sets, opts.threshold);
	fputc('\n', out);
	geomean_line(out, g, counts, &opts, nt);
	fprintf(out, "\nEach row is one measurement present in both, matched on its key columns "
		     "(what was measured, not what was observed");
	if (json_array_size(opts.ignore) || opts.pair_col) {
		fprintf(out, ", except");
		size_t k;
		json_t *kv;
		json_array_foreach(opts.ignore, k, kv) fprintf(out, " %s", json_string_value(kv));
		if (opts.pair_col)
			fprintf(out, " %s", opts.pair_col);
	}
	fprintf(out, "). A and B are the medians in ns with their sample counts%s; B/A is their "
		     "ratio (above 1: B is slower).\n\n**Summary**: ",
		nt->runs ? " (CI \"runs\": the geometric means of the run medians, with the number "
			   "of runs)" : "");
	summary_line(out, counts, opts.threshold);
	fprintf(out, ", over %zu matched rows.\n", counts->matched);
}

int cmp_render(FILE *out, const struct cmp_input *a, const struct cmp_input *b,
	       const struct cmp_opts *o, struct cmp_counts *counts, char *err, size_t errlen)
{
	struct notes nt = { .rows = json_array() };
	struct cmp_opts opts = *o;
	if (!opts.iters)
		opts.iters = CMP_DEFAULT_ITERS;
	if (!opts.top)
		opts.top = CMP_DEFAULT_TOP;
	memset(counts, 0, sizeof(*counts));
	if (opts.pair_col && (!opts.pair_a || !opts.pair_b)) {
		snprintf(err, errlen, "--pair %s: want two values", opts.pair_col);
		json_decref(nt.rows);
		return -EINVAL;
	}

	/* The tables first (into memory), so the summary can lead. */
	char *body = NULL;
	size_t len = 0;
	int ret = render_tables(&body, &len, a, b, &opts, &nt, counts, err, errlen);
	if (ret) {
		free(body);
		json_decref(nt.rows);
		return ret;
	}
	struct geo g = geomean_of(nt.rows, &opts);
	nt.nctl = cmp_controls(nt.rows, &opts, nt.ctl, CMP_MAX_CONTROLS);
	cmp_controls_moved(nt.ctl, nt.nctl, counts->control_moved, sizeof(counts->control_moved));
	if (opts.format == CMP_JSON) {
		ret = render_json(out, a, b, &opts, counts, &g, &nt);
		goto out;
	}
	if (opts.format == CMP_CSV) {
		render_csv(out, nt.rows);
		goto out;
	}

	md_head(out, a, b, &opts, &g, counts, &nt);
	bool whole = opts.all || json_array_size(nt.rows) <= CMP_SMALL_TABLE;
	if (!whole) {
		top_list(out, nt.rows, true, opts.top);
		top_list(out, nt.rows, false, opts.top);
		fprintf(out, "\nEvery matched row: `--all` (or `--format csv|json`).\n");
	} else {
		fwrite(body, 1, len, out);
	}
	how_to_read(out, &opts, &nt);
out:
	free(body);
	json_decref(nt.rows);
	return ret;
}
