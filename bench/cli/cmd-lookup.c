/* cmd-lookup.c — `pfbench lookup`: the cost of one filter lookup by filter
 * size, encoding, action, hit pattern and mode, for the kernel's three
 * algorithms and the alternative designs (bench/lookup/), side by side in
 * one run, with the L1-load floor. Options here; the sweep is
 * bench/lookup/bench.c; results go through out_write_set(). */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-repeat.h"
#include "cmd-filter.h"
#include "cmds.h"
#include "options.h"
#include "hostinfo.h"
#include "lookup-bench.h"
#include "out.h"
#include "topology.h"
#include "stop.h"
#include "util.h"

static const struct opt_doc doc = {
	.cmd = "lookup",
	.synopsis = "[--quick] [-o DIR] [options]",
	.about = "Times one PMU event filter lookup (\"is this guest event-select allowed?\") for\n"
		"the kernel's algorithms (5.3 linear, 5.17 bsearch, 6.3+ masked) and alternative\n"
		"designs, by filter size, encoding, action, hit pattern and mode, beside a floor\n"
		"row (one L1 load per lookup, dependent in latency mode). Every design is\n"
		"checked against the reference decision for every (select, umask) before it is\n"
		"timed; a mismatch is an error and gives no number. Writes DIR/lookup.json and\n"
		"DIR/lookup.csv.\n\n",
	.status = "exit status: 0 ok, 1 failure (a design disagreed with the reference: the\n"
		  "files are still written, \"complete\": false), 2 usage",
};

static const struct bench_opts_spec spec = {
	.which = BOPT_BENCH | BOPT_RAW | BOPT_SIZES | BOPT_FILTER | BOPT_REPEAT,
	.quick_help = "short sweep (sizes 1,16,64,300; exact and masked/16;\nallow; 21 samples)",
	.output_help = "output directory (default results/lookup-<UTC time>)",
	.cpu_help = "pin to core N (default: the last core)",
	.samples_max = 1000000,
	.samples_help = "timed samples per record (default 101; --quick 21)",
	.seed_help = "seed of the generated filters and inputs (default 1)",
	.sizes_max = 65536,
	.sizes_short = 's',
	.sizes_help = "filter sizes (default 1,2,4,...,256,300)",
	.filter_help = "time every design on FILE as it is (.pmuf, QEMU .json,\n"
		       "kvm-raw .bin, or a pattern such as 'icl::MEM_*';\n"
		       "repeatable, up to 16), filter_shape \"user\", with inputs\n"
		       "from its own selects (hit, miss, mixed, same-select)\n"
		       "and, with --pmu, from the PMU's event table (pmu);\n"
		       "records carry filter (the file name) and filter_hash.\n"
		       "Without --sizes, only the --filter files are timed",
};

static void list_designs(void)
{
	printf("lookup designs (-d):\n");
	for (const struct lookup_design *const *dp = lookup_designs; *dp; dp++) {
		const struct lookup_design *d = *dp;
		char why[96] = "";
		bool ok = !d->usable || d->usable(why, sizeof(why));

		printf("  %-14s %s%s%s\n  %-14s %s\n", d->name, d->desc, ok ? "" : " — unusable: ",
		       ok ? "" : why, "", d->cost);
	}
	printf("floor-l1 always runs; -d all selects every other design.\n");
}

/* One item of a name list (opts_each_item()): 0, or -EINVAL with why. */
static int unknown(char *why, size_t len, const char *what, const char *item, const char *known)
{
	snprintf(why, len, "unknown %s '%s' (%s)", what, item, known);
	return -EINVAL;
}

static int add_enc(const char *item, void *arg, char *why, size_t len)
{
	struct lookup_bench_opts *o = arg;
	const struct lookup_encoding *e = lookup_encoding_find(item);

	if (!e)
		return unknown(why, len, "encoding", item, "exact, masked/1, masked/16, masked/128");
	for (size_t i = 0; i < o->nencs; i++)
		if (o->encs[i] == e)
			return 0;
	o->encs[o->nencs++] = e;
	return 0;
}

static int add_action(const char *item, void *arg, char *why, size_t len)
{
	struct lookup_bench_opts *o = arg;
	uint32_t a;

	if (!strcmp(item, "allow"))
		a = PMUF_ALLOW;
	else if (!strcmp(item, "deny"))
		a = PMUF_DENY;
	else
		return unknown(why, len, "action", item, "allow, deny");
	for (size_t i = 0; i < o->nactions; i++)
		if (o->actions[i] == a)
			return 0;
	o->actions[o->nactions++] = a;
	return 0;
}

