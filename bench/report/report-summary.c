/* report-summary.c — report.md's "## Summary": one screen that answers the
 * suite's questions with numbers and CIs, each linking to the table it
 * comes from (report-tables.c draws those tables from the same records,
 * picked by the same report-md.c functions):
 *   the host in one line (CPU, kernel, guest or not, vPMU, emulation);
 *   the fastest lookup design at the kernel's limit, its ratio to the
 *   kernel's own algorithm and to the L1-load floor (ratio CIs by
 *   compare.c's bootstrap over the raw samples, or from the records' CIs);
 *   how exit cost grows with filter size (OLS slope per 100 entries);
 *   install cost at 0 and at the kernel's limit;
 *   the enforcement checks passed / failed / skipped;
 *   what this host could not measure, and why. */
#include "report-md.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "rset.h"

static void host_line(FILE *f, const json_t *h, const json_t *sets, const json_t *meta)
{
	const json_t *exit_ctx = rmd_path(rset_find(sets, "exit"), "context.exit");
	const char *exec = rmd_str(exit_ctx, "guest_execution");
	fprintf(f, "**Host** %s: ", rmd_str(h, "host_id") ? rmd_str(h, "host_id") : "-");
	if (rmd_path(h, "cpu.midr") || rset_is_arm64(h)) /* arm64: MIDR, named by libpfm4's PMU */
		fprintf(f, "%s (MIDR_EL1 %s)", rmd_str(h, "pmu.default_desc") ? rmd_str(h, "pmu.default_desc") : "CPU -",
			rmd_str(h, "cpu.midr.value") ? rmd_str(h, "cpu.midr.value") : "-");
	else
		fprintf(f, "%s (%s family %lld model %lld)",
			rmd_str(h, "cpu.model_name") ? rmd_str(h, "cpu.model_name") : "CPU -",
			rmd_str(h, "cpu.vendor") ? rmd_str(h, "cpu.vendor") : "-",
			(long long)json_integer_value(rmd_path(h, "cpu.family")),
			(long long)json_integer_value(rmd_path(h, "cpu.model")));
	fprintf(f, ", kernel %s; ", rmd_str(h, "kernel.release") ? rmd_str(h, "kernel.release") : "-");
	if (json_is_true(rmd_path(h, "virtualization.hypervisor")))
		fprintf(f, "itself a guest (nested KVM); ");
	else if (rmd_path(h, "virtualization.how") || (rmd_path(h, "virtualization") && !rset_is_arm64(h)))
		fprintf(f, "no hypervisor seen; ");
	const json_t *vp = rmd_path(h, "kvm.vpmu");
	if (json_is_true(json_object_get(vp, "present")) && rset_is_arm64(h))
		fprintf(f, "vPMU **yes** (PMUv3, PMUVer %lld, %lld event counters); ",
			(long long)json_integer_value(json_object_get(vp, "version")),
			(long long)json_integer_value(json_object_get(vp, "gp_counters")));
	else if (json_is_true(json_object_get(vp, "present")))
		fprintf(f, "vPMU **yes** (version %lld, %lld counters); ",
			(long long)json_integer_value(json_object_get(vp, "version")),
			(long long)json_integer_value(json_object_get(vp, "gp_counters")));
	else if (vp)
		fprintf(f, "vPMU **no** (%s); ", rmd_str(vp, "why") ? rmd_str(vp, "why") : "-");
	if (exec && !strncmp(exec, "emulated", 8))
		fprintf(f, "guest code **emulated** by KVM's instruction emulator (exit numbers are "
			   "emulator costs).");
	else if (exec)
		fprintf(f, "guest code runs natively.");
	else
		fprintf(f, "guest execution not measured.");
	fprintf(f, " %s%s suite, %s, pfbench %s.\n\n",
		meta ? "The " : "", meta ? (rmd_str(meta, "mode") ? rmd_str(meta, "mode") : "-") : "",
		rmd_str(meta, "started_utc") ? rmd_str(meta, "started_utc") : "",
		rmd_str(meta, "context.git_rev") ? rmd_str(meta, "context.git_rev") : "-");
}

