/* cmd-filter-events.c — `pfbench filter events`: a PMU model's event table
 * (libpfm4, filters/pmu-table.c) with the filter's decision for each event,
 * by name, and the counts at the end. Decisions are the reference ones
 * (pmuf_decider for GP events, pmuf_decide_fixed for Intel's fixed-counter
 * events). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-filter.h"
#include "util.h"

static void events_usage(FILE *out)
{
	fprintf(out,
		"usage: pfbench filter events [--pmu P] [--allowed|--denied] [--format FMT]\n"
		"                             [--vendor intel|amd] [--kernel K] FILE\n\n"
		"Lists the events of a PMU model's table (libpfm4: every event with each of its\n"
		"umasks) with FILE's decision for each, one a line:\n"
		"  allow  0x0d0  0x81  icl::MEM_INST_RETIRED:ALL_LOADS\n"
		"(decision, event select, umask, name); Intel's fixed-counter events show\n"
		"`fixed N` instead of select and umask and are decided by the fixed-counter\n"
		"bitmap. A last line starting with # counts the allowed and denied events.\n"
		"FILE may also be a pattern such as 'icl::MEM_*' (see `filter compile`).\n"
		"A filter over the kernel's 300-entry limit is decided as if the kernel took it\n"
		"(the last line says so; with --kernel 6.3); a filter the kernel would refuse\n"
		"for another reason prints its errno name and exits 1.\n\n"
		"  -P, --pmu P        the PMU model: a libpfm4 name (icl, spr, skl, icx,\n"
		"                     amd64_fam19h_zen4, ...) or alias (zen3, zen4, ...);\n"
		"                     default: this host's, as libpfm4 detects it\n"
		"  -a, --allowed      list only the allowed events\n"
		"  -d, --denied       list only the denied events\n"
		"  -f, --format FMT   pmuf, qemu-json or kvm-raw (default: by extension)\n"
		"  -V, --vendor V     intel (8-bit event select) or amd (12-bit); default: the\n"
		"                     file's flavor, else this host's (probed, else the CPU's)\n"
		"  -k, --kernel K     the lookup generation: 5.3, 5.17 or 6.3 (default)\n"
		"  -h, --help         this text\n");
}

int cmd_filter_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pmu", required_argument, NULL, 'P' },    { "allowed", no_argument, NULL, 'a' },
		{ "denied", no_argument, NULL, 'd' },	    { "format", required_argument, NULL, 'f' },
		{ "vendor", required_argument, NULL, 'V' }, { "kernel", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },	    { NULL, 0, NULL, 0 },
	};
	enum pmuf_format fmt = PMUF_FMT_AUTO;
	enum pmuf_flavor vendor = PMUF_FLAVOR_UNSET;
	enum pmuf_kernel kernel = PMUF_KERNEL_6_3;
	const char *pmu = NULL;
	int only = -1; /* 1: allowed only, 0: denied only */
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":P:adf:V:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			pmu = optarg;
			break;
		case 'a':
		case 'd':
			if (only >= 0 && only != (c == 'a'))
				die_usage("filter events: --allowed and --denied exclude each other");
			only = c == 'a';
			break;
		case 'f':
			fmt = cmd_filter_format_arg(optarg);
			break;
		case 'V':
			vendor = cmd_filter_vendor_arg(optarg);
			break;
		case 'k':
			if (pmuf_kernel_parse(optarg, &kernel))
				die_usage("filter events: unknown kernel '%s'; expected 5.3, 5.17 or 6.3", optarg);
			break;
		case 'h':
			events_usage(stdout);
			return EXIT_OK;
		default:
			cmd_filter_bad_option("events", c == ':', argv[optind - 1]);
		}
	}
	if (argc - optind != 1) {
		events_usage(stderr);
		die_usage("filter events: %s", optind >= argc ? "expected a FILE" : "expected one FILE only");
	}
	const char *file = argv[optind];
	if (pmu)
		cmd_filter_pmu_arg(pmu);

	struct pmuf_filter f;
	cmd_filter_load(file, fmt, &f);
	if (f.arch != PMUF_ARCH_X86) {
		pmuf_free(&f);
		die_usage("filter events: %s is an arm64 filter; events lists x86 PMU tables", file);
	}
	const char *how;
	enum pmuf_flavor fl = cmd_filter_flavor(&f, vendor, true, &how);

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
		struct pmuf_verdict v;
		int e = pmuf_validate(&f, fl, &v);
		if (err == -EOPNOTSUPP)
			printf("EINVAL %s: a masked filter is refused by kernels before 6.3; use --kernel 6.3\n",
			       file);
		else
			printf("%s %s: the kernel refuses this filter (%s flavor): %s\n",
			       pmuf_errno_name(e ? e : err), file, pmuf_flavor_name(fl),
			       e ? v.reason : "see `pfbench filter validate`");
		pmuf_verdict_free(&v);
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
