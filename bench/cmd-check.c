/* cmd-check.c — PLACEHOLDER until its issue lands: reports that it is not built yet. */
#include <stdio.h>

#include "cmds.h"
#include "util.h"

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "pfbench check: not implemented yet\n");
	return EXIT_SKIP;
}
