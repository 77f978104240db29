/* cmd-filter-opts.c — the options the filter subcommands share (--format,
 * --vendor, --pmu, --except, --to, -o), as options.h rows, and their
 * arguments turned into values with options.h's message style. */
#include "cmd-filter-opts.h"

#include <string.h>

const struct opt *filter_opts_table(struct filter_opts *f, const struct filter_opts_spec *s)
{
	struct opt *t = f->table;
	size_t n = 0;
	if (s->which & FOPT_FORMAT)
		t[n++] = (struct opt)OPT_STRING('f', "format", "FMT", &f->format,
						s->format_help ? s->format_help
							       : "pmuf, qemu-json or kvm-raw (default: by extension)");
	if (s->which & FOPT_VENDOR)
		t[n++] = (struct opt)OPT_STRING('V', "vendor", "V", &f->vendor,
						s->vendor_help ? s->vendor_help
							       : "intel (8-bit event select) or amd (12-bit); default: the\n"
								 "file's flavor, else this host's (probed, else the CPU's)");
	if (s->which & FOPT_TO)
		t[n++] = (struct opt)OPT_STRING('t', "to", "FMT", &f->to, s->to_help);
	if (s->which & FOPT_OUTPUT)
		t[n++] = (struct opt)OPT_STRING('o', "output", "OUT", &f->output, s->output_help);
	if (s->which & FOPT_PMU)
		t[n++] = (struct opt)OPT_STRING('P', "pmu", "P",
						&f->pmu, s->pmu_help ? s->pmu_help
								     : "the PMU model for event names without pmu:: (icl, spr,\n"
								       "skl, zen4, amd64_fam19h_zen4, ...); default: this host's");
	if (s->which & FOPT_EXCEPT)
		t[n++] = (struct opt)OPT_STRINGS('e', "except", "PAT", &f->except, OPT_STRINGS_MAX,
						 s->except_help ? s->except_help
								: "with a pattern FILE: leave out the events PAT matches\n"
								  "(repeatable)");
	t[n] = (struct opt)OPT_END();
	return t;
}

void filter_opts_apply(struct filter_opts *f, const struct opt_doc *doc, const struct opt *opts)
{
	char msg[1536];
	f->fmt = PMUF_FMT_AUTO;
	f->to_fmt = PMUF_FMT_PMUF;
	f->flavor = PMUF_FLAVOR_UNSET;
	if (f->format && pmuf_format_parse(f->format, &f->fmt))
		opts_die(doc, opts, "--format: unknown format '%s'; expected pmuf, qemu-json or kvm-raw",
			 f->format);
	if (f->to && pmuf_format_parse(f->to, &f->to_fmt))
		opts_die(doc, opts, "--to: unknown format '%s'; expected pmuf, qemu-json or kvm-raw", f->to);
	if (f->vendor && (pmuf_flavor_parse(f->vendor, &f->flavor) || f->flavor == PMUF_FLAVOR_UNSET))
		opts_die(doc, opts, "--vendor: unknown vendor '%s'; expected intel or amd", f->vendor);
	if (f->pmu && pmuf_default_pmu_set(f->pmu, msg, sizeof(msg)))
		opts_die(doc, opts, "--pmu: %s", msg);
}

const char *filter_opts_one_file(const struct opt_doc *doc, const struct opt *opts, int argc,
				 char **argv, int first)
{
	if (argc - first != 1)
		opts_die(doc, opts, "%s", first >= argc ? "expected a FILE" : "expected one FILE only");
	return argv[first];
}
