/* cmd-suite.c — `pfbench suite`: runs the stages (info, lookup, install,
 * exit, check) as child processes of this same binary into
 * results/<host-id>/<UTC>/, records each stage's outcome in metadata.json
 * as it goes, then makes the plots and report.md and prints the report's
 * path. A stage that fails or skips is recorded and the suite goes on;
 * SIGINT/SIGTERM stop it, keeping what finished (complete: false). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "options.h"
#include "hostinfo.h"
#include "out-text.h"
#include "out.h"
#include "emulated.h"
#include "report.h"
#include "suite.h"
#include "util.h"

enum mode { MODE_TINY, MODE_QUICK, MODE_FULL, NMODES };
static const char *const mode_names[NMODES] = { "tiny", "quick", "full" };

#define MAX_ARGS 16

/* One stage: a pfbench subcommand and its arguments per mode. Stages with
 * out_dir get "-o <run dir>" and write <bench>.json/.csv there; info's
 * JSON comes on its stdout and is kept as info.json. */
struct stage {
	const char *name;
	const char *what;
	bool out_dir;
	const char *args[NMODES][MAX_ARGS];
	unsigned timeout_s[NMODES];
};

static const struct stage stages[] = {
	{ "info", "the host: CPU, PMU, topology, kernel, KVM caps, enable_pmu, vPMU", false,
	  { { "--json" }, { "--json" }, { "--json" } }, { 120, 120, 300 } },
	{ "lookup", "filter lookup cost by design, size, encoding and hit pattern", true,
	  { { "--quick", "--raw", "--sizes", "1,16", "--samples", "5", "--patterns", "hit,miss" },
	    { "--quick", "--raw" },
	    { "--raw" } },
	  { 300, 300, 1200 } },
	{ "install", "KVM_SET_PMU_EVENT_FILTER latency by size and encoding", true,
	  { { "--quick", "-n", "5", "--warmup", "1", "--sizes", "0,16", "--vcpus", "1", "--raw" },
	    { "--quick", "-n", "100", "--sizes", "0,1,16,64,300", "--raw" },
	    { "--raw" } },
	  { 300, 300, 1200 } },
	{ "exit", "guest exit latency under filters beside baseline exits", true,
	  { { "--quick", "--samples", "20", "--warmup", "5", "--blocks", "5", "--block-len", "4",
	      "--sizes", "0,16", "--no-vmcall" },
	    { "--quick" },
	    { NULL } },
	  { 300, 300, 1200 } },
	{ "check", "does this host enforce and validate filters as documented", true,
	  { { "--count", "50" }, { NULL }, { NULL } }, { 300, 300, 1200 } },
	{ "limits", "what a filter limit of N would cost: lookup warm/cold, install sort, memory",
	  true,
	  { { "--quick", "--sizes", "300,1000", "--samples", "5", "--pmus", "icl" },
	    { "--quick" },
	    { NULL } },
	  { 300, 900, 1800 } },
};
#define NSTAGES (sizeof(stages) / sizeof(stages[0]))

static const struct opt_doc doc = {
	.cmd = "suite",
	.synopsis = "[--quick|--full|--tiny] [-o ROOT] [--name NAME | --dir DIR]\n"
		    "                     [--pfbench PATH] [--only STAGE[,STAGE...]] [--timeout S]\n"
		    "                     [--no-plots] [-r N]",
	.about = "Runs the stages info, lookup, install, exit, check and limits as child\n"
		"processes (the same binary, or --pfbench PATH) into\n"
		"ROOT/<host-id>/<UTC time>/, then\n"
		"makes the plots (gnuplot, PNG and SVG) and report.md and prints the path of\n"
		"the report. Each stage's outcome (ok, skipped, failed, timeout, interrupted),\n"
		"exit code, duration and reason go to metadata.json as soon as it ends; a\n"
		"stage that fails or skips is recorded and the suite goes on. SIGINT/SIGTERM\n"
		"is passed to the running stage, finished stages' results are kept,\n"
		"metadata.json says \"complete\": false and the suite exits 128+signal.\n"
		"An existing run directory is never written into.\n"
		"\n",
	.status = "exit status: 0 every stage ran (some may have skipped), 1 a stage failed or\n"
		  "timed out, 2 usage or an existing --dir, 128+N interrupted by signal N",
};

