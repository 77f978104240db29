/* random.c — random filters for differential runs (pmuf-random.h). The
 * mix: 85% ALLOW/DENY actions, else 2, 3, high bits or a random u32; flags
 * 0 or MASKED mostly, sometimes 2, 3, high bits or random; sizes 0..301
 * with 8% at the 300/301 edge; per filter a share of stray entries (0, 1,
 * 5 or 50%): a random u64, the other mode's encoding, or a clean entry
 * with a bit outside the valid ones (select 11:8, unused 31:16 and 54:36,
 * exclude/umask-mask bits that unmasked mode drops); with the 1% share a
 * single stray entry somewhere, the interesting masked case. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "pmuf-random.h"

void pmuf_rng_seed(struct pmuf_rng *r, uint64_t seed)
{
	r->state = seed ? seed : 1;
}

uint64_t pmuf_rng_next(struct pmuf_rng *r)
{
	r->state ^= r->state >> 12;
	r->state ^= r->state << 25;
	r->state ^= r->state >> 27;
	return r->state * 0x2545F4914F6CDD1Dull;
}

unsigned pmuf_rng_below(struct pmuf_rng *r, unsigned n)
{
	return (unsigned)(pmuf_rng_next(r) % n);
}

/* A bit outside the valid entry bits of some mode or flavor. */
static uint64_t stray_bit(struct pmuf_rng *r)
{
	switch (pmuf_rng_below(r, 5)) {
	case 0:
	case 1:
		return 1ull << (32 + pmuf_rng_below(r, 4)); /* select 11:8: flavor decides */
	case 2:
		return 1ull << (16 + pmuf_rng_below(r, 16));
	case 3:
		return 1ull << (36 + pmuf_rng_below(r, 19));
	default:
		return 1ull << (55 + pmuf_rng_below(r, 9)); /* exclude, umask mask (unmasked: dropped) */
	}
}

/* 12-bit selects are valid masked entries on the AMD flavor only. */
static uint16_t rnd_select(struct pmuf_rng *r, bool wide)
{
	return (uint16_t)(wide && pmuf_rng_below(r, 3) == 0 ? pmuf_rng_below(r, 0x1000)
							    : pmuf_rng_below(r, 0x100));
}

static uint8_t rnd_u8(struct pmuf_rng *r)
{
	return (uint8_t)pmuf_rng_below(r, 256);
}

/* A clean entry of the mode, or (stray_pct % of the time) one with a
 * stray bit, a random u64, or the other mode's encoding. */
static uint64_t rnd_entry(struct pmuf_rng *r, bool masked, bool wide, unsigned stray_pct)
{
	uint16_t sel = rnd_select(r, wide);
	uint64_t e;
	if (masked) {
		uint8_t mask = rnd_u8(r), match = rnd_u8(r);
		e = pmuf_masked_encode(sel, mask, match, pmuf_rng_below(r, 3) == 0);
	} else {
		e = pmuf_exact_encode(sel, rnd_u8(r));
	}

	if (pmuf_rng_below(r, 100) >= stray_pct)
		return e;
	switch (pmuf_rng_below(r, 8)) {
	case 0:
		return pmuf_rng_next(r);
	case 1:
		if (masked)
			return pmuf_exact_encode(sel, rnd_u8(r));
		else {
			uint8_t mask = rnd_u8(r), match = rnd_u8(r);
			return pmuf_masked_encode(sel, mask, match, pmuf_rng_below(r, 2));
		}
	default:
		return e | stray_bit(r);
	}
}

static uint32_t rnd_action(struct pmuf_rng *r)
{
	static const uint32_t odd[] = { 2, 3, 0x80000000u, 0xFFFFFFFFu };

	if (pmuf_rng_below(r, 100) < 85)
		return pmuf_rng_below(r, 2);
	return pmuf_rng_below(r, 2) ? odd[pmuf_rng_below(r, 4)] : (uint32_t)pmuf_rng_next(r);
}

static uint32_t rnd_flags(struct pmuf_rng *r)
{
	static const uint32_t odd[] = { 2, 3, 0x80000000u, 0x80000001u };

	switch (pmuf_rng_below(r, 20)) {
	case 0:
		return odd[pmuf_rng_below(r, 4)];
	case 1:
		return (uint32_t)pmuf_rng_next(r);
	default:
		return pmuf_rng_below(r, 2) ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0;
	}
}

static size_t rnd_nevents(struct pmuf_rng *r)
{
	if (pmuf_rng_below(r, 100) < 8)
		return 300 + pmuf_rng_below(r, 2); /* the edge: 300 ok, 301 E2BIG */
	return pmuf_rng_below(r, 302);             /* 0..301 */
}

int pmuf_random_filter(struct pmuf_rng *r, struct pmuf_filter *f)
{
	static const unsigned stray_pcts[] = { 0, 0, 0, 1, 5, 50 };
	unsigned stray = stray_pcts[pmuf_rng_below(r, 6)];
	bool wide = pmuf_rng_below(r, 100) < 30;

	pmuf_init(f, PMUF_ARCH_X86);
	f->action = rnd_action(r);
	f->flags = rnd_flags(r);
	f->fixed_counter_bitmap = pmuf_rng_below(r, 2) ? 0 : (uint32_t)pmuf_rng_next(r);
	for (int i = 0; i < 4; i++)
		f->pad[i] = pmuf_rng_below(r, 2) ? 0 : (uint32_t)pmuf_rng_next(r);
	size_t n = rnd_nevents(r);
	if (n) {
		f->events = malloc(n * sizeof(*f->events));
		if (!f->events) {
			pmuf_init(f, PMUF_ARCH_X86);
			return -ENOMEM;
		}
	}
	f->nevents = n;
	bool masked = f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
	size_t one_stray = stray == 1 && n ? pmuf_rng_below(r, (unsigned)n) : SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		f->events[i] = rnd_entry(r, masked, wide, stray == 1 ? 0 : stray);
		if (i == one_stray)
			f->events[i] |= stray_bit(r);
	}
	return 0;
}
