/* cmd-filter-convert.c — `pfbench filter convert`: read a filter in one
 * format, write it in another (to a temp file renamed into place, or to
 * stdout). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-filter.h"
#include "util.h"

static void convert_usage(FILE *out)
{
	fprintf(out,
		"usage: pfbench filter convert --to FMT [--format FMT] FILE [-o OUT]\n\n"
		"Writes FILE's filter in format FMT: pmuf (text), qemu-json (QEMU's\n"
		"kvm-pmu-filter object) or kvm-raw (the ioctl's bytes). With -o the output goes\n"
		"to a temporary file renamed to OUT, so OUT is never half-written; without -o it\n"
		"goes to stdout (kvm-raw is refused on a terminal). A filter the target format\n"
		"cannot express (arm64 in kvm-raw or qemu-json; an invalid action, extra flags or\n"
		"pad in qemu-json) is an error saying why (exit 2).\n\n"
		"  -t, --to FMT       the output format (required)\n"
		"  -f, --format FMT   the input format (default: by FILE's extension)\n"
		"  -o, --output OUT   the output file (default: stdout)\n"
		"  -h, --help         this text\n");
}

int cmd_filter_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },	    { "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum pmuf_format in = PMUF_FMT_AUTO, to = PMUF_FMT_AUTO;
	const char *outpath = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			to = cmd_filter_format_arg(optarg);
			break;
		case 'f':
			in = cmd_filter_format_arg(optarg);
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			convert_usage(stdout);
			return EXIT_OK;
		default:
			cmd_filter_bad_option("convert", c == ':', argv[optind - 1]);
		}
	}
	if (to == PMUF_FMT_AUTO) {
		die_usage_help(convert_usage, "filter convert: expected --to pmuf|qemu-json|kvm-raw");
	}
	if (argc - optind != 1) {
		die_usage_help(convert_usage, "filter convert: %s", optind >= argc ? "expected a FILE" : "expected one FILE only");
	}
	const char *file = argv[optind];
	cmd_filter_refuse_raw_tty("convert", outpath, to);

	struct pmuf_filter f;
	char *buf, msg[256];
	size_t len;
	cmd_filter_load(file, in, &f);
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
