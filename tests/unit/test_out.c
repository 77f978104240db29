/* test_out.c — result sets, the stats columns, the JSON and CSV writers
 * (round trip, RFC 4180 quoting, atomic replacement, failures leave nothing
 * behind) and the context block. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <regex.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "out.h"

static char tmpdir[64];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pfbench-test-out.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *path_in(const char *sub)
{
	static char buf[8][256];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, sub);
	return buf[k];
}

/* Number of entries in dir whose name contains ".tmp." */
static int count_temps(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp."))
			n++;
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return strdup("");
	}
	return buf;
}

/* ---- a tiny RFC 4180 reader: rows of fields, quotes and "" escapes ---- */
struct csv {
	size_t nrows;
	size_t ncols[16];
	char *f[16][16];
};

static void csv_parse(const char *s, struct csv *c)
{
	memset(c, 0, sizeof(*c));
	char field[1024];
	size_t flen = 0;
	int quoted = 0, any = 0;
	for (;;) {
		char ch = *s;
		if (quoted) {
			assert_true(ch != '\0'); /* unterminated quote */
			if (ch == '"' && s[1] == '"') {
				field[flen++] = '"';
				s += 2;
			} else if (ch == '"') {
				quoted = 0;
				s++;
				/* after a closing quote only , or end of line */
				assert_true(*s == ',' || *s == '\n' || *s == '\0' || *s == '\r');
			} else {
				field[flen++] = ch;
				s++;
			}
			continue;
		}
		if (ch == '"') {
			assert_int_equal(flen, 0); /* quotes only open a field */
			quoted = 1;
			any = 1;
			s++;
			continue;
		}
		if (ch == ',' || ch == '\n' || ch == '\0') {
			if (ch == '\0' && !any && flen == 0 && c->ncols[c->nrows] == 0)
				break; /* final newline already closed the row */
			field[flen] = '\0';
			assert_true(c->nrows < 16 && c->ncols[c->nrows] < 16);
			c->f[c->nrows][c->ncols[c->nrows]++] = strdup(field);
			flen = 0;
			any = 0;
			if (ch == ',') {
				any = 1; /* a field follows, even if empty */
			} else {
				c->nrows++;
				if (ch == '\0')
					break;
			}
			s++;
			continue;
		}
		field[flen++] = ch;
		any = 1;
		s++;
	}
}

static void csv_free(struct csv *c)
{
	for (size_t r = 0; r < 16; r++)
		for (size_t i = 0; i < 16; i++)
			free(c->f[r][i]);
}

static struct tsc_calib fake_calib(void)
{
	struct tsc_calib c = { .ticks_per_ns = 2.0, .overhead_ticks = 20, .overhead_ns = 10,
			       .source = TSC_SOURCE, .method = "clock_monotonic" };
	return c;
}

/* The columns every test set declares (out_set_new() needs a schema);
 * "unused" is declared and never set, so the CSV leaves it out. */
static const struct schema_col test_cols[] = {
	{ "design", COL_KEY, COL_STRING, NULL, "a name" },
	{ "size", COL_KEY, COL_INT, "entries", "a size" },
	{ "unused", COL_KEY, COL_STRING, NULL, "in no record" },
	{ "ratio", COL_MEASURE, COL_REAL, "ratio", "a real" },
	{ "ok", COL_OUTCOME, COL_BOOL, NULL, "a bool" },
	{ "samples_ns", COL_MEASURE, COL_ARRAY, "ns", "an array" },
	{ "extra", COL_CONTEXT, COL_STRING, NULL, "a string" },
	{ "nothing", COL_OUTCOME, COL_STRING, NULL, "always null" },
	{ "nested", COL_OUTCOME, COL_ARRAY, NULL, "an array" },
	{ "big", COL_MEASURE, COL_REAL, NULL, "a large real" },
	{ "v", COL_MEASURE, COL_REAL, NULL, "a real" },
	{ "i", COL_KEY, COL_INT, NULL, "an integer" },
	{ "pad", COL_CONTEXT, COL_STRING, NULL, "padding" },
};

