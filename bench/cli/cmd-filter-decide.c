/* cmd-filter-decide.c — `pfbench filter decide` (allow or deny for given
 * guest event selects, per kernel generation) and `pfbench filter verify`
 * (are two filters equivalent for every event and fixed counter?). Both
 * answer with the reference decisions in filters/ (pmuf_decide_gp,
 * pmuf_decide_fixed, pmuf_arm_decide; verify with pmuf_equivalent). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-filter.h"
#include "cmd-filter-opts.h"
#include "event-arg.h"
#include "util.h"

static const struct opt_doc decide_doc = {
	.cmd = "filter decide",
	.synopsis = "[options] FILE [EVENTSEL|NAME]...",
	.about = "For each question, in the order given, prints `allow` or `deny` on its own\n"
		 "line: EVENTSEL is the full 64-bit value a guest writes to an event-select MSR,\n"
		 "in hex (0x optional); only its select and umask matter. NAME is an event as\n"
		 "libpfm4 (icl::MEM_INST_RETIRED:ALL_LOADS), Intel or perf (INST_RETIRED.ANY,\n"
		 "MEM_INST_RETIRED.ALL_LOADS) write it, any case; without pmu:: it is looked up\n"
		 "in --pmu's table, else in the table of the PMU the file's own entries name\n"
		 "(pmu::EVENT), else this host's. Intel's fixed-counter events\n"
		 "(INST_RETIRED.ANY, CPU_CLK_UNHALTED.THREAD, .REF_TSC, TOPDOWN.SLOTS) have no\n"
		 "GP encoding: they ask about their fixed counter. --fixed I asks about\n"
		 "fixed counter I (0..31), which only the fixed-counter bitmap decides. For an\n"
		 "arm64 filter EVENTSEL is an event number in hex (the cycle counter is 0x11).\n\n",
	.status = "exit status: 0 answered, 1 the kernel would refuse FILE (its errno name is\n"
		  "printed), 2 usage or bad input (a bad question: no answers)",
};

static const struct opt_doc verify_doc = {
	.cmd = "filter verify",
	.synopsis = "[--format FMT] [--vendor intel|amd] [--pmu P] A B",
	.about = "Are filters A and B equivalent? x86: the same answer for every (select, umask)\n"
		 "pair (2^16 on the intel flavor's 8-bit select, 2^20 on amd's 12-bit one) with\n"
		 "the 6.3+ lookup, and for every fixed counter 0..31. arm64: the same answer for\n"
		 "every event number. Prints `equivalent`, or the first difference.\n\n",
	.status = "exit status: 0 equivalent, 1 they differ (also when the kernel would refuse\n"
		  "either filter), 2 usage or bad input",
};

static const char *verdict(bool allowed)
{
	return allowed ? "allow" : "deny";
}

static const char *verb(bool allowed)
{
	return allowed ? "allows" : "denies";
}

/* A hex number, 0x optional; exits 2 on anything else. */
static uint64_t parse_hex(const char *s, const char *what)
{
	uint64_t v;
	int e = event_arg_parse(s, &v);
	if (e == -ERANGE)
		die_usage("filter decide: %s '%s' does not fit 64 bits", what, s);
	if (e)
		die_usage("filter decide: bad %s '%s': expected a hexadecimal number", what, s);
	return v;
}

/* Hex digits only (0x optional): an EVENTSEL, not an event name (names
 * start with a letter; anything else is judged as an EVENTSEL). */
static bool is_hex(const char *s)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	return *s && strspn(s, "0123456789abcdefABCDEF") == strlen(s);
}

/* Everything decide's command line sets: FILE and the questions (operands
 * and --fixed, in the order given) share one list. */
struct decide_cli {
	struct filter_opts f;
	struct opt_strings args;
	const char *kernel_arg, *file;
	enum pmuf_kernel kernel;
};

/* File-scope so that die_usage() on a bad question leaves nothing the
 * leak checker calls lost. */
static uint64_t *vals;
static bool *fixed;

