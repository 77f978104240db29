/* test_cli_main.c — the top-level CLI (bench/cli/pfbench.c): the command table,
 * `pfbench help`, `pfbench help COMMAND [SUB]` as that command's --help,
 * and usage errors (exit 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli-run.h"

static const char *const commands[] = { "info",	   "filter",  "lookup", "exit", "install",
					"check",   "compare", "suite",	"report" };

static void test_help_lists_every_command(void **state)
{
	(void)state;
	char *out = NULL;
	assert_int_equal(cli_run((const char *const[]){ "help", NULL }, &out, NULL), 0);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char row[32];
		snprintf(row, sizeof(row), "  %s ", commands[i]);
		if (!strstr(out, row))
			fail_msg("`pfbench help` does not list %s:\n%s", commands[i], out);
	}
	free(out);
}

/* `pfbench help CMD [SUB]` prints exactly what `pfbench CMD [SUB] --help` does. */
static void same_help(const char *const via_help[], const char *const direct[])
{
	char *a = NULL, *b = NULL;
	assert_int_equal(cli_run(via_help, &a, NULL), 0);
	assert_int_equal(cli_run(direct, &b, NULL), 0);
	assert_true(strlen(a) > 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_help_command(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		same_help((const char *const[]){ "help", commands[i], NULL },
			  (const char *const[]){ commands[i], "--help", NULL });
	same_help((const char *const[]){ "help", "filter", "decide", NULL },
		  (const char *const[]){ "filter", "decide", "--help", NULL });
}

static void test_usage_errors(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	assert_int_equal(cli_run((const char *const[]){ NULL }, &out, &err), 2);
	assert_non_null(strstr(err, "usage"));
	free(out);
	free(err);
	cli_usage_case((const char *const[]){ "no-such-command", NULL }, "no-such-command");
	cli_usage_case((const char *const[]){ "help", "no-such-command", NULL }, "no-such-command");
	cli_usage_case((const char *const[]){ "--bogus", NULL }, "--bogus");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_lists_every_command),
		cmocka_unit_test(test_help_command),
		cmocka_unit_test(test_usage_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
