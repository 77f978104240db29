/* test_formats_pmuf.c — the .pmuf text format (filters/format-pmuf.c) and
 * the format dispatch (filters/format.c): what each directive parses to,
 * round trips of the curated specs and of random filters (every field,
 * invalid values included), and every parse error with its line, column
 * and message. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pmuf.h"
#include "format-test.h"
#include "pmuf_eq.h"

static int parse(const char *text, struct pmuf_filter *f)
{
	return ftest_parse(text, PMUF_FMT_PMUF, "t.pmuf", f);
}

/* render as pmuf, parse again: the same filter, flavor included */
static void round_trip(const struct pmuf_filter *f)
{
	char *buf, msg[200], why[200];
	size_t len;
	struct pmuf_filter g;
	assert_int_equal(pmuf_render_msg(f, PMUF_FMT_PMUF, &buf, &len, msg, sizeof(msg)), 0);
	assert_int_equal(strlen(buf), len);
	assert_int_equal(parse(buf, &g), 0);
	if (!pmuf_eq(f, &g, true, why, sizeof(why)))
		fail_msg("round trip differs: %s\n%s", why, buf);
	/* rendering is a fixed point once the event-name comments are gone */
	char *buf2, *buf3;
	size_t len2, len3;
	struct pmuf_filter h;
	assert_int_equal(pmuf_render(&g, PMUF_FMT_PMUF, &buf2, &len2), 0);
	assert_int_equal(parse(buf2, &h), 0);
	assert_int_equal(pmuf_render(&h, PMUF_FMT_PMUF, &buf3, &len3), 0);
	assert_int_equal(len2, len3);
	assert_memory_equal(buf2, buf3, len2);
	free(buf);
	free(buf2);
	free(buf3);
	pmuf_free(&g);
	pmuf_free(&h);
}

