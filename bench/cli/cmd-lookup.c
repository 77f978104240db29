/* cmd-lookup.c — `pfbench lookup`: the cost of one filter lookup by filter
 * size, encoding, action, hit pattern and mode, for the kernel's three
 * algorithms and the alternative designs (bench/lookup/), side by side in
 * one run, with the L1-load floor. Options here; the sweep is
 * bench/lookup/bench.c; results go through out_write_set(). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd-filter.h"
#include "cmds.h"
#include "hostinfo.h"
#include "lookup-bench.h"
#include "out.h"
#include "topology.h"
#include "util.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pfbench lookup [--quick] [-o DIR] [options]\n\n"
		"Times one PMU event filter lookup (\"is this guest event-select allowed?\") for\n"
		"the kernel's algorithms (5.3 linear, 5.17 bsearch, 6.3+ masked) and alternative\n"
		"designs, by filter size, encoding, action, hit pattern and mode, beside a floor\n"
		"row (one L1 load per lookup, dependent in latency mode). Every design is\n"
		"checked against the reference decision for every (select, umask) before it is\n"
		"timed; a mismatch is an error and gives no number. Writes DIR/lookup.json and\n"
		"DIR/lookup.csv.\n\n"
		"  --quick             short sweep (sizes 1,16,64,300; exact and masked/16;\n"
		"                      allow; 21 samples)\n"
		"  -o, --output DIR    output directory (default results/lookup-<UTC time>)\n"
		"  -d, --designs LIST  all | help | name,name,... (default all)\n"
		"  -s, --sizes LIST    filter sizes (default 1,2,4,...,256,300)\n"
		"      --beyond-limit  allow sizes above the kernel's 300 (every design, the\n"
		"                      kernel replicas too, runs without the cap); without\n"
		"                      --sizes adds 512,1024,...,65536\n"
		"  -e, --encodings LIST  exact,masked/1,masked/16,masked/128 (default all):\n"
		"                      masked/N: each include matches N umasks of its select\n"
		"  -a, --actions LIST  allow,deny (default both)\n"
		"  -p, --patterns LIST hit,miss,mixed,same-select,walk-worst,pmu\n"
		"                      (default all but pmu; pmu is added by --pmu)\n"
		"  -m, --modes LIST    throughput,latency (default both)\n"
		"      --pmu NAME      libpfm4 PMU whose event table feeds the pmu pattern\n"
		"                      (e.g. icl, spr, amd64_fam19h_zen4)\n"
		"      --flavor F      intel | amd: KVM's event-select width (default: probed)\n"
		"      --cpu N         pin to core N (default: the last core)\n"
		"      --samples N     timed samples per record (default 101; --quick 21)\n"
		"      --repeats N     passes over the input events per sample (default: auto,\n"
		"                      samples of about 10 us; --quick 4 us)\n"
		"      --inputs N      events per input stream (default 512)\n"
		"      --seed N        seed of the generated filters and inputs (default 1)\n"
		"      --raw           keep every sample (samples_ns) in lookup.json\n"
		"      --filter FILE   time every design on FILE as it is (.pmuf, QEMU .json,\n"
		"                      kvm-raw .bin, or a pattern such as 'icl::MEM_*';\n"
		"                      repeatable, up to 16), filter_shape \"user\", with inputs\n"
		"                      from its own selects (hit, miss, mixed, same-select)\n"
		"                      and, with --pmu, from the PMU's event table (pmu);\n"
		"                      records carry filter (the file name) and filter_hash.\n"
		"                      Without --sizes, only the --filter files are timed\n"
		"  -h, --help          this text\n\n"
		"exit status: 0 ok, 1 failure (a design disagreed with the reference: the\n"
		"files are still written, \"complete\": false), 2 usage\n");
}

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

/* Splits a comma list; calls fn on each item. */
static void each_item(const char *opt, const char *list, void (*fn)(const char *opt,
								    const char *item, void *arg),
		      void *arg)
{
	char *dup = strdup(list), *save = NULL, *tok;

	if (!dup)
		die("out of memory");
	if (!*list)
		die_usage("%s: empty list", opt);
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		fn(opt, tok, arg);
	free(dup);
}

static void add_size(const char *opt, const char *item, void *arg)
{
	struct lookup_bench_opts *o = arg;
	unsigned long long v;

	if (util_parse_u64(item, &v) || v > 65536)
		die_usage("%s: '%s' is not a filter size (0..65536)", opt, item);
	if (o->nsizes >= LOOKUP_MAX_SIZES)
		die_usage("%s: more than %d sizes", opt, LOOKUP_MAX_SIZES);
	o->sizes[o->nsizes++] = (size_t)v;
}

static void add_enc(const char *opt, const char *item, void *arg)
{
	struct lookup_bench_opts *o = arg;
	const struct lookup_encoding *e = lookup_encoding_find(item);

	if (!e)
		die_usage("%s: unknown encoding '%s' (exact, masked/1, masked/16, masked/128)", opt,
			  item);
	for (size_t i = 0; i < o->nencs; i++)
		if (o->encs[i] == e)
			return;
	o->encs[o->nencs++] = e;
}

