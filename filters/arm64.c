/* arm64.c — the arm64 range filter (KVM_ARM_VCPU_PMU_V3_FILTER) replayed
 * into the VM-wide event bitmap the way arch/arm64/kvm/pmu-emul.c does:
 * the first filter allocates the bitmap (first ALLOW -> all clear, i.e.
 * default deny; first DENY -> all set, default allow), then each filter
 * sets (ALLOW) or clears (DENY) [base, base + nevents). With no filter at
 * all there is no bitmap and every event counts. SW_INCR (0) and CHAIN
 * (0x1E) never get a perf event, so the filter does not apply to them;
 * the cycle counter is checked as CPU_CYCLES (0x11). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pmuf.h"

unsigned pmuf_arm_nr_events(const struct pmuf_filter *f)
{
	return f->arm_event_bits == 10 ? 1024u : 65536u;
}

static void set_range(uint64_t *bm, unsigned base, unsigned n, bool val)
{
	unsigned i;

	for (i = base; i < base + n; i++) {
		if (val)
			bm[i / 64] |= 1ull << (i % 64);
		else
			bm[i / 64] &= ~(1ull << (i % 64));
	}
}

int pmuf_arm_bitmap(const struct pmuf_filter *f, uint64_t **bitmap, struct pmuf_verdict *v)
{
	struct pmuf_verdict local;
	struct pmuf_verdict *vv = v ? v : &local;
	unsigned nr;
	uint64_t *bm;
	size_t i;
	int err;

	*bitmap = NULL;
	if (f->arch != PMUF_ARCH_ARM64)
		return -EINVAL;
	err = pmuf_validate(f, PMUF_FLAVOR_UNSET, vv);
	if (!v)
		pmuf_verdict_free(&local);
	if (err)
		return err;
	if (!f->nranges)
		return 0;

	nr = pmuf_arm_nr_events(f);
	bm = malloc(nr / 8);
	if (!bm)
		return -ENOMEM;
	memset(bm, f->ranges[0].action == PMUF_ALLOW ? 0x00 : 0xFF, nr / 8);
	for (i = 0; i < f->nranges; i++)
		set_range(bm, f->ranges[i].base, f->ranges[i].nevents,
			  f->ranges[i].action == PMUF_ALLOW);
	*bitmap = bm;
	return 0;
}

int pmuf_arm_decide(const struct pmuf_filter *f, unsigned event, bool *allowed)
{
	uint64_t *bm;
	int err;

	if (!f) {
		*allowed = true;
		return 0;
	}
	if (f->arch != PMUF_ARCH_ARM64)
		return -EINVAL;
	if (event >= pmuf_arm_nr_events(f))
		return -ERANGE;
	err = pmuf_arm_bitmap(f, &bm, NULL);
	if (err)
		return err;
	*allowed = pmuf_arm_bitmap_allows(bm, event);
	free(bm);
	return 0;
}

bool pmuf_arm_bitmap_allows(const uint64_t *bm, unsigned event)
{
	if (event == PMUF_ARM_EVENT_SW_INCR || event == PMUF_ARM_EVENT_CHAIN || !bm)
		return true;
	return bm[event / 64] & (1ull << (event % 64));
}