/* "11.2× (95% CI 10.9–11.5)" for B/A, or "-" when it cannot be had. */
static const char *ratio_text(const json_t *a, const json_t *b, char *buf, size_t len,
			      const char **method)
{
	struct cmp_opts o = { .iters = CMP_DEFAULT_ITERS, .seed = 1 };
	struct cmp_ratio r;
	if (!a || !b || cmp_records(a, b, &o, &r)) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (r.method == CMP_NONE)
		snprintf(buf, len, "%.3g×", r.ratio);
	else
		snprintf(buf, len, "%.3g× (95%% CI %.3g–%.3g)", r.ratio, r.lo, r.hi);
	*method = r.method == CMP_RUNS	    ? "Welch t over the -r run medians"
		  : r.method == CMP_BOOTSTRAP ? "bootstrap over the raw samples"
		  : r.method == CMP_RECORD_CI ? "from the records' own CIs (no raw samples)"
					      : "no CI";
	return buf;
}

static void lookup_line(FILE *f, const json_t *set, const char *mode)
{
	const json_t *records = json_object_get(set, "records");
	char run[96];
	struct rmd_lookup s;
	if (!rmd_lookup_pick(records, mode, "exact", &s) &&
	    !rmd_lookup_pick(records, mode, NULL, &s))
		return;
	const json_t *win = rmd_lookup_winner(records, &s);
	if (!win)
		return;
	const char *wd = json_string_value(json_object_get(win, "design"));
	char anchor[64], v[96], k[96], fl[96];
	const char *method = "no CI";
	rmd_lookup_anchor(&s, anchor, sizeof(anchor));
	fprintf(f, "- **Fastest lookup, %s mode, at %.0f entries**%s: `%s`, [%s](#%s) per lookup%s",
		s.mode, s.ref_size, s.ref_size == 300 ? " (the kernel's limit)" : " (largest measured; "
		"the kernel's limit, 300, was not)", wd, rmd_fmt_ci(win, v, sizeof(v)), anchor,
		rmd_fmt_run(set, win, run, sizeof(run)));
	const json_t *kr = s.kernel ? rmd_lookup_rec(records, &s, s.kernel, s.ref_size) : NULL;
	const json_t *fr = s.floor ? rmd_lookup_rec(records, &s, s.floor, s.ref_size) : NULL;
	if (kr && kr != win)
		fprintf(f, "; %s faster than the kernel's `%s`",
			ratio_text(win, kr, k, sizeof(k), &method), s.kernel);
	else if (kr)
		fprintf(f, "; the kernel's own `%s` is the fastest", s.kernel);
	if (fr)
		fprintf(f, "; %s the L1-load floor", ratio_text(fr, win, fl, sizeof(fl), &method));
	fprintf(f, " (%s pattern, %s encoding, %s filter; ratio CIs %s).\n", s.pattern, s.enc,
		s.action, method);
}

static void exit_line(FILE *f, const json_t *set)
{
	const json_t *records = json_object_get(set, "records");
	json_t *sel = json_array();
	const json_t *none = NULL;
	double xmax = 0;
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		const char *g = json_string_value(json_object_get(r, "group"));
		const char *flt = json_string_value(json_object_get(r, "filter"));
		const char *st = json_string_value(json_object_get(r, "status"));
		if (!g || strcmp(g, "reprogram") || (st && strcmp(st, "ok")) ||
		    !!isnan(rset_median(r)))
			continue;
		if (flt && !strcmp(flt, "none"))
			none = none ? none : r;
		else if (json_is_number(json_object_get(r, "filter_size"))) {
			json_array_append(sel, r);
			xmax = fmax(xmax, rset_num(r, "filter_size"));
		}
	}
	double b, lo, hi;
	size_t n;
	char v[96];
	if (rmd_slope(sel, "filter_size", &b, &lo, &hi, &n)) {
		struct rmd_unit u = rmd_exit_unit(records);
		char sb[32], sl[32], sh[32];
		bool flat = lo <= 0 && hi >= 0;
		fprintf(f, "- **Exit cost vs filter size**: %s — [%s%s %s per 100 entries](#exit-reprogram) "
			   "(95%% CI %s to %s; least squares over %zu medians, sizes 0–%.0f)",
			flat ? "**flat** (the CI holds 0)" : b > 0 ? "**grows**" : "**falls**",
			b >= 0 ? "+" : "", rmd_fmt(b * 100, u, sb, sizeof(sb)), u.name,
			rmd_fmt(lo * 100, u, sl, sizeof(sl)), rmd_fmt(hi * 100, u, sh, sizeof(sh)), n,
			xmax);
		char run[96];
		if (none)
			fprintf(f, "; with no filter the same cycle takes %s%s",
				rmd_fmt_ci_u(none, u, v, sizeof(v)), rmd_fmt_run(set, none, run, sizeof(run)));
		const char *m = rmd_str(set, "context.exit.reprogram_measures");
		if (json_is_false(rmd_path(set, "context.exit.vpmu")))
			fprintf(f, ". No vPMU: this measures the %s", m ? m : "PMU MSR path, not a filter lookup");
		fprintf(f, ".\n");
	} else if (json_array_size(sel) || none) {
		fprintf(f, "- **Exit cost vs filter size**: too few sizes for a slope "
			   "([table](#exit-reprogram)).\n");
	}
	json_decref(sel);
}

