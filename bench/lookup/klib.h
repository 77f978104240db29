/* klib.h — the two kernel library routines the kernel's filter replicas
 * call, with the kernel's control flow: sort() (lib/sort.c, a bottom-up
 * heapsort, in each of its generations) and bsearch() (lib/bsearch.c), both
 * calling the comparison through a function pointer as the kernel does.
 * Our own code, written from reading the kernel's; out of line on purpose,
 * so the compiler cannot inline the comparator the kernel cannot inline
 * either. */
#ifndef PFBENCH_KLIB_H
#define PFBENCH_KLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int (*klib_cmp_fn)(const void *a, const void *b);

/* Spectre v2 mitigations as a retpoline kernel runs this code: indirect
 * calls through a retpoline thunk, returns through a return thunk (each a
 * return the CPU mispredicts by design). GCC's indirect_branch/
 * function_return attributes give user space the same; other compilers
 * (and CET builds, which forbid them) get plain code and
 * klib_have_thunks() says no. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CET__)
#define KLIB_THUNKS 1
#define KLIB_RET_THUNK __attribute__((function_return("thunk")))
#define KLIB_CALL_THUNK __attribute__((indirect_branch("thunk")))
#else
#define KLIB_THUNKS 0
#define KLIB_RET_THUNK
#define KLIB_CALL_THUNK
#endif
bool klib_have_thunks(char *why, size_t len);

/* lib/sort.c's generations. They sort alike but move equal elements
 * differently (and so leave a different order of entries that compare
 * equal), and make different numbers of comparisons and swaps:
 *  5.x-6.8:  bottom-up heapsort, one root popped per pass, the sift-down
 *            path taking the left child on ties;
 *  6.9-6.10: + "optimize heapsort for equal elements in sift-down path"
 *            (right child on ties) and 0e02ca29a563 "optimize heapsort
 *            with double-pop variation" (two largest popped per pass);
 *  6.11+:    + "optimize heapsort for handling final 2 or 3 elements"
 *            (the last two or three handled after the loop).
 * Merge windows from the mm-nonmm pull requests for 6.9-rc1 and 6.11-rc1
 * (docs/lookup.md). */
enum klib_sort_gen {
	KLIB_SORT_5X = 0,
	KLIB_SORT_6_9,
	KLIB_SORT_6_11,
	KLIB_SORT_NGENS,
};
/* "5.x-6.8", "6.9-6.10", "6.11+". */
const char *klib_sort_gen_name(enum klib_sort_gen g);
/* The generation kernel major.minor shipped. */
enum klib_sort_gen klib_sort_gen_of(unsigned major, unsigned minor);

/* Sorts n u64s in place (not stable, like the kernel's) as generation gen. */
void klib_sort_u64(uint64_t *base, size_t n, klib_cmp_fn cmp, enum klib_sort_gen gen);
/* The element equal to *key under cmp, or NULL: probes the middle of the
 * remaining range and halves it, as the kernel's __inline_bsearch does. */
const uint64_t *klib_bsearch_u64(const uint64_t *key, const uint64_t *base, size_t n,
				 klib_cmp_fn cmp);
/* The same, with retpoline calls and thunked returns (KLIB_THUNKS). */
void klib_sort_u64_rp(uint64_t *base, size_t n, klib_cmp_fn cmp, enum klib_sort_gen gen);
const uint64_t *klib_bsearch_u64_rp(const uint64_t *key, const uint64_t *base, size_t n,
				    klib_cmp_fn cmp);

#endif