static void test_directives(void **state)
{
	(void)state;
	struct pmuf_filter f;
	assert_int_equal(parse("# exact events\n"
			       "  action deny   # trailing comment\n"
			       "fixed 0x5\n"
			       "event 0xd0 0x81\n"
			       "event 0x1c2 0\n"
			       "event icl::MEM_INST_RETIRED:ALL_STORES\n"
			       "raw 0xffffffffffffffff\n"
			       "raw 18446744073709551615\n",
			       &f),
			 0);
	assert_int_equal(f.arch, PMUF_ARCH_X86);
	assert_int_equal(f.flavor, PMUF_FLAVOR_UNSET);
	assert_int_equal(f.action, PMUF_DENY);
	assert_int_equal(f.flags, 0);
	assert_int_equal(f.fixed_counter_bitmap, 5);
	assert_int_equal(f.nevents, 5);
	assert_true(f.events[0] == 0x81D0);
	assert_true(f.events[1] == 0x1000000C2ull);
	assert_true(f.events[2] == 0x82D0);
	assert_true(f.events[3] == ~0ull && f.events[4] == ~0ull);
	assert_int_equal(f.src[0].line, 4);
	assert_int_equal(f.src[2].line, 6);
	assert_string_equal(f.src[2].name, "icl::MEM_INST_RETIRED:ALL_STORES");
	assert_string_equal(f.src[0].name, "");
	round_trip(&f);
	pmuf_free(&f);

	/* include/exclude make the filter masked; `event` then means the
	 * include the kernel would make of an exact entry */
	assert_int_equal(parse("flavor amd\naction allow\n"
			       "include 0xd0 mask 0x7c match 0\n"
			       "exclude 0xd0 match 0x83 mask 0xff\n"
			       "event 0xc0 0x00\n"
			       "include amd64_fam19h_zen4::LS_DISPATCH:LD_DISPATCH\n"
			       "exclude amd64_fam19h_zen4::LS_DISPATCH:STORE_DISPATCH mask 0xfe\n"
			       "include 0x1c2 mask 0xff match 0\n",
			       &f),
			 0);
	assert_int_equal(f.flavor, PMUF_FLAVOR_AMD);
	assert_int_equal(f.flags, KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
	assert_int_equal(f.fixed_counter_bitmap, 0);
	assert_int_equal(f.nevents, 6);
	assert_true(f.events[0] == pmuf_masked_encode(0xD0, 0x7C, 0, false));
	assert_true(f.events[1] == 0xFF800000000083D0ull);
	assert_true(f.events[2] == pmuf_masked_encode(0xC0, 0xFF, 0, false));
	assert_true(f.events[3] == pmuf_masked_encode(0x29, 0xFF, 0x01, false));
	assert_true(f.events[4] == pmuf_masked_encode(0x29, 0xFE, 0x02, true));
	assert_true(f.events[5] == 0xFF000001000000C2ull);
	round_trip(&f);
	pmuf_free(&f);

	/* explicit flags win over the inference, pad and odd actions */
	assert_int_equal(parse("action 7\nflags 0\npad 1 0x2 3 0xffffffff\n"
			       "include 0xd0 mask 0xff match 0x81\n",
			       &f),
			 0);
	assert_int_equal(f.action, 7);
	assert_int_equal(f.flags, 0);
	assert_int_equal(f.pad[1], 2);
	assert_true(f.pad[3] == 0xFFFFFFFFu);
	assert_true(f.events[0] == 0xFF000000000081D0ull);
	round_trip(&f);
	pmuf_free(&f);

	assert_int_equal(parse("flags masked\naction allow\nevent 0xd0 0x81\n", &f), 0);
	assert_int_equal(f.flags, 1);
	assert_true(f.events[0] == 0xFF000000000081D0ull);
	pmuf_free(&f);
	assert_int_equal(parse("flags 0x3\naction allow\n", &f), 0);
	assert_int_equal(f.flags, 3);
	assert_int_equal(f.nevents, 0);
	round_trip(&f);
	pmuf_free(&f);

	/* arm64 ranges */
	assert_int_equal(parse("arch arm64\nevent-bits 10\nallow 0x0..0xf\ndeny 6+3\nallow 0x11\n"
			       "range 2 0x20+0\nrange deny 0..0\n",
			       &f),
			 0);
	assert_int_equal(f.arch, PMUF_ARCH_ARM64);
	assert_int_equal(f.arm_event_bits, 10);
	assert_int_equal(f.nranges, 5);
	assert_int_equal(f.nevents, 0);
	const struct pmuf_arm_range want[] = { { 0, 16, 0 }, { 6, 3, 1 }, { 0x11, 1, 0 }, { 0x20, 0, 2 }, { 0, 1, 1 } };
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(f.ranges[i].base, want[i].base);
		assert_int_equal(f.ranges[i].nevents, want[i].nevents);
		assert_int_equal(f.ranges[i].action, want[i].action);
	}
	round_trip(&f);
	pmuf_free(&f);

	/* an empty arm64 filter, CRLF lines, tabs */
	assert_int_equal(parse("arch arm64\r\n", &f), 0);
	assert_int_equal(f.nranges, 0);
	round_trip(&f);
	pmuf_free(&f);
	assert_int_equal(parse("action\tallow\r\nevent\t0xd0\t0x81\r\n", &f), 0);
	assert_true(f.events[0] == 0x81D0);
	pmuf_free(&f);
}

static void test_specs_round_trip(void **state)
{
	(void)state;
	static const char *const specs[] = {
		"filters/specs/intel-masked-loads-stores.pmuf", "filters/specs/amd-zen4-ls-dispatch.pmuf",
		"filters/specs/intel-allow-branches.pmuf",	 "filters/specs/arm64-multiple.pmuf",
		"filters/specs/arm64-cancel.pmuf",
	};
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct pmuf_filter f;
		struct pmuf_error e;
		int r = pmuf_parse_file(specs[i], PMUF_FMT_AUTO, &f, &e);
		if (r)
			fail_msg("%s: %s:%d:%d: %s", specs[i], e.file, e.line, e.col, e.msg);
		round_trip(&f);
		pmuf_free(&f);
	}
	/* what the selftest's "loads and stores" spec holds */
	struct pmuf_filter f;
	assert_int_equal(pmuf_parse_file("filters/specs/intel-masked-loads-stores.pmuf", PMUF_FMT_PMUF, &f, NULL), 0);
	assert_int_equal(f.flavor, PMUF_FLAVOR_INTEL);
	assert_int_equal(f.nevents, 2);
	assert_true(f.events[0] == pmuf_masked_encode(0xD0, 0x7C, 0, false));
	assert_true(f.events[1] == pmuf_masked_encode(0xD0, 0xFF, 0x83, true));
	pmuf_free(&f);
}

