/* test_cli_options.c — the one command line (bench/cli/options.h): the
 * number and list parsers, and every benchmark accepting the shared
 * options with the same meaning and error text, its --help generated from
 * its option rows. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli-run.h"
#include "options.h"
#include "order.h"
#include "util.h"

/* Decimal or 0x hex, never octal, no sign or space. */
static void test_number_parser(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int err;
		unsigned long long v;
	} cases[] = {
		{ "010", 0, 10 }, { "0", 0, 0 }, { "0x10", 0, 16 }, { "0X1f", 0, 31 },
		{ "18446744073709551615", 0, ~0ull }, { "18446744073709551616", -ERANGE, 0 },
		{ "", -EINVAL, 0 }, { "-1", -EINVAL, 0 }, { "+1", -EINVAL, 0 }, { " 1", -EINVAL, 0 },
		{ "1x", -EINVAL, 0 }, { "0x", -EINVAL, 0 }, { "0x0x5", -EINVAL, 0 }, { "08", 0, 8 },
		{ "1e3", -EINVAL, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long long v = 0;
		int err = util_parse_u64(cases[i].s, &v);
		if (err != cases[i].err || (!err && v != cases[i].v))
			fail_msg("'%s': %d %llu, want %d %llu", cases[i].s, err, v, cases[i].err,
				 cases[i].v);
	}
}

/* One list parser: no empty list or item, every item in range. */
static void test_list_parser(void **state)
{
	(void)state;
	struct opt_list l;
	char why[200];
	assert_int_equal(opts_parse_list("1,0x10,010", 0, 300, &l, why, sizeof(why)), 0);
	assert_int_equal(l.n, 3);
	assert_true(l.v[0] == 1 && l.v[1] == 16 && l.v[2] == 10);
	static const struct {
		const char *s, *why;
	} bad[] = {
		{ "", "empty list" },
		{ "1,,2", "'1,,2': an empty item at column 3" },
		{ "1,2,", "an empty item at column 5" },
		{ ",1", "an empty item at column 1" },
		{ "1,301", "'301' is not a number in 0..300 (column 3 of '1,301')" },
		{ "1,x", "'x' is not a number in 0..300" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(opts_parse_list(bad[i].s, 0, 300, &l, why, sizeof(why)), -EINVAL);
		if (!strstr(why, bad[i].why))
			fail_msg("'%s': '%s', want '%s'", bad[i].s, why, bad[i].why);
	}
}

static const char *const benches[] = { "lookup", "exit", "install", "check", "limits" };

/* Every benchmark: the shared options in its --help, and the same error
 * text for each of them. */
static void test_shared_options(void **state)
{
	(void)state;
	for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++) {
		const char *cmd = benches[b];
		char *out, *err, want[160];
		const char *help[] = { cmd, "--help", NULL };
		assert_int_equal(cli_run(help, &out, NULL), 0);
		static const char *const rows[] = { "\n  --quick ", "\n  -o, --output DIR ",
						    "\n  --cpu N ", "\n  -n, --samples N ",
						    "\n  --seed N ", "\n  -v, --verbose ",
						    "\n  -h, --help " };
		for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++)
			if (!strstr(out, rows[r]))
				fail_msg("pfbench %s --help lacks '%s'", cmd, rows[r] + 1);
		free(out);

		const struct {
			const char *args[4];
			const char *want;
		} bad[] = {
			{ { cmd, "--samples", "x", NULL }, "--samples: 'x' is not a number in " },
			{ { cmd, "-n", "-1", NULL }, "--samples: '-1' is not a number in " },
			{ { cmd, "--cpu", "99999", NULL }, "--cpu: '99999' is not a number in 0.." },
			{ { cmd, "-o", NULL }, "-o: needs an argument" },
			{ { cmd, "--output", NULL }, "--output: needs an argument" },
			{ { cmd, "--frobnicate", NULL }, "--frobnicate: unknown option" },
			{ { cmd, "--quick", "stray", NULL }, "unexpected argument 'stray'" },
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			int st = cli_run(bad[i].args, &out, &err);
			snprintf(want, sizeof(want), "pfbench %s: %s", cmd, bad[i].want);
			if (st != 2 || strncmp(err, want, strlen(want)) || !strstr(err, "\nusage: pfbench "))
				fail_msg("case %zu: exit %d, stderr '%.300s', want 2, '%s' and the usage",
					 i, st, err, want);
			assert_string_equal(out, "");
			free(out);
			free(err);
		}
	}
}