static json_t *new_set(const char *bench, json_t *ctx)
{
	const struct schema s = { .bench = bench, .title = "test", SCHEMA_COLS(test_cols) };
	return out_set_new(&s, ctx);
}

/* A set with awkward strings, every scalar type, and arrays. */
static json_t *sample_set(const char *bench)
{
	json_t *ctx = json_pack("{s:s, s:{s:i}}", "note", "test context", "host", "cores", 2);
	json_t *set = new_set(bench, ctx);
	json_t *r1 = json_pack("{s:s, s:i, s:f, s:b, s:[f,f]}", "design", "a,b", "size", 1,
			       "ratio", 0.1, "ok", 1, "samples_ns", 1.5, 2.5);
	json_t *r2 = json_pack("{s:s, s:s, s:i, s:n, s:[i], s:f}", "design", "say \"hi\"",
			       "extra", "line\nbreak", "size", -2, "nothing", "nested", 1,
			       "big", 1e300);
	out_set_add(set, r1);
	out_set_add(set, r2);
	out_set_skip(set, "latency/masked", "no vPMU: enable_pmu=N");
	out_set_complete(set, true);
	return set;
}

/* The set carries its declared columns with roles, types and units, and
 * the writers refuse a record with an undeclared field or a value of
 * another type, leaving nothing behind. */
static void test_set_schema(void **state)
{
	(void)state;
	json_t *set = sample_set("schema");
	const json_t *cols = json_object_get(set, "columns");
	assert_int_equal(json_array_size(cols), sizeof(test_cols) / sizeof(test_cols[0]));
	const json_t *size = schema_column(cols, "size");
	assert_string_equal(json_string_value(json_object_get(size, "role")), "key");
	assert_string_equal(json_string_value(json_object_get(size, "type")), "integer");
	assert_string_equal(json_string_value(json_object_get(size, "unit")), "entries");
	assert_true(json_is_null(json_object_get(schema_column(cols, "design"), "unit")) ||
		    !json_object_get(schema_column(cols, "design"), "unit"));
	const json_t *keys = json_object_get(set, "key_columns");
	assert_int_equal(json_array_size(keys), 4);
	assert_string_equal(json_string_value(json_array_get(keys, 2)), "unused");
	char err[320] = "";
	assert_int_equal(out_check_set(set, err, sizeof(err)), 0);

	/* A set not built through out_set_add (a hand-edited file, a
	 * release build) is still refused at write. */
	json_array_append_new(json_object_get(set, "records"),
			      json_pack("{s:s, s:i}", "design", "x", "undeclared", 1));
	assert_int_equal(out_check_set(set, err, sizeof(err)), -EPROTO);
	assert_string_equal(err, "record 2: field \"undeclared\" is not declared in the schema of schema");
	char *dir = path_in("schema-refused");
	assert_int_equal(out_write_set(set, dir), -EPROTO);
	char pj[300];
	snprintf(pj, sizeof(pj), "%s/schema.json", dir);
	assert_int_equal(access(pj, F_OK), -1);
	json_decref(set);

	set = sample_set("schema");
	json_array_append_new(json_object_get(set, "records"), json_pack("{s:s}", "size", "12"));
	assert_int_equal(out_check_set(set, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "field \"size\" of schema holds a JSON string, declared integer"));
	json_decref(set);
}

/* In a child: out_set_add(sample_set("schema"), rec). Its stderr into
 * err (malloc'd); returns the wait status. */
static int add_in_child(json_t *rec, char **err)
{
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	fflush(NULL);
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		json_t *set = sample_set("schema");
		out_set_add(set, rec);
		json_decref(set);
		_exit(0);
	}
	close(fd[1]);
	size_t cap = 4096, len = 0;
	ssize_t n;
	*err = malloc(cap);
	while ((n = read(fd[0], *err + len, cap - len - 1)) > 0)
		len += (size_t)n;
	(*err)[len] = '\0';
	close(fd[0]);
	int st;
	waitpid(p, &st, 0);
	json_decref(rec);
	return st;
}