static void add_action(const char *opt, const char *item, void *arg)
{
	struct lookup_bench_opts *o = arg;
	uint32_t a;

	if (!strcmp(item, "allow"))
		a = PMUF_ALLOW;
	else if (!strcmp(item, "deny"))
		a = PMUF_DENY;
	else
		die_usage("%s: unknown action '%s' (allow, deny)", opt, item);
	for (size_t i = 0; i < o->nactions; i++)
		if (o->actions[i] == a)
			return;
	o->actions[o->nactions++] = a;
}

static void add_pattern(const char *opt, const char *item, void *arg)
{
	struct lookup_bench_opts *o = arg;
	enum lookup_pattern p;

	if (lookup_pattern_parse(item, &p))
		die_usage("%s: unknown pattern '%s' (hit, miss, mixed, same-select, walk-worst, "
			  "pmu)",
			  opt, item);
	for (size_t i = 0; i < o->npatterns; i++)
		if (o->patterns[i] == p)
			return;
	o->patterns[o->npatterns++] = p;
}

static void add_mode(const char *opt, const char *item, void *arg)
{
	struct lookup_bench_opts *o = arg;

	if (!strcmp(item, "throughput"))
		o->throughput = true;
	else if (!strcmp(item, "latency"))
		o->latency = true;
	else
		die_usage("%s: unknown mode '%s' (throughput, latency)", opt, item);
}

static void add_design(const char *opt, const char *item, void *arg)
{
	struct lookup_bench_opts *o = arg;
	const struct lookup_design *d = lookup_find(item);

	if (!d)
		die_usage("%s: unknown design '%s' (`pfbench lookup -d help` lists them)", opt,
			  item);
	if (d->flags & LOOKUP_F_FLOOR)
		return; /* always there */
	for (size_t i = 0; i < o->ndesigns; i++)
		if (o->designs[i] == d)
			return;
	o->designs[o->ndesigns++] = d;
}

static size_t parse_count(const char *opt, const char *s, unsigned long long min,
			  unsigned long long max)
{
	return (size_t)util_parse_range(NULL, opt, s, min, max);
}

enum {
	OPT_BEYOND = 256,
	OPT_PMU,
	OPT_FLAVOR,
	OPT_CPU,
	OPT_SAMPLES,
	OPT_REPEATS,
	OPT_INPUTS,
	OPT_SEED,
	OPT_RAW,
	OPT_FILTER,
	OPT_QUICK,
};

