/* cmd-filter.c — `pfbench filter SUBCOMMAND`: the table of filter
 * subcommands and what they share (loading a file, choosing the flavor).
 * The subcommands live in cmd-filter-*.c; see cmd-filter.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
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
	{ "decide", cmd_filter_decide, "FILE EVENT...", "allow or deny for guest event-select values or event names" },
	{ "convert", cmd_filter_convert, "--to FMT FILE", "write the filter in another format" },
	{ "verify", cmd_filter_verify, "A B", "are two filters equivalent for every event?" },
	{ "compile", cmd_filter_compile, "FILE [-o OUT]", "a small equivalent masked filter (6.3+)" },
	{ "fit", cmd_filter_fit, "[--limit N] FILE", "does the set fit the kernel's limit, exact and compiled?" },
	{ "events", cmd_filter_events, "[--pmu P] FILE", "a PMU's events by name, each with the filter's decision" },
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

bool cmd_filter_is_pattern(const char *arg)
{
	struct stat st;
	return stat(arg, &st) && (strstr(arg, "::") || strpbrk(arg, "*?["));
}

void cmd_filter_load_input(const char *arg, enum pmuf_format fmt, char *const *except, size_t nexcept,
			   struct pmuf_filter *f)
{
	if (!cmd_filter_is_pattern(arg)) {
		if (nexcept)
			die_usage("--except applies to a pattern input (such as 'icl::*'), not to the file %s", arg);
		cmd_filter_load(arg, fmt, f);
		return;
	}
	/* A pattern on the command line is the pmuf text "allow PATTERN" (and
	 * "deny EXCEPT" lines), with the flavor of the pattern's PMU. */
	const char *sep = strstr(arg, "::");
	char pmu[64] = "", msg[1536], *buf = NULL;
	enum pmuf_flavor fl = PMUF_FLAVOR_UNSET;
	size_t len = 0;
	if (sep)
		snprintf(pmu, sizeof(pmu), "%.*s", (int)(sep - arg < 63 ? sep - arg : 63), arg);
	if (pmuf_pmu_resolve(sep ? pmu : NULL, NULL, 0, &fl, msg, sizeof(msg)))
		die_usage("%s: %s", arg, msg);
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		die_errno("open_memstream", errno);
	fprintf(m, "flavor %s\naction allow\nallow %s\n", pmuf_flavor_name(fl), arg);
	for (size_t i = 0; i < nexcept; i++)
		fprintf(m, "deny %s\n", except[i]);
	if (fclose(m))
		die_errno("open_memstream", ENOMEM);
	struct pmuf_error err;
	if (pmuf_parse_buf(buf, len, PMUF_FMT_PMUF, "<command line>", f, &err)) {
		free(buf);
		die_usage("%s", err.msg);
	}
	free(buf);
}

void cmd_filter_user_load(const char *arg, struct user_filter *uf)
{
	memset(uf, 0, sizeof(*uf));
	const char *base = strrchr(arg, '/');
	snprintf(uf->name, sizeof(uf->name), "%s", cmd_filter_is_pattern(arg) || !base ? arg : base + 1);
	cmd_filter_load(arg, PMUF_FMT_AUTO, &uf->f);
	if (uf->f.arch != PMUF_ARCH_X86)
		die_usage("%s: an arm64 filter; the benchmarks install x86 filters", arg);
	/* the hash of the file's bytes (of the pattern text for a pattern) */
	FILE *in = cmd_filter_is_pattern(arg) ? NULL : fopen(arg, "rb");
	char *buf = NULL;
	size_t len = 0;
	if (in) {
		FILE *m = open_memstream(&buf, &len);
		char chunk[4096];
		size_t n;
		if (!m)
			die_errno("open_memstream", errno);
		while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
			fwrite(chunk, 1, n, m);
		fclose(in);
		fclose(m);
		user_filter_hash(buf, len, uf->hash);
		free(buf);
	} else {
		user_filter_hash(arg, strlen(arg), uf->hash);
	}
}

_Static_assert(BOPT_FILTERS_MAX == USER_FILTER_MAX, "--filter's limit is user-filter.h's");

size_t cmd_filter_user_load_all(const char *cmd, const struct opt_strings *files,
				struct user_filter *ufs)
{
	char ctx[64];
	snprintf(ctx, sizeof(ctx), "%s: --filter", cmd);
	util_usage_context(ctx);
	for (size_t i = 0; i < files->n; i++)
		cmd_filter_user_load(files->v[i], &ufs[i]);
	util_usage_context(NULL);
	return files->n;
}

void cmd_filter_load(const char *path, enum pmuf_format fmt, struct pmuf_filter *f)
{
	struct pmuf_error err;
	char msg[640];
	if (cmd_filter_is_pattern(path)) {
		cmd_filter_load_input(path, fmt, NULL, 0, f);
		return;
	}
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

void cmd_filter_refuse_big(const char *sub, const char *what, const struct pmuf_filter *f,
			   enum pmuf_format to)
{
	size_t bound = pmuf_render_bound(f, to);
	if (bound <= PMUF_MAX_FILE_SIZE)
		return;
	die_usage("filter %s: %s has %zu entries; as %s that is up to %zu bytes (%.1f MiB), over "
		  "the %u MiB pfbench reads back, so it is not written", sub, what,
		  f->nevents + f->nranges, pmuf_format_name(to), bound, (double)bound / (1 << 20),
		  PMUF_MAX_FILE_SIZE >> 20);
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