/* snprintf for paths: a path that does not fit is an error, not a cut. */
static __attribute__((format(printf, 3, 4))) void pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		die("suite: path too long: %s...", buf);
}

static char *utc_now(char *buf, size_t len, const char *fmt)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, fmt, &tm);
	return buf;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool name_ok(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/')
			return false;
	return true;
}

/* Creates the run directory; never reuses an existing one. */
static void make_run_dir(const char *exact, const char *root, const char *host_id,
			 const char *name, char *dir, size_t len)
{
	if (exact) {
		char parent[PATH_MAX];
		pathf(parent, sizeof(parent), "%s", exact);
		char *slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = '\0';
			int e = out_mkdirs(parent);
			if (e)
				die_errno(parent, e);
		}
		if (mkdir(exact, 0755) < 0) {
			if (errno == EEXIST)
				die_usage("suite: %s exists; refusing to write into an existing result "
					  "directory", exact);
			die_errno(exact, errno);
		}
		snprintf(dir, len, "%s", exact);
		return;
	}
	char base[PATH_MAX];
	pathf(base, sizeof(base), "%s/%s", root, host_id);
	int e = out_mkdirs(base);
	if (e)
		die_errno(base, e);
	for (int i = 1; i < 1000; i++) {
		if (i == 1)
			pathf(dir, len, "%s/%s", base, name);
		else
			pathf(dir, len, "%s/%s-%d", base, name, i);
		if (mkdir(dir, 0755) == 0) {
			if (i > 1)
				info("suite: %s/%s exists; writing to %s instead", base, name, dir);
			return;
		}
		if (errno != EEXIST)
			die_errno(dir, errno);
	}
	die("suite: %s/%s-2 ... -999 all exist", base, name);
}

static json_t *list_dir(const char *dir)
{
	json_t *names = json_array();
	DIR *d = opendir(dir);
	if (!d)
		return names;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			json_array_append_new(names, json_string(de->d_name));
	closedir(d);
	return names;
}

static bool has_name(const json_t *names, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(names, i, v) if (!strcmp(json_string_value(v), name)) return true;
	return false;
}

static int cmp_json_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* Files the stage added to the run directory, sorted. */
static json_t *new_files(const json_t *before, const char *dir)
{
	json_t *after = list_dir(dir), *added = json_array();
	size_t i, n = 0;
	json_t *v, *tmp[256];
	json_array_foreach(after, i, v) {
		const char *name = json_string_value(v);
		if (has_name(before, name) || strstr(name, ".tmp.") || n == 256)
			continue;
		tmp[n++] = v;
	}
	qsort(tmp, n, sizeof(tmp[0]), cmp_json_str);
	for (i = 0; i < n; i++)
		json_array_append(added, tmp[i]);
	json_decref(after);
	return added;
}

static void write_meta(const json_t *meta, const char *dir)
{
	char path[PATH_MAX];
	pathf(path, sizeof(path), "%s/metadata.json", dir);
	char *text = json_dumps(meta, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	if (!text)
		die("suite: metadata.json: out of memory");
	size_t len = strlen(text);
	text[len] = '\n'; /* json_dumps NUL-terminates; the newline replaces it */
	int e = out_write_text(path, text, len + 1);
	free(text);
	if (e)
		die_errno(path, e);
}

/* "pfbench lookup: not implemented yet" -> "not implemented yet". */
static const char *strip_prefix(const char *s)
{
	if (!strncmp(s, "pfbench", 7)) {
		const char *c = strstr(s, ": ");
		if (c && c - s < 40)
			return c + 2;
	}
	return s;
}

static const char *sig_name(int sig)
{
	switch (sig) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGKILL: return "SIGKILL";
	case SIGSEGV: return "SIGSEGV";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGILL: return "SIGILL";
	default: return sigabbrev_np(sig) ? sigabbrev_np(sig) : "signal";
	}
}