static void decide_parse(struct decide_cli *c, int argc, char **argv)
{
	static const struct filter_opts_spec fspec = { .which = FOPT_FORMAT | FOPT_VENDOR | FOPT_PMU };
	const struct opt opts[] = {
		OPT_PARENT(filter_opts_table(&c->f, &fspec)),
		OPT_STRING('k', "kernel", "K", &c->kernel_arg,
			   "the lookup generation: 5.3 (linear exact match), 5.17\n"
			   "(sorted exact match) or 6.3 (masked events; default);\n"
			   "a release such as 6.1.0 maps to its generation"),
		OPT_STRINGS('x', "fixed", "I", &c->args, OPT_STRINGS_MAX,
			    "ask about fixed counter I (repeatable)"),
		OPT_OPERANDS(&c->args),
		OPT_END(),
	};
	opts_parse(&decide_doc, opts, argc, argv);
	filter_opts_apply(&c->f, &decide_doc, opts);
	c->kernel = PMUF_KERNEL_6_3;
	if (c->kernel_arg && pmuf_kernel_parse(c->kernel_arg, &c->kernel))
		opts_die(&decide_doc, opts, "--kernel: unknown kernel '%s'; expected 5.3, 5.17 or 6.3 (or a "
			 "release from 5.3 on)", c->kernel_arg);
	/* FILE is the first operand; everything else is a question */
	for (size_t i = 0; i < c->args.n && !c->file; i++)
		if (!c->args.from[i]) {
			c->file = c->args.v[i];
			memmove(&c->args.v[i], &c->args.v[i + 1], (c->args.n - i - 1) * sizeof(c->args.v[0]));
			memmove(&c->args.from[i], &c->args.from[i + 1],
				(c->args.n - i - 1) * sizeof(c->args.from[0]));
			c->args.n--;
		}
	if (!c->file)
		opts_die(&decide_doc, opts, "expected a FILE");
	if (!c->args.n)
		opts_die(&decide_doc, opts, "expected at least one EVENTSEL or --fixed I");
}

/* Question i as a value: a fixed counter, an event by name, or an
 * EVENTSEL / arm64 event number. A bad one exits 2 before any answer. */
static void decide_question(const struct decide_cli *c, const struct pmuf_filter *f, size_t i)
{
	const char *arg = c->args.v[i];
	fixed[i] = c->args.from[i] != NULL;
	if (fixed[i]) {
		unsigned long long v;
		if (f->arch != PMUF_ARCH_X86)
			die_usage("filter decide: --fixed asks about x86 fixed counters; %s is an arm64 "
				  "filter (ask about the cycle counter as event 11)", c->file);
		if (util_parse_u64(arg, &v) || v > 31)
			die_usage("filter decide: bad fixed counter '%s': expected 0..31", arg);
		vals[i] = v;
	} else if (f->arch == PMUF_ARCH_X86 && !is_hex(arg) && isalpha((unsigned char)arg[0])) {
		/* an event by name: its (select, umask), or Intel's
		 * fixed-counter pseudo-event as that fixed counter */
		struct pmuf_named_event ev;
		char msg[1536];
		if (pmuf_event_lookup(arg, NULL, &ev, msg, sizeof(msg)))
			die_usage("filter decide: %s", msg);
		fixed[i] = ev.fixed >= 0;
		vals[i] = fixed[i] ? (uint64_t)ev.fixed : pmuf_eventsel_make(ev.select, ev.umask);
	} else {
		vals[i] = parse_hex(arg, f->arch == PMUF_ARCH_X86 ? "EVENTSEL" : "event number");
		if (f->arch == PMUF_ARCH_ARM64 && vals[i] >= pmuf_arm_nr_events(f))
			die_usage("filter decide: event 0x%" PRIx64 " is outside the filter's %u-event space",
				  vals[i], pmuf_arm_nr_events(f));
	}
}

static void refused(const char *file, const struct pmuf_filter *f, enum pmuf_flavor fl, int err)
{
	struct pmuf_verdict v;
	int e = pmuf_validate(f, fl, &v);
	printf("%s %s: the kernel refuses this filter: %s\n", pmuf_errno_name(e ? e : err), file,
	       e ? v.reason : "(see pfbench filter validate)");
	pmuf_verdict_free(&v);
}

