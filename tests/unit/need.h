/* need.h — a test's precondition that this machine may lack. Without it
 * the test is skipped with the reason, unless scripts/run-tests.sh said
 * this machine must have it ($PFBENCH_MUST_HAVE, words such as "kvm",
 * "namespace", "pfbench"): then the test fails, since a skip there would
 * hide a test that should have run. Header-only, for tests/unit. */
#ifndef PFBENCH_TEST_NEED_H
#define PFBENCH_TEST_NEED_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* True when $PFBENCH_MUST_HAVE lists the word what. */
static inline bool need_must_have(const char *what)
{
	const char *s = getenv("PFBENCH_MUST_HAVE");
	size_t n = strlen(what);

	while (s && *s) {
		s += strspn(s, " ");
		size_t w = strcspn(s, " ");
		if (w == n && !strncmp(s, what, n))
			return true;
		s += w;
	}
	return false;
}

/* Skip the current test for want of `what` (fmt says why), or fail it
 * when this machine must have `what`. Does not return. */
#define need_skip(what, ...)                                                   \
	do {                                                                   \
		char need_why_[512];                                           \
		snprintf(need_why_, sizeof(need_why_), __VA_ARGS__);           \
		if (need_must_have(what))                                      \
			fail_msg("this machine must run it (%s) but: %s",      \
				 (what), need_why_);                           \
		print_message("SKIP: %s\n", need_why_);                        \
		skip();                                                        \
	} while (0)

#endif