/* Stage-level and per-set skips into the top-level "skipped" list. */
static void collect_set_skips(json_t *skipped, const char *stage, const json_t *files,
			      const char *dir)
{
	size_t i;
	json_t *v;
	json_array_foreach(files, i, v) {
		const char *name = json_string_value(v);
		size_t n = strlen(name);
		if (n < 6 || strcmp(name + n - 5, ".json"))
			continue;
		char path[PATH_MAX], err[256];
		pathf(path, sizeof(path), "%s/%s", dir, name);
		json_t *set = out_read_json(path, err, sizeof(err));
		size_t j;
		json_t *sk;
		json_array_foreach(json_object_get(set, "skipped"), j, sk) {
			json_t *o = json_object();
			json_object_set_new(o, "stage", json_string(stage));
			json_object_set(o, "what", json_object_get(sk, "what"));
			json_object_set(o, "why", json_object_get(sk, "why"));
			json_array_append_new(skipped, o);
		}
		json_decref(set);
	}
}

/* A stage's command line (NULL-terminated, exe first); returns its length. */
static size_t stage_argv(const struct stage *st, enum mode mode, const char *exe,
			 const char *dir, char *argv[MAX_ARGS + 6])
{
	size_t n = 0;
	argv[n++] = (char *)exe;
	argv[n++] = (char *)st->name;
	for (size_t i = 0; i < MAX_ARGS && st->args[mode][i]; i++)
		argv[n++] = (char *)st->args[mode][i];
	if (st->out_dir) {
		argv[n++] = "-o";
		argv[n++] = (char *)dir;
	}
	argv[n] = NULL;
	return n;
}

/* The metadata form: argv without the program. */
static json_t *argv_to_json(char *const argv[], size_t n)
{
	json_t *a = json_array();
	for (size_t i = 1; i < n; i++)
		json_array_append_new(a, json_string(argv[i]));
	return a;
}