/* The record builder's check: out_set_add() aborts on a field the set
 * does not declare, or of another type, naming it, where the writer made
 * the record; a declared record goes in. */
static void test_add_checks(void **state)
{
	(void)state;
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "{\"design\": \"x\", \"size\": 4}", NULL },
		{ "{\"design\": \"x\", \"undeclared\": 1}",
		  "pfbench: BUG: field \"undeclared\" is not declared in the schema of schema" },
		{ "{\"size\": \"12\"}",
		  "pfbench: BUG: field \"size\" of schema holds a JSON string, declared integer" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err;
		json_t *rec = json_loads(cases[i].json, 0, NULL);
		assert_non_null(rec);
		int st = add_in_child(rec, &err); /* the child steals rec, the parent drops it */
		if (!cases[i].want ? !WIFEXITED(st) || WEXITSTATUS(st) != 0 || *err
				   : !WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT ||
					     strncmp(err, cases[i].want, strlen(cases[i].want)))
			fail_msg("%s: status 0x%x, stderr '%s'", cases[i].json, st, err);
		free(err);
	}
}

/* out_record_stats() writes exactly the statistics columns schema.h
 * declares (a COL_STATS row), with any prefix. */
static void test_stats_declared(void **state)
{
	(void)state;
	static const struct schema_col cols[] = {
		{ "", COL_MEASURE, COL_STATS, "ns", "one thing" },
		{ "overhead_", COL_MEASURE, COL_STATS, "ns", "nothing" },
	};
	const struct schema sc = { .bench = "st", .title = "t", SCHEMA_COLS(cols) };
	struct tsc_calib c = fake_calib();
	const double t[] = { 10, 12, 11, 30 };
	json_t *set = out_set_new(&sc, json_object());
	json_t *rec = json_object();
	assert_int_equal(out_record_stats(rec, "", t, 4, &c, true), 0);
	assert_int_equal(out_record_stats(rec, "overhead_", t, 4, &c, true), 0);
	size_t n;
	schema_stats_cols(&n);
	assert_int_equal(json_object_size(rec), 2 * n);
	assert_int_equal(json_array_size(json_object_get(set, "columns")), 2 * n);
	out_set_add(set, rec);
	char err[320] = "";
	assert_int_equal(out_check_set(set, err, sizeof(err)), 0);
	const json_t *col = schema_column(json_object_get(set, "columns"), "overhead_p99_cycles");
	assert_string_equal(json_string_value(json_object_get(col, "unit")), "timer ticks");
	json_decref(set);
}

static void test_set_shape(void **state)
{
	(void)state;
	json_t *set = new_set("lookup", json_object());
	assert_string_equal(json_string_value(json_object_get(set, "schema")), OUT_SCHEMA);
	assert_string_equal(json_string_value(json_object_get(set, "bench")), "lookup");
	assert_true(json_is_false(json_object_get(set, "complete")));
	assert_int_equal(json_array_size(json_object_get(set, "records")), 0);
	assert_int_equal(json_array_size(json_object_get(set, "skipped")), 0);
	out_set_skip(set, "what", "why");
	json_t *sk = json_array_get(json_object_get(set, "skipped"), 0);
	assert_string_equal(json_string_value(json_object_get(sk, "why")), "why");
	out_set_complete(set, true);
	assert_true(json_is_true(json_object_get(set, "complete")));
	out_set_add(set, json_object());
	assert_int_equal(json_array_size(json_object_get(set, "records")), 1);
	json_decref(set);
}

