/* test_cli_filter.c — `pfbench filter` end to end: runs $PFBENCH (set by
 * scripts/run-tests.sh) on the specs in filters/specs and on temp files,
 * and checks outputs and exit codes: 0 ok, 1 the kernel would refuse /
 * filters differ, 2 usage errors and bad input (file:line:col). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli-run.h"
#include "need.h"

#define SPECS "filters/specs/"

static char tmpdir[64];

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (!r)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Runs `pfbench ARGS... NULL` (cli_run); out and err may be NULL. */
static int run(char **out, char **err, ...)
{
	const char *argv[CLI_MAX_ARGS + 1];
	va_list ap;
	int n = 0;
	va_start(ap, err);
	while (n < CLI_MAX_ARGS && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	return cli_run(argv, out, err);
}

/* A file in the temp dir; returns its path (static storage, rotating). */
static const char *tmpfile_with(const char *name, const void *data, size_t len)
{
	static char paths[8][128];
	static int next;
	char *p = paths[next++ % 8];
	snprintf(p, sizeof(paths[0]), "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return p;
}

static const char *tmptext(const char *name, const char *text)
{
	return tmpfile_with(name, text, strlen(text));
}

#define assert_contains(hay, needle)                                                     \
	do {                                                                              \
		if (!strstr((hay), (needle)))                                             \
			fail_msg("expected \"%s\" in:\n%s", (needle), (hay));              \
	} while (0)

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/pfbench-cli-filter-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	char p[400];
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(tmpdir);
	return 0;
}

static void test_usage(void **state)
{
	(void)state;
	char *out, *err;
	assert_int_equal(run(&out, NULL, "filter", "--help", NULL), 0);
	assert_contains(out, "usage: pfbench filter SUBCOMMAND");
	assert_contains(out, "verify");
	free(out);
	assert_int_equal(run(NULL, &err, "filter", NULL), 2);
	assert_contains(err, "usage: pfbench filter");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "nope", NULL), 2);
	assert_contains(err, "unknown subcommand 'nope'");
	free(err);
	static const char *const subs[] = { "show", "validate", "decide", "convert", "verify", "compile" };
	for (size_t i = 0; i < 6; i++) {
		char want[64];
		snprintf(want, sizeof(want), "usage: pfbench filter %s", subs[i]);
		assert_int_equal(run(&out, NULL, "filter", subs[i], "--help", NULL), 0);
		assert_contains(out, want);
		free(out);
		assert_int_equal(run(&out, NULL, "filter", subs[i], "-h", NULL), 0);
		free(out);
	}
	assert_int_equal(run(NULL, &err, "filter", "show", NULL), 2);
	assert_contains(err, "filter show: expected a FILE");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "validate", SPECS "arm64-cancel.pmuf", SPECS "arm64-cancel.pmuf", NULL), 2);
	assert_contains(err, "expected one FILE only");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "show", "--bogus", SPECS "arm64-cancel.pmuf", NULL), 2);
	assert_contains(err, "pfbench filter show: --bogus: unknown option");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "decide", SPECS "arm64-cancel.pmuf", "--kernel", NULL), 2);
	assert_contains(err, "pfbench filter decide: --kernel: needs an argument");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "show", "--format", "yaml", SPECS "arm64-cancel.pmuf", NULL), 2);
	assert_contains(err, "pfbench filter show: --format: unknown format 'yaml'; expected pmuf, qemu-json or kvm-raw");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "validate", "--vendor", "arm", SPECS "arm64-cancel.pmuf", NULL), 2);
	assert_contains(err, "pfbench filter validate: --vendor: unknown vendor 'arm'; expected intel or amd");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "decide", "--kernel", "4.19", SPECS "arm64-cancel.pmuf", "1", NULL), 2);
	assert_contains(err, "pfbench filter decide: --kernel: unknown kernel '4.19'");
	free(err);
}

static void test_show(void **state)
{
	(void)state;
	char *out;
	assert_int_equal(run(&out, NULL, "filter", "show", SPECS "intel-allow-branches.pmuf", NULL), 0);
	assert_contains(out, "x86 filter, action allow (0), flags 0x0, 4 entries");
	assert_contains(out, "fixed counters 0,1 allowed, the others denied");
	assert_contains(out, "flavor intel (declared in the file)");
	assert_contains(out, "   0  0x00000000000000c4  exact    0x0c4   0x00   -     -         10  icl::BR_INST_RETIRED:ALL_BRANCHES\n");
	assert_contains(out, "   3  0x00000000000100c0  exact    0x0c0   0x00   -     -         13  dropped: bits 0x10000 outside select+umask\n");
	free(out);
	assert_int_equal(run(&out, NULL, "filter", "show", "--vendor", "amd", SPECS "qemu-masked.json", NULL), 0);
	assert_contains(out, "flags 0x1 (masked events), 4 entries");
	assert_contains(out, "flavor amd (--vendor): the kernel keeps 2 includes, 2 excludes; 0 dropped");
	assert_contains(out, "   0  0xff800000000000c4  exclude  0x0c4   -      0xff  0x00       4\n");
	free(out);
	assert_int_equal(run(&out, NULL, "filter", "show", "--vendor", "intel", SPECS "intel-allow-branches.bin", NULL), 0);
	assert_contains(out, "   2  0x0000000000004f2e  exact    0x02e   0x4f   -     -          -\n");
	free(out);
	assert_int_equal(run(&out, NULL, "filter", "show", SPECS "arm64-multiple.pmuf", NULL), 0);
	assert_contains(out, "arm64 filter, 2 ranges, 65536-event space");
	assert_contains(out, "   1  deny     0x6         0x8         3\n");
	assert_contains(out, "# 14 of 65536 events count");
	free(out);
	/* a filter the kernel refuses is still shown, with the reason */
	const char *p = tmptext("bad.pmuf", "flavor intel\naction allow\ninclude 0x1c0 mask 0xff match 0\n");
	assert_int_equal(run(&out, NULL, "filter", "show", p, NULL), 0);
	assert_contains(out, "the kernel refuses this filter: EINVAL masked entry 0");
	assert_contains(out, "EINVAL: bits 0x100000000 outside select|match|mask|exclude");
	free(out);
}