static int add_pattern(const char *item, void *arg, char *why, size_t len)
{
	struct lookup_bench_opts *o = arg;
	enum lookup_pattern p;

	if (lookup_pattern_parse(item, &p))
		return unknown(why, len, "pattern", item,
			       "hit, miss, mixed, same-select, walk-worst, pmu");
	for (size_t i = 0; i < o->npatterns; i++)
		if (o->patterns[i] == p)
			return 0;
	o->patterns[o->npatterns++] = p;
	return 0;
}

static int add_mode(const char *item, void *arg, char *why, size_t len)
{
	struct lookup_bench_opts *o = arg;

	if (!strcmp(item, "throughput"))
		o->throughput = true;
	else if (!strcmp(item, "latency"))
		o->latency = true;
	else
		return unknown(why, len, "mode", item, "throughput, latency");
	return 0;
}

static int add_design(const char *item, void *arg, char *why, size_t len)
{
	struct lookup_bench_opts *o = arg;
	const struct lookup_design *d = lookup_find(item);

	if (!d)
		return unknown(why, len, "design", item, "`pfbench lookup -d help` lists them");
	if (d->flags & LOOKUP_F_FLOOR)
		return 0; /* always there */
	for (size_t i = 0; i < o->ndesigns; i++)
		if (o->designs[i] == d)
			return 0;
	o->designs[o->ndesigns++] = d;
	return 0;
}

/* Everything lookup's command line sets. */
struct lookup_cli {
	struct bench_opts b;
	const char *designs, *encs, *actions, *pats, *modes, *pmu, *flavor, *kernel, *cache;
	bool beyond, evict_buffer;
	unsigned long long repeats, inputs;
	bool repeats_given, inputs_given;
	struct opt table[20];
};

static const struct opt *cli_table(struct lookup_cli *c)
{
	const struct opt rows[] = {
		OPT_PARENT(bench_opts_table(&c->b, &spec)),
		OPT_STRING('d', "designs", "LIST", &c->designs, "all | help | name,name,... (default all)"),
		OPT_FLAG(0, "beyond-limit", &c->beyond,
			 "allow sizes above the kernel's 300 (every design, the\n"
			 "kernel replicas too, runs without the cap); without\n"
			 "--sizes adds 512,1024,...,65536"),
		OPT_STRING('e', "encodings", "LIST", &c->encs,
			   "exact,masked/1,masked/16,masked/128 (default all):\n"
			   "masked/N: each include matches N umasks of its select"),
		OPT_STRING('a', "actions", "LIST", &c->actions, "allow,deny (default both)"),
		OPT_STRING('p', "patterns", "LIST", &c->pats,
			   "hit,miss,mixed,same-select,walk-worst,pmu\n"
			   "(default all but pmu; pmu is added by --pmu)"),
		OPT_STRING('m', "modes", "LIST", &c->modes, "throughput,latency (default both)"),
		OPT_STRING(0, "pmu", "NAME", &c->pmu,
			   "libpfm4 PMU whose event table feeds the pmu pattern\n"
			   "(e.g. icl, spr, amd64_fam19h_zen4)"),
		OPT_STRING(0, "flavor", "F", &c->flavor,
			   "intel | amd: KVM's event-select width (default: probed)"),
		OPT_STRING(0, "kernel", "V", &c->kernel,
			   "kernel release whose lib/sort.c the 6.3+ replicas' install\n"
			   "uses: <6.9, 6.9-6.10 or 6.11+ (default: the running\n"
			   "kernel's; e.g. --kernel 6.18)"),
		OPT_STRING(0, "cache", "C", &c->cache,
			   "warm | cold | both (default warm): cold times each\n"
			   "lookup alone right after evicting the design's memory\n"
			   "from the caches (clflush / dc civac; latency mode only);\n"
			   "records get cache=warm|cold"),
		OPT_FLAG(0, "evict-buffer", &c->evict_buffer,
			 "cold: evict by walking a buffer of twice the LLC\n"
			 "instead of flushing the design's lines"),
		OPT_UINT(0, "repeats", "N", &c->repeats, &c->repeats_given, 1, 1u << 20,
			 "within one sample: passes over the input events (default:\n"
			 "auto, samples of about 10 us, or a window of the inputs\n"
			 "when one pass is longer); not -r/--repeat, which repeats\n"
			 "the whole run"),
		OPT_UINT(0, "inputs", "N", &c->inputs, &c->inputs_given, 1, 1u << 20,
			 "events per input stream (default 4096)"),
		OPT_END(),
	};
	memcpy(c->table, rows, sizeof(rows));
	return c->table;
}

