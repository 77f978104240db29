/* suite-report.c — report.md for a suite run directory (see suite.h): the
 * host, what ran and what was skipped and why, one captioned table per
 * result set (median with p90/p99, the 95% CI of the median and the sample
 * count), and the plots. Written so its tables can be pasted into a paper
 * or a mailing-list post: every caption says what was measured, on which
 * host, with how many samples. Everything comes from the files in the
 * directory, so `pfbench report DIR` rebuilds it at any time. */
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out-text.h"
#include "report-md.h"
#include "rset.h"

/* What each benchmark's numbers are; the caption repeats the unit. */
#define LOOKUP_WHAT \
	"The time one filter decision takes (\"may the guest count this event?\") in a "        \
	"userspace replica of each lookup design: the kernel's own algorithms (x86: linear "     \
	"scan, sorted exact match with binary search, masked entries with includes/excludes; "   \
	"arm64: a test_bit in the VM-wide event bitmap, `k5.10-arm64-bitmap`, on the same "      \
	"events as bits) and alternative designs, by filter size, encoding, action and hit "     \
	"pattern. Throughput mode times independent lookups; latency mode a dependent chain, "   \
	"each lookup waiting for the previous one. Unit: ns per lookup, timed with "
static const struct {
	const char *bench, *title, *what;
	const char *what_arm64; /* for a set made on arm64 (rset_is_arm64); NULL: what */
} benches[] = {
	{ "lookup", "Filter lookup cost",
	  LOOKUP_WHAT "the "
	  "serialized TSC over a batch of lookups and divided by the batch size.",
	  LOOKUP_WHAT "isb + "
	  "cntvct_el0 (the generic timer's virtual count, CNTFRQ_EL0 ticks per second) over a "
	  "batch of lookups and divided by the batch size." },
	{ "exit", "Guest exit latency under filters",
	  "The round trip a guest pays for an exit, timed inside the guest with the TSC: "
	  "counter reprogramming exits (a guest write to an event selector, which KVM checks "
	  "against the installed filter) by filter size and encoding, beside baseline exits "
	  "that involve no filter. Unit: ns per exit, guest-observed (host handling plus "
	  "entry/exit), not host handling time alone.",
	  "The round trip a guest pays for an exit, timed inside the guest with isb + "
	  "cntvct_el0: counter reprogramming exits (a guest write to PMEVTYPER<n>_EL0, which "
	  "KVM checks against the VM's event bitmap) by filter size, beside baseline exits that "
	  "involve no filter (HVC, an MMIO access handled in userspace, a trapped system "
	  "register). Unit: ns per exit, guest-observed (host handling plus entry/exit), not "
	  "host handling time alone." },
	{ "install", "Filter install cost",
	  "The latency of the KVM_SET_PMU_EVENT_FILTER ioctl on a VM, timed on the host "
	  "around the ioctl, by filter size and encoding. It includes copying and sorting the "
	  "filter, the SRCU grace period and the request that makes every vCPU reprogram its "
	  "counters. Unit: ns per ioctl.",
	  "The cost of setting up an arm64 filter: one KVM_ARM_VCPU_PMU_V3_FILTER vCPU "
	  "attribute (KVM_SET_DEVICE_ATTR) per range, before KVM_ARM_VCPU_PMU_V3_INIT, timed on "
	  "the host, by number of ranges. The first range allocates the VM-wide event bitmap "
	  "and sets its default, each range then sets or clears its events; there is no grace "
	  "period and no vCPU to kick, because a filter can only be set before any vCPU ran "
	  "(after that: EBUSY). Unit: ns for all of a filter's attributes." },
	{ "limits", "What a bigger filter limit would cost",
	  "For filter size limits N = 300 (today's), 1,000, 3,000, 10,000 and 65,536: one "
	  "lookup warm and cold (the design's memory evicted first, as after a guest ran) for "
	  "the kernel's replica and every other design, their memory, the kernel's install-side "
	  "copy + sort timed in user space, and how many entries real PMU tables need exact "
	  "and masked. Unit: ns per lookup or per install.", NULL },
	{ "check", "Filter conformance checks",
	  "Whether this host's KVM validates and enforces filters as documented: each case, "
	  "what was expected and what the host did.", NULL },
};

static const char *bench_title(const char *b)
{
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!strcmp(benches[i].bench, b))
			return benches[i].title;
	return b;
}

static const char *bench_what(const char *b, const json_t *set)
{
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!strcmp(benches[i].bench, b))
			return rset_is_arm64(set) && benches[i].what_arm64 ? benches[i].what_arm64
									  : benches[i].what;
	return NULL;
}

static void scalar_cell(FILE *f, const json_t *v)
{
	char buf[256];
	rmd_cell(f, rset_scalar(v, buf, sizeof(buf)));
}

/* A key column's value, install's codes as words (action 0/1 allow/deny,
 * flags 1 masked; report-md.h). */
static void named_cell(FILE *f, const char *name, const json_t *v)
{
	char buf[256];
	if (json_is_integer(v) && !strcmp(name, "action"))
		rmd_cell(f, rmd_action_word(v, buf, sizeof(buf)));
	else if (json_is_integer(v) && !strcmp(name, "flags"))
		rmd_cell(f, rmd_flags_word(v, buf, sizeof(buf)));
	else
		rmd_cell(f, rset_scalar(v, buf, sizeof(buf)));
}

static bool is_pfbench(const char *w)
{
	const char *base = strrchr(w, '/');
	return !strcmp(base ? base + 1 : w, "pfbench");
}

/* A command as run, always as `pfbench ARGS`: from argv (a JSON array
 * whose first word may or may not be the program), else from the command
 * line; "-" when neither is known. */
static void command_code(FILE *f, const json_t *argv, const char *line)
{
	if (json_array_size(argv)) {
		const char *first = json_string_value(json_array_get(argv, 0));
		bool prog = first && is_pfbench(first);
		fputs("`pfbench", f);
		size_t j;
		json_t *a;
		json_array_foreach(argv, j, a) {
			if (j == 0 && prog)
				continue;
			fputc(' ', f);
			rmd_cell(f, json_is_string(a) ? json_string_value(a) : "?");
		}
		fputc('`', f);
	} else if (line) {
		size_t n = strcspn(line, " ");
		char first[256];
		snprintf(first, sizeof(first), "%.*s", (int)n, line);
		fputs("`pfbench", f);
		if (is_pfbench(first))
			line += n;
		if (*line && *line != ' ')
			fputc(' ', f);
		rmd_cell(f, line);
		fputc('`', f);
	} else {
		fputc('-', f);
	}
}

static json_t *load_json(const char *dir, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return json_load_file(path, 0, NULL);
}

/* ---- the host ---- */