static void test_validate(void **state)
{
	(void)state;
	char *out;
	static const char *const ok[] = { "intel-masked-loads-stores.pmuf", "amd-zen4-ls-dispatch.pmuf",
					  "intel-allow-branches.pmuf", "intel-allow-branches.bin",
					  "amd-deny-branches.json", "qemu-masked.json", "arm64-multiple.pmuf",
					  "arm64-cancel.pmuf" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), SPECS "%s", ok[i]);
		assert_int_equal(run(&out, NULL, "filter", "validate", "--vendor", "amd", path, NULL), 0);
		if (strncmp(out, "ok ", 3))
			fail_msg("%s: %s", path, out);
		free(out);
	}
	assert_int_equal(run(&out, NULL, "filter", "validate", SPECS "intel-allow-branches.pmuf", NULL), 0);
	assert_contains(out, "ok 4 entries: 3 kept (3 includes, 0 excludes), 1 dropped; action allow; flavor intel (declared in the file)\n");
	assert_contains(out, "dropped entry 3 0x00000000000100c0 (line 13): bits 0x10000 are outside select+umask (0xffff)\n");
	free(out);
	/* the AMD deny list's 0x1C2: kept on amd, dropped on intel */
	assert_int_equal(run(&out, NULL, "filter", "validate", "--vendor", "amd", SPECS "amd-deny-branches.json", NULL), 0);
	assert_contains(out, "3 kept (3 includes, 0 excludes), 0 dropped");
	free(out);
	assert_int_equal(run(&out, NULL, "filter", "validate", "--vendor", "intel", SPECS "amd-deny-branches.json", NULL), 0);
	assert_contains(out, "dropped entry 2 0x00000001000000c2 (line 9)");
	free(out);

	const char *p = tmptext("act.pmuf", "action 2\n");
	assert_int_equal(run(&out, NULL, "filter", "validate", "--vendor", "intel", p, NULL), 1);
	assert_contains(out, "EINVAL action 2 is neither ALLOW (0) nor DENY (1)");
	assert_true(!strncmp(out, "EINVAL ", 7));
	free(out);
	p = tmptext("flags.pmuf", "action deny\nflags 2\n");
	assert_int_equal(run(&out, NULL, "filter", "validate", "--vendor", "intel", p, NULL), 1);
	assert_true(!strncmp(out, "EINVAL flags 0x2", 16));
	free(out);
	/* the probe: a masked entry with bit 32 is EINVAL on intel only */
	p = tmptext("bit32.pmuf", "action allow\n\ninclude 0x1c0 mask 0xff match 0\n");
	assert_int_equal(run(&out, NULL, "filter", "validate", "--vendor", "intel", p, NULL), 1);
	assert_true(!strncmp(out, "EINVAL masked entry 0 (0xff000001000000c0)", 42));
	assert_contains(out, "(line 3)");
	free(out);
	assert_int_equal(run(&out, NULL, "filter", "validate", "--vendor", "amd", p, NULL), 0);
	assert_true(!strncmp(out, "ok 1 entries: 1 kept (1 includes, 0 excludes)", 45));
	free(out);
	/* 300 events are fine, 301 are E2BIG */
	char text[301 * 16 + 32];
	size_t n = (size_t)sprintf(text, "action deny\n");
	for (int i = 0; i < 300; i++)
		n += (size_t)sprintf(text + n, "event %d 0\n", i % 256);
	assert_int_equal(run(&out, NULL, "filter", "validate", "--vendor", "intel", tmptext("300.pmuf", text), NULL), 0);
	assert_true(!strncmp(out, "ok 300 entries", 14));
	free(out);
	sprintf(text + n, "raw 1\n");
	assert_int_equal(run(&out, NULL, "filter", "validate", "--vendor", "intel", tmptext("301.pmuf", text), NULL), 1);
	assert_true(!strncmp(out, "E2BIG 301 events", 16));
	free(out);
	/* arm64: a range past the 1024-event space */
	p = tmptext("arm.pmuf", "arch arm64\nevent-bits 10\nallow 0x3f0+0x20\n");
	assert_int_equal(run(&out, NULL, "filter", "validate", p, NULL), 1);
	assert_true(!strncmp(out, "EINVAL range 0", 14));
	free(out);
}

static void test_bad_input(void **state)
{
	(void)state;
	char *err, want[256];
	const char *p = tmptext("syntax.pmuf", "# x\naction allow\nevent 0xd0\n");
	assert_int_equal(run(NULL, &err, "filter", "show", p, NULL), 2);
	snprintf(want, sizeof(want), "pfbench: %s:3:11: expected a umask after the event select\n", p);
	assert_contains(err, want);
	free(err);
	p = tmptext("syntax.json", "{\"action\":\"allow\",\n \"events\":[{\"format\":\"raw\",\"code\":-1}]}");
	assert_int_equal(run(NULL, &err, "filter", "validate", p, NULL), 2);
	snprintf(want, sizeof(want), "pfbench: %s:2:35: events[0].code: -1 is negative", p);
	assert_contains(err, want);
	free(err);
	p = tmpfile_with("short.bin", "0123456789012345678901234567890", 31);
	assert_int_equal(run(NULL, &err, "filter", "decide", p, "c0", NULL), 2);
	snprintf(want, sizeof(want), "pfbench: %s: offset 31: truncated header", p);
	assert_contains(err, want);
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "show", "/nonexistent.pmuf", NULL), 2);
	assert_contains(err, "/nonexistent.pmuf: cannot open: No such file or directory");
	free(err);
	p = tmptext("filter.txt", "action allow\nevent 0xc0 0\n");
	assert_int_equal(run(NULL, &err, "filter", "show", p, NULL), 2);
	assert_contains(err, "cannot tell the format from the extension");
	free(err);
	char *out;
	assert_int_equal(run(&out, NULL, "filter", "validate", "--format", "pmuf", "--vendor", "intel", p, NULL), 0);
	assert_true(!strncmp(out, "ok 1 entries", 12));
	free(out);
	/* a .json read as pmuf: the first line is not a directive */
	assert_int_equal(run(NULL, &err, "filter", "show", "-f", "pmuf", SPECS "qemu-masked.json", NULL), 2);
	assert_contains(err, "qemu-masked.json:1:1: unknown directive");
	free(err);
}

