/* compare.c — see compare.h.
 *
 * The bootstrap resamples A and B independently (they are separate runs):
 * stats_bootstrap_medians() draws the medians of `iters` resamples of each
 * side (in O(1) per resample, from the exact order-statistic
 * distribution), the i-th draws are paired into ratios, and the 2.5th and
 * 97.5th percentiles of those ratios are the CI. */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rset.h"
#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int cmp_ratio_bootstrap(const double *a, size_t na, const double *b, size_t nb,
			unsigned iters, uint64_t seed, double *lo, double *hi)
{
	if (!a || !b || na == 0 || nb == 0 || iters == 0)
		return -EINVAL;
	double *ma = malloc(iters * sizeof(*ma)), *mb = malloc(iters * sizeof(*mb));
	int ret = -ENOMEM;
	if (!ma || !mb)
		goto out;
	ret = stats_bootstrap_medians(a, na, iters, seed, ma);
	if (!ret) /* an independent stream for B */
		ret = stats_bootstrap_medians(b, nb, iters, seed ^ 0x5bd1e9955bd1e995ULL, mb);
	if (ret)
		goto out;
	for (unsigned i = 0; i < iters; i++) {
		if (!(ma[i] > 0)) {
			ret = -EINVAL;
			goto out;
		}
		mb[i] /= ma[i];
	}
	qsort(mb, iters, sizeof(*mb), cmp_double);
	*lo = stats_percentile_sorted(mb, iters, 2.5);
	*hi = stats_percentile_sorted(mb, iters, 97.5);
out:
	free(ma);
	free(mb);
	return ret;
}

int cmp_records(const json_t *ra, const json_t *rb, const struct cmp_opts *o,
		struct cmp_ratio *r)
{
	memset(r, 0, sizeof(*r));
	r->a_median = rset_num(ra, "median_ns");
	r->b_median = rset_num(rb, "median_ns");
	r->a_n = rset_num(ra, "samples");
	r->b_n = rset_num(rb, "samples");
	r->lo = r->hi = NAN;
	r->method = CMP_NONE;
	if (!(r->a_median > 0) || !(r->b_median >= 0)) {
		r->ratio = NAN;
		return -EINVAL;
	}
	r->ratio = r->b_median / r->a_median;

	double *sa, *sb;
	size_t na, nb;
	int err = rset_samples(ra, "", &sa, &na);
	if (!err)
		err = rset_samples(rb, "", &sb, &nb);
	else
		sb = NULL, nb = 0;
	if (err) {
		free(sa);
		return err;
	}
	if (na && nb) {
		r->iters = o && o->iters ? o->iters : CMP_DEFAULT_ITERS;
		err = cmp_ratio_bootstrap(sa, na, sb, nb, r->iters, o ? o->seed : 1, &r->lo, &r->hi);
		if (!err) {
			r->method = CMP_BOOTSTRAP;
			if (isnan(r->a_n))
				r->a_n = (double)na;
			if (isnan(r->b_n))
				r->b_n = (double)nb;
		}
	}
	free(sa);
	free(sb);
	if (r->method == CMP_NONE) {
		double alo = rset_num(ra, "ci95_low_ns"), ahi = rset_num(ra, "ci95_high_ns");
		double blo = rset_num(rb, "ci95_low_ns"), bhi = rset_num(rb, "ci95_high_ns");
		if (alo > 0 && ahi >= alo && blo >= 0 && bhi >= blo) {
			r->lo = blo / ahi;
			r->hi = bhi / alo;
			r->method = CMP_RECORD_CI;
		}
	}
	if (r->method != CMP_NONE)
		r->significant = r->lo > 1.0 || r->hi < 1.0;
	return 0;
}

/* ---- rendering ---- */

static void context_line(FILE *out, const char *label, const char *path, const json_t *sets)
{
	const json_t *ctx = json_object_get(json_array_get(sets, 0), "context");
	const char *host = json_string_value(json_object_get(json_object_get(ctx, "host"), "host_id"));
	const char *date = json_string_value(json_object_get(ctx, "date_utc"));
	const char *rev = json_string_value(json_object_get(ctx, "git_rev"));
	fprintf(out, "- **%s**: `%s`", label, path);
	if (host)
		fprintf(out, ", host %s", host);
	if (date)
		fprintf(out, ", %s", date);
	if (rev)
		fprintf(out, ", pfbench %s", rev);
	fputc('\n', out);
}

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
static char *key_text_of(const json_t *rec, const json_t *keys)
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

/* key text -> [first index, count] over records. */
static json_t *index_records(const json_t *records, const json_t *keys)
{
	json_t *idx = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		char *t = key_text_of(r, keys);
		if (!t)
			continue;
		json_t *e = json_object_get(idx, t);
		if (e)
			json_array_set_new(e, 1, json_integer(json_integer_value(json_array_get(e, 1)) + 1));
		else
			json_object_set_new(idx, t, json_pack("[I, i]", (json_int_t)i, 1));
		free(t);
	}
	return idx;
}

