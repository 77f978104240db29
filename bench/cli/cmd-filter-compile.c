/* cmd-filter-compile.c — `pfbench filter compile`: read any x86 filter (the
 * wanted allow/deny set) and write a small masked (6.3+) filter that
 * decides the same, found by pmuf_compile (filters/compile.c) and checked
 * exhaustively with pmuf_equivalent before anything is written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd-filter.h"
#include "cmd-filter-opts.h"
#include "util.h"

static const struct opt_doc doc = {
	.cmd = "filter compile",
	.synopsis = "[options] FILE|PATTERN [-o OUT]",
	.about =
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
		"file (docs/filter-format.md).\n\n",
	.status = "exit status: 0 written, 1 FILE is refused by the kernel for another reason\n"
		  "than its size, or the result needs more than 300 entries (nothing is written\n"
		  "then), 2 usage or bad input",
};

static const struct filter_opts_spec fspec = {
	.which = FOPT_FORMAT | FOPT_VENDOR | FOPT_TO | FOPT_OUTPUT | FOPT_PMU | FOPT_EXCEPT,
	.format_help = "the input format (default: by FILE's extension)",
	.to_help = "the output format: pmuf (default), qemu-json or kvm-raw",
	.output_help = "the output file, written atomically (default: stdout)",
};

/* Everything compile's command line sets. */
struct compile_cli {
	struct filter_opts f;
	const char *action, *file;
	enum pmuf_action_choice choice;
};

static void parse(struct compile_cli *c, int argc, char **argv)
{
	const struct opt opts[] = {
		OPT_PARENT(filter_opts_table(&c->f, &fspec)),
		OPT_STRING('a', "action", "A", &c->action,
			   "allow (list the allowed umasks), deny (list the denied\n"
			   "ones) or auto (default: whichever needs fewer entries);\n"
			   "the fixed-counter bitmap is carried over for the action"),
		OPT_END(),
	};
	int first = opts_parse(&doc, opts, argc, argv);
	filter_opts_apply(&c->f, &doc, opts);
	c->choice = PMUF_CHOOSE_AUTO;
	if (c->action && !strcmp(c->action, "allow"))
		c->choice = PMUF_CHOOSE_ALLOW;
	else if (c->action && !strcmp(c->action, "deny"))
		c->choice = PMUF_CHOOSE_DENY;
	else if (c->action && strcmp(c->action, "auto"))
		opts_die(&doc, opts, "--action: unknown action '%s'; expected allow, deny or auto",
			 c->action);
	c->file = filter_opts_one_file(&doc, opts, argc, argv, first);
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

/* The compiler's failures: over the limit, or an input the kernel
 * refuses. EXIT_OK when it succeeded. */
static int compile_failed(const char *file, const struct pmuf_filter *in, const struct pmuf_filter *out,
			  enum pmuf_flavor fl, int err)
{
	if (err == -E2BIG) {
		fprintf(stderr, "pfbench: filter compile: %s: the result needs %zu entries, over the kernel's "
				"limit of %u; nothing written\n", file, out->nevents, PMUF_KVM_MAX_EVENTS);
		return EXIT_FAIL;
	}
	if (err == -EINVAL || err == -ENODATA) {
		struct pmuf_verdict v;
		int e = pmuf_validate(in, fl, &v);
		if (e == -E2BIG) /* judged in chunks of 300: one of them is refused */
			fprintf(stderr, "pfbench: filter compile: %s: the kernel refuses this filter (%s flavor): %s: "
					"an entry or the header is invalid (and it has over %u entries)\n",
				file, pmuf_flavor_name(fl), pmuf_errno_name(err), PMUF_KVM_MAX_EVENTS);
		else
			fprintf(stderr, "pfbench: filter compile: %s: the kernel refuses this filter (%s flavor): %s: %s\n",
				file, pmuf_flavor_name(fl), pmuf_errno_name(e ? e : err),
				e ? v.reason : "see `pfbench filter validate`");
		pmuf_verdict_free(&v);
		return EXIT_FAIL;
	}
	if (err)
		die_errno("pmuf_compile", -err);
	return EXIT_OK;
}

/* The exhaustive check, independent of how the result was built. */
static int check_equivalent(const char *file, const struct pmuf_filter *in, const struct pmuf_filter *out,
			    enum pmuf_flavor fl)
{
	struct pmuf_difference d;
	int err = pmuf_equivalent(in, out, fl, &d);
	if (!err)
		return EXIT_OK;
	if (err == 1 && d.fixed)
		fprintf(stderr, "pfbench: filter compile: internal error: the result differs from %s at fixed "
				"counter %u; nothing written\n", file, d.fixed_idx);
	else if (err == 1)
		fprintf(stderr, "pfbench: filter compile: internal error: the result differs from %s at select "
				"0x%03x umask 0x%02x; nothing written\n", file, d.select, d.umask);
	else
		fprintf(stderr, "pfbench: filter compile: internal error: checking the result: %s\n",
			strerror(-err));
	return EXIT_FAIL;
}

/* The result in the --to format, to -o or stdout. */
static void write_result(const struct compile_cli *c, const struct pmuf_filter *in, struct pmuf_filter *out)
{
	char *buf, msg[256];
	size_t len;
	cmd_filter_refuse_big("compile", "the result", out, c->f.to_fmt);
	int err = pmuf_render_msg(out, c->f.to_fmt, &buf, &len, msg, sizeof(msg));
	if (err) {
		pmuf_free((struct pmuf_filter *)in);
		pmuf_free(out);
		if (err == -EINVAL)
			die_usage("filter compile: the result cannot be written as %s: %s",
				  pmuf_format_name(c->f.to_fmt), msg);
		die_errno("rendering the filter", -err);
	}
	cmd_filter_emit(c->f.output, buf, len);
	free(buf);
}

int cmd_filter_compile(int argc, char **argv)
{
	static struct compile_cli c; /* static: what die_usage() leaves is still reachable */
	memset(&c, 0, sizeof(c));
	parse(&c, argc, argv);
	cmd_filter_refuse_raw_tty("compile", c.f.output, c.f.to_fmt);

	struct pmuf_filter in, out = { 0 };
	cmd_filter_load_input(c.file, c.f.fmt, (char *const *)c.f.except.v, c.f.except.n, &in);
	if (in.arch != PMUF_ARCH_X86) {
		pmuf_free(&in);
		die_usage("filter compile: %s is an arm64 filter; compile works on x86 filters", c.file);
	}
	const char *how;
	enum pmuf_flavor fl = cmd_filter_flavor(&in, c.f.flavor, true, &how);
	struct pmuf_compile_stats st;
	double t0 = now_ms();
	int err = pmuf_compile_ex(&in, fl, c.choice, &out, &st);
	double ms = now_ms() - t0; /* the compiler alone: not the file, the check or the output */
	int status = compile_failed(c.file, &in, &out, fl, err);
	if (status == EXIT_OK)
		status = check_equivalent(c.file, &in, &out, fl);
	if (status == EXIT_OK) {
		write_result(&c, &in, &out);
		print_summary(c.file, &in, &out, how, &st, ms);
	}
	pmuf_free(&in);
	pmuf_free(&out);
	return status;
}
