/* test_cli_damage.c — readers never hide damage (issue 15, item 2) and a
 * killed suite is reported as such (item 3): `pfbench report` and
 * `pfbench compare` on hand-made result directories with a truncated,
 * empty, non-JSON, unknown-schema, FIFO or missing-but-ok result set fail
 * with exit 1 naming file:line:column and write no report; --lenient
 * reports anyway with the damage listed first; metadata.json marking a
 * stage "running" renders as "interrupted during <stage>"; stale temp
 * files are removed; `report FILE` is a usage error; the suite's timeout
 * note names the signals it sent; the suite writes its running marker. */
#include <fcntl.h>
#include <signal.h>
#include <jansson.h>
#include <limits.h>
#include <sys/stat.h>

#include "cli-run.h"

CLI_ROOT_FIXTURE(root)

static void put(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static bool exists(const char *dir, const char *name)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

#define SET(bench) \
	"{\"schema\": \"pfbench-result/1\", \"bench\": \"" bench "\", \"complete\": true, " \
	"\"records\": [{\"design\": \"linear\", \"nevents\": 8, \"median_ns\": 10.5}]}\n"

/* A fresh run directory: metadata.json with the given stages (JSON
 * array text) and a good lookup set. */
static void make_dir(char *dir, size_t len, const char *name, const char *stages)
{
	snprintf(dir, len, "%s/%s", root, name);
	assert_int_equal(mkdir(dir, 0755), 0);
	char meta[1024];
	snprintf(meta, sizeof(meta),
		 "{\"schema\": \"pfbench-suite/1\", \"mode\": \"quick\", \"complete\": false, "
		 "\"stages\": %s}\n", stages);
	put(dir, "metadata.json", meta);
	put(dir, "lookup.json", SET("lookup"));
}

static const char *const ok_lookup = "[{\"name\": \"lookup\", \"status\": \"ok\"}]";

/* report DIR: exit 1, the message in stderr, and no report.md. */
static void report_fails(const char *dir, const char *want)
{
	char *out, *err;
	const char *args[] = { "report", "--no-plots", dir, NULL };
	int st = cli_run(args, &out, &err);
	if (st != 1 || !strstr(err, want))
		fail_msg("report %s: exit %d, want 1 and '%s' in: %s", dir, st, want, err);
	assert_false(exists(dir, "report.md"));
	free(out);
	free(err);
}

/* report --lenient DIR: exit 0, the warning and want in report.md. */
static void lenient_warns(const char *dir, const char *want)
{
	const char *args[] = { "report", "--no-plots", "--lenient", dir, NULL };
	char *err;
	int st = cli_run(args, NULL, &err);
	if (st != 0)
		fail_msg("report --lenient %s: exit %d: %s", dir, st, err);
	free(err);
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/report.md", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	const char *warning = strstr(buf, "this directory is damaged");
	if (!warning || !strstr(warning, want))
		fail_msg("report.md lacks the damage warning with '%s'", want);
	/* at the top: before the first result section */
	const char *section = strstr(buf, "## What ran");
	assert_true(!section || warning < section);
}

/* Each damaged file: its name, its text, what the error must say. */
static const struct {
	const char *what, *file, *text, *want;
} cases[] = {
	{ "truncated", "install.json", "{\"schema\": \"pfbench-result/1\", \"bench\": \"inst",
	  "install.json:1:" },
	{ "empty", "install.json", "", "install.json:1:1: empty file" },
	{ "not JSON", "install.json", "install: 5 samples\n", "install.json:1:7: '[' or '{' expected" },
	{ "unknown schema", "install.json",
	  "{\"schema\": \"pfbench-result/9\", \"bench\": \"install\", \"records\": []}",
	  "install.json:1:1: unknown schema version \"pfbench-result/9\"" },
	{ "records null", "install.json",
	  "{\"schema\": \"pfbench-result/1\", \"bench\": \"install\", \"records\": null}",
	  "install.json:1:1: expected a \"records\" array" },
	{ "metadata not JSON", "metadata.json", "{\"schema\": \"pfbench-suite/1\",",
	  "metadata.json:1:" },
	{ "metadata unknown schema", "metadata.json", "{\"schema\": \"pfbench-suite/7\"}",
	  "metadata.json:1:1: expected \"schema\": \"pfbench-suite/1\"" },
};

static void test_damaged_sets(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dir[PATH_MAX], name[32];
		snprintf(name, sizeof(name), "damaged-%zu", i);
		make_dir(dir, sizeof(dir), name, ok_lookup);
		put(dir, cases[i].file, cases[i].text);
		report_fails(dir, cases[i].want);
		lenient_warns(dir, cases[i].want);
	}
}

