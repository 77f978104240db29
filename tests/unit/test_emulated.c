/* test_emulated.c — the emulator label (bench/common/emulated.c): read
 * from PFBENCH_EMULATED (or the kernel command line), kept to [a-z0-9-],
 * and carried by every record out_set_add adds and by the context. Each
 * case runs in a child: the label is read once per process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "check.h"
#include "emulated.h"
#include "exit-bench.h"
#include "install-bench.h"
#include "lookup-bench.h"
#include "out.h"

/* Every benchmark's schema declares the label out_set_add() adds. */
static const struct schema *const schemas[] = { &lookup_schema, &exit_schema, &install_schema,
					       &check_schema };

/* Exit status of a child that sets PFBENCH_EMULATED to env (NULL: unset)
 * and checks the label and a record against want (NULL: none). */
static int child(const char *env, const char *want)
{
	pid_t p = fork();
	if (p == 0) {
		if (env)
			setenv("PFBENCH_EMULATED", env, 1);
		else
			unsetenv("PFBENCH_EMULATED");
		const char *how = NULL, *em = host_emulated(&how);
		if (!how)
			_exit(10);
		if (want ? !em || strcmp(em, want) : em != NULL)
			_exit(11);
		for (size_t i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
			json_t *set = out_set_new(schemas[i], json_object()), *rec = json_object();
			char err[200];
			out_set_add(set, rec);
			const char *lab = json_string_value(json_object_get(rec, "emulated"));
			int bad = want ? !lab || strcmp(lab, want) : lab != NULL;
			if (!bad && out_check_set(set, err, sizeof(err)))
				bad = 13;
			json_decref(set);
			if (bad)
				_exit(bad == 13 ? 13 : 12);
		}
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_label(void **state)
{
	(void)state;
	FILE *f = fopen("/proc/cmdline", "r");
	char buf[4096] = "";
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	if (strstr(buf, "pfbench.emulated="))
		skip(); /* this host's kernel command line labels it: env cases cannot be told apart */
	assert_int_equal(child(NULL, NULL), 0);
	assert_int_equal(child("qemu-tcg-icount", "qemu-tcg-icount"), 0);
	assert_int_equal(child("qemu-tcg", "qemu-tcg"), 0);
	/* Anything but [a-z0-9-] is not a label. */
	assert_int_equal(child("QEMU", NULL), 0);
	assert_int_equal(child("a\"b", NULL), 0);
	assert_int_equal(child("", NULL), 0);
}

/* exit_classify_exec: the emulator's count decides emulation, however many
 * exits a busy host adds; native needs an exit per CPUID and no
 * emulation; absent stats and neither fit are unknown. */
static void test_classify_exec(void **state)
{
	(void)state;
	char why[256];
	assert_int_equal(exit_classify_exec(80, 0.01, why, sizeof(why)), EXIT_EXEC_EMULATED);
	assert_int_equal(exit_classify_exec(80, 4.9, why, sizeof(why)), EXIT_EXEC_EMULATED);
	assert_non_null(strstr(why, "emulator"));
	assert_int_equal(exit_classify_exec(0, 1.0, why, sizeof(why)), EXIT_EXEC_NATIVE);
	assert_int_equal(exit_classify_exec(1.2, 3.0, why, sizeof(why)), EXIT_EXEC_NATIVE);
	assert_int_equal(exit_classify_exec(0, 0.001, why, sizeof(why)), EXIT_EXEC_UNKNOWN);
	assert_int_equal(exit_classify_exec(-1, 1, why, sizeof(why)), EXIT_EXEC_UNKNOWN);
	assert_non_null(strstr(why, "insn_emulation"));
	assert_int_equal(exit_classify_exec(10, -1, why, sizeof(why)), EXIT_EXEC_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_exec),
		cmocka_unit_test(test_label),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
