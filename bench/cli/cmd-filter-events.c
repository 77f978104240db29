/* cmd-filter-events.c — `pfbench filter events`: a PMU model's event table
 * (libpfm4, filters/pmu-table.c) with the filter's decision for each event,
 * by name, and the counts at the end. Decisions are the reference ones
 * (pmuf_decider for GP events, pmuf_decide_fixed for Intel's fixed-counter
 * events). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-filter.h"
#include "cmd-filter-opts.h"
#include "util.h"

static const struct opt_doc doc = {
	.cmd = "filter events",
	.synopsis = "[options] FILE|PATTERN",
	.about = "Lists the events of a PMU model's table (libpfm4: every event with each of its\n"
		 "umasks) with FILE's decision for each, one a line:\n"
		 "  allow  0x0d0  0x81  icl::MEM_INST_RETIRED:ALL_LOADS\n"
		 "(decision, event select, umask, name); Intel's fixed-counter events show\n"
		 "`fixed N` instead of select and umask and are decided by the fixed-counter\n"
		 "bitmap. A last line starting with # counts the allowed and denied events.\n"
		 "FILE may also be a pattern such as 'icl::MEM_*' (see `filter compile`).\n"
		 "A filter over the kernel's 300-entry limit is decided as if the kernel took it\n"
		 "(the last line says so; with --kernel 6.3).\n\n",
	.status = "exit status: 0 listed, 1 the kernel would refuse FILE for another reason\n"
		  "than its size (its errno name is printed), 2 usage or bad input",
};

static const struct filter_opts_spec fspec = {
	.which = FOPT_PMU | FOPT_FORMAT | FOPT_VENDOR,
	.pmu_help = "the PMU model: a libpfm4 name (icl, spr, skl, icx,\n"
		    "amd64_fam19h_zen4, ...) or alias (zen3, zen4, ...);\n"
		    "default: this host's, as libpfm4 detects it",
};

struct events_cli {
	struct filter_opts f;
	bool allowed, denied;
	const char *kernel_arg, *file;
	enum pmuf_kernel kernel;
};

static void parse(struct events_cli *c, int argc, char **argv)
{
	const struct opt opts[] = {
		OPT_PARENT(filter_opts_table(&c->f, &fspec)),
		OPT_FLAG('a', "allowed", &c->allowed, "list only the allowed events"),
		OPT_FLAG('d', "denied", &c->denied, "list only the denied events"),
		OPT_STRING('k', "kernel", "K", &c->kernel_arg,
			   "the lookup generation: 5.3, 5.17 or 6.3 (default)"),
		OPT_END(),
	};
	int first = opts_parse(&doc, opts, argc, argv);
	if (c->allowed && c->denied)
		opts_die(&doc, opts, "--allowed and --denied exclude each other");
	c->kernel = PMUF_KERNEL_6_3;
	if (c->kernel_arg && pmuf_kernel_parse(c->kernel_arg, &c->kernel))
		opts_die(&doc, opts, "--kernel: unknown kernel '%s'; expected 5.3, 5.17 or 6.3",
			 c->kernel_arg);
	c->file = filter_opts_one_file(&doc, opts, argc, argv, first);
	filter_opts_apply(&c->f, &doc, opts);
}

/* Why the filter cannot be decided: its errno name and the reason. */
static void refused(const char *file, const struct pmuf_filter *f, enum pmuf_flavor fl, int err)
{
	struct pmuf_verdict v;
	int e = pmuf_validate(f, fl, &v);
	if (err == -EOPNOTSUPP)
		printf("EINVAL %s: a masked filter is refused by kernels before 6.3; use --kernel 6.3\n",
		       file);
	else
		printf("%s %s: the kernel refuses this filter (%s flavor): %s\n",
		       pmuf_errno_name(e ? e : err), file, pmuf_flavor_name(fl),
		       e ? v.reason : "see `pfbench filter validate`");
	pmuf_verdict_free(&v);
}

int cmd_filter_events(int argc, char **argv)
{
	struct events_cli c = { 0 };
	parse(&c, argc, argv);
	const char *file = c.file;
	enum pmuf_kernel kernel = c.kernel;
	int only = c.allowed ? 1 : c.denied ? 0 : -1; /* 1: allowed only, 0: denied only */

	struct pmuf_filter f;
	cmd_filter_load(file, c.f.fmt, &f);
	if (f.arch != PMUF_ARCH_X86) {
		pmuf_free(&f);
		die_usage("filter events: %s is an arm64 filter; events lists x86 PMU tables", file);
	}
	const char *how;
	enum pmuf_flavor fl = cmd_filter_flavor(&f, c.f.flavor, true, &how);

	struct pmuf_pmu_table t;
	char msg[1536];
	int err = pmuf_pmu_table_load(NULL, &t, msg, sizeof(msg));
	if (err) {
		pmuf_free(&f);
		if (err == -ENOMEM)
			die_errno("reading the PMU's event table", ENOMEM);
		die_usage("filter events: %s", msg);
	}
	/* A set over the kernel's limit (a long list, a pattern) is decided as
	 * if the kernel took it, as filter compile and fit judge it. */
	bool over = f.nevents > PMUF_KVM_MAX_EVENTS && kernel == PMUF_KERNEL_6_3;
	uint64_t *all = NULL;
	unsigned nsel = 0;
	struct pmuf_decider d;
	memset(&d, 0, sizeof(d));
	err = over ? pmuf_decide_all(&f, fl, &all, &nsel) : pmuf_decider_init(&f, fl, kernel, &d);
	if (err) {
		refused(file, &f, fl, err);
		pmuf_decider_free(&d);
		pmuf_free(&f);
		pmuf_pmu_table_free(&t);
		return EXIT_FAIL;
	}
	size_t nallow = 0, ndeny = 0;
	for (size_t i = 0; i < t.nevents; i++) {
		const struct pmuf_pmu_event *e = &t.events[i];
		bool allowed;
		if (e->fixed >= 0) {
			allowed = pmuf_decide_fixed(&f, (unsigned)e->fixed);
		} else if (over) {
			size_t bit = (size_t)(e->select & (nsel - 1)) * 256 + e->umask;
			allowed = (all[bit / 64] >> (bit % 64)) & 1;
		} else {
			allowed = pmuf_decider_allows(&d, pmuf_eventsel_make(e->select, e->umask));
		}
		*(allowed ? &nallow : &ndeny) += 1;
		if (only >= 0 && only != allowed)
			continue;
		if (e->fixed >= 0)
			printf("%-5s  fixed %-5d  %s::%s\n", allowed ? "allow" : "deny", e->fixed, t.pmu, e->name);
		else
			printf("%-5s  0x%03x  0x%02x  %s::%s\n", allowed ? "allow" : "deny", e->select, e->umask,
			       t.pmu, e->name);
	}
	printf("# %s: %zu allowed, %zu denied of %zu events of %s (%s); flavor %s (%s), %s lookup%s\n", file,
	       nallow, ndeny, t.nevents, t.pmu, t.desc, pmuf_flavor_name(fl), how, pmuf_kernel_name(kernel),
	       over ? "; over the kernel's 300-entry limit, decided as if the kernel took it" : "");
	free(all);
	pmuf_decider_free(&d);
	pmuf_free(&f);
	pmuf_pmu_table_free(&t);
	return EXIT_OK;
}