static void host_row(FILE *f, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void host_row(FILE *f, const char *what, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(f, "| %s | ", what);
	rmd_cell(f, buf);
	fprintf(f, " |\n");
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

static void render_host(FILE *f, const json_t *h, const char *source)
{
	fprintf(f, "## Host\n\n");
	if (!h) {
		fprintf(f, "No host description (neither info.json nor metadata.json has one).\n\n");
		return;
	}
	char buf[256];
	fprintf(f, "From %s (`pfbench info --json`).\n\n| | |\n|---|---|\n", source);
	host_row(f, "host id", "%s", or_dash(rmd_str(h, "host_id")));
	if (rmd_path(h, "cpu.midr") || rset_is_arm64(h))
		host_row(f, "CPU", "%s (MIDR_EL1 %s: implementer %s (%s), part %s, variant %s, "
			 "revision %s), %s", or_dash(rmd_str(h, "pmu.default_desc")),
			 or_dash(rmd_str(h, "cpu.midr.value")), or_dash(rmd_str(h, "cpu.midr.implementer")),
			 or_dash(rmd_str(h, "cpu.midr.implementer_name")),
			 or_dash(rmd_str(h, "cpu.midr.part")),
			 rset_scalar(rmd_path(h, "cpu.midr.variant"), buf, 32),
			 rset_scalar(rmd_path(h, "cpu.midr.revision"), buf + 32, 32),
			 or_dash(rmd_str(h, "cpu.arch")));
	else
		host_row(f, "CPU", "%s (%s, family %s, model %s, stepping %s, microcode %s), %s",
			 or_dash(rmd_str(h, "cpu.model_name")), or_dash(rmd_str(h, "cpu.vendor")),
			 rset_scalar(rmd_path(h, "cpu.family"), buf, 32), rset_scalar(rmd_path(h, "cpu.model"), buf + 32, 32),
			 rset_scalar(rmd_path(h, "cpu.stepping"), buf + 64, 32), or_dash(rmd_str(h, "cpu.microcode")),
			 or_dash(rmd_str(h, "cpu.arch")));
	json_t *t = rmd_path(h, "topology");
	if (json_is_object(t)) {
		double l3 = rset_num(t, "l3_bytes");
		host_row(f, "topology (hwloc)", "%lld package(s), %lld core(s), %lld PU(s), %lld NUMA "
			 "node(s), SMT %s, L3 %.0f MiB", (long long)json_integer_value(json_object_get(t, "packages")),
			 (long long)json_integer_value(json_object_get(t, "cores")),
			 (long long)json_integer_value(json_object_get(t, "pus")),
			 (long long)json_integer_value(json_object_get(t, "numa_nodes")),
			 json_is_true(json_object_get(t, "smt")) ? "on" : "off",
			 isnan(l3) ? 0.0 : l3 / 1048576.0);
	}
	host_row(f, "kernel", "%s", or_dash(rmd_str(h, "kernel.release")));
	json_t *virt = rmd_path(h, "virtualization");
	/* Sets older than "how": on x86 CPUID's bit decided; arm64 has none
	 * (then nothing was checked). */
	const char *how = rmd_str(virt, "how") ? rmd_str(virt, "how") : "CPUID hypervisor bit";
	if (virt && !rmd_str(virt, "how") && rset_is_arm64(h))
		host_row(f, "virtualization", "not checked (this set predates pfbench's arm64 "
			 "check; arm64 has no CPUID hypervisor bit)");
	else if (virt && json_is_true(json_object_get(virt, "hypervisor")))
		host_row(f, "virtualization", "a guest (%s; vendor id %s): nested "
			 "KVM, numbers include the outer hypervisor", how,
			 or_dash(rmd_str(virt, "hypervisor_vendor")));
	else if (virt)
		host_row(f, "virtualization", "no hypervisor seen (%s)", how);
	json_t *kvm = rmd_path(h, "kvm");
	if (kvm) {
		if (json_is_true(json_object_get(kvm, "usable")))
			host_row(f, "/dev/kvm", "usable");
		else
			host_row(f, "/dev/kvm", "not usable: %s", or_dash(rmd_str(kvm, "why")));
		char caps[512] = "";
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(kvm, "caps"), k, v) {
			char val[32];
			snprintf(caps + strlen(caps), sizeof(caps) - strlen(caps), "%s%s=%s",
				 caps[0] ? ", " : "", k, rset_scalar(v, val, sizeof(val)));
		}
		if (caps[0])
			host_row(f, "KVM caps", "%s", caps);
		json_t *vp = json_object_get(kvm, "vpmu");
		if (rset_is_arm64(h)) {
			/* arm64: no x86 flavor or module parameters; PMUv3 fields. */
			host_row(f, "filter", "KVM_ARM_VCPU_PMU_V3_FILTER ranges of event numbers, "
				 "set per vCPU before INIT");
			if (json_is_true(json_object_get(vp, "present")))
				host_row(f, "vPMU offered to guests", "PMUv3, PMUVer %lld "
					 "(ID_AA64DFR0_EL1), %lld event counters (%lld bits) and the "
					 "cycle counter", (long long)json_integer_value(json_object_get(vp, "version")),
					 (long long)json_integer_value(json_object_get(vp, "gp_counters")),
					 (long long)json_integer_value(json_object_get(vp, "gp_width")));
			else if (vp)
				host_row(f, "vPMU offered to guests", "none: %s", or_dash(rmd_str(vp, "why")));
			goto counters;
		}
		host_row(f, "filter flavor", "%s (%s)", or_dash(rmd_str(kvm, "flavor")),
			 or_dash(rmd_str(kvm, "flavor_how")));
		host_row(f, "enable_pmu", "%s", or_dash(rmd_str(kvm, "enable_pmu")));
		json_t *med = json_object_get(kvm, "mediated_pmu");
		if (json_is_object(med))
			host_row(f, "mediated vPMU", "%s=%s", or_dash(rmd_str(med, "param")),
				 or_dash(rmd_str(med, "value")));
		else
			host_row(f, "mediated vPMU", "no such module parameter on this kernel");
		if (json_is_true(json_object_get(vp, "present")))
			host_row(f, "vPMU offered to guests", "version %lld, %lld GP counters (%lld bits), "
				 "%lld fixed", (long long)json_integer_value(json_object_get(vp, "version")),
				 (long long)json_integer_value(json_object_get(vp, "gp_counters")),
				 (long long)json_integer_value(json_object_get(vp, "gp_width")),
				 (long long)json_integer_value(json_object_get(vp, "fixed_counters")));
		else if (vp)
			host_row(f, "vPMU offered to guests", "none: %s", or_dash(rmd_str(vp, "why")));
	}
counters:;
	json_t *ctr = rmd_path(h, "counters");
	if (ctr)
		host_row(f, "hardware counters (host)", "%s",
			 json_is_true(json_object_get(ctr, "hw_usable"))
				 ? "usable"
				 : (rmd_str(ctr, "hw_why") ? rmd_str(ctr, "hw_why") : "not usable"));
	if (rmd_str(h, "pmu.default"))
		host_row(f, "PMU model (libpfm4)", "%s", rmd_str(h, "pmu.default"));
	/* its "missing" list is the summary's "Not measured on this host" */
	if (json_array_size(json_object_get(h, "missing")))
		fprintf(f, "\nWhat this host lacks, and what that disables: the Summary's "
			   "*Not measured on this host*.\n");
	fputc('\n', f);
}

/* ---- what ran ---- */

static void render_stages(FILE *f, const json_t *meta)
{
	fprintf(f, "<a id=\"what-ran\"></a>\n## What ran\n\n");
	const json_t *stages = json_object_get(meta, "stages");
	if (!json_array_size(stages)) {
		fprintf(f, "No stage record (no metadata.json): this report covers the result "
			   "sets found in the directory.\n\n");
		return;
	}
	fprintf(f, "| stage | command | status | exit | time (s) | note |\n|---|---|---|---|---|---|\n");
	size_t i;
	json_t *s;
	json_array_foreach(stages, i, s) {
		fprintf(f, "| %s | ", or_dash(rmd_str(s, "name")));
		command_code(f, json_object_get(s, "argv"), NULL);
		fprintf(f, " | %s | ", or_dash(rmd_str(s, "status")));
		scalar_cell(f, json_object_get(s, "exit_code"));
		fprintf(f, " | %.1f | ", rset_num(s, "duration_s"));
		rmd_cell(f, rmd_str(s, "why") ? rmd_str(s, "why") : "");
		fprintf(f, " |\n");
	}
	const json_t *skipped = json_object_get(meta, "skipped");
	if (json_array_size(skipped)) {
		fprintf(f, "\nSkipped, and why (one line per stage and reason):\n\n");
		json_array_foreach(skipped, i, s) {
			const char *stage = or_dash(rmd_str(s, "stage")), *why = or_dash(rmd_str(s, "why"));
			bool said = false;
			for (size_t j = 0; j < i && !said; j++) {
				const json_t *t = json_array_get(skipped, j);
				said = !strcmp(or_dash(rmd_str(t, "stage")), stage) &&
				       !strcmp(or_dash(rmd_str(t, "why")), why);
			}
			if (said)
				continue;
			fprintf(f, "- %s: ", stage);
			/* every "what" of this stage with this reason, in order */
			size_t n = 0;
			for (size_t j = i; j < json_array_size(skipped); j++) {
				const json_t *t = json_array_get(skipped, j);
				const char *what = rmd_str(t, "what");
				if (strcmp(or_dash(rmd_str(t, "stage")), stage) ||
				    strcmp(or_dash(rmd_str(t, "why")), why) || !what || !strcmp(what, stage))
					continue;
				fprintf(f, "%s%s", n++ ? "; " : "", what);
			}
			fprintf(f, "%s%s\n", n ? ": " : "", why);
		}
	}
	fputc('\n', f);
}

/* ---- one result set ---- */

/* The label of an extra median column: its declared block without the
 * "_" ("overhead_" -> "overhead", "net_" -> "net"), else its name. */
static const char *median_label(const json_t *set, const char *col, char *buf, size_t len)
{
	const json_t *c = schema_column(json_object_get(set, "columns"), col);
	const char *b = json_string_value(json_object_get(c, "block"));
	size_t n = b ? strlen(b) : 0;
	if (n && b[n - 1] == '_')
		n--;
	snprintf(buf, len, "%.*s", n ? (int)n : (int)strlen(col), n ? b : col);
	return buf;
}

/* Whether some of records holds the median m names (the set's declared
 * headline measure, rset_measure). */
static bool has_median(const struct rset_measure *m, const json_t *records)
{
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) if (m->median && json_is_number(json_object_get(r, m->median)))
		return true;
	return false;
}

