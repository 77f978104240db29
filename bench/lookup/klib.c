/* klib.c — see klib.h. */
#include <stdio.h>

#include "klib.h"

#if defined(__clang__)
#define KLIB_OPAQUE __attribute__((noinline))
#else
#define KLIB_OPAQUE __attribute__((noinline, noclone))
#endif

static inline void swap_u64(uint64_t *a, uint64_t *b)
{
	uint64_t t = *a;

	*a = *b;
	*b = t;
}

/* Bottom-up heapsort: heapify from the last parent down to the root, then
 * repeatedly move the root (6.9+: the two largest) behind the heap. Each
 * sift follows the larger child all the way to a leaf (one comparison per
 * level), then climbs back to where the sifted element belongs and rotates
 * it into place. gen is a constant in every caller, so each generation
 * compiles to its own straight code. */
static inline __attribute__((always_inline)) void sort_body(uint64_t *v, size_t n, klib_cmp_fn cmp,
							    enum klib_sort_gen gen)
{
	size_t a = n / 2, end = n, shift = 0;

	if (!a) /* n < 2 */
		return;
	for (;;) {
		size_t b, c, d;

		if (a) {
			/* Building the heap; from 6.9 also the second half of a
			 * double pop: after sifting child 1 or 2, the root. */
			a -= (size_t)1 << shift;
		} else if (gen >= KLIB_SORT_6_9 && end > 3) {
			/* Double pop: the root behind the heap, then the larger
			 * of its children; that child's place is sifted first. */
			end--;
			swap_u64(&v[0], &v[end]);
			shift = cmp(&v[1], &v[2]) <= 0;
			a = (size_t)1 << shift;
			end--;
			swap_u64(&v[a], &v[end]);
		} else if (gen < KLIB_SORT_6_11 && end > 1) {
			end--;
			swap_u64(&v[0], &v[end]);
		} else {
			break;
		}
		/* Down to a leaf along the larger children; ties go left before
		 * 6.9, right from 6.9. */
		for (b = a; c = 2 * b + 1, (d = c + 1) < end;) {
			int r = cmp(&v[c], &v[d]);

			b = (gen >= KLIB_SORT_6_9 ? r > 0 : r >= 0) ? c : d;
		}
		if (d == end)
			b = c; /* the last leaf has no sibling */
		/* Back up to the first node not smaller than v[a]. */
		while (b != a && cmp(&v[a], &v[b]) >= 0)
			b = (b - 1) / 2;
		/* Rotate v[a] into b, the path above it moving up one level. */
		c = b;
		while (b != a) {
			b = (b - 1) / 2;
			swap_u64(&v[b], &v[c]);
		}
	}
	if (gen >= KLIB_SORT_6_11) {
		/* Two or three left: the root behind them, then one comparison
		 * orders the remaining two. */
		end--;
		swap_u64(&v[0], &v[end]);
		if (end == 2 && cmp(&v[0], &v[1]) > 0)
			swap_u64(&v[0], &v[1]);
	}
}

static inline __attribute__((always_inline)) const uint64_t *
bsearch_body(const uint64_t *key, const uint64_t *base, size_t n, klib_cmp_fn cmp)
{
	while (n > 0) {
		const uint64_t *pivot = base + (n >> 1);
		int r = cmp(key, pivot);

		if (r == 0)
			return pivot;
		if (r > 0) {
			base = pivot + 1;
			n--;
		}
		n >>= 1;
	}
	return NULL;
}

/* One out-of-line copy per generation, as the kernel has one sort(). */
#define KLIB_SORT_COPIES(suffix, attrs)                                                     \
	static KLIB_OPAQUE attrs void sort_5x##suffix(uint64_t *v, size_t n, klib_cmp_fn cmp) \
	{                                                                                   \
		sort_body(v, n, cmp, KLIB_SORT_5X);                                         \
	}                                                                                   \
	static KLIB_OPAQUE attrs void sort_69##suffix(uint64_t *v, size_t n, klib_cmp_fn cmp) \
	{                                                                                   \
		sort_body(v, n, cmp, KLIB_SORT_6_9);                                        \
	}                                                                                   \
	static KLIB_OPAQUE attrs void sort_611##suffix(uint64_t *v, size_t n, klib_cmp_fn cmp) \
	{                                                                                   \
		sort_body(v, n, cmp, KLIB_SORT_6_11);                                       \
	}

KLIB_SORT_COPIES(, )
KLIB_SORT_COPIES(_rp, KLIB_CALL_THUNK KLIB_RET_THUNK)

void klib_sort_u64(uint64_t *v, size_t n, klib_cmp_fn cmp, enum klib_sort_gen gen)
{
	if (gen == KLIB_SORT_6_11)
		sort_611(v, n, cmp);
	else if (gen == KLIB_SORT_6_9)
		sort_69(v, n, cmp);
	else
		sort_5x(v, n, cmp);
}

void klib_sort_u64_rp(uint64_t *v, size_t n, klib_cmp_fn cmp, enum klib_sort_gen gen)
{
	if (gen == KLIB_SORT_6_11)
		sort_611_rp(v, n, cmp);
	else if (gen == KLIB_SORT_6_9)
		sort_69_rp(v, n, cmp);
	else
		sort_5x_rp(v, n, cmp);
}

const char *klib_sort_gen_name(enum klib_sort_gen g)
{
	switch (g) {
	case KLIB_SORT_5X: return "5.x-6.8";
	case KLIB_SORT_6_9: return "6.9-6.10";
	case KLIB_SORT_6_11: return "6.11+";
	default: return "?";
	}
}

enum klib_sort_gen klib_sort_gen_of(unsigned major, unsigned minor)
{
	if (major < 6 || (major == 6 && minor < 9))
		return KLIB_SORT_5X;
	if (major == 6 && minor < 11)
		return KLIB_SORT_6_9;
	return KLIB_SORT_6_11;
}

KLIB_OPAQUE const uint64_t *klib_bsearch_u64(const uint64_t *key, const uint64_t *base,
					     size_t n, klib_cmp_fn cmp)
{
	return bsearch_body(key, base, n, cmp);
}

KLIB_OPAQUE KLIB_CALL_THUNK KLIB_RET_THUNK const uint64_t *
klib_bsearch_u64_rp(const uint64_t *key, const uint64_t *base, size_t n, klib_cmp_fn cmp)
{
	return bsearch_body(key, base, n, cmp);
}

bool klib_have_thunks(char *why, size_t len)
{
	if (KLIB_THUNKS)
		return true;
	snprintf(why, len, "built without retpoline/return thunks (needs GCC on x86-64, no CET)");
	return false;
}