/* The answers, in order; stops at the first the kernel would refuse. */
static int decide_answer(const struct decide_cli *c, const struct pmuf_filter *f, enum pmuf_flavor fl)
{
	int status = EXIT_OK;
	for (size_t i = 0; i < c->args.n && status == EXIT_OK; i++) {
		bool allowed = false;
		int err;
		if (f->arch == PMUF_ARCH_ARM64) {
			err = pmuf_arm_decide(f, (unsigned)vals[i], &allowed);
		} else if (fixed[i]) {
			struct pmuf_verdict v;
			err = pmuf_validate(f, fl, &v);
			pmuf_verdict_free(&v);
			allowed = pmuf_decide_fixed(f, (unsigned)vals[i]);
		} else {
			err = pmuf_decide_gp(f, fl, c->kernel, vals[i], &allowed);
		}
		if (err == -EOPNOTSUPP) {
			printf("EINVAL %s: a masked filter (flags 0x%" PRIx32 ") is refused by kernels before 6.3, "
			       "which take no flags; use --kernel 6.3\n", c->file, f->flags);
			status = EXIT_FAIL;
		} else if (err) {
			refused(c->file, f, fl, err);
			status = EXIT_FAIL;
		} else {
			printf("%s\n", verdict(allowed));
		}
	}
	return status;
}

/* Without --pmu, names are looked up in the PMU the filter's own entries
 * were written with (icl::...), when they name one: the filter was written
 * for that model, whatever host reads it. */
static void default_pmu_from_file(const struct pmuf_filter *f)
{
	for (size_t i = 0; f->src && i < f->nevents; i++) {
		const char *sep = strstr(f->src[i].name, "::");
		char pmu[64], msg[256];
		size_t n = sep ? (size_t)(sep - f->src[i].name) : 0;
		if (!n || n >= sizeof(pmu))
			continue;
		memcpy(pmu, f->src[i].name, n);
		pmu[n] = '\0';
		if (!pmuf_default_pmu_set(pmu, msg, sizeof(msg)))
			return;
	}
}

int cmd_filter_decide(int argc, char **argv)
{
	static struct decide_cli c; /* static: what die_usage() leaves is still reachable */
	memset(&c, 0, sizeof(c));
	decide_parse(&c, argc, argv);
	struct pmuf_filter f;
	cmd_filter_load(c.file, c.f.fmt, &f);
	if (!c.f.pmu)
		default_pmu_from_file(&f);
	const char *how = "";
	enum pmuf_flavor fl = PMUF_FLAVOR_UNSET;
	if (f.arch == PMUF_ARCH_X86)
		fl = cmd_filter_flavor(&f, c.f.flavor, true, &how);
	/* Parse every question first: a bad one writes no answers. */
	vals = calloc(c.args.n, sizeof(*vals));
	fixed = calloc(c.args.n, sizeof(*fixed));
	if (!vals || !fixed)
		die_errno("calloc", ENOMEM);
	for (size_t i = 0; i < c.args.n; i++)
		decide_question(&c, &f, i);
	int status = decide_answer(&c, &f, fl);
	free(vals);
	free(fixed);
	vals = NULL;
	fixed = NULL;
	pmuf_free(&f);
	return status;
}

/* ---- verify ---- */

static int verify_x86(const char *na, const struct pmuf_filter *a, const char *nb,
		      const struct pmuf_filter *b, enum pmuf_flavor fl, const char *how)
{
	const struct pmuf_filter *fs[2] = { a, b };
	const char *names[2] = { na, nb };
	for (int i = 0; i < 2; i++) {
		struct pmuf_verdict v;
		int err = pmuf_validate(fs[i], fl, &v);
		if (err) {
			printf("%s %s: the kernel refuses this filter (%s flavor): %s\n", pmuf_errno_name(err),
			       names[i], pmuf_flavor_name(fl), v.reason);
			pmuf_verdict_free(&v);
			return EXIT_FAIL;
		}
		pmuf_verdict_free(&v);
	}
	struct pmuf_difference d;
	int err = pmuf_equivalent(a, b, fl, &d);
	unsigned nsel = 1u << pmuf_flavor_select_bits(fl);
	int status = EXIT_OK;
	if (err < 0)
		die_errno("pmuf_equivalent", err);
	if (err == 1 && d.fixed) {
		printf("differ at fixed counter %u: %s %s, %s %s\n", d.fixed_idx, na, verb(d.a_allows), nb,
		       verb(!d.a_allows));
		status = EXIT_FAIL;
	} else if (err == 1) {
		printf("differ at select 0x%03x umask 0x%02x (eventsel 0x%" PRIx64 "): %s %s, %s %s\n", d.select,
		       d.umask, pmuf_eventsel_make(d.select, d.umask), na, verb(d.a_allows), nb, verb(!d.a_allows));
		status = EXIT_FAIL;
	}
	if (status == EXIT_OK)
		printf("equivalent: all %u (select, umask) pairs and fixed counters 0..31 agree (flavor %s, "
		       "%s; 6.3+ lookup)\n", nsel * 256, pmuf_flavor_name(fl), how);
	return status;
}

