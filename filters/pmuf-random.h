/* pmuf-random.h — random x86 filters for differential runs against the
 * kernel's KVM_SET_PMU_EVENT_FILTER: clean entries of both modes, stray
 * bits, 12-bit selects, odd actions/flags/pad, sizes 0-301 with the 300/301
 * edge. Deterministic per seed (xorshift64*), the same sequence on every
 * host. Callers: tests/unit/test_kvm_differential.c and `pfbench check`
 * (bench/kvm/check-ioctl.c). Model only: no KVM calls, never prints. */
#ifndef PFBENCH_PMUF_RANDOM_H
#define PFBENCH_PMUF_RANDOM_H

#include <stdint.h>

#include "pmuf.h"

struct pmuf_rng {
	uint64_t state;
};

/* Seed 0 is replaced by 1 (xorshift has no zero state). */
void pmuf_rng_seed(struct pmuf_rng *r, uint64_t seed);
uint64_t pmuf_rng_next(struct pmuf_rng *r);
/* Uniform-ish in [0, n) (modulo; n > 0). */
unsigned pmuf_rng_below(struct pmuf_rng *r, unsigned n);

/* One random x86 filter into *f (pmuf_init'd here; pmuf_free it). Its
 * ioctl bytes are pmuf_to_kvm(f). 0 or -ENOMEM (f then empty). */
int pmuf_random_filter(struct pmuf_rng *r, struct pmuf_filter *f);

#endif