/* A name list option through the one splitter, or the usage error. */
static void name_list(const struct opt *opts, const char *opt, const char *list,
		      int (*fn)(const char *, void *, char *, size_t), struct lookup_bench_opts *o)
{
	char why[200];
	if (opts_each_item(list, fn, o, why, sizeof(why)))
		opts_die(&doc, opts, "%s: %s", opt, why);
}

/* Sizes: the list given, or the defaults (with --beyond-limit, up to
 * 65536); above 300 only with --beyond-limit. */
static void set_sizes(const struct lookup_cli *c, const struct opt *opts,
		      struct lookup_bench_opts *o)
{
	if (c->b.sizes_given) {
		if (c->b.sizes.n > LOOKUP_MAX_SIZES)
			opts_die(&doc, opts, "--sizes: more than %d sizes", LOOKUP_MAX_SIZES);
		o->nsizes = 0;
		for (size_t i = 0; i < c->b.sizes.n; i++)
			o->sizes[o->nsizes++] = (size_t)c->b.sizes.v[i];
	} else if (c->b.filters.n) {
		o->nsizes = 0; /* only the user's filters, unless --sizes asks for the sweep too */
	} else if (c->beyond) {
		for (size_t s = 512; s <= 65536 && o->nsizes < LOOKUP_MAX_SIZES; s *= 2)
			o->sizes[o->nsizes++] = s;
	}
	for (size_t i = 0; i < o->nsizes; i++)
		if (o->sizes[i] > PMUF_KVM_MAX_EVENTS && !c->beyond)
			opts_die(&doc, opts, "--sizes: %zu is above the kernel's limit of %u entries; "
				 "add --beyond-limit to measure it", o->sizes[i], PMUF_KVM_MAX_EVENTS);
}

static void set_lists(const struct lookup_cli *c, const struct opt *opts,
		      struct lookup_bench_opts *o)
{
	if (c->encs) {
		o->nencs = 0;
		name_list(opts, "--encodings", c->encs, add_enc, o);
	}
	if (c->actions) {
		o->nactions = 0;
		name_list(opts, "--actions", c->actions, add_action, o);
	}
	if (c->pats) {
		o->npatterns = 0;
		name_list(opts, "--patterns", c->pats, add_pattern, o);
	} else if (c->pmu) {
		o->patterns[o->npatterns++] = LOOKUP_PAT_PMU;
	}
	for (size_t i = 0; i < o->npatterns; i++)
		if (o->patterns[i] == LOOKUP_PAT_PMU && !c->pmu)
			opts_die(&doc, opts, "--patterns: the pmu pattern needs --pmu NAME (e.g. --pmu icl)");
	if (c->modes) {
		o->throughput = o->latency = false;
		name_list(opts, "--modes", c->modes, add_mode, o);
	}
	if (c->designs && strcmp(c->designs, "all")) {
		o->ndesigns = 0;
		name_list(opts, "--designs", c->designs, add_design, o);
	}
}

/* The sweep the command line asks for (defaults by --quick). */
static void to_opts(const struct lookup_cli *c, const struct opt *opts,
		    struct lookup_bench_opts *o)
{
	lookup_bench_defaults(o, c->b.quick);
	o->beyond_limit = c->beyond;
	o->keep_raw = c->b.raw;
	o->pmu = c->pmu;
	set_sizes(c, opts, o);
	set_lists(c, opts, o);
	if (c->flavor) {
		if (pmuf_flavor_parse(c->flavor, &o->flavor))
			opts_die(&doc, opts, "--flavor: '%s' is not intel or amd", c->flavor);
		o->flavor_how = "option";
	} else {
		o->flavor = hostinfo_default_flavor(&o->flavor_how);
		if (o->flavor == PMUF_FLAVOR_UNSET) {
			o->flavor = PMUF_FLAVOR_INTEL;
			o->flavor_how = "default (neither probed nor known from the CPU)";
		}
	}
	{
		int gen = (int)o->sort_gen;

		util_kernel_option(c->kernel, o->kernel, sizeof(o->kernel), &o->kernel_how, &gen);
		o->sort_gen = (enum klib_sort_gen)gen;
	}
	if (c->cache) {
		o->cache_warm = !strcmp(c->cache, "warm") || !strcmp(c->cache, "both");
		o->cache_cold = !strcmp(c->cache, "cold") || !strcmp(c->cache, "both");
		if (!o->cache_warm && !o->cache_cold)
			opts_die(&doc, opts, "--cache: '%s' is not warm, cold or both", c->cache);
		if (o->cache_cold && !o->latency)
			opts_die(&doc, opts,
				 "--cache: cold lookups are timed in latency mode; add latency to "
				 "--modes");
	}
	o->evict_buffer = c->evict_buffer;
	if (c->b.cpu_given)
		o->cpu = (int)c->b.cpu;
	if (c->b.samples_given)
		o->samples = (size_t)c->b.samples;
	if (c->repeats_given)
		o->repeats = (size_t)c->repeats;
	if (c->inputs_given)
		o->ninputs = (size_t)c->inputs;
	if (c->b.seed_given)
		o->seed = c->b.seed;
}