static void sample_range(const struct rset_measure *m, const json_t *records, double *lo,
			 double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		double n = m->n ? rset_num(r, m->n) : NAN;
		if (!isnan(n)) {
			*lo = fmin(*lo, n);
			*hi = fmax(*hi, n);
		}
	}
}

/* What the tables of a set showed, so the caption can say exactly that. */
struct shown {
	bool full;      /* a row per record: median, p90, p99, CI, n */
	bool pivot;     /* cells "median / p90", a column per size */
	json_t *extra;  /* the other declared medians shown (net_median_ns, ...) */
	json_t *pivots; /* the size columns pivoted on */
};

static void render_caption(FILE *f, const json_t *set, const char *bench, const json_t *records,
			   const json_t *host, const struct shown *sh)
{
	const json_t *ctx = json_object_get(set, "context");
	const json_t *h = json_object_get(ctx, "host");
	if (!h)
		h = host;
	double lo, hi;
	char a[32], b[32];
	struct rset_measure m;
	rset_measure(set, NULL, &m);
	const char *unit = m.unit ? m.unit : "";
	sample_range(&m, records, &lo, &hi);
	fprintf(f, "*Table: %s. ", bench_title(bench));
	if (has_median(&m, records) && (sh->full || sh->pivot)) {
		if (sh->full) {
			fprintf(f, "%sedian %s with the 90th and 99th percentiles, the 95%% "
				   "bootstrap CI of the median and the sample count n",
				sh->pivot ? "Tables with a row per record: m" : "M", unit);
			size_t k, n = json_array_size(sh->extra);
			json_t *kv;
			char lb[64];
			json_array_foreach(sh->extra, k, kv)
				fprintf(f, "%s%s", k == 0 ? ", and the " : k + 1 < n ? ", " : " and ",
					median_label(set, json_string_value(kv), lb, sizeof(lb)));
			if (n)
				fprintf(f, " median%s (%s)", n > 1 ? "s" : "", unit);
			fprintf(f, sh->pivot ? "; " : ", ");
		}
		if (sh->pivot) {
			fprintf(f, "%s median / p90 %s, a column per ",
				sh->full ? "pivoted tables: cells" : "Cells:", unit);
			size_t k;
			json_t *kv;
			json_array_foreach(sh->pivots, k, kv)
				fprintf(f, "%s%s", k ? " or " : "", json_string_value(kv));
			fprintf(f, ", ");
		}
		if (isfinite(lo) && lo == hi)
			fprintf(f, "%s samples per %s", rset_fmt_num(lo, a, sizeof(a)),
				sh->full ? "row" : "cell");
		else if (isfinite(lo))
			fprintf(f, "%s to %s samples per %s%s", rset_fmt_num(lo, a, sizeof(a)),
				rset_fmt_num(hi, b, sizeof(b)), sh->full ? "row" : "cell",
				sh->full ? (sh->pivot ? " (column n where shown)" : " (column n)") : "");
		else
			fprintf(f, "sample counts not recorded");
		fprintf(f, "; ");
	}
	fprintf(f, "host %s (%s), kernel %s", or_dash(rmd_str(h, "host_id")),
		or_dash(rmd_str(h, "cpu.model_name")), or_dash(rmd_str(h, "kernel.release")));
	if (rmd_str(ctx, "date_utc"))
		fprintf(f, ", %s", rmd_str(ctx, "date_utc"));
	if (rmd_str(ctx, "git_rev"))
		fprintf(f, ", pfbench %s", rmd_str(ctx, "git_rev"));
	const json_t *timer = json_object_get(ctx, "timer");
	if (json_is_object(timer)) {
		fprintf(f, "; timer %s at %s ticks/ns (%s", or_dash(rmd_str(timer, "source")),
			rset_fmt_num(rset_num(timer, "ticks_per_ns"), a, sizeof(a)),
			or_dash(rmd_str(timer, "method")));
		if (rmd_str(timer, "method") && !strcmp(rmd_str(timer, "method"), "calibrated"))
			fprintf(f, ", ±%.2g ppm", 1e6 * rset_num(timer, "uncertainty"));
		fprintf(f, ")");
		double ov = rset_num(timer, "overhead_ns");
		if (!isnan(ov))
			fprintf(f, ", read overhead %s ns", rset_fmt_num(ov, b, sizeof(b)));
	}
	const json_t *bind = json_object_get(ctx, "binding");
	if (json_is_object(bind))
		fprintf(f, "; pinned to core %lld (%s)", (long long)json_integer_value(json_object_get(bind, "core")),
			json_is_true(json_object_get(bind, "strict")) ? "strict" : "not strict");
	fprintf(f, ".*\n\n");
}


