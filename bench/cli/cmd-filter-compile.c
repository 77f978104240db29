/* cmd-filter-compile.c — `pfbench filter compile`: read any x86 filter (the
 * wanted allow/deny set) and write a small masked (6.3+) filter that
 * decides the same, found by pmuf_compile (filters/compile.c) and checked
 * exhaustively with pmuf_equivalent before anything is written. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-filter.h"
#include "util.h"

static void compile_usage(FILE *out)
{
	fprintf(out,
		"usage: pfbench filter compile [--format FMT] [--vendor intel|amd] [--to FMT]\n"
		"                              [--action allow|deny|auto] [--pmu P]\n"
		"                              [--except PATTERN]... FILE|PATTERN [-o OUT]\n\n"
		"Reads an x86 filter (exact or masked; the set of events it allows, even a list\n"
		"over the kernel's 300-entry limit) and writes a small masked filter (kernels\n"
		"6.3+) that decides the same: for every event select, the allowed (or denied)\n"
		"umasks are covered with masked entries, includes or one include minus\n"
		"excludes, from the prime implicants of the 8 umask bits and a greedy cover\n"
		"(a heuristic: small, not always minimal). Before writing, every (select,\n"
		"umask) pair and fixed counter 0..31 is checked to decide as in FILE (as\n"
		"`pfbench filter verify` does). A one-line summary goes to stderr: entries in\n"
		"and out, action, flavor, and entries per select (past 16 selects, those with\n"
		"one entry are only counted).\n"
		"Instead of FILE, a pattern over a PMU model's event table (libpfm4): 'icl::MEM_*'\n"
		"(a glob over EVENT:UMASK names), 'icl::*' (the whole PMU), with --except for\n"
		"what to leave out; more patterns with allow/deny go in a .pmuf file\n"
		"(docs/filter-format.md).\n"
		"Exit 1 when FILE is refused by the kernel for another reason than its size,\n"
		"or when the result needs more than 300 entries (nothing is written then).\n\n"
		"  -f, --format FMT   the input format (default: by FILE's extension)\n"
		"  -V, --vendor V     intel (8-bit event select) or amd (12-bit); default: the\n"
		"                     file's flavor, else this host's (probed, else the CPU's)\n"
		"  -t, --to FMT       the output format: pmuf (default), qemu-json or kvm-raw\n"
		"  -a, --action A     allow (list the allowed umasks), deny (list the denied\n"
		"                     ones) or auto (default: whichever needs fewer entries);\n"
		"                     the fixed-counter bitmap is carried over for the action\n"
		"  -o, --output OUT   the output file, written atomically (default: stdout)\n"
		"  -P, --pmu P        the PMU model for event names without pmu:: (icl, spr,\n"
		"                     skl, zen4, amd64_fam19h_zen4, ...); default: this host's\n"
		"  -e, --except PAT   with a pattern FILE: leave out the events PAT matches\n"
		"                     (repeatable)\n"
		"  -h, --help         this text\n");
}

static enum pmuf_action_choice action_arg(const char *s)
{
	if (!strcmp(s, "allow"))
		return PMUF_CHOOSE_ALLOW;
	if (!strcmp(s, "deny"))
		return PMUF_CHOOSE_DENY;
	if (!strcmp(s, "auto"))
		return PMUF_CHOOSE_AUTO;
	die_usage("filter compile: unknown action '%s'; expected allow, deny or auto", s);
}

/* Entries per select, in output order: "0x0c4:1 0x0d0:2 ..."; past 16
 * selects, only those with more than one entry and a count of the rest. */
static void print_summary(const char *file, const struct pmuf_filter *in, const struct pmuf_filter *out,
			  const char *how)
{
	size_t nsel = 0, singles = 0;
	for (size_t i = 0; i < out->nevents; i++)
		nsel += !i || pmuf_masked_select(out->events[i]) != pmuf_masked_select(out->events[i - 1]);
	fprintf(stderr, "pfbench: filter compile: %s: %zu entries -> %zu, action %s, flavor %s (%s);", file,
		in->nevents, out->nevents, out->action == PMUF_DENY ? "deny" : "allow",
		pmuf_flavor_name(out->flavor), how);
	if (!out->nevents)
		fprintf(stderr, " no entries");
	for (size_t i = 0; i < out->nevents;) {
		uint16_t sel = pmuf_masked_select(out->events[i]);
		size_t j = i;
		while (j < out->nevents && pmuf_masked_select(out->events[j]) == sel)
			j++;
		if (nsel > 16 && j - i == 1)
			singles++;
		else
			fprintf(stderr, " 0x%03x:%zu", sel, j - i);
		i = j;
	}
	if (singles)
		fprintf(stderr, "%s %zu more selects with 1 entry each", singles == nsel ? "" : ",", singles);
	fprintf(stderr, "\n");
}