struct masked_case {
	const char *name, *intel, *amd;
	const char *want; /* loads, stores, ld+st */
};

/* The kernel selftest's masked-events cases (pmu_event_filter_test.c). */
static const struct masked_case masked_cases[] = {
	{ "only loads", "include 0xd0 mask 0xff match 0x81\n", "include 0x29 mask 0xff match 1\n", "allow\ndeny\ndeny\n" },
	{ "only stores", "include 0xd0 mask 0xff match 0x82\n", "include 0x29 mask 0xff match 2\n", "deny\nallow\ndeny\n" },
	{ "only ld+st", "include 0xd0 mask 0xff match 0x83\n", "include 0x29 mask 0xff match 4\n", "deny\ndeny\nallow\n" },
	{ "loads and stores", "include 0xd0 mask 0x7c match 0\nexclude 0xd0 mask 0xff match 0x83\n",
	  "include 0x29 mask 0xfc match 0\n", "allow\nallow\ndeny\n" },
	{ "loads and ld+st", "include 0xd0 mask 0x7c match 0\nexclude 0xd0 mask 0xff match 0x82\n",
	  "include 0x29 mask 0xf8 match 0\nexclude 0x29 mask 0xff match 2\n", "allow\ndeny\nallow\n" },
	{ "stores and ld+st", "include 0xd0 mask 0xfe match 0x82\n",
	  "include 0x29 mask 0xf8 match 0\nexclude 0x29 mask 0xff match 1\n", "deny\nallow\nallow\n" },
	{ "all three", "include 0xd0 mask 0x7c match 0\n", "include 0x29 mask 0xf8 match 0\n", "allow\nallow\nallow\n" },
};

static void test_decide(void **state)
{
	(void)state;
	char *out, *err, text[256];
	for (size_t i = 0; i < sizeof(masked_cases) / sizeof(masked_cases[0]); i++) {
		const struct masked_case *c = &masked_cases[i];
		snprintf(text, sizeof(text), "flavor intel\naction allow\n%s", c->intel);
		/* EN|OS|USR (0x430000) and INT (bit 20) do not matter */
		assert_int_equal(run(&out, NULL, "filter", "decide", tmptext("intel.pmuf", text), "0x4381d0", "4382d0",
				     "0x5383D0", NULL), 0);
		if (strcmp(out, c->want))
			fail_msg("intel %s: got\n%swant\n%s", c->name, out, c->want);
		free(out);
		snprintf(text, sizeof(text), "flavor amd\naction allow\n%s", c->amd);
		assert_int_equal(run(&out, NULL, "filter", "decide", tmptext("amd.pmuf", text), "0x430129", "0x430229",
				     "0x430429", NULL), 0);
		if (strcmp(out, c->want))
			fail_msg("amd %s: got\n%swant\n%s", c->name, out, c->want);
		free(out);
	}
	/* answers in the order asked, fixed counters among them */
	assert_int_equal(run(&out, NULL, "filter", "decide", SPECS "intel-allow-branches.pmuf", "--fixed", "2", "0x4300c4",
			     "-x", "0", "0x4301c4", "0x4300c0", "--fixed", "1", NULL), 0);
	assert_string_equal(out, "deny\nallow\nallow\ndeny\nallow\nallow\n");
	free(out);
	/* every kernel generation agrees on an exact filter */
	static const char *const kernels[] = { "5.3", "5.17", "6.3", "6.1.0-13-amd64" };
	for (size_t k = 0; k < 4; k++) {
		assert_int_equal(run(&out, NULL, "filter", "decide", "--kernel", kernels[k], SPECS "amd-deny-branches.json",
				     "--vendor", "amd", "0x4300c2", "0x4300c3", "0x1004300c2", NULL), 0);
		assert_string_equal(out, "deny\nallow\ndeny\n");
		free(out);
	}
	/* masked filters are refused before 6.3 */
	assert_int_equal(run(&out, NULL, "filter", "decide", "--kernel", "5.17", SPECS "qemu-masked.json", "--vendor", "intel",
			     "0x4300c4", NULL), 1);
	assert_contains(out, "EINVAL");
	assert_contains(out, "kernels before 6.3");
	free(out);
	/* a filter the kernel refuses has no answers */
	assert_int_equal(run(&out, NULL, "filter", "decide", "--vendor", "intel", tmptext("a2.pmuf", "action 2\n"), "c0", NULL), 1);
	assert_true(!strncmp(out, "EINVAL ", 7));
	free(out);
	/* bad questions: exit 2, no answers written */
	assert_int_equal(run(&out, &err, "filter", "decide", SPECS "intel-allow-branches.pmuf", "0x4300c4", "zz", NULL), 2);
	assert_string_equal(out, "");
	assert_contains(err, "filter decide: event \"zz\": ");
	free(out);
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "decide", SPECS "intel-allow-branches.pmuf", "0x10000000000000000", NULL), 2);
	assert_contains(err, "does not fit 64 bits");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "decide", SPECS "intel-allow-branches.pmuf", "--fixed", "32", NULL), 2);
	assert_contains(err, "bad fixed counter '32': expected 0..31");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "decide", SPECS "intel-allow-branches.pmuf", NULL), 2);
	assert_contains(err, "expected at least one EVENTSEL or --fixed I");
	free(err);
	/* arm64: event numbers */
	assert_int_equal(run(&out, NULL, "filter", "decide", SPECS "arm64-multiple.pmuf", "0", "5", "6", "8", "9", "0x1e", "0x11",
			     "ffff", NULL), 0);
	assert_string_equal(out, "allow\nallow\ndeny\ndeny\nallow\nallow\ndeny\ndeny\n");
	free(out);
	assert_int_equal(run(NULL, &err, "filter", "decide", SPECS "arm64-multiple.pmuf", "10000", NULL), 2);
	assert_contains(err, "outside the filter's 65536-event space");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "decide", SPECS "arm64-multiple.pmuf", "--fixed", "0", NULL), 2);
	assert_contains(err, "--fixed asks about x86 fixed counters");
	free(err);
}

