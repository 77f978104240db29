/* design-floor.c — the floor row: not a filter, the harness around one
 * load per lookup (dependent on the previous answer in latency mode) from
 * a 64-byte, L1-resident table. Its loops are the designs' loops
 * (LOOKUP_DEFINE_RUNNERS) with the decision replaced by table[eventsel &
 * 63], so "design / floor" is the cost of the decision beyond one L1 load.
 * Never checked against the reference.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"

struct floor_tbl {
	_Alignas(64) bool v[64];
};

static int floor_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		       void **state)
{
	struct floor_tbl *t;

	(void)fl;
	(void)bflags;
	t = aligned_alloc(64, sizeof(*t));
	if (!t)
		return -ENOMEM;
	/* Something filter-dependent, so the loads are not of a constant. */
	for (unsigned i = 0; i < 64; i++)
		t->v[i] = (i + f->nevents) & 1;
	*state = t;
	return 0;
}

static inline bool floor_decide_inline(const struct floor_tbl *t, uint64_t ev)
{
	return t->v[ev & 63];
}

static size_t floor_footprint(const void *state)
{
	(void)state;
	return sizeof(struct floor_tbl);
}

static size_t floor_ranges(const void *state, struct lookup_mem_range *r, size_t max)
{
	if (max < 1)
		return 0;
	r[0] = (struct lookup_mem_range){ state, sizeof(struct floor_tbl) };
	return 1;
}

LOOKUP_DEFINE_RUNNERS(floor, struct floor_tbl, floor_decide_inline)

const struct lookup_design lookup_design_floor = {
	.name = "floor-l1",
	.desc = "floor: one load per lookup (dependent in latency mode) from a 64-byte "
		"L1-resident table (not a filter)",
	.cost = "build: none; memory: 64 bytes",
	.flags = LOOKUP_F_FLOOR,
	.ref = PMUF_KERNEL_6_3,
	.build = floor_build,
	LOOKUP_RUNNERS(floor),
	.footprint_bytes = floor_footprint,
	.mem_ranges = floor_ranges,
	.free = free,
};