/* A stage marked ok whose set is missing; a metadata.json that is a
 * directory; a FIFO named like a set (must not block). */
static void test_missing_and_odd_files(void **state)
{
	(void)state;
	char dir[PATH_MAX], path[PATH_MAX * 2];
	make_dir(dir, sizeof(dir), "missing", "[{\"name\": \"lookup\", \"status\": \"ok\"}, "
					      "{\"name\": \"install\", \"status\": \"ok\"}]");
	report_fails(dir, "install.json: missing: metadata.json says stage install finished ok");
	lenient_warns(dir, "stage install finished ok");

	snprintf(dir, sizeof(dir), "%s/metadir", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	put(dir, "lookup.json", SET("lookup"));
	snprintf(path, sizeof(path), "%s/metadata.json", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	report_fails(dir, "metadata.json:1:1: a directory");

	make_dir(dir, sizeof(dir), "fifo", ok_lookup);
	snprintf(path, sizeof(path), "%s/install.json", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	report_fails(dir, "install.json:1:1: not a regular file");
}

/* compare on a damaged directory: exit 1 naming the file. */
static void test_compare_damaged(void **state)
{
	(void)state;
	char good[PATH_MAX], bad[PATH_MAX], *out, *err;
	make_dir(good, sizeof(good), "cmp-good", ok_lookup);
	make_dir(bad, sizeof(bad), "cmp-bad", ok_lookup);
	put(bad, "exit.json", "{\"schema\": \"pfbench-result/1\", \"bench\": \"exit\", \"rec");
	const char *args[] = { "compare", good, bad, NULL };
	int st = cli_run(args, &out, &err);
	if (st != 1 || !strstr(err, "exit.json:1:"))
		fail_msg("compare: exit %d, want 1 and exit.json:1: in: %s", st, err);
	assert_string_equal(out, "");
	free(out);
	free(err);
	/* the stage list too */
	make_dir(bad, sizeof(bad), "cmp-missing", "[{\"name\": \"exit\", \"status\": \"ok\"}]");
	st = cli_run(args, &out, &err);
	if (st != 1 || !strstr(err, "stage exit finished ok"))
		fail_msg("compare: exit %d, want 1 and the missing set in: %s", st, err);
	free(out);
	free(err);
}

/* A suite killed during a stage: its marker says which; stale temp files
 * of dead writers are removed. */
static void test_interrupted_during(void **state)
{
	(void)state;
	char dir[PATH_MAX];
	make_dir(dir, sizeof(dir), "killed",
		 "[{\"name\": \"info\", \"status\": \"ok\"}, {\"name\": \"lookup\", \"status\": \"ok\"}, "
		 "{\"name\": \"install\", \"status\": \"running\"}]");
	char plots[PATH_MAX * 2];
	snprintf(plots, sizeof(plots), "%s/plots", dir);
	assert_int_equal(mkdir(plots, 0755), 0);
	/* pid 2^22+1 is above pid_max's default and so belongs to nobody */
	put(dir, "plots/lookup.svg.tmp.4194305", "<svg");
	put(dir, "install.json.tmp.4194305", "{");
	char *out, *err;
	const char *args[] = { "report", "--no-plots", dir, NULL };
	int st = cli_run(args, &out, &err);
	if (st != 0)
		fail_msg("report: exit %d: %s", st, err);
	assert_non_null(strstr(err, "removed"));
	free(out);
	free(err);
	assert_false(exists(dir, "plots/lookup.svg.tmp.4194305"));
	assert_false(exists(dir, "install.json.tmp.4194305"));
	char path[PATH_MAX * 2], buf[65536];
	snprintf(path, sizeof(path), "%s/report.md", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "interrupted during install"));
}

/* report FILE is not a result directory: a usage error. */
static void test_report_file(void **state)
{
	(void)state;
	char dir[PATH_MAX], file[PATH_MAX * 2];
	make_dir(dir, sizeof(dir), "single", ok_lookup);
	snprintf(file, sizeof(file), "%s/lookup.json", dir);
	const char *args[] = { "report", file, NULL };
	cli_usage_case(args, "not a directory");
}

/* The suite writes the running marker before a stage (a fake pfbench
 * copies metadata.json while it runs), and a timeout's note says what it
 * sent. */
static void test_suite_marker(void **state)
{
	(void)state;
	char script[PATH_MAX * 2], out_root[PATH_MAX * 2];
	snprintf(script, sizeof(script), "%s/fake-pfbench", root);
	put(root, "fake-pfbench",
	    "#!/bin/sh\nfor a; do d=$a; done\n"
	    "case \"$1\" in\ninfo) echo '{}' ;;\n"
	    "lookup) cp \"$d/metadata.json\" \"$d/during-lookup.txt\"; exec sleep 60 ;;\nesac\n");
	assert_int_equal(chmod(script, 0755), 0);
	snprintf(out_root, sizeof(out_root), "%s/suite-out", root);
	char *out, *err;
	const char *args[] = { "suite", "--tiny", "--only", "info,lookup", "--no-plots", "--timeout",
			       "1", "--pfbench", script, "-o", out_root, NULL };
	int st = cli_run(args, &out, &err);
	if (st != 1)
		fail_msg("suite: exit %d: %s", st, err);
	char *nl = strchr(out, '\n');
	assert_non_null(nl);
	*nl = '\0';
	char *slash = strrchr(out, '/');
	assert_non_null(slash);
	*slash = '\0'; /* the run directory */
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/during-lookup.txt", out);
	json_t *during = json_load_file(path, 0, NULL);
	assert_non_null(during);
	json_t *stages = json_object_get(during, "stages");
	assert_int_equal(json_array_size(stages), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(stages, 1), "status")),
			    "running");
	json_decref(during);
	snprintf(path, sizeof(path), "%s/metadata.json", out);
	json_t *meta = json_load_file(path, 0, NULL);
	assert_non_null(meta);
	json_t *lk = json_array_get(json_object_get(meta, "stages"), 1);
	assert_string_equal(json_string_value(json_object_get(lk, "status")), "timeout");
	const char *why = json_string_value(json_object_get(lk, "why"));
	const char *sig = json_string_value(json_object_get(lk, "signal"));
	assert_non_null(why);
	assert_non_null(strstr(why, "sent SIGTERM"));
	/* what it says it sent is what ended it */
	assert_non_null(sig);
	if (strcmp(sig, "SIGKILL") == 0)
		assert_non_null(strstr(why, "then SIGKILL"));
	else
		assert_string_equal(sig, "SIGTERM");
	json_decref(meta);
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_damaged_sets),
		cmocka_unit_test(test_missing_and_odd_files),
		cmocka_unit_test(test_compare_damaged),
		cmocka_unit_test(test_interrupted_during),
		cmocka_unit_test(test_report_file),
		cmocka_unit_test(test_suite_marker),
	};
	return cmocka_run_group_tests(tests, cli_root_setup, cli_root_teardown);
}
