/* cmd-compare.c — `pfbench compare A B` / `pfbench compare --pair COL=X,Y
 * A [B]`: result sets side by side as a Markdown table of ratios B/A with
 * bootstrap 95% CIs and verdicts (compare.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "compare.h"
#include "out-text.h"
#include "rset.h"
#include "util.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pfbench compare [options] A B\n"
		"       pfbench compare [options] --pair COL=VA,VB A [B]\n"
		"\n"
		"Compares result sets (each a result directory such as\n"
		"results/<host-id>/<UTC>/, or one <bench>.json file) as a Markdown table:\n"
		"records matched on their key columns, the ratio B/A of their medians,\n"
		"its 95%% CI by bootstrap over the raw samples (samples_ns; the records'\n"
		"own CIs when raw samples are absent, which the table says), and each\n"
		"difference marked significant (the CI lies outside 1 +- the threshold),\n"
		"small (the CI excludes 1 but not the band) or within noise (the CI\n"
		"holds 1), with a count of each.\n"
		"\n"
		"With --pair COL=VA,VB side A is the records whose COL is VA and side B\n"
		"those whose COL is VB: two values of one column within one set (A\n"
		"alone: e.g. --pair design=k6.3-masked,bytemap results/.../lookup.json)\n"
		"or between two sets (A's VA rows against B's VB rows). Rows are matched\n"
		"on the set's key columns without COL. A row that matches several rows\n"
		"is an error naming the columns that tell them apart.\n"
		"\n"
		"  -o, --output FILE    write the table to FILE (atomically) instead of stdout\n"
		"  --pair COL=VA,VB     compare value VA of column COL (side A) with VB (side B)\n"
		"  --ignore COLS        key columns left out of matching, comma-separated\n"
		"                       (e.g. kernel_replica when it follows from --pair's\n"
		"                       column); their values stay visible in the table\n"
		"  --threshold PCT      practical-significance band in %% of A (default %g;\n"
		"                       0: significant whenever the CI excludes 1)\n"
		"  --iters N            bootstrap resamples (default %d)\n"
		"  --seed N             bootstrap seed (default 1; the table is deterministic)\n"
		"  --allow-emulated     compare even when one side ran under an emulator\n"
		"                       (\"emulated\", e.g. qemu-tcg-icount) and the other did not\n"
		"  -h, --help           this text\n"
		"\n"
		"exit status: 0 ok, 1 failure, 2 bad input, an ambiguous match or nothing\n"
		"to compare\n",
		CMP_DEFAULT_THRESHOLD * 100, CMP_DEFAULT_ITERS);
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

/* "COL=VA,VB" into its three parts (pointers into a malloc'd copy *buf). */
static void parse_pair(const char *arg, char **buf, struct cmp_opts *co)
{
	char *s = strdup(arg);
	if (!s)
		die_errno("strdup", ENOMEM);
	char *eq = strchr(s, '='), *comma = eq ? strchr(eq + 1, ',') : NULL;
	if (!eq || eq == s || !comma || comma == eq + 1 || !comma[1] || strchr(comma + 1, ','))
		die_usage("compare: --pair: want COL=VA,VB (one column, two values), got '%s'",
			  arg);
	*eq = *comma = '\0';
	free(*buf);
	*buf = s;
	co->pair_col = s;
	co->pair_a = eq + 1;
	co->pair_b = comma + 1;
}

/* The emulator label of a side ("emulated" in a set's context or a
 * record, or its metadata.json), or NULL for hardware results. */
static const char *emulated_of(const json_t *sets, const json_t *meta)
{
	const char *em = json_string_value(json_object_get(meta, "emulated"));
	size_t i, j;
	json_t *set, *rec;
	json_array_foreach(sets, i, set) {
		if (em)
			break;
		em = json_string_value(json_object_get(json_object_get(set, "context"), "emulated"));
		json_array_foreach(json_object_get(set, "records"), j, rec) {
			if (em)
				break;
			em = json_string_value(json_object_get(rec, "emulated"));
		}
	}
	return em;
}

/* The result directory's metadata.json (run start, host, revision), or
 * NULL for a file or a directory without one. */