/* One whole run for bench_repeat(): run 1's failures are kept in fails
 * (later runs check the same designs on the same inputs). */
struct lookup_run {
	const struct lookup_bench_opts *o;
	int argc;
	char **argv;
	const char *pmu;
	struct lookup_failures *fails;
	int nrun;
};

static json_t *lookup_run(void *arg)
{
	struct lookup_run *lr = arg;
	struct lookup_failures more = { 0 };
	char msg[512];
	json_t *set = NULL;
	int err = lookup_bench_run(lr->o, lr->argc, lr->argv, &set, lr->nrun++ ? &more : lr->fails,
				   msg, sizeof(msg));
	json_decref(more.mismatches);
	if (err == -ENOENT && lr->pmu)
		die_usage("--pmu: %s", msg);
	if (err)
		die("lookup: %s", msg);
	return set;
}

int cmd_lookup(int argc, char **argv)
{
	struct lookup_cli cli = { 0 };
	const struct opt *opts = cli_table(&cli);
	struct lookup_bench_opts o;
	static struct user_filter ufs[USER_FILTER_MAX];
	char dirbuf[128];
	struct lookup_failures fails = { 0 };

	int first = opts_parse(&doc, opts, argc, argv);
	if (first < argc)
		opts_die(&doc, opts, "unexpected argument '%s'", argv[first]);
	bench_opts_apply(&cli.b);
	if (cli.designs && !strcmp(cli.designs, "help")) {
		list_designs();
		return EXIT_OK;
	}
	to_opts(&cli, opts, &o);
	o.filters = ufs;
	o.nfilters = cmd_filter_user_load_all("lookup", &cli.b.filters, ufs);
	const char *outdir = cli.b.output, *pmu = cli.pmu;

	if (!outdir) {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(dirbuf, sizeof(dirbuf), "results/lookup-%s", stamp);
		outdir = dirbuf;
	}
	util_check_out_dir("lookup", outdir);

	/* The context's command line: "pfbench lookup ...". */
	char **full = calloc((size_t)argc + 2, sizeof(*full));

	if (!full)
		die("out of memory");
	full[0] = (char *)"pfbench";
	memcpy(full + 1, argv, (size_t)argc * sizeof(*full));
	stop_install(); /* a Ctrl-C keeps the finished records (stop.h) */
	struct lookup_run lr = { .o = &o, .argc = argc + 1, .argv = full, .pmu = pmu, .fails = &fails };
	json_t *set = bench_repeat("lookup", cli.b.repeat, lookup_run, &lr);
	free(full);
	util_write_set(set, outdir);
	util_timer_info("lookup", set);
	util_noisy_info("lookup", set);
	info("lookup: wrote %s/lookup.json and %s/lookup.csv (%zu records)", outdir, outdir,
	     json_array_size(json_object_get(set, "records")));
	if (stop_signal()) {
		json_decref(set);
		json_decref(fails.mismatches);
		return util_stopped("lookup", "the records measured so far are kept");
	}
	if (fails.errors) {
		json_t *v;
		size_t k;

		json_array_foreach(fails.mismatches, k, v)
			warn("%s: %s", json_string_value(json_object_get(v, "what")),
			     json_string_value(json_object_get(v, "why")));
		json_decref(fails.mismatches);
		json_decref(set);
		die("lookup: %zu design/filter pairs failed their check or build; no numbers for "
		    "them",
		    fails.errors);
	}
	json_decref(fails.mismatches);
	json_decref(set);
	return EXIT_OK;
}
