/* test_formats_qemu.c — QEMU's kvm-pmu-filter JSON (filters/format-qemu.c):
 * what each event format parses to (numbers, hex strings, the older
 * "x86-default" and {"bitmap": N} spellings), round trips of random
 * filters and of the specs, cross-format conversions, the filters the
 * format cannot express, and every parse error with its line, column and
 * message (syntax errors from jansson; semantic ones located by path). */
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pmuf.h"
#include "format-test.h"
#include "pmuf_eq.h"

static int parse(const char *text, struct pmuf_filter *f)
{
	return ftest_parse(text, PMUF_FMT_QEMU_JSON, "t.json", f);
}

static void round_trip(const struct pmuf_filter *f)
{
	char *buf, msg[200], why[200];
	size_t len;
	struct pmuf_filter g;
	int r = pmuf_render_msg(f, PMUF_FMT_QEMU_JSON, &buf, &len, msg, sizeof(msg));
	if (r)
		fail_msg("render failed: %s", msg);
	assert_int_equal(strlen(buf), len);
	assert_int_equal(parse(buf, &g), 0);
	if (!pmuf_eq(f, &g, false, why, sizeof(why)))
		fail_msg("round trip differs: %s\n%s", why, buf);
	free(buf);
	pmuf_free(&g);
}