static void test_record_stats(void **state)
{
	(void)state;
	struct tsc_calib c = fake_calib();
	/* ticks {10..40, 1000} at 2 ticks/ns: median 30 ticks = 15 ns; 1000 is
	 * the one outlier (MAD 10 ticks). */
	const double ticks[] = { 40, 10, 1000, 30, 20 };
	json_t *rec = json_object();
	assert_int_equal(out_record_stats(rec, "", ticks, 5, &c, true), 0);
	assert_int_equal(json_integer_value(json_object_get(rec, "samples")), 5);
	assert_true(json_real_value(json_object_get(rec, "median_ns")) == 15.0);
	assert_true(json_real_value(json_object_get(rec, "median_cycles")) == 30.0);
	assert_true(json_real_value(json_object_get(rec, "min_ns")) == 5.0);
	assert_true(json_real_value(json_object_get(rec, "max_ns")) == 500.0);
	assert_true(json_real_value(json_object_get(rec, "mean_ns")) == 110.0);
	assert_true(json_real_value(json_object_get(rec, "mad_ns")) == 5.0);
	assert_true(fabs(json_real_value(json_object_get(rec, "p90_ns")) - 308.0) < 1e-9);
	assert_int_equal(json_integer_value(json_object_get(rec, "outliers")), 1);
	double lo = json_real_value(json_object_get(rec, "ci95_low_ns"));
	double hi = json_real_value(json_object_get(rec, "ci95_high_ns"));
	assert_true(lo <= 15.0 && 15.0 <= hi);
	assert_true(json_is_real(json_object_get(rec, "cv")));
	assert_true(json_is_real(json_object_get(rec, "p99_ns")));
	json_t *raw = json_object_get(rec, "samples_ns");
	assert_int_equal(json_array_size(raw), 5);
	assert_true(json_real_value(json_array_get(raw, 0)) == 20.0); /* input order */
	assert_true(json_real_value(json_array_get(raw, 2)) == 500.0);
	/* The brief's column order comes first. */
	static const char *order[] = { "samples", "median_ns", "p90_ns", "p99_ns", "min_ns",
				       "max_ns", "mean_ns", "mad_ns", "cv", "ci95_low_ns",
				       "ci95_high_ns", "outliers", "median_cycles" };
	void *it = json_object_iter(rec);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		assert_non_null(it);
		assert_string_equal(json_object_iter_key(it), order[i]);
		it = json_object_iter_next(rec, it);
	}
	json_decref(rec);

	rec = json_object();
	assert_int_equal(out_record_stats(rec, "warm_", ticks, 5, &c, false), 0);
	assert_non_null(json_object_get(rec, "warm_median_ns"));
	assert_null(json_object_get(rec, "warm_samples_ns"));
	assert_null(json_object_get(rec, "median_ns"));
	const double bad[] = { 1, NAN };
	assert_int_equal(out_record_stats(rec, "", ticks, 0, &c, false), -EINVAL);
	assert_int_equal(out_record_stats(rec, "", bad, 2, &c, false), -EINVAL);
	assert_int_equal(out_record_stats(rec, "", ticks, 5, NULL, false), -EINVAL);
	json_decref(rec);

	/* All-zero mean with spread: cv is null, never a made-up number. */
	const double sym[] = { -2, 2 };
	rec = json_object();
	assert_int_equal(out_record_stats(rec, "", sym, 2, &c, false), 0);
	assert_true(json_is_null(json_object_get(rec, "cv")));
	json_decref(rec);
}

static void test_json_round_trip(void **state)
{
	(void)state;
	json_t *set = sample_set("rt");
	char *dir = path_in("a/b/c"); /* created like mkdir -p */
	assert_int_equal(out_write_set(set, dir), 0);
	char err[256];
	char jpath[256];
	snprintf(jpath, sizeof(jpath), "%s/rt.json", dir);
	json_t *back = out_read_json(jpath, err, sizeof(err));
	assert_non_null(back);
	assert_true(json_equal(set, back));
	assert_int_equal(count_temps(dir), 0);
	json_decref(back);
	json_decref(set);
}