static bool same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *x = slurp(a, &la), *y = slurp(b, &lb);
	bool same = la == lb && !memcmp(x, y, la);
	free(x);
	free(y);
	return same;
}

static void test_convert(void **state)
{
	(void)state;
	static const char *const specs[] = { "intel-masked-loads-stores.pmuf", "amd-zen4-ls-dispatch.pmuf",
					     "intel-allow-branches.pmuf", "intel-allow-branches.bin",
					     "amd-deny-branches.json", "qemu-masked.json" };
	static const char *const fmts[] = { "pmuf", "qemu-json", "kvm-raw" };
	static const char *const exts[] = { "pmuf", "json", "bin" };
	char *out, *err, in[128], conv[128];
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		snprintf(in, sizeof(in), SPECS "%s", specs[i]);
		for (size_t k = 0; k < 3; k++) {
			snprintf(conv, sizeof(conv), "%s/conv.%s", tmpdir, exts[k]);
			assert_int_equal(run(NULL, NULL, "filter", "convert", "--to", fmts[k], in, "-o", conv, NULL), 0);
			assert_int_equal(run(&out, NULL, "filter", "verify", "--vendor", "amd", in, conv, NULL), 0);
			assert_true(!strncmp(out, "equivalent: all 1048576 (select, umask) pairs", 45));
			free(out);
		}
	}
	/* kvm-raw -> pmuf -> kvm-raw is byte-identical */
	char pm[128], bin[128];
	snprintf(pm, sizeof(pm), "%s/back.pmuf", tmpdir);
	snprintf(bin, sizeof(bin), "%s/back.bin", tmpdir);
	assert_int_equal(run(NULL, NULL, "filter", "convert", "--to", "pmuf", SPECS "intel-allow-branches.bin", "-o", pm, NULL), 0);
	assert_int_equal(run(NULL, NULL, "filter", "convert", "--to", "kvm-raw", pm, "-o", bin, NULL), 0);
	assert_true(same_file(SPECS "intel-allow-branches.bin", bin));
	/* to stdout */
	assert_int_equal(run(&out, NULL, "filter", "convert", "--to", "pmuf", SPECS "qemu-masked.json", NULL), 0);
	assert_contains(out, "arch x86\naction allow\nflags masked\nfixed 0x0\nexclude 0x0c4 mask 0xff match 0x00\n");
	free(out);
	assert_int_equal(run(&out, NULL, "filter", "convert", "--to", "qemu-json", SPECS "intel-masked-loads-stores.pmuf", NULL), 0);
	assert_contains(out, "\"qom-type\": \"kvm-pmu-filter\"");
	assert_contains(out, "\"format\": \"x86-masked-entry\"");
	free(out);
	/* what a format cannot say: exit 2, the reason, no output file */
	char never[128];
	snprintf(never, sizeof(never), "%s/never.bin", tmpdir);
	assert_int_equal(run(NULL, &err, "filter", "convert", "--to", "kvm-raw", SPECS "arm64-multiple.pmuf", "-o", never, NULL), 2);
	assert_contains(err, "cannot be written as kvm-raw: kvm-raw holds x86's struct kvm_pmu_event_filter");
	assert_int_equal(access(never, F_OK), -1);
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "convert", "--to", "qemu-json", tmptext("a3.pmuf", "action 3\n"), NULL), 2);
	assert_contains(err, "action 3 cannot be written");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "convert", SPECS "qemu-masked.json", NULL), 2);
	assert_contains(err, "expected --to pmuf|qemu-json|kvm-raw");
	free(err);
	/* an output directory that does not exist: exit 2 before any work,
	 * nothing written (docs/cli.md) */
	assert_int_equal(run(NULL, &err, "filter", "convert", "--to", "pmuf", SPECS "qemu-masked.json", "-o", "/nonexistent/x.pmuf", NULL), 2);
	assert_contains(err, "filter convert: -o /nonexistent/x.pmuf: its directory does not exist");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "compile", SPECS "qemu-masked.json", "-o", "/nonexistent/x.pmuf", NULL), 2);
	assert_contains(err, "filter compile: -o /nonexistent/x.pmuf: its directory does not exist");
	free(err);
	/* no temp files left behind by the atomic writes */
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".tmp"))
			fail_msg("left behind: %s", de->d_name);
	closedir(d);
}

/* An output the readers would refuse (over 16 MiB) is refused from the
 * input's entries before it is built: exit 2, the entry count and the
 * bound in the message, nothing written. 200000 exact entries are a
 * 1.6 MB kvm-raw file; as QEMU JSON they could take 18 MB (90 bytes an
 * entry), as pmuf at most 3.4 MB, which is written and reads back. */
static void test_convert_too_big(void **state)
{
	(void)state;
	const uint32_t n = 200000;
	size_t len = 32 + 8 * (size_t)n;
	unsigned char *raw = calloc(1, len);
	assert_non_null(raw);
	raw[4] = (unsigned char)n; /* nevents, little-endian */
	raw[5] = (unsigned char)(n >> 8);
	raw[6] = (unsigned char)(n >> 16);
	for (uint32_t i = 0; i < n; i++) {
		raw[32 + 8 * i] = (unsigned char)(0x20 + i % 200); /* select */
		raw[32 + 8 * i + 1] = (unsigned char)i;          /* umask */
	}
	const char *in = tmpfile_with("big.bin", raw, len);
	free(raw);
	char out[128], pm[128], *err;
	snprintf(out, sizeof(out), "%s/big.json", tmpdir);
	assert_int_equal(run(NULL, &err, "filter", "convert", "--to", "qemu-json", in, "-o", out, NULL), 2);
	assert_contains(err, "has 200000 entries; as qemu-json that is up to ");
	assert_contains(err, "over the 16 MiB pfbench reads back, so it is not written");
	free(err);
	assert_int_equal(access(out, F_OK), -1);
	/* to stdout as well: nothing on stdout */
	char *sout;
	assert_int_equal(run(&sout, &err, "filter", "convert", "--to", "qemu-json", in, NULL), 2);
	assert_string_equal(sout, "");
	free(sout);
	free(err);
	snprintf(pm, sizeof(pm), "%s/big.pmuf", tmpdir);
	assert_int_equal(run(NULL, NULL, "filter", "convert", "--to", "pmuf", in, "-o", pm, NULL), 0);
	assert_int_equal(run(&sout, NULL, "filter", "show", pm, NULL), 0); /* it reads back */
	assert_contains(sout, "200000 entries");
	free(sout);
	unlink(pm);
}