static void test_accepts(void **state)
{
	(void)state;
	struct pmuf_filter f;
	assert_int_equal(parse("{\"qom-type\":\"kvm-pmu-filter\",\"id\":\"f0\",\"action\":\"deny\",\n"
			       " \"x86-fixed-counter\":5,\n"
			       " \"events\":[{\"format\":\"raw\",\"code\":196},\n"
			       "  {\"format\":\"raw\",\"code\":\"0xffffffffffffffff\"},\n"
			       "  {\"format\":\"x86-select-umask\",\"select\":\"0x1c2\",\"umask\":\"129\"},\n"
			       "  {\"umask\":0,\"select\":208,\"format\":\"x86-default\"}]}\n",
			       &f),
			 0);
	assert_int_equal(f.arch, PMUF_ARCH_X86);
	assert_int_equal(f.action, PMUF_DENY);
	assert_int_equal(f.flags, 0);
	assert_int_equal(f.fixed_counter_bitmap, 5);
	assert_int_equal(f.nevents, 4);
	assert_true(f.events[0] == 0xC4);
	assert_true(f.events[1] == ~0ull);
	assert_true(f.events[2] == 0x1000081C2ull);
	assert_true(f.events[3] == 0xD0);
	assert_int_equal(f.src[0].line, 3);
	assert_int_equal(f.src[3].line, 6);
	round_trip(&f);
	pmuf_free(&f);

	/* masked entries, the older fixed-counter form, hex strings */
	assert_int_equal(parse("{\"action\":\"allow\",\"x86-fixed-counter\":{\"bitmap\":\"0x3\"},\"events\":["
			       "{\"format\":\"x86-masked-entry\",\"select\":\"0xd0\",\"mask\":\"0x7c\",\"match\":\"0\",\"exclude\":false},"
			       "{\"format\":\"x86-masked-entry\",\"select\":208,\"mask\":255,\"match\":131,\"exclude\":true},"
			       "{\"format\":\"x86-masked-entry\",\"select\":4095,\"mask\":0,\"match\":0,\"exclude\":false}]}",
			       &f),
			 0);
	assert_int_equal(f.action, PMUF_ALLOW);
	assert_int_equal(f.flags, KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
	assert_int_equal(f.fixed_counter_bitmap, 3);
	assert_true(f.events[0] == pmuf_masked_encode(0xD0, 0x7C, 0, false));
	assert_true(f.events[1] == 0xFF800000000083D0ull);
	assert_true(f.events[2] == 0xF000000FFull);
	round_trip(&f);
	pmuf_free(&f);

	/* the minimum: an action; no events, no fixed counters */
	assert_int_equal(parse("{\"action\":\"allow\"}", &f), 0);
	assert_int_equal(f.nevents, 0);
	assert_int_equal(f.fixed_counter_bitmap, 0);
	round_trip(&f);
	pmuf_free(&f);
	assert_int_equal(parse("{\"action\":\"deny\",\"events\":[]}", &f), 0);
	assert_int_equal(f.action, PMUF_DENY);
	pmuf_free(&f);
}

static void test_render(void **state)
{
	(void)state;
	struct pmuf_filter f;
	char *buf, msg[200];
	size_t len;
	json_error_t je;

	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = PMUF_DENY;
	f.fixed_counter_bitmap = 2;
	f.flavor = PMUF_FLAVOR_AMD; /* QEMU has no flavor: dropped */
	assert_int_equal(pmuf_add_event(&f, 0x1000081C2ull, NULL), 0);
	assert_int_equal(pmuf_add_event(&f, 0x100C0, NULL), 0);
	assert_int_equal(pmuf_add_event(&f, 0x8000000000000001ull, NULL), 0);
	assert_int_equal(pmuf_render(&f, PMUF_FMT_QEMU_JSON, &buf, &len), 0);
	json_t *j = json_loadb(buf, len, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "qom-type")), "kvm-pmu-filter");
	assert_string_equal(json_string_value(json_object_get(j, "id")), "f0");
	assert_string_equal(json_string_value(json_object_get(j, "action")), "deny");
	assert_int_equal(json_integer_value(json_object_get(j, "x86-fixed-counter")), 2);
	json_t *evs = json_object_get(j, "events");
	assert_int_equal(json_array_size(evs), 3);
	json_t *e0 = json_array_get(evs, 0), *e1 = json_array_get(evs, 1), *e2 = json_array_get(evs, 2);
	assert_string_equal(json_string_value(json_object_get(e0, "format")), "x86-select-umask");
	assert_int_equal(json_integer_value(json_object_get(e0, "select")), 0x1C2);
	assert_int_equal(json_integer_value(json_object_get(e0, "umask")), 0x81);
	assert_string_equal(json_string_value(json_object_get(e1, "format")), "raw");
	assert_int_equal(json_integer_value(json_object_get(e1, "code")), 0x100C0);
	/* above 2^63-1 jansson has no integer: a hex string */
	assert_string_equal(json_string_value(json_object_get(e2, "code")), "0x8000000000000001");
	json_decref(j);
	free(buf);
	round_trip(&f);
	pmuf_free(&f);

	/* what QEMU's JSON cannot say */
	pmuf_init(&f, PMUF_ARCH_ARM64);
	assert_int_equal(pmuf_add_range(&f, 0, 16, PMUF_ALLOW), 0);
	assert_int_equal(pmuf_render_msg(&f, PMUF_FMT_QEMU_JSON, &buf, &len, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "arm64"));
	pmuf_free(&f);

	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = 2;
	assert_int_equal(pmuf_render_msg(&f, PMUF_FMT_QEMU_JSON, &buf, &len, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "action 2 cannot be written"));
	f.action = PMUF_ALLOW;
	f.flags = 2;
	assert_int_equal(pmuf_render_msg(&f, PMUF_FMT_QEMU_JSON, &buf, &len, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "flags 0x2 cannot be written"));
	f.flags = 0;
	f.pad[2] = 1;
	assert_int_equal(pmuf_render_msg(&f, PMUF_FMT_QEMU_JSON, &buf, &len, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "pad"));
	f.pad[2] = 0;
	f.flags = KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
	assert_int_equal(pmuf_render_msg(&f, PMUF_FMT_QEMU_JSON, &buf, &len, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "a masked filter without entries"));
	assert_int_equal(pmuf_add_event(&f, pmuf_masked_encode(0xD0, 0xFF, 1, false) | (1ull << 16), NULL), 0);
	assert_int_equal(pmuf_render_msg(&f, PMUF_FMT_QEMU_JSON, &buf, &len, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "entry 0 (0xff000000000101d0) has bits 0x10000 outside a masked entry's fields"));
	pmuf_free(&f);
}

static void test_random_round_trip(void **state)
{
	(void)state;
	srandom(777);
	for (int it = 0; it < 1500; it++) {
		struct pmuf_filter f;
		pmuf_init(&f, PMUF_ARCH_X86);
		f.action = (uint32_t)(random() % 2);
		f.fixed_counter_bitmap = random() % 2 ? (uint32_t)ftest_rnd64() : 0;
		bool masked = random() % 2;
		f.flags = masked;
		int n = (int)(random() % 40) + masked;
		for (int i = 0; i < n; i++) {
			uint64_t e;
			if (masked)
				e = pmuf_masked_encode((uint16_t)(random() % 0x1000), (uint8_t)random(),
						       (uint8_t)random(), random() % 2);
			else if (random() % 2)
				e = pmuf_exact_encode((uint16_t)(random() % 0x1000), (uint8_t)random());
			else
				e = ftest_rnd64();
			assert_int_equal(pmuf_add_event(&f, e, NULL), 0);
		}
		round_trip(&f);
		pmuf_free(&f);
	}
}

