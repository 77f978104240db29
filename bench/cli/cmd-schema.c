/* cmd-schema.c — `pfbench schema [BENCH]`: the record fields every
 * benchmark declares (bench/common/schema.h), as the Markdown of
 * results/README.md's field list (tests/unit/test_schema.c keeps the two
 * equal). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"
#include "rset.h"
#include "util.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: pfbench schema [BENCH]\n"
		     "\n"
		     "Prints the record fields of every result set (or of BENCH's: ");
	for (const struct schema *const *s = rset_schemas(); *s; s++)
		fprintf(out, "%s%s", s == rset_schemas() ? "" : ", ", (*s)->bench);
	fprintf(out, ")\n"
		     "as results/README.md lists them: name, role (key, measure, outcome,\n"
		     "context), type, unit and meaning. Every <bench>.json carries the same\n"
		     "table as its \"columns\".\n"
		     "\n"
		     "  -h, --help   this text\n"
		     "\n"
		     "exit status: 0 ok, 2 usage or unknown benchmark\n");
}

int cmd_schema(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc - optind > 1)
		die_usage_help(usage, "schema: unexpected argument '%s'", argv[optind + 1]);
	const char *bench = optind < argc ? argv[optind] : NULL;
	char *doc = rset_schema_doc(bench);
	if (!doc && bench && !rset_schema_find(bench))
		die_usage_help(usage, "schema: no benchmark '%s'", bench);
	if (!doc)
		die("schema: out of memory");
	fputs(doc, stdout);
	free(doc);
	return EXIT_OK;
}
