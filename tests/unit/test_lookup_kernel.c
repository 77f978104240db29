/* test_lookup_kernel.c — the kernel replicas held to the kernel: the 6.3+
 * header byte for byte against struct kvm_x86_pmu_event_filter (written
 * down here), the footprint counted as the kernel allocates (before
 * dropping), each lib/sort.c generation against a straightforward
 * transcription of that generation's code (byte offsets, the kernel's
 * parent() trick) on random inputs with many ties, and where mainline
 * 5.17's truncating comparator decides differently from the fixed one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "klib.h"
#include "lookup.h"

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

/* ---- the header ---- */

/* arch/x86/kvm/pmu.h (6.3+), on x86-64:
 *   struct kvm_x86_pmu_event_filter {
 *           __u32 action; __u32 nevents; __u32 fixed_counter_bitmap;
 *           __u32 flags; __u32 nr_includes; __u32 nr_excludes;
 *           __u64 *includes; __u64 *excludes; __u64 events[];
 *   };                                                      */
static void test_header_layout(void **state)
{
	static const size_t want[9] = { 0, 4, 8, 12, 16, 20, 24, 32, 40 };

	(void)state;
	assert_int_equal(lookup_kfilter63_size, 40);
	for (int i = 0; i < 9; i++)
		assert_int_equal(lookup_kfilter63_offsets[i], want[i]);
}

/* kzalloc(struct_size(filter, events, nevents)) happens before
 * convert_to_masked_filter() drops entries: 40 + 8n for the n passed. */
static void test_footprint_before_dropping(void **state)
{
	const struct lookup_design *d = lookup_find("k6.3-masked");
	struct pmuf_filter f;
	void *st = NULL;

	(void)state;
	assert_non_null(d);
	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = PMUF_ALLOW;
	for (unsigned i = 0; i < 10; i++) {
		uint64_t e = pmuf_exact_encode((uint16_t)(0xC0 + i), 0);

		if (i < 3)
			e |= 1ull << 16; /* impossible: dropped at install */
		assert_int_equal(pmuf_add_event(&f, e, NULL), 0);
	}
	assert_int_equal(d->build(&f, PMUF_FLAVOR_INTEL, 0, &st), 0);
	assert_int_equal(d->footprint_bytes(st), 40 + 8 * 10);
	d->free(st);
	pmuf_free(&f);

	d = lookup_find("k5.17-bsearch");
	assert_non_null(d);
	pmuf_init(&f, PMUF_ARCH_X86);
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(pmuf_add_event(&f, pmuf_exact_encode((uint16_t)i, 0), NULL), 0);
	assert_int_equal(d->build(&f, PMUF_FLAVOR_INTEL, 0, &st), 0);
	assert_int_equal(d->footprint_bytes(st), 32 + 8 * 7);
	d->free(st);
	pmuf_free(&f);
}

/* ---- lib/sort.c, transcribed ---- */

typedef int (*t_cmp_fn)(const void *, const void *);

static size_t t_parent(size_t i, unsigned lsbit, size_t size)
{
	i -= size;
	i -= size & -(i & lsbit);
	return i / 2;
}

static void t_swap(char *base, size_t i, size_t j, size_t size)
{
	char tmp[64];

	memcpy(tmp, base + i, size);
	memcpy(base + i, base + j, size);
	memcpy(base + j, tmp, size);
}

/* sort() of generation gen, in byte offsets as lib/sort.c writes it. */
static void t_sort(void *vbase, size_t num, size_t size, t_cmp_fn cmp, enum klib_sort_gen gen)
{
	char *base = vbase;
	size_t n = num * size, a = (num / 2) * size, shift = 0;
	const unsigned lsbit = (unsigned)(size & -size);

	if (!a)
		return;
	for (;;) {
		size_t b, c, d;

		if (gen == KLIB_SORT_5X) {
			if (a)
				a -= size;
			else if ((n -= size) != 0)
				t_swap(base, 0, n, size);
			else
				break;
		} else {
			if (a) {
				a -= size << shift;
			} else if (n > 3 * size) {
				n -= size;
				t_swap(base, 0, n, size);
				shift = cmp(base + size, base + 2 * size) <= 0;
				a = size << shift;
				n -= size;
				t_swap(base, a, n, size);
			} else if (gen == KLIB_SORT_6_9 && n > size) {
				n -= size;
				t_swap(base, 0, n, size);
			} else {
				break;
			}
		}
		for (b = a; c = 2 * b + size, (d = c + size) < n;) {
			if (gen == KLIB_SORT_5X)
				b = cmp(base + c, base + d) >= 0 ? c : d;
			else
				b = cmp(base + c, base + d) > 0 ? c : d;
		}
		if (d == n)
			b = c;
		while (b != a && cmp(base + a, base + b) >= 0)
			b = t_parent(b, lsbit, size);
		c = b;
		while (b != a) {
			b = t_parent(b, lsbit, size);
			t_swap(base, b, c, size);
		}
	}
	if (gen == KLIB_SORT_6_11) {
		n -= size;
		t_swap(base, 0, n, size);
		if (n == size * 2 && cmp(base, base + size) > 0)
			t_swap(base, 0, size, size);
	}
}