static void render_same(FILE *f, const json_t *records, const json_t *keys, const json_t *vary)
{
	if (json_array_size(records) < 2 || json_array_size(keys) <= json_array_size(vary))
		return;
	fprintf(f, "Same in every row:");
	size_t n = 0, k;
	json_t *kv;
	json_array_foreach(keys, k, kv) {
		const char *name = json_string_value(kv);
		if (rset_in_list(vary, name))
			continue;
		char buf[128];
		fprintf(f, "%s %s=%s", n++ ? "," : "", name,
			rset_scalar(json_object_get(json_array_get(records, 0), name), buf, sizeof(buf)));
	}
	fprintf(f, ".\n\n");
}

static bool any_not_ok(const json_t *records)
{
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		const char *st = json_string_value(json_object_get(r, "status"));
		if (st && strcmp(st, "ok"))
			return true;
	}
	return false;
}

/* Tables longer than this are pivoted on their size column when they have
 * one: a row per configuration, a column per size. */
#define PIVOT_MIN_ROWS 60

static const char *const size_columns[] = { "size", "filter_size", "nevents", NULL };

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The size column to pivot on: in vary, numeric, at least 3 values. */
static const char *pivot_column(const json_t *records, const json_t *vary)
{
	if (json_array_size(records) <= PIVOT_MIN_ROWS)
		return NULL;
	for (const char *const *c = size_columns; *c; c++)
		if (rset_in_list(vary, *c))
			return *c;
	return NULL;
}

