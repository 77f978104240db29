/* cmd-compare.c — `pfbench compare A B` / `pfbench compare --pair COL=X,Y
 * A [B]`: result sets side by side: one line with the geometric mean of
 * the ratios B/A and the counts by verdict, the largest regressions and
 * improvements, every row with --all; Markdown, JSON or CSV (compare.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "options.h"
#include "compare.h"
#include "out-text.h"
#include "report-md.h"
#include "rset.h"
#include "util.h"

static const struct opt_doc doc = {
	.cmd = "compare",
	.synopsis = "[options] A B\n       pfbench compare [options] --pair COL=VA,VB A [B]",
	.about = "Compares result sets (each a result directory such as\n"
		"results/<host-id>/<UTC>/, or one <bench>.json file): records matched on\n"
		"their key columns, the ratio B/A of their medians, its 95% CI by\n"
		"bootstrap over the raw samples (samples_ns; the records' own CIs when\n"
		"raw samples are absent, which the output says) or, when both records\n"
		"were measured with -r N (N >= 2, run_medians_ns), a Welch t interval\n"
		"over the run medians (the run-to-run spread), and each difference\n"
		"marked significant (the CI lies outside 1 +- the threshold), small (the\n"
		"CI excludes 1 but not the band) or within noise (the CI holds 1).\n"
		"It leads with one line: the geometric mean of B/A over the matched\n"
		"timed cells with its 95% CI (a bootstrap over the cells) and the count\n"
		"of each verdict; then the largest regressions and improvements, sorted\n"
		"by ratio; the table of every row with --all (always when it has at most\n"
		"20 rows).\n"
		"Where the sets declare control rows (lookup: design floor-l1, per\n"
		"mode: the harness alone), the header gives their B/A per group and\n"
		"warns when they moved beyond the threshold: the machine, not what was\n"
		"compared, changed by that much.\n"
		"\n"
		"With --pair COL=VA,VB side A is the records whose COL is VA and side B\n"
		"those whose COL is VB: two values of one column within one set (A\n"
		"alone: e.g. --pair design=k6.3-masked,bytemap results/.../lookup.json)\n"
		"or between two sets (A's VA rows against B's VB rows). Rows are matched\n"
		"on the set's key columns without COL. A row that matches several rows\n"
		"is an error naming the columns that tell them apart.\n"
		"\n"
		"A result directory with damage (a set that is empty, truncated, not JSON\n"
		"or of an unknown schema version, a damaged metadata.json, a stage marked\n"
		"ok whose set is missing) fails naming the file, line and column.\n",
	.status = "exit status: 0 ok, 1 failure or a damaged result directory, 2 bad input,\n"
		  "an ambiguous match or nothing to compare",
};

static int add_name(const char *item, void *arg, char *why, size_t len)
{
	(void)why;
	(void)len;
	json_array_append_new(arg, json_string(item));
	return 0;
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

/* A side's result sets and, for a suite run directory, its metadata.json
 * (run start, host, revision). Damage is never passed over: a directory's
 * damaged set or metadata, or a stage marked ok whose set is missing, is
 * exit 1 naming the file (rset_load_dir); a bad single file is bad input. */
static void load_side(const char *path, json_t **sets, json_t **meta)
{
	char err[4096];
	int e = rset_load(path, sets, err, sizeof(err));
	if (e == -EBADMSG)
		die("compare: %s", err);
	if (e)
		die_usage("compare: %s", err);
	*meta = NULL;
	struct stat st;
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return;
	if (rset_load_meta(path, meta, NULL, err, sizeof(err)) ||
	    rset_check_stages(path, *meta, *sets, NULL, err, sizeof(err)))
		die("compare: %s", err);
	/* suite -r N: runs 2..N in repeats/<k>/ give the records their run
	 * medians, as a benchmark's own -r writes them */
	json_decref(report_repeats_add(path, *sets));
}

/* Everything compare's command line sets. */
struct compare_cli {
	const char *output, *ignore, *pair, *threshold, *format;
	unsigned long long iters, seed, top;
	bool all, allow_emulated;
};