static json_t *run_stage(const struct stage *st, enum mode mode, const char *exe,
			 const char *dir, unsigned timeout_override, size_t idx, size_t total)
{
	char *argv[MAX_ARGS + 6];
	size_t n = stage_argv(st, mode, exe, dir, argv);

	char stdout_path[PATH_MAX], log_path[PATH_MAX], logs[PATH_MAX], started[32];
	pathf(stdout_path, sizeof(stdout_path), "%s/%s.json", dir, st->name);
	pathf(logs, sizeof(logs), "%s/logs", dir);
	pathf(log_path, sizeof(log_path), "%s/%s.log", logs, st->name);
	struct suite_child c = {
		.argv = argv,
		.stdout_path = st->out_dir ? NULL : stdout_path,
		.timeout_s = timeout_override ? timeout_override : st->timeout_s[mode],
		.echo = true,
	};

	json_t *argv_json = argv_to_json(argv, n);
	char shown[512] = "";
	for (size_t i = 2; i < n; i++)
		if (!st->out_dir || i < n - 2)
			snprintf(shown + strlen(shown), sizeof(shown) - strlen(shown), " %s", argv[i]);
	info("suite: [%zu/%zu] %s%s", idx + 1, total, st->name, shown);

	json_t *before = list_dir(dir);
	struct suite_child_res r;
	utc_now(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ");
	int err = suite_child_run(&c, &r);
	json_t *files = new_files(before, dir);
	json_decref(before);

	const char *status;
	char why[700] = "";
	const char *last = strip_prefix(r.last_line);
	if (err) {
		status = "failed";
		snprintf(why, sizeof(why), "%s", r.last_line);
	} else if (r.exit_code == EXIT_OK) {
		status = "ok";
	} else if (r.forwarded) {
		status = "interrupted";
		/* the signals as sent: the forwarded one, then SIGKILL if it
		 * outlived the grace period */
		snprintf(why, sizeof(why), "stopped by %s%s", sig_name(r.forwarded),
			 r.sent_kill ? ", then SIGKILL when it did not end within 20 s" : "");
	} else if (r.timed_out) {
		status = "timeout";
		snprintf(why, sizeof(why), "still running after %u s; sent SIGTERM%s", c.timeout_s,
			 r.sent_kill ? ", then SIGKILL when it did not end within 5 s"
				     : ", which stopped it");
	} else if (r.exit_code == EXIT_SKIP) {
		status = "skipped";
		snprintf(why, sizeof(why), "%s", *last ? last : "exit status 4 (skipped)");
	} else if (r.term_signal) {
		status = "failed";
		snprintf(why, sizeof(why), "killed by %s%s%s", sig_name(r.term_signal),
			 *last ? "; last message: " : "", last);
	} else {
		status = "failed";
		snprintf(why, sizeof(why), "exit status %d%s%s%s", r.exit_code,
			 r.exit_code == EXIT_USAGE ? " (usage)" : "", *last ? ": " : "", last);
	}

	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(st->name));
	json_object_set_new(o, "what", json_string(st->what));
	json_object_set_new(o, "argv", argv_json);
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "exit_code", r.exit_code >= 0 ? json_integer(r.exit_code) : json_null());
	json_object_set_new(o, "signal", r.term_signal ? json_string(sig_name(r.term_signal)) : json_null());
	json_object_set_new(o, "started_utc", json_string(started));
	json_object_set_new(o, "duration_s", json_real(r.duration_s));
	json_object_set_new(o, "timeout_s", json_integer(c.timeout_s));
	json_object_set_new(o, "why", *why ? json_string(why) : json_null());
	json_object_set_new(o, "files", files);

	if (!err) {
		int e = out_mkdirs(logs);
		if (!e)
			e = out_write_text(log_path, r.log ? r.log : "", r.log_len);
		if (e)
			warn("suite: %s: %s", log_path, strerror(-e));
		else
			json_object_set_new(o, "log", json_sprintf("logs/%s.log", st->name));
	}
	if (!json_object_get(o, "log"))
		json_object_set_new(o, "log", json_null());
	info("suite: [%zu/%zu] %s: %s (%.1f s)%s%s", idx + 1, total, st->name, status, r.duration_s,
	     *why ? ": " : "", why);
	suite_child_res_free(&r);
	return o;
}

_Static_assert(NSTAGES <= 32, "--only's selection is a 32-bit mask");

/* One item of --only (opts_each_item): its stage's bit into *arg. */
static int known_stage(const char *item, void *arg, char *why, size_t len)
{
	unsigned *selected = arg;
	for (size_t i = 0; i < NSTAGES; i++)
		if (!strcmp(stages[i].name, item)) {
			*selected |= 1u << i;
			return 0;
		}
	int k = snprintf(why, len, "unknown stage '%s' (stages:", item);
	for (size_t i = 0; i < NSTAGES && k > 0 && (size_t)k < len; i++)
		k += snprintf(why + k, len - (size_t)k, "%s %s", i ? "," : "", stages[i].name);
	if (k > 0 && (size_t)k < len)
		snprintf(why + k, len - (size_t)k, ")");
	return -EINVAL;
}

/* Everything suite's command line sets. */
struct suite_cli {
	bool quick, full, tiny, plots;
	enum mode mode;
	const char *root, *name, *exact, *exe, *only;
	unsigned selected; /* --only: a bit per stage (1u << its index); all without --only */
	unsigned long long timeout, repeat;
	char exe_path[PATH_MAX];
};

