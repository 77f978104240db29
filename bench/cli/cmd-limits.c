/* cmd-limits.c — `pfbench limits`: what would a filter size limit of N
 * cost (bench/lookup/limit-study.h): lookups warm and cold per design, the
 * install-side copy + sort by lib/sort.c generation, memory per design, and
 * exact against compiled masked entries for real PMU tables. Options here;
 * results go through out_write_set() as limits.json/limits.csv. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-repeat.h"
#include "cmds.h"
#include "limit-study.h"
#include "options.h"
#include "out.h"
#include "stop.h"
#include "util.h"

static const struct opt_doc doc = {
	.cmd = "limits",
	.synopsis = "[--quick] [-o DIR] [options]",
	.about =
		"What would a PMU event filter limit of N entries cost, for N = 300 (today's),\n"
		"1000, 3000, 10000 and 65536: one lookup warm and cold (its memory evicted\n"
		"first) for every design, on exact filters of N random entries with half the\n"
		"lookups hitting; each design's memory; the kernel's install-side copy +\n"
		"convert + sort (the k6.3-masked replica's build) in each lib/sort.c\n"
		"generation, timed in user space (the kernel refuses more than 300); and, for\n"
		"real PMU tables (libpfm4), how many exact entries allowing every event takes\n"
		"against the masked filter pmuf_compile finds. Every design is checked\n"
		"against the reference before it is timed. Writes DIR/limits.json and\n"
		"DIR/limits.csv. Takes about half a minute with the default sizes and\n"
		"--quick on a quiet machine (much of it checking every design on 65536\n"
		"entries against the reference).\n",
	.status = "exit status: 0 ok, 1 failure (a design disagreed with the reference: files\n"
		  "still written, \"complete\": false), 2 usage",
};

static const struct bench_opts_spec spec = {
	.which = BOPT_BENCH | BOPT_SIZES | BOPT_REPEAT,
	.quick_help = "21 samples per figure (default 101)",
	.output_help = "output directory (default results/limits-<UTC time>)",
	.cpu_help = "pin to core N (default: the last core)",
	.samples_max = 1000000,
	.samples_help = "samples per figure",
	.seed_help = "seed of the generated filters and inputs (default 1)",
	.sizes_max = 65536,
	.sizes_short = 's',
	.sizes_help = "limits to study (default 300,1000,3000,10000,65536)",
};

/* Everything limits' command line sets. */
struct limits_cli {
	struct bench_opts b;
	const char *pmus, *flavor, *kernel;
};

static int add_pmu(const char *item, void *arg, char *why, size_t len)
{
	struct limits_opts *o = arg;

	/* item is the splitter's buffer, reused for the next item: keep a copy */
	static char names[LIMITS_MAX_PMUS][64];

	if (o->npmus >= LIMITS_MAX_PMUS) {
		snprintf(why, len, "more than %d PMUs", LIMITS_MAX_PMUS);
		return -EINVAL;
	}
	snprintf(names[o->npmus], sizeof(names[0]), "%s", item);
	o->pmus[o->npmus] = names[o->npmus];
	o->npmus++;
	return 0;
}

