/* cli-run.h — running $PFBENCH (set by scripts/run-tests.sh) from a cmocka
 * test: capture stdout and stderr, the exit status, optionally with
 * /dev/kvm hidden (a private mount namespace with /dev/null bound over it,
 * so the command sees a /dev/kvm that is not KVM), the usage-error check
 * every subcommand test makes, and temp directories. Header-only (static
 * inline functions, so a test need not use them all) for
 * tests/unit/test_cli_*.c. */
#ifndef PFBENCH_TEST_CLI_RUN_H
#define PFBENCH_TEST_CLI_RUN_H

#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "need.h"

/* The child's status when hiding /dev/kvm was not possible. */
#define CLI_NO_NAMESPACE 125

static inline const char *cli_pfbench(void)
{
	const char *p = getenv("PFBENCH");
	if (!p || access(p, X_OK) != 0) {
		need_skip("pfbench", "$PFBENCH (%s) is not an executable; run via scripts/run-tests.sh",
			  p ? p : "unset");
	}
	return p;
}

static inline void cli_drain(int fd, char **out)
{
	char *buf = NULL, chunk[4096];
	size_t len = 0;
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		buf = realloc(buf, len + (size_t)n + 1);
		assert_non_null(buf);
		memcpy(buf + len, chunk, (size_t)n);
		len += (size_t)n;
	}
	close(fd);
	if (!buf)
		buf = calloc(1, 1);
	assert_non_null(buf);
	buf[len] = '\0';
	*out = buf;
}

/* Runs pfbench with args (NULL-terminated, at most CLI_MAX_ARGS); stdout
 * into *out and stderr into *err (malloc'd; either may be NULL). Returns
 * the exit status. stderr goes to a temp file so a chatty command cannot
 * block. */
#define CLI_MAX_ARGS 62
static inline int cli_run_ex(const char *const args[], char **out, char **err, int hide_kvm)
{
	const char *exe = cli_pfbench();
	int po[2];
	char errpath[] = "/tmp/pfbench-test-stderr-XXXXXX";
	int efd = mkstemp(errpath);
	assert_true(efd >= 0);
	unlink(errpath);
	assert_int_equal(pipe(po), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(efd, 2);
		close(po[0]);
		if (hide_kvm && (unshare(CLONE_NEWNS) < 0 ||
				 mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
				 mount("/dev/null", "/dev/kvm", NULL, MS_BIND, NULL) < 0))
			_exit(CLI_NO_NAMESPACE);
		const char *argv[CLI_MAX_ARGS + 2] = { exe };
		for (int i = 0; args[i] && i < CLI_MAX_ARGS; i++)
			argv[i + 1] = args[i];
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	char *o;
	cli_drain(po[0], &o);
	if (out)
		*out = o;
	else
		free(o);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (err) {
		assert_int_equal(lseek(efd, 0, SEEK_SET), 0);
		cli_drain(efd, err);
	} else {
		close(efd);
	}
	return WEXITSTATUS(st);
}

static inline int cli_run(const char *const args[], char **out, char **err)
{
	return cli_run_ex(args, out, err, 0);
}

/* cli_run of `pfbench CMD ARGS...` (CMD a subcommand). */
static inline int cli_run_cmd(const char *cmd, const char *const args[], char **out, char **err)
{
	const char *all[CLI_MAX_ARGS + 1] = { cmd };
	for (int i = 0; args[i] && i < CLI_MAX_ARGS - 1; i++)
		all[i + 1] = args[i];
	return cli_run(all, out, err);
}

/* A usage error: exit 2, want_in_err in stderr, nothing on stdout. */
static inline void cli_usage_case(const char *const args[], const char *want_in_err)
{
	char *out, *err;
	int st = cli_run(args, &out, &err);
	if (st != 2)
		fail_msg("%s %s: exit %d, want 2 (%s)", args[0], args[1] ? args[1] : "", st, err);
	if (!strstr(err, want_in_err))
		fail_msg("stderr lacks '%s': %s", want_in_err, err);
	assert_string_equal(out, "");
	free(out);
	free(err);
}

/* `pfbench CMD --help`: exit 0 with want in stdout. */
static inline void cli_help_case(const char *cmd, const char *want)
{
	char *out;
	const char *args[] = { cmd, "--help", NULL };
	int st = cli_run(args, &out, NULL);
	if (st != 0 || !strstr(out, want))
		fail_msg("%s --help: exit %d, want 0 and '%s' in: %s", cmd, st, want, out);
	free(out);
}

/* A fresh directory under /tmp; cli_rmdir removes it and its files. */
static inline void cli_mkdtemp(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/pfbench-test-XXXXXX");
	assert_non_null(mkdtemp(buf));
}

static inline void cli_rmdir(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* A test group's scratch directory `root`, made by cli_root_setup and
 * removed by cli_root_teardown: cmocka_run_group_tests(tests,
 * cli_root_setup, cli_root_teardown). */
#define CLI_ROOT_FIXTURE(root)                                                                 \
	static char root[256];                                                                 \
	static int cli_root_setup(void **state)                                                \
	{                                                                                      \
		(void)state;                                                                   \
		cli_mkdtemp(root, sizeof(root));                                               \
		return 0;                                                                      \
	}                                                                                      \
	static int cli_root_teardown(void **state)                                             \
	{                                                                                      \
		(void)state;                                                                   \
		cli_rmdir(root);                                                               \
		return 0;                                                                      \
	}

#endif