static void install_line(FILE *f, const json_t *set)
{
	const json_t *records = json_object_get(set, "records");
	static const char *const encs[] = { "exact", "masked", "arm64-ranges" };
	bool any = false, arm = rset_is_arm64(set);
	for (int e = 0; e < 3; e++) {
		const json_t *r0 = rmd_install_rec(records, encs[e], 0);
		double big = 300;
		const json_t *rb = rmd_install_rec(records, encs[e], big);
		if (!rb) { /* the largest valid size measured */
			size_t i;
			json_t *r;
			big = -1;
			json_array_foreach(records, i, r) {
				const char *c = json_string_value(json_object_get(r, "case"));
				if (c && !strcmp(c, "valid") && rset_num(r, "size") > big &&
				    rmd_install_rec(records, encs[e], rset_num(r, "size")))
					big = rset_num(r, "size");
			}
			rb = big > 0 ? rmd_install_rec(records, encs[e], big) : NULL;
		}
		if (!r0 && !rb)
			continue;
		char a[96], b[96], vc[64], run[96];
		const json_t *any_r = r0 ? r0 : rb;
		if (!any && arm)
			fprintf(f, "- **Install cost** ([table](#install)), the KVM_ARM_VCPU_PMU_V3_FILTER "
				   "attributes of a filter on a VM with %s: ",
				   rmd_vcpus_word(any_r, vc, sizeof(vc)));
		else if (!any)
			fprintf(f, "- **Install cost** ([table](#install)), KVM_SET_PMU_EVENT_FILTER on a "
				   "VM with %s: ", rmd_vcpus_word(any_r, vc, sizeof(vc)));
		fprintf(f, "%s%s filter ", any ? "; " : "", encs[e]);
		if (r0)
			fprintf(f, "%s%s at 0 entries", rmd_fmt_ci(r0, a, sizeof(a)),
				rmd_fmt_run(set, r0, run, sizeof(run)));
		if (rb)
			fprintf(f, "%s%s%s at %.0f", r0 ? ", " : "", rmd_fmt_ci(rb, b, sizeof(b)),
				rmd_fmt_run(set, rb, run, sizeof(run)), big);
		any = true;
	}
	if (any)
		fprintf(f, ".\n");
}

static void checks_line(FILE *f, const json_t *set)
{
	const json_t *records = json_object_get(set, "records");
	size_t pass = 0, fail = 0, skip = 0, i;
	json_t *r, *why = json_object();
	json_array_foreach(records, i, r) {
		const char *res = json_string_value(json_object_get(r, "result"));
		if (!res)
			continue;
		if (!strcmp(res, "pass")) {
			pass++;
		} else if (!strcmp(res, "fail")) {
			fail++;
		} else {
			skip++;
			const char *w = json_string_value(json_object_get(r, "reason"));
			w = w ? w : "no reason given";
			json_object_set_new(why, w, json_integer(json_integer_value(json_object_get(why, w)) + 1));
		}
	}
	fprintf(f, "- **Enforcement checks** ([table](#checks)): %zu passed, %s%zu failed%s, %zu "
		   "skipped", pass, fail ? "**" : "", fail, fail ? "**" : "", skip);
	const char *k;
	json_t *v;
	size_t n = 0;
	json_object_foreach(why, k, v) {
		if (n++ == 3) {
			fprintf(f, ", …");
			break;
		}
		fprintf(f, "%s%lld: %s", n == 1 ? " (" : "; ", (long long)json_integer_value(v), k);
	}
	fprintf(f, "%s", n ? ")" : "");
	if (fail) {
		fprintf(f, ". Failed:");
		n = 0;
		json_array_foreach(records, i, r) {
			if (!rmd_is_str(json_object_get(r, "result"), "fail"))
				continue;
			if (n++ == 5) {
				fprintf(f, " …");
				break;
			}
			fprintf(f, "%s `%s`", n > 1 ? "," : "", json_string_value(json_object_get(r, "name")));
		}
	}
	fprintf(f, ".\n");
	json_decref(why);
}

