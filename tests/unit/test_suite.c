/* test_suite.c — `pfbench suite` and `pfbench report` end to end.
 *  - a tiny suite runs every stage and leaves every file: metadata.json,
 *    each stage that ran its JSON + CSV (info its info.json), logs,
 *    plots PNG + SVG for what they can draw, report.md; stages that are
 *    not built yet (exit 4) show up as skipped;
 *  - `pfbench report` on synthetic exit/install result sets draws the
 *    plots and captioned tables;
 *  - SIGINT while a stage runs leaves a consistent directory: metadata.json
 *    valid with complete=false and interrupted_by=SIGINT, the finished
 *    stages' files intact, no temp files, exit 130;
 *  - a second run never overwrites the first. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "out.h"

static char tmpdir[PATH_MAX];

static const char *pfbench(void)
{
	const char *pf = getenv("PFBENCH");
	return pf ? pf : "build/pfbench";
}

static char *abs_pfbench(void)
{
	static char buf[PATH_MAX];
	if (!realpath(pfbench(), buf))
		fail_msg("PFBENCH=%s: %s", pfbench(), strerror(errno));
	return buf;
}

/* Runs argv (NULL-terminated) with stdout into *out (may be NULL) and
 * stderr into tmpdir/stderr.txt; returns the exit status or 128+signal. */
