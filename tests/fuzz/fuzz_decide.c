/* fuzz_decide.c — libFuzzer target for `pfbench filter decide`'s event
 * arguments: the input (up to its first NUL) is an EVENTSEL argument,
 * parsed by event_arg_parse (bench/cli/event-arg.c). A parse accepts
 * exactly "0x"-optional hex of at most 64 bits, which must equal strtoull's
 * base-16 value; an accepted value is then decided on every spec filter
 * (filters/specs, read at start) for every kernel generation and flavor,
 * where pmuf_decide_gp must agree with the prepared pmuf_decider, and on
 * the arm64 specs as an event number. Built by scripts/fuzz.sh. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event-arg.h"
#include "pmuf.h"

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "fuzz check failed: %s: ", #cond);  \
			fprintf(stderr, __VA_ARGS__);                       \
			fputc('\n', stderr);                                \
			abort();                                            \
		}                                                           \
	} while (0)

#define MAX_SPECS 32
static struct pmuf_filter specs[MAX_SPECS];
static size_t nspecs;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = getenv("PFBENCH_SPECS") ? getenv("PFBENCH_SPECS") : "filters/specs";
	DIR *d = opendir(dir);
	CHECK(d, "%s: %s (run from the repository root)", dir, strerror(errno));
	struct dirent *de;
	while ((de = readdir(d)) && nspecs < MAX_SPECS) {
		if (de->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct pmuf_error e;
		if (!pmuf_parse_file(path, PMUF_FMT_AUTO, &specs[nspecs], &e))
			nspecs++;
	}
	closedir(d);
	CHECK(nspecs > 0, "no filter parsed in %s", dir);
	return 0;
}

/* The reference: what the parser must accept, by another route. */
static bool reference(const char *s, uint64_t *v)
{
	const char *p = s;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	size_t n = strlen(p);
	if (!n || strspn(p, "0123456789abcdefABCDEF") != n)
		return false;
	while (*p == '0' && p[1]) /* leading zeros do not count toward 64 bits */
		p++;
	if (strlen(p) > 16)
		return false;
	*v = strtoull(p, NULL, 16);
	return true;
}

static void decide_all(uint64_t ev)
{
	for (size_t i = 0; i < nspecs; i++) {
		const struct pmuf_filter *f = &specs[i];
		bool allowed;
		if (f->arch == PMUF_ARCH_ARM64) {
			int r = pmuf_arm_decide(f, ev > 0xffffffffu ? 0xffffffffu : (unsigned)ev,
						&allowed);
			CHECK(r == 0 || r == -ERANGE || r == -EINVAL, "arm64 decide: %d", r);
			continue;
		}
		for (enum pmuf_flavor fl = PMUF_FLAVOR_INTEL; fl <= PMUF_FLAVOR_AMD; fl++) {
			for (enum pmuf_kernel k = PMUF_KERNEL_5_3; k <= PMUF_KERNEL_6_3; k++) {
				struct pmuf_decider d;
				int ri = pmuf_decider_init(f, fl, k, &d);
				int r = pmuf_decide_gp(f, fl, k, ev, &allowed);
				CHECK(r == ri, "decide_gp %d, decider_init %d", r, ri);
				if (!r)
					CHECK(pmuf_decider_allows(&d, ev) == allowed,
					      "decider and decide_gp disagree on 0x%llx (spec %zu, k %d)",
					      (unsigned long long)ev, i, (int)k);
				pmuf_decider_free(&d);
			}
		}
		(void)pmuf_decide_fixed(f, (unsigned)(ev & 63));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64)
		return 0;
	char s[65];
	memcpy(s, data, size);
	s[size] = '\0'; /* an argv string ends at its first NUL */
	uint64_t v = 0x5a5a, want;
	int r = event_arg_parse(s, &v);
	bool ok = reference(s, &want);
	CHECK((r == 0) == ok, "'%s': parse %d, reference %s", s, r, ok ? "accepts" : "refuses");
	if (r) {
		CHECK(r == -EINVAL || r == -ERANGE, "'%s': %d", s, r);
		CHECK(v == 0x5a5a, "'%s': refused but wrote the value", s);
		return 0;
	}
	CHECK(v == want, "'%s': 0x%llx, want 0x%llx", s, (unsigned long long)v,
	      (unsigned long long)want);
	decide_all(v);
	return 0;
}
