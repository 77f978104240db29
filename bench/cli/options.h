/* options.h — one command-line parser for every subcommand, and the options
 * every benchmark shares, declared once (perf bench's parent option table).
 *
 * A command declares a table of struct opt rows (OPT_* macros below) that
 * point into its options struct, includes the shared rows with
 * OPT_PARENT(bench_opts_table(...)), and calls opts_parse(). Usage and
 * --help are generated from the same rows, so they cannot drift. Every
 * error reads "pfbench CMD: --opt: what was wrong", then the usage, exit 2.
 * Numbers are decimal or 0x hex (never octal); lists are comma-separated
 * with no empty items. To add a shared option, add a
 * field to struct bench_opts, a BOPT_* bit and a row in options.c. */
#ifndef PFBENCH_OPTIONS_H
#define PFBENCH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_type {
	OPT_T_END,
	OPT_T_FLAG,	/* *(bool *)value = true */
	OPT_T_NOFLAG,	/* *(bool *)value = false */
	OPT_T_UINT,	/* *(unsigned long long *)value, in lo..hi */
	OPT_T_STRING,	/* *(const char **)value = the argument */
	OPT_T_LIST,	/* a struct opt_list of numbers, each in lo..hi */
	OPT_T_STRINGS,	/* repeatable: a struct opt_strings, at most hi of them */
	OPT_T_OPERANDS,	/* the operands, in order, into a struct opt_strings (no usage row) */
	OPT_T_PARENT,	/* the rows of another table (parent), in place */
};

#define OPT_LIST_MAX 64

struct opt_list {
	unsigned long long v[OPT_LIST_MAX];
	size_t n;
};

#define OPT_STRINGS_MAX 1024

/* Strings in the order given. from[i] is the row that added v[i] (NULL
 * for an operand), so rows and operands may share one list and keep
 * their order (filter decide's questions). */
struct opt_strings {
	const char *v[OPT_STRINGS_MAX];
	const struct opt *from[OPT_STRINGS_MAX];
	size_t n;
};

struct opt {
	enum opt_type type;
	int short_name;		/* 'o', or 0 */
	const char *long_name;	/* "output" */
	const char *alias;	/* another long spelling, or NULL ("out") */
	const char *arg;	/* "DIR", "N", "LIST"; NULL for flags */
	const char *help;	/* lines separated by \n */
	void *value;
	bool *given;		/* set true when the option is given, or NULL */
	unsigned long long lo, hi;
	const struct opt *parent;
};

#define OPT_FLAG(s, l, v, h) { .type = OPT_T_FLAG, .short_name = (s), .long_name = (l), .help = (h), .value = (v) }
#define OPT_NOFLAG(s, l, v, h) { .type = OPT_T_NOFLAG, .short_name = (s), .long_name = (l), .help = (h), .value = (v) }
#define OPT_UINT(s, l, a, v, g, lo_, hi_, h)                                                       \
	{ .type = OPT_T_UINT, .short_name = (s), .long_name = (l), .arg = (a), .help = (h),        \
	  .value = (v), .given = (g), .lo = (lo_), .hi = (hi_) }
#define OPT_STRING(s, l, a, v, h) { .type = OPT_T_STRING, .short_name = (s), .long_name = (l), .arg = (a), .help = (h), .value = (v) }
#define OPT_LIST(s, l, v, g, lo_, hi_, h)                                                          \
	{ .type = OPT_T_LIST, .short_name = (s), .long_name = (l), .arg = "LIST", .help = (h),     \
	  .value = (v), .given = (g), .lo = (lo_), .hi = (hi_) }
#define OPT_STRINGS(s, l, a, v, max, h)                                                            \
	{ .type = OPT_T_STRINGS, .short_name = (s), .long_name = (l), .arg = (a), .help = (h),     \
	  .value = (v), .hi = (max) }
/* With this row, operands are collected into v as they come, in order with
 * the options (getopt's "-" mode); without it they end up after them. */
#define OPT_OPERANDS(v) { .type = OPT_T_OPERANDS, .value = (v), .hi = OPT_STRINGS_MAX }
#define OPT_PARENT(p) { .type = OPT_T_PARENT, .parent = (p) }
#define OPT_END() { .type = OPT_T_END }

/* What `pfbench CMD --help` says around the option rows. */
struct opt_doc {
	const char *cmd;	/* "install" */
	const char *synopsis;	/* "[options]" or "[options] DIR" */
	const char *about;	/* paragraphs before the options */
	const char *status;	/* the "exit status: ..." paragraph */
};