/* Parses argv into c and co; returns the index of the first operand. */
static int parse(struct compare_cli *c, struct cmp_opts *co, json_t **ignore, char **pair_buf,
		 int argc, char **argv)
{
	static char thr_help[120], iters_help[40];
	snprintf(thr_help, sizeof(thr_help), "practical-significance band in %% of A (default %g;\n"
		 "0: significant whenever the CI excludes 1)", CMP_DEFAULT_THRESHOLD * 100);
	snprintf(iters_help, sizeof(iters_help), "bootstrap resamples (default %d)",
		 CMP_DEFAULT_ITERS);
	const struct opt opts[] = {
		OPT_STRING('o', "output", "FILE", &c->output,
			   "write the result to FILE (atomically) instead of stdout"),
		OPT_STRING(0, "format", "md|json|csv", &c->format,
			   "Markdown (default); JSON for scripts (geomean, counts,\n"
			   "every row); CSV (a line per row)"),
		OPT_FLAG(0, "all", &c->all, "every matched row's table, not only the top lists"),
		OPT_UINT(0, "top", "N", &c->top, NULL, 1, 100000,
			 "rows in each top list (default 10)"),
		OPT_STRING(0, "pair", "COL=VA,VB", &c->pair,
			   "compare value VA of column COL (side A) with VB (side B)"),
		OPT_STRING(0, "ignore", "COLS", &c->ignore,
			   "key columns left out of matching, comma-separated\n"
			   "(e.g. kernel_replica when it follows from --pair's\n"
			   "column); their values stay visible in the table"),
		OPT_STRING(0, "threshold", "PCT", &c->threshold, thr_help),
		OPT_UINT(0, "iters", "N", &c->iters, NULL, 100, 1000000, iters_help),
		OPT_UINT(0, "seed", "N", &c->seed, NULL, 0, ~0ull,
			 "bootstrap seed (default 1; the table is deterministic)"),
		OPT_FLAG(0, "allow-emulated", &c->allow_emulated,
			 "compare even when one side ran under an emulator\n"
			 "(\"emulated\", e.g. qemu-tcg-icount) and the other did not"),
		OPT_END(),
	};
	int first = opts_parse(&doc, opts, argc, argv);
	char why[200];
	*ignore = json_array();
	if (c->ignore && opts_each_item(c->ignore, add_name, *ignore, why, sizeof(why)))
		opts_die(&doc, opts, "--ignore: %s", why);
	if (c->pair)
		parse_pair(c->pair, pair_buf, co);
	if (c->threshold) {
		char *end;
		errno = 0;
		double t = strtod(c->threshold, &end);
		if (errno || end == c->threshold || *end || !(t >= 0 && t < 100))
			opts_die(&doc, opts, "--threshold: want a percentage from 0 to below 100, got '%s'",
				 c->threshold);
		co->threshold = t / 100;
	}
	co->iters = (unsigned)c->iters;
	co->seed = c->seed;
	co->all = c->all;
	co->top = (unsigned)c->top;
	if (!c->format || !strcmp(c->format, "md"))
		co->format = CMP_MD;
	else if (!strcmp(c->format, "json"))
		co->format = CMP_JSON;
	else if (!strcmp(c->format, "csv"))
		co->format = CMP_CSV;
	else
		opts_die(&doc, opts, "--format: want md, json or csv, got '%s'", c->format);
	int nargs = argc - first;
	if (co->pair_col ? nargs < 1 || nargs > 2 : nargs != 2)
		opts_die(&doc, opts, co->pair_col ? "--pair: want one or two result sets"
						  : "want two result sets, A and B");
	return first;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_cli cli = { .iters = CMP_DEFAULT_ITERS, .seed = 1, .top = CMP_DEFAULT_TOP };
	struct cmp_opts co = { .threshold = CMP_DEFAULT_THRESHOLD };
	json_t *ignore = NULL;
	char *pair_buf = NULL;
	int first = parse(&cli, &co, &ignore, &pair_buf, argc, argv);
	const char *output = cli.output;
	int nargs = argc - first;
	if (co.pair_col && nargs == 1 && !strcmp(co.pair_a, co.pair_b))
		die_usage("compare: --pair %s=%s,%s: within one set the two values must differ",
			  co.pair_col, co.pair_a, co.pair_b);
	if (co.pair_col && rset_in_list(ignore, co.pair_col))
		die_usage("compare: --pair's column %s is also in --ignore", co.pair_col);
	const char *pa = argv[first], *pb = argv[first + nargs - 1];
	char err[4096];
	if (output && out_check_user_file(output, err, sizeof(err)))
		die_usage("compare: -o %s", err);
	json_t *sa = NULL, *sb = NULL, *ma = NULL, *mb = NULL;
	load_side(pa, &sa, &ma);
	load_side(pb, &sb, &mb);
	co.ignore = ignore;
	struct cmp_input ia = { .path = pa, .sets = sa, .meta = ma };
	struct cmp_input ib = { .path = pb, .sets = sb, .meta = mb };
	/* Emulated numbers are an emulator's virtual time, not hardware time. */
	const char *ea = emulated_of(sa, ia.meta), *eb = emulated_of(sb, ib.meta);
	if (!cli.allow_emulated && (ea || eb) && (!ea || !eb || strcmp(ea, eb)))
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
	if (*counts.control_moved)
		warn("compare: the control rows moved between A and B (%s): differences of that "
		     "size are the machine's as much as what was compared", counts.control_moved);
	int ret = EXIT_OK;
	if (output) {
		if (out_write_user(output, text, len, err, sizeof(err))) {
			warn("compare: %s", err);
			ret = EXIT_FAIL;
		}
	} else {
		fwrite(text, 1, len, stdout);
	}
	free(text);
	return ret;
}