static void test_csv(void **state)
{
	(void)state;
	json_t *set = sample_set("csv");
	assert_int_equal(out_write_set(set, tmpdir), 0);
	char *text = slurp(path_in("csv.csv"));
	assert_non_null(text);
	struct csv c;
	csv_parse(text, &c);
	/* The declared scalar columns some record holds, in the schema's
	 * order; samples_ns and nested (arrays) and unused (in no record) are
	 * left out. */
	static const char *hdr[] = { "design", "size", "ratio", "ok", "extra", "nothing", "big" };
	assert_int_equal(c.nrows, 3);
	assert_int_equal(c.ncols[0], 7);
	for (int i = 0; i < 7; i++)
		assert_string_equal(c.f[0][i], hdr[i]);
	assert_int_equal(c.ncols[1], 7);
	assert_int_equal(c.ncols[2], 7);
	assert_string_equal(c.f[1][0], "a,b");
	assert_string_equal(c.f[1][1], "1");
	assert_string_equal(c.f[1][2], "0.1");
	assert_string_equal(c.f[1][3], "true");
	assert_string_equal(c.f[1][4], ""); /* missing */
	assert_string_equal(c.f[2][0], "say \"hi\"");
	assert_string_equal(c.f[2][1], "-2");
	assert_string_equal(c.f[2][2], "");
	assert_string_equal(c.f[2][4], "line\nbreak");
	assert_string_equal(c.f[2][5], ""); /* null */
	assert_true(strtod(c.f[2][6], NULL) == 1e300);
	/* The raw text quotes exactly the fields that need it. */
	assert_non_null(strstr(text, "\"a,b\",1,0.1,true,"));
	assert_non_null(strstr(text, "\"say \"\"hi\"\"\",-2,,,\"line\nbreak\","));
	csv_free(&c);
	free(text);
	json_decref(set);

	/* No records: an empty file. */
	set = new_set("empty", json_object());
	char *s = out_csv_string(set);
	assert_string_equal(s, "");
	free(s);
	json_decref(set);
}

static void test_csv_reals_read_back_exactly(void **state)
{
	(void)state;
	json_t *set = new_set("r", json_object());
	const double v[] = { 0.1, 1.0 / 3.0, 2.0 / 3.0, 123456.789, 1e-300, 5e-324, -0.0, 3.0 };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		out_set_add(set, json_pack("{s:f}", "v", v[i]));
	char *text = out_csv_string(set);
	struct csv c;
	csv_parse(text, &c);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_true(strtod(c.f[i + 1][0], NULL) == v[i]);
	assert_string_equal(c.f[2][0], "0.3333333333333333");
	assert_string_equal(c.f[8][0], "3");
	csv_free(&c);
	free(text);
	json_decref(set);
}

static void test_atomic_replace(void **state)
{
	(void)state;
	char *p = path_in("atomic.json");
	json_t *a = sample_set("a");
	json_t *b = sample_set("b");
	assert_int_equal(out_write_json(a, p), 0);
	assert_int_equal(out_write_json(b, p), 0);
	json_t *back = out_read_json(p, NULL, 0);
	assert_true(json_equal(back, b)); /* replaced whole */
	json_decref(back);
	char *before = slurp(p);

	/* A write that fails halfway (file size limit) leaves the old file
	 * byte for byte and no temp file. */
	json_t *big = new_set("big", json_object());
	for (int i = 0; i < 2000; i++)
		out_set_add(big, json_pack("{s:i, s:s}", "i", i, "pad", "xxxxxxxxxxxxxxxxxxxxxxxx"));
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 4096;
	void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int e1 = out_write_json(big, p);
	int e2 = out_write_csv(big, p);
	/* and a whole set over an existing pair */
	char *sdir = path_in("setdir");
	json_t *small = sample_set("big");
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(out_write_set(small, sdir), 0);
	char sj[300];
	snprintf(sj, sizeof(sj), "%s/big.json", sdir);
	char *set_before = slurp(sj);
	lim.rlim_cur = 4096;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int e3 = out_write_set(big, sdir);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	assert_int_equal(e1, -EFBIG);
	assert_int_equal(e2, -EFBIG);
	assert_int_equal(e3, -EFBIG);
	char *after = slurp(p);
	assert_string_equal(before, after);
	char *set_after = slurp(sj);
	assert_string_equal(set_before, set_after);
	assert_int_equal(count_temps(tmpdir), 0);
	assert_int_equal(count_temps(sdir), 0);
	free(set_before);
	free(set_after);
	json_decref(small);
	free(before);
	free(after);
	json_decref(big);
	json_decref(a);
	json_decref(b);
}