/* filter_sort_cmp's shape: compares part of the value, so entries that
 * compare equal are still told apart and the permutation shows. */
static int cmp_low4(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa & 0xF, b = *(const uint64_t *)pb & 0xF;

	return (a > b) - (a < b);
}

static void test_sort_generations(void **state)
{
	struct rng r = { 0x50F7 };
	bool gens_differ = false;

	(void)state;
	for (int rep = 0; rep < 3000; rep++) {
		size_t n = rep < 40 ? (size_t)rep : 1 + rnd(&r) % 400;
		uint64_t *in = malloc((n + 1) * sizeof(*in));
		uint64_t *out[KLIB_SORT_NGENS];

		assert_non_null(in);
		for (size_t i = 0; i < n; i++)
			in[i] = rnd(&r) << 4 | (rnd(&r) % (rep % 3 ? 16 : 3)); /* ties */
		for (int g = 0; g < KLIB_SORT_NGENS; g++) {
			uint64_t *want = malloc((n + 1) * sizeof(*want));

			out[g] = malloc((n + 1) * sizeof(*out[g]));
			assert_non_null(want);
			assert_non_null(out[g]);
			memcpy(want, in, n * sizeof(*in));
			memcpy(out[g], in, n * sizeof(*in));
			t_sort(want, n, sizeof(*want), cmp_low4, (enum klib_sort_gen)g);
			klib_sort_u64(out[g], n, cmp_low4, (enum klib_sort_gen)g);
			if (memcmp(want, out[g], n * sizeof(*want)))
				fail_msg("sort %s, n=%zu (rep %d): not the kernel's permutation",
					 klib_sort_gen_name((enum klib_sort_gen)g), n, rep);
			klib_sort_u64_rp(want, 0, cmp_low4, (enum klib_sort_gen)g);
			memcpy(want, in, n * sizeof(*in));
			klib_sort_u64_rp(want, n, cmp_low4, (enum klib_sort_gen)g);
			assert_memory_equal(want, out[g], n * sizeof(*want));
			for (size_t i = 1; i < n; i++)
				assert_true(cmp_low4(&out[g][i - 1], &out[g][i]) <= 0);
			free(want);
		}
		for (int g = 1; g < KLIB_SORT_NGENS; g++)
			gens_differ |= memcmp(out[0], out[g], n * sizeof(*in)) != 0;
		for (int g = 0; g < KLIB_SORT_NGENS; g++)
			free(out[g]);
		free(in);
	}
	/* Equal entries end in a different order from one generation to the
	 * next, which is why the generation is a parameter at all. */
	assert_true(gens_differ);
	assert_int_equal(klib_sort_gen_of(6, 8), KLIB_SORT_5X);
	assert_int_equal(klib_sort_gen_of(6, 9), KLIB_SORT_6_9);
	assert_int_equal(klib_sort_gen_of(6, 10), KLIB_SORT_6_9);
	assert_int_equal(klib_sort_gen_of(6, 18), KLIB_SORT_6_11);
	assert_int_equal(klib_sort_gen_of(5, 17), KLIB_SORT_5X);
}

/* ---- mainline 5.17's truncating comparator ---- */

/* (int)(a - b) for keys of eventsel & 0xF0000FFFF: the difference of the
 * low 16 bits fits in an int, bits 35:32 fall off. So the sort is by bits
 * 15:0 and a lookup hits whenever some entry equals the key in bits 15:0:
 * it never misses an entry that is there, and it falsely matches keys that
 * differ from an entry only in bits 35:32 (AMD select bits 11:8; Intel
 * IN_TX/IN_TXCP). Checked over random filters against that rule, and the
 * differences are shown to happen. */