static int run(char **out, char *const argv[])
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char errpath[PATH_MAX + 16];
		snprintf(errpath, sizeof(errpath), "%s/stderr.txt", tmpdir);
		int e = open(errpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(p[1], 1);
		if (e >= 0)
			dup2(e, 2);
		close(p[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	while ((n = read(p[0], buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static bool file_ok(const char *dir, const char *name)
{
	char path[PATH_MAX * 2];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return false;
	/* a .png is a PNG (its signature), not another terminal's output */
	size_t n = strlen(name);
	if (n < 4 || strcmp(name + n - 4, ".png"))
		return true;
	unsigned char sig[8] = { 0 };
	FILE *f = fopen(path, "rb");
	bool png = f && fread(sig, 1, 8, f) == 8 && !memcmp(sig, "\x89PNG\r\n\x1a\n", 8);
	if (f)
		fclose(f);
	return png;
}

/* No "<file>.tmp.<pid>" left anywhere under dir. */
static void assert_no_temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (strstr(de->d_name, ".tmp."))
			fail_msg("temp file left: %s/%s", dir, de->d_name);
		char sub[PATH_MAX * 2];
		struct stat st;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			assert_no_temp_files(sub);
	}
	closedir(d);
}

static json_t *load(const char *dir, const char *name)
{
	char path[PATH_MAX * 2];
	json_error_t je;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	json_t *j = json_load_file(path, 0, &je);
	if (!j)
		fail_msg("%s: %s", path, je.text);
	return j;
}

/* The run directory from the report path the suite prints. */
static void run_dir(const char *out, char *dir, size_t len)
{
	const char *nl = strchr(out, '\n');
	assert_non_null(nl);
	snprintf(dir, len, "%.*s", (int)(nl - out), out);
	char *slash = strrchr(dir, '/');
	assert_non_null(slash);
	assert_string_equal(slash, "/report.md");
	*slash = '\0';
}

static char *slurp(const char *dir, const char *name)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static const char *const stage_names[] = { "info", "lookup", "install", "exit", "check", "limits" };
#define NSTAGE_NAMES (sizeof(stage_names) / sizeof(stage_names[0]))

/* report.md's commands and captions: every command is written `pfbench
 * ...`; each caption names only the kinds of table its section shows: "90th
 * and 99th percentiles" only over tables with p90/p99 columns, "median /
 * p90" only over pivoted ones, and a section with either kind of table has
 * its caption say so. The exhaustive tables (tables/<bench>.md) carry the
 * captions (captions: at least one); report.md's selected tables say
 * what they show in their own first line. */
static void check_report_text(const char *report, bool captions)
{
	for (const char *p = report; (p = strstr(p, "Command: `")); p++)
		if (strncmp(p + 10, "pfbench ", 8))
			fail_msg("report.md: a command without pfbench: %.60s", p);
	for (const char *p = report; (p = strstr(p, "\n| ")); p++) {
		const char *end = strchr(p + 1, '\n');
		const char *bt = strchr(p + 1, '`');
		if (bt && end && bt < end && strncmp(bt, "`pfbench ", 9) && strncmp(bt, "`pfbench`", 9))
			fail_msg("report.md: a command cell without pfbench: %.80s", p + 1);
	}
	size_t ncaptions = 0;
	for (const char *cap = report; (cap = strstr(cap, "*Table: ")); cap++) {
		const char *cap_end = strchr(cap, '\n');
		const char *next = strstr(cap + 1, "\n## ");
		size_t cap_len = (size_t)(cap_end - cap), sec_len = next ? (size_t)(next - cap)
									 : strlen(cap);
		char *c = strndup(cap, cap_len), *sec = strndup(cap_end, sec_len - cap_len);
		bool says_full = strstr(c, "90th and 99th percentiles") != NULL;
		bool says_pivot = strstr(c, "median / p90") != NULL;
		bool full = strstr(sec, "| median ns | p90 ns | p99 ns |") != NULL;
		bool pivot = strstr(sec, "Cells: median / p90 in ns") != NULL;
		if (says_full != full || says_pivot != pivot)
			fail_msg("report.md: caption says full=%d pivot=%d, tables are full=%d "
				 "pivot=%d: %.120s", says_full, says_pivot, full, pivot, c);
		ncaptions++;
		free(c);
		free(sec);
	}
	if (captions)
		assert_true(ncaptions > 0);
}

static void test_tiny_suite(void **state)
{
	(void)state;
	char root[PATH_MAX + 8], dir[PATH_MAX * 2], *out;
	snprintf(root, sizeof(root), "%s/tiny", tmpdir);
	char *argv[] = { abs_pfbench(), "suite", "--tiny", "-o", root, NULL };
	int rc = run(&out, argv);
	/* 0: every stage ran or skipped (4, e.g. without /dev/kvm). A stage
	 * that fails or times out with these tiny parameters is a bug, not a
	 * host circumstance: the loop below names it. */
	assert_true(rc == 0 || rc == 1);
	run_dir(out, dir, sizeof(dir));
	free(out);

	json_t *meta = load(dir, "metadata.json");
	assert_string_equal(json_string_value(json_object_get(meta, "schema")), "pfbench-suite/1");
	assert_true(json_is_true(json_object_get(meta, "complete")));
	assert_true(json_is_null(json_object_get(meta, "interrupted_by")));
	assert_non_null(json_object_get(json_object_get(meta, "context"), "host"));
	json_t *stages = json_object_get(meta, "stages");
	assert_int_equal(json_array_size(stages), NSTAGE_NAMES);
	size_t nfailed = 0;
	for (size_t i = 0; i < NSTAGE_NAMES; i++) {
		json_t *s = json_array_get(stages, i);
		const char *name = json_string_value(json_object_get(s, "name"));
		const char *status = json_string_value(json_object_get(s, "status"));
		json_int_t code = json_integer_value(json_object_get(s, "exit_code"));
		assert_string_equal(name, stage_names[i]);
		assert_true(json_is_number(json_object_get(s, "duration_s")));
		assert_non_null(json_string_value(json_object_get(s, "log")));
		assert_true(file_ok(dir, json_string_value(json_object_get(s, "log"))) ||
			    !strcmp(status, "ok"));
		char file[64];
		if (!strcmp(status, "ok")) {
			assert_int_equal(code, 0);
			if (!strcmp(name, "info")) {
				assert_true(file_ok(dir, "info.json"));
				json_t *h = load(dir, "info.json");
				assert_non_null(json_object_get(h, "host_id"));
				json_decref(h);
				continue;
			}
			/* A stage that ran leaves its result set, JSON and CSV. */
			snprintf(file, sizeof(file), "%s.json", name);
			assert_true(file_ok(dir, file));
			char path[PATH_MAX * 3], err[256];
			snprintf(path, sizeof(path), "%s/%s", dir, file);
			json_t *set = out_read_json(path, err, sizeof(err));
			if (!set)
				fail_msg("%s", err);
			/* It carries its declared columns, with roles and units, and
			 * every record field is declared. */
			char why[320];
			if (out_check_set(set, why, sizeof(why)))
				fail_msg("%s: %s", file, why);
			size_t c;
			json_t *col;
			json_array_foreach(json_object_get(set, "columns"), c, col) {
				assert_true(schema_role_parse(json_string_value(
						    json_object_get(col, "role"))) >= 0);
				assert_non_null(json_object_get(col, "unit"));
			}
			json_decref(set);
			snprintf(file, sizeof(file), "%s.csv", name);
			assert_true(file_ok(dir, file));
		} else if (!strcmp(status, "skipped")) {
			/* Exit 4, with the stage's reason recorded at top level too. */
			assert_int_equal(code, 4);
			assert_non_null(json_string_value(json_object_get(s, "why")));
			bool listed = false;
			size_t j;
			json_t *sk;
			json_array_foreach(json_object_get(meta, "skipped"), j, sk)
				listed |= !strcmp(json_string_value(json_object_get(sk, "stage")), name);
			assert_true(listed);
		} else {
			assert_true(!strcmp(status, "failed") || !strcmp(status, "timeout"));
			assert_non_null(json_string_value(json_object_get(s, "why")));
			nfailed++;
			print_message("stage %s %s (exit %lld): %s\n", name, status, (long long)code,
				      json_string_value(json_object_get(s, "why")));
		}
	}
	assert_int_equal(rc, nfailed ? 1 : 0);
	assert_int_equal(json_array_size(json_object_get(meta, "failed")), nfailed);
	assert_int_equal(nfailed, 0);

	/* Every plot of the tiny suite is drawn (gnuplot is a dependency:
	 * scripts/deps.sh), as a non-empty PNG and SVG, and gnuplot printed
	 * nothing: no warning such as a skipped data block. */
	size_t i;
	json_t *p;
	assert_true(json_array_size(json_object_get(meta, "plots")) >= 3);
	json_array_foreach(json_object_get(meta, "plots"), i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		if (json_object_get(p, "why"))
			fail_msg("plot %s not made: %s", name,
				 json_string_value(json_object_get(p, "why")));
		if (json_object_get(p, "warnings"))
			fail_msg("plot %s: gnuplot said: %s", name,
				 json_string_value(json_object_get(p, "warnings")));
		assert_true(file_ok(dir, json_string_value(json_object_get(p, "png"))));
		assert_true(file_ok(dir, json_string_value(json_object_get(p, "svg"))));
		assert_true(file_ok(dir, json_string_value(json_object_get(p, "data"))));
	}

	char *report = slurp(dir, "report.md");
	/* The summary answers the suite's questions within the first 40
	 * lines; the whole page stays short (the full tables are beside it). */
	const char *line40 = report;
	for (int n = 0; n < 40 && line40; n++)
		line40 = strchr(line40 + 1, '\n');
	char *head = strndup(report, line40 ? (size_t)(line40 - report) : strlen(report));
	assert_non_null(strstr(head, "\n## Summary\n"));
	assert_non_null(strstr(head, "**Host** "));
	assert_non_null(strstr(head, "**Fastest lookup, latency mode, at 16 entries**"));
	assert_non_null(strstr(head, "faster than the kernel's `k6.3-masked`"));
	assert_non_null(strstr(head, "the L1-load floor"));
	assert_non_null(strstr(head, "](#lookup-latency-exact)"));
	assert_non_null(strstr(head, "**Exit cost vs filter size**"));
	assert_non_null(strstr(head, "per 100 entries](#exit-reprogram)"));
	assert_non_null(strstr(head, "**Install cost**"));
	assert_non_null(strstr(head, "**Enforcement checks**"));
	free(head);
	/* Every anchor the summary links to exists. */
	for (const char *l = report; (l = strstr(l, "](#")); l++) {
		char id[64], anchor[96];
		assert_int_equal(sscanf(l + 3, "%63[^)]", id), 1);
		snprintf(anchor, sizeof(anchor), "<a id=\"%s\"></a>", id);
		if (!strstr(report, anchor))
			fail_msg("report.md links to #%s, which has no anchor", id);
	}
	size_t nlines = 0;
	for (const char *c = report; *c; c++)
		nlines += *c == '\n';
	/* 250 until the arm64 design (k5.10-arm64-bitmap) added a row to each
	 * lookup table and a skip line to the limits stage's list. */
	print_message("report.md: %zu lines\n", nlines);
	assert_true(nlines <= 260);
	for (i = 1; i < 5; i++) {
		char file[64];
		snprintf(file, sizeof(file), "tables/%s.md", stage_names[i]);
		assert_true(file_ok(dir, file));
		char *t = slurp(dir, file);
		check_report_text(t, true);
		free(t);
	}
	assert_non_null(strstr(report, "## Host"));
	assert_non_null(strstr(report, "## What ran"));
	for (i = 0; i < NSTAGE_NAMES; i++) {
		char row[32];
		snprintf(row, sizeof(row), "| %s | `pfbench %s", stage_names[i], stage_names[i]);
		assert_non_null(strstr(report, row));
	}
	check_report_text(report, false);
	free(report);
	assert_no_temp_files(dir);

	/* A set that came back from a host without gnuplot (the arm64 guest):
	 * metadata.json says every plot is missing and there are none. pfbench
	 * report draws them and metadata.json says so, the rest unchanged. */
	json_t *guest = json_deep_copy(meta), *missing = json_array();
	json_array_foreach(json_object_get(meta, "plots"), i, p) {
		json_array_append_new(missing, json_pack("{s:O, s:O, s:s}", "name",
							 json_object_get(p, "name"), "from",
							 json_object_get(p, "from"), "why",
							 "no scripts/ directory with the gnuplot scripts"));
		char *png = NULL;
		assert_true(asprintf(&png, "%s/%s", dir, json_string_value(json_object_get(p, "png"))) > 0);
		assert_int_equal(unlink(png), 0);
		free(png);
	}
	json_object_set_new(guest, "plots", missing);
	char mpath[PATH_MAX * 3];
	snprintf(mpath, sizeof(mpath), "%s/metadata.json", dir);
	assert_int_equal(json_dump_file(guest, mpath, JSON_INDENT(2)), 0);
	char *argv_r[] = { abs_pfbench(), "report", dir, NULL };
	char *rout = NULL;
	assert_int_equal(run(&rout, argv_r), 0);
	free(rout);
	json_t *redrawn = load(dir, "metadata.json");
	assert_non_null(json_string_value(json_object_get(redrawn, "plots_redrawn_utc")));
	assert_int_equal(json_array_size(json_object_get(redrawn, "plots")),
			 json_array_size(json_object_get(meta, "plots")));
	json_array_foreach(json_object_get(redrawn, "plots"), i, p) {
		assert_null(json_object_get(p, "why"));
		assert_true(file_ok(dir, json_string_value(json_object_get(p, "png"))));
	}
	/* Nothing else changed. */
	json_object_del(redrawn, "plots");
	json_object_del(redrawn, "plots_redrawn_utc");
	json_object_del(guest, "plots");
	assert_true(json_equal(redrawn, guest));
	json_decref(redrawn);
	json_decref(guest);
	assert_no_temp_files(dir);
	json_decref(meta);
}

/* ---- report and plots on synthetic result sets ----
 * They are written as a set was before sets declared their columns, so
 * report and plots read them through rset's compatibility mapping. */

static json_t *rec(const char *encoding, json_t *size, double median)
{
	json_t *r = json_pack("{s:s, s:o, s:f, s:f, s:f, s:f, s:f, s:i}", "encoding", encoding,
			      "nevents", size, "median_ns", median, "p90_ns", median * 1.1, "p99_ns",
			      median * 1.3, "ci95_low_ns", median * 0.98, "ci95_high_ns",
			      median * 1.02, "samples", 1000);
	return r;
}

static void write_set(const char *dir, const char *bench, json_t *records)
{
	json_t *set = json_pack("{s:s, s:s, s:{s:s}, s:b, s:[{s:s, s:s}], s:o}", "schema",
				"pfbench-result/1", "bench", bench, "context", "date_utc",
				"2025-01-01T00:00:00Z", "complete", 1, "skipped", "what",
				"pmu-exits", "why", "no vPMU", "records", records);
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s.json", dir, bench);
	assert_int_equal(json_dump_file(set, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER), 0);
	json_decref(set);
}

static void test_report_synthetic(void **state)
{
	(void)state;
	char dir[PATH_MAX + 16], *out;
	snprintf(dir, sizeof(dir), "%s/synthetic", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	json_t *ex = json_array(), *in = json_array();
	/* Shaped like pfbench exit's records: a reprogram sweep and baselines. */
	int sizes[] = { 1, 8, 64, 300 };
	for (int i = 0; i < 4; i++) {
		json_t *e1 = rec("exact", json_integer(sizes[i]), 8000 + 10 * sizes[i]);
		json_t *e2 = rec("masked", json_integer(sizes[i]), 8100 + 12 * sizes[i]);
		json_object_update_new(e1, json_pack("{s:s, s:s, s:s}", "group", "reprogram", "filter",
						 "installed", "status", "ok"));
		json_object_update_new(e2, json_pack("{s:s, s:s, s:s}", "group", "reprogram", "filter",
						 "installed", "status", "ok"));
		json_array_append_new(ex, e1);
		json_array_append_new(ex, e2);
		/* Shaped like pfbench install's. */
		json_t *r = rec("exact", json_integer(sizes[i]), 20000 + 50 * sizes[i]);
		json_object_update_new(r, json_pack("{s:s, s:i, s:s}", "case", "valid", "vcpus", 1,
						    "vcpu_state", "idle"));
		json_array_append_new(in, r);
	}
	json_t *base = rec("none", json_null(), 7900);
	json_object_update_new(base, json_pack("{s:s, s:s, s:s, s:s}", "group", "baseline", "exit",
					   "cpuid", "mode", "each", "status", "ok"));
	json_array_append_new(ex, base);
	write_set(dir, "exit", ex);
	write_set(dir, "install", in);

	char *argv[] = { abs_pfbench(), "report", dir, NULL };
	assert_int_equal(run(&out, argv), 0);
	assert_non_null(strstr(out, "/report.md"));
	free(out);
	assert_true(file_ok(dir, "plots/exit.png"));
	assert_true(file_ok(dir, "plots/exit.svg"));
	assert_true(file_ok(dir, "plots/install.png"));
	assert_true(file_ok(dir, "plots/install.svg"));
	char *svg = slurp(dir, "plots/exit.svg");
	assert_non_null(strstr(svg, "masked"));
	assert_non_null(strstr(svg, "baseline exit: cpuid"));
	free(svg);
	char *report = slurp(dir, "report.md");
	assert_non_null(strstr(report, "![exit](plots/exit.png)"));
	/* What a set did not measure is in the summary. */
	assert_non_null(strstr(report, "  - exit: pmu-exits (no vPMU)"));
	check_report_text(report, false);
	free(report);
	/* Every record is in tables/exit.md, with its caption and context. */
	char *all = slurp(dir, "tables/exit.md");
	assert_non_null(strstr(all, "| masked | 64 | 8868 |"));
	assert_non_null(strstr(all, "1000 samples per row"));
	check_report_text(all, true);
	free(all);
	assert_no_temp_files(dir);

	/* Not a result directory: exit 2. */
	char empty[PATH_MAX + 16];
	snprintf(empty, sizeof(empty), "%s/empty", tmpdir);
	assert_int_equal(mkdir(empty, 0755), 0);
	char *argv2[] = { abs_pfbench(), "report", empty, NULL };
	assert_int_equal(run(NULL, argv2), 2);
}

/* Series that coincide are drawn as one band, and its legend title (the
 * block's first row in the .dat) names them: install's exact and masked
 * filters on a VM without vCPUs (within 1%) and its masked 1 and 4 idle
 * vCPUs, word by word; lookup's table2 and hash (within 2%); a series
 * apart keeps its line. Four designs with long names: as many as fit in
 * the legend, "+3 more", the others on the plot's title lines. */
static void test_plot_bands(void **state)
{
	(void)state;
	char dir[PATH_MAX + 16], *out;
	snprintf(dir, sizeof(dir), "%s/bands", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	json_t *in = json_array(), *lk = json_array();
	int sizes[] = { 1, 16, 64, 300 };
	for (int i = 0; i < 4; i++) {
		double base = 15000 + 200 * sizes[i];
		static const struct {
			const char *enc;
			int vcpus;
			double f;
		} vm[] = { { "exact", 0, 1.0 },	 { "masked", 0, 1.01 }, { "exact", 1, 2.0 },
			   { "masked", 1, 3.0 }, { "masked", 4, 3.03 } };
		for (int v = 0; v < 5; v++) {
			json_t *r = rec(vm[v].enc, json_integer(sizes[i]), base * vm[v].f);
			json_object_update_new(r, json_pack("{s:s, s:i, s:s}", "case", "valid", "vcpus",
							    vm[v].vcpus, "vcpu_state",
							    vm[v].vcpus ? "idle" : "none"));
			json_array_append_new(in, r);
		}
		static const struct {
			const char *design;
			double ns;
		} d[] = { { "table2", 6.0 },
			  { "hash", 6.2 },
			  { "bitmap", 3.0 },
			  { "k6.3-masked", 9 },
			  { "design-with-a-long-name-1", 20 },
			  { "design-with-a-long-name-2", 20.1 },
			  { "design-with-a-long-name-3", 20.2 },
			  { "design-with-a-long-name-4", 20.3 } };
		for (int k = 0; k < 8; k++)
			json_array_append_new(
				lk, json_pack("{s:s, s:b, s:i, s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:i}",
					      "design", d[k].design, "kernel_replica", k == 3, "size",
					      sizes[i], "encoding_name", "exact", "action", "allow",
					      "pattern", "hit", "mode", "latency", "median_ns",
					      d[k].ns * (1 + 0.01 * i), "ci95_low_ns", d[k].ns * 0.99,
					      "ci95_high_ns", d[k].ns * 1.01, "samples", 21));
	}
	write_set(dir, "install", in);
	write_set(dir, "lookup", lk);
	char *argv[] = { abs_pfbench(), "report", dir, NULL };
	assert_int_equal(run(&out, argv), 0);
	free(out);
	char *dat = slurp(dir, "plots/install.dat");
	if (!strstr(dat, "# band of 2 series: \"exact, no vCPU\", \"masked, no vCPU\"\n"
			 "\"exact/masked, no vCPU (band)\"") ||
	    !strstr(dat, "\n\"exact, 1 vCPU, idle\" \"median\"") ||
	    strstr(dat, "\n\"exact, no vCPU\" \"median\""))
		fail_msg("plots/install.dat does not band the no-vCPU series by name:\n%s", dat);
	if (!strstr(dat, "\n\"masked, 1 vCPU/4 vCPUs, idle (band)\""))
		fail_msg("plots/install.dat does not band the masked idle series by name:\n%s", dat);
	free(dat);
	dat = slurp(dir, "plots/lookup-latency-hit-exact.dat");
	if (!strstr(dat, "\n\"table2, hash (band)\"") || !strstr(dat, "\n\"bitmap\" \"median\"") ||
	    strstr(dat, "\n\"table2\" \"median\""))
		fail_msg("plots/lookup-latency-hit-exact.dat does not band table2 and hash:\n%s", dat);
	if (!strstr(dat, "\n\"design-with-a-long-name-1 +3 more (band)\"") ||
	    !strstr(dat, "# band of 4 series: \"design-with-a-long-name-1\", "
			 "\"design-with-a-long-name-2\", \"design-with-a-long-name-3\", "
			 "\"design-with-a-long-name-4\"\n"))
		fail_msg("plots/lookup-latency-hit-exact.dat: no long band named so:\n%s", dat);
	free(dat);
	/* The PNG's legend and title are not text; the SVG's are: the names
	 * the legend had no room for are on the title lines. */
	char *svg = slurp(dir, "plots/lookup-latency-hit-exact.svg");
	assert_non_null(strstr(svg, "table2, hash (band)"));
	assert_non_null(strstr(svg, "design-with-a-long-name-1 +3 more: design-with-a-long-name-2,"));
	assert_non_null(strstr(svg, "design-with-a-long-name-4"));
	free(svg);
}

/* A set whose measure is not called median_ns, declared with role
 * measure and unit ns: report.md's tables show it as the median; a field
 * named median_ns declared an outcome (a decoy) is no median. */
static void test_report_declared_measure(void **state)
{
	(void)state;
	char dir[PATH_MAX + 16], *out;
	snprintf(dir, sizeof(dir), "%s/declared", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	json_t *set = json_pack(
		"{s:s, s:s, s:{s:s}, s:b, s:[], s:[{s:s, s:s, s:s, s:n}, {s:s, s:s, s:s, s:n},"
		" {s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}],"
		" s:[{s:s, s:i, s:f, s:f}, {s:s, s:i, s:f, s:f}]}",
		"schema", "pfbench-result/1", "bench", "probe", "context", "date_utc",
		"2025-01-01T00:00:00Z", "complete", 1, "skipped", "columns",
		"name", "design", "role", "key", "type", "string", "unit",
		"name", "nevents", "role", "key", "type", "integer", "unit",
		"name", "median_ns", "role", "outcome", "type", "real", "unit", "count",
		"name", "latency", "role", "measure", "type", "real", "unit", "ns",
		"records", "design", "x", "nevents", 8, "median_ns", 5.0, "latency", 123.0,
		"design", "y", "nevents", 16, "median_ns", 5.0, "latency", 456.0);
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/probe.json", dir);
	assert_int_equal(json_dump_file(set, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER), 0);
	json_decref(set);
	char *argv[] = { abs_pfbench(), "report", dir, NULL };
	assert_int_equal(run(&out, argv), 0);
	free(out);
	char *all = slurp(dir, "tables/probe.md");
	if (!strstr(all, "| design | nevents | median ns |") || !strstr(all, "| x | 8 | 123 |") ||
	    !strstr(all, "| y | 16 | 456 |"))
		fail_msg("tables/probe.md does not show latency as the median:\n%s", all);
	free(all);
}

/* A set made on arm64 (its context's host is aarch64, as info.json):
 * the report and the plots name arm64's mechanisms, not x86's. */
static void test_report_arm64_words(void **state)
{
	(void)state;
	char dir[PATH_MAX + 16], *out;
	snprintf(dir, sizeof(dir), "%s/arm64words", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	json_t *host = json_pack(
		"{s:s, s:s, s:{s:s, s:n, s:n, s:n, s:n, s:{s:s, s:s, s:s, s:s, s:i, s:i}},"
		" s:{s:b, s:s, s:s}, s:{s:s, s:s},"
		" s:{s:b, s:{s:i}, s:{s:b, s:i, s:i, s:i, s:i}}}",
		"schema", "pfbench-hostinfo/1", "host_id", "arm-pd0c-host-0123abcd", "cpu", "arch",
		"aarch64", "vendor", "family", "model", "model_name", "midr", "value", "0x414fd0c1",
		"implementer", "0x41", "implementer_name", "arm", "part", "0xd0c", "variant", 4,
		"revision", 1, "virtualization", "hypervisor", 0, "hypervisor_vendor", "-", "how",
		"no guest machine description", "pmu", "default", "arm_n1", "default_desc",
		"ARM Neoverse N1", "kvm", "usable", 1, "caps", "arm_pmu_v3", 1, "vpmu", "present", 1,
		"version", 4, "gp_counters", 6, "gp_width", 32, "fixed_width", 64);
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/info.json", dir);
	assert_int_equal(json_dump_file(host, path, JSON_INDENT(1)), 0);
	json_t *in = json_array();
	int sizes[] = { 1, 16, 64 };
	for (int i = 0; i < 3; i++) {
		json_t *r = rec("arm64-ranges", json_integer(sizes[i]), 2000 + 1500 * sizes[i]);
		json_object_update_new(r, json_pack("{s:s, s:i, s:s}", "case", "valid", "vcpus", 1,
						    "vcpu_state", "before INIT"));
		json_array_append_new(in, r);
	}
	json_t *set = json_pack("{s:s, s:s, s:{s:s, s:O}, s:b, s:[], s:o}", "schema",
				"pfbench-result/1", "bench", "install", "context", "date_utc",
				"2026-01-01T00:00:00Z", "host", host, "complete", 1, "skipped",
				"records", in);
	snprintf(path, sizeof(path), "%s/install.json", dir);
	assert_int_equal(json_dump_file(set, path, JSON_INDENT(1)), 0);
	json_decref(set);
	json_decref(host);

	char *argv[] = { abs_pfbench(), "report", dir, NULL };
	assert_int_equal(run(&out, argv), 0);
	free(out);
	char *report = slurp(dir, "report.md");
	assert_non_null(strstr(report, "one KVM_ARM_VCPU_PMU_V3_FILTER vCPU attribute"));
	assert_non_null(strstr(report, "| CPU | ARM Neoverse N1 (MIDR_EL1 0x414fd0c1"));
	assert_non_null(strstr(report, "no hypervisor seen (no guest machine description)"));
	assert_non_null(strstr(report, "PMUv3, PMUVer 4"));
	assert_null(strstr(report, "CPUID"));
	assert_null(strstr(report, "KVM_SET_PMU_EVENT_FILTER"));
	assert_null(strstr(report, "SRCU"));
	assert_null(strstr(report, "enable_pmu"));
	free(report);
	char *svg = slurp(dir, "plots/install.svg");
	assert_non_null(strstr(svg, "KVM_ARM_VCPU_PMU_V3_FILTER set-up vs number of ranges"));
	assert_null(strstr(svg, "KVM_SET_PMU_EVENT_FILTER"));
	assert_non_null(strstr(svg, "ARM Neoverse N1"));
	free(svg);
}

/* ---- interruption ---- */

static void test_interrupt(void **state)
{
	(void)state;
	char fake[PATH_MAX + 16], mark[PATH_MAX + 16], dir[PATH_MAX + 16];
	snprintf(fake, sizeof(fake), "%s/fake-pfbench", tmpdir);
	snprintf(mark, sizeof(mark), "%s/lookup-started", tmpdir);
	snprintf(dir, sizeof(dir), "%s/interrupted", tmpdir);
	/* The lookup stage hangs until a signal; the others are real. */
	FILE *f = fopen(fake, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n"
		   "if [ \"$1\" = lookup ]; then touch '%s'; exec sleep 600; fi\n"
		   "exec '%s' \"$@\"\n", mark, abs_pfbench());
	fclose(f);
	assert_int_equal(chmod(fake, 0755), 0);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char errpath[PATH_MAX + 16];
		snprintf(errpath, sizeof(errpath), "%s/stderr.txt", tmpdir);
		int e = open(errpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
		int nul = open("/dev/null", O_WRONLY);
		dup2(nul, 1);
		dup2(e, 2);
		execl(abs_pfbench(), "pfbench", "suite", "--tiny", "--dir", dir, "--pfbench", fake,
		      (char *)NULL);
		_exit(127);
	}
	/* Wait for the stage to start (bounded, not a timing assertion). */
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	for (int i = 0; i < 20 * 120 && access(mark, F_OK) < 0; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(access(mark, F_OK), 0);
	assert_int_equal(kill(pid, SIGINT), 0);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 128 + SIGINT);

	json_t *meta = load(dir, "metadata.json");
	assert_true(json_is_false(json_object_get(meta, "complete")));
	assert_string_equal(json_string_value(json_object_get(meta, "interrupted_by")), "SIGINT");
	json_t *stages = json_object_get(meta, "stages");
	assert_int_equal(json_array_size(stages), NSTAGE_NAMES);
	const char *want[] = { NULL, "interrupted", "not run", "not run", "not run", "not run" };
	for (size_t i = 1; i < NSTAGE_NAMES; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(stages, i),
								      "status")), want[i]);
	/* The finished stage's files are intact. */
	const char *info_status =
		json_string_value(json_object_get(json_array_get(stages, 0), "status"));
	if (!strcmp(info_status, "ok")) {
		json_t *h = load(dir, "info.json");
		assert_non_null(json_object_get(h, "host_id"));
		json_decref(h);
	}
	char *report = slurp(dir, "report.md");
	assert_non_null(strstr(report, "interrupted by SIGINT"));
	/* Every stage's command is shown, the interrupted and unrun too. */
	for (size_t i = 0; i < NSTAGE_NAMES; i++) {
		char row[64];
		snprintf(row, sizeof(row), "| %s | `pfbench %s", stage_names[i], stage_names[i]);
		if (!strstr(report, row))
			fail_msg("report.md: no command for stage %s", stage_names[i]);
	}
	free(report);
	assert_no_temp_files(dir);
	json_decref(meta);
}

/* ---- never overwrite ---- */

static void test_no_overwrite(void **state)
{
	(void)state;
	char root[PATH_MAX + 16], dir1[PATH_MAX * 2], dir2[PATH_MAX * 2], *out;
	snprintf(root, sizeof(root), "%s/twice", tmpdir);
	char *argv[] = { abs_pfbench(), "suite", "--tiny", "--only", "info", "--no-plots", "-o",
			 root, "--name", "run", NULL };
	assert_int_equal(run(&out, argv), 0);
	run_dir(out, dir1, sizeof(dir1));
	free(out);
	char *meta1 = slurp(dir1, "metadata.json");
	assert_int_equal(run(&out, argv), 0);
	run_dir(out, dir2, sizeof(dir2));
	free(out);
	assert_string_not_equal(dir1, dir2);
	assert_non_null(strstr(dir2, "/run-2"));
	char *again = slurp(dir1, "metadata.json");
	assert_string_equal(meta1, again);
	free(again);

	/* An exact --dir that exists is refused, and left as it was. */
	char *argv2[] = { abs_pfbench(), "suite", "--tiny", "--only", "info", "--dir", dir1, NULL };
	assert_int_equal(run(NULL, argv2), 2);
	again = slurp(dir1, "metadata.json");
	assert_string_equal(meta1, again);
	free(again);
	free(meta1);
}

/* A stage that fails and one that overruns --timeout (a stand-in for
 * pfbench given with --pfbench): both recorded with their reason, the
 * suite goes on, finishes its report and exits 1. */
static void test_failed_and_timeout(void **state)
{
	(void)state;
	char script[PATH_MAX + 16], root[PATH_MAX + 16], dir[PATH_MAX * 2], *out;
	snprintf(script, sizeof(script), "%s/fake-pfbench", tmpdir);
	FILE *f = fopen(script, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\ncase \"$1\" in\ninfo) echo 'info: broken on purpose' >&2; exit 1 ;;\n"
	      "lookup) exec sleep 60 ;;\nesac\nexit 3\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(script, 0755), 0);
	snprintf(root, sizeof(root), "%s/failing", tmpdir);
	char *argv[] = { abs_pfbench(), "suite", "--tiny", "--only", "info,lookup", "--no-plots",
			 "--timeout", "1", "--pfbench", script, "-o", root, NULL };
	assert_int_equal(run(&out, argv), 1);
	run_dir(out, dir, sizeof(dir));
	free(out);
	json_t *meta = load(dir, "metadata.json");
	assert_true(json_is_true(json_object_get(meta, "complete")));
	json_t *stages = json_object_get(meta, "stages");
	const char *want[] = { "failed", "timeout" };
	for (size_t i = 0; i < 2; i++) {
		json_t *s = json_array_get(stages, i);
		assert_string_equal(json_string_value(json_object_get(s, "name")), stage_names[i]);
		assert_string_equal(json_string_value(json_object_get(s, "status")), want[i]);
		assert_non_null(json_string_value(json_object_get(s, "why")));
	}
	assert_int_equal(json_integer_value(json_object_get(json_array_get(stages, 0), "exit_code")), 1);
	assert_int_equal(json_array_size(json_object_get(meta, "failed")), 2);
	json_decref(meta);
	assert_true(file_ok(dir, "report.md"));
	assert_no_temp_files(dir);
}

/* -r 2: the lookup stage runs twice (the second into repeats/2/), and the
 * report gives each median's run-to-run spread beside its CI. */
static void test_repeat(void **state)
{
	(void)state;
	char root[PATH_MAX + 8], dir[PATH_MAX * 2], *out;
	snprintf(root, sizeof(root), "%s/repeat", tmpdir);
	char *argv[] = { abs_pfbench(), "suite", "--tiny", "--only", "info,lookup", "--no-plots",
			 "-r", "2", "-o", root, NULL };
	assert_int_equal(run(&out, argv), 0);
	run_dir(out, dir, sizeof(dir));
	free(out);
	json_t *meta = load(dir, "metadata.json");
	assert_int_equal(json_integer_value(json_object_get(meta, "repeat")), 2);
	json_t *lk = json_array_get(json_object_get(meta, "stages"), 1);
	json_t *reps = json_object_get(lk, "repeats");
	assert_int_equal(json_array_size(reps), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(reps, 0), "dir")),
			    "repeats/2");
	json_decref(meta);
	assert_true(file_ok(dir, "repeats/2/lookup.json"));
	/* Every timed lookup record has two medians and their CV. */
	json_t *rep = load(dir, "repeats.json");
	assert_int_equal(json_integer_value(json_object_get(rep, "runs")), 2);
	json_t *per = json_object_get(json_object_get(rep, "sets"), "lookup");
	assert_true(json_object_size(per) > 0);
	const char *k;
	json_t *e;
	json_object_foreach(per, k, e) {
		assert_int_equal(json_array_size(json_object_get(e, "run_medians_ns")), 2);
		assert_true(json_real_value(json_object_get(e, "run_cv")) >= 0);
	}
	json_decref(rep);
	char *report = slurp(dir, "report.md");
	assert_non_null(strstr(report, "run to run (2 runs)"));
	assert_non_null(strstr(report, "run-to-run CV at 16 (2 runs)"));
	free(report);
	/* Bad counts are usage errors. */
	char *bad[] = { abs_pfbench(), "suite", "-r", "0", "-o", root, NULL };
	assert_int_equal(run(NULL, bad), 2);
}

static void test_usage(void **state)
{
	(void)state;
	char *a1[] = { abs_pfbench(), "suite", "--help", NULL }, *help;
	assert_int_equal(run(&help, a1), 0);
	/* Every long option of the list is in the usage synopsis (the text up
	 * to the first blank line), and the other way round. */
	char *blank = strstr(help, "\n\n");
	assert_non_null(blank);
	*blank = '\0';
	const char *list = blank + 1;
	size_t nlist = 0;
	for (const char *p = list; (p = strstr(p, "\n  ")); p++) {
		const char *o = strstr(p, "--");
		if (!o || o > strchr(p + 1, '\n'))
			continue;
		char name[64];
		size_t n = strspn(o + 2, "abcdefghijklmnopqrstuvwxyz-");
		assert_true(n > 0 && n < sizeof(name) - 3);
		snprintf(name, sizeof(name), "--%.*s", (int)n, o + 2);
		/* "-o, --output ROOT": the short form may stand in the synopsis. */
		char shortname[8] = "";
		if (p[3] == '-' && p[4] != '-' && p[5] == ',')
			snprintf(shortname, sizeof(shortname), "-%c ", p[4]);
		if (strcmp(name, "--help")) {
			if (!strstr(help, name) && !(*shortname && strstr(help, shortname)))
				fail_msg("suite --help: %s is in the option list, not in the usage line",
					 name);
			nlist++;
		}
	}
	assert_true(nlist >= 10);
	for (const char *p = help; (p = strstr(p, "--")); p += 2) {
		char name[64];
		size_t n = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");
		snprintf(name, sizeof(name), "\n  %.*s", (int)n + 2, p);
		bool listed = strstr(list, name) != NULL;
		snprintf(name, sizeof(name), ", %.*s", (int)n + 2, p);
		if (!listed && !strstr(list, name))
			fail_msg("suite --help: %.*s is in the usage line, not in the option list",
				 (int)n + 2, p);
	}
	free(help);
	char *a2[] = { abs_pfbench(), "suite", "--quick", "--full", NULL };
	assert_int_equal(run(NULL, a2), 2);
	char *a3[] = { abs_pfbench(), "suite", "--only", "nosuch", NULL };
	assert_int_equal(run(NULL, a3), 2);
	char *a4[] = { abs_pfbench(), "suite", "--bogus", NULL };
	assert_int_equal(run(NULL, a4), 2);
	char *a5[] = { abs_pfbench(), "report", "--help", NULL };
	assert_int_equal(run(NULL, a5), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pfbench-test-suite-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", getenv("PFBENCH_TEST_KEEP") ? "/nonexistent" : tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_tiny_suite),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_report_synthetic),
		cmocka_unit_test(test_plot_bands),
		cmocka_unit_test(test_report_declared_measure),
		cmocka_unit_test(test_report_arm64_words),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_no_overwrite),
		cmocka_unit_test(test_failed_and_timeout),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
