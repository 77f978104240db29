/* report-tables.c — the tables report.md shows: one pivoted table per
 * question (sizes as columns, designs or configurations as rows), codes
 * as words, one unit per table that fits its magnitude (the plots' rule),
 * each under an anchor the summary links to. Every record stays in the
 * exhaustive tables/<bench>.md and the CSVs (suite-report.c writes them). */
#include "report-md.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rset.h"

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Distinct values of the number field over the records keep() accepts,
 * ascending; *n of them in a malloc'd array. */
static double *distinct(const json_t *records, const char *field,
			bool (*keep)(const json_t *, const void *), const void *arg, size_t *n)
{
	double *xs = malloc((json_array_size(records) + 1) * sizeof(*xs));
	size_t k = 0, i;
	json_t *r;
	if (!xs) {
		*n = 0;
		return NULL;
	}
	json_array_foreach(records, i, r) {
		double v = rset_num(r, field);
		if (isnan(v) || (keep && !keep(r, arg)))
			continue;
		bool have = false;
		for (size_t j = 0; j < k; j++)
			have |= xs[j] == v;
		if (!have)
			xs[k++] = v;
	}
	qsort(xs, k, sizeof(*xs), cmp_dbl);
	*n = k;
	return xs;
}

static void header(FILE *f, const char *first, const double *xs, size_t nx, const char *extra)
{
	fprintf(f, "| %s |", first);
	for (size_t j = 0; j < nx; j++)
		fprintf(f, " %.0f |", xs[j]);
	fprintf(f, "%s\n|---|", extra ? extra : "");
	for (size_t j = 0; j < nx; j++)
		fprintf(f, "---:|");
	if (extra)
		for (const char *c = extra; *c; c++)
			if (*c == '|')
				fprintf(f, "---:|");
	fputc('\n', f);
}

/* Under a table: the run-to-run spread over its cells (-r N). */
static void spread_line(FILE *f, const json_t *set, bool (*keep)(const json_t *, const void *))
{
	double cvs[4096];
	size_t n = 0, runs = 0, i;
	json_t *r;
	json_array_foreach(json_object_get(set, "records"), i, r) {
		size_t k;
		double cv = keep(r, NULL) ? rmd_run_cv(set, r, &k) : NAN;
		if (!isnan(cv) && n < 4096) {
			cvs[n++] = cv;
			runs = k;
		}
	}
	if (!n)
		return;
	qsort(cvs, n, sizeof(*cvs), cmp_dbl);
	char a[16], b[16];
	fprintf(f, "\nRun to run over %zu runs (`-r`): the cells' medians vary by a CV of "
		   "%s (median over %zu cells), at most %s; their 95%% CIs are within one run.\n",
		runs, rmd_fmt_cv(cvs[n / 2], a, sizeof(a)), n, rmd_fmt_cv(cvs[n - 1], b, sizeof(b)));
}

/* ---- lookup ---- */

static bool in_lookup(const json_t *r, const void *s)
{
	return rmd_lookup_in(r, s);
}

