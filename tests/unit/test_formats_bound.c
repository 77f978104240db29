/* test_formats_bound.c — pmuf_render_bound, the size `filter convert`
 * checks before it builds an output (issue 15): for filters made of each
 * format's longest entries (largest select, mask and match; raw codes
 * above INT64_MAX; 127-character names; arm64 ranges with the widest
 * numbers) the bound is never below what the renderer writes, and for a
 * filter of one kind of entry it is above it by no more than the header
 * allowance and a byte an entry, so it does not refuse outputs that
 * would fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kvm-compat.h"
#include "pmuf.h"

#define N 1000
/* The largest header allowance (pmuf), and a byte an entry: "true" is
 * shorter than "false", a 19-digit integer than a quoted 0x string. */
#define SLACK (512 + N)

/* Renders f as fmt (if the format can express it) and checks the bound. */
static void check(const struct pmuf_filter *f, enum pmuf_format fmt, bool tight)
{
	char *buf;
	size_t len;
	if (pmuf_render(f, fmt, &buf, &len))
		return; /* this format cannot write f: nothing to bound */
	size_t bound = pmuf_render_bound(f, fmt);
	if (len > bound)
		fail_msg("%s: rendered %zu bytes, bound %zu", pmuf_format_name(fmt), len, bound);
	if (tight && bound > len + SLACK)
		fail_msg("%s: bound %zu is more than %d over the %zu rendered", pmuf_format_name(fmt),
			 bound, SLACK, len);
	free(buf);
}

static void check_all(const struct pmuf_filter *f, bool tight)
{
	check(f, PMUF_FMT_PMUF, tight);
	check(f, PMUF_FMT_QEMU_JSON, tight);
	check(f, PMUF_FMT_KVM_RAW, tight);
}

/* N copies of entry e, each named by a 127-character name if named. */
static void fill(struct pmuf_filter *f, uint64_t e, bool named)
{
	struct pmuf_src src = { .line = 1 };
	memset(src.name, 'N', sizeof(src.name) - 1);
	for (int i = 0; i < N; i++)
		assert_int_equal(pmuf_add_event(f, e, named ? &src : NULL), 0);
}

static void test_x86_masked(void **state)
{
	(void)state;
	for (int excl = 0; excl <= 1; excl++) {
		struct pmuf_filter f;
		pmuf_init(&f, PMUF_ARCH_X86);
		f.flags = KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
		f.fixed_counter_bitmap = 0xFFFFFFFFu;
		fill(&f, pmuf_masked_encode(0xFFF, 0xFF, 0xFF, excl), false);
		check_all(&f, true);
		fill(&f, pmuf_masked_encode(0xFFF, 0xFF, 0xFF, excl), true);
		fill(&f, ~0ull, false); /* bits outside the fields: "raw" in pmuf */
		check_all(&f, false);
		pmuf_free(&f);
	}
}

static void test_x86_exact(void **state)
{
	(void)state;
	static const uint64_t entries[] = {
		0xF0000FFFFull,         /* select 0xFFF, umask 0xFF */
		0xFFFFFFFFFFFFFFFFull,  /* above INT64_MAX: a string in QEMU's JSON */
		0x7FFFFFFFFFFFFFFFull,  /* the longest integer */
	};
	for (size_t k = 0; k < sizeof(entries) / sizeof(entries[0]); k++) {
		struct pmuf_filter f;
		pmuf_init(&f, PMUF_ARCH_X86);
		f.action = PMUF_DENY;
		f.fixed_counter_bitmap = 0xFFFFFFFFu;
		fill(&f, entries[k], false);
		check_all(&f, true);
		fill(&f, entries[k], true);
		f.action = UINT32_MAX; /* "action 4294967295" in pmuf; QEMU cannot */
		f.pad[0] = f.pad[1] = f.pad[2] = f.pad[3] = UINT32_MAX;
		f.flags = 0xFFFFFFFEu;
		check_all(&f, false);
		pmuf_free(&f);
	}
}

static void test_arm64_ranges(void **state)
{
	(void)state;
	struct pmuf_filter f;
	pmuf_init(&f, PMUF_ARCH_ARM64);
	for (int i = 0; i < N; i++) {
		assert_int_equal(pmuf_add_range(&f, 0xF0000000u, 0x0FFFFFFFu, UINT32_MAX), 0);
		assert_int_equal(pmuf_add_range(&f, 0xFFFFFFFFu, 0xFFFFFFFFu, UINT32_MAX), 0);
		assert_int_equal(pmuf_add_range(&f, 0xFFFFFFFFu, 0, PMUF_DENY), 0);
	}
	check_all(&f, false);
	pmuf_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_masked),
		cmocka_unit_test(test_x86_exact),
		cmocka_unit_test(test_arm64_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
