/* cmd-report.c — `pfbench report DIR`: (re)makes the plots and report.md
 * of a suite run directory with the same code `pfbench suite` uses. */
#include <errno.h>
#include <stdio.h>

#include "cmds.h"
#include "options.h"
#include "report.h"
#include "util.h"

static const struct opt_doc doc = {
	.cmd = "report",
	.synopsis = "[--no-plots] DIR",
	.about = "Rebuilds DIR/report.md (and the plots in DIR/plots/, PNG and SVG, unless\n"
		 "--no-plots) from the files of a result directory written by `pfbench suite`:\n"
		 "metadata.json, info.json and the result sets. Prints the report's path.\n",
	.status = "exit status: 0 ok, 1 failure, 2 usage or not a result directory",
};

int cmd_report(int argc, char **argv)
{
	bool plots = true;
	const struct opt opts[] = {
		OPT_NOFLAG(0, "no-plots", &plots, "keep the plots as they are"),
		OPT_END(),
	};
	int first = opts_parse(&doc, opts, argc, argv);
	if (argc - first != 1)
		opts_die(&doc, opts, "want one result directory");
	const char *dir = argv[first];
	if (plots) {
		json_t *made = suite_plots(dir);
		size_t i;
		json_t *p;
		json_array_foreach(made, i, p) {
			const char *why = json_string_value(json_object_get(p, "why"));
			const char *w = json_string_value(json_object_get(p, "warnings"));
			if (why)
				warn("report: plot %s: %s", json_string_value(json_object_get(p, "name")), why);
			else if (w)
				warn("report: plot %s: gnuplot said: %s",
				     json_string_value(json_object_get(p, "name")), w);
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