static void lookup_table(FILE *f, const json_t *set, const json_t *records,
			 const struct rmd_lookup *s)
{
	size_t nx, i;
	json_t *r;
	double *xs = distinct(records, "size", in_lookup, s, &nx);
	char anchor[64], a[32], extra[256] = "";
	rmd_lookup_anchor(s, anchor, sizeof(anchor));
	const json_t *win = rmd_lookup_winner(records, s);
	const json_t *kr = s->kernel ? rmd_lookup_rec(records, s, s->kernel, s->ref_size) : NULL;
	const json_t *fr = s->floor ? rmd_lookup_rec(records, s, s->floor, s->ref_size) : NULL;
	double samples = win ? rset_num(win, "samples") : NAN;
	fprintf(f, "<a id=\"%s\"></a>\n**%c%s mode, %s encoding** (%s pattern, %s filter%s%s): median "
		   "ns per lookup, %s samples per cell; columns: filter size (entries); the fastest at "
		   "%.0f in bold.\n\n", anchor, toupper((unsigned char)s->mode[0]), s->mode + 1, s->enc, s->pattern, s->action,
		s->shape ? ", shape " : "", s->shape ? s->shape : "",
		rset_fmt_num(samples, a, sizeof(a)), s->ref_size);
	if (kr)
		snprintf(extra, sizeof(extra), " %s / design at %.0f |", s->kernel, s->ref_size);
	if (fr)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 " design / floor at %.0f |", s->ref_size);
	size_t runs = 0;
	if (win)
		rmd_run_cv(set, win, &runs);
	if (runs > 1)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 " run-to-run CV at %.0f (%zu runs) |", s->ref_size, runs);
	header(f, "design", xs, nx, extra);
	json_t *seen = json_array();
	json_array_foreach(records, i, r) {
		const char *d = json_string_value(json_object_get(r, "design"));
		if (!rmd_lookup_in(r, s) || !d || rset_in_list(seen, d))
			continue;
		json_array_append_new(seen, json_string(d));
		const json_t *at = rmd_lookup_rec(records, s, d, s->ref_size);
		bool best = at && at == win;
		fprintf(f, "| %s%s%s |", best ? "**" : "", d, best ? "**" : "");
		for (size_t j = 0; j < nx; j++) {
			const json_t *c = rmd_lookup_rec(records, s, d, xs[j]);
			double m = c ? rset_median(c) : NAN;
			bool b = best && xs[j] == s->ref_size;
			fprintf(f, " %s%s%s |", b ? "**" : "", rset_fmt_num(m, a, sizeof(a)), b ? "**" : "");
		}
		double m = at ? rset_median(at) : NAN;
		if (kr)
			fprintf(f, " %.3g |", rset_median(kr) / m);
		if (fr)
			fprintf(f, " %.3g |", m / rset_median(fr));
		if (runs > 1) {
			size_t n;
			double cv = at ? rmd_run_cv(set, at, &n) : NAN;
			char c[16];
			fprintf(f, " %s |", rmd_fmt_cv(cv, c, sizeof(c)));
		}
		fputc('\n', f);
	}
	fputc('\n', f);
	json_decref(seen);
	free(xs);
}

static void lookup_tables(FILE *f, const json_t *set)
{
	const json_t *records = json_object_get(set, "records");
	static const char *const modes[] = { "latency", "throughput" };
	bool deny = false, masked = false;
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		const char *e = json_string_value(json_object_get(r, "encoding_name"));
		masked |= e && !strncmp(e, "masked", 6);
		deny |= rmd_is_str(json_object_get(r, "action"), "deny");
	}
	for (int m = 0; m < 2; m++) {
		struct rmd_lookup s;
		if (rmd_lookup_pick(records, modes[m], "exact", &s) ||
		    rmd_lookup_pick(records, modes[m], NULL, &s))
			lookup_table(f, set, records, &s);
	}
	fprintf(f, "%s%s%s patterns: [tables/lookup.md](tables/lookup.md), "
		   "[lookup.csv](lookup.csv) (every record, with p90, p99 and CIs).\n\n",
		masked ? "The masked encodings, " : "", deny ? (masked ? "the deny filters, " : "The deny filters, ") : "",
		masked || deny ? "the other" : "Other");
}

/* ---- exit ---- */

static bool in_reprogram(const json_t *r, const void *arg)
{
	(void)arg;
	const char *g = json_string_value(json_object_get(r, "group"));
	const char *flt = json_string_value(json_object_get(r, "filter"));
	return g && !strcmp(g, "reprogram") && flt && !strcmp(flt, "installed") &&
	       !isnan(rset_median(r));
}

static void series_name(const json_t *r, const char *const *fields, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (; *fields; fields++) {
		char v[64];
		rset_scalar(json_object_get(r, *fields), v, sizeof(v));
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? ", " : "", v);
	}
}

/* The rows of a pivoted table (header already written): one per series,
 * a series being the records keep accepts that agree in every `match`
 * field, named by name_of; a column per xs[j] of x_field, each cell the
 * median of the series' first record at that x. */
static void pivot_rows(FILE *f, const json_t *records,
		       bool (*keep)(const json_t *r, const void *arg), const char *x_field,
		       const double *xs, size_t nx, const char *const *match,
		       void (*name_of)(const json_t *r, char *buf, size_t len), struct rmd_unit u)
{
	json_t *seen = json_array(), *r;
	char name[192], a[32];
	size_t i;
	json_array_foreach(records, i, r) {
		if (!keep(r, NULL))
			continue;
		name_of(r, name, sizeof(name));
		if (rset_in_list(seen, name))
			continue;
		json_array_append_new(seen, json_string(name));
		fprintf(f, "| %s |", name);
		for (size_t j = 0; j < nx; j++) {
			const json_t *hit = NULL, *c;
			size_t k;
			json_array_foreach(records, k, c) {
				const char *const *m = match;
				if (!keep(c, NULL) || rset_num(c, x_field) != xs[j])
					continue;
				while (*m && json_equal(json_object_get(c, *m), json_object_get(r, *m)))
					m++;
				if (!*m) {
					hit = c;
					break;
				}
			}
			fprintf(f, " %s |", rmd_fmt(hit ? rset_median(hit) : NAN, u, a, sizeof(a)));
		}
		fputc('\n', f);
	}
	json_decref(seen);
}

