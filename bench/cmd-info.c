/* cmd-info.c — PLACEHOLDER until its issue lands: reports that it is not built yet. */
#include <stdio.h>

#include "cmds.h"
#include "util.h"

int cmd_info(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "pfbench info: not implemented yet\n");
	return EXIT_SKIP;
}
