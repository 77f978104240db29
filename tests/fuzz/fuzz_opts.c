/* fuzz_opts.c — libFuzzer target for the CLI's number and list parsers
 * (bench/cli/util.c util_parse_u64, bench/cli/options.c opts_parse_list):
 * the input up to its first NUL is an argument. util_parse_u64 accepts
 * exactly decimal digits or 0x and hex digits that fit 64 bits (never
 * octal, no sign, no space), checked against a reference; a list parses
 * to at most OPT_LIST_MAX numbers in range, each equal to its item
 * parsed alone, or fails with a reason. Built by scripts/fuzz.sh. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "util.h"

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "fuzz check failed: %s: ", #cond);  \
			fprintf(stderr, __VA_ARGS__);                       \
			fputc('\n', stderr);                                \
			abort();                                            \
		}                                                           \
	} while (0)

/* The reference: decimal or 0x-hex digits only, value by hand. */
static int reference(const char *s, unsigned long long *v)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *p = hex ? s + 2 : s;
	const char *digits = hex ? "0123456789abcdefABCDEF" : "0123456789";
	if (!*p || strspn(p, digits) != strlen(p))
		return -EINVAL;
	unsigned long long x = 0, base = hex ? 16 : 10;
	for (; *p; p++) {
		unsigned d = (unsigned)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
		if (x > (~0ull - d) / base)
			return -ERANGE;
		x = x * base + d;
	}
	*v = x;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	CHECK(s, "no memory");
	memcpy(s, data, size);
	s[size] = '\0';

	unsigned long long v = 0, want = 0;
	int r = util_parse_u64(s, &v), ref = reference(s, &want);
	CHECK(r == ref, "'%s': util_parse_u64 %d, reference %d", s, r, ref);
	if (!r)
		CHECK(v == want, "'%s': %llu, want %llu", s, v, want);

	/* a list: the range from the first byte, so both ends get exercised */
	unsigned long long lo = size ? data[0] % 4 : 0, hi = size > 1 ? 1000ull * data[1] : ~0ull;
	struct opt_list l;
	char why[200];
	memset(why, 'x', sizeof(why));
	r = opts_parse_list(s, lo, hi, &l, why, sizeof(why));
	if (r) {
		CHECK(memchr(why, 0, sizeof(why)) && why[0], "'%s': list refused without a reason", s);
	} else {
		CHECK(l.n >= 1 && l.n <= OPT_LIST_MAX, "'%s': %zu items", s, (size_t)l.n);
		char *copy = strdup(s), *save = NULL;
		CHECK(copy, "no memory");
		size_t i = 0;
		for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save), i++) {
			CHECK(i < l.n, "'%s': more items than parsed", s);
			CHECK(reference(item, &want) == 0 && want == l.v[i] && want >= lo && want <= hi,
			      "'%s': item %zu is %llu", s, i, l.v[i]);
		}
		CHECK(i == l.n, "'%s': %zu items, parsed %zu", s, i, (size_t)l.n);
		free(copy);
	}
	free(s);
	return 0;
}
