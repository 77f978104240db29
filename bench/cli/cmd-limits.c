/* cmd-limits.c — `pfbench limits`: what would a filter size limit of N
 * cost (bench/lookup/limit-study.h): lookups warm and cold per design, the
 * install-side copy + sort by lib/sort.c generation, memory per design, and
 * exact against compiled masked entries for real PMU tables. Options here;
 * results go through out_write_set() as limits.json/limits.csv. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmds.h"
#include "limit-study.h"
#include "out.h"
#include "topology.h"
#include "util.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pfbench limits [--quick] [-o DIR] [options]\n\n"
		"What would a PMU event filter limit of N entries cost, for N = 300 (today's),\n"
		"1000, 3000, 10000 and 65536: one lookup warm and cold (its memory evicted\n"
		"first) for every design, on exact filters of N random entries with half the\n"
		"lookups hitting; each design's memory; the kernel's install-side copy +\n"
		"convert + sort (the k6.3-masked replica's build) in each lib/sort.c\n"
		"generation, timed in user space (the kernel refuses more than 300); and, for\n"
		"real PMU tables (libpfm4), how many exact entries allowing every event takes\n"
		"against the masked filter pmuf_compile finds. Every design is checked\n"
		"against the reference before it is timed. Writes DIR/limits.json and\n"
		"DIR/limits.csv.\n\n"
		"  --quick             21 samples per figure (default 101)\n"
		"  -o, --output DIR    output directory (default results/limits-<UTC time>)\n"
		"  -s, --sizes LIST    limits to study (default 300,1000,3000,10000,65536)\n"
		"      --pmus LIST     libpfm4 core PMUs (default icl,spr,amd64_fam19h_zen4;\n"
		"                      none: --pmus '')\n"
		"      --flavor F      intel | amd (default amd: its 20-bit event space leaves\n"
		"                      room for misses at 65536 exact entries)\n"
		"      --kernel V      kernel release whose lib/sort.c the replicas use\n"
		"                      (default: the running kernel's)\n"
		"      --cpu N         pin to core N (default: the last core)\n"
		"      --samples N     samples per figure\n"
		"      --seed N        seed of the generated filters and inputs (default 1)\n"
		"  -h, --help          this text\n\n"
		"Takes about a minute with the default sizes (most of it checking every design\n"
		"on 65536 entries against the reference).\n\n"
		"exit status: 0 ok, 1 failure (a design disagreed with the reference: files\n"
		"still written, \"complete\": false), 2 usage\n");
}

enum { OPT_QUICK = 256, OPT_PMUS, OPT_FLAVOR, OPT_KERNEL, OPT_CPU, OPT_SAMPLES, OPT_SEED };

static void parse_sizes(struct limits_opts *o, const char *list)
{
	char *dup = strdup(list), *save = NULL, *tok;

	if (!dup)
		die("out of memory");
	o->nsizes = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nsizes >= LIMITS_MAX_SIZES)
			die_usage("limits: --sizes: more than %d sizes", LIMITS_MAX_SIZES);
		o->sizes[o->nsizes++] = (size_t)util_parse_range("limits", "--sizes", tok, 1, 65536);
	}
	free(dup);
	if (!o->nsizes)
		die_usage("limits: --sizes: empty list");
}

static void parse_pmus(struct limits_opts *o, char *list)
{
	char *save = NULL, *tok;

	o->npmus = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->npmus >= LIMITS_MAX_PMUS)
			die_usage("limits: --pmus: more than %d PMUs", LIMITS_MAX_PMUS);
		o->pmus[o->npmus++] = tok;
	}
}

int cmd_limits(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "output", required_argument, NULL, 'o' },
		{ "sizes", required_argument, NULL, 's' },
		{ "pmus", required_argument, NULL, OPT_PMUS },
		{ "flavor", required_argument, NULL, OPT_FLAVOR },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "cpu", required_argument, NULL, OPT_CPU },
		{ "samples", required_argument, NULL, OPT_SAMPLES },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *outdir = NULL, *sizes = NULL, *flavor = NULL, *kernel = NULL, *cpu = NULL,
		   *samples = NULL, *seed = NULL;
	char *pmus = NULL;
	bool quick = false;
	struct limits_opts o;
	char msg[512], dirbuf[128];
	size_t errors = 0;
	json_t *set = NULL;
	int c, err, gen;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_QUICK: quick = true; break;
		case 'o': outdir = optarg; break;
		case 's': sizes = optarg; break;
		case OPT_PMUS: pmus = optarg; break;
		case OPT_FLAVOR: flavor = optarg; break;
		case OPT_KERNEL: kernel = optarg; break;
		case OPT_CPU: cpu = optarg; break;
		case OPT_SAMPLES: samples = optarg; break;
		case OPT_SEED: seed = optarg; break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		die_usage("limits: unexpected argument '%s'", argv[optind]);
	limits_defaults(&o, quick);
	if (sizes)
		parse_sizes(&o, sizes);
	if (pmus)
		parse_pmus(&o, pmus);
	if (flavor) {
		if (pmuf_flavor_parse(flavor, &o.flavor))
			die_usage("limits: --flavor: '%s' is not intel or amd", flavor);
		o.flavor_how = "option";
	}
	gen = (int)o.sort_gen;
	util_kernel_option(kernel, o.kernel, sizeof(o.kernel), &o.kernel_how, &gen);
	o.sort_gen = (enum klib_sort_gen)gen;
	if (cpu)
		o.cpu = (int)util_parse_range("limits", "--cpu", cpu, 0,
					      (unsigned long long)topo_ncores() - 1);
	if (samples)
		o.samples = (size_t)util_parse_range("limits", "--samples", samples, 1, 1000000);
	if (seed)
		o.seed = util_parse_range("limits", "--seed", seed, 0, ~0ull);
	if (!outdir) {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(dirbuf, sizeof(dirbuf), "results/limits-%s", stamp);
		outdir = dirbuf;
	}

	char **full = calloc((size_t)argc + 2, sizeof(*full));

	if (!full)
		die("out of memory");
	full[0] = (char *)"pfbench";
	memcpy(full + 1, argv, (size_t)argc * sizeof(*full));
	err = limits_run(&o, argc + 1, full, &set, &errors, msg, sizeof(msg));
	free(full);
	if (err)
		die("limits: %s", msg);
	util_write_set(set, outdir);
	util_timer_info("limits", set);
	util_noisy_info("limits", set);
	info("limits: wrote %s/limits.json and %s/limits.csv (%zu records)", outdir, outdir,
	     json_array_size(json_object_get(set, "records")));
	json_decref(set);
	if (errors)
		die("limits: %zu design/filter pairs failed their check or build; no numbers for "
		    "them",
		    errors);
	return EXIT_OK;
}