int cmd_filter_compile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' }, { "vendor", required_argument, NULL, 'V' },
		{ "to", required_argument, NULL, 't' },	    { "action", required_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' },
		{ "pmu", required_argument, NULL, 'P' },    { "except", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	enum pmuf_format in_fmt = PMUF_FMT_AUTO, to = PMUF_FMT_PMUF;
	enum pmuf_flavor vendor = PMUF_FLAVOR_UNSET;
	enum pmuf_action_choice choice = PMUF_CHOOSE_AUTO;
	const char *outpath = NULL;
	char **except = calloc((size_t)argc, sizeof(*except));
	size_t nexcept = 0;
	int c;
	if (!except)
		die_errno("calloc", ENOMEM);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:V:t:a:o:P:e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			in_fmt = cmd_filter_format_arg(optarg);
			break;
		case 'V':
			vendor = cmd_filter_vendor_arg(optarg);
			break;
		case 't':
			to = cmd_filter_format_arg(optarg);
			break;
		case 'a':
			choice = action_arg(optarg);
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'P':
			cmd_filter_pmu_arg(optarg);
			break;
		case 'e':
			except[nexcept++] = optarg;
			break;
		case 'h':
			compile_usage(stdout);
			return EXIT_OK;
		default:
			cmd_filter_bad_option("compile", c == ':', argv[optind - 1]);
		}
	}
	if (argc - optind != 1) {
		compile_usage(stderr);
		die_usage("filter compile: %s", optind >= argc ? "expected a FILE" : "expected one FILE only");
	}
	const char *file = argv[optind];
	cmd_filter_refuse_raw_tty("compile", outpath, to);

	struct pmuf_filter in, out;
	cmd_filter_load_input(file, in_fmt, except, nexcept, &in);
	free(except);
	if (in.arch != PMUF_ARCH_X86) {
		pmuf_free(&in);
		die_usage("filter compile: %s is an arm64 filter; compile works on x86 filters", file);
	}
	const char *how;
	enum pmuf_flavor fl = cmd_filter_flavor(&in, vendor, true, &how);
	int err = pmuf_compile(&in, fl, choice, &out);
	if (err == -E2BIG) {
		fprintf(stderr, "pfbench: filter compile: %s: the result needs %zu entries, over the kernel's "
				"limit of %u; nothing written\n", file, out.nevents, PMUF_KVM_MAX_EVENTS);
		pmuf_free(&in);
		pmuf_free(&out);
		return EXIT_FAIL;
	}
	if (err == -EINVAL || err == -ENODATA) {
		struct pmuf_verdict v;
		int e = pmuf_validate(&in, fl, &v);
		if (e == -E2BIG) /* judged in chunks of 300: one of them is refused */
			fprintf(stderr, "pfbench: filter compile: %s: the kernel refuses this filter (%s flavor): %s: "
					"an entry or the header is invalid (and it has over %u entries)\n",
				file, pmuf_flavor_name(fl), pmuf_errno_name(err), PMUF_KVM_MAX_EVENTS);
		else
			fprintf(stderr, "pfbench: filter compile: %s: the kernel refuses this filter (%s flavor): %s: %s\n",
				file, pmuf_flavor_name(fl), pmuf_errno_name(e ? e : err),
				e ? v.reason : "see `pfbench filter validate`");
		pmuf_verdict_free(&v);
		pmuf_free(&in);
		return EXIT_FAIL;
	}
	if (err)
		die_errno("pmuf_compile", -err);

	/* The exhaustive check, independent of how the result was built. */
	struct pmuf_difference d;
	err = pmuf_equivalent(&in, &out, fl, &d);
	if (err) {
		if (err == 1 && d.fixed)
			fprintf(stderr, "pfbench: filter compile: internal error: the result differs from %s at fixed "
					"counter %u; nothing written\n", file, d.fixed_idx);
		else if (err == 1)
			fprintf(stderr, "pfbench: filter compile: internal error: the result differs from %s at select "
					"0x%03x umask 0x%02x; nothing written\n", file, d.select, d.umask);
		else
			fprintf(stderr, "pfbench: filter compile: internal error: checking the result: %s\n",
				strerror(-err));
		pmuf_free(&in);
		pmuf_free(&out);
		return EXIT_FAIL;
	}

	char *buf, msg[256];
	size_t len;
	err = pmuf_render_msg(&out, to, &buf, &len, msg, sizeof(msg));
	if (err) {
		pmuf_free(&in);
		pmuf_free(&out);
		if (err == -EINVAL)
			die_usage("filter compile: the result cannot be written as %s: %s", pmuf_format_name(to), msg);
		die_errno("rendering the filter", -err);
	}
	cmd_filter_emit(outpath, buf, len);
	print_summary(file, &in, &out, how);
	free(buf);
	pmuf_free(&in);
	pmuf_free(&out);
	return EXIT_OK;
}