static void parse(struct suite_cli *c, int argc, char **argv)
{
	const struct opt opts[] = {
		OPT_FLAG(0, "quick", &c->quick, "the quick suite (default; `make run`), a few minutes"),
		OPT_FLAG(0, "full", &c->full, "the full sweep (`make suite`)"),
		OPT_FLAG(0, "tiny", &c->tiny, "tiny parameters for every stage (for the tests)"),
		OPT_STRING('o', "output", "ROOT", &c->root, "results root (default: results)"),
		OPT_STRING(0, "name", "NAME", &c->name,
			   "run directory name instead of the UTC time; if it exists,\n"
			   "NAME-2, NAME-3 ... is used (the same for the UTC time)"),
		OPT_STRING(0, "dir", "DIR", &c->exact, "exact run directory; an error if it exists"),
		OPT_STRING(0, "pfbench", "PATH", &c->exe,
			   "the pfbench binary that runs the stages (default: this one)"),
		OPT_STRING(0, "only", "STAGES",
			   &c->only, "run only these stages (comma-separated: info,lookup,...)"),
		OPT_UINT(0, "timeout", "S", &c->timeout, NULL, 1, 86400,
			 "stop a stage after S seconds (default: per stage and mode)"),
		OPT_NOFLAG(0, "no-plots", &c->plots, "skip gnuplot"),
		OPT_UINT('r', "repeat", "N", &c->repeat, NULL, 1, 100,
			 "run each benchmark stage N times (default 1): runs 2..N go\n"
			 "to repeats/<k>/; report.md and repeats.json give each\n"
			 "median's run-to-run spread (CV of the N medians, as perf\n"
			 "stat -r) beside its within-run 95% CI"),
		OPT_END(),
	};
	int first = opts_parse(&doc, opts, argc, argv);
	char why[200];
	if (first < argc)
		opts_die(&doc, opts, "unexpected argument '%s'", argv[first]);
	if (c->quick + c->full + c->tiny > 1)
		opts_die(&doc, opts, "--%s and --%s exclude each other", c->quick ? "quick" : "full",
			 c->tiny ? "tiny" : "full");
	c->mode = c->full ? MODE_FULL : c->tiny ? MODE_TINY : MODE_QUICK;
	if (c->name && !name_ok(c->name))
		opts_die(&doc, opts, "--name: want a plain directory name, got '%s'", c->name);
	c->selected = c->only ? 0 : ~0u;
	if (c->only && opts_each_item(c->only, known_stage, &c->selected, why, sizeof(why)))
		opts_die(&doc, opts, "--only: %s", why);
	if (c->exact && c->name)
		opts_die(&doc, opts, "--dir and --name exclude each other");
	if (c->exe) {
		if (access(c->exe, X_OK) < 0)
			opts_die(&doc, opts, "--pfbench: %s: %s", c->exe, strerror(errno));
		snprintf(c->exe_path, sizeof(c->exe_path), "%s", c->exe);
	} else {
		ssize_t n = readlink("/proc/self/exe", c->exe_path, sizeof(c->exe_path) - 1);
		if (n < 0)
			die_errno("readlink /proc/self/exe", errno);
		c->exe_path[n] = '\0';
	}
}

/* metadata.json as the run starts: complete false, no stage yet. */
static json_t *new_meta(const struct suite_cli *c, const char *host_id, const char *dir,
			const char *started, json_t *context)
{
	json_t *meta = json_object();
	json_object_set_new(meta, "schema", json_string(SUITE_SCHEMA));
	json_object_set_new(meta, "mode", json_string(mode_names[c->mode]));
	json_object_set_new(meta, "repeat", json_integer((json_int_t)c->repeat));
	json_object_set_new(meta, "host_id", json_string(host_id));
	const char *em_how, *em = host_emulated(&em_how);
	json_object_set_new(meta, "emulated", em ? json_string(em) : json_null());
	json_object_set_new(meta, "emulated_how", json_string(em_how));
	json_object_set_new(meta, "dir", json_string(dir));
	json_object_set_new(meta, "pfbench_exe", json_string(c->exe_path));
	json_object_set_new(meta, "started_utc", json_string(started));
	json_object_set_new(meta, "finished_utc", json_null());
	json_object_set_new(meta, "duration_s", json_null());
	json_object_set_new(meta, "complete", json_false());
	json_object_set_new(meta, "interrupted_by", json_null());
	json_object_set_new(meta, "stages", json_array());
	json_object_set_new(meta, "skipped", json_array());
	json_object_set_new(meta, "failed", json_array());
	json_object_set_new(meta, "plots", json_array());
	json_object_set_new(meta, "report", json_null());
	json_object_set_new(meta, "context", context);
	return meta;
}