/* --seed N: every benchmark takes it with the same text (lookup's filters
 * and streams, check's random filters, limits' filters; install's and
 * exit's configuration order). */
static void test_seed(void **state)
{
	(void)state;
	for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++) {
		char want[120];
		const char *a[] = { benches[b], "--seed", "1x", NULL };
		snprintf(want, sizeof(want), "pfbench %s: --seed: '1x' is not a number in 0..",
			 benches[b]);
		cli_usage_case(a, want);
		const char *e[] = { benches[b], "--seed", NULL };
		snprintf(want, sizeof(want), "pfbench %s: --seed: needs an argument", benches[b]);
		cli_usage_case(e, want);
	}
}

/* The configuration order of --seed: a permutation of the list, the same
 * for the same seed, another for another seed (these two seeds: the
 * permutation is a fixed function of the seed), the list unchanged for
 * one item. */
static void test_order_shuffle(void **state)
{
	(void)state;
	unsigned a[12], b[12], c[12];
	for (unsigned i = 0; i < 12; i++)
		a[i] = b[i] = c[i] = i;
	order_shuffle(a, 12, 7);
	order_shuffle(b, 12, 7);
	order_shuffle(c, 12, 8);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, c, sizeof(a));
	unsigned seen = 0, moved = 0;
	for (unsigned i = 0; i < 12; i++) {
		seen |= 1u << a[i];
		moved += a[i] != i;
	}
	assert_int_equal(seen, 0xfff);
	assert_true(moved > 0);
	unsigned one = 5;
	order_shuffle(&one, 1, 7);
	assert_int_equal(one, 5);
	json_t *j = order_seed_json(1, 0x9e3779b97f4a7c15ull);
	assert_string_equal(json_string_value(j), "0x9e3779b97f4a7c15");
	json_decref(j);
	j = order_seed_json(0, 7);
	assert_true(json_is_null(j));
	json_decref(j);
}

/* --filter FILE, shared by four benchmarks (not limits): repeatable up to 16, and a
 * file that cannot be read or installed is the option's error, in the
 * same words everywhere, before anything runs or is written. */
static void test_filter_option(void **state)
{
	(void)state;
	static const char *const four[] = { "lookup", "exit", "install", "check" };
	for (size_t b = 0; b < sizeof(four) / sizeof(four[0]); b++) {
		const char *cmd = four[b], *many[2 + 2 * 17];
		char *out;
		const char *help[] = { cmd, "--help", NULL };
		assert_int_equal(cli_run(help, &out, NULL), 0);
		if (!strstr(out, "\n  --filter FILE "))
			fail_msg("pfbench %s --help lacks '--filter FILE'", cmd);
		free(out);
		char want[160];
		size_t n = 0;
		many[n++] = cmd;
		for (int i = 0; i < 17; i++) {
			many[n++] = "--filter";
			many[n++] = "filters/specs/intel-allow-branches.pmuf";
		}
		many[n] = NULL;
		snprintf(want, sizeof(want), "pfbench %s: --filter: more than 16 given", cmd);
		cli_usage_case(many, want);
		const char *missing[] = { cmd, "--filter", "/nonexistent.pmuf", NULL };
		snprintf(want, sizeof(want),
			 "pfbench %s: --filter: /nonexistent.pmuf: cannot open: No such file or directory", cmd);
		cli_usage_case(missing, want);
		const char *arm[] = { cmd, "--filter", "filters/specs/arm64-cancel.pmuf", NULL };
		snprintf(want, sizeof(want),
			 "pfbench %s: --filter: filters/specs/arm64-cancel.pmuf: an arm64 filter", cmd);
		cli_usage_case(arm, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_parser),
		cmocka_unit_test(test_list_parser),
		cmocka_unit_test(test_shared_options),
		cmocka_unit_test(test_seed),
		cmocka_unit_test(test_order_shuffle),
		cmocka_unit_test(test_filter_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
