/* cmd-schema.c — `pfbench schema [BENCH]`: the record fields every
 * benchmark declares (bench/common/schema.h), as the Markdown of
 * results/README.md's field list (tests/unit/test_schema.c keeps the two
 * equal). */
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"
#include "options.h"
#include "rset.h"
#include "util.h"

static const struct opt_doc doc = {
	.cmd = "schema",
	.synopsis = "[BENCH]",
	.about = "Prints the record fields of every result set (or of BENCH's: lookup, install,\n"
		 "exit, check) as results/README.md lists them: name, role (key, measure,\n"
		 "outcome, context), type, unit and meaning. Every <bench>.json carries the\n"
		 "same table as its \"columns\".\n",
	.status = "exit status: 0 ok, 2 usage or unknown benchmark",
};

int cmd_schema(int argc, char **argv)
{
	const struct opt opts[] = { OPT_END() };
	int first = opts_parse(&doc, opts, argc, argv);
	if (argc - first > 1)
		opts_die(&doc, opts, "unexpected argument '%s'", argv[first + 1]);
	const char *bench = first < argc ? argv[first] : NULL;
	char *doc_text = rset_schema_doc(bench);
	if (!doc_text && bench && !rset_schema_find(bench))
		opts_die(&doc, opts, "no benchmark '%s'", bench);
	if (!doc_text)
		die("schema: out of memory");
	fputs(doc_text, stdout);
	free(doc_text);
	return EXIT_OK;
}