static bool arm_allowed(const uint64_t *bm, unsigned e)
{
	return !bm || e == PMUF_ARM_EVENT_SW_INCR || e == PMUF_ARM_EVENT_CHAIN || ((bm[e / 64] >> (e % 64)) & 1);
}

static int verify_arm64(const char *na, const struct pmuf_filter *a, const char *nb,
			const struct pmuf_filter *b)
{
	uint64_t *bm[2] = { NULL, NULL };
	const struct pmuf_filter *fs[2] = { a, b };
	const char *names[2] = { na, nb };
	int status = EXIT_OK;
	for (int i = 0; i < 2 && status == EXIT_OK; i++) {
		struct pmuf_verdict v;
		int err = pmuf_arm_bitmap(fs[i], &bm[i], &v);
		if (err) {
			printf("%s %s: the kernel refuses this filter: %s\n", pmuf_errno_name(err), names[i],
			       v.reason);
			status = EXIT_FAIL;
		}
		pmuf_verdict_free(&v);
	}
	unsigned na_ev = pmuf_arm_nr_events(a), nb_ev = pmuf_arm_nr_events(b);
	unsigned nr = na_ev < nb_ev ? na_ev : nb_ev;
	for (unsigned e = 0; e < nr && status == EXIT_OK; e++) {
		bool x = arm_allowed(bm[0], e), y = arm_allowed(bm[1], e);
		if (x != y) {
			printf("differ at event 0x%x: %s %s, %s %s\n", e, na, verb(x), nb, verb(y));
			status = EXIT_FAIL;
		}
	}
	if (status == EXIT_OK)
		printf("equivalent: all %u events agree%s\n", nr,
		       na_ev != nb_ev ? " (the event spaces differ; compared the smaller)" : "");
	free(bm[0]);
	free(bm[1]);
	return status;
}

int cmd_filter_verify(int argc, char **argv)
{
	static const struct filter_opts_spec fspec = {
		.which = FOPT_FORMAT | FOPT_VENDOR | FOPT_PMU,
		.format_help = "the format of both files (default: by extension)",
		.vendor_help = "intel or amd; default: the files' declared flavor, else\n"
			       "this host's (probed, else the CPU's)",
		.pmu_help = "the PMU model for event names without pmu:: in A, B",
	};
	struct filter_opts fo = { 0 };
	const struct opt opts[] = {
		OPT_PARENT(filter_opts_table(&fo, &fspec)),
		OPT_END(),
	};
	int first = opts_parse(&verify_doc, opts, argc, argv);
	filter_opts_apply(&fo, &verify_doc, opts);
	if (argc - first != 2)
		opts_die(&verify_doc, opts, "expected two files, A and B");
	enum pmuf_format fmt = fo.fmt;
	enum pmuf_flavor vendor = fo.flavor;
	const char *na = argv[first], *nb = argv[first + 1];
	struct pmuf_filter a, b;
	cmd_filter_load(na, fmt, &a);
	cmd_filter_load(nb, fmt, &b);
	if (a.arch != b.arch)
		die_usage("filter verify: %s is an %s filter and %s an %s one; they cannot be compared", na,
			  a.arch == PMUF_ARCH_X86 ? "x86" : "arm64", nb, b.arch == PMUF_ARCH_X86 ? "x86" : "arm64");
	int status;
	if (a.arch == PMUF_ARCH_ARM64) {
		status = verify_arm64(na, &a, nb, &b);
	} else {
		if (vendor == PMUF_FLAVOR_UNSET && a.flavor != PMUF_FLAVOR_UNSET &&
		    b.flavor != PMUF_FLAVOR_UNSET && a.flavor != b.flavor)
			die_usage("filter verify: %s declares the %s flavor and %s the %s one; pass --vendor", na,
				  pmuf_flavor_name(a.flavor), nb, pmuf_flavor_name(b.flavor));
		const char *how;
		enum pmuf_flavor fl =
			cmd_filter_flavor(a.flavor != PMUF_FLAVOR_UNSET ? &a : &b, vendor, true, &how);
		status = verify_x86(na, &a, nb, &b, fl, how);
	}
	pmuf_free(&a);
	pmuf_free(&b);
	return status;
}
