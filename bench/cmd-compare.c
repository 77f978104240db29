/* cmd-compare.c — PLACEHOLDER until its issue lands: reports that it is not built yet. */
#include <stdio.h>

#include "cmds.h"
#include "util.h"

int cmd_compare(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "pfbench compare: not implemented yet\n");
	return EXIT_SKIP;
}