static void test_random_round_trip(void **state)
{
	(void)state;
	srandom(12345);
	for (int it = 0; it < 1500; it++) {
		struct pmuf_filter f;
		if (it % 5 == 4) {
			pmuf_init(&f, PMUF_ARCH_ARM64);
			static const unsigned bits[] = { 0, 10, 16 };
			f.arm_event_bits = bits[it % 3];
			for (int n = random() % 12; n > 0; n--) {
				uint32_t base = random() % 3 ? (uint32_t)(random() % 0x10000) : (uint32_t)ftest_rnd64();
				uint32_t cnt = random() % 3 ? (uint32_t)(random() % 64) : (uint32_t)ftest_rnd64();
				uint32_t act = random() % 4 ? (uint32_t)(random() % 2) : (uint32_t)ftest_rnd64();
				assert_int_equal(pmuf_add_range(&f, base, cnt, act), 0);
			}
		} else {
			pmuf_init(&f, PMUF_ARCH_X86);
			f.flavor = (enum pmuf_flavor)(random() % 3);
			f.action = random() % 4 ? (uint32_t)(random() % 2) : (uint32_t)ftest_rnd64();
			f.flags = random() % 3 ? (uint32_t)(random() % 2) : (uint32_t)ftest_rnd64();
			f.fixed_counter_bitmap = random() % 2 ? (uint32_t)ftest_rnd64() : 0;
			if (random() % 4 == 0)
				for (int i = 0; i < 4; i++)
					f.pad[i] = (uint32_t)ftest_rnd64();
			for (int n = random() % 40; n > 0; n--) {
				uint64_t e;
				switch (random() % 4) {
				case 0:
					e = pmuf_exact_encode((uint16_t)(random() % 0x1000), (uint8_t)random());
					break;
				case 1:
					e = pmuf_masked_encode((uint16_t)(random() % 0x1000), (uint8_t)random(),
							       (uint8_t)random(), random() % 2);
					break;
				case 2:
					e = ftest_rnd64();
					break;
				default:
					e = ftest_rnd64() & (random() % 2 ? 0xF0000FFFFull : 0xFF80000F0000FFFFull);
					break;
				}
				struct pmuf_src src = { .line = 3 };
				if (random() % 3 == 0)
					snprintf(src.name, sizeof(src.name), "some::EVENT:%d", n);
				assert_int_equal(pmuf_add_event(&f, e, &src), 0);
			}
		}
		round_trip(&f);
		pmuf_free(&f);
	}
}

