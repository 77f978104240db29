/* options.c — see options.h. getopt_long does the scanning; the tables
 * give it its struct option array and the usage text. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench-repeat.h"
#include "topology.h"
#include "util.h"

#define MAX_ROWS 64

/* The rows of a table with its parents flattened, in order. */
static size_t flatten(const struct opt *opts, const struct opt **out, size_t n)
{
	for (const struct opt *o = opts; o && o->type != OPT_T_END; o++) {
		if (o->type == OPT_T_OPERANDS)
			continue;
		if (o->type == OPT_T_PARENT)
			n = flatten(o->parent, out, n);
		else if (n < MAX_ROWS)
			out[n++] = o;
	}
	return n;
}

static void put_row(FILE *out, const char *left, const char *help)
{
	const char *h = help ? help : "";
	int w = (int)strlen(left);
	fprintf(out, "  %s%*s", left, w < 22 ? 22 - w : 1, "");
	for (;;) {
		const char *nl = strchr(h, '\n');
		if (!nl) {
			fprintf(out, "%s\n", h);
			return;
		}
		fprintf(out, "%.*s\n%*s", (int)(nl - h), h, 24, "");
		h = nl + 1;
	}
}

void opts_usage(FILE *out, const struct opt_doc *doc, const struct opt *opts)
{
	const struct opt *rows[MAX_ROWS];
	size_t n = flatten(opts, rows, 0);
	size_t al = strlen(doc->about);
	fprintf(out, "usage: pfbench %s %s\n\n%s%s", doc->cmd, doc->synopsis, doc->about,
		al >= 2 && !strcmp(doc->about + al - 2, "\n\n") ? "" : "\n");
	for (size_t i = 0; i < n; i++) {
		const struct opt *o = rows[i];
		char left[80];
		int k = 0;
		if (o->short_name)
			k += snprintf(left + k, sizeof(left) - (size_t)k, "-%c, ", o->short_name);
		k += snprintf(left + k, sizeof(left) - (size_t)k, "--%s", o->long_name);
		if (o->arg)
			snprintf(left + k, sizeof(left) - (size_t)k, " %s", o->arg);
		put_row(out, left, o->help);
		if (o->alias) {
			char help[120];
			snprintf(help, sizeof(help), "the same as --%s", o->long_name);
			snprintf(left, sizeof(left), "--%s%s%s", o->alias, o->arg ? " " : "",
				 o->arg ? o->arg : "");
			put_row(out, left, help);
		}
	}
	put_row(out, "-h, --help", "this text");
	fprintf(out, "\n%s\n", doc->status);
}

void opts_die(const struct opt_doc *doc, const struct opt *opts, const char *fmt, ...)
{
	va_list ap;
	char lead[64];
	snprintf(lead, sizeof(lead), "pfbench %s: ", doc->cmd);
	va_start(ap, fmt);
	util_vmsg(lead, fmt, ap);
	va_end(ap);
	opts_usage(stderr, doc, opts);
	exit(EXIT_USAGE);
}

