/* cmd-filter-opts.h — the options the filter subcommands share, declared
 * once as options.h rows (a parent table, as the benchmarks' bench_opts):
 * -f/--format, -V/--vendor, -t/--to, -o/--output, -P/--pmu, -e/--except. */
#ifndef PFBENCH_CMD_FILTER_OPTS_H
#define PFBENCH_CMD_FILTER_OPTS_H

#include "options.h"
#include "pmuf.h"

enum {
	FOPT_FORMAT = 1u << 0,
	FOPT_VENDOR = 1u << 1,
	FOPT_TO = 1u << 2,
	FOPT_OUTPUT = 1u << 3,
	FOPT_PMU = 1u << 4,
	FOPT_EXCEPT = 1u << 5,
};

/* Per subcommand: which rows, and help texts where the default's words
 * do not fit (NULL: the default text). */
struct filter_opts_spec {
	unsigned which;
	const char *format_help, *vendor_help, *to_help, *output_help, *pmu_help, *except_help;
};

struct filter_opts {
	const char *format, *vendor, *to, *output, *pmu;
	struct opt_strings except;
	/* filter_opts_apply() fills these */
	enum pmuf_format fmt, to_fmt;	/* PMUF_FMT_AUTO, PMUF_FMT_PMUF unless given */
	enum pmuf_flavor flavor;	/* PMUF_FLAVOR_UNSET unless --vendor */
	struct opt table[8];
};

const struct opt *filter_opts_table(struct filter_opts *f, const struct filter_opts_spec *s);
/* After opts_parse(): the arguments as values, and --pmu set as the
 * default PMU; a bad one is "pfbench filter SUB: --opt: ...", exit 2. */
void filter_opts_apply(struct filter_opts *f, const struct opt_doc *doc, const struct opt *opts);
/* The one FILE operand (argv[first]), or the usage error. */
const char *filter_opts_one_file(const struct opt_doc *doc, const struct opt *opts, int argc,
				 char **argv, int first);

#endif