static void row_key(const json_t *r, const json_t *cols, char *buf, size_t len)
{
	size_t off = 0, k;
	json_t *kv;
	buf[0] = '\0';
	json_array_foreach(cols, k, kv) {
		char v[128];
		rset_scalar(json_object_get(r, json_string_value(kv)), v, sizeof(v));
		int w = snprintf(buf + off, len - off, "%s\x1f", v);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
}

/* Distinct row keys over cols; *dup set when two records share a row key
 * and an x value (the pivot would hide one). */
static size_t count_rows(const json_t *records, const json_t *cols, const char *x, bool *dup)
{
	json_t *rows = json_object(), *cells = json_object();
	size_t i;
	json_t *r;
	char key[1024], cell[1100], xs[32];
	*dup = false;
	json_array_foreach(records, i, r) {
		row_key(r, cols, key, sizeof(key));
		json_object_set_new(rows, key, json_true());
		snprintf(cell, sizeof(cell), "%s%s", key, rset_fmt_num(rset_num(r, x), xs, sizeof(xs)));
		if (json_object_get(cells, cell))
			*dup = true;
		json_object_set_new(cells, cell, json_true());
	}
	size_t n = json_object_size(rows);
	json_decref(rows);
	json_decref(cells);
	return n;
}

/* The row-key columns: the varying keys but x, less those that only vary
 * with x (e.g. a filter's include count): dropped greedily while that
 * merges rows and no cell is hidden. */
static json_t *pivot_rows(const json_t *records, const json_t *vary, const char *x,
			  json_t *dropped)
{
	json_t *cols = json_array();
	size_t k;
	json_t *kv;
	json_array_foreach(vary, k, kv) if (strcmp(json_string_value(kv), x)) json_array_append(cols, kv);
	for (;;) {
		bool dup;
		size_t best_rows = count_rows(records, cols, x, &dup), best = (size_t)-1;
		for (k = 0; k < json_array_size(cols); k++) {
			json_t *tmp = json_copy(cols);
			json_array_remove(tmp, k);
			size_t n = count_rows(records, tmp, x, &dup);
			if (!dup && n < best_rows) {
				best_rows = n;
				best = k;
			}
			json_decref(tmp);
		}
		if (best == (size_t)-1)
			break;
		json_array_append(dropped, json_array_get(cols, best));
		json_array_remove(cols, best);
	}
	return cols;
}

/* One row per configuration (the varying keys but x), one column per x
 * value; each cell "median / p90" in ns. */
static void render_pivot(FILE *f, const struct rset_measure *m, const json_t *records,
			 const json_t *vary, const char *x)
{
	json_t *dropped = json_array();
	json_t *cols = pivot_rows(records, vary, x, dropped), *rows = json_array();
	size_t i, k;
	json_t *r, *kv;
	double *xs = malloc(json_array_size(records) * sizeof(*xs));
	size_t nx = 0;
	char key[1024], cell[1100], xb[32];
	/* rows: row key -> first record; cells: row key + x -> record. */
	json_t *first_of = json_object(), *cells = json_object();
	json_array_foreach(records, i, r) {
		double v = rset_num(r, x);
		bool have = false;
		for (size_t j = 0; j < nx; j++)
			have |= xs[j] == v;
		if (!have && !isnan(v))
			xs[nx++] = v;
		row_key(r, cols, key, sizeof(key));
		if (!json_object_get(first_of, key)) {
			json_object_set_new(first_of, key, json_integer((json_int_t)i));
			json_array_append_new(rows, json_string(key));
		}
		snprintf(cell, sizeof(cell), "%s%s", key, rset_fmt_num(v, xb, sizeof(xb)));
		if (!json_object_get(cells, cell))
			json_object_set_new(cells, cell, json_integer((json_int_t)i));
	}
	qsort(xs, nx, sizeof(*xs), cmp_dbl);
	fprintf(f, "Cells: median / p90 in %s, one column per %s.", m->unit ? m->unit : "", x);
	if (json_array_size(dropped)) {
		fprintf(f, " Not shown, as they follow from %s:", x);
		json_array_foreach(dropped, k, kv) fprintf(f, "%s %s", k ? "," : "", json_string_value(kv));
		fprintf(f, " (see the CSV).");
	}
	fprintf(f, "\n\n|");
	json_array_foreach(cols, k, kv) fprintf(f, " %s |", json_string_value(kv));
	char a[32], b[32];
	for (size_t j = 0; j < nx; j++)
		fprintf(f, " %s=%s |", x, rset_fmt_num(xs[j], a, sizeof(a)));
	fprintf(f, "\n|");
	for (k = 0; k < json_array_size(cols) + nx; k++)
		fprintf(f, "---|");
	fputc('\n', f);
	size_t ri;
	json_t *rk;
	json_array_foreach(rows, ri, rk) {
		const json_t *first = json_array_get(records, (size_t)json_integer_value(
							    json_object_get(first_of, json_string_value(rk))));
		fputc('|', f);
		json_array_foreach(cols, k, kv) {
			fputc(' ', f);
			named_cell(f, json_string_value(kv), json_object_get(first, json_string_value(kv)));
			fprintf(f, " |");
		}
		for (size_t j = 0; j < nx; j++) {
			snprintf(cell, sizeof(cell), "%s%s", json_string_value(rk),
				 rset_fmt_num(xs[j], xb, sizeof(xb)));
			json_t *idx = json_object_get(cells, cell);
			const json_t *hit = idx ? json_array_get(records, (size_t)json_integer_value(idx))
						: NULL;
			double med = hit ? rset_num(hit, m->median) : NAN;
			if (!isnan(med))
				fprintf(f, " %s / %s |", rset_fmt_num(med, a, sizeof(a)),
					rset_fmt_num(m->p90 ? rset_num(hit, m->p90) : NAN, b, sizeof(b)));
			else
				fprintf(f, " - |");
		}
		fputc('\n', f);
	}
	free(xs);
	json_decref(cols);
	json_decref(rows);
	json_decref(dropped);
	json_decref(first_of);
	json_decref(cells);
}

/* The set's key columns that some of records have. New array. */
static json_t *present_keys(const json_t *set_keys, const json_t *records)
{
	json_t *keys = json_array();
	size_t i, k;
	json_t *r, *kv;
	json_array_foreach(set_keys, k, kv) {
		json_array_foreach(records, i, r) {
			if (json_object_get(r, json_string_value(kv))) {
				json_array_append(keys, kv);
				break;
			}
		}
	}
	return keys;
}

/* The declared medians of records other than m's own (net_median_ns ...). */
static json_t *extra_medians(const json_t *set, const json_t *records,
			     const struct rset_measure *m)
{
	json_t *extra = rset_medians(set, records);
	for (size_t k = 0; k < json_array_size(extra); k++)
		if (!strcmp(json_string_value(json_array_get(extra, k)), m->median ? m->median : ""))
			json_array_remove(extra, k--);
	return extra;
}

/* The statistics cells of one record: median, p90, p99, CI, n, then the
 * extra medians ("-" for what the set does not declare). */
static void timed_cells(FILE *f, const json_t *r, const struct rset_measure *m,
			const json_t *extra)
{
	char a[32], b[32], c[32];
	size_t k;
	json_t *kv;
#define STAT(name) ((name) ? rset_num(r, (name)) : NAN)
	fprintf(f, " %s |", rset_fmt_num(STAT(m->median), a, sizeof(a)));
	fprintf(f, " %s |", rset_fmt_num(STAT(m->p90), a, sizeof(a)));
	fprintf(f, " %s |", rset_fmt_num(STAT(m->p99), a, sizeof(a)));
	double lo = STAT(m->ci_low), hi = STAT(m->ci_high);
	if (isnan(lo) || isnan(hi))
		fprintf(f, " - |");
	else
		fprintf(f, " %s – %s |", rset_fmt_num(lo, b, sizeof(b)), rset_fmt_num(hi, c, sizeof(c)));
	fprintf(f, " %s |", rset_fmt_num(STAT(m->n), a, sizeof(a)));
#undef STAT
	json_array_foreach(extra, k, kv)
		fprintf(f, " %s |", rset_fmt_num(rset_num(r, json_string_value(kv)), a, sizeof(a)));
}

/* The header of a row-per-record table. */
static void table_head(FILE *f, const json_t *set, const json_t *cols, bool status, bool timed,
		       const struct rset_measure *m, const json_t *extra, struct shown *sh)
{
	size_t k;
	json_t *kv;
	fputc('|', f);
	json_array_foreach(cols, k, kv) fprintf(f, " %s |", json_string_value(kv));
	if (status)
		fprintf(f, " status |");
	if (timed) {
		sh->full = true;
		const char *u = m->unit ? m->unit : "";
		fprintf(f, " median %s | p90 %s | p99 %s | 95%% CI of median (%s) | n |", u, u, u, u);
		json_array_foreach(extra, k, kv) {
			if (!rset_in_list(sh->extra, json_string_value(kv)))
				json_array_append(sh->extra, kv);
			char lb[64];
			fprintf(f, " %s median %s |", median_label(set, json_string_value(kv), lb, sizeof(lb)),
				u);
		}
	}
	fprintf(f, "\n|");
	size_t ncols = json_array_size(cols) + status + (timed ? 5 + json_array_size(extra) : 0);
	for (k = 0; k < ncols; k++)
		fprintf(f, "---|");
	fputc('\n', f);
}

/* Rows that did not measure: say why, once each, by their varying keys. */
static void why_list(FILE *f, const json_t *records, const json_t *vary)
{
	bool head = false;
	size_t i, k;
	json_t *r, *kv;
	json_array_foreach(records, i, r) {
		const char *why = json_string_value(json_object_get(r, "why"));
		if (!why)
			continue;
		if (!head)
			fprintf(f, "\n");
		head = true;
		fprintf(f, "- ");
		size_t n = 0;
		json_array_foreach(vary, k, kv) {
			char buf[128];
			fprintf(f, "%s%s=%s", n++ ? ", " : "", json_string_value(kv),
				rset_scalar(json_object_get(r, json_string_value(kv)), buf, sizeof(buf)));
		}
		fprintf(f, "%s", n ? ": " : "");
		rmd_cell(f, why);
		fputc('\n', f);
	}
}

/* One table of records: timed ones (holding the set's declared median)
 * pivoted on a size column when long, else a row each with the
 * statistics; untimed ones with every declared scalar column. */
static void render_records(FILE *f, const json_t *set, const json_t *records,
			   const json_t *set_keys,
			   struct shown *sh)
{
	size_t i, k;
	json_t *r, *kv;
	json_t *keys = present_keys(set_keys, records);
	json_t *vary = rset_varying(records, keys);
	struct rset_measure m;
	rset_measure(set, NULL, &m);
	bool timed = has_median(&m, records);
	json_t *cols, *extra = extra_medians(set, records, &m);
	bool status = timed && any_not_ok(records) && !rset_in_list(vary, "status");

	if (timed) {
		render_same(f, records, keys, vary);
		const char *px = pivot_column(records, vary);
		if (px && !status) {
			render_pivot(f, &m, records, vary, px);
			sh->pivot = true;
			if (!rset_in_list(sh->pivots, px))
				json_array_append_new(sh->pivots, json_string(px));
			json_decref(extra);
			json_decref(keys);
			json_decref(vary);
			return;
		}
		cols = json_array_size(records) > 1 ? json_incref(vary) : json_incref(keys);
	} else {
		cols = rset_present_columns(set, records); /* every declared scalar column */
	}
	table_head(f, set, cols, status, timed, &m, extra, sh);
	json_array_foreach(records, i, r) {
		fputc('|', f);
		json_array_foreach(cols, k, kv) {
			fputc(' ', f);
			json_t *v = json_object_get(r, json_string_value(kv));
			char a[32];
			if (json_is_real(v))
				fputs(rset_fmt_num(json_real_value(v), a, sizeof(a)), f);
			else
				named_cell(f, json_string_value(kv), v);
			fprintf(f, " |");
		}
		if (status) {
			fputc(' ', f);
			scalar_cell(f, json_object_get(r, "status"));
			fprintf(f, " |");
		}
		if (timed)
			timed_cells(f, r, &m, extra);
		fputc('\n', f);
	}
	if (timed)
		why_list(f, records, vary);
	json_decref(cols);
	json_decref(extra);
	json_decref(keys);
	json_decref(vary);
}

/* Records split by their "group" field (e.g. exit's baseline, validity,
 * reprogram), each group its own table; one table when there is none. */
static void render_groups(FILE *f, const json_t *set, const json_t *records, struct shown *sh)
{
	json_t *keys = rset_set_keys(set, NULL);
	json_t *groups = json_array();
	size_t i, g;
	json_t *r, *gv;
	/* exit: baseline/validity/reprogram; lookup: throughput/latency. */
	const char *split = "group";
	json_array_foreach(records, i, r) {
		if (!json_object_get(r, "group") && json_is_string(json_object_get(r, "mode")))
			split = "mode";
		break;
	}
	json_array_foreach(records, i, r) {
		json_t *v = json_object_get(r, split);
		if (json_is_string(v) && !rset_in_list(groups, json_string_value(v)))
			json_array_append(groups, v);
	}
	if (json_array_size(groups) < 2) {
		render_records(f, set, records, keys, sh);
	} else {
		json_array_foreach(groups, g, gv) {
			json_t *sub = json_array();
			json_array_foreach(records, i, r) {
				if (json_equal(json_object_get(r, split), gv))
					json_array_append(sub, r);
			}
			fprintf(f, "\n**%s = %s** (%zu rows)\n\n", split, json_string_value(gv),
				json_array_size(sub));
			render_records(f, set, sub, keys, sh);
			json_decref(sub);
		}
	}
	json_decref(groups);
	json_decref(keys);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static bool exists(const char *dir, const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return access(path, R_OK) == 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The plots of a bench: plots/<bench>.png or plots/<bench>-*.png, sorted
 * (stems, without ".png"). */
static size_t find_plots(const char *dir, const char *bench, char ***out)
{
	char pdir[PATH_MAX];
	snprintf(pdir, sizeof(pdir), "%s/plots", dir);
	DIR *d = opendir(pdir);
	*out = NULL;
	if (!d)
		return 0;
	size_t n = 0, cap = 0, bl = strlen(bench);
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		size_t len = strlen(nm);
		if (len < 5 || strcmp(nm + len - 4, ".png") || strncmp(nm, bench, bl) ||
		    (nm[bl] != '.' && nm[bl] != '-') || strstr(nm, ".tmp."))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			char **nn = realloc(*out, cap * sizeof(**out));
			if (!nn)
				break;
			*out = nn;
		}
		(*out)[n++] = strndup(nm, len - 4);
	}
	closedir(d);
	if (n)
		qsort(*out, n, sizeof(**out), cmp_name);
	return n;
}

/* At most this many plots are shown inline; beyond it only those whose
 * name ends in the preferred part (lookup: the mixed pattern on the
 * exact encoding, allow filter: the summary's), at most PLOTS_INLINE_MAX; the rest
 * linked. */
#define PLOTS_INLINE 6
#define PLOTS_INLINE_MAX 2

static void render_plot(FILE *f, const char *dir, const char *bench)
{
	char **names;
	size_t n = find_plots(dir, bench, &names);
	if (!n)
		return;
	const char *prefer = n > PLOTS_INLINE ? "-mixed-exact" : NULL;
	bool any = false;
	for (size_t i = 0; i < n && prefer; i++)
		any |= ends_with(names[i], prefer);
	if (!any)
		prefer = NULL;
	size_t shown = 0;
	bool *inl = calloc(n, sizeof(*inl));
	for (size_t i = 0; i < n && inl; i++) {
		if ((prefer && !ends_with(names[i], prefer)) || shown >= PLOTS_INLINE_MAX)
			continue;
		char svg[512];
		snprintf(svg, sizeof(svg), "plots/%.400s.svg", names[i]);
		fprintf(f, "![%s](plots/%s.png)", names[i], names[i]);
		if (exists(dir, svg))
			fprintf(f, " [SVG](%s) · [data](plots/%s.dat)", svg, names[i]);
		fprintf(f, "\n"); /* the images of a set side by side, one paragraph */
		inl[i] = true;
		shown++;
	}
	if (shown)
		fputc('\n', f);
	if (shown < n) {
		fprintf(f, "More plots (PNG; SVG and data beside each):");
		for (size_t i = 0; i < n; i++)
			if (!inl || !inl[i])
				fprintf(f, " [%s](plots/%s.png)", names[i], names[i]);
		fprintf(f, "\n\n");
	}
	free(inl);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* What the benchmark itself says its numbers are ("measures" in its
 * records) and its own context block (context.<bench>: vPMU, how the guest
 * runs, ...). */
static void render_notes(FILE *f, const json_t *set, const char *bench, const json_t *records)
{
	json_t *seen = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		json_t *m = json_object_get(r, "measures");
		if (json_is_string(m) && !rset_in_list(seen, json_string_value(m)))
			json_array_append(seen, m);
	}
	if (json_array_size(seen)) {
		fprintf(f, "What the records say they measure:\n\n");
		json_array_foreach(seen, i, r) fprintf(f, "- %s\n", json_string_value(r));
		fputc('\n', f);
	}
	json_decref(seen);
	const json_t *own = json_object_get(json_object_get(set, "context"), bench);
	if (json_is_object(own) && json_object_size(own)) {
		fprintf(f, "The benchmark's context (`context.%s`):\n\n", bench);
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)own, k, v) {
			if (json_is_object(v) || json_is_array(v))
				continue;
			char buf[512];
			fprintf(f, "- %s: ", k);
			rmd_cell(f, rset_scalar(v, buf, sizeof(buf)));
			fputc('\n', f);
		}
		fputc('\n', f);
	}
}

