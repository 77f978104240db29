/* report-limits.c — the limit study's part of report.md: one table (per
 * limit N: the kernel's lookup warm and cold, the best design cold, a
 * bitmap, memory, the install-side sort), the PMU tables' exact against
 * compiled sizes, and a conclusion written from the numbers. The plot is
 * suite-plot.c's "limits" row. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "rset.h"

#define KERNEL_DESIGN "k6.3-masked"
#define BITMAP_DESIGN "bitmap"

static const char *str(const json_t *r, const char *k)
{
	const char *s = json_string_value(json_object_get(r, k));

	return s ? s : "";
}

/* The kind=lookup record of design at size n and cache c, or NULL. */
static const json_t *find_lookup(const json_t *recs, const char *design, double n, const char *c)
{
	size_t i;
	json_t *r;

	json_array_foreach(recs, i, r)
		if (!strcmp(str(r, "kind"), "lookup") && !strcmp(str(r, "design"), design) &&
		    rset_num(r, "size") == n && !strcmp(str(r, "cache"), c))
			return r;
	return NULL;
}

/* The fastest non-kernel, non-floor design at size n, cold. */
static const json_t *best_cold(const json_t *recs, double n)
{
	const json_t *best = NULL;
	size_t i;
	json_t *r;

	json_array_foreach(recs, i, r) {
		if (strcmp(str(r, "kind"), "lookup") || rset_num(r, "size") != n ||
		    strcmp(str(r, "cache"), "cold") || json_is_true(json_object_get(r, "kernel_replica")) ||
		    !strcmp(str(r, "design"), "floor-l1") || isnan(rset_median(r)))
			continue;
		if (!best || rset_median(r) < rset_median(best))
			best = r;
	}
	return best;
}

static const json_t *find_install(const json_t *recs, double n)
{
	size_t i;
	json_t *r;

	json_array_foreach(recs, i, r)
		if (!strcmp(str(r, "kind"), "install") && rset_num(r, "size") == n &&
		    json_is_true(json_object_get(r, "sort_selected")))
			return r;
	return NULL;
}

static void ns(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, " – |");
	else if (v >= 1e6)
		fprintf(f, " %.1f ms |", v / 1e6);
	else if (v >= 10000)
		fprintf(f, " %.1f µs |", v / 1000);
	else
		fprintf(f, " %.0f ns |", v);
}

static void bytes(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, " – |");
	else if (v >= 1024)
		fprintf(f, " %.1f KiB |", v / 1024);
	else
		fprintf(f, " %.0f B |", v);
}

static double med(const json_t *r)
{
	return r ? rset_median(r) : NAN;
}

static double num(const json_t *r, const char *k)
{
	return r ? rset_num(r, k) : NAN;
}

/* Sizes present, ascending. */
static size_t sizes_of(const json_t *recs, double *out, size_t max)
{
	size_t n = 0, i;
	json_t *r;

	json_array_foreach(recs, i, r) {
		double s = rset_num(r, "size");
		bool have = false;

		if (strcmp(str(r, "kind"), "lookup") || isnan(s))
			continue;
		for (size_t k = 0; k < n; k++)
			have |= out[k] == s;
		if (!have && n < max)
			out[n++] = s;
	}
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && out[b - 1] > out[b]; b--) {
			double t = out[b];

			out[b] = out[b - 1];
			out[b - 1] = t;
		}
	return n;
}

/* The table: one row per N. */
static void limits_table(FILE *f, const json_t *recs, const double *sz, size_t n)
{
	fprintf(f, "| N | kernel warm | kernel cold | best cold | design | kernel / best (cold) "
		   "| bitmap cold | kernel memory | bitmap memory | install (copy + sort) | "
		   "sort comparisons |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t k = 0; k < n; k++) {
		const json_t *kw = find_lookup(recs, KERNEL_DESIGN, sz[k], "warm");
		const json_t *kc = find_lookup(recs, KERNEL_DESIGN, sz[k], "cold");
		const json_t *bc = find_lookup(recs, BITMAP_DESIGN, sz[k], "cold");
		const json_t *best = best_cold(recs, sz[k]);
		const json_t *in = find_install(recs, sz[k]);

		fprintf(f, "| %.0f%s |", sz[k], sz[k] > 300 ? "" : " (today)");
		ns(f, med(kw));
		ns(f, med(kc));
		ns(f, med(best));
		fprintf(f, " %s |", best ? str(best, "design") : "–");
		if (best && kc)
			fprintf(f, " %.1f× |", med(kc) / med(best));
		else
			fprintf(f, " – |");
		ns(f, med(bc));
		bytes(f, num(kc, "footprint_bytes"));
		bytes(f, num(bc, "footprint_bytes"));
		ns(f, med(in));
		if (in)
			fprintf(f, " %.0f |\n", num(in, "comparisons"));
		else
			fprintf(f, " – |\n");
	}
	fprintf(f, "\n");
}