static void test_failures_leave_nothing(void **state)
{
	(void)state;
	json_t *set = sample_set("fail");
	/* DIR below a regular file: mkdir -p fails, nothing is written. */
	char *file = path_in("plainfile");
	FILE *f = fopen(file, "we");
	assert_non_null(f);
	fclose(f);
	char *dir = path_in("plainfile/sub");
	assert_int_equal(out_write_set(set, dir), -ENOTDIR);
	struct stat st;
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_size, 0);

	/* Missing parent for a single file. */
	assert_int_equal(out_write_json(set, path_in("nope/x.json")), -ENOENT);
	assert_int_equal(out_write_csv(set, path_in("nope/x.csv")), -ENOENT);
	assert_int_equal(stat(path_in("nope"), &st), -1);

	/* The rename itself fails (target is a directory): the temp file is
	 * removed and the directory untouched. */
	char *d = path_in("isdir.json");
	assert_int_equal(mkdir(d, 0755), 0);
	assert_int_equal(out_write_json(set, d), -EISDIR);
	assert_int_equal(stat(d, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(count_temps(tmpdir), 0);

	/* A pair is replaced together or not at all: with pair.csv a
	 * directory, pair.json keeps its old content. */
	char *pdir = path_in("pairdir");
	json_t *old = sample_set("pair");
	assert_int_equal(out_write_set(old, pdir), 0);
	char pj[300], pc[300];
	snprintf(pj, sizeof(pj), "%s/pair.json", pdir);
	snprintf(pc, sizeof(pc), "%s/pair.csv", pdir);
	char *before = slurp(pj);
	assert_int_equal(unlink(pc), 0);
	assert_int_equal(mkdir(pc, 0755), 0);
	json_t *newer = sample_set("pair");
	out_set_add(newer, json_pack("{s:s}", "design", "new"));
	assert_int_equal(out_write_set(newer, pdir), -EISDIR);
	char *after = slurp(pj);
	assert_string_equal(before, after);
	assert_int_equal(count_temps(pdir), 0);
	free(before);
	free(after);
	json_decref(old);
	json_decref(newer);

	/* A read-only directory (meaningless as root, who may write anyway). */
	if (geteuid() != 0) {
		char *ro = path_in("ro");
		assert_int_equal(mkdir(ro, 0555), 0);
		assert_int_equal(out_write_set(set, ro), -EACCES);
		assert_int_equal(count_temps(ro), 0);
	} else {
		print_message("read-only directory case skipped: running as root\n");
	}

	/* Not a set, bad bench names. */
	json_t *notset = json_integer(1);
	assert_int_equal(out_write_json(notset, path_in("n.json")), -EINVAL);
	assert_int_equal(out_write_csv(notset, path_in("n.csv")), -EINVAL);
	json_decref(notset);
	json_object_set_new(set, "bench", json_string("../escape"));
	assert_int_equal(out_write_set(set, tmpdir), -EINVAL);
	json_decref(set);
}

static void test_read_errors(void **state)
{
	(void)state;
	char err[256];
	char *p = path_in("bad.json");
	FILE *f = fopen(p, "we");
	fputs("{\n  \"schema\": \"pfbench-result/1\",\n  \"records\": [1,,2]\n}\n", f);
	fclose(f);
	assert_null(out_read_json(p, err, sizeof(err)));
	char want[300];
	snprintf(want, sizeof(want), "%s:3:", p);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);

	f = fopen(p, "we");
	fputs("{\"schema\": \"something-else\", \"records\": []}\n", f);
	fclose(f);
	assert_null(out_read_json(p, err, sizeof(err)));
	assert_non_null(strstr(err, "schema"));

	f = fopen(p, "we");
	fputs("{\"schema\": \"pfbench-result/1\"}\n", f);
	fclose(f);
	assert_null(out_read_json(p, err, sizeof(err)));
	assert_non_null(strstr(err, "records"));

	/* Cut off at the end: the error still has a column (jansson says 0). */
	f = fopen(p, "we");
	fputs("{\"schema\": [1,\n", f);
	fclose(f);
	assert_null(out_read_json(p, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:2:1: ']' expected near end of file", p);
	assert_string_equal(err, want);

	/* Not there: no made-up position, the path in the message. */
	char *missing = path_in("missing.json");
	assert_null(out_read_json(missing, err, sizeof(err)));
	assert_non_null(strstr(err, missing));
	assert_null(strstr(err, ":-1"));
}

static void test_context(void **state)
{
	(void)state;
	struct tsc_calib c = fake_calib();
	char *argv[] = { "pfbench", "lookup", "--quick", "a b", "it's", NULL };
	json_t *ctx = out_context(5, argv, &c);
	assert_non_null(ctx);
	json_t *pf = json_object_get(ctx, "pfbench");
	assert_string_equal(json_string_value(json_object_get(pf, "version")), PFBENCH_VERSION);
	assert_string_equal(json_string_value(json_object_get(pf, "schema")), OUT_SCHEMA);
	assert_true(json_is_object(json_object_get(ctx, "host")));
#if defined(PFBENCH_CC) && defined(PFBENCH_CFLAGS) && defined(PFBENCH_GIT_REV)
	/* The Makefile passes the same values to this test and to context.c. */
	assert_string_equal(json_string_value(json_object_get(ctx, "compiler")), PFBENCH_CC);
	assert_string_equal(json_string_value(json_object_get(ctx, "cflags")), PFBENCH_CFLAGS);
	assert_string_equal(json_string_value(json_object_get(ctx, "git_rev")), PFBENCH_GIT_REV);
#endif
	assert_true(json_string_length(json_object_get(ctx, "compiler")) > 0);
	assert_true(json_string_length(json_object_get(ctx, "git_rev")) > 0);
	assert_string_equal(json_string_value(json_object_get(ctx, "command_line")),
			    "pfbench lookup --quick 'a b' 'it'\\''s'");
	assert_int_equal(json_array_size(json_object_get(ctx, "argv")), 5);
	const char *date = json_string_value(json_object_get(ctx, "date_utc"));
	assert_non_null(date);
	regex_t re;
	assert_int_equal(regcomp(&re, "^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z$",
				 REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regexec(&re, date, 0, NULL, 0), 0);
	regfree(&re);
	json_t *t = json_object_get(ctx, "timer");
	assert_true(json_real_value(json_object_get(t, "ticks_per_ns")) == 2.0);
	assert_true(json_real_value(json_object_get(t, "overhead_ticks")) == 20.0);
	assert_string_equal(json_string_value(json_object_get(t, "source")), TSC_SOURCE);
	assert_true(json_is_string(json_object_get(ctx, "affinity")));
	assert_true(strlen(json_string_value(json_object_get(ctx, "affinity"))) > 0);
	json_decref(ctx);

	ctx = out_context(0, NULL, NULL);
	assert_true(json_is_null(json_object_get(ctx, "timer")));
	assert_string_equal(json_string_value(json_object_get(ctx, "command_line")), "");
	json_decref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_shape),
		cmocka_unit_test(test_set_schema),
		cmocka_unit_test(test_add_checks),
		cmocka_unit_test(test_stats_declared),
		cmocka_unit_test(test_record_stats),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_reals_read_back_exactly),
		cmocka_unit_test(test_atomic_replace),
		cmocka_unit_test(test_failures_leave_nothing),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_context),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