static const struct err_case err_cases[] = {
	/* directives */
	{ "action allow\nbogus 1\n", 2, 1, "unknown directive 'bogus'; expected arch, action, flavor, fixed, flags, pad, pmu, event, include, exclude, raw, allow or deny" },
	{ "action allow\nallow 0..4\n", 2, 1, "'allow' takes an event pattern in an x86 filter (such as icl::MEM_*); a RANGE is for arm64 filters" },
	{ "action allow\nrange allow 0..4\n", 2, 1, "'range' is an arm64 directive; this is an x86 filter" },
	{ "arch arm64\naction allow\n", 2, 1, "'action' is an x86 directive; arm64 filters have allow, deny, range and event-bits" },
	{ "arch arm64\nfoo\n", 2, 1, "unknown directive 'foo'; expected allow, deny, range or event-bits" },
	/* arch */
	{ "arch\n", 1, 5, "expected an architecture: x86 or arm64" },
	{ "arch x86\narch x86\n", 2, 1, "duplicate 'arch' (already given on line 1)" },
	{ "action allow\narch x86\n", 2, 1, "'arch' must be the first directive (line 1 came before it)" },
	{ "arch mips\n", 1, 6, "expected an architecture: x86 or arm64, got 'mips'" },
	{ "arch x86 extra\n", 1, 10, "unexpected 'extra' after the architecture; expected the end of the line" },
	/* action */
	{ "action allow\naction deny\n", 2, 1, "duplicate 'action' (already given on line 1)" },
	{ "action\n", 1, 7, "expected an action: allow, deny or a number" },
	{ "action maybe\n", 1, 8, "expected an action: allow, deny or a number, got 'maybe'" },
	{ "action 0x100000000\n", 1, 8, "action 0x100000000 is out of range (max 0xffffffff)" },
	{ "action allow now\n", 1, 14, "unexpected 'now' after the action" },
	{ "  action 12z\n", 1, 10, "expected action (decimal, or hex with 0x), got '12z'" },
	/* flavor, fixed, flags, pad */
	{ "action allow\nflavor\n", 2, 7, "expected a flavor: intel or amd" },
	{ "action allow\nflavor arm\n", 2, 8, "expected a flavor: intel or amd, got 'arm'" },
	{ "action allow\nflavor intel\nflavor amd\n", 3, 1, "duplicate 'flavor' (already given on line 2)" },
	{ "action allow\nflavor amd x\n", 2, 12, "unexpected 'x' after the flavor" },
	{ "action allow\nfixed\n", 2, 6, "expected a fixed-counter bitmap (a u32)" },
	{ "action allow\nfixed 0x1ffffffff\n", 2, 7, "a fixed-counter bitmap 0x1ffffffff is out of range (max 0xffffffff)" },
	{ "action allow\nfixed 1\nfixed 2\n", 3, 1, "duplicate 'fixed' (already given on line 2)" },
	{ "action allow\nflags\n", 2, 6, "expected flags: masked or a number" },
	{ "action allow\nflags maybe\n", 2, 7, "expected flags: masked or a number, got 'maybe'" },
	{ "action allow\nflags 0x1 0x2\n", 2, 11, "unexpected '0x2' after the flags" },
	{ "action allow\nflags 0x1ffffffff\n", 2, 7, "flags 0x1ffffffff is out of range" },
	{ "action allow\npad 1 2 3\n", 2, 10, "expected four pad words (u32 each)" },
	{ "action allow\npad 1 2 3 4 5\n", 2, 13, "unexpected '5' after the four pad words" },
	{ "action allow\npad 1 x 3 4\n", 2, 7, "expected a pad word (decimal, or hex with 0x), got 'x'" },
	/* event */
	{ "action allow\nevent\n", 2, 6, "expected an event: SELECT UMASK or a libpfm4 name such as icl::MEM_INST_RETIRED:ALL_LOADS" },
	{ "action allow\nevent 0xd0\n", 2, 11, "expected a umask after the event select" },
	{ "action allow\nevent 0x1000 0\n", 2, 7, "an event select 0x1000 is out of range (max 0xfff)" },
	{ "action allow\nevent 0xd0 0x100\n", 2, 12, "a umask 0x100 is out of range (max 0xff)" },
	{ "action allow\nevent 0xd0 u\n", 2, 12, "expected a umask (decimal, or hex with 0x), got 'u'" },
	{ "action allow\nevent 0xd0 0x81 0x1\n", 2, 17, "unexpected '0x1' after the event" },
	{ "action allow\nevent icl::NOPE\n", 2, 7, "unknown event 'icl::NOPE': " },
	{ "action allow\nevent icl::MEM_INST_RETIRED:ALL_LOADS 0x1\n", 2, 39, "unexpected '0x1' after the event" },
	{ "action allow\nevent 0x\n", 2, 7, "expected an event select (decimal, or hex with 0x), got '0x'" },
	/* include/exclude */
	{ "action allow\ninclude\n", 2, 8, "expected an event select or a libpfm4 event name" },
	{ "action allow\ninclude 0xd0\n", 2, 13, "expected 'mask M' after the select (include SELECT mask M match V)" },
	{ "action allow\ninclude 0xd0 mask 0xff\n", 2, 23, "expected 'match V' (include SELECT mask M match V)" },
	{ "action allow\nexclude 0xd0 match 1\n", 2, 21, "expected 'mask M' after the select (exclude SELECT mask M match V)" },
	{ "action allow\ninclude 0xd0 mask 0xff match\n", 2, 29, "expected a umask match (0..0xff)" },
	{ "action allow\ninclude 0xd0 mask\n", 2, 18, "expected a umask mask (0..0xff)" },
	{ "action allow\ninclude 0xd0 mask 0xff mask 1\n", 2, 24, "duplicate 'mask'" },
	{ "action allow\nexclude 0xd0 mask 0x1ff match 0\n", 2, 19, "a umask mask 0x1ff is out of range (max 0xff)" },
	{ "action allow\nexclude 0xd0 mask 1 match 256\n", 2, 27, "a umask match 256 is out of range (max 0xff)" },
	{ "action allow\ninclude 0xd0 mask 1 matches 2\n", 2, 21, "expected 'mask' or 'match', got 'matches'" },
	{ "action allow\ninclude 0x1000 mask 1 match 2\n", 2, 9, "an event select 0x1000 is out of range (max 0xfff)" },
	{ "action allow\ninclude icl::NOPE mask 1\n", 2, 9, "unknown event 'icl::NOPE'" },
	/* raw */
	{ "action allow\nraw\n", 2, 4, "expected a raw 64-bit entry" },
	{ "action allow\nraw 0x10000000000000000\n", 2, 5, "a raw 64-bit entry 0x10000000000000000 is out of range (max 0xffffffffffffffff)" },
	{ "action allow\nraw 18446744073709551616\n", 2, 5, "a raw 64-bit entry 18446744073709551616 is out of range" },
	{ "action allow\nraw 0xg\n", 2, 5, "expected a raw 64-bit entry (decimal, or hex with 0x), got '0xg'" },
	{ "action allow\nraw 99999999999999999999x\n", 2, 5, "expected a raw 64-bit entry (decimal, or hex with 0x)" },
	{ "action allow\nraw 1 2\n", 2, 7, "unexpected '2' after the raw entry" },
	/* arm64 ranges */
	{ "arch arm64\nallow\n", 2, 6, "expected a range: BASE..END, BASE+COUNT or EVENT" },
	{ "arch arm64\nallow 5..\n", 2, 7, "expected a range BASE..END, BASE+COUNT or EVENT, got '5..'" },
	{ "arch arm64\nallow +3\n", 2, 7, "expected a range BASE..END, BASE+COUNT or EVENT, got '+3'" },
	{ "arch arm64\ndeny 0x10..0x5\n", 2, 12, "range end 0x5 is below its base 0x10 (write BASE+0 for an empty range)" },
	{ "arch arm64\nallow 0..0xffffffff\n", 2, 7, "range of 0x100000000 events does not fit a u32 count" },
	{ "arch arm64\nallow 0x100000000\n", 2, 7, "an arm64 event 0x100000000 is out of range (max 0xffffffff)" },
	{ "arch arm64\nallow 1+x\n", 2, 9, "expected a range count (decimal, or hex with 0x), got 'x'" },
	{ "arch arm64\nallow 1+0x100000000\n", 2, 9, "a range count 0x100000000 is out of range" },
	{ "arch arm64\nallow z..3\n", 2, 7, "expected a range base (decimal, or hex with 0x), got 'z'" },
	{ "arch arm64\nallow 3..q\n", 2, 10, "expected a range end (decimal, or hex with 0x), got 'q'" },
	{ "arch arm64\nrange\n", 2, 6, "expected an action (allow, deny or a number) and a range" },
	{ "arch arm64\nrange permit 0+1\n", 2, 7, "expected an action: allow, deny or a number, got 'permit'" },
	{ "arch arm64\nrange 2\n", 2, 8, "expected a range: BASE..END, BASE+COUNT or EVENT" },
	{ "arch arm64\nallow 1 2\n", 2, 9, "unexpected '2' after the range" },
	{ "arch arm64\nevent-bits\n", 2, 11, "expected 10 or 16" },
	{ "arch arm64\nevent-bits 12\n", 2, 12, "expected 10 or 16 event-number bits, got '12'" },
	{ "arch arm64\nevent-bits 10\nevent-bits 16\n", 3, 1, "duplicate 'event-bits' (already given on line 2)" },
	{ "arch arm64\nevent-bits 10 x\n", 2, 15, "unexpected 'x' after the event-number bits" },
	/* the file as a whole */
	{ "# nothing\n", 2, 1, "expected an 'action allow|deny' line; every x86 filter needs one" },
	{ "", 1, 1, "expected an 'action allow|deny' line" },
	{ "flavor intel", 1, 13, "expected an 'action allow|deny' line" },
	{ "action allow\nevent 1 2 3 4 5 6 7 8 9 10 11 12 13\n", 2, 31, "unexpected '12'; too many words on one line" },
	{ "action allow\r\nevent\t0xd0\t0x81\t0x1\r\n", 2, 17, "unexpected '0x1' after the event" },
};

