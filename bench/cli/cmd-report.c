/* cmd-report.c — `pfbench report DIR`: (re)makes the plots and report.md
 * of a suite run directory with the same code `pfbench suite` uses. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cmds.h"
#include "report.h"
#include "util.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pfbench report [--no-plots] DIR\n"
		"\n"
		"Rebuilds DIR/report.md (and the plots in DIR/plots/, PNG and SVG, unless\n"
		"--no-plots) from the files of a result directory written by `pfbench suite`:\n"
		"metadata.json, info.json and the result sets. Prints the report's path.\n"
		"\n"
		"  --no-plots   keep the plots as they are\n"
		"  -h, --help   this text\n"
		"\n"
		"exit status: 0 ok, 1 failure, 2 usage or not a result directory\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-plots", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool plots = true;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			plots = false;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		die_usage_help(usage, "report: want one result directory");
	const char *dir = argv[optind];
	if (plots) {
		json_t *made = suite_plots(dir);
		size_t i;
		json_t *p;
		json_array_foreach(made, i, p) {
			const char *why = json_string_value(json_object_get(p, "why"));
			if (why)
				warn("report: plot %s: %s", json_string_value(json_object_get(p, "name")), why);
		}
		json_decref(made);
	}
	char err[600];
	int e = suite_report(dir, err, sizeof(err));
	if (e == -EINVAL)
		die_usage("report: %s", err);
	if (e)
		die("report: %s", err);
	printf("%s/report.md\n", dir);
	return EXIT_OK;
}