int cmd_lookup(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "output", required_argument, NULL, 'o' },
		{ "designs", required_argument, NULL, 'd' },
		{ "sizes", required_argument, NULL, 's' },
		{ "beyond-limit", no_argument, NULL, OPT_BEYOND },
		{ "encodings", required_argument, NULL, 'e' },
		{ "actions", required_argument, NULL, 'a' },
		{ "patterns", required_argument, NULL, 'p' },
		{ "modes", required_argument, NULL, 'm' },
		{ "pmu", required_argument, NULL, OPT_PMU },
		{ "flavor", required_argument, NULL, OPT_FLAVOR },
		{ "cpu", required_argument, NULL, OPT_CPU },
		{ "samples", required_argument, NULL, OPT_SAMPLES },
		{ "repeats", required_argument, NULL, OPT_REPEATS },
		{ "inputs", required_argument, NULL, OPT_INPUTS },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "raw", no_argument, NULL, OPT_RAW },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *outdir = NULL, *sizes = NULL, *encs = NULL, *actions = NULL, *pats = NULL,
		   *modes = NULL, *designs = NULL, *pmu = NULL, *flavor = NULL;
	const char *samples = NULL, *repeats = NULL, *inputs = NULL, *seed = NULL, *cpu = NULL;
	bool quick = false, beyond = false, raw = false;
	static struct user_filter ufs[USER_FILTER_MAX];
	size_t nfilters = 0;
	struct lookup_bench_opts o;
	char msg[512], dirbuf[128];
	size_t errors = 0, i;
	json_t *set = NULL;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:d:s:e:a:p:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_QUICK: quick = true; break;
		case 'o': outdir = optarg; break;
		case 'd': designs = optarg; break;
		case 's': sizes = optarg; break;
		case OPT_BEYOND: beyond = true; break;
		case 'e': encs = optarg; break;
		case 'a': actions = optarg; break;
		case 'p': pats = optarg; break;
		case 'm': modes = optarg; break;
		case OPT_PMU: pmu = optarg; break;
		case OPT_FLAVOR: flavor = optarg; break;
		case OPT_CPU: cpu = optarg; break;
		case OPT_SAMPLES: samples = optarg; break;
		case OPT_REPEATS: repeats = optarg; break;
		case OPT_INPUTS: inputs = optarg; break;
		case OPT_SEED: seed = optarg; break;
		case OPT_RAW: raw = true; break;
		case OPT_FILTER:
			if (nfilters == USER_FILTER_MAX)
				die_usage("lookup: more than %d --filter files", USER_FILTER_MAX);
			cmd_filter_user_load(optarg, &ufs[nfilters++]);
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		die_usage("lookup: unexpected argument '%s'", argv[optind]);
	if (designs && !strcmp(designs, "help")) {
		list_designs();
		return EXIT_OK;
	}

	lookup_bench_defaults(&o, quick);
	o.beyond_limit = beyond;
	o.keep_raw = raw;
	o.pmu = pmu;
	o.filters = ufs;
	o.nfilters = nfilters;
	if (sizes) {
		o.nsizes = 0;
		each_item("--sizes", sizes, add_size, &o);
	} else if (nfilters) {
		o.nsizes = 0; /* only the user's filters, unless --sizes asks for the sweep too */
	} else if (beyond) {
		for (size_t s = 512; s <= 65536 && o.nsizes < LOOKUP_MAX_SIZES; s *= 2)
			o.sizes[o.nsizes++] = s;
	}
	for (i = 0; i < o.nsizes; i++)
		if (o.sizes[i] > PMUF_KVM_MAX_EVENTS && !beyond)
			die_usage("--sizes: %zu is above the kernel's limit of %u entries; add "
				  "--beyond-limit to measure it",
				  o.sizes[i], PMUF_KVM_MAX_EVENTS);
	if (encs) {
		o.nencs = 0;
		each_item("--encodings", encs, add_enc, &o);
	}
	if (actions) {
		o.nactions = 0;
		each_item("--actions", actions, add_action, &o);
	}
	if (pats) {
		o.npatterns = 0;
		each_item("--patterns", pats, add_pattern, &o);
	} else if (pmu) {
		o.patterns[o.npatterns++] = LOOKUP_PAT_PMU;
	}
	for (i = 0; i < o.npatterns; i++)
		if (o.patterns[i] == LOOKUP_PAT_PMU && !pmu)
			die_usage("--patterns: the pmu pattern needs --pmu NAME (e.g. --pmu icl)");
	if (modes) {
		o.throughput = o.latency = false;
		each_item("--modes", modes, add_mode, &o);
	}
	if (designs && strcmp(designs, "all")) {
		o.ndesigns = 0;
		each_item("--designs", designs, add_design, &o);
	}
	if (flavor) {
		if (pmuf_flavor_parse(flavor, &o.flavor))
			die_usage("--flavor: '%s' is not intel or amd", flavor);
		o.flavor_how = "option";
	} else {
		o.flavor = hostinfo_default_flavor(&o.flavor_how);
		if (o.flavor == PMUF_FLAVOR_UNSET) {
			o.flavor = PMUF_FLAVOR_INTEL;
			o.flavor_how = "default (neither probed nor known from the CPU)";
		}
	}
	if (cpu) /* a core this host has: a bad value is a usage error, not a failed run */
		o.cpu = (int)parse_count("--cpu", cpu, 0, (unsigned long long)topo_ncores() - 1);
	if (samples)
		o.samples = parse_count("--samples", samples, 1, 1000000);
	if (repeats)
		o.repeats = parse_count("--repeats", repeats, 1, 1u << 20);
	if (inputs)
		o.ninputs = parse_count("--inputs", inputs, 1, 1u << 20);
	if (seed)
		o.seed = parse_count("--seed", seed, 0, ~0ull);

	if (!outdir) {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(dirbuf, sizeof(dirbuf), "results/lookup-%s", stamp);
		outdir = dirbuf;
	}

	/* The context's command line: "pfbench lookup ...". */
	char **full = calloc((size_t)argc + 2, sizeof(*full));

	if (!full)
		die("out of memory");
	full[0] = (char *)"pfbench";
	memcpy(full + 1, argv, (size_t)argc * sizeof(*full));
	err = lookup_bench_run(&o, argc + 1, full, &set, &errors, msg, sizeof(msg));
	free(full);
	if (err == -ENOENT && pmu)
		die_usage("--pmu: %s", msg);
	if (err)
		die("lookup: %s", msg);
	err = out_write_set(set, outdir);
	if (err) {
		json_decref(set);
		die_errno(outdir, err);
	}
	util_timer_info("lookup", set);
	util_noisy_info("lookup", set);
	info("lookup: wrote %s/lookup.json and %s/lookup.csv (%zu records)", outdir, outdir,
	     json_array_size(json_object_get(set, "records")));
	if (errors) {
		json_t *sk = json_object_get(set, "skipped"), *v;
		size_t k;

		json_array_foreach(sk, k, v) {
			const char *why = json_string_value(json_object_get(v, "why"));

			if (why && strstr(why, "reference says"))
				warn("%s: %s", json_string_value(json_object_get(v, "what")), why);
		}
		json_decref(set);
		die("lookup: %zu design/filter pairs failed their check or build; no numbers for "
		    "them",
		    errors);
	}
	json_decref(set);
	return EXIT_OK;
}