/* specs in the other formats through QEMU JSON and back, and the JSON
 * specs through pmuf and kvm-raw */
static void test_cross_formats(void **state)
{
	(void)state;
	static const char *const specs[] = {
		"filters/specs/intel-masked-loads-stores.pmuf", "filters/specs/amd-zen4-ls-dispatch.pmuf",
		"filters/specs/intel-allow-branches.pmuf",	 "filters/specs/intel-allow-branches.bin",
		"filters/specs/amd-deny-branches.json",		 "filters/specs/qemu-masked.json",
	};
	static const enum pmuf_format fmts[] = { PMUF_FMT_PMUF, PMUF_FMT_QEMU_JSON, PMUF_FMT_KVM_RAW };
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct pmuf_filter f;
		struct pmuf_error e;
		if (pmuf_parse_file(specs[i], PMUF_FMT_AUTO, &f, &e))
			fail_msg("%s: %d:%d: %s", specs[i], e.line, e.col, e.msg);
		for (size_t k = 0; k < 3; k++) {
			char *buf, why[200];
			size_t len;
			struct pmuf_filter g;
			assert_int_equal(pmuf_render(&f, fmts[k], &buf, &len), 0);
			if (pmuf_parse_buf(buf, len, fmts[k], "x", &g, &e))
				fail_msg("%s as %s: %d:%d: %s", specs[i], pmuf_format_name(fmts[k]), e.line, e.col, e.msg);
			if (!pmuf_eq(&f, &g, false, why, sizeof(why)))
				fail_msg("%s as %s: %s", specs[i], pmuf_format_name(fmts[k]), why);
			free(buf);
			pmuf_free(&g);
		}
		pmuf_free(&f);
	}
	/* what the JSON specs hold */
	struct pmuf_filter f;
	assert_int_equal(pmuf_parse_file("filters/specs/amd-deny-branches.json", PMUF_FMT_AUTO, &f, NULL), 0);
	assert_int_equal(f.action, PMUF_DENY);
	assert_int_equal(f.nevents, 3);
	assert_true(f.events[0] == 0xC2 && f.events[1] == 0xC4 && f.events[2] == 0x1000000C2ull);
	pmuf_free(&f);
	assert_int_equal(pmuf_parse_file("filters/specs/qemu-masked.json", PMUF_FMT_AUTO, &f, NULL), 0);
	assert_int_equal(f.flags, 1);
	assert_int_equal(f.nevents, 4);
	assert_true(f.events[0] == pmuf_masked_encode(0xC4, 0xFF, 0, true));
	assert_true(f.events[3] == pmuf_masked_encode(0xC5, 0, 0, false));
	pmuf_free(&f);
}

#define EV(x) "{\"action\":\"allow\",\"events\":[" x "]}"