/* Conformance-style records ("result": pass/fail/skipped): the tally. */
static void render_results(FILE *f, const json_t *records)
{
	json_t *counts = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		const char *res = json_string_value(json_object_get(r, "result"));
		if (!res)
			continue;
		json_object_set_new(counts, res,
				    json_integer(json_integer_value(json_object_get(counts, res)) + 1));
	}
	if (json_object_size(counts)) {
		fprintf(f, "%zu checks:", json_array_size(records));
		const char *k;
		json_t *v;
		size_t n = 0;
		json_object_foreach(counts, k, v)
			fprintf(f, "%s %lld %s", n++ ? "," : "", (long long)json_integer_value(v), k);
		fprintf(f, ".\n\n");
	}
	json_decref(counts);
}

/* One noisy record: its key columns, then its reason. */
static void noisy_item(FILE *f, const json_t *set, const json_t *r)
{
	size_t k;
	json_t *kc;
	char buf[64];
	bool first = true;
	json_t *keys = rset_set_keys(set, NULL);
	json_array_foreach(keys, k, kc) {
		const char *name = json_string_value(kc);
		const json_t *v = name ? json_object_get(r, name) : NULL;
		if (v && !json_is_null(v)) {
			fprintf(f, "%s%s=%s", first ? "" : " ", name, rset_scalar(v, buf, sizeof(buf)));
			first = false;
		}
	}
	json_decref(keys);
	fprintf(f, "%s", first ? "" : ": ");
	rmd_cell(f, or_dash(rmd_str(r, "noisy_reason")));
}

/* Records flagged "noisy" (disturb.h): in report.md (all false) how many
 * and the first, in one paragraph linking to tables/<bench>.md, which
 * (all true) lists every one with its reason. */