static const json_t *find_match(const json_t *records, const json_t *index, const json_t *rec,
				const json_t *keys, size_t *count)
{
	char *t = key_text_of(rec, keys);
	json_t *e = t ? json_object_get(index, t) : NULL;
	free(t);
	*count = e ? (size_t)json_integer_value(json_array_get(e, 1)) : 0;
	return e ? json_array_get(records, (size_t)json_integer_value(json_array_get(e, 0))) : NULL;
}

static bool timed(const json_t *rec)
{
	return json_is_number(json_object_get(rec, "median_ns"));
}

/* Both sides' timed records (those with a median): what the table shows. */
static json_t *both_records(const json_t *sa, const json_t *sb)
{
	json_t *all = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(sa, "records"), i, r) if (timed(r)) json_array_append(all, r);
	json_array_foreach(json_object_get(sb, "records"), i, r) if (timed(r)) json_array_append(all, r);
	return all;
}

struct notes {
	bool record_ci, none, ambiguous, boot;
};

static void render_row(FILE *out, const json_t *ra, const json_t *rb, const json_t *shown,
		       const struct cmp_opts *o, size_t row, struct notes *nt)
{
	struct cmp_opts ro = *o;
	ro.seed = o->seed + 0x9e3779b97f4a7c15ULL * (row + 1);
	struct cmp_ratio r;
	int err = cmp_records(ra, rb, &ro, &r);
	char b1[64], b2[64], b3[64], b4[64];
	size_t k;
	json_t *kv;
	fputc('|', out);
	json_array_foreach(shown, k, kv) {
		fprintf(out, " %s |", rset_scalar(json_object_get(ra, json_string_value(kv)), b1,
						   sizeof(b1)));
	}
	fprintf(out, " %s (%s) | %s (%s) |", rset_fmt_num(r.a_median, b1, sizeof(b1)),
		rset_fmt_num(r.a_n, b2, sizeof(b2)), rset_fmt_num(r.b_median, b3, sizeof(b3)),
		rset_fmt_num(r.b_n, b4, sizeof(b4)));
	if (err) {
		fprintf(out, " - | - | - | no median to compare |\n");
		nt->none = true;
		return;
	}
	fprintf(out, " %.3f |", r.ratio);
	switch (r.method) {
	case CMP_BOOTSTRAP:
		fprintf(out, " %.3f – %.3f | bootstrap |", r.lo, r.hi);
		nt->boot = true;
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
	if (r.method == CMP_NONE)
		fprintf(out, " no CI |\n");
	else
		fprintf(out, " %s |\n", r.significant ? "significant" : "within noise");
}

static size_t render_bench(FILE *out, const char *bench, const json_t *sa, const json_t *sb,
			   const struct cmp_opts *o, struct notes *nt)
{
	const json_t *reca = json_object_get(sa, "records"), *recb = json_object_get(sb, "records");
	json_t *all = both_records(sa, sb);
	json_t *keys = rset_set_keys(sa, o->ignore), *kb = rset_set_keys(sb, o->ignore);
	size_t ki;
	json_t *kvb;
	json_array_foreach(kb, ki, kvb) {
		bool have = false;
		size_t kj;
		json_t *kva;
		json_array_foreach(keys, kj, kva) have |= json_equal(kva, kvb);
		if (!have)
			json_array_append(keys, kvb);
	}
	json_decref(kb);
	json_t *shown = rset_varying(all, keys);
	json_t *idxa = index_records(reca, keys), *idxb = index_records(recb, keys);
	size_t matched = 0, i, k;
	json_t *ra, *kv;
	char buf[256];

	fprintf(out, "\n## %s\n\n", bench);
	if (!json_array_size(all)) {
		size_t n = 0;
		json_array_foreach(reca, i, ra) {
			size_t nmatch;
			n += find_match(recb, idxb, ra, keys, &nmatch) != NULL;
		}
		fprintf(out, "No timed records (no median_ns) on either side; %zu records match by "
			     "key and are not compared here.\n", n);
		json_decref(all);
		json_decref(keys);
		json_decref(shown);
		json_decref(idxa);
		json_decref(idxb);
		return n;
	}
	if (json_array_size(keys) > json_array_size(shown)) {
		fprintf(out, "Same in every row:");
		size_t nsame = 0;
		json_array_foreach(keys, k, kv) {
			const char *name = json_string_value(kv);
			bool varies = false;
			size_t j;
			json_t *sv;
			json_array_foreach(shown, j, sv) varies |= !strcmp(json_string_value(sv), name);
			if (varies)
				continue;
			fprintf(out, "%s %s=%s", nsame++ ? "," : "", name,
				rset_scalar(json_object_get(json_array_get(all, 0), name), buf,
					    sizeof(buf)));
		}
		fprintf(out, ".\n\n");
	}
	fputc('|', out);
	json_array_foreach(shown, k, kv) fprintf(out, " %s |", json_string_value(kv));
	fprintf(out, " A median ns (n) | B median ns (n) | B/A | 95%% CI | CI from | difference |\n|");
	for (k = 0; k < json_array_size(shown) + 6; k++)
		fprintf(out, "---|");
	fputc('\n', out);

	size_t untimed = 0;
	json_array_foreach(reca, i, ra) {
		size_t nmatch;
		const json_t *rb = find_match(recb, idxb, ra, keys, &nmatch);
		if (!rb)
			continue;
		matched++;
		if (!timed(ra) && !timed(rb)) {
			untimed++;
			continue;
		}
		if (nmatch > 1)
			nt->ambiguous = true;
		render_row(out, ra, rb, shown, o, matched - 1, nt);
	}
	if (untimed)
		fprintf(out, "\n%zu more records match by key but have no median on either side "
			     "(derived or conformance records); not compared.\n", untimed);
	json_array_foreach(reca, i, ra) {
		size_t nmatch;
		if (find_match(recb, idxb, ra, keys, &nmatch))
			continue;
		fprintf(out, "\nOnly in A: ");
		key_text(out, ra, keys);
		fputc('\n', out);
	}
	json_array_foreach(recb, i, ra) {
		size_t nmatch;
		if (find_match(reca, idxa, ra, keys, &nmatch))
			continue;
		fprintf(out, "\nOnly in B: ");
		key_text(out, ra, keys);
		fputc('\n', out);
	}
	json_decref(all);
	json_decref(keys);
	json_decref(shown);
	json_decref(idxa);
	json_decref(idxb);
	return matched;
}

int cmp_render(FILE *out, const char *name_a, const json_t *sets_a, const char *name_b,
	       const json_t *sets_b, const struct cmp_opts *o, size_t *matched)
{
	struct notes nt = { 0 };
	struct cmp_opts opts = *o;
	if (!opts.iters)
		opts.iters = CMP_DEFAULT_ITERS;
	*matched = 0;

	fprintf(out, "# pfbench compare: B / A\n\n");
	context_line(out, "A", name_a, sets_a);
	context_line(out, "B", name_b, sets_b);
	fprintf(out, "\nEach row is one measurement present in both, matched on its key columns "
		     "(every field that is not a measurement");
	if (json_array_size(opts.ignore)) {
		fprintf(out, ", except");
		size_t k;
		json_t *kv;
		json_array_foreach(opts.ignore, k, kv) fprintf(out, " %s", json_string_value(kv));
	}
	fprintf(out, "). A and B are the medians in ns with their sample counts; B/A is their "
		     "ratio (above 1: B is slower).\n");

	size_t i;
	json_t *sa;
	json_array_foreach(sets_a, i, sa) {
		const char *bench = json_string_value(json_object_get(sa, "bench"));
		const json_t *sb = rset_find(sets_b, bench);
		if (!sb) {
			fprintf(out, "\n## %s\n\nOnly in A (B has no `%s` result set).\n", bench,
				bench);
			continue;
		}
		*matched += render_bench(out, bench, sa, sb, &opts, &nt);
	}
	json_array_foreach(sets_b, i, sa) {
		const char *bench = json_string_value(json_object_get(sa, "bench"));
		if (!rset_find(sets_a, bench))
			fprintf(out, "\n## %s\n\nOnly in B (A has no `%s` result set).\n", bench,
				bench);
	}

	fprintf(out, "\n## How to read this\n\n");
	if (nt.boot)
		fprintf(out, "- 95%% CI \"bootstrap\": percentile bootstrap of median(B)/median(A), "
			     "A and B resampled independently from their raw samples (`samples_ns`), "
			     "%u resamples, seed %llu.\n", opts.iters, (unsigned long long)opts.seed);
	if (nt.record_ci)
		fprintf(out, "- † No raw samples in these records, so no bootstrap of the ratio: the "
			     "interval is [B.ci95_low / A.ci95_high, B.ci95_high / A.ci95_low], built "
			     "from each record's own 95%% CI of its median. It is wider than a "
			     "bootstrap of the ratio would be (conservative).\n");
	if (nt.none)
		fprintf(out, "- ‡ Neither raw samples nor CIs in these records: no interval, no "
			     "verdict.\n");
	if (nt.ambiguous)
		fprintf(out, "- Some rows of A matched several rows of B; the first was used. Pass "
			     "fewer `--ignore` columns to tell them apart.\n");
	fprintf(out, "- **significant**: the 95%% CI excludes 1; **within noise**: it "
		     "includes 1. Differences are measured between separate runs, so they include "
		     "run-to-run variation the CI does not capture (frequency, placement, "
		     "neighbours); see docs/reading-results.md.\n");
	return 0;
}