static json_t *load_meta(const char *path)
{
	struct stat st;
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return NULL;
	char file[4096];
	snprintf(file, sizeof(file), "%s/metadata.json", path);
	if (access(file, F_OK))
		return NULL;
	json_error_t je;
	json_t *m = json_load_file(file, 0, &je);
	if (!json_is_object(m)) {
		warn("compare: %s:%d:%d: %s (the header uses the result sets' own dates)", file,
		     je.line, je.column, m ? "not a JSON object" : je.text);
		json_decref(m);
		return NULL;
	}
	return m;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "pair", required_argument, NULL, 'p' },
		{ "threshold", required_argument, NULL, 't' },
		{ "iters", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "allow-emulated", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL;
	json_t *ignore = NULL;
	char *pair_buf = NULL;
	struct cmp_opts co = { .iters = CMP_DEFAULT_ITERS, .seed = 1,
			       .threshold = CMP_DEFAULT_THRESHOLD };
	unsigned long long v;
	bool allow_emulated = false;
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
		case 'p':
			parse_pair(optarg, &pair_buf, &co);
			break;
		case 't': {
			char *end;
			errno = 0;
			double t = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(t >= 0 && t < 100))
				die_usage("compare: --threshold: want a percentage from 0 to below "
					  "100, got '%s'", optarg);
			co.threshold = t / 100;
			break;
		}
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
		case 'E':
			allow_emulated = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	int nargs = argc - optind;
	if (co.pair_col ? nargs < 1 || nargs > 2 : nargs != 2)
		die_usage_help(usage, co.pair_col ? "compare: --pair: want one or two result sets"
						  : "compare: want two result sets, A and B");
	if (co.pair_col && nargs == 1 && !strcmp(co.pair_a, co.pair_b))
		die_usage("compare: --pair %s=%s,%s: within one set the two values must differ",
			  co.pair_col, co.pair_a, co.pair_b);
	if (co.pair_col && rset_in_list(ignore, co.pair_col))
		die_usage("compare: --pair's column %s is also in --ignore", co.pair_col);
	const char *pa = argv[optind], *pb = argv[optind + nargs - 1];
	char err[4096];
	json_t *sa = NULL, *sb = NULL;
	if (rset_load(pa, &sa, err, sizeof(err)) || rset_load(pb, &sb, err, sizeof(err)))
		die_usage("compare: %s", err);
	co.ignore = ignore;
	struct cmp_input ia = { .path = pa, .sets = sa, .meta = load_meta(pa) };
	struct cmp_input ib = { .path = pb, .sets = sb, .meta = load_meta(pb) };
	/* Emulated numbers are an emulator's virtual time, not hardware time. */
	const char *ea = emulated_of(sa, ia.meta), *eb = emulated_of(sb, ib.meta);
	if (!allow_emulated && (ea || eb) && (!ea || !eb || strcmp(ea, eb)))
		die_usage("compare: %s is %s%s and %s is %s%s: emulated numbers are not hardware "
			  "times and are not compared with them (--allow-emulated compares anyway)",
			  pa, ea ? "emulated: " : "hardware", ea ? ea : "", pb,
			  eb ? "emulated: " : "hardware", eb ? eb : "");

	char cond[1024];
	if (cmp_conditions(&ia, &ib, cond, sizeof(cond)))
		warn("compare: A and B were measured under different conditions: %s", cond);

	char *text = NULL;
	size_t len = 0;
	struct cmp_counts counts;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		die_errno("open_memstream", errno);
	int r = cmp_render(mem, &ia, &ib, &co, &counts, err, sizeof(err));
	if (fclose(mem))
		die_errno("compare: writing the table", errno);
	json_decref(sa);
	json_decref(sb);
	json_decref((json_t *)ia.meta);
	json_decref((json_t *)ib.meta);
	json_decref(ignore);
	if (r == -EINVAL) {
		free(text);
		die_usage("compare: %s", err);
	} else if (r) {
		die_errno("compare", -r);
	}
	if (!counts.matched) {
		free(text);
		if (co.pair_col)
			die_usage("compare: no record with %s=%s in %s matches one with %s=%s in %s "
				  "on the other key columns (does the column hold these values? "
				  "--ignore drops more columns from matching)",
				  co.pair_col, co.pair_a, pa, co.pair_col, co.pair_b, pb);
		die_usage("compare: no record of %s matches a record of %s on its key columns "
			  "(different benchmarks or parameters? --ignore drops columns from matching, "
			  "--pair compares two values of one column)", pa, pb);
	}
	free(pair_buf);
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
