/* fuzz_check.h — FUZZ_CHECK(cond, fmt, ...): the one way every fuzz target
 * states a property. A violation prints the condition and the message,
 * then aborts (a crash for libFuzzer, with the input saved). */
#ifndef PFBENCH_FUZZ_CHECK_H
#define PFBENCH_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...)                                                \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz check failed: %s: ", #cond);   \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			abort();                                             \
		}                                                            \
	} while (0)

#endif