/* Parses argv[1..] (argv[0] is the command) against opts. -h/--help
 * prints the usage to stdout and exits 0; an error prints "pfbench CMD:
 * --opt: what was wrong" and the usage to stderr and exits 2. Returns the
 * index of the first operand (argc when none; with an OPT_OPERANDS row,
 * always argc). */
int opts_parse(const struct opt_doc *doc, const struct opt *opts, int argc, char **argv);
/* The generated usage: "usage: pfbench CMD SYNOPSIS", about, the option
 * rows (shared ones included), -h, and the status paragraph. */
void opts_usage(FILE *out, const struct opt_doc *doc, const struct opt *opts);
/* "pfbench CMD: <fmt>" then the usage on stderr; exits 2. */
__attribute__((noreturn, format(printf, 3, 4))) void opts_die(const struct opt_doc *doc,
							       const struct opt *opts,
							       const char *fmt, ...);
/* The one comma-list splitter: calls fn(item, arg, why, len) on each item
 * of s ("a,b,c"); an empty list or item is an error. 0, or -EINVAL (or
 * what fn returned) with what was wrong in why. */
int opts_each_item(const char *s, int (*fn)(const char *item, void *arg, char *why, size_t len),
		   void *arg, char *why, size_t len);
/* A comma list of numbers in lo..hi into l, through opts_each_item(). */
int opts_parse_list(const char *s, unsigned long long lo, unsigned long long hi,
		    struct opt_list *l, char *why, size_t len);

/* ---- the options every benchmark shares ---- */

enum {
	BOPT_OUTPUT = 1u << 0,	/* -o, --output DIR */
	BOPT_QUICK = 1u << 1,	/* --quick */
	BOPT_CPU = 1u << 2,	/* --cpu N */
	BOPT_SAMPLES = 1u << 3,	/* -n, --samples N */
	BOPT_SEED = 1u << 4,	/* --seed N */
	BOPT_RAW = 1u << 5,	/* --raw */
	BOPT_SIZES = 1u << 6,	/* --sizes LIST */
	BOPT_TIMEOUT = 1u << 7,	/* --timeout-ms MS */
	BOPT_VERBOSE = 1u << 8,	/* -v, --verbose */
	BOPT_FILTER = 1u << 9,	/* --filter FILE, repeatable */
	BOPT_REPEAT = 1u << 10,	/* -r, --repeat N (bench-repeat.h) */
	BOPT_BENCH = BOPT_OUTPUT | BOPT_QUICK | BOPT_CPU | BOPT_SAMPLES | BOPT_SEED | BOPT_VERBOSE,
};

/* Per command: the ranges and the defaults the help states. */
struct bench_opts_spec {
	unsigned which;			/* BOPT_* bits */
	const char *output_help;	/* what -o writes, e.g. "DIR/install.json and .csv" */
	const char *quick_help;
	const char *cpu_help;		/* what is pinned and the default */
	unsigned long long samples_max;
	bool samples_zero_ok;		/* check: 0 random filters is a choice */
	const char *samples_help;
	const char *seed_help;
	unsigned long long sizes_max;
	int sizes_short;		/* lookup's -s */
	const char *sizes_help;
	unsigned long long timeout_min;
	const char *timeout_help;
	const char *filter_help;	/* what the command does with each --filter */
	const char *cpu_alias, *output_alias, *samples_alias;	/* old spellings */
};

/* At most this many --filter files (user-filter.h's USER_FILTER_MAX). */
#define BOPT_FILTERS_MAX 16

struct bench_opts {
	const char *output;
	bool quick, raw;
	unsigned long long cpu, samples, seed, timeout_ms;
	unsigned long long repeat;	/* -r N: whole runs (1 without it) */
	bool cpu_given, samples_given, seed_given, timeout_given, sizes_given;
	struct opt_list sizes;
	struct opt_strings filters;	/* --filter FILE, in order given */
	bool verbose;
	struct opt table[14];	/* the shared rows bench_opts_table() fills */
};

/* The shared rows spec selects, pointing into b. The --cpu range is this
 * host's cores. Returns b->table for OPT_PARENT(). */
const struct opt *bench_opts_table(struct bench_opts *b, const struct bench_opts_spec *spec);
/* After opts_parse(): applies -v. */
void bench_opts_apply(const struct bench_opts *b);

#endif