static const struct err_case err_cases[] = {
	/* syntax: jansson's message and position */
	{ "{\"action\": }", 1, 12, "unexpected token near '}'" },
	{ "{\"action\":\"allow\"} x", 1, 20, "end of file expected near 'x'" },
	{ "{\"action\":\"allow\",\n \"action\":\"deny\"}", 2, 9, "duplicate object key near '\"action\"'" },
	{ "{\"action\":\"allow\",\"x86-fixed-counter\":18446744073709551615}", 1, 58,
	  "too big integer near '18446744073709551615'; numbers above 2^63-1 must be hex strings such as \"0xffffffffffffffff\"" },
	/* at the end of the input: the column of the end, not 0 */
	{ "", 1, 1, "'[' or '{' expected near end of file" },
	{ "[1,2\n", 2, 1, "']' expected near end of file" },
	{ "{\"action\":\"allow\"", 1, 17, "'}' expected near end of file" },
	{ "\"allow\"", 1, 7, "'[' or '{' expected near '\"allow\"'" },
	{ "{\"action\":\"al\xff\"}", 1, 13, "unable to decode byte 0xff" },
	/* the top level */
	{ "[1]", 1, 1, "the top-level object: expected a JSON object (a kvm-pmu-filter)" },
	{ "{\"action\":\"allow\",\"bogus\":1}", 1, 19,
	  "bogus: unknown property; expected qom-type, id, action, x86-fixed-counter or events" },
	{ "{\"id\":\"a\\\"b,{\", \"Action\":\"allow\"}", 1, 17, "Action: unknown property" },
	{ "{\"qom-type\":\"x\",\"action\":\"allow\"}", 1, 13, "qom-type: expected \"kvm-pmu-filter\"" },
	{ "{\"id\":5,\"action\":\"allow\"}", 1, 7, "id: expected a string" },
	{ "{\"action\":\"permit\"}", 1, 11, "action: expected \"allow\" or \"deny\"" },
	{ "{\"action\":1}", 1, 11, "action: expected \"allow\" or \"deny\"" },
	{ "  {\"id\":\"f0\"}", 1, 3, "the top-level object: missing \"action\"; expected \"allow\" or \"deny\"" },
	/* x86-fixed-counter */
	{ "{\n  \"action\": \"allow\",\n  \"x86-fixed-counter\": -1\n}", 3, 24,
	  "x86-fixed-counter: -1 is negative; expected 0..4294967295" },
	{ "{\"action\":\"allow\",\"x86-fixed-counter\":4294967296}", 1, 39,
	  "x86-fixed-counter: 4294967296 is out of range; expected 0..4294967295 (0xffffffff)" },
	{ "{\"action\":\"allow\",\"x86-fixed-counter\":1.5}", 1, 39, "x86-fixed-counter: expected an integer, got a real number" },
	{ "{\"action\":\"allow\",\"x86-fixed-counter\":true}", 1, 39,
	  "x86-fixed-counter: expected a number or a hex string such as \"0xc4\"" },
	{ "{\"action\":\"allow\",\"x86-fixed-counter\":\"0xzz\"}", 1, 39,
	  "x86-fixed-counter: \"0xzz\" is not a number; expected decimal digits or hex such as \"0xc4\"" },
	{ "{\"action\":\"allow\",\"x86-fixed-counter\":\"\"}", 1, 39, "x86-fixed-counter: \"\" is not a number" },
	{ "{\"action\":\"allow\",\"x86-fixed-counter\":\"0x100000000\"}", 1, 39,
	  "x86-fixed-counter: \"0x100000000\" is out of range; expected 0..4294967295 (0xffffffff)" },
	{ "{\"action\":\"allow\",\"x86-fixed-counter\":{\"bitmap\":\"0x1\",\"action\":\"allow\"}}", 1, 55,
	  "x86-fixed-counter.action: unknown property \"action\"; expected \"bitmap\"" },
	{ "{\"action\":\"allow\",\"x86-fixed-counter\":{}}", 1, 39,
	  "x86-fixed-counter: missing \"bitmap\" (the older {\"bitmap\": N} form)" },
	{ "{\"action\":\"allow\",\"x86-fixed-counter\":{\"bitmap\":-3}}", 1, 49,
	  "x86-fixed-counter.bitmap: -3 is negative" },
	/* events */
	{ "{\"action\":\"allow\",\"events\":{}}", 1, 28, "events: expected an array of events" },
	{ EV("1"), 1, 29, "events[0]: expected an object {\"format\": ...}" },
	{ EV("{}"), 1, 29, "events[0]: missing \"format\"; expected raw, x86-select-umask or x86-masked-entry" },
	{ EV("{\"format\":\"x86\"}"), 1, 39,
	  "events[0].format: unknown format \"x86\"; expected raw, x86-select-umask (or x86-default) or x86-masked-entry" },
	{ EV("{\"format\":7}"), 1, 39, "events[0].format: expected a string: raw, x86-select-umask or x86-masked-entry" },
	{ EV("{\"format\":\"raw\",\"code\":1,\"umask\":2}"), 1, 54,
	  "events[0].umask: unknown property \"umask\" for format raw; expected code" },
	{ EV("{\"format\":\"x86-select-umask\",\"select\":1}"), 1, 29,
	  "events[0]: missing \"umask\" (format x86-select-umask needs select and umask)" },
	{ EV("{\"format\":\"raw\"}"), 1, 29, "events[0]: missing \"code\" (format raw needs code)" },
	{ EV("{\"format\":\"x86-masked-entry\",\"select\":1,\"mask\":1,\"match\":1}"), 1, 29,
	  "events[0]: missing \"exclude\" (format x86-masked-entry needs select, mask, match and exclude)" },
	{ EV("{\"format\":\"x86-masked-entry\",\"select\":1,\"mask\":1,\"match\":1,\"exclude\":1}"), 1, 98,
	  "events[0].exclude: expected true or false" },
	{ EV("{\"format\":\"x86-select-umask\",\"select\":4096,\"umask\":0}"), 1, 67,
	  "events[0].select: 4096 is out of range; expected 0..4095 (0xfff)" },
	{ EV("{\"format\":\"x86-select-umask\",\"select\":1,\"umask\":\"0x100\"}"), 1, 77,
	  "events[0].umask: \"0x100\" is out of range; expected 0..255 (0xff)" },
	{ EV("{\"format\":\"x86-masked-entry\",\"select\":1,\"mask\":-1,\"match\":1,\"exclude\":true}"), 1, 76,
	  "events[0].mask: -1 is negative; expected 0..255" },
	{ EV("{\"format\":\"x86-masked-entry\",\"select\":1,\"mask\":1,\"match\":256,\"exclude\":true}"), 1, 86,
	  "events[0].match: 256 is out of range; expected 0..255 (0xff)" },
	{ EV("{\"format\":\"raw\",\"code\":\"0x10000000000000000\"}"), 1, 52,
	  "events[0].code: \"0x10000000000000000\" is out of range; expected 0..18446744073709551615" },
	{ EV("{\"format\":\"raw\",\"code\":null}"), 1, 52, "events[0].code: expected a number or a hex string" },
	/* mixing masked and unmasked, both ways */
	{ EV("{\"format\":\"raw\",\"code\":1},\n  {\"format\":\"x86-masked-entry\",\"select\":1,\"mask\":1,\"match\":1,\"exclude\":true}"),
	  2, 13,
	  "events[1].format: x86-masked-entry cannot be mixed with raw or x86-select-umask (events[0] is raw); QEMU rejects a filter that mixes masked and unmasked formats" },
	{ EV("{\"format\":\"x86-masked-entry\",\"select\":1,\"mask\":1,\"match\":1,\"exclude\":true},\n"
	     "{\"format\":\"x86-masked-entry\",\"select\":2,\"mask\":1,\"match\":1,\"exclude\":true},\n"
	     "  {\"select\":1, \"format\":\"x86-default\",\"umask\":1}"),
	  3, 25,
	  "events[2].format: x86-select-umask cannot be mixed with x86-masked-entry (events[0] is x86-masked-entry)" },
	/* positions deep in a multi-line file */
	{ "{\n"
	  "  \"action\": \"allow\",\n"
	  "  \"events\": [\n"
	  "    {\"format\": \"raw\", \"code\": \"0x1\"},\n"
	  "    {\"format\": \"raw\", \"code\": [1, {\"x\": \"]\"}]},\n"
	  "    {\"format\": \"x86-select-umask\",\n"
	  "     \"select\": 208, \"umask\": 300}\n"
	  "  ]\n"
	  "}\n",
	  5, 31, "events[1].code: expected a number or a hex string" },
	{ "{\n"
	  "  \"action\": \"allow\",\n"
	  "  \"events\": [\n"
	  "    {\"format\": \"raw\", \"code\": \"0x1\"},\n"
	  "    {\"format\": \"raw\", \"code\": 2},\n"
	  "    {\"format\": \"x86-select-umask\",\n"
	  "     \"select\": 208, \"umask\": 300}\n"
	  "  ]\n"
	  "}\n",
	  7, 30, "events[2].umask: 300 is out of range; expected 0..255 (0xff)" },
};

static void test_parse_errors(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		if (!ftest_err_matches(PMUF_FMT_QEMU_JSON, "t.json", c->text, strlen(c->text), c->line,
				       c->col, c->msg))
			bad++;
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_random_round_trip),
		cmocka_unit_test(test_cross_formats),
		cmocka_unit_test(test_parse_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
