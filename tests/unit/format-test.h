/* format-test.h — what the filter-format tests (test_formats_*.c) share:
 * parsing a text with the error printed, a 64-bit random value for random
 * filters, and checking one parse error's position and message.
 * Header-only (static inline) for cmocka tests; fuzz targets use
 * pmuf_eq.h only. */
#ifndef PFBENCH_TEST_FORMAT_TEST_H
#define PFBENCH_TEST_FORMAT_TEST_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pmuf.h"

/* pmuf_parse_buf of a NUL-terminated text as `file`; prints the error. */
static inline int ftest_parse(const char *text, enum pmuf_format fmt, const char *file,
			      struct pmuf_filter *f)
{
	struct pmuf_error e;
	int r = pmuf_parse_buf(text, strlen(text), fmt, file, f, &e);
	if (r) {
		char m[600];
		pmuf_error_format(&e, m, sizeof(m));
		print_error("parse failed: %s\n", m);
	}
	return r;
}

static inline uint64_t ftest_rnd64(void)
{
	return (uint64_t)random() << 42 ^ (uint64_t)random() << 21 ^ (uint64_t)random();
}

/* A parse error case: the text and the error it must give. */
struct err_case {
	const char *text;
	int line, col;
	const char *msg;
};

/* Parsing text (len bytes) as `file` must fail with -EINVAL at line:col
 * with msg in the message; fails the test when it parses. Returns whether
 * the error matched (printing got and want when not). */
static inline bool ftest_err_matches(enum pmuf_format fmt, const char *file, const char *text,
				     size_t len, int line, int col, const char *msg)
{
	struct pmuf_filter f;
	struct pmuf_error e;
	char full[700];
	int r = pmuf_parse_buf(text, len, fmt, file, &f, &e);
	if (!r) {
		pmuf_free(&f);
		fail_msg("parsed without error: \"%s\"", text);
	}
	assert_int_equal(r, -EINVAL);
	pmuf_error_format(&e, full, sizeof(full));
	if (e.line != line || e.col != col || !strstr(e.msg, msg) || strcmp(e.file, file)) {
		print_error("\"%s\"\n  got:  %s\n  want: %s:%d:%d: %s\n", text, full, file, line, col, msg);
		return false;
	}
	return true;
}

#endif
