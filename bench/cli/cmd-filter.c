/* cmd-filter.c — `pfbench filter SUBCOMMAND`: the table of filter
 * subcommands and what they share (loading a file, choosing the flavor).
 * The subcommands live in cmd-filter-*.c; see cmd-filter.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd-filter.h"
#include "cmds.h"
#include "hostinfo.h"
#include "out-text.h"
#include "util.h"

struct filter_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *summary;
};

static const struct filter_cmd filter_cmds[] = {
	{ "show", cmd_filter_show, "FILE", "a decoded table of the filter's entries" },
	{ "validate", cmd_filter_validate, "FILE", "what KVM_SET_PMU_EVENT_FILTER would answer (ok, EINVAL, E2BIG)" },
	{ "decide", cmd_filter_decide, "FILE EVENTSEL...", "allow or deny for guest event-select values" },
	{ "convert", cmd_filter_convert, "--to FMT FILE", "write the filter in another format" },
	{ "verify", cmd_filter_verify, "A B", "are two filters equivalent for every event?" },
	{ "compile", cmd_filter_compile, "FILE [-o OUT]", "a small equivalent masked filter (6.3+)" },
	{ NULL, NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: pfbench filter SUBCOMMAND [OPTIONS] ARGS\n\n"
		     "Reads PMU event filters in three formats: pmuf text (.pmuf), QEMU's\n"
		     "kvm-pmu-filter JSON (.json) and the ioctl's raw bytes (kvm-raw, .bin);\n"
		     "see docs/filter-format.md.\n\nsubcommands:\n");
	for (const struct filter_cmd *c = filter_cmds; c->name; c++)
		fprintf(out, "  %-9s %-17s %s\n", c->name, c->args, c->summary);
	fprintf(out, "\n`pfbench filter SUBCOMMAND --help` describes one.\n"
		     "exit status: 0 ok, 1 the kernel would refuse / filters differ, 2 usage or bad input\n");
}

int cmd_filter(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "pfbench: filter: expected a subcommand\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (const struct filter_cmd *c = filter_cmds; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "pfbench: filter: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

enum pmuf_format cmd_filter_format_arg(const char *s)
{
	enum pmuf_format fmt;
	if (pmuf_format_parse(s, &fmt))
		die_usage("unknown format '%s'; expected pmuf, qemu-json or kvm-raw", s);
	return fmt;
}

enum pmuf_flavor cmd_filter_vendor_arg(const char *s)
{
	enum pmuf_flavor fl;
	if (pmuf_flavor_parse(s, &fl) || fl == PMUF_FLAVOR_UNSET)
		die_usage("unknown vendor '%s'; expected intel or amd", s);
	return fl;
}

void cmd_filter_load(const char *path, enum pmuf_format fmt, struct pmuf_filter *f)
{
	struct pmuf_error err;
	char msg[640];
	if (fmt == PMUF_FMT_AUTO && !strcmp(path, "-"))
		die_usage("-: standard input has no extension to tell its format by; use --format "
			  "pmuf|qemu-json|kvm-raw");
	if (fmt == PMUF_FMT_AUTO && pmuf_format_from_path(path) == PMUF_FMT_AUTO)
		die_usage("%s: cannot tell the format from the extension; expected .pmuf, .json or .bin, "
			  "or --format pmuf|qemu-json|kvm-raw", path);
	if (pmuf_parse_file(path, fmt, f, &err)) {
		pmuf_error_format(&err, msg, sizeof(msg));
		die_usage("%s", msg);
	}
}

enum pmuf_flavor cmd_filter_flavor(const struct pmuf_filter *f, enum pmuf_flavor opt, bool required,
				   const char **how)
{
	const char *h = "none";
	if (opt != PMUF_FLAVOR_UNSET) {
		*how = "--vendor";
		return opt;
	}
	if (f->flavor != PMUF_FLAVOR_UNSET) {
		*how = "declared in the file";
		return f->flavor;
	}
	enum pmuf_flavor fl = hostinfo_default_flavor(&h);
	if (fl == PMUF_FLAVOR_UNSET && required)
		die_usage("cannot tell KVM's PMU flavor: it could not be probed on this host and the CPU "
			  "is neither Intel nor AMD; pass --vendor intel|amd");
	*how = !strcmp(h, "probed") ? "probed on this host" : !strcmp(h, "cpu") ? "this host's CPU" : "unknown";
	return fl;
}

void cmd_filter_bad_option(const char *sub, bool missing_arg, const char *arg)
{
	if (missing_arg)
		die_usage("filter %s: option '%s' needs an argument; see `pfbench filter %s --help`", sub,
			  arg, sub);
	die_usage("filter %s: unknown option '%s'; see `pfbench filter %s --help`", sub, arg, sub);
}

void cmd_filter_refuse_raw_tty(const char *sub, const char *outpath, enum pmuf_format to)
{
	char why[PATH_MAX + 200];
	if (outpath && out_check_user_file(outpath, why, sizeof(why)))
		die_usage("filter %s: -o %s", sub, why);
	if (!outpath && to == PMUF_FMT_KVM_RAW && isatty(STDOUT_FILENO))
		die_usage("filter %s: kvm-raw is binary; not writing it to a terminal (use -o OUT or a "
			  "redirection)",
			  sub);
}

void cmd_filter_emit(const char *outpath, const char *buf, size_t len)
{
	/* Nothing pfbench would refuse to read back. */
	if (len > PMUF_MAX_FILE_SIZE)
		die("%s: the output would be %zu bytes (%.0f MiB); pfbench reads filter files of "
		    "at most %u MiB, so it is not written", outpath ? outpath : "stdout", len,
		    (double)len / (1 << 20), PMUF_MAX_FILE_SIZE >> 20);
	if (outpath) {
		char why[PATH_MAX + 200];
		if (out_write_user(outpath, buf, len, why, sizeof(why)))
			die("writing %s", why);
	} else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout)) {
		die_errno("writing stdout", errno ? errno : EIO);
	}
}