/* kvm-raw is refused on a terminal; script(1) provides one */
static void test_convert_tty(void **state)
{
	(void)state;
	const char *exe = cli_pfbench();
	if (system("command -v script >/dev/null 2>&1") != 0) {
		print_message("SKIP: no script(1) to run pfbench on a terminal\n");
		skip();
	}
	char cmd[1024], outp[128];
	snprintf(outp, sizeof(outp), "%s/tty.out", tmpdir);
	static const struct {
		const char *to;
		int status;
		const char *want;
	} cases[] = {
		{ "kvm-raw", 2, "kvm-raw is binary; not writing it to a terminal" },
		{ "pmuf", 0, "event 0x0c4 0x00" },
	};
	for (size_t i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "script -qec '%s filter convert --to %s %s' /dev/null >%s 2>&1 </dev/null", exe,
			 cases[i].to, SPECS "intel-allow-branches.pmuf", outp);
		int st = system(cmd);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), cases[i].status);
		char *out = slurp(outp, NULL);
		assert_contains(out, cases[i].want);
		free(out);
	}
}

static void test_verify(void **state)
{
	(void)state;
	char *out, *err;
	assert_int_equal(run(&out, NULL, "filter", "verify", "--vendor", "intel", SPECS "intel-allow-branches.pmuf",
			     SPECS "intel-allow-branches.bin", NULL), 0);
	assert_contains(out, "equivalent: all 65536 (select, umask) pairs and fixed counters 0..31 agree (flavor intel, --vendor");
	free(out);
	/* the dropped entry changes nothing: without it, still equivalent */
	const char *b = tmptext("nodrop.pmuf", "flavor intel\naction allow\nfixed 3\nevent 0xc4 0\nevent 0xc0 0\nevent 0x2e 0x4f\n");
	assert_int_equal(run(&out, NULL, "filter", "verify", SPECS "intel-allow-branches.pmuf", b, NULL), 0);
	free(out);
	/* on amd the exact 0x100c0 entry is dropped too */
	assert_int_equal(run(&out, NULL, "filter", "verify", "--vendor", "amd", SPECS "intel-allow-branches.pmuf", b, NULL), 0);
	free(out);
	/* "loads and stores" vs "all three": umask 0x83 differs first */
	const char *x = tmptext("ls.pmuf", "flavor intel\naction allow\ninclude 0xd0 mask 0x7c match 0\nexclude 0xd0 mask 0xff match 0x83\n");
	const char *y = tmptext("all.pmuf", "flavor intel\naction allow\ninclude 0xd0 mask 0x7c match 0\n");
	assert_int_equal(run(&out, NULL, "filter", "verify", x, y, NULL), 1);
	char want[512];
	snprintf(want, sizeof(want), "differ at select 0x0d0 umask 0x83 (eventsel 0x4383d0): %s denies, %s allows\n", x, y);
	assert_string_equal(out, want);
	free(out);
	/* only the fixed-counter bitmap differs */
	const char *z = tmptext("fx.pmuf", "flavor intel\naction allow\nfixed 0x7\nevent 0xc4 0\nevent 0xc0 0\nevent 0x2e 0x4f\n");
	assert_int_equal(run(&out, NULL, "filter", "verify", b, z, NULL), 1);
	assert_contains(out, "differ at fixed counter 2:");
	free(out);
	/* refused filters are not equivalent to anything */
	assert_int_equal(run(&out, NULL, "filter", "verify", "--vendor", "intel", tmptext("a2.pmuf", "action 2\n"), b, NULL), 1);
	assert_true(!strncmp(out, "EINVAL ", 7));
	free(out);
	/* flavors must agree or be given */
	const char *amd = tmptext("amd.pmuf", "flavor amd\naction allow\n");
	assert_int_equal(run(NULL, &err, "filter", "verify", b, amd, NULL), 2);
	assert_contains(err, "declares the intel flavor");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "verify", b, SPECS "arm64-multiple.pmuf", NULL), 2);
	assert_contains(err, "they cannot be compared");
	free(err);
	assert_int_equal(run(NULL, &err, "filter", "verify", b, NULL), 2);
	assert_contains(err, "expected two files, A and B");
	free(err);
	/* arm64 */
	const char *m = tmptext("m.pmuf", "arch arm64\nallow 0..5\nallow 9+7\n");
	assert_int_equal(run(&out, NULL, "filter", "verify", SPECS "arm64-multiple.pmuf", m, NULL), 0);
	assert_string_equal(out, "equivalent: all 65536 events agree\n");
	free(out);
	snprintf(want, sizeof(want), "differ at event 0x1: %s allows, %s denies\n", SPECS "arm64-multiple.pmuf",
		 SPECS "arm64-cancel.pmuf");
	assert_int_equal(run(&out, NULL, "filter", "verify", SPECS "arm64-multiple.pmuf", SPECS "arm64-cancel.pmuf", NULL), 1);
	assert_string_equal(out, want);
	free(out);
}

/* compile: specs compiled in every output format verify against the
 * original; the summary; auto picks DENY; over 300 entries; usage. */