static const char *const reprogram_fields[] = { "encoding", "action", "position", NULL };

static void reprogram_name(const json_t *r, char *buf, size_t len)
{
	series_name(r, reprogram_fields, buf, len);
}

/* Under the reprogram table: the configurations that gave no number,
 * counted by status; each with its reason is in tables/exit.md. */
static void failed_line(FILE *f, const json_t *records)
{
	json_t *by = json_object();
	size_t i, n = 0;
	json_t *r;
	json_array_foreach(records, i, r) {
		const char *st = json_string_value(json_object_get(r, "status"));
		if (!rmd_is_str(json_object_get(r, "group"), "reprogram") || !st || !strcmp(st, "ok"))
			continue;
		json_object_set_new(by, st, json_integer(json_integer_value(json_object_get(by, st)) + 1));
		n++;
	}
	if (n) {
		const char *st;
		json_t *c;
		size_t k = 0;
		fprintf(f, "\n%zu configuration%s gave no number (", n, n == 1 ? "" : "s");
		json_object_foreach(by, st, c)
			fprintf(f, "%s%lld %s", k++ ? ", " : "", (long long)json_integer_value(c), st);
		fprintf(f, "; `-` in the table): each with its reason in "
			   "[tables/exit.md](tables/exit.md).\n");
	}
	json_decref(by);
}

/* The reprogram sweep, pivoted: rows are encoding/action/position,
 * columns the installed filter size. */
static void exit_reprogram_table(FILE *f, const json_t *set, struct rmd_unit u)
{
	const json_t *records = json_object_get(set, "records");
	size_t nx, i;
	json_t *r;
	double *xs = distinct(records, "filter_size", in_reprogram, NULL, &nx);
	if (nx) {
		char none[128] = "";
		json_array_foreach(records, i, r) {
			if (rmd_is_str(json_object_get(r, "filter"), "none") &&
			    !isnan(rset_median(r))) {
				char v[96];
				snprintf(none, sizeof(none), "; with no filter installed the same cycle takes %s",
					 rmd_fmt_ci_u(r, u, v, sizeof(v)));
				break;
			}
		}
		fprintf(f, "<a id=\"exit-reprogram\"></a>\n**Counter reprogramming under a filter**: "
			   "median %s per guest %s cycle; columns: installed filter size "
			   "(entries); rows: encoding, action, and where the programmed event sits in the "
			   "filter%s.\n\n", u.name,
			rset_is_arm64(set) ? "PMEVTYPER<n>_EL0 write" : "event-select WRMSR", none);
		header(f, "filter", xs, nx, NULL);
		pivot_rows(f, records, in_reprogram, "filter_size", xs, nx, reprogram_fields,
			   reprogram_name, u);
		spread_line(f, set, in_reprogram);
		failed_line(f, records);
		fputc('\n', f);
	}
	free(xs);
}

/* The baselines: each exit timed one at a time and amortized over a block. */
static void exit_baseline_table(FILE *f, const json_t *records, struct rmd_unit u)
{
	size_t i;
	json_t *r;
	char name[192], a[32];
	json_t *exits = json_array();
	json_array_foreach(records, i, r) {
		json_t *e = json_object_get(r, "exit");
		if (rmd_is_str(json_object_get(r, "group"), "baseline") &&
		    json_is_string(e) && !rset_in_list(exits, json_string_value(e)))
			json_array_append(exits, e);
	}
	if (json_array_size(exits)) {
		fprintf(f, "<a id=\"exit-baselines\"></a>\n**Baseline exits** (no filter involved): "
			   "median %s per exit; *net* subtracts the same guest loop without the exiting "
			   "instruction.\n\n| exit | one at a time | net | amortized over a block | net |\n"
			   "|---|---:|---:|---:|---:|\n", u.name);
		size_t k;
		json_t *e;
		json_array_foreach(exits, k, e) {
			fprintf(f, "| %s |", json_string_value(e));
			static const char *const modes[] = { "each", "amortized" };
			for (int m = 0; m < 2; m++) {
				const json_t *hit = NULL;
				json_array_foreach(records, i, r) {
					if (rmd_is_str(json_object_get(r, "group"), "baseline") &&
					    json_equal(json_object_get(r, "exit"), e) &&
					    rmd_is_str(json_object_get(r, "mode"), modes[m]))
						hit = r;
				}
				const char *st = hit ? json_string_value(json_object_get(hit, "status")) : NULL;
				if (hit && st && strcmp(st, "ok"))
					fprintf(f, " %s | - |", st);
				else
					fprintf(f, " %s | %s |",
						rmd_fmt(hit ? rset_median(hit) : NAN, u, a, sizeof(a)),
						rmd_fmt(hit ? rset_num(hit, "net_median_ns") : NAN, u, name,
							sizeof(name)));
			}
			fputc('\n', f);
		}
		fputc('\n', f);
		json_array_foreach(records, i, r) {
			const char *st = json_string_value(json_object_get(r, "status"));
			const char *why = json_string_value(json_object_get(r, "why"));
			if (st && strcmp(st, "ok") && why &&
			    rmd_is_str(json_object_get(r, "group"), "baseline")) {
				fprintf(f, "- %s %s: %s: ", rmd_str(r, "exit") ? rmd_str(r, "exit") : "-",
					rmd_str(r, "mode") ? rmd_str(r, "mode") : "", st);
				rmd_cell(f, why);
				fputc('\n', f);
			}
		}
	}
	json_decref(exits);
}