/* Parses the command line into o (defaults by --quick). */
static void parse(struct limits_cli *c, struct limits_opts *o, int argc, char **argv)
{
	const struct opt opts[] = {
		OPT_PARENT(bench_opts_table(&c->b, &spec)),
		OPT_STRING(0, "pmus", "LIST", &c->pmus,
			   "libpfm4 core PMUs (default icl,spr,amd64_fam19h_zen4;\n"
			   "none: --pmus '')"),
		OPT_STRING(0, "flavor", "F", &c->flavor,
			   "intel | amd (default amd: its 20-bit event space leaves\n"
			   "room for misses at 65536 exact entries)"),
		OPT_STRING(0, "kernel", "V", &c->kernel,
			   "kernel release whose lib/sort.c the replicas use\n"
			   "(default: the running kernel's)"),
		OPT_END(),
	};
	char why[256];
	int gen, i = opts_parse(&doc, opts, argc, argv);

	if (i < argc)
		opts_die(&doc, opts, "unexpected argument '%s'", argv[i]);
	bench_opts_apply(&c->b);
	limits_defaults(o, c->b.quick);
	if (c->b.sizes_given) {
		if (c->b.sizes.n > LIMITS_MAX_SIZES)
			opts_die(&doc, opts, "--sizes: more than %d sizes", LIMITS_MAX_SIZES);
		o->nsizes = 0;
		for (size_t k = 0; k < c->b.sizes.n; k++) {
			if (!c->b.sizes.v[k])
				opts_die(&doc, opts, "--sizes: 0 is not a limit (1..65536)");
			o->sizes[o->nsizes++] = (size_t)c->b.sizes.v[k];
		}
	}
	if (c->pmus) {
		o->npmus = 0;
		if (*c->pmus && opts_each_item(c->pmus, add_pmu, o, why, sizeof(why)))
			opts_die(&doc, opts, "--pmus: %s", why);
	}
	if (c->flavor) {
		if (pmuf_flavor_parse(c->flavor, &o->flavor))
			opts_die(&doc, opts, "--flavor: '%s' is not intel or amd", c->flavor);
		o->flavor_how = "option";
	}
	gen = (int)o->sort_gen;
	util_kernel_option(c->kernel, o->kernel, sizeof(o->kernel), &o->kernel_how, &gen);
	o->sort_gen = (enum klib_sort_gen)gen;
	if (c->b.cpu_given)
		o->cpu = (int)c->b.cpu;
	if (c->b.samples_given)
		o->samples = (size_t)c->b.samples;
	if (c->b.seed_given)
		o->seed = c->b.seed;
}

/* One whole run for bench_repeat(); errors are run 1's. */
struct limits_run {
	const struct limits_opts *o;
	int argc;
	char **argv;
	size_t *errors;
	int nrun;
};

static json_t *limits_run_once(void *arg)
{
	struct limits_run *lr = arg;
	size_t more = 0;
	char msg[512];
	json_t *set = NULL;
	int err = limits_run(lr->o, lr->argc, lr->argv, &set, lr->nrun++ ? &more : lr->errors, msg,
			     sizeof(msg));
	if (err)
		die("limits: %s", msg);
	return set;
}

int cmd_limits(int argc, char **argv)
{
	struct limits_cli c = { 0 };
	struct limits_opts o;
	const char *outdir;
	char dirbuf[128];
	size_t errors = 0;

	parse(&c, &o, argc, argv);
	outdir = c.b.output;
	if (!outdir) {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(dirbuf, sizeof(dirbuf), "results/limits-%s", stamp);
		outdir = dirbuf;
	}
	util_check_out_dir("limits", outdir); /* before measuring: the path named */

	char **full = calloc((size_t)argc + 2, sizeof(*full));

	if (!full)
		die("out of memory");
	full[0] = (char *)"pfbench";
	memcpy(full + 1, argv, (size_t)argc * sizeof(*full));
	stop_install(); /* a Ctrl-C keeps the finished records (stop.h) */
	struct limits_run lr = { .o = &o, .argc = argc + 1, .argv = full, .errors = &errors };
	json_t *set = bench_repeat("limits", c.b.repeat, limits_run_once, &lr);
	free(full);
	util_write_set(set, outdir);
	util_timer_info("limits", set);
	util_noisy_info("limits", set);
	info("limits: wrote %s/limits.json and %s/limits.csv (%zu records)", outdir, outdir,
	     json_array_size(json_object_get(set, "records")));
	json_decref(set);
	if (stop_signal()) {
		return util_stopped("limits", "the records measured so far are kept");
	}
	if (errors)
		die("limits: %zu design/filter pairs failed their check or build; no numbers for "
		    "them",
		    errors);
	return EXIT_OK;
}
