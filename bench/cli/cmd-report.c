/* cmd-report.c — `pfbench report DIR`: (re)makes the plots and report.md
 * of a suite run directory with the same code `pfbench suite` uses. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "options.h"
#include "report.h"
#include "util.h"

static const struct opt_doc doc = {
	.cmd = "report",
	.synopsis = "[--no-plots] [--lenient] DIR",
	.about = "Rebuilds DIR/report.md (and the plots in DIR/plots/, PNG and SVG, unless\n"
		 "--no-plots) from the files of a result directory written by `pfbench suite`:\n"
		 "metadata.json, info.json and the result sets. Prints the report's path.\n"
		 "Redrawn plots replace metadata.json's \"plots\" list (and set\n"
		 "\"plots_redrawn_utc\"), e.g. for a set that came back from a host without\n"
		 "gnuplot.\n"
		 "\n"
		 "A damaged directory (a result set that is empty, truncated, not JSON or\n"
		 "of an unknown schema version, a metadata.json that is not the suite's,\n"
		 "a stage marked ok whose result set is missing) fails with the file,\n"
		 "line and column and what was expected; no report is written. Temp files\n"
		 "(NAME.tmp.PID) left by a killed writer are removed.\n",
	.status = "exit status: 0 ok, 1 failure or a damaged directory, 2 usage or not a\n"
		  "result directory",
};

int cmd_report(int argc, char **argv)
{
	bool plots = true, lenient = false;
	const struct opt opts[] = {
		OPT_NOFLAG(0, "no-plots", &plots, "keep the plots as they are"),
		OPT_FLAG(0, "lenient", &lenient, "report a damaged directory anyway: what could not "
						  "be read is listed in a warning at the top of "
						  "report.md"),
		OPT_END(),
	};
	int first = opts_parse(&doc, opts, argc, argv);
	if (argc - first != 1)
		opts_die(&doc, opts, "want one result directory");
	const char *dir = argv[first];
	struct stat st;
	if (stat(dir, &st) < 0)
		die_usage("report: %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die_usage("report: %s: not a directory (want a result directory written by "
			  "`pfbench suite`)", dir);
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
		char merr[600];
		/* A damaged metadata.json is left as it is: suite_report names it. */
		int me = suite_meta_set_plots(dir, made, merr, sizeof(merr));
		if (me && me != -EBADMSG)
			die("report: %s", merr);
		json_decref(made);
	}
	char err[600];
	int e = suite_report(dir, lenient, err, sizeof(err));
	if (e == -EINVAL)
		die_usage("report: %s", err);
	if (e)
		die("report: %s", err);
	printf("%s/report.md\n", dir);
	return EXIT_OK;
}