static void test_compile(void **state)
{
	(void)state;
	static const char *const specs[] = { "intel-masked-loads-stores.pmuf", "amd-zen4-ls-dispatch.pmuf",
					     "intel-allow-branches.pmuf", "intel-allow-branches.bin",
					     "amd-deny-branches.json", "qemu-masked.json" };
	static const char *const fmts[] = { "pmuf", "qemu-json", "kvm-raw" };
	static const char *const exts[] = { "pmuf", "json", "bin" };
	static const char *const vendors[] = { "intel", "amd" };
	char *out, *err, in[128], res[128];
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		snprintf(in, sizeof(in), SPECS "%s", specs[i]);
		for (size_t k = 0; k < 3; k++) {
			const char *v = vendors[(i + k) % 2];
			snprintf(res, sizeof(res), "%s/compiled.%s", tmpdir, exts[k]);
			assert_int_equal(run(&out, &err, "filter", "compile", "--vendor", v, "--to", fmts[k], in, "-o", res, NULL), 0);
			assert_string_equal(out, "");
			assert_contains(err, "pfbench: filter compile: ");
			/* never larger than the input */
			const char *arrow = strstr(err, " entries -> ");
			assert_non_null(arrow);
			const char *p = arrow;
			while (p > err && p[-1] >= '0' && p[-1] <= '9')
				p--;
			assert_true(strtoul(arrow + 12, NULL, 10) <= strtoul(p, NULL, 10));
			free(out);
			free(err);
			assert_int_equal(run(&out, NULL, "filter", "verify", "--vendor", v, in, res, NULL), 0);
			assert_contains(out, "equivalent: all ");
			free(out);
		}
	}
	/* to stdout, pmuf by default; the summary names per-select counts */
	assert_int_equal(run(&out, &err, "filter", "compile", SPECS "intel-allow-branches.pmuf", NULL), 0);
	assert_contains(out, "flavor intel\naction allow\nflags masked\nfixed 0x3\n");
	assert_contains(out, "include 0x0c0 mask 0xff match 0x00\n");
	assert_contains(err, SPECS "intel-allow-branches.pmuf: 4 entries -> 3, action allow, flavor intel (declared in the file); per select (in->out): 0x02e:1->1 0x0c0:2->1 0x0c4:1->1; 3 of 3 selects a proven minimum of their form, 0 kept as given, 0 redundant entries deleted; compiled in ");
	free(out);
	free(err);
	/* umasks 0x81, 0x82, 0x83 of 0xD0: two entries */
	const char *tri = tmptext("tri.pmuf", "flavor intel\naction allow\nevent 0xd0 0x81\nevent 0xd0 0x82\nevent 0xd0 0x83\n");
	assert_int_equal(run(&out, &err, "filter", "compile", "--action", "allow", tri, NULL), 0);
	assert_contains(err, "3 entries -> 2, action allow, flavor intel (declared in the file); per select (in->out): 0x0d0:3->2; 1 of 1 selects a proven minimum of their form");
	free(out);
	free(err);
	/* everything but one event: auto picks DENY with one entry */
	static char buf[16384];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "flavor intel\naction allow\nfixed 0xffffffff\n");
	for (unsigned sel = 0; sel < 256; sel++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "include 0x%x mask 0 match 0\n", sel);
	snprintf(buf + n, sizeof(buf) - n, "exclude 0x3c mask 0xff match 0\n");
	const char *all = tmptext("allbut.pmuf", buf);
	snprintf(res, sizeof(res), "%s/allbut-out.pmuf", tmpdir);
	assert_int_equal(run(NULL, &err, "filter", "compile", all, "-o", res, NULL), 0);
	assert_contains(err, "257 entries -> 1, action deny, flavor intel (declared in the file); per select (in->out):");
	free(err);
	out = slurp(res, NULL);
	assert_contains(out, "action deny\nflags masked\nfixed 0x0\ninclude 0x03c mask 0xff match 0x00\n");
	free(out);
	assert_int_equal(run(&out, NULL, "filter", "verify", all, res, NULL), 0);
	free(out);
	/* --action allow keeps ALLOW: an include per select, 0x3c's exclude */
	assert_int_equal(run(NULL, &err, "filter", "compile", "--action", "allow", all, "-o", res, NULL), 0);
	assert_contains(err, "257 entries -> 257, action allow, flavor intel (declared in the file); per select (in->out): 0x03c:2->2, 255 more selects 1->1; 256 of 256 selects a proven minimum of their form");
	free(err);
	/* odd-parity umasks on 3 selects: 384 entries needed, exit 1, nothing written */
	n = (size_t)snprintf(buf, sizeof(buf), "flavor intel\naction allow\n");
	for (unsigned sel = 0x10; sel < 0x13; sel++)
		for (unsigned u = 0; u < 256; u++)
			if (__builtin_popcount(u) & 1)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "event 0x%x 0x%x\n", sel, u);
	assert_true(n < sizeof(buf) - 1);
	snprintf(res, sizeof(res), "%s/never.pmuf", tmpdir);
	assert_int_equal(run(&out, &err, "filter", "compile", tmptext("parity.pmuf", buf), "-o", res, NULL), 1);
	assert_contains(err, "the result needs 384 entries, over the kernel's limit of 300; nothing written");
	assert_int_equal(access(res, F_OK), -1);
	free(out);
	free(err);
	/* an exact list over the kernel's limit: 400 entries, umasks 0..199 of
	 * two selects, become 3 cubes each (checked by compile itself: verify
	 * refuses the input, E2BIG) */
	n = (size_t)snprintf(buf, sizeof(buf), "flavor intel\naction allow\n");
	for (unsigned sel = 0x10; sel < 0x12; sel++)
		for (unsigned u = 0; u < 200; u++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "event 0x%x 0x%x\n", sel, u);
	assert_true(n < sizeof(buf) - 1);
	assert_int_equal(run(&out, &err, "filter", "compile", tmptext("long.pmuf", buf), NULL), 0);
	assert_contains(err, "400 entries -> 6, action allow, flavor intel (declared in the file); per select (in->out): 0x010:200->3 0x011:200->3; 2 of 2 selects a proven minimum of their form, 0 kept as given, 0 redundant entries deleted; compiled in ");
	assert_contains(out, "action allow\nflags masked\nfixed 0x0\ninclude 0x010 mask ");
	free(out);
	free(err);
	/* ... and one with an entry the kernel refuses besides */
	n = (size_t)snprintf(buf, sizeof(buf), "flavor intel\naction allow\nflags masked\n");
	for (unsigned i = 0; i < 300; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "include 0x%x mask 0 match 0\n", i % 256);
	snprintf(buf + n, sizeof(buf) - n, "raw 0xff000001000000c0\n");
	assert_int_equal(run(&out, &err, "filter", "compile", tmptext("bigbad.pmuf", buf), NULL), 1);
	assert_string_equal(out, "");
	assert_contains(err, "the kernel refuses this filter (intel flavor): EINVAL: an entry or the header is invalid "
			     "(and it has over 300 entries)");
	free(out);
	free(err);
	/* a filter the kernel refuses: exit 1 with its errno name */
	assert_int_equal(run(&out, &err, "filter", "compile", "--vendor", "intel", tmptext("a2c.pmuf", "action 2\n"), NULL), 1);
	assert_string_equal(out, "");
	assert_contains(err, "the kernel refuses this filter (intel flavor): EINVAL");
	free(out);
	free(err);
	/* usage errors */
	const char *const u1[] = { "filter", "compile", NULL };
	cli_usage_case(u1, "filter compile: expected a FILE");
	const char *const u2[] = { "filter", "compile", "--action", "maybe", SPECS "qemu-masked.json", NULL };
	cli_usage_case(u2, "unknown action 'maybe'; expected allow, deny or auto");
	const char *const u3[] = { "filter", "compile", SPECS "arm64-multiple.pmuf", NULL };
	cli_usage_case(u3, "is an arm64 filter; compile works on x86 filters");
	const char *const u4[] = { "filter", "compile", "--to", "yaml", SPECS "qemu-masked.json", NULL };
	cli_usage_case(u4, "unknown format 'yaml'");
	const char *const u5[] = { "filter", "compile", SPECS "qemu-masked.json", SPECS "qemu-masked.json", NULL };
	cli_usage_case(u5, "expected one FILE only");
}