static void exit_tables(FILE *f, const json_t *set)
{
	const json_t *records = json_object_get(set, "records");
	struct rmd_unit u = rmd_exit_unit(records);

	exit_reprogram_table(f, set, u);
	exit_baseline_table(f, records, u);
	fprintf(f, "\nEvery record (p90, p99, CIs, the validity cross-check of the two timing "
		   "modes): [tables/exit.md](tables/exit.md), [exit.csv](exit.csv).\n\n");
}

/* ---- install ---- */

static bool in_valid(const json_t *r, const void *arg)
{
	(void)arg;
	return rmd_is_str(json_object_get(r, "case"), "valid") &&
	       !isnan(rset_median(r));
}

static const char *const install_match[] = { "encoding", "vcpus", "vcpu_state", NULL };

static void install_name(const json_t *r, char *buf, size_t len)
{
	char vc[64];
	snprintf(buf, len, "%s, %s", rmd_str(r, "encoding") ? rmd_str(r, "encoding") : "-",
		 rmd_vcpus_word(r, vc, sizeof(vc)));
}

static void install_tables(FILE *f, const json_t *set)
{
	const json_t *records = json_object_get(set, "records");
	size_t nx, i;
	json_t *r;
	double *xs = distinct(records, "size", in_valid, NULL, &nx);
	double ymax = 0;
	json_array_foreach(records, i, r) if (in_valid(r, NULL)) ymax = fmax(ymax, rset_median(r));
	struct rmd_unit u = rmd_unit_for(ymax);
	char a[32];
	if (rset_is_arm64(set)) /* attributes per range, before INIT: no kick */
		fprintf(f, "<a id=\"install\"></a>\n**KVM_ARM_VCPU_PMU_V3_FILTER set-up**, valid "
			   "filters: median %s for all of a filter's attributes (one per range, "
			   "before INIT, on a fresh VM); columns: filter size (ranges); rows: "
			   "encoding and the VM's vCPUs.\n\n", u.name);
	else
		fprintf(f, "<a id=\"install\"></a>\n**KVM_SET_PMU_EVENT_FILTER latency**, valid filters: "
			   "median %s per ioctl; columns: filter size (entries); rows: encoding and the VM's "
			   "vCPUs (an in-guest vCPU must be kicked out to reprogram).\n\n", u.name);
	header(f, "filter, VM", xs, nx, NULL);
	pivot_rows(f, records, in_valid, "size", xs, nx, install_match, install_name, u);
	free(xs);
	spread_line(f, set, in_valid);
	/* The refusals: what the kernel answered, how fast (over every VM and size). */
	json_t *cases = json_array();
	json_array_foreach(records, i, r) {
		json_t *c = json_object_get(r, "case");
		if (json_is_string(c) && !in_valid(r, NULL) && !rset_in_list(cases, json_string_value(c)))
			json_array_append(cases, c);
	}
	if (json_array_size(cases)) {
		/* one line: the cases are few and each has one answer */
		fprintf(f, "\n<a id=\"install-refused\"></a>\n**Filters the kernel refuses**, its "
			   "answer and how long it took (median, the range over every VM and size "
			   "tried):");
		size_t k;
		json_t *c;
		json_array_foreach(cases, k, c) {
			double lo = INFINITY, hi = -INFINITY;
			const json_t *first = NULL;
			json_array_foreach(records, i, r) {
				if (!json_equal(json_object_get(r, "case"), c))
					continue;
				first = first ? first : r;
				double m = rset_median(r);
				if (!isnan(m))
					lo = fmin(lo, m), hi = fmax(hi, m);
			}
			char b1[48], b2[48], b3[32];
			fprintf(f, "%s `%s` (action %s, flags %s) %s in ", k ? ";" : "", json_string_value(c),
				rmd_action_word(json_object_get(first, "action"), b1, sizeof(b1)),
				rmd_flags_word(json_object_get(first, "flags"), b2, sizeof(b2)),
				rmd_str(first, "path") ? rmd_str(first, "path") : "-");
			if (isfinite(lo) && lo < hi)
				fprintf(f, "%s–%s ns", rset_fmt_num(lo, a, sizeof(a)), rset_fmt_num(hi, b3, sizeof(b3)));
			else
				fprintf(f, "%s ns", rset_fmt_num(isfinite(lo) ? lo : NAN, a, sizeof(a)));
		}
		fprintf(f, ".\n");
	}
	json_decref(cases);
	fprintf(f, "\nEvery record (p90, p99, CIs): [tables/install.md](tables/install.md), "
		   "[install.csv](install.csv).\n\n");
}