/* A stage the suite did not start because a signal came first: the
 * command it would have run, so the report can show it. */
static json_t *not_run_stage(const struct stage *st, const struct suite_cli *c, const char *dir)
{
	char *argv[MAX_ARGS + 6];
	size_t n = stage_argv(st, c->mode, c->exe_path, dir, argv);
	return json_pack("{s:s, s:s, s:s, s:o, s:n, s:n, s:n, s:f, s:s, s:[], s:n}", "name",
			 st->name, "what", st->what, "status", "not run", "argv",
			 argv_to_json(argv, n), "exit_code", "signal", "started_utc", "duration_s",
			 0.0, "why",
			 suite_signal() == SIGINT ? "the suite was interrupted (SIGINT) before it"
						  : "the suite was interrupted (SIGTERM) before it",
			 "files", "log");
}

/* -r N: runs 2..N of a benchmark stage that ran ok, each into
 * repeats/<k>/ (report-repeats.c reads them), recorded under the stage's
 * "repeats". A repeat that fails is recorded and the rest still run. */
static void run_repeats(json_t *o, const struct stage *st, const struct suite_cli *c,
			const char *dir, size_t idx, size_t total)
{
	if (c->repeat < 2 || !st->out_dir ||
	    strcmp(json_string_value(json_object_get(o, "status")), "ok"))
		return;
	json_t *reps = json_array();
	for (unsigned k = 2; k <= c->repeat && !suite_signal(); k++) {
		char rdir[PATH_MAX];
		pathf(rdir, sizeof(rdir), "%s/repeats/%u", dir, k);
		int e = out_mkdirs(rdir);
		if (e)
			die_errno(rdir, -e);
		info("suite: %s: run %u of %llu", st->name, k, c->repeat);
		json_t *r = run_stage(st, c->mode, c->exe_path, rdir, (unsigned)c->timeout, idx, total);
		json_array_append_new(reps, json_pack("{s:s+, s:O, s:O, s:O}", "dir", "repeats/",
						      strrchr(rdir, '/') + 1, "status",
						      json_object_get(r, "status"), "duration_s",
						      json_object_get(r, "duration_s"), "why",
						      json_object_get(r, "why")));
		json_decref(r);
	}
	json_object_set_new(o, "repeats", reps);
}

