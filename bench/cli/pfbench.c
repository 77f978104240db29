/* pfbench.c — the single CLI: one table of subcommands, dispatch, help. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "hostinfo.h"
#include "kvm-sys.h"
#include "util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "info", cmd_info, "describe this host: CPU, PMU, topology, KVM caps and filter flavor" },
	{ "filter", cmd_filter, "show, validate, decide, convert and verify filters" },
	{ "lookup", cmd_lookup, "filter lookup cost: the kernel's algorithms against other designs" },
	{ "limits", cmd_limits, "what a filter size limit of N would cost: lookup, install, memory" },
	{ "exit", cmd_exit, "guest exit latency of counter reprogramming under filters" },
	{ "install", cmd_install, "KVM_SET_PMU_EVENT_FILTER latency by size and encoding" },
	{ "check", cmd_check, "does this host enforce and validate filters as documented" },
	{ "compare", cmd_compare, "two result sets side by side, ratios with 95% CIs" },
	{ "suite", cmd_suite, "run every stage into results/<host-id>/<UTC>/ with plots and a report" },
	{ "report", cmd_report, "rebuild a result directory's plots and report.md" },
	{ "schema", cmd_schema, "the record fields of every result set: role, type, unit, meaning" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: pfbench [-v] COMMAND [ARGS]\n\n"
		     "pfbench measures and characterizes the KVM PMU event filter.\n\ncommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-9s %s\n", c->name, c->summary);
	fprintf(out, "  %-9s %s\n", "help", "this list; `pfbench help COMMAND` (= `pfbench COMMAND --help`) for one");
	fprintf(out, "\nexit status: 0 ok, 1 failure, 2 usage or bad input, 4 skipped\n");
}

static const struct command *find_command(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(name, c->name))
			return c;
	return NULL;
}

/* A command's output that did not reach stdout (a full disk, /dev/full,
 * a closed descriptor) fails the command: exit 1 with the reason. A reader
 * that went away (EPIPE, `| head`) is not an error. */
static int finish(int rc)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	int e = errno ? errno : EIO;
	if (e == EPIPE)
		return rc;
	fprintf(stderr, "pfbench: writing standard output: %s\n", strerror(e));
	return rc == EXIT_OK ? EXIT_FAIL : rc;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
	return finish(run(argc, argv));
}

static int run(int argc, char **argv)
{
	int i = 1;
	/* The host description's KVM facts come from the KVM layer. */
	hostinfo_set_kvm(kvm_host_json);
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			util_verbose = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "pfbench: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "pfbench: expected a command\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 >= argc) {
			usage(stdout);
			return EXIT_OK;
		}
		/* `pfbench help CMD [SUB]` is `pfbench CMD [SUB] --help`. */
		const struct command *c = find_command(argv[i + 1]);
		if (!c) {
			fprintf(stderr, "pfbench: unknown command '%s'\n", argv[i + 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
		char *hargv[4] = { argv[i + 1], NULL, NULL, NULL };
		int hargc = 1;
		if (i + 2 < argc)
			hargv[hargc++] = argv[i + 2];
		hargv[hargc++] = "--help";
		return c->fn(hargc, hargv);
	}
	const struct command *c = find_command(argv[i]);
	if (c)
		return c->fn(argc - i, argv + i);
	fprintf(stderr, "pfbench: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return EXIT_USAGE;
}
