/* fuzz_rset.c — libFuzzer target for the readers of result directories
 * (rset.c, and what report and compare do with what they read): the input
 * is written as A/lookup.json beside a good metadata.json, and as
 * B/metadata.json beside a good lookup.json. Each directory is loaded
 * strictly and leniently: strict fails exactly when lenient lists a
 * problem, every problem is "file:line:column: what", and what loads is
 * rendered (report.md, compare against itself) without a crash or a
 * sanitizer report. Built by scripts/fuzz.sh against libpfbench. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "report.h"
#include "rset.h"

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "fuzz check failed: %s: ", #cond);  \
			fprintf(stderr, __VA_ARGS__);                       \
			fputc('\n', stderr);                                \
			abort();                                            \
		}                                                           \
	} while (0)

static char root[64], dir_a[96], dir_b[96];

static void put(const char *dir, const char *name, const void *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	CHECK(f, "%s: %s", path, strerror(errno));
	CHECK(fwrite(data, 1, len, f) == len && fclose(f) == 0, "%s: write failed", path);
}

static const char good_set[] =
	"{\"schema\": \"pfbench-result/1\", \"bench\": \"lookup\", \"complete\": true, "
	"\"records\": [{\"design\": \"linear\", \"nevents\": 8, \"median_ns\": 10.5, "
	"\"samples_ns\": [10, 11, 10.5]}]}\n";
static const char good_meta[] =
	"{\"schema\": \"pfbench-suite/1\", \"complete\": true, "
	"\"stages\": [{\"name\": \"lookup\", \"status\": \"ok\"}]}\n";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(root, sizeof(root), "%s/pfbench-fuzz-rset-XXXXXX", base);
	CHECK(mkdtemp(root), "mkdtemp: %s", strerror(errno));
	snprintf(dir_a, sizeof(dir_a), "%s/a", root);
	snprintf(dir_b, sizeof(dir_b), "%s/b", root);
	CHECK(mkdir(dir_a, 0755) == 0 && mkdir(dir_b, 0755) == 0, "mkdir: %s", strerror(errno));
	put(dir_a, "metadata.json", good_meta, strlen(good_meta));
	put(dir_b, "lookup.json", good_set, strlen(good_set));
	return 0;
}

/* "path:line:col: what" with the path of a file in dir. */
static void check_message(const char *msg, const char *dir)
{
	CHECK(!strncmp(msg, dir, strlen(dir)), "message does not name the file: %s", msg);
	const char *p = msg + strlen(dir);
	CHECK(*p == '/', "message: %s", msg);
	p = strchr(p, ':');
	CHECK(p, "no position: %s", msg);
	char *end;
	long line = strtol(p + 1, &end, 10);
	if (*end == ':') { /* a position: both numbers at least 1 */
		long col = strtol(end + 1, &end, 10);
		CHECK(line >= 1 && col >= 1 && *end == ':', "bad position: %s", msg);
	}
}

static void one_dir(const char *dir, bool input_is_meta)
{
	char err[1024] = "";
	json_t *problems = json_array();
	json_t *meta = NULL, *sets = NULL;
	int r = rset_load_meta(dir, &meta, problems, err, sizeof(err));
	CHECK(r == 0, "lenient load_meta returned %d", r);
	r = rset_load_dir(dir, &sets, problems, err, sizeof(err));
	CHECK(r == 0, "lenient load_dir returned %d", r);
	r = rset_check_stages(dir, meta, sets, problems, err, sizeof(err));
	CHECK(r == 0, "lenient check_stages returned %d", r);
	size_t i;
	json_t *p;
	json_array_foreach(problems, i, p) check_message(json_string_value(p), dir);

	/* strict: fails exactly when lenient found a problem */
	json_t *m2 = NULL, *s2 = NULL;
	r = rset_load_meta(dir, &m2, NULL, err, sizeof(err));
	if (!r)
		r = rset_load_dir(dir, &s2, NULL, err, sizeof(err));
	if (!r)
		r = rset_check_stages(dir, m2, s2, NULL, err, sizeof(err));
	CHECK((r == -EBADMSG) == (json_array_size(problems) > 0) && (r == 0 || r == -EBADMSG),
	      "strict %d, lenient found %zu problems (%s)", r, json_array_size(problems), err);
	if (r)
		check_message(err, dir);
	json_decref(m2);
	json_decref(s2);

	/* What loaded from the input: the report (lenient, so damage is
	 * listed) and a comparison with itself. Inputs that did not load
	 * stop here: the report costs milliseconds and they reach nothing
	 * new in it. */
	if (input_is_meta ? !meta : !json_array_size(sets)) {
		json_decref(problems);
		json_decref(meta);
		json_decref(sets);
		return;
	}
	r = suite_report(dir, true, err, sizeof(err));
	CHECK(r == 0 || r == -EINVAL, "report: %d %s", r, err);
	if (json_array_size(sets)) {
		struct cmp_input in = { .path = dir, .sets = sets, .meta = meta };
		struct cmp_opts o = { .iters = 100, .seed = 1, .threshold = 0.05 };
		struct cmp_counts counts;
		char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);
		CHECK(mem, "open_memstream");
		r = cmp_render(mem, &in, &in, &o, &counts, err, sizeof(err));
		fclose(mem);
		free(text);
		CHECK(r == 0 || r == -EINVAL, "compare: %d %s", r, err);
	}
	json_decref(problems);
	json_decref(meta);
	json_decref(sets);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	put(dir_a, "lookup.json", data, size);
	one_dir(dir_a, false);
	put(dir_b, "metadata.json", data, size);
	one_dir(dir_b, true);
	return 0;
}
