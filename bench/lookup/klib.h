/* klib.h — the two kernel library routines the kernel's filter replicas
 * call, with the kernel's control flow: sort() (lib/sort.c, a bottom-up
 * heapsort) and bsearch() (lib/bsearch.c), both calling the comparison
 * through a function pointer as the kernel does. Our own code, written
 * from reading the kernel's; out of line on purpose, so the compiler cannot
 * inline the comparator the kernel cannot inline either. */
#ifndef PFBENCH_KLIB_H
#define PFBENCH_KLIB_H

#include <stddef.h>
#include <stdint.h>

typedef int (*klib_cmp_fn)(const void *a, const void *b);

/* Sorts n u64s in place (not stable, like the kernel's). */
void klib_sort_u64(uint64_t *base, size_t n, klib_cmp_fn cmp);
/* The element equal to *key under cmp, or NULL: probes the middle of the
 * remaining range and halves it, as the kernel's __inline_bsearch does. */
const uint64_t *klib_bsearch_u64(const uint64_t *key, const uint64_t *base, size_t n,
				 klib_cmp_fn cmp);

#endif