static void render_noisy(FILE *f, const json_t *set, const char *bench, bool all)
{
	const json_t *records = json_object_get(set, "records");
	size_t i, n = 0;
	json_t *r;
	json_array_foreach(records, i, r) n += json_is_true(json_object_get(r, "noisy"));
	if (!n)
		return;
	if (all)
		fprintf(f, "<a id=\"noisy\"></a>\n**Noisy:** %zu of %zu records were disturbed while "
			   "measured (`noisy`: true; the reason is in `noisy_reason`):\n\n", n,
			json_array_size(records));
	else
		fprintf(f, "**Noisy:** %zu of %zu records were disturbed while measured (`noisy`: true; "
			   "each with its reason in [tables/%s.md](tables/%s.md#noisy)), e.g. ", n,
			json_array_size(records), bench, bench);
	json_array_foreach(records, i, r) {
		if (!json_is_true(json_object_get(r, "noisy")))
			continue;
		fprintf(f, "%s", all ? "- " : "");
		noisy_item(f, set, r);
		fputc('\n', f);
		if (!all)
			break;
	}
	fputc('\n', f);
}

/* The exhaustive tables of one set: what the records measure, the
 * benchmark's context, the caption and every record. */
static void render_all(FILE *f, const json_t *set, const char *bench, const json_t *host)
{
	const json_t *records = json_object_get(set, "records");
	render_notes(f, set, bench, records);
	if (!strcmp(bench, "limits") && json_array_size(records)) {
		report_limits(f, set); /* its own table: the records are of three kinds */
		return;
	}
	if (!json_array_size(records)) {
		fprintf(f, "No records.\n\n");
		return;
	}
	/* The tables first, so the caption can name exactly the columns they
	 * show. */
	struct shown sh = { .extra = json_array(), .pivots = json_array() };
	char *tables = NULL;
	size_t len = 0;
	FILE *t = open_memstream(&tables, &len);
	if (t) {
		render_results(t, records);
		render_groups(t, set, records, &sh);
		fclose(t);
		render_caption(f, set, bench, records, host, &sh);
		if (tables)
			fwrite(tables, 1, len, f);
	} else { /* no memory: the tables without their column description */
		render_caption(f, set, bench, records, host, &sh);
		render_results(f, records);
		render_groups(f, set, records, &sh);
	}
	free(tables);
	json_decref(sh.extra);
	json_decref(sh.pivots);
	fputc('\n', f);
}

/* tables/<bench>.md: every record of the set, beside report.md. */
static int write_all(const char *dir, const json_t *set, const char *bench, const json_t *host,
		     char *err, size_t errlen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tables", dir);
	int e = out_mkdirs(path);
	char *text = NULL;
	size_t len = 0;
	FILE *f = e ? NULL : open_memstream(&text, &len);
	if (!e && !f)
		e = -ENOMEM;
	if (!e) {
		fprintf(f, "# %s (`%s`): every record\n\n", bench_title(bench), bench);
		if (bench_what(bench, set))
			fprintf(f, "%s\n\n", bench_what(bench, set));
		fprintf(f, "From [../%s.json](../%s.json) (raw samples where kept), also as "
			   "[../%s.csv](../%s.csv). The selected tables and the summary are in "
			   "[../report.md](../report.md).\n\n", bench, bench, bench, bench);
		render_noisy(f, set, bench, true);
		render_all(f, set, bench, host);
		fclose(f);
		snprintf(path, sizeof(path), "%s/tables/%s.md", dir, bench);
		e = text ? out_write_text(path, text, len) : -ENOMEM;
	}
	if (e)
		snprintf(err, errlen, "%.400s: %s", path, strerror(-e));
	free(text);
	return e;
}

static void render_set(FILE *f, const char *dir, const json_t *set, const json_t *host,
		       const json_t *meta)
{
	const char *bench = json_string_value(json_object_get(set, "bench"));
	fprintf(f, "## %s (`%s`)\n\n", bench_title(bench), bench);
	if (bench_what(bench, set))
		fprintf(f, "%s\n\n", bench_what(bench, set));
	fprintf(f, "Files: [%s.json](%s.json) (every record, with raw samples where kept), "
		   "[%s.csv](%s.csv), [tables/%s.md](tables/%s.md) (every record as tables).",
		bench, bench, bench, bench, bench, bench);
	/* The command: the suite's record of the stage, else the set's own. */
	const json_t *argv = rmd_path(set, "context.argv");
	size_t i;
	json_t *st;
	json_array_foreach(json_object_get(meta, "stages"), i, st) {
		if (!strcmp(or_dash(rmd_str(st, "name")), bench) &&
		    json_array_size(json_object_get(st, "argv")))
			argv = json_object_get(st, "argv");
	}
	if (json_array_size(argv) || rmd_str(set, "context.command_line")) {
		fprintf(f, " Command: ");
		command_code(f, argv, rmd_str(set, "context.command_line"));
		fprintf(f, ".");
	}
	fprintf(f, "\n\n");
	if (!json_is_true(json_object_get(set, "complete"))) {
		/* a run stopped by a signal says so (stop.h: "the rest of the sweep") */
		const char *stopped = NULL;
		size_t k;
		json_t *sk;
		json_array_foreach(json_object_get(set, "skipped"), k, sk)
			if (!strcmp(or_dash(rmd_str(sk, "what")), "the rest of the sweep"))
				stopped = rmd_str(sk, "why");
		fprintf(f, "**Incomplete:** this benchmark did not finish everything it was asked "
			   "(`\"complete\": false`%s%s); the rows below are what it measured.\n\n",
			stopped ? ": " : "", stopped ? stopped : "");
	}
	render_noisy(f, set, bench, false);
	render_plot(f, dir, bench);
	if (report_tables(f, set, bench))
		return;
	if (!strcmp(bench, "limits") && json_array_size(json_object_get(set, "records")))
		report_limits(f, set); /* its own table; context and notes in tables/limits.md */
	else
		render_all(f, set, bench, host);
}

/* The stage metadata.json still marks "running" (the suite writes that
 * marker before a stage starts and replaces it when the stage ends), or
 * NULL. */
static const char *running_stage(const json_t *meta)
{
	size_t i;
	json_t *st;
	json_array_foreach(json_object_get(meta, "stages"), i, st) {
		const char *status = rmd_str(st, "status");
		if (status && !strcmp(status, "running"))
			return or_dash(rmd_str(st, "name"));
	}
	return NULL;
}

static void render_head(FILE *f, const json_t *meta, const json_t *host)
{
	const char *id = rmd_str(meta, "host_id") ? rmd_str(meta, "host_id") : rmd_str(host, "host_id");
	fprintf(f, "# pfbench results: %s, %s\n\n", or_dash(id), or_dash(rmd_str(meta, "started_utc")));
	if (!meta) {
		fprintf(f, "Result sets found in this directory (no metadata.json: not a suite run).\n\n");
		return;
	}
	const char *mode = or_dash(rmd_str(meta, "mode"));
	fprintf(f, "The %s suite (", mode);
	command_code(f, rmd_path(meta, "context.argv"), rmd_str(meta, "context.command_line"));
	fprintf(f, "), pfbench %s built with %s (%s).", or_dash(rmd_str(meta, "context.git_rev")),
		or_dash(rmd_str(meta, "context.compiler")), or_dash(rmd_str(meta, "context.cflags")));
	double d = rset_num(meta, "duration_s");
	if (!isnan(d))
		fprintf(f, " It took %.1f s.", d);
	const char *running = running_stage(meta);
	if (json_is_true(json_object_get(meta, "complete")))
		fprintf(f, " Every stage ran (see below for skips and failures).\n");
	else if (running)
		fprintf(f, "\n\n**Incomplete run: interrupted during %s.** metadata.json still marks "
			   "that stage `running`: the suite was killed (SIGKILL, a crash, power loss) "
			   "while it ran, so neither it nor any later stage finished. Stages that "
			   "finished before it are below.\n\n", running);
	else if (rmd_str(meta, "interrupted_by"))
		fprintf(f, "\n\n**Incomplete run: interrupted by %s.** Stages that finished before it "
			   "are below; the rest did not run. metadata.json says `\"complete\": "
			   "false`.\n\n", rmd_str(meta, "interrupted_by"));
	else
		fprintf(f, "\n\n**Incomplete run** (`\"complete\": false` in metadata.json: it did not "
			   "finish, or is still running).\n\n");
	fprintf(f, "How to read it: docs/reading-results.md. Compare two runs with `pfbench "
		   "compare DIR_A DIR_B`.\n\n");
}

