/* cmds.h — every subcommand's entry point; each lives in bench/cmd-<name>.c
 * and is one row of the table in pfbench.c. argv[0] is the subcommand name.
 * Returns the process exit status (util.h). */
#ifndef PFBENCH_CMDS_H
#define PFBENCH_CMDS_H

int cmd_filter(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_limits(int argc, char **argv);
int cmd_exit(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_suite(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_schema(int argc, char **argv);

#endif
