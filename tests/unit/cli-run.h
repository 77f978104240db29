/* cli-run.h — running $PFBENCH (set by scripts/run-tests.sh) from a cmocka
 * test: capture stdout and stderr, the exit status, optionally with
 * /dev/kvm hidden (a private mount namespace with /dev/null bound over it,
 * so the command sees a /dev/kvm that is not KVM), and temp directories.
 * Header-only (static functions) for tests/unit/test_cli_*.c. */
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

/* The child's status when hiding /dev/kvm was not possible. */
#define CLI_NO_NAMESPACE 125

static const char *cli_pfbench(void)
{
	const char *p = getenv("PFBENCH");
	if (!p || access(p, X_OK) != 0) {
		print_message("SKIP: $PFBENCH (%s) is not an executable; run via scripts/run-tests.sh\n",
			      p ? p : "unset");
		skip();
	}
	return p;
}

static void cli_drain(int fd, char **out)
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

/* Runs pfbench with args (NULL-terminated, at most 30); stdout into *out
 * and stderr into *err (malloc'd; err may be NULL). Returns the exit
 * status. stderr goes to a temp file so a chatty command cannot block. */
static int cli_run_ex(const char *const args[], char **out, char **err, int hide_kvm)
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
		const char *argv[32] = { exe };
		for (int i = 0; args[i] && i < 30; i++)
			argv[i + 1] = args[i];
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	cli_drain(po[0], out);
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

static int cli_run(const char *const args[], char **out, char **err)
{
	return cli_run_ex(args, out, err, 0);
}

/* A fresh directory under /tmp; cli_rmdir removes it and its files. */
static void cli_mkdtemp(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/pfbench-test-XXXXXX");
	assert_non_null(mkdtemp(buf));
}

static void cli_rmdir(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

#endif
