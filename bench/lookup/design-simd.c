/* design-simd.c — a branch-free SIMD scan of every masked entry (x86-64:
 * SSE2 always, AVX2 and AVX-512F when the CPU and OS have them; arm64 NEON
 * is left out). Listed through designs-arch.def.
 *
 * Each entry becomes two 32-bit words over a 20-bit key (select 11:0 << 8
 * | umask): care = 0xFFF00 | umask-mask, value = select << 8 | match, and
 * an event matches when (key & care) == value. Includes and excludes are
 * scanned whole, 4/8/16 entries per instruction, padding entries never
 * match. The decision is the kernel's: (some include && no exclude) ->
 * action. Cost grows with n but has no data-dependent branch.
 * Build: O(n); memory: 8 bytes per entry, rounded up to 64-byte vectors.
 */
#if defined(__x86_64__)
#include <errno.h>
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"

#define SIMD_ALIGN 64
#define SIMD_PAD_WORDS 16 /* lists are padded to 16 entries (one zmm) */

struct simd {
	uint64_t select_mask;
	uint32_t allow_if_match; /* action == ALLOW */
	size_t ninc, nexc;       /* padded counts */
	uint32_t *inc_care, *inc_val, *exc_care, *exc_val;
	void *mem;
};

static void simd_free(void *state)
{
	struct simd *s = state;

	if (!s)
		return;
	free(s->mem);
	free(s);
}

static size_t pad16(size_t n)
{
	return (n + SIMD_PAD_WORDS - 1) / SIMD_PAD_WORDS * SIMD_PAD_WORDS;
}

static void simd_fill(uint32_t *care, uint32_t *val, const uint64_t *e, size_t n, size_t padded,
		      uint64_t selmask)
{
	size_t i;

	for (i = 0; i < n; i++) {
		care[i] = 0xFFF00u | pmuf_masked_mask(e[i]);
		val[i] = (lookup_sel12(e[i] & selmask) << 8) | pmuf_masked_match(e[i]);
	}
	for (; i < padded; i++) {
		care[i] = 0xFFFFFFFFu; /* key < 2^20: never equals */
		val[i] = 0xFFFFFFFFu;
	}
}

static int simd_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		      void **state)
{
	struct lookup_entries e;
	struct simd *s;
	size_t words;
	int err;

	err = lookup_check_size(f, bflags);
	if (err)
		return err;
	err = lookup_entries_get(f, fl, &e);
	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s) {
		lookup_entries_free(&e);
		return -ENOMEM;
	}
	s->select_mask = e.select_mask;
	s->allow_if_match = e.action == PMUF_ALLOW;
	s->ninc = pad16(e.ninc);
	s->nexc = pad16(e.nexc);
	words = 2 * (s->ninc + s->nexc);
	s->mem = aligned_alloc(SIMD_ALIGN, words ? words * sizeof(uint32_t) : SIMD_ALIGN);
	if (!s->mem) {
		simd_free(s);
		lookup_entries_free(&e);
		return -ENOMEM;
	}
	s->inc_care = s->mem;
	s->inc_val = s->inc_care + s->ninc;
	s->exc_care = s->inc_val + s->ninc;
	s->exc_val = s->exc_care + s->nexc;
	simd_fill(s->inc_care, s->inc_val, e.inc, e.ninc, s->ninc, e.select_mask);
	simd_fill(s->exc_care, s->exc_val, e.exc, e.nexc, s->nexc, e.select_mask);
	lookup_entries_free(&e);
	*state = s;
	return 0;
}

static inline uint32_t simd_key(const struct simd *s, uint64_t ev)
{
	return (lookup_sel12(ev & s->select_mask) << 8) | (uint32_t)((ev >> 8) & 0xFF);
}

static inline bool simd_result(const struct simd *s, bool inc, bool exc)
{
	return (inc && !exc) == (bool)s->allow_if_match;
}

static size_t simd_footprint(const void *state)
{
	const struct simd *s = state;

	return sizeof(*s) + 2 * (s->ninc + s->nexc) * sizeof(uint32_t);
}

/* The four lists share one allocation (mem). */
static size_t simd_ranges(const void *state, struct lookup_mem_range *r, size_t max)
{
	const struct simd *s = state;
	size_t words = 2 * (s->ninc + s->nexc);

	if (max < 2)
		return 0;
	r[0] = (struct lookup_mem_range){ s, sizeof(*s) };
	r[1] = (struct lookup_mem_range){ s->mem, words ? words * sizeof(uint32_t) : SIMD_ALIGN };
	return 2;
}

/* prefix_usable(): does the CPU (and OS) have feature? (a macro because
 * __builtin_cpu_supports takes only a string literal) */
#define SIMD_USABLE(prefix, feature, label)                         \
	static bool prefix##_usable(char *why, size_t len)          \
	{                                                           \
		__builtin_cpu_init();                               \
		if (__builtin_cpu_supports(feature))                \
			return true;                                \
		snprintf(why, len, "CPU or OS lacks " label);       \
		return false;                                       \
	}

/* ---- SSE2: 4 entries per compare ---- */

