/* cmd-filter-convert.c — `pfbench filter convert`: read a filter in one
 * format, write it in another (to a temp file renamed into place, or to
 * stdout). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-filter.h"
#include "cmd-filter-opts.h"
#include "util.h"

static const struct opt_doc doc = {
	.cmd = "filter convert",
	.synopsis = "--to FMT [--format FMT] FILE [-o OUT]",
	.about = "Writes FILE's filter in format FMT: pmuf (text), qemu-json (QEMU's\n"
		 "kvm-pmu-filter object) or kvm-raw (the ioctl's bytes). With -o the output goes\n"
		 "to a temporary file renamed to OUT, so OUT is never half-written; without -o it\n"
		 "goes to stdout (kvm-raw is refused on a terminal). A filter the target format\n"
		 "cannot express (arm64 in kvm-raw or qemu-json; an invalid action, extra flags or\n"
		 "pad in qemu-json) is an error saying why (exit 2).\n\n",
	.status = "exit status: 0 written, 2 usage or bad input, or an output over the 16 MiB\n"
		  "pfbench reads back (nothing is written)",
};

static const struct filter_opts_spec fspec = {
	.which = FOPT_FORMAT | FOPT_TO | FOPT_OUTPUT,
	.format_help = "the input format (default: by FILE's extension)",
	.to_help = "the output format (required)",
	.output_help = "the output file (default: stdout)",
};

int cmd_filter_convert(int argc, char **argv)
{
	struct filter_opts fo = { 0 };
	const struct opt opts[] = {
		OPT_PARENT(filter_opts_table(&fo, &fspec)),
		OPT_END(),
	};
	int first = opts_parse(&doc, opts, argc, argv);
	filter_opts_apply(&fo, &doc, opts);
	if (!fo.to)
		opts_die(&doc, opts, "expected --to pmuf|qemu-json|kvm-raw");
	const char *file = filter_opts_one_file(&doc, opts, argc, argv, first);
	const char *outpath = fo.output;
	enum pmuf_format in = fo.fmt, to = fo.to_fmt;
	cmd_filter_refuse_raw_tty("convert", outpath, to);

	struct pmuf_filter f;
	char *buf, msg[256];
	size_t len;
	cmd_filter_load(file, in, &f);
	cmd_filter_refuse_big("convert", file, &f, to); /* before building it */
	int err = pmuf_render_msg(&f, to, &buf, &len, msg, sizeof(msg));
	pmuf_free(&f);
	if (err == -EINVAL)
		die_usage("filter convert: %s cannot be written as %s: %s", file, pmuf_format_name(to), msg);
	if (err)
		die_errno("rendering the filter", err);
	cmd_filter_emit(outpath, buf, len);
	free(buf);
	return EXIT_OK;
}