/* Runs the selected stages in order, recording each in meta as it ends. */
static void run_stages(const struct suite_cli *c, json_t *meta, const char *dir)
{
	json_t *stage_list = json_object_get(meta, "stages");
	json_t *skipped = json_object_get(meta, "skipped"), *failed = json_object_get(meta, "failed");
	size_t total = 0, idx = 0;
	for (size_t i = 0; i < NSTAGES; i++)
		total += (c->selected >> i) & 1;
	for (size_t i = 0; i < NSTAGES; i++) {
		const struct stage *st = &stages[i];
		if (!((c->selected >> i) & 1))
			continue;
		json_t *o;
		if (suite_signal()) {
			o = not_run_stage(st, c, dir);
		} else {
			/* A marker first: a SIGKILL or power loss during the stage
			 * leaves metadata.json saying which stage was running
			 * (pfbench report: "interrupted during <stage>"). */
			char begun[32];
			json_array_append_new(stage_list,
					      json_pack("{s:s, s:s, s:s, s:s}", "name", st->name, "what",
							st->what, "status", "running", "started_utc",
							utc_now(begun, sizeof(begun),
								"%Y-%m-%dT%H:%M:%SZ")));
			write_meta(meta, dir);
			o = run_stage(st, c->mode, c->exe_path, dir, (unsigned)c->timeout, idx, total);
			json_array_remove(stage_list, json_array_size(stage_list) - 1);
			run_repeats(o, st, c, dir, idx, total);
		}
		idx++;
		const char *status = json_string_value(json_object_get(o, "status"));
		json_t *why = json_object_get(o, "why");
		if (!strcmp(status, "skipped"))
			json_array_append_new(skipped, json_pack("{s:s, s:s, s:O}", "stage", st->name,
								 "what", st->name, "why", why));
		else if (strcmp(status, "ok") && strcmp(status, "not run"))
			json_array_append_new(failed, json_pack("{s:s, s:s, s:O}", "stage", st->name,
								"status", status, "why", why));
		collect_set_skips(skipped, st->name, json_object_get(o, "files"), dir);
		json_array_append_new(stage_list, o);
		write_meta(meta, dir);
	}
}

/* Plots, the closing metadata and report.md; returns the signal that
 * interrupted the run, or 0. */
static int finish(const struct suite_cli *c, json_t *meta, const char *dir, double t0)
{
	if (!suite_signal() && c->plots) {
		info("suite: plots");
		json_object_set_new(meta, "plots", suite_plots(dir));
	}
	/* A signal during the plots interrupts the run as well. */
	int sig = suite_signal();
	if (sig)
		json_object_set_new(meta, "interrupted_by", json_string(sig_name(sig)));
	char finished[32];
	json_object_set_new(meta, "finished_utc",
			    json_string(utc_now(finished, sizeof(finished), "%Y-%m-%dT%H:%M:%SZ")));
	json_object_set_new(meta, "duration_s", json_real(now_s() - t0));
	json_object_set_new(meta, "complete", json_boolean(!sig));
	json_object_set_new(meta, "report", json_string("report.md"));
	write_meta(meta, dir);

	char err[512];
	/* lenient: the suite's own report always exists and lists any damage */
	if (suite_report(dir, true, err, sizeof(err))) {
		warn("suite: report: %s", err);
		json_object_set_new(meta, "report", json_null());
		write_meta(meta, dir);
	}
	return sig;
}

int cmd_suite(int argc, char **argv)
{
	struct suite_cli c = { .root = "results", .plots = true, .repeat = 1 };
	parse(&c, argc, argv);

	/* Signals first: a Ctrl-C during the host probe must not leave a bare
	 * directory behind without metadata. */
	suite_signals_install();
	double t0 = now_s();
	char started[32], stamp[32], dir[PATH_MAX], report[PATH_MAX];
	utc_now(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ");
	utc_now(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ");
	json_t *context = out_context(argc, argv, NULL);
	const char *host_id = hostinfo_host_id();
	make_run_dir(c.exact, c.root, host_id, c.name ? c.name : stamp, dir, sizeof(dir));
	json_t *meta = new_meta(&c, host_id, dir, started, context);
	write_meta(meta, dir);

	run_stages(&c, meta, dir);
	int sig = finish(&c, meta, dir, t0);
	pathf(report, sizeof(report), "%s/report.md", dir);
	size_t nfailed = json_array_size(json_object_get(meta, "failed"));
	json_decref(meta);
	suite_signals_restore();

	if (sig) {
		info("suite: interrupted by %s; finished stages are kept in %s (complete: false)",
		     sig_name(sig), dir);
		printf("%s\n", report);
		fflush(stdout);
		return 128 + sig;
	}
	if (nfailed)
		warn("suite: %zu stage(s) failed; see %s", nfailed, report);
	printf("%s\n", report);
	return nfailed ? EXIT_FAIL : EXIT_OK;
}
