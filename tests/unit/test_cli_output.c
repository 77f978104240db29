/* test_cli_output.c — the output and input rules (issue 15, items 1 and
 * 2; docs/cli.md) on the built pfbench: -o never replaces a FIFO, a
 * directory or a dangling symlink (exit 2, the path named, the thing left
 * as it was), follows a symlink to a file and keeps the link, keeps an
 * existing file's mode; a benchmark's -o that is not a directory fails
 * before it measures; stdout write errors fail the command; filter inputs
 * that are FIFOs, directories or devices are refused without blocking,
 * and "-" reads standard input. */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "cli-run.h"

CLI_ROOT_FIXTURE(root)
static const char *spec = "filters/specs/intel-allow-branches.pmuf";

static void path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", root, name);
}

/* `pfbench ARGS`: exit 2, want in stderr. */
static void refused(const char *const args[], const char *want)
{
	char *out, *err;
	int st = cli_run(args, &out, &err);
	if (st != 2 || !strstr(err, want))
		fail_msg("%s %s: exit %d, want 2 and '%s' in: %s", args[0], args[1], st, want, err);
	free(out);
	free(err);
}

static void test_output_not_regular(void **state)
{
	(void)state;
	char fifo[512], dir[512], dang[512];
	path_in(fifo, sizeof(fifo), "out.fifo");
	path_in(dir, sizeof(dir), "out.dir");
	path_in(dang, sizeof(dang), "dangling");
	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(symlink("nothing-here", dang), 0);
	const char *convert_fifo[] = { "filter", "convert", "--to", "qemu-json", "-o", fifo, spec, NULL };
	refused(convert_fifo, "not a regular file");
	const char *compile_dir[] = { "filter", "compile", "-o", dir, spec, NULL };
	refused(compile_dir, "a directory");
	const char *convert_dang[] = { "filter", "convert", "--to", "pmuf", "-o", dang, spec, NULL };
	refused(convert_dang, "a symlink to nothing");
	const char *convert_null[] = { "filter", "convert", "--to", "pmuf", "-o", "/dev/null", spec, NULL };
	refused(convert_null, "/dev/null: exists and is not a regular file");
	struct stat st;
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(lstat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(lstat(dang, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* compare's -o too, checked before any work */
	const char *compare_fifo[] = { "compare", "-o", fifo, "a", "b", NULL };
	refused(compare_fifo, "not a regular file");
}

static void test_output_symlink_and_mode(void **state)
{
	(void)state;
	char file[512], link[512];
	path_in(file, sizeof(file), "private.json");
	path_in(link, sizeof(link), "link.json");
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old", 3), 3);
	close(fd);
	assert_int_equal(chmod(file, 0600), 0);
	assert_int_equal(symlink("private.json", link), 0);
	const char *args[] = { "filter", "convert", "--to", "qemu-json", "-o", link, spec, NULL };
	char *err;
	int st = cli_run(args, NULL, &err);
	if (st != 0)
		fail_msg("convert -o link: exit %d: %s", st, err);
	free(err);
	struct stat ls, fs;
	assert_int_equal(lstat(link, &ls), 0);
	assert_true(S_ISLNK(ls.st_mode)); /* the link stays */
	assert_int_equal(stat(file, &fs), 0);
	assert_int_equal(fs.st_mode & 07777, 0600); /* the mode is kept */
	assert_true(fs.st_size > 3);                 /* the target was written */
}

static void test_bench_output_dir(void **state)
{
	(void)state;
	char file[512], under[600];
	path_in(file, sizeof(file), "plain-file");
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
	snprintf(under, sizeof(under), "%s/sub", file);
	/* refused before measuring: the message names the path */
	const char *exit_args[] = { "exit", "--quick", "-o", file, NULL };
	refused(exit_args, "plain-file: not a directory");
	const char *install_args[] = { "install", "--quick", "-o", under, NULL };
	refused(install_args, "plain-file/sub: a parent is not a directory");
	const char *lookup_args[] = { "lookup", "--quick", "-o", file, NULL };
	refused(lookup_args, "plain-file: not a directory");
	const char *check_args[] = { "check", "-o", file, NULL };
	refused(check_args, "plain-file: not a directory");
}

/* stdout that cannot be written: exit 1 with the reason. */
static void test_stdout_errors(void **state)
{
	(void)state;
	int full = open("/dev/full", O_WRONLY);
	if (full < 0)
		skip();
	const char *cases[][6] = {
		{ "filter", "show", spec, NULL },
		{ "filter", "validate", "--vendor", "intel", spec, NULL },
	};
	for (size_t i = 0; i < 2; i++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			dup2(full, 1);
			int devnull = open("/dev/null", O_WRONLY);
			dup2(devnull, 2);
			const char *argv[8] = { cli_pfbench() };
			for (int j = 0; cases[i][j]; j++)
				argv[j + 1] = cases[i][j];
			execv(argv[0], (char *const *)argv);
			_exit(127);
		}
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		if (WEXITSTATUS(st) != 1)
			fail_msg("filter %s > /dev/full: exit %d, want 1", cases[i][1], WEXITSTATUS(st));
	}
	close(full);
}

static void test_filter_inputs(void **state)
{
	(void)state;
	char fifo[512], dir[512];
	path_in(fifo, sizeof(fifo), "in.pmuf");
	path_in(dir, sizeof(dir), "in-dir.pmuf");
	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	/* a FIFO with no writer: refused at once, not a blocking open */
	const char *show_fifo[] = { "filter", "show", fifo, NULL };
	refused(show_fifo, "a FIFO, not a regular file");
	const char *show_dir[] = { "filter", "show", dir, NULL };
	refused(show_dir, "a directory");
	const char *show_dev[] = { "filter", "show", "--format", "kvm-raw", "/dev/zero", NULL };
	refused(show_dev, "not a regular file");
	const char *show_stdin[] = { "filter", "show", "-", NULL };
	refused(show_stdin, "use --format");
	/* "-" with a format reads standard input */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int in = open(spec, O_RDONLY);
		dup2(in, 0);
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		const char *argv[] = { cli_pfbench(), "filter", "show", "--format", "pmuf", "-", NULL };
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Usage errors say what was wrong first, then the usage; control bytes
 * from input are shown escaped. */
static void test_messages(void **state)
{
	(void)state;
	static const struct {
		const char *args[8];
		const char *first_line;
	} cases[] = {
		{ { "filter", "decide", "filters/specs/intel-allow-branches.pmuf", "--", "-1" },
		  "pfbench: filter decide: bad EVENTSEL '-1': expected a hexadecimal number" },
		{ { "filter", "show", "filters/specs/intel-allow-branches.pmuf",
		    "filters/specs/intel-allow-branches.pmuf" },
		  "pfbench filter show: expected one FILE only" },
		{ { "filter", "decide", "filters/specs/intel-allow-branches.pmuf" },
		  "pfbench filter decide: expected at least one EVENTSEL or --fixed I" },
		{ { "filter" }, "pfbench: filter: expected a subcommand" },
		{ { NULL }, "pfbench: expected a command" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out, *err;
		int st = cli_run(cases[i].args, &out, &err);
		size_t n = strlen(cases[i].first_line);
		if (st != 2 || strncmp(err, cases[i].first_line, n) || err[n] != '\n')
			fail_msg("case %zu: exit %d, want 2 and first line '%s': %s", i, st,
				 cases[i].first_line, err);
		free(out);
		free(err);
	}
	char bad[512];
	path_in(bad, sizeof(bad), "escape.pmuf");
	FILE *f = fopen(bad, "w");
	assert_non_null(f);
	fputs("action allow\nevent 0x\033[31mc4\n", f);
	assert_int_equal(fclose(f), 0);
	const char *args[] = { "filter", "show", bad, NULL };
	char *err;
	assert_int_equal(cli_run(args, NULL, &err), 2);
	assert_non_null(strstr(err, "0x\\x1b[31mc4"));
	assert_null(strchr(err, '\033'));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_not_regular),
		cmocka_unit_test(test_output_symlink_and_mode),
		cmocka_unit_test(test_bench_output_dir),
		cmocka_unit_test(test_stdout_errors),
		cmocka_unit_test(test_filter_inputs),
		cmocka_unit_test(test_messages),
	};
	return cmocka_run_group_tests(tests, cli_root_setup, cli_root_teardown);
}