/* Events by name: decide takes names in every spelling, events lists a
 * PMU's table with decisions and counts, patterns are inputs. */
static void test_names(void **state)
{
	(void)state;
	char *out, *err;
	const char *ls = SPECS "intel-masked-loads-stores.pmuf";
	/* the selftest's loads-and-stores filter: 0x81, 0x82 allowed, 0x83 not;
	 * INST_RETIRED.ANY is fixed counter 0, which `fixed 0` denies */
	assert_int_equal(run(&out, &err, "filter", "decide", "--pmu", "icl", ls, "INST_RETIRED.ANY",
			     "MEM_INST_RETIRED.ALL_LOADS", "icl::mem_inst_retired:all_stores", "MEM_INST_RETIRED.ANY",
			     "0x4381d0", NULL), 0);
	assert_string_equal(out, "deny\nallow\nallow\ndeny\nallow\n");
	free(out);
	free(err);
	/* a near miss: exit 2, a suggestion, no answers */
	assert_int_equal(run(&out, &err, "filter", "decide", "--pmu", "icl", ls, "0x4381d0", "MEM_INST_RETIRED.ALL_LOAD",
			     NULL), 2);
	assert_string_equal(out, "");
	assert_contains(err, "did you mean icl::MEM_INST_RETIRED:ALL_LOADS?");
	free(out);
	free(err);
	/* without --pmu: the PMU the file's own entries name (icl::...), on any
	 * host; the AMD file's names are zen4's, where INST_RETIRED.ANY is not */
	const char *br = SPECS "intel-allow-branches.pmuf";
	assert_int_equal(run(&out, &err, "filter", "decide", br, "INST_RETIRED.ANY",
			     "BR_INST_RETIRED.ALL_BRANCHES", NULL), 0);
	assert_string_equal(out, "allow\nallow\n");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "filter", "decide", SPECS "amd-zen4-ls-dispatch.pmuf",
			     "INST_RETIRED.ANY", NULL), 2);
	assert_contains(err, "amd64_fam19h_zen4::INST_RETIRED.ANY");
	free(out);
	free(err);
	const char *const u1[] = { "filter", "decide", "--pmu", "zen9", ls, "INST_RETIRED.ANY", NULL };
	cli_usage_case(u1, "--pmu: unknown PMU model 'zen9'");

	/* events --allowed: exactly the two loads-and-stores events by name */
	assert_int_equal(run(&out, NULL, "filter", "events", "--pmu", "icl", "--allowed", ls, NULL), 0);
	assert_contains(out, "allow  0x0d0  0x81  icl::MEM_INST_RETIRED:ALL_LOADS\n");
	assert_contains(out, "allow  0x0d0  0x82  icl::MEM_INST_RETIRED:ALL_STORES\n");
	assert_contains(out, ": 2 allowed, ");
	assert_true(strstr(out, "deny ") == NULL);
	size_t lines = 0;
	for (const char *p = out; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 3);
	free(out);
	/* --denied lists the rest; the counts add up to the table */
	assert_int_equal(run(&out, NULL, "filter", "events", "--pmu", "icl", "--denied", ls, NULL), 0);
	assert_true(strstr(out, "allow ") == NULL);
	assert_contains(out, "deny   fixed 0      icl::INST_RETIRED:ANY\n");
	const char *sum = strstr(out, "# ");
	assert_non_null(sum);
	unsigned long na = 0, nd = 0, nt = 0;
	assert_int_equal(sscanf(strstr(sum, ": ") + 2, "%lu allowed, %lu denied of %lu events", &na, &nd, &nt), 3);
	assert_int_equal(na, 2);
	assert_int_equal(na + nd, nt);
	lines = 0;
	for (const char *p = out; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, nd + 1);
	free(out);
	const char *const u2[] = { "filter", "events", "--allowed", "--denied", ls, NULL };
	cli_usage_case(u2, "--allowed and --denied exclude each other");
	const char *const u3[] = { "filter", "events", "--pmu", "icl", SPECS "arm64-multiple.pmuf", NULL };
	cli_usage_case(u3, "is an arm64 filter");

	/* a pattern as the input: all of icl's MEM_* events, allowed */
	assert_int_equal(run(&out, NULL, "filter", "events", "--pmu", "icl", "--denied", "icl::MEM_*", NULL), 0);
	assert_true(strstr(out, "  icl::MEM_") == NULL);
	free(out);
	assert_int_equal(run(&out, NULL, "filter", "events", "--pmu", "icl", "--allowed", "icl::MEM_*", NULL), 0);
	lines = 0;
	for (const char *p = out; (p = strstr(p, "  icl::")); p++, lines++)
		assert_int_equal(strncmp(p, "  icl::MEM_", 11), 0);
	assert_true(lines > 10);
	free(out);
	const char *const u4[] = { "filter", "show", "icl::NO_SUCH_*", NULL };
	cli_usage_case(u4, "pattern 'icl::NO_SUCH_*' matches no event of icl");
}