int opts_each_item(const char *s, int (*fn)(const char *item, void *arg, char *why, size_t len),
		   void *arg, char *why, size_t len)
{
	const char *p = s;
	if (!*s) {
		snprintf(why, len, "empty list");
		return -EINVAL;
	}
	for (;;) {
		size_t n = strcspn(p, ",");
		char item[64];
		if (n == 0 || n >= sizeof(item)) {
			snprintf(why, len, "'%s': %s item at column %zu", s, n ? "too long an" : "an empty",
				 (size_t)(p - s) + 1);
			return -EINVAL;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		int err = fn(item, arg, why, len);
		if (err) {
			size_t k = strlen(why);
			snprintf(why + k, len - k, " (column %zu of '%s')", (size_t)(p - s) + 1, s);
			return err;
		}
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

struct list_arg {
	unsigned long long lo, hi;
	struct opt_list *l;
};

static int add_number(const char *item, void *arg, char *why, size_t len)
{
	struct list_arg *a = arg;
	unsigned long long v;
	if (util_parse_u64(item, &v) || v < a->lo || v > a->hi) {
		snprintf(why, len, "'%s' is not a number in %llu..%llu", item, a->lo, a->hi);
		return -EINVAL;
	}
	if (a->l->n == OPT_LIST_MAX) {
		snprintf(why, len, "more than %d items", OPT_LIST_MAX);
		return -EINVAL;
	}
	a->l->v[a->l->n++] = v;
	return 0;
}

int opts_parse_list(const char *s, unsigned long long lo, unsigned long long hi,
		    struct opt_list *l, char *why, size_t len)
{
	struct list_arg a = { lo, hi, l };
	l->n = 0;
	return opts_each_item(s, add_number, &a, why, len);
}

/* Applies row o with argument arg (NULL for flags). */
static void apply(const struct opt_doc *doc, const struct opt *opts, const struct opt *o,
		  const char *arg)
{
	char why[200];
	unsigned long long v;
	if (o->given)
		*o->given = true;
	switch (o->type) {
	case OPT_T_FLAG:
		*(bool *)o->value = true;
		break;
	case OPT_T_NOFLAG:
		*(bool *)o->value = false;
		break;
	case OPT_T_UINT:
		if (util_parse_u64(arg, &v) || v < o->lo || v > o->hi)
			opts_die(doc, opts, "--%s: '%s' is not a number in %llu..%llu", o->long_name,
				 arg, o->lo, o->hi);
		*(unsigned long long *)o->value = v;
		break;
	case OPT_T_STRING:
		*(const char **)o->value = arg;
		break;
	case OPT_T_STRINGS: {
		struct opt_strings *l = o->value;
		if (l->n >= o->hi || l->n >= OPT_STRINGS_MAX)
			opts_die(doc, opts, "--%s: more than %llu given", o->long_name, o->hi);
		l->from[l->n] = o;
		l->v[l->n++] = arg;
		break;
	}
	case OPT_T_LIST:
		if (opts_parse_list(arg, o->lo, o->hi, o->value, why, sizeof(why)))
			opts_die(doc, opts, "--%s: %s", o->long_name, why);
		break;
	default:
		break;
	}
}

int opts_parse(const struct opt_doc *doc, const struct opt *opts, int argc, char **argv)
{
	const struct opt *rows[MAX_ROWS];
	size_t n = flatten(opts, rows, 0);
	struct option lo[2 * MAX_ROWS + 2];
	/* options may follow operands; "-" (operands in order) only with an
	 * OPT_OPERANDS row */
	char shorts[2 * MAX_ROWS + 5] = "-:h";
	size_t nl = 0, ns = strlen(shorts);
	/* getopt_long returns 256 + 2i for row i's long name, 257 + 2i for its
	 * alias, and the short letter for the short form. */
	for (size_t i = 0; i < n; i++) {
		int has = rows[i]->arg ? required_argument : no_argument;
		lo[nl++] = (struct option){ rows[i]->long_name, has, NULL, 256 + 2 * (int)i };
		if (rows[i]->alias)
			lo[nl++] = (struct option){ rows[i]->alias, has, NULL, 257 + 2 * (int)i };
		if (rows[i]->short_name) {
			shorts[ns++] = (char)rows[i]->short_name;
			if (rows[i]->arg)
				shorts[ns++] = ':';
		}
	}
	lo[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[nl] = (struct option){ NULL, 0, NULL, 0 };
	shorts[ns] = '\0';

	const struct opt *operands = NULL;
	for (const struct opt *o = opts; o->type != OPT_T_END; o++)
		if (o->type == OPT_T_OPERANDS)
			operands = o;
	int c;
	optind = 0; /* 0, not 1: glibc then re-reads the optstring's "-" mode */
	opterr = 0;
	while ((c = getopt_long(argc, argv, operands ? shorts : shorts + 1, lo, NULL)) != -1) {
		const struct opt *o = NULL;
		if (c == 1 && operands) {
			struct opt_strings *l = operands->value;
			if (l->n >= OPT_STRINGS_MAX)
				opts_die(doc, opts, "more than %d operands", OPT_STRINGS_MAX);
			l->from[l->n] = NULL;
			l->v[l->n++] = optarg;
			continue;
		}
		if (c == 'h') {
			opts_usage(stdout, doc, opts);
			exit(EXIT_OK);
		}
		if (c == ':')
			opts_die(doc, opts, "%s: needs an argument", argv[optind - 1]);
		if (c == '?')
			opts_die(doc, opts, "%s: unknown option",
				 optopt && optopt < 256 ? (char[]){ '-', (char)optopt, 0 } : argv[optind - 1]);
		if (c >= 256 && (size_t)(c - 256) / 2 < n)
			o = rows[(c - 256) / 2];
		for (size_t i = 0; !o && i < n; i++)
			if (rows[i]->short_name == c)
				o = rows[i];
		if (!o)
			opts_die(doc, opts, "%s: unknown option", argv[optind - 1]);
		apply(doc, opts, o, o->arg ? optarg : NULL);
	}
	/* after "--" getopt stops: with OPT_OPERANDS the rest are operands
	 * too (filter decide F -- -1 asks about "-1") */
	for (; operands && optind < argc; optind++) {
		struct opt_strings *l = operands->value;
		if (l->n >= OPT_STRINGS_MAX)
			opts_die(doc, opts, "more than %d operands", OPT_STRINGS_MAX);
		l->from[l->n] = NULL;
		l->v[l->n++] = argv[optind];
	}
	return optind;
}

/* ---- the shared rows ---- */

const struct opt *bench_opts_table(struct bench_opts *b, const struct bench_opts_spec *s)
{
	struct opt *t = b->table;
	size_t n = 0;
	static char cpu_help[200];
	if (s->which & BOPT_QUICK)
		t[n++] = (struct opt)OPT_FLAG(0, "quick", &b->quick, s->quick_help);
	if (s->which & BOPT_OUTPUT) {
		t[n] = (struct opt)OPT_STRING('o', "output", "DIR", &b->output, s->output_help);
		t[n++].alias = s->output_alias;
	}
	if (s->which & BOPT_CPU) {
		unsigned long long ncores = (unsigned long long)topo_ncores();
		snprintf(cpu_help, sizeof(cpu_help), "%s\n(0..%llu on this host; recorded as context.binding)",
			 s->cpu_help, ncores ? ncores - 1 : 0);
		t[n] = (struct opt)OPT_UINT(0, "cpu", "N", &b->cpu, &b->cpu_given, 0,
					    ncores ? ncores - 1 : 0, cpu_help);
		t[n++].alias = s->cpu_alias;
	}
	if (s->which & BOPT_SAMPLES) {
		t[n] = (struct opt)OPT_UINT('n', "samples", "N", &b->samples, &b->samples_given,
					    s->samples_zero_ok ? 0 : 1, s->samples_max, s->samples_help);
		t[n++].alias = s->samples_alias;
	}
	if (s->which & BOPT_SEED)
		t[n++] = (struct opt)OPT_UINT(0, "seed", "N", &b->seed, &b->seed_given, 0, ~0ull,
					      s->seed_help);
	if (s->which & BOPT_SIZES)
		t[n++] = (struct opt)OPT_LIST(s->sizes_short, "sizes", &b->sizes, &b->sizes_given, 0,
					      s->sizes_max,
					      s->sizes_help);
	if (s->which & BOPT_TIMEOUT)
		t[n++] = (struct opt)OPT_UINT(0, "timeout-ms", "MS", &b->timeout_ms, &b->timeout_given,
					      s->timeout_min, 3600000, s->timeout_help);
	if (s->which & BOPT_RAW)
		t[n++] = (struct opt)OPT_FLAG(0, "raw", &b->raw,
					      "keep every sample (samples_ns) in the records");
	if (s->which & BOPT_FILTER)
		t[n++] = (struct opt)OPT_STRINGS(0, "filter", "FILE", &b->filters, BOPT_FILTERS_MAX,
						 s->filter_help);
	if (s->which & BOPT_REPEAT) {
		b->repeat = 1;
		t[n++] = (struct opt)OPT_UINT('r', "repeat", "N", &b->repeat, NULL, 1, BENCH_REPEAT_MAX,
					      "repeat the whole run N times (default 1; up to 100);\n"
					      "each timed record keeps run 1's statistics and adds\n"
					      "runs, run_medians_ns, run_median_min/max_ns and\n"
					      "run_cv (CV of the N medians: the run-to-run spread,\n"
					      "perf stat -r's ±) beside its within-run ci95_*");
	}
	if (s->which & BOPT_VERBOSE)
		t[n++] = (struct opt)OPT_FLAG('v', "verbose", &b->verbose, "debug messages on stderr");
	t[n] = (struct opt)OPT_END();
	return t;
}

void bench_opts_apply(const struct bench_opts *b)
{
	if (b->verbose)
		util_verbose = 1;
}