/* ---- check ---- */

static void check_tables(FILE *f, const json_t *set)
{
	const json_t *records = json_object_get(set, "records");
	fprintf(f, "<a id=\"checks\"></a>\n**Conformance checks** by result and reason (the checks "
		   "that passed without a note are counted, not listed):\n\n"
		   "| result | reason | checks |\n|---|---|---|\n");
	static const char *const order[] = { "fail", "skipped", "pass", NULL };
	for (const char *const *o = order; *o; o++) {
		json_t *reasons = json_array();
		size_t i, k;
		json_t *r, *rv;
		json_array_foreach(records, i, r) {
			const char *res = json_string_value(json_object_get(r, "result"));
			const char *why = json_string_value(json_object_get(r, "reason"));
			bool other = !strcmp(*o, "skipped") && res && strcmp(res, "fail") && strcmp(res, "pass");
			if (!res || (strcmp(res, *o) && !other))
				continue;
			why = why && *why ? why : "";
			if (!rset_in_list(reasons, why))
				json_array_append_new(reasons, json_string(why));
		}
		json_array_foreach(reasons, k, rv) {
			const char *why = json_string_value(rv);
			size_t n = 0;
			json_array_foreach(records, i, r) {
				const char *res = json_string_value(json_object_get(r, "result"));
				const char *w = json_string_value(json_object_get(r, "reason"));
				bool other = !strcmp(*o, "skipped") && res && strcmp(res, "fail") && strcmp(res, "pass");
				if (res && (!strcmp(res, *o) || other) && !strcmp(w && *w ? w : "", why))
					n++;
			}
			fprintf(f, "| %s | ", *o);
			rmd_cell(f, *why ? why : "(as documented)");
			fprintf(f, " | %zu", n);
			if (!strcmp(*o, "pass") && !*why) {
				fprintf(f, " |\n");
				continue;
			}
			fprintf(f, ":");
			size_t shown = 0;
			json_array_foreach(records, i, r) {
				const char *res = json_string_value(json_object_get(r, "result"));
				const char *w = json_string_value(json_object_get(r, "reason"));
				bool other = !strcmp(*o, "skipped") && res && strcmp(res, "fail") && strcmp(res, "pass");
				if (!res || !(!strcmp(res, *o) || other) || strcmp(w && *w ? w : "", why))
					continue;
				if (shown++ == 6) {
					fprintf(f, " …");
					break;
				}
				fprintf(f, "%s %s", shown > 1 ? "," : "", rmd_str(r, "name") ? rmd_str(r, "name") : "-");
			}
			fprintf(f, " |\n");
		}
		json_decref(reasons);
	}
	fprintf(f, "\nEvery check: [tables/check.md](tables/check.md), [check.csv](check.csv).\n\n");
}

bool report_tables(FILE *f, const json_t *set, const char *bench)
{
	if (!json_array_size(json_object_get(set, "records")))
		return false;
	if (!strcmp(bench, "lookup"))
		lookup_tables(f, set);
	else if (!strcmp(bench, "exit"))
		exit_tables(f, set);
	else if (!strcmp(bench, "install"))
		install_tables(f, set);
	else if (!strcmp(bench, "check"))
		check_tables(f, set);
	else
		return false;
	return true;
}
