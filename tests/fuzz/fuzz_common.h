/* fuzz_common.h — the property every parser's fuzz target checks: a parse
 * either fails with a well-formed error (a message; line/col not negative)
 * or succeeds, and then the filter renders in its own format (always
 * possible), reparses, and equals the original. Renders into the other
 * formats must either fail with a reason or round-trip too. Validation runs
 * on both flavors for coverage. Any violation aborts (a crash for
 * libFuzzer). Built by scripts/fuzz.sh with the filter library only. */
#ifndef PFBENCH_FUZZ_COMMON_H
#define PFBENCH_FUZZ_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmuf.h"
#include "pmuf_eq.h"

#include "fuzz_check.h"

static void fuzz_reparse(const struct pmuf_filter *f, enum pmuf_format fmt, enum pmuf_format own)
{
	char *buf = NULL, msg[256] = "", why[256];
	size_t len = 0;
	int r = pmuf_render_msg(f, fmt, &buf, &len, msg, sizeof(msg));
	if (fmt == own)
		FUZZ_CHECK(r == 0, "cannot render in its own format %s: %d %s", pmuf_format_name(fmt), r, msg);
	if (r) {
		FUZZ_CHECK(r == -EINVAL && msg[0], "render %s: %d with no reason", pmuf_format_name(fmt), r);
		return;
	}
	struct pmuf_filter g;
	struct pmuf_error e;
	r = pmuf_parse_buf(buf, len, fmt, "rendered", &g, &e);
	FUZZ_CHECK(r == 0, "rendered %s does not parse: %d:%d: %s\n%.*s", pmuf_format_name(fmt), e.line, e.col,
		   e.msg, (int)(len > 4000 ? 4000 : len), buf);
	/* pmuf keeps the declared flavor; qemu-json and kvm-raw have none */
	FUZZ_CHECK(pmuf_eq(f, &g, fmt == PMUF_FMT_PMUF, why, sizeof(why)), "%s round trip: %s",
		   pmuf_format_name(fmt), why);
	free(buf);
	pmuf_free(&g);
}

static int fuzz_one(const uint8_t *data, size_t size, enum pmuf_format own)
{
	struct pmuf_filter f;
	struct pmuf_error e;
	memset(&e, 0x5a, sizeof(e));
	int r = pmuf_parse_buf((const char *)data, size, own, "fuzz", &f, &e);
	if (r) {
		FUZZ_CHECK(r == -EINVAL || r == -ENOMEM, "parse returned %d", r);
		FUZZ_CHECK(memchr(e.msg, '\0', sizeof(e.msg)) && e.msg[0], "no error message");
		FUZZ_CHECK(memchr(e.file, '\0', sizeof(e.file)) && !strcmp(e.file, "fuzz"), "bad error file");
		FUZZ_CHECK(e.line >= 0 && e.col >= 0, "negative position %d:%d", e.line, e.col);
		return 0;
	}
	static const enum pmuf_format fmts[] = { PMUF_FMT_PMUF, PMUF_FMT_QEMU_JSON, PMUF_FMT_KVM_RAW };
	for (size_t i = 0; i < 3; i++)
		fuzz_reparse(&f, fmts[i], own);
	for (enum pmuf_flavor fl = PMUF_FLAVOR_INTEL; fl <= PMUF_FLAVOR_AMD; fl++) {
		struct pmuf_verdict v;
		pmuf_validate(&f, fl, &v);
		pmuf_verdict_free(&v);
	}
	pmuf_free(&f);
	return 0;
}

#endif