/* NAME.tmp.PID files whose writer is gone: what a kill during an atomic
 * write (out_stage, a plot) leaves behind. */
static void remove_stale_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *t = strstr(de->d_name, ".tmp.");
		if (!t || t == de->d_name)
			continue;
		char *end;
		long pid = strtol(t + 5, &end, 10);
		if (*end || end == t + 5 || pid <= 0 || pid == (long)getpid() ||
		    !(kill((pid_t)pid, 0) < 0 && errno == ESRCH))
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!unlink(path))
			fprintf(stderr, "pfbench: report: removed %s (left by a writer that was "
					"stopped, pid %ld)\n", path, pid);
	}
	closedir(d);
}

/* Emulated numbers get their own section, never mixed with hardware ones. */
static void render_emulated(FILE *f, const json_t *meta, const json_t *sets)
{
	const char *em = rmd_str(meta, "emulated");
	if (!em && json_array_size(sets))
		em = rmd_str(json_array_get(sets, 0), "context.emulated");
	if (em)
		fprintf(f, "# Emulated results (%s): not hardware times\n\n"
			   "Every result below ran under an emulator (`\"emulated\": \"%s\"` in each "
			   "record). Under QEMU TCG with `-icount shift=0` the virtual clock advances "
			   "with executed instructions, so a time here is a deterministic, "
			   "instruction-based cost of the code path (KVM's own, for the exit and "
			   "install numbers), not what hardware would take; `pfbench compare` refuses "
			   "to set these beside hardware results (docs/methodology.md).\n\n", em, em);
}

/* The damage found, first in the report (lenient). */
static void render_problems(FILE *f, const json_t *problems)
{
	if (!json_array_size(problems))
		return;
	fprintf(f, "**Warning: this directory is damaged** (`pfbench report --lenient`); what "
		   "could not be read is left out below:\n\n");
	size_t i;
	json_t *p;
	json_array_foreach(problems, i, p) {
		fprintf(f, "- ");
		rmd_cell(f, json_string_value(p));
		fputc('\n', f);
	}
	fputc('\n', f);
}

/* The host description: info.json, else metadata's context, else the
 * first result set's; *source says which. */
static const json_t *pick_host(const json_t *info, const json_t *meta, const json_t *sets,
			       const char **source)
{
	if (json_is_object(info) && json_object_get(info, "host_id")) {
		*source = "info.json";
		return info;
	}
	if (rmd_path(meta, "context.host") && json_is_object(rmd_path(meta, "context.host"))) {
		*source = "metadata.json";
		return rmd_path(meta, "context.host");
	}
	if (json_array_size(sets)) {
		*source = "the first result set's context";
		return rmd_path(json_array_get(sets, 0), "context.host");
	}
	*source = NULL;
	return NULL;
}

/* Every result set's section: in stage order, then any other set found
 * in the directory. */
static void render_sets(FILE *f, const char *dir, const json_t *sets, const json_t *host,
			const json_t *meta)
{
	json_t *done = json_array(), *set, *st;
	size_t i;

	json_array_foreach(json_object_get(meta, "stages"), i, st) {
		const char *name = json_string_value(json_object_get(st, "name"));
		json_t *match = name ? rset_find(sets, name) : NULL;
		if (match && !rset_in_list(done, name)) {
			render_set(f, dir, match, host, meta);
			json_array_append_new(done, json_string(name));
		}
	}
	json_array_foreach(sets, i, set) {
		const char *name = json_string_value(json_object_get(set, "bench"));
		if (!rset_in_list(done, name))
			render_set(f, dir, set, host, meta);
	}
	json_decref(done);
	if (!json_array_size(sets))
		fprintf(f, "## Results\n\nNo stage produced a result set.\n\n");
}

/* report.md's text into f. */
static void render_report(FILE *f, const char *dir, const json_t *meta, const json_t *sets,
			  const json_t *problems, const json_t *host, const char *source)
{
	json_t *rep = report_repeats(dir, sets), *set;
	size_t i;

	render_head(f, meta, host);
	render_problems(f, problems);
	render_emulated(f, meta, sets);
	report_summary(f, sets, host, meta);
	render_sets(f, dir, sets, host, meta);
	render_host(f, host, source);
	render_stages(f, meta);
	/* Every record, as tables beside report.md. */
	json_array_foreach(sets, i, set) {
		const char *name = json_string_value(json_object_get(set, "bench"));
		char werr[512];
		if (name && write_all(dir, set, name, host, werr, sizeof(werr)))
			fprintf(f, "(Could not write the full tables: %s.)\n\n", werr);
	}
	fprintf(f, "---\nGenerated by `pfbench report`; the schema of every file is in "
		   "results/README.md.\n");
	json_decref(rep);
}

int suite_report(const char *dir, bool lenient, char *err, size_t errlen)
{
	char plots_dir[PATH_MAX], path[PATH_MAX];
	remove_stale_tmp(dir);
	snprintf(plots_dir, sizeof(plots_dir), "%s/plots", dir);
	remove_stale_tmp(plots_dir);

	json_t *problems = lenient ? json_array() : NULL;
	json_t *meta = NULL, *sets = NULL, *info = NULL;
	char *text = NULL;
	size_t len = 0;
	int e = rset_load_meta(dir, &meta, problems, err, errlen);
	if (!e)
		e = rset_load_dir(dir, &sets, problems, err, errlen);
	if (!e)
		e = rset_check_stages(dir, meta, sets, problems, err, errlen);
	if (e)
		goto out;
	if (!meta && !json_array_size(sets) && !json_array_size(problems)) {
		snprintf(err, errlen, "%s: neither metadata.json nor any result set", dir);
		e = -EINVAL;
		goto out;
	}
	info = load_json(dir, "info.json");
	const char *source;
	const json_t *host = pick_host(info, meta, sets, &source);
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		e = -ENOMEM;
		goto out;
	}
	render_report(f, dir, meta, sets, problems, host, source);
	fclose(f);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	e = text ? out_write_text(path, text, len) : -ENOMEM;
	if (e)
		snprintf(err, errlen, "%s: %s", path, strerror(-e));
out:
	free(text);
	json_decref(meta);
	json_decref(info);
	json_decref(sets);
	json_decref(problems);
	return e;
}
