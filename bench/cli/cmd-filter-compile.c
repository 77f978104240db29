/* cmd-filter-compile.c — `pfbench filter compile`: read any x86 filter (the
 * wanted allow/deny set) and write a small masked (6.3+) filter that
 * decides the same, found by pmuf_compile (filters/compile.c) and checked
 * exhaustively with pmuf_equivalent before anything is written. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
		"6.3+) that decides the same. For every event select, the allowed (or denied)\n"
		"umasks get the smallest of: includes covering them; one include (the smallest\n"
		"cube around them) minus excludes; FILE's own entries for that select (same\n"
		"action). So with FILE's action (or auto) no select gets more entries than in\n"
		"FILE, and the output is never larger. The covers use the prime implicants of\n"
		"the 8 umask bits: essential primes, a greedy completion (at most H(k) ~ ln k +\n"
		"1 times the minimum, k the most umasks one prime covers), then a branch and\n"
		"bound that proves the cover a minimum of its form or finds a smaller one; it is\n"
		"exact whenever at most 12 primes remain after the essential ones, and whenever\n"
		"the search ends within 5,000 steps; else the best cover found is kept. Last,\n"
		"every entry whose deletion changes no decision is deleted (before the 300-entry\n"
		"limit is judged). Before writing, every (select, umask) pair and fixed counter\n"
		"0..31 is checked to decide as in FILE (as `pfbench filter verify` does). A one-\n"
		"line summary goes to stderr: entries in and out, action, flavor, entries per\n"
		"select in->out (past 16 selects, the 1->1 ones are only counted), how many\n"
		"selects are a proven minimum of their form or kept FILE's entries, and how many\n"
		"redundant entries were deleted, and the compile time (wall clock, the compiler\n"
		"alone: not reading FILE, the check or writing).\n"
		"Instead of FILE, a pattern over a PMU model's event table (libpfm4):\n"
		"'icl::MEM_*' (a glob over EVENT:UMASK names), 'icl::*' (the whole PMU), with\n"
		"--except for what to leave out; more patterns with allow/deny go in a .pmuf\n"
		"file (docs/filter-format.md).\n"
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

/* Entries per select before and after, "0x0c4:3->1 ..." in select order;
 * past 16 selects, the ones with 1->1 are only counted. Then how the
 * selects were encoded (pmuf_compile_stats). */
static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void print_summary(const char *file, const struct pmuf_filter *in, const struct pmuf_filter *out,
			  const char *how, const struct pmuf_compile_stats *st, double ms)
{
	size_t *before = calloc(4096, sizeof(*before)), *after = calloc(4096, sizeof(*after));
	size_t nsel = 0, same1 = 0;
	if (!before || !after)
		die_errno("calloc", ENOMEM);
	for (size_t i = 0; i < in->nevents; i++)
		before[pmuf_masked_select(in->events[i])]++;
	for (size_t i = 0; i < out->nevents; i++)
		after[pmuf_masked_select(out->events[i])]++;
	for (unsigned sel = 0; sel < 4096; sel++)
		nsel += before[sel] || after[sel];
	fprintf(stderr, "pfbench: filter compile: %s: %zu entries -> %zu, action %s, flavor %s (%s);", file,
		in->nevents, out->nevents, out->action == PMUF_DENY ? "deny" : "allow",
		pmuf_flavor_name(out->flavor), how);
	if (!nsel)
		fprintf(stderr, " no entries");
	else
		fprintf(stderr, " per select (in->out):");
	for (unsigned sel = 0; sel < 4096; sel++) {
		if (!before[sel] && !after[sel])
			continue;
		if (nsel > 16 && before[sel] == 1 && after[sel] == 1)
			same1++;
		else
			fprintf(stderr, " 0x%03x:%zu->%zu", sel, before[sel], after[sel]);
	}
	if (same1)
		fprintf(stderr, "%s %zu more selects 1->1", same1 == nsel ? "" : ",", same1);
	fprintf(stderr, "; %zu of %zu selects a proven minimum of their form, %zu kept as given, %zu redundant entries "
			"deleted; compiled in %.1f ms\n", st->nproven, st->nselects, st->nown, st->npruned, ms);
	free(before);
	free(after);
}

/* File-scope so that die_usage() leaves nothing the leak checker calls lost. */
static char **except;

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
	except = calloc((size_t)argc, sizeof(*except));
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
			free(except);
			except = NULL;
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
	except = NULL;
	if (in.arch != PMUF_ARCH_X86) {
		pmuf_free(&in);
		die_usage("filter compile: %s is an arm64 filter; compile works on x86 filters", file);
	}
	const char *how;
	enum pmuf_flavor fl = cmd_filter_flavor(&in, vendor, true, &how);
	struct pmuf_compile_stats st;
	double t0 = now_ms();
	int err = pmuf_compile_ex(&in, fl, choice, &out, &st);
	double ms = now_ms() - t0; /* the compiler alone: not the file, the check or the output */
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
	print_summary(file, &in, &out, how, &st, ms);
	free(buf);
	pmuf_free(&in);
	pmuf_free(&out);
	return EXIT_OK;
}