static inline bool sse2_any(const uint32_t *care, const uint32_t *val, size_t n, __m128i k)
{
	__m128i acc = _mm_setzero_si128();

	for (size_t i = 0; i < n; i += 4) {
		__m128i c = _mm_load_si128((const __m128i *)(care + i));
		__m128i v = _mm_load_si128((const __m128i *)(val + i));

		acc = _mm_or_si128(acc, _mm_cmpeq_epi32(_mm_and_si128(k, c), v));
	}
	return _mm_movemask_epi8(acc) != 0;
}

static inline bool sse2_decide_inline(const struct simd *s, uint64_t ev)
{
	__m128i k = _mm_set1_epi32((int)simd_key(s, ev));

	return simd_result(s, sse2_any(s->inc_care, s->inc_val, s->ninc, k),
			   sse2_any(s->exc_care, s->exc_val, s->nexc, k));
}

LOOKUP_DEFINE_RUNNERS(sse2, struct simd, sse2_decide_inline)

const struct lookup_design lookup_design_simd_sse2 = {
	.name = "simd-sse2",
	.desc = "SSE2 scan of all masked entries, 4 per compare, no data-dependent branch",
	.cost = "build: O(n); memory: 8 B per entry (padded to 16 entries per list)",
	.ref = PMUF_KERNEL_6_3,
	.build = simd_build,
	LOOKUP_RUNNERS(sse2),
	.footprint_bytes = simd_footprint,
	.mem_ranges = simd_ranges,
	.free = simd_free,
};

/* ---- AVX2: 8 entries per compare ---- */

SIMD_USABLE(avx2, "avx2", "AVX2")

__attribute__((target("avx2"))) static inline bool avx2_any(const uint32_t *care,
							     const uint32_t *val, size_t n,
							     __m256i k)
{
	__m256i acc = _mm256_setzero_si256();

	for (size_t i = 0; i < n; i += 8) {
		__m256i c = _mm256_load_si256((const __m256i *)(care + i));
		__m256i v = _mm256_load_si256((const __m256i *)(val + i));

		acc = _mm256_or_si256(acc, _mm256_cmpeq_epi32(_mm256_and_si256(k, c), v));
	}
	return !_mm256_testz_si256(acc, acc);
}

__attribute__((target("avx2"))) static inline bool avx2_decide_inline(const struct simd *s,
								       uint64_t ev)
{
	__m256i k = _mm256_set1_epi32((int)simd_key(s, ev));

	return simd_result(s, avx2_any(s->inc_care, s->inc_val, s->ninc, k),
			   avx2_any(s->exc_care, s->exc_val, s->nexc, k));
}

LOOKUP_DEFINE_RUNNERS_ATTR(avx2, struct simd, avx2_decide_inline,
			   __attribute__((target("avx2"))))

const struct lookup_design lookup_design_simd_avx2 = {
	.name = "simd-avx2",
	.desc = "AVX2 scan of all masked entries, 8 per compare, no data-dependent branch",
	.cost = "build: O(n); memory: 8 B per entry (padded to 16 entries per list)",
	.ref = PMUF_KERNEL_6_3,
	.usable = avx2_usable,
	.build = simd_build,
	LOOKUP_RUNNERS(avx2),
	.footprint_bytes = simd_footprint,
	.mem_ranges = simd_ranges,
	.free = simd_free,
};

/* ---- AVX-512F: 16 entries per compare, into a mask register ---- */

SIMD_USABLE(avx512, "avx512f", "AVX-512F")

__attribute__((target("avx512f"))) static inline bool avx512_any(const uint32_t *care,
								  const uint32_t *val, size_t n,
								  __m512i k)
{
	__mmask16 acc = 0;

	for (size_t i = 0; i < n; i += 16) {
		__m512i c = _mm512_load_si512((const void *)(care + i));
		__m512i v = _mm512_load_si512((const void *)(val + i));

		acc |= _mm512_cmpeq_epi32_mask(_mm512_and_si512(k, c), v);
	}
	return acc != 0;
}

__attribute__((target("avx512f"))) static inline bool avx512_decide_inline(const struct simd *s,
									    uint64_t ev)
{
	__m512i k = _mm512_set1_epi32((int)simd_key(s, ev));

	return simd_result(s, avx512_any(s->inc_care, s->inc_val, s->ninc, k),
			   avx512_any(s->exc_care, s->exc_val, s->nexc, k));
}

LOOKUP_DEFINE_RUNNERS_ATTR(avx512, struct simd, avx512_decide_inline,
			   __attribute__((target("avx512f"))))

const struct lookup_design lookup_design_simd_avx512 = {
	.name = "simd-avx512",
	.desc = "AVX-512F scan of all masked entries, 16 per compare into a mask register",
	.cost = "build: O(n); memory: 8 B per entry (padded to 16 entries per list)",
	.ref = PMUF_KERNEL_6_3,
	.usable = avx512_usable,
	.build = simd_build,
	LOOKUP_RUNNERS(avx512),
	.footprint_bytes = simd_footprint,
	.mem_ranges = simd_ranges,
	.free = simd_free,
};
#endif /* __x86_64__ */
