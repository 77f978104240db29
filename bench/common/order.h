/* order.h — the order a benchmark runs its configurations in (install's
 * and exit's --seed N).
 *
 * By default a benchmark measures its configurations in the order given
 * (the sizes as listed). A slow drift of the host (frequency, a neighbour
 * starting, caches warming) then lines up with that order and reads as a
 * trend by size; with a seed the lists are shuffled (Fisher-Yates driven
 * by splitmix64), the same order for the same seed on every host, so a
 * trend that survives two seeds is not the order's. The context records
 * the seed and the lists in the order run. No KVM, no printing. */
#ifndef PFBENCH_ORDER_H
#define PFBENCH_ORDER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Permutes v[0..n) by seed; the same seed gives the same permutation. */
void order_shuffle(unsigned *v, size_t n, uint64_t seed);

/* What the context records as "seed": "0x..." (the seed of a shuffled
 * order), or null (the order given). New reference. */
json_t *order_seed_json(int given, uint64_t seed);

#endif
