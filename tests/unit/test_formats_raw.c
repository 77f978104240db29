/* test_formats_raw.c — the kvm-raw format (filters/format-raw.c): the exact
 * little-endian bytes of struct kvm_pmu_event_filter; pmuf_to_kvm against
 * the kernel header's layout; kvm-raw -> pmuf -> kvm-raw (and -> qemu-json
 * -> kvm-raw where QEMU can say it) byte for byte on random filters; every
 * parse error with its byte offset. */
#include <errno.h>
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

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void test_layout(void **state)
{
	(void)state;
	unsigned char raw[32 + 16] = { 0 };
	put32(raw, 1);
	put32(raw + 4, 2);
	put32(raw + 8, 0x80000001u);
	put32(raw + 12, 1);
	put32(raw + 16, 0x11);
	put32(raw + 28, 0x44);
	put64(raw + 32, 0xFF000000000081D0ull);
	put64(raw + 40, 0x8000000000000001ull);

	struct pmuf_filter f;
	struct pmuf_error e;
	assert_int_equal(pmuf_parse_buf((const char *)raw, sizeof(raw), PMUF_FMT_KVM_RAW, "t.bin", &f, &e), 0);
	assert_int_equal(f.arch, PMUF_ARCH_X86);
	assert_int_equal(f.flavor, PMUF_FLAVOR_UNSET);
	assert_int_equal(f.action, 1);
	assert_int_equal(f.nevents, 2);
	assert_true(f.fixed_counter_bitmap == 0x80000001u);
	assert_int_equal(f.flags, 1);
	assert_int_equal(f.pad[0], 0x11);
	assert_int_equal(f.pad[1], 0);
	assert_int_equal(f.pad[3], 0x44);
	assert_true(f.events[0] == 0xFF000000000081D0ull);
	assert_true(f.events[1] == 0x8000000000000001ull);

	/* rendering gives the same bytes, and they are the ioctl's struct */
	char *buf;
	size_t len;
	assert_int_equal(pmuf_render(&f, PMUF_FMT_KVM_RAW, &buf, &len), 0);
	assert_int_equal(len, sizeof(raw));
	assert_memory_equal(buf, raw, sizeof(raw));
	free(buf);
	void *kbuf;
	assert_int_equal(pmuf_to_kvm(&f, &kbuf, &len), 0);
	assert_int_equal(len, sizeof(raw));
	assert_memory_equal(kbuf, raw, sizeof(raw));
#ifdef __x86_64__
	const struct kvm_pmu_event_filter *k = kbuf;
	assert_int_equal(k->action, KVM_PMU_EVENT_DENY);
	assert_int_equal(k->nevents, 2);
	assert_true(k->fixed_counter_bitmap == 0x80000001u);
	assert_int_equal(k->flags, KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
	assert_int_equal(k->pad[0], 0x11);
	assert_true(k->events[0] == 0xFF000000000081D0ull);
	assert_true(k->events[1] == 0x8000000000000001ull);
#endif
	free(kbuf);
	pmuf_free(&f);

	/* the empty filter is the bare 32-byte header */
	pmuf_init(&f, PMUF_ARCH_X86);
	assert_int_equal(pmuf_to_kvm(&f, &kbuf, &len), 0);
	assert_int_equal(len, 32);
	static const unsigned char zero[32];
	assert_memory_equal(kbuf, zero, 32);
	free(kbuf);
	pmuf_free(&f);

	/* arm64 has no kvm-raw form */
	char msg[200];
	pmuf_init(&f, PMUF_ARCH_ARM64);
	assert_int_equal(pmuf_add_range(&f, 0, 1, 0), 0);
	assert_int_equal(pmuf_render_msg(&f, PMUF_FMT_KVM_RAW, &buf, &len, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "an arm64 filter has no kvm-raw form"));
	assert_int_equal(pmuf_to_kvm(&f, &kbuf, &len), -EINVAL);
	pmuf_free(&f);
}

/* kvm-raw -> pmuf -> kvm-raw, and through qemu-json where QEMU can say it:
 * byte-identical */
static void test_random_bytes_round_trip(void **state)
{
	(void)state;
	srandom(4242);
	int via_qemu = 0;
	for (int it = 0; it < 2000; it++) {
		size_t n = (size_t)(random() % 8 ? random() % 40 : random() % 320);
		size_t len = 32 + 8 * n;
		unsigned char *raw = malloc(len);
		assert_non_null(raw);
		put32(raw, random() % 4 ? (uint32_t)(random() % 2) : (uint32_t)ftest_rnd64());
		put32(raw + 4, (uint32_t)n);
		put32(raw + 8, (uint32_t)ftest_rnd64());
		put32(raw + 12, random() % 4 ? (uint32_t)(random() % 2) : (uint32_t)ftest_rnd64());
		bool pad = random() % 4 == 0;
		for (int i = 0; i < 4; i++)
			put32(raw + 16 + 4 * i, pad && random() % 2 ? (uint32_t)ftest_rnd64() : 0);
		for (size_t i = 0; i < n; i++) {
			uint64_t e = ftest_rnd64();
			switch (random() % 3) {
			case 0:
				e &= 0xF0000FFFFull;
				break;
			case 1:
				e &= 0xFF80000F0000FFFFull;
				break;
			}
			put64(raw + 32 + 8 * i, e);
		}
		static const enum pmuf_format via[] = { PMUF_FMT_PMUF, PMUF_FMT_QEMU_JSON };
		for (int k = 0; k < 2; k++) {
			struct pmuf_filter f, g;
			char *text, *back;
			size_t tlen, blen;
			assert_int_equal(pmuf_parse_buf((char *)raw, len, PMUF_FMT_KVM_RAW, "r", &f, NULL), 0);
			int r = pmuf_render(&f, via[k], &text, &tlen);
			if (via[k] == PMUF_FMT_QEMU_JSON && r == -EINVAL) {
				pmuf_free(&f);
				continue;
			}
			assert_int_equal(r, 0);
			via_qemu += via[k] == PMUF_FMT_QEMU_JSON;
			assert_int_equal(pmuf_parse_buf(text, tlen, via[k], "t", &g, NULL), 0);
			assert_int_equal(pmuf_render(&g, PMUF_FMT_KVM_RAW, &back, &blen), 0);
			assert_int_equal(blen, len);
			assert_memory_equal(back, raw, len);
			free(text);
			free(back);
			pmuf_free(&f);
			pmuf_free(&g);
		}
		free(raw);
	}
	/* the generator gives QEMU something it can write often enough */
	assert_true(via_qemu > 200);
}

static void test_spec_bin(void **state)
{
	(void)state;
	struct pmuf_filter a, b;
	char why[200];
	assert_int_equal(pmuf_parse_file("filters/specs/intel-allow-branches.bin", PMUF_FMT_AUTO, &a, NULL), 0);
	assert_int_equal(pmuf_parse_file("filters/specs/intel-allow-branches.pmuf", PMUF_FMT_AUTO, &b, NULL), 0);
	if (!pmuf_eq(&a, &b, false, why, sizeof(why)))
		fail_msg("the .bin spec is not the .pmuf one: %s", why);
	assert_int_equal(a.nevents, 4);
	assert_true(a.events[3] == 0x100C0);
	pmuf_free(&a);
	pmuf_free(&b);
}

static void check_err(const unsigned char *raw, size_t len, const char *msg)
{
	struct pmuf_filter f;
	struct pmuf_error e;
	char full[600];
	int r = pmuf_parse_buf((const char *)raw, len, PMUF_FMT_KVM_RAW, "t.bin", &f, &e);
	if (!r) {
		pmuf_free(&f);
		fail_msg("parsed %zu bytes without error", len);
	}
	assert_int_equal(r, -EINVAL);
	pmuf_error_format(&e, full, sizeof(full));
	if (e.line || e.col || strcmp(e.msg, msg) || strcmp(e.file, "t.bin"))
		fail_msg("%zu bytes\n  got:  %s\n  want: t.bin: %s", len, full, msg);
}

static void test_parse_errors(void **state)
{
	(void)state;
	unsigned char raw[64] = { 0 };
	check_err(raw, 0, "offset 0: truncated header: struct kvm_pmu_event_filter needs 32 bytes, the file has 0");
	check_err(raw, 31, "offset 31: truncated header: struct kvm_pmu_event_filter needs 32 bytes, the file has 31");
	put32(raw + 4, 2);
	check_err(raw, 40, "offset 40: truncated: the header's nevents=2 needs 48 bytes, the file ends after 40");
	check_err(raw, 47, "offset 47: truncated: the header's nevents=2 needs 48 bytes, the file ends after 47");
	put32(raw + 4, 1);
	check_err(raw, 48, "offset 40: 8 bytes after the last of the header's nevents=1 events; expected the end of the file");
	put32(raw + 4, 0);
	check_err(raw, 35, "offset 32: 3 bytes after the last of the header's nevents=0 events; expected the end of the file");
	put32(raw + 4, 0xFFFFFFFFu);
	check_err(raw, 64, "offset 64: truncated: the header's nevents=4294967295 needs 34359738392 bytes, the file ends after 64");
	/* the error text through pmuf_error_format has no line/column */
	struct pmuf_error e;
	struct pmuf_filter f;
	char full[400];
	assert_int_equal(pmuf_parse_buf((const char *)raw, 3, PMUF_FMT_KVM_RAW, "x.bin", &f, &e), -EINVAL);
	pmuf_error_format(&e, full, sizeof(full));
	assert_string_equal(full, "x.bin: offset 3: truncated header: struct kvm_pmu_event_filter needs 32 bytes, the file has 3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_random_bytes_round_trip),
		cmocka_unit_test(test_spec_bin),
		cmocka_unit_test(test_parse_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
