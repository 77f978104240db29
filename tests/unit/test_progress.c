/* test_progress.c — the progress line: silent when stderr is not a
 * terminal, drawn on a terminal (a pseudo-terminal here) only after the
 * first second, at most every 100 ms, and erased at the end. Time is moved
 * by editing the struct's start/last, so the test never sleeps. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "progress.h"

static int saved_stderr = -1;

static void redirect_stderr(int fd)
{
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
}

static void restore_stderr(void)
{
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_silent_when_not_a_terminal(void **state)
{
	(void)state;
	char path[] = "/tmp/pfbench-progress.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	redirect_stderr(fd);
	struct progress p;
	progress_begin(&p, "sweep", 10);
	p.start -= 5; /* long past the first second */
	for (int i = 0; i < 10; i++)
		progress_step(&p, 1);
	progress_end(&p);
	restore_stderr();
	assert_int_equal(p.tty, 0);
	assert_int_equal(p.done, 10);
	assert_int_equal(lseek(fd, 0, SEEK_END), 0);
	close(fd);
}

static void test_draws_on_a_terminal(void **state)
{
	(void)state;
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0) {
		print_message("skipped: posix_openpt: %s\n", strerror(errno));
		skip();
	}
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	redirect_stderr(slave);

	struct progress p;
	progress_begin(&p, "lookup", 10);
	progress_step(&p, 2); /* within the first second: nothing */
	int drawn_early = p.drawn;
	p.start -= 2.0;       /* two seconds in */
	p.last = p.start;
	progress_step(&p, 3); /* 5/10: drawn */
	int drawn_late = p.drawn;
	progress_step(&p, 1); /* same instant: rate-limited */
	p.last -= 0.2;
	progress_step(&p, 1); /* 7/10: drawn again */
	progress_end(&p);
	restore_stderr();
	close(slave);

	char buf[4096];
	size_t len = 0;
	int fl = fcntl(master, F_GETFL);
	fcntl(master, F_SETFL, fl | O_NONBLOCK);
	for (;;) {
		ssize_t n = read(master, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(master);

	assert_int_equal(p.tty, 1);
	assert_false(drawn_early);
	assert_true(drawn_late);
	assert_non_null(strstr(buf, "lookup 5/10  50% elapsed 2.0s ETA 2.0s"));
	assert_null(strstr(buf, "6/10"));
	assert_non_null(strstr(buf, "lookup 7/10  70%"));
	/* two draws and the final erase, each starting with CR + erase-line */
	assert_int_equal(count(buf, "\r\033[K"), 3);
	assert_true(len >= 4 && !strcmp(buf + len - 4, "\r\033[K"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_silent_when_not_a_terminal),
		cmocka_unit_test(test_draws_on_a_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
