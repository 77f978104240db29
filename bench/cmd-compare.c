/* cmd-compare.c — `pfbench compare A B`: two result sets side by side as a
 * Markdown table of ratios B/A with bootstrap 95% CIs (compare.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "compare.h"
#include "out-text.h"
#include "rset.h"
#include "util.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pfbench compare [-o FILE] [--ignore COL[,COL...]] [--iters N] [--seed N] A B\n"
		"\n"
		"Compares two result sets (each a result directory such as\n"
		"results/<host-id>/<UTC>/, or one <bench>.json file) as a Markdown table:\n"
		"records matched on their key columns, the ratio B/A of their medians,\n"
		"its 95%% CI by bootstrap over the raw samples (samples_ns; the records'\n"
		"own CIs when raw samples are absent, which the table says), and each\n"
		"difference marked significant (CI excludes 1) or within noise.\n"
		"\n"
		"  -o, --output FILE  write the table to FILE (atomically) instead of stdout\n"
		"  --ignore COLS      key columns left out of matching, comma-separated\n"
		"                     (e.g. --ignore design to compare two designs' rows)\n"
		"  --iters N          bootstrap resamples (default %d)\n"
		"  --seed N           bootstrap seed (default 1; the table is deterministic)\n"
		"  -h, --help         this text\n"
		"\n"
		"exit status: 0 ok, 1 failure, 2 bad input or nothing to compare\n",
		CMP_DEFAULT_ITERS);
}

static json_t *split_list(const char *s)
{
	json_t *arr = json_array();
	char *dup = strdup(s), *save = NULL;
	if (!dup)
		die_errno("strdup", ENOMEM);
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (*t)
			json_array_append_new(arr, json_string(t));
	free(dup);
	return arr;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "iters", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL;
	json_t *ignore = NULL;
	struct cmp_opts co = { .iters = CMP_DEFAULT_ITERS, .seed = 1 };
	unsigned long long v;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'i':
			json_decref(ignore);
			ignore = split_list(optarg);
			break;
		case 'n':
			if (util_parse_u64(optarg, &v) || v < 100 || v > 1000000)
				die_usage("compare: --iters: want a number from 100 to 1000000, got '%s'",
					  optarg);
			co.iters = (unsigned)v;
			break;
		case 's':
			if (util_parse_u64(optarg, &v))
				die_usage("compare: --seed: want an unsigned number, got '%s'", optarg);
			co.seed = v;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		die_usage_help(usage, "compare: want two result sets, A and B");
	const char *pa = argv[optind], *pb = argv[optind + 1];
	char err[512];
	json_t *sa = NULL, *sb = NULL;
	if (rset_load(pa, &sa, err, sizeof(err)) || rset_load(pb, &sb, err, sizeof(err)))
		die_usage("compare: %s", err);
	co.ignore = ignore;

	char *text = NULL;
	size_t len = 0, matched = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		die_errno("open_memstream", errno);
	cmp_render(mem, pa, sa, pb, sb, &co, &matched);
	if (fclose(mem))
		die_errno("compare: writing the table", errno);
	json_decref(sa);
	json_decref(sb);
	json_decref(ignore);
	if (!matched) {
		free(text);
		die_usage("compare: no record of %s matches a record of %s on its key columns "
			  "(different benchmarks or parameters? --ignore drops columns from matching)",
			  pa, pb);
	}
	int ret = EXIT_OK;
	if (output) {
		int e = out_write_text(output, text, len);
		if (e) {
			warn("compare: %s: %s", output, strerror(-e));
			ret = EXIT_FAIL;
		}
	} else {
		fwrite(text, 1, len, stdout);
	}
	free(text);
	return ret;
}
