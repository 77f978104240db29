/* cmd-filter-fit.c — `pfbench filter fit`: does a set of events fit the
 * kernel's entry limit, as exact entries (an allow or a deny list) and as
 * compiled masked entries (pmuf_compile), and which selects cost the
 * most? Nothing is written; the exit status answers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-filter.h"
#include "cmd-filter-opts.h"
#include "util.h"

#define TOP 10

#define STR_(x) #x
#define STR(x) STR_(x)

static const struct opt_doc doc = {
	.cmd = "filter fit",
	.synopsis = "[options] FILE|PATTERN",
	.about = "Does the set of events FILE allows fit the kernel's limit of entries per filter\n"
		 "(KVM_PMU_EVENT_FILTER_MAX_EVENTS, 300)?\n"
		 "  exact     an exact (unmasked) list: the allowed (select, umask) pairs as an\n"
		 "            allow list, or the denied ones as a deny list, whichever is shorter\n"
		 "  compiled  masked entries (kernels 6.3+), as `pfbench filter compile` makes\n"
		 "            them (--action auto)\n"
		 "then the " STR(TOP) " selects that cost the most compiled entries (with their exact\n"
		 "count), and a last line `fits: ...` or `does not fit: ...`. FILE may be\n"
		 "longer than the limit (it is judged as if the kernel took it) or a pattern over\n"
		 "a PMU model's event table ('icl::MEM_*', see `filter compile`).\n\n",
	.status = "exit status: 0 the set fits (in either form), 1 it does not or the kernel\n"
		  "would refuse FILE for another reason than its size, 2 bad input",
};

static const struct filter_opts_spec fspec = {
	.which = FOPT_FORMAT | FOPT_VENDOR | FOPT_PMU | FOPT_EXCEPT,
	.except_help = "with a pattern: leave out the events PAT matches (repeatable)",
};

struct fit_cli {
	struct filter_opts f;
	unsigned long long limit;
	const char *file;
};

static void parse(struct fit_cli *c, int argc, char **argv)
{
	const struct opt opts[] = {
		OPT_UINT('l', "limit", "N", &c->limit, NULL, 1, 1000000,
			 "the entry limit to judge against (default 300)"),
		OPT_PARENT(filter_opts_table(&c->f, &fspec)),
		OPT_END(),
	};
	int first = opts_parse(&doc, opts, argc, argv);
	filter_opts_apply(&c->f, &doc, opts);
	c->file = filter_opts_one_file(&doc, opts, argc, argv, first);
}

struct sel_cost {
	unsigned sel;
	size_t compiled, exact;
};

static int by_cost(const void *pa, const void *pb)
{
	const struct sel_cost *a = pa, *b = pb;
	if (a->compiled != b->compiled)
		return a->compiled < b->compiled ? 1 : -1;
	if (a->exact != b->exact)
		return a->exact < b->exact ? 1 : -1;
	return a->sel < b->sel ? -1 : 1;
}

int cmd_filter_fit(int argc, char **argv)
{
	static struct fit_cli c; /* static: what die_usage() leaves is still reachable */
	memset(&c, 0, sizeof(c));
	c.limit = PMUF_KVM_MAX_EVENTS;
	parse(&c, argc, argv);
	const char *file = c.file;
	unsigned long long limit = c.limit;
	struct pmuf_filter in, out;
	cmd_filter_load_input(file, c.f.fmt, (char *const *)c.f.except.v, c.f.except.n, &in);
	if (in.arch != PMUF_ARCH_X86) {
		pmuf_free(&in);
		die_usage("filter fit: %s is an arm64 filter; fit works on x86 filters", file);
	}
	const char *how;
	enum pmuf_flavor fl = cmd_filter_flavor(&in, c.f.flavor, true, &how);
	unsigned nsel = 1u << pmuf_flavor_select_bits(fl);
	unsigned *allowed = calloc(nsel, sizeof(*allowed));
	struct sel_cost *cost = calloc(nsel, sizeof(*cost));
	if (!allowed || !cost)
		die_errno("calloc", ENOMEM);
	int err = pmuf_allowed_counts(&in, fl, allowed, nsel);
	if (!err || err == -E2BIG)
		err = pmuf_compile(&in, fl, PMUF_CHOOSE_AUTO, &out);
	if (err && err != -E2BIG) {
		struct pmuf_verdict v;
		int e = pmuf_validate(&in, fl, &v);
		printf("%s %s: the kernel refuses this filter (%s flavor): %s\n", pmuf_errno_name(e ? e : err), file,
		       pmuf_flavor_name(fl), e && e != -E2BIG ? v.reason : "an entry or the header is invalid");
		pmuf_verdict_free(&v);
		pmuf_free(&in);
		free(allowed);
		free(cost);
		return EXIT_FAIL;
	}
	size_t nallow = 0, ndeny = 0;
	for (unsigned s = 0; s < nsel; s++) {
		nallow += allowed[s];
		ndeny += 256 - allowed[s];
		cost[s] = (struct sel_cost){ .sel = s };
	}
	bool exact_allow = nallow <= ndeny;
	size_t exact = exact_allow ? nallow : ndeny;
	for (unsigned s = 0; s < nsel; s++)
		cost[s].exact = exact_allow ? allowed[s] : 256 - allowed[s];
	for (size_t i = 0; i < out.nevents; i++)
		cost[pmuf_masked_select(out.events[i]) & (nsel - 1)].compiled++;
	qsort(cost, nsel, sizeof(*cost), by_cost);

	bool exact_fits = exact <= limit, compiled_fits = out.nevents <= limit;
	printf("# %s: flavor %s (%s); limit %llu entries\n", file, pmuf_flavor_name(fl), how, limit);
	printf("exact     %7zu entries (%s list; %s list needs %zu)  %s\n", exact, exact_allow ? "an allow" : "a deny",
	       exact_allow ? "a deny" : "an allow", exact_allow ? ndeny : nallow, exact_fits ? "fits" : "does not fit");
	printf("compiled  %7zu entries (masked, action %s; kernels 6.3+)  %s\n", out.nevents,
	       out.action == PMUF_DENY ? "deny" : "allow", compiled_fits ? "fits" : "does not fit");
	printf("# the selects costing the most compiled entries: select, compiled, exact\n");
	for (unsigned k = 0; k < TOP && k < nsel && cost[k].compiled; k++)
		printf("0x%03x  %5zu  %5zu\n", cost[k].sel, cost[k].compiled, cost[k].exact);
	if (compiled_fits || exact_fits)
		printf("fits: %s%s%s (limit %llu)\n", compiled_fits ? "as compiled masked entries" : "",
		       compiled_fits && exact_fits ? " and " : "", exact_fits ? "as exact entries" : "", limit);
	else
		printf("does not fit: %zu compiled masked entries and %zu exact entries, both over the limit of %llu\n",
		       out.nevents, exact, limit);
	pmuf_free(&in);
	pmuf_free(&out);
	free(allowed);
	free(cost);
	return compiled_fits || exact_fits ? EXIT_OK : EXIT_FAIL;
}