static void check_err(const char *text, size_t len, int line, int col, const char *msg)
{
	if (!ftest_err_matches(PMUF_FMT_PMUF, "t.pmuf", text, len, line, col, msg))
		fail();
}

static void test_parse_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++)
		check_err(err_cases[i].text, strlen(err_cases[i].text), err_cases[i].line, err_cases[i].col,
			  err_cases[i].msg);
	/* a NUL byte inside a line */
	static const char nul[] = "action allow\nraw 1\0\n";
	check_err(nul, sizeof(nul) - 1, 2, 6, "NUL byte; expected text");
	/* an event name longer than pmuf_src keeps */
	char longname[160] = "action allow\nevent ";
	memset(longname + strlen(longname), 'a', 130);
	check_err(longname, strlen(longname), 2, 7, "event name is 130 characters; at most 127 are kept");
}

/* ---- format.c: names, extensions, error text, files, dispatch ---- */

static void test_dispatch(void **state)
{
	(void)state;
	enum pmuf_format fmt;
	assert_int_equal(pmuf_format_parse("pmuf", &fmt), 0);
	assert_int_equal(fmt, PMUF_FMT_PMUF);
	assert_int_equal(pmuf_format_parse("qemu-json", &fmt), 0);
	assert_int_equal(fmt, PMUF_FMT_QEMU_JSON);
	assert_int_equal(pmuf_format_parse("kvm-raw", &fmt), 0);
	assert_int_equal(fmt, PMUF_FMT_KVM_RAW);
	assert_int_equal(pmuf_format_parse("json", &fmt), -EINVAL);
	assert_string_equal(pmuf_format_name(PMUF_FMT_QEMU_JSON), "qemu-json");
	assert_string_equal(pmuf_format_name(PMUF_FMT_KVM_RAW), "kvm-raw");
	assert_string_equal(pmuf_format_name(PMUF_FMT_PMUF), "pmuf");
	assert_int_equal(pmuf_format_from_path("a/b.pmuf"), PMUF_FMT_PMUF);
	assert_int_equal(pmuf_format_from_path("x.JSON"), PMUF_FMT_QEMU_JSON);
	assert_int_equal(pmuf_format_from_path("x.bin"), PMUF_FMT_KVM_RAW);
	assert_int_equal(pmuf_format_from_path("x.txt"), PMUF_FMT_AUTO);
	assert_int_equal(pmuf_format_from_path("dir.pmuf/x"), PMUF_FMT_AUTO);
	assert_int_equal(pmuf_format_from_path("noext"), PMUF_FMT_AUTO);

	char buf[400];
	struct pmuf_error e = { .file = "f.pmuf", .line = 3, .col = 7, .msg = "expected x" };
	pmuf_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "f.pmuf:3:7: expected x");
	e.col = 0;
	pmuf_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "f.pmuf:3: expected x");
	e.line = 0;
	pmuf_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "f.pmuf: expected x");

	struct pmuf_filter f;
	assert_int_equal(pmuf_parse_file("/nonexistent/x.pmuf", PMUF_FMT_AUTO, &f, &e), -ENOENT);
	assert_string_equal(e.file, "/nonexistent/x.pmuf");
	assert_non_null(strstr(e.msg, "cannot open"));
	assert_int_equal(pmuf_parse_file("filters/specs/x.txt", PMUF_FMT_AUTO, &f, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "cannot tell the format from the extension"));
	assert_int_equal(pmuf_parse_file("filters/specs", PMUF_FMT_PMUF, &f, &e), -EISDIR);
	assert_int_equal(pmuf_parse_buf("", 0, PMUF_FMT_AUTO, "x", &f, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown format"));

	/* the same spec through an explicit format and a file without extension */
	char tmp[] = "/tmp/pfbench-fmt-XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	const char *text = "action allow\nevent 0xc0 0\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(pmuf_parse_file(tmp, PMUF_FMT_PMUF, &f, &e), 0);
	assert_int_equal(f.nevents, 1);
	pmuf_free(&f);
	unlink(tmp);

	char *out;
	size_t len;
	pmuf_init(&f, PMUF_ARCH_X86);
	assert_int_equal(pmuf_render_msg(&f, PMUF_FMT_AUTO, &out, &len, buf, sizeof(buf)), -EINVAL);
	assert_non_null(strstr(buf, "no output format"));
	pmuf_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directives),
		cmocka_unit_test(test_specs_round_trip),
		cmocka_unit_test(test_random_round_trip),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_dispatch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