/* The real PMU tables: exact entries against compiled masked ones. */
static void limits_pmus(FILE *f, const json_t *recs)
{
	bool any = false;
	size_t i;
	json_t *r;

	json_array_foreach(recs, i, r) {
		if (strcmp(str(r, "kind"), "pmu"))
			continue;
		if (!any)
			fprintf(f, "Real PMU tables (libpfm4), a filter allowing every event of the "
				   "table: exact entries against the masked filter pmuf_compile finds:\n\n");
		any = true;
		fprintf(f, "- %s (%s flavor): %.0f exact entries (%s 300), %.0f masked (%.0f "
			   "includes, %.0f excludes; %s 300)\n",
			str(r, "pmu"), str(r, "flavor"), num(r, "exact_entries"),
			json_is_true(json_object_get(r, "exact_fits_300")) ? "fits" : "over",
			num(r, "compiled_masked_entries"), num(r, "compiled_includes"),
			num(r, "compiled_excludes"),
			json_is_true(json_object_get(r, "masked_fits_300")) ? "fits" : "over");
	}
	if (any)
		fprintf(f, "\n");
}

/* The conclusion, from the numbers: at 3,000 (or the nearest size
 * studied) and at the largest, then today's limit. */
static void limits_conclusion(FILE *f, const json_t *recs, const double *sz, size_t n)
{
	double picks[2] = { sz[0], sz[n - 1] };

	fprintf(f, "**Conclusion.** ");
	for (size_t k = 0; k < n; k++)
		if (fabs(sz[k] - 3000) < fabs(picks[0] - 3000))
			picks[0] = sz[k];
	for (int p = 0; p < (picks[0] == picks[1] ? 1 : 2); p++) {
		const json_t *kc = find_lookup(recs, KERNEL_DESIGN, picks[p], "cold");
		const json_t *kw = find_lookup(recs, KERNEL_DESIGN, picks[p], "warm");
		const json_t *bc = find_lookup(recs, BITMAP_DESIGN, picks[p], "cold");
		const json_t *in = find_install(recs, picks[p]);

		if (!kc || !bc)
			continue;
		fprintf(f,
			"At %.0f entries the kernel's bsearch (" KERNEL_DESIGN ") costs %.0f ns "
			"cold (%.0f ns warm), %.1f× a bitmap (%.0f ns cold); the bitmap costs %.1f "
			"KiB whatever N is, the kernel's filter %.1f KiB.",
			picks[p], med(kc), med(kw), med(kc) / med(bc), med(bc),
			num(bc, "footprint_bytes") / 1024, num(kc, "footprint_bytes") / 1024);
		if (in)
			fprintf(f, " Installing it would take %.*f %s of copy + sort (%.0f "
				   "comparisons) before the SRCU grace period and the vCPU kicks.",
				med(in) >= 1e6 ? 1 : 0, med(in) >= 1e6 ? med(in) / 1e6 : med(in) / 1e3,
				med(in) >= 1e6 ? "ms" : "µs", num(in, "comparisons"));
		fprintf(f, " ");
	}
	const json_t *k300 = find_lookup(recs, KERNEL_DESIGN, 300, "cold");
	const json_t *b300 = best_cold(recs, 300);

	if (k300 && b300)
		fprintf(f, "At today's limit (300) the kernel's lookup costs %.1f× the best design "
			   "cold (%s).",
			med(k300) / med(b300), str(b300, "design"));
	fprintf(f, "\n\n");
}

void report_limits(FILE *f, const json_t *set)
{
	const json_t *recs = json_object_get(set, "records");
	const json_t *ctx = json_object_get(set, "context");
	const json_t *cold = json_object_get(json_object_get(ctx, "lookup"), "cold");
	const char *sortgen = json_string_value(json_object_get(json_object_get(ctx, "lookup"),
								 "sort_generation"));
	const char *evict = json_string_value(json_object_get(cold, "eviction"));
	const char *misses = json_string_value(json_object_get(cold, "cache_miss_counters"));
	double sz[32];
	size_t n = sizes_of(recs, sz, 32);

	if (!n) {
		fprintf(f, "No lookup records.\n\n");
		return;
	}
	fprintf(f, "What a filter limit of N entries would cost (exact filters of N random "
		   "entries, ALLOW, inputs half hits; one lookup, latency mode; cold = the "
		   "design's memory evicted by %s before each lookup). The kernel's lookup is the "
		   "`" KERNEL_DESIGN "` replica; \"best\" is the fastest other design cold. "
		   "Install = the kernel's copy + convert + sort (the replica's build, lib/sort.c "
		   "%s), timed in user space: the kernel refuses N > 300.\n\n",
		   evict ? evict : "eviction", sortgen ? sortgen : "?");
	limits_table(f, recs, sz, n);
	limits_pmus(f, recs);
	limits_conclusion(f, recs, sz, n);
	if (cold)
		fprintf(f, "\"Cold\" here: a line just evicted loaded in %.0f ns against %.1f ns "
			   "warm, both net of the timer's own overhead (a timing probe; cache-miss "
			   "counters: %s). Each figure is a median of the samples in limits.json.\n\n",
			rset_num(cold, "probe_evicted_load_ns"), rset_num(cold, "probe_warm_load_ns"),
			misses ? misses : "?");
}
