/* test_cli_interrupt.c — a standalone benchmark stopped by SIGINT or
 * SIGTERM keeps what it finished (issue 15, item 3; bench/common/stop.h):
 * `pfbench lookup`, `limits`, `exit` and `install` are started with stderr on a
 * pseudo-terminal, so they draw their progress line; once the line shows a
 * finished step the signal is sent. `check` has no progress line: its
 * stdout goes to the pseudo-terminal too, and the signal is sent once it
 * printed a verdict ("pass  NAME", ...); it must then have written at least
 * one verdict, each printed line one record. Each must then exit 128 + the signal,
 * say on stderr that it was interrupted, and leave a result set that is
 * marked incomplete ("complete": false, a skipped entry "interrupted by
 * SIGINT: N records measured before it" with N the records it holds) and
 * that `pfbench report` loads and renders as incomplete.
 *
 * No timing decides the outcome: the wait for the progress line is bounded
 * generously (a busy machine only makes it longer), and a set that holds
 * no record is as valid an answer as one that holds many — what is
 * checked is that the records and the marks agree. */
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "cli-run.h"
#include "kvm-need.h"

#define PROGRESS_WAIT_S 300 /* the first progress line, at most */

CLI_ROOT_FIXTURE(root)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* True once text holds "<label> N/M" with N >= 1: a step has finished. */
static bool step_done(const char *text, const char *label)
{
	for (const char *p = strstr(text, label); p; p = strstr(p + 1, label)) {
		unsigned long n = strtoul(p + strlen(label), NULL, 10);
		if (n >= 1)
			return true;
	}
	return false;
}

/* How many lines of text are check's verdicts ("pass  NAME", "fail  NAME:
 * ...", "skipped  NAME: ..."). */
static size_t verdict_lines(const char *text)
{
	static const char *const starts[] = { "pass  ", "fail  ", "skipped  " };
	size_t n = 0;
	for (const char *p = text; p; p = strchr(p, '\n')) {
		p += *p == '\n';
		for (size_t i = 0; i < 3; i++)
			n += !strncmp(p, starts[i], strlen(starts[i]));
	}
	return n;
}

/* Runs `pfbench args...` with stdout to /dev/null and stderr on a pty;
 * sends sig once the progress line of label shows a finished step; reads
 * stderr to the end. label NULL (check): stdout on the pty too, and sig
 * goes once a verdict line is there. Returns the exit status; *errp gets
 * what the pty read. */
static int run_and_stop(const char *const args[], const char *label, int sig, char **errp)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	const char *slave_name = ptsname(master);
	assert_non_null(slave_name);
	int slave = open(slave_name, O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	const char *exe = cli_pfbench();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(label ? devnull : slave, 1);
		dup2(slave, 2);
		close(master);
		const char *argv[CLI_MAX_ARGS + 2] = { exe };
		for (int i = 0; args[i] && i < CLI_MAX_ARGS; i++)
			argv[i + 1] = args[i];
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(slave);
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	assert_non_null(buf);
	buf[0] = '\0';
	bool sent = false;
	double t0 = now_s();
	for (;;) {
		struct pollfd pfd = { .fd = master, .events = POLLIN };
		int pr = poll(&pfd, 1, 1000);
		if (pr < 0 && errno == EINTR)
			continue;
		assert_true(pr >= 0);
		if (pr > 0) {
			if (cap - len < 4096) {
				cap *= 2;
				buf = realloc(buf, cap);
				assert_non_null(buf);
			}
			ssize_t n = read(master, buf + len, cap - len - 1);
			if (n <= 0)
				break; /* EIO: the child closed its side (it ended) */
			len += (size_t)n;
			buf[len] = '\0';
		}
		if (!sent && (label ? step_done(buf, label) : verdict_lines(buf) >= 1)) {
			assert_int_equal(kill(pid, sig), 0);
			sent = true;
		}
		if (!sent && now_s() - t0 > PROGRESS_WAIT_S) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			fail_msg("no progress line '%s N/M' within %d s; stderr: %s",
				 label ?: "(a verdict)", PROGRESS_WAIT_S, buf);
		}
	}
	close(master);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!sent)
		fail_msg("pfbench %s ended before a progress line '%s N/M': %s", args[0],
			 label ?: "(a verdict)", buf);
	if (!WIFEXITED(st))
		fail_msg("pfbench %s ended by signal %d, not by writing its records: %s", args[0],
			 WTERMSIG(st), buf);
	*errp = buf;
	return WEXITSTATUS(st);
}

/* The set in dir/<bench>.json: incomplete, its last skip says the signal
 * and the number of records it holds; `pfbench report dir` loads it and
 * says it is incomplete. */
