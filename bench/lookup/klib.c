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
 * repeatedly move the root behind the heap. Each sift follows the larger
 * child all the way to a leaf (one comparison per level), then climbs back
 * to where the sifted element belongs and rotates it into place. */
static inline __attribute__((always_inline)) void sort_body(uint64_t *v, size_t n, klib_cmp_fn cmp)
{
	size_t a = n / 2, end = n;

	if (n < 2)
		return;
	for (;;) {
		size_t b, c, d;

		if (a) {
			a--;
		} else if (end > 1) {
			end--;
			swap_u64(&v[0], &v[end]);
		} else {
			break;
		}
		/* Down to a leaf along the larger children. */
		for (b = a; c = 2 * b + 1, (d = c + 1) < end;)
			b = cmp(&v[c], &v[d]) >= 0 ? c : d;
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

KLIB_OPAQUE void klib_sort_u64(uint64_t *v, size_t n, klib_cmp_fn cmp)
{
	sort_body(v, n, cmp);
}

KLIB_OPAQUE const uint64_t *klib_bsearch_u64(const uint64_t *key, const uint64_t *base,
					     size_t n, klib_cmp_fn cmp)
{
	return bsearch_body(key, base, n, cmp);
}

KLIB_OPAQUE KLIB_CALL_THUNK KLIB_RET_THUNK void klib_sort_u64_rp(uint64_t *v, size_t n,
								 klib_cmp_fn cmp)
{
	sort_body(v, n, cmp);
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