/* What the host lacks (info's "missing") and each benchmark's skips. */
static void missing_lines(FILE *f, const json_t *host, const json_t *sets)
{
	const json_t *missing = json_object_get(host, "missing");
	size_t i, nsk = 0;
	json_t *m, *set;
	json_array_foreach(sets, i, set) nsk += json_array_size(json_object_get(set, "skipped"));
	if (!json_array_size(missing) && !nsk)
		return;
	fprintf(f, "- **Not measured on this host**:\n");
	json_array_foreach(missing, i, m) {
		fprintf(f, "  - ");
		rmd_cell(f, json_string_value(m));
		fprintf(f, "\n");
	}
	json_array_foreach(sets, i, set) {
		const json_t *sk = json_object_get(set, "skipped");
		if (!json_array_size(sk))
			continue;
		fprintf(f, "  - %s: ", json_string_value(json_object_get(set, "bench")));
		size_t j;
		json_t *s;
		json_array_foreach(sk, j, s) {
			if (j == 3) {
				fprintf(f, "; and %zu more ([What ran](#what-ran))", json_array_size(sk) - 3);
				break;
			}
			fprintf(f, "%s%s (%s)", j ? "; " : "", rmd_str(s, "what") ? rmd_str(s, "what") : "-",
				rmd_str(s, "why") ? rmd_str(s, "why") : "-");
		}
		fprintf(f, "\n");
	}
}

void report_summary(FILE *f, const json_t *sets, const json_t *host, const json_t *meta)
{
	fprintf(f, "## Summary\n\n");
	host_line(f, host, sets, meta);
	const json_t *set = rset_find(sets, "lookup");
	if (set) {
		lookup_line(f, set, "latency");
		lookup_line(f, set, "throughput");
	}
	if ((set = rset_find(sets, "exit")))
		exit_line(f, set);
	if ((set = rset_find(sets, "install")))
		install_line(f, set);
	if ((set = rset_find(sets, "check")))
		checks_line(f, set);
	const json_t *failed = json_object_get(meta, "failed");
	if (json_array_size(failed)) {
		fprintf(f, "- **Stages that did not finish** ([What ran](#what-ran)):");
		size_t i;
		json_t *st;
		json_array_foreach(failed, i, st) {
			fprintf(f, "%s %s: %s (", i ? ";" : "", rmd_str(st, "stage") ? rmd_str(st, "stage") : "-",
				rmd_str(st, "status") ? rmd_str(st, "status") : "-");
			rmd_cell(f, rmd_str(st, "why") ? rmd_str(st, "why") : "-");
			fputc(')', f);
		}
		fprintf(f, ".\n");
	}
	missing_lines(f, host, sets);
	/* the most runs any timed record had (suite -r N, or a benchmark's -r N) */
	size_t runs = 0, i, j;
	json_t *s, *r;
	json_array_foreach(sets, i, s) json_array_foreach(json_object_get(s, "records"), j, r) {
		size_t k;
		rmd_run_cv(s, r, &k);
		runs = k > runs ? k : runs;
	}
	if (runs > 1)
		fprintf(f, "\nMedians with the 95%% bootstrap CI of the median (within one run) and "
			   "the run-to-run spread over %zu runs (`-r %zu`: the coefficient of "
			   "variation of the runs' medians, as `perf stat -r`'s ±). Every number links "
			   "to its table; in the plots, points are medians and shaded bands their 95%% CIs.\n\n", runs, runs);
	else
		fprintf(f, "\nMedians with the 95%% bootstrap CI of the median (within this run; not "
			   "run-to-run variation: `-r N` on the suite or a benchmark measures that). Every number "
			   "links to its table; in the plots, points are medians and shaded bands their "
			   "95%% CIs.\n\n");
}