/* fit: exact and compiled counts against the limit; the exit answers. */
static void test_fit(void **state)
{
	(void)state;
	char *out, *err;
	/* 0x81, 0x82, 0x83 of 0xD0: 3 exact, 2 compiled */
	const char *tri = tmptext("fit-tri.pmuf", "flavor intel\naction allow\nevent 0xd0 0x81\nevent 0xd0 0x82\nevent 0xd0 0x83\n");
	assert_int_equal(run(&out, &err, "filter", "fit", tri, NULL), 0);
	assert_contains(out, "exact           3 entries (an allow list; a deny list needs 65533)  fits\n");
	assert_contains(out, "compiled        2 entries (masked, action allow; kernels 6.3+)  fits\n");
	assert_contains(out, "0x0d0      2      3\n");
	assert_contains(out, "fits: as compiled masked entries and as exact entries (limit 300)\n");
	free(out);
	free(err);
	/* limit 2: compiled fits, exact does not */
	assert_int_equal(run(&out, NULL, "filter", "fit", "--limit", "2", tri, NULL), 0);
	assert_contains(out, "exact           3 entries (an allow list; a deny list needs 65533)  does not fit\n");
	assert_contains(out, "fits: as compiled masked entries (limit 2)\n");
	free(out);
	assert_int_equal(run(&out, NULL, "filter", "fit", "--limit", "1", tri, NULL), 1);
	assert_contains(out, "does not fit: 2 compiled masked entries and 3 exact entries, both over the limit of 1\n");
	free(out);
	/* odd parity on 3 selects: 384 either way, exit 1 */
	static char buf[16384];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "flavor intel\naction allow\n");
	for (unsigned sel = 0x10; sel < 0x13; sel++)
		for (unsigned u = 0; u < 256; u++)
			if (__builtin_popcount(u) & 1)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "event 0x%x 0x%x\n", sel, u);
	assert_int_equal(run(&out, NULL, "filter", "fit", tmptext("fit-parity.pmuf", buf), NULL), 1);
	assert_contains(out, "exact         384 entries");
	assert_contains(out, "compiled      384 entries");
	assert_contains(out, "0x010    128    128\n");
	free(out);
	/* a pattern with --except */
	assert_int_equal(run(&out, NULL, "filter", "fit", "icl::MEM_INST_RETIRED:*", "--except", "icl::MEM_INST_RETIRED:ALL_*", NULL), 0);
	assert_contains(out, "# icl::MEM_INST_RETIRED:*: flavor intel");
	free(out);
	const char *const u1[] = { "filter", "fit", "--limit", "0", tri, NULL };
	cli_usage_case(u1, "pfbench filter fit: --limit: '0' is not a number in 1..1000000");
	const char *const u2[] = { "filter", "fit", "--except", "icl::*", tri, NULL };
	cli_usage_case(u2, "--except applies to a pattern input");
}

/* validate --kernel: the running kernel beside the model, on the specs of
 * every format and on filters each refuses. */
static void test_validate_kernel(void **state)
{
	(void)state;
	char *out;
	static const char *const ok[] = { "intel-allow-branches.pmuf", "intel-allow-branches.bin", "qemu-masked.json",
					  "intel-masked-loads-stores.pmuf" };
	char path[128];
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), SPECS "%s", ok[i]);
		int st = run(&out, NULL, "filter", "validate", "--kernel", path, NULL);
		if (st == 4) {
			char why[256];
			snprintf(why, sizeof(why), "%s", out);
			free(out);
			need_skip("kvm", "%s", why);
		}
		if (st != 0)
			fail_msg("%s: exit %d: %s", path, st, out);
		assert_contains(out, "kernel: ok (KVM_SET_PMU_EVENT_FILTER on a scratch VM)\n");
		assert_contains(out, "model:  ok (flavor ");
		assert_contains(out, "\nagree\n");
		free(out);
	}
	/* refused by both: an invalid action, and 301 entries */
	assert_int_equal(run(&out, NULL, "filter", "validate", "--kernel", tmptext("bad.pmuf", "action 2\n"), NULL), 1);
	assert_contains(out, "kernel: EINVAL");
	assert_contains(out, "model:  EINVAL");
	assert_contains(out, "\nagree\n");
	free(out);
	static char buf[8192];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "action allow\n");
	for (unsigned i = 0; i < 301; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "event 0x%x 0\n", i % 256);
	assert_int_equal(run(&out, NULL, "filter", "validate", "--kernel", tmptext("big.pmuf", buf), NULL), 1);
	assert_contains(out, "kernel: E2BIG");
	assert_contains(out, "\nagree\n");
	free(out);
	/* arm64 filters cannot be installed here: skipped, with the reason */
	assert_int_equal(run(&out, NULL, "filter", "validate", "--kernel", SPECS "arm64-cancel.pmuf", NULL), 4);
	assert_contains(out, "is an arm64 filter");
	free(out);
	const char *const u1[] = { "filter", "show", "--kernel", SPECS "arm64-cancel.pmuf", NULL };
	cli_usage_case(u1, "pfbench filter show: --kernel: unknown option");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),	cmocka_unit_test(test_show),	cmocka_unit_test(test_validate),
		cmocka_unit_test(test_bad_input), cmocka_unit_test(test_decide), cmocka_unit_test(test_convert),
		cmocka_unit_test(test_convert_too_big),
		cmocka_unit_test(test_convert_tty), cmocka_unit_test(test_verify), cmocka_unit_test(test_compile),
		cmocka_unit_test(test_names), cmocka_unit_test(test_fit), cmocka_unit_test(test_validate_kernel),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