static void check_incomplete(const char *dir, const char *bench, const char *signame)
{
	char path[PATH_MAX * 2], want[96];
	snprintf(path, sizeof(path), "%s/%s.json", dir, bench);
	json_error_t jerr;
	json_t *set = json_load_file(path, 0, &jerr);
	if (!set)
		fail_msg("%s: %s (line %d)", path, jerr.text, jerr.line);
	assert_string_equal(json_string_value(json_object_get(set, "bench")), bench);
	assert_true(json_is_false(json_object_get(set, "complete")));
	json_t *recs = json_object_get(set, "records");
	assert_true(json_is_array(recs));
	json_t *sk = json_object_get(set, "skipped");
	json_t *last = json_array_get(sk, json_array_size(sk) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "what")), "the rest of the sweep");
	snprintf(want, sizeof(want), "interrupted by %s: %zu records measured before it", signame,
		 json_array_size(recs));
	assert_string_equal(json_string_value(json_object_get(last, "why")), want);
	json_decref(set);

	char *out, *err;
	const char *rargs[] = { "report", dir, NULL };
	int st = cli_run(rargs, &out, &err);
	if (st != 0)
		fail_msg("pfbench report %s: exit %d: %s", dir, st, err);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[1024];
	bool incomplete = false, why = false;
	while (fgets(line, sizeof(line), f)) {
		incomplete |= strstr(line, "**Incomplete:**") != NULL;
		why |= strstr(line, want) != NULL;
	}
	fclose(f);
	if (!incomplete || !why)
		fail_msg("%s lacks **Incomplete:** or '%s'", path, want);
	free(out);
	free(err);
}

/* check's dir/check.json holds at least one verdict, each a name and a
 * result, and as many as the verdict lines it printed (out); its summary
 * says it was interrupted. */
static void check_verdicts(const char *dir, const char *out)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/check.json", dir);
	json_t *set = json_load_file(path, 0, NULL);
	assert_non_null(set);
	json_t *recs = json_object_get(set, "records"), *r;
	size_t i;
	assert_true(json_array_size(recs) >= 1);
	json_array_foreach(recs, i, r) {
		const char *res = json_string_value(json_object_get(r, "result"));
		assert_non_null(res);
		assert_true(!strcmp(res, "pass") || !strcmp(res, "fail") || !strcmp(res, "skipped"));
		assert_true(strlen(json_string_value(json_object_get(r, "name")) ?: "") > 0);
	}
	if (verdict_lines(out) != json_array_size(recs))
		fail_msg("%zu verdict lines printed, %zu records in %s: %s", verdict_lines(out),
			 json_array_size(recs), path, out);
	char said[64];
	snprintf(said, sizeof(said), "%zu checks: ", json_array_size(recs));
	const char *sum = strstr(out, said);
	if (!sum || !strstr(sum, "(interrupted: the rest did not run)"))
		fail_msg("no summary '%s... (interrupted: the rest did not run)': %s", said, out);
	json_decref(set);
}

static void interrupted(const char *bench, const char *const args[], const char *label, int sig,
			const char *signame)
{
	char dir[PATH_MAX], *err;
	snprintf(dir, sizeof(dir), "%s/%s-%s", root, bench, signame);
	const char *all[CLI_MAX_ARGS + 1] = { bench };
	int n = 1;
	for (int i = 0; args[i] && n < CLI_MAX_ARGS - 2; i++)
		all[n++] = args[i];
	all[n++] = "-o";
	all[n++] = dir;
	int st = run_and_stop(all, label, sig, &err);
	if (st != 128 + sig)
		fail_msg("pfbench %s: exit %d, want %d: %s", bench, st, 128 + sig, err);
	char said[128];
	snprintf(said, sizeof(said), "%s: interrupted by %s", bench, signame);
	if (!strstr(err, said))
		fail_msg("stderr lacks '%s': %s", said, err);
	check_incomplete(dir, bench, signame);
	if (!label)
		check_verdicts(dir, err);
	free(err);
}

static void test_lookup_sigint(void **state)
{
	(void)state;
	const char *args[] = { NULL }; /* the default sweep: minutes */
	interrupted("lookup", args, "lookup ", SIGINT, "SIGINT");
}

static void test_limits_sigterm(void **state)
{
	(void)state;
	const char *args[] = { NULL }; /* the default study: minutes */
	interrupted("limits", args, "lookup ", SIGTERM, "SIGTERM"); /* its lookup sweep's line */
}

static void test_exit_sigint(void **state)
{
	(void)state;
	close(need_kvm_filter());
	const char *args[] = { NULL }; /* the default run: a minute or more */
	interrupted("exit", args, "exit: baselines ", SIGINT, "SIGINT");
}

static void test_install_sigterm(void **state)
{
	(void)state;
	close(need_kvm_filter());
	const char *args[] = { NULL }; /* the default run: tens of seconds */
	interrupted("install", args, "install ", SIGTERM, "SIGTERM");
}

/* The most random filters ioctl/differential takes (minutes here), so the
 * signal comes while check runs; it stops between two of them. */
static const char *const check_args[] = { "--samples", "10000000", NULL };

static void test_check_sigint(void **state)
{
	(void)state;
	close(need_kvm_filter());
	interrupted("check", check_args, NULL, SIGINT, "SIGINT");
}

static void test_check_sigterm(void **state)
{
	(void)state;
	close(need_kvm_filter());
	interrupted("check", check_args, NULL, SIGTERM, "SIGTERM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_sigint),
		cmocka_unit_test(test_limits_sigterm),
		cmocka_unit_test(test_exit_sigint),
		cmocka_unit_test(test_install_sigterm),
		cmocka_unit_test(test_check_sigint),
		cmocka_unit_test(test_check_sigterm),
	};
	return cmocka_run_group_tests(tests, cli_root_setup, cli_root_teardown);
}