static void test_trunc_comparator(void **state)
{
	const struct lookup_design *trunc = lookup_find("k5.17-bsearch-trunc");
	const struct lookup_design *fixed = lookup_find("k5.17-bsearch");
	struct rng r = { 0x7B0C };
	size_t differ = 0, false_hits = 0;

	(void)state;
	assert_non_null(trunc);
	assert_non_null(fixed);
	assert_true(trunc->flags & LOOKUP_F_KNOWN_BUG);
	for (int rep = 0; rep < 200; rep++) {
		enum pmuf_flavor fl = rep % 2 ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL;
		uint32_t action = rep % 4 < 2 ? PMUF_ALLOW : PMUF_DENY;
		size_t n = 1 + rnd(&r) % 60;
		struct pmuf_filter f;
		void *st_t = NULL, *st_f = NULL;

		pmuf_init(&f, PMUF_ARCH_X86);
		f.action = action;
		for (size_t i = 0; i < n; i++) {
			uint64_t e = (rnd(&r) % 8) | (0xC0ull + rnd(&r) % 4) |
				     (rnd(&r) % 3 ? 0 : (rnd(&r) % 16) << 32);

			assert_int_equal(pmuf_add_event(&f, e, NULL), 0);
		}
		assert_int_equal(trunc->build(&f, fl, 0, &st_t), 0);
		assert_int_equal(fixed->build(&f, fl, 0, &st_f), 0);
		for (int i = 0; i < 500; i++) {
			uint64_t ev = 0x430000 | (0xC0 + rnd(&r) % 4) | (rnd(&r) % 8) |
				      (rnd(&r) % 2 ? (rnd(&r) % 16) << 32 : 0);
			uint64_t key = ev & PMUF_RAW_EVENT_MASK_NB;
			bool exact = false, low16 = false, t, x;

			for (size_t k = 0; k < n; k++) {
				exact |= f.events[k] == key;
				low16 |= (f.events[k] & 0xFFFF) == (key & 0xFFFF);
			}
			t = trunc->decide(st_t, ev);
			x = fixed->decide(st_f, ev);
			assert_int_equal(x, exact == (action == PMUF_ALLOW));
			assert_int_equal(t, low16 == (action == PMUF_ALLOW));
			differ += t != x;
			false_hits += low16 && !exact;
		}
		trunc->free(st_t);
		fixed->free(st_f);
		pmuf_free(&f);
	}
	assert_true(differ > 0);
	assert_int_equal(differ, false_hits);

	/* The plainest case: AMD select 0x1C0 allowed, guest asks for 0xC0. */
	struct pmuf_filter f;
	void *st = NULL;

	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = PMUF_ALLOW;
	assert_int_equal(pmuf_add_event(&f, pmuf_exact_encode(0x1C0, 0), NULL), 0);
	assert_int_equal(trunc->build(&f, PMUF_FLAVOR_AMD, 0, &st), 0);
	assert_true(trunc->decide(st, 0x4300C0));
	trunc->free(st);
	assert_int_equal(fixed->build(&f, PMUF_FLAVOR_AMD, 0, &st), 0);
	assert_false(fixed->decide(st, 0x4300C0));
	fixed->free(st);
	pmuf_free(&f);
}

/* ---- the sort generation reaches the 6.3+ replica ---- */

/* filter_sort_cmp: (select, exclude) as an unsigned u64. */
static int cmp_select_excl(const void *pa, const void *pb)
{
	uint64_t m = PMUF_MASKED_EVENT_SELECT | PMUF_MASKED_EXCLUDE;
	uint64_t a = *(const uint64_t *)pa & m, b = *(const uint64_t *)pb & m;

	return (a > b) - (a < b);
}

/* Entries equal on (select, exclude) but with different umasks end in the
 * order the named generation leaves them; the decisions do not change. */
static void test_replica_follows_generation(void **state)
{
	const struct lookup_design *d = lookup_find("k6.3-masked");
	struct rng r = { 0xA11 };
	bool any_differ = false;

	(void)state;
	assert_non_null(d);
	for (int rep = 0; rep < 50; rep++) {
		struct pmuf_filter f;
		uint64_t first[KLIB_SORT_NGENS][64];
		size_t n = 8 + rnd(&r) % 50;

		pmuf_init(&f, PMUF_ARCH_X86);
		f.action = PMUF_ALLOW;
		f.flags = KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
		for (size_t i = 0; i < n; i++)
			assert_int_equal(pmuf_add_event(&f,
							pmuf_masked_encode((uint16_t)(0xD0 + rnd(&r) % 3),
									   0xFF, (uint8_t)rnd(&r),
									   false),
							NULL),
					 0);
		for (int g = 0; g < KLIB_SORT_NGENS; g++) {
			void *st = NULL;
			struct lookup_mem_range mr[LOOKUP_MAX_RANGES];
			uint64_t *want = malloc(n * sizeof(*want));

			assert_non_null(want);
			assert_int_equal(d->build(&f, PMUF_FLAVOR_INTEL, LOOKUP_B_SORT(g), &st), 0);
			assert_int_equal(d->mem_ranges(st, mr, LOOKUP_MAX_RANGES), 2);
			/* The filter's events start 40 bytes into its allocation. */
			memcpy(first[g], (const char *)mr[1].p + 40, n * sizeof(uint64_t));
			memcpy(want, f.events, n * sizeof(*want));
			t_sort(want, n, sizeof(*want), cmp_select_excl, (enum klib_sort_gen)g);
			assert_memory_equal(first[g], want, n * sizeof(*want));
			free(want);
			d->free(st);
		}
		any_differ |= memcmp(first[0], first[2], n * sizeof(uint64_t)) != 0;
		pmuf_free(&f);
	}
	assert_true(any_differ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_layout),
		cmocka_unit_test(test_footprint_before_dropping),
		cmocka_unit_test(test_sort_generations),
		cmocka_unit_test(test_trunc_comparator),
		cmocka_unit_test(test_replica_follows_generation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
