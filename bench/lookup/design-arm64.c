/* design-arm64.c — the arm64 kernel's filter check as a lookup design,
 * run beside the x86 designs on every host.
 *
 *  k5.10-arm64-bitmap (KVM_ARM_VCPU_PMU_V3_FILTER, 5.10+; read from
 *          arch/arm64/kvm/pmu-emul.c): one VM-wide bitmap of nr_events
 *          bits, kvm->arch.pmu_filter. Install, per filter range (the
 *          KVM_ARM_VCPU_PMU_V3_FILTER attribute): the first allocates the
 *          bitmap (bitmap_alloc) and fills it with the opposite of its
 *          action (ALLOW: bitmap_zero, default deny; DENY: bitmap_fill,
 *          default allow), then every range sets (ALLOW) or clears (DENY)
 *          [base, base + nevents). Check, when the guest programs a counter
 *          (kvm_pmu_create_perf_event): the event number is PMEVTYPER's
 *          value & kvm_pmu_event_mask (10 bits for PMUv3 as in ARMv8.0,
 *          16 for PMUv3p1+); SW_INCR (0) and CHAIN (0x1E) return before the
 *          filter (no perf event backs them); then "filter present and
 *          !test_bit(event, filter)" means no perf event: the event does
 *          not count. A lookup is a pointer load (kvm->arch), a mask, two
 *          compares and one bit test — no search at all, whatever the
 *          number of ranges.
 *
 * Built from an arm64 filter (f->arch == PMUF_ARCH_ARM64) it is exactly
 * the install above: nr_events from f's event bits, the guest's event mask
 * nr_events - 1 (guest and host of the same PMU version).
 *
 * Built from an x86 filter (the lookup sweep's), it first takes the
 * filter's arm64 form (lookup_arm64_filter): the same events as bits. The
 * Intel flavor's (select, umask) key is eventsel bits 15:0 — umask 15:8,
 * select 7:0 — exactly a 16-bit arm64 event number, so every event the
 * x86 filter decides differently from its default becomes that event
 * number in a range with the filter's action, consecutive numbers merged
 * into one range: an exact filter of n entries is n one-event ranges
 * (fewer where entries are adjacent), the first range's action (= the x86
 * action) sets the default as the x86 action does. A lookup then tests
 * eventsel & 0xFFFF in a 65,536-bit (8 KiB) bitmap. Its decisions equal
 * the x86 filter's everywhere except events 0 and 0x1E, which arm64 never
 * filters; its reference is filters/arm64.c's model of that arm64 form
 * (lookup_arm64_reference_table), not pmuf_decide_gp. The AMD flavor's
 * 20-bit keys have no arm64 form (-EOPNOTSUPP; the sweep skips it).
 * build_ns therefore includes the conversion to ranges, not only the
 * kernel's bitmap work.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"

#define ARM64_X86_EVENT_MASK 0xFFFFu /* Intel (select, umask) = a 16-bit event number */

/* ---- the x86 filter's arm64 form ---- */

int lookup_arm64_filter(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			struct pmuf_filter *out)
{
	struct lookup_rows r;
	uint64_t *bm;
	size_t nwords = (ARM64_X86_EVENT_MASK + 1) / 64;
	int err;

	pmuf_init(out, PMUF_ARCH_ARM64);
	if (f->arch == PMUF_ARCH_ARM64)
		return pmuf_copy(out, f);
	if (fl != PMUF_FLAVOR_INTEL)
		return -EOPNOTSUPP;
	err = lookup_rows_from_filter(f, fl, bflags, &r);
	if (err)
		return err;
	bm = calloc(nwords, sizeof(*bm));
	if (!bm) {
		lookup_rows_free(&r);
		return -ENOMEM;
	}
	/* The decision of every event, as bits: event = umask << 8 | select. */
	bool dflt = r.row[r.nsel][0] & 1;
	if (dflt)
		memset(bm, 0xFF, nwords * sizeof(*bm));
	for (size_t i = 0; i < r.nsel; i++)
		for (unsigned u = 0; u < 256; u++) {
			unsigned ev = (u << 8) | r.sel[i];
			bool yes = (r.row[i][u >> 6] >> (u & 63)) & 1;

			if (yes)
				bm[ev / 64] |= 1ull << (ev % 64);
			else
				bm[ev / 64] &= ~(1ull << (ev % 64));
		}
	lookup_rows_free(&r);

	/* Runs of events unlike the default, each one range with the action
	 * that sets them; none at all is one empty range (the bitmap with
	 * its default and nothing else, as an empty x86 filter decides). */
	out->arm_event_bits = 16;
	uint32_t action = dflt ? PMUF_DENY : PMUF_ALLOW;
	unsigned ev = 0, nr = ARM64_X86_EVENT_MASK + 1;
	while (!err && ev < nr) {
		if ((bool)((bm[ev / 64] >> (ev % 64)) & 1) == dflt) {
			ev++;
			continue;
		}
		/* nevents is a u16 in the uAPI: a longer run takes two ranges. */
		unsigned base = ev;
		while (ev < nr && ev - base < 0xFFFF && (bool)((bm[ev / 64] >> (ev % 64)) & 1) != dflt)
			ev++;
		err = pmuf_add_range(out, base, ev - base, action);
	}
	if (!err && !out->nranges)
		err = pmuf_add_range(out, 0, 0, action);
	free(bm);
	if (err)
		pmuf_free(out);
	return err;
}

int lookup_arm64_reference_table(const struct pmuf_filter *f, enum pmuf_flavor fl,
				 uint8_t **table)
{
	struct pmuf_filter a;
	uint64_t *bm = NULL;
	size_t n = lookup_space_size(fl);
	int err = lookup_arm64_filter(f, fl, LOOKUP_B_NO_LIMIT, &a);

	*table = NULL;
	if (err)
		return err;
	err = pmuf_arm_bitmap(&a, &bm, NULL);
	unsigned mask = pmuf_arm_nr_events(&a) - 1;
	pmuf_free(&a);
	if (err)
		return err;
	*table = malloc(n);
	if (!*table) {
		free(bm);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		(*table)[i] = pmuf_arm_bitmap_allows(
			bm, (unsigned)lookup_space_eventsel(fl, i) & mask);
	free(bm);
	return 0;
}

/* ---- the design ---- */

/* The part of struct kvm the check reads: kvm->arch.pmu_filter, and the
 * guest PMU version's event mask (kvm_pmu_event_mask). */
struct kvm_arm_replica {
	unsigned long *pmu_filter;
	uint32_t event_mask;
	size_t nr_events;
};

#define ARM_BITS_PER_LONG (8 * sizeof(unsigned long))

static void arm_bitmap_range(unsigned long *bm, unsigned base, unsigned n, bool set)
{
	/* bitmap_set/bitmap_clear, a word at a time where whole. */
	unsigned i = base, end = base + n;

	while (i < end) {
		if (i % ARM_BITS_PER_LONG == 0 && end - i >= ARM_BITS_PER_LONG) {
			bm[i / ARM_BITS_PER_LONG] = set ? ~0ul : 0ul;
			i += ARM_BITS_PER_LONG;
			continue;
		}
		if (set)
			bm[i / ARM_BITS_PER_LONG] |= 1ul << (i % ARM_BITS_PER_LONG);
		else
			bm[i / ARM_BITS_PER_LONG] &= ~(1ul << (i % ARM_BITS_PER_LONG));
		i++;
	}
}

static void arm_free(void *state)
{
	struct kvm_arm_replica *vm = state;

	if (vm)
		free(vm->pmu_filter);
	free(vm);
}

static int arm_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		     void **state)
{
	struct pmuf_filter a;
	struct kvm_arm_replica *vm;
	int err = lookup_arm64_filter(f, fl, bflags, &a);

	if (err)
		return err;
	struct pmuf_verdict v;
	err = pmuf_validate(&a, PMUF_FLAVOR_UNSET, &v);
	pmuf_verdict_free(&v);
	if (err) {
		pmuf_free(&a);
		return err;
	}
	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		pmuf_free(&a);
		return -ENOMEM;
	}
	vm->nr_events = pmuf_arm_nr_events(&a);
	vm->event_mask = (uint32_t)vm->nr_events - 1;
	/* The ranges as KVM_ARM_VCPU_PMU_V3_FILTER installs them, one by one. */
	for (size_t i = 0; i < a.nranges; i++) {
		const struct pmuf_arm_range *rg = &a.ranges[i];
		bool allow = rg->action == PMUF_ALLOW;

		if (!vm->pmu_filter) {
			size_t bytes = vm->nr_events / 8;

			vm->pmu_filter = malloc(bytes);
			if (!vm->pmu_filter) {
				pmuf_free(&a);
				arm_free(vm);
				return -ENOMEM;
			}
			memset(vm->pmu_filter, allow ? 0x00 : 0xFF, bytes);
		}
		arm_bitmap_range(vm->pmu_filter, rg->base, rg->nevents, allow);
	}
	pmuf_free(&a);
	*state = vm;
	return 0;
}

static inline bool arm_decide_inline(const struct kvm_arm_replica *vm, uint64_t evtyper)
{
	unsigned long ev = evtyper & vm->event_mask;
	const unsigned long *filter = vm->pmu_filter;

	if (ev == PMUF_ARM_EVENT_SW_INCR || ev == PMUF_ARM_EVENT_CHAIN)
		return true;
	return !filter || ((filter[ev / ARM_BITS_PER_LONG] >> (ev % ARM_BITS_PER_LONG)) & 1);
}

static size_t arm_footprint(const void *state)
{
	const struct kvm_arm_replica *vm = state;

	return sizeof(*vm) + (vm->pmu_filter ? vm->nr_events / 8 : 0);
}

static size_t arm_ranges(const void *state, struct lookup_mem_range *r, size_t max)
{
	const struct kvm_arm_replica *vm = state;

	if (max < 2)
		return 0;
	r[0] = (struct lookup_mem_range){ vm, sizeof(*vm) };
	if (!vm->pmu_filter)
		return 1;
	r[1] = (struct lookup_mem_range){ vm->pmu_filter, vm->nr_events / 8 };
	return 2;
}

LOOKUP_DEFINE_RUNNERS(arm, struct kvm_arm_replica, arm_decide_inline)

const struct lookup_design lookup_design_arm64 = {
	.name = "k5.10-arm64-bitmap",
	.desc = "arm64 kernel 5.10+ (KVM_ARM_VCPU_PMU_V3_FILTER): test_bit of the event number "
		"in the VM-wide bitmap kvm->arch.pmu_filter; x86 filters as the same events as bits "
		"(Intel flavor: eventsel 15:0 = a 16-bit event number)",
	.cost = "build: bitmap_alloc + fill + set/clear per range (from an x86 filter, after "
		"its conversion to ranges, which build_ns includes); memory: 8 KiB (16-bit "
		"events) or 128 B (10-bit), any number of ranges",
	.flags = LOOKUP_F_KERNEL | LOOKUP_F_ARM64,
	.ref = PMUF_KERNEL_6_3, /* unused: LOOKUP_F_ARM64 designs answer to the arm64 model */
	.build = arm_build,
	LOOKUP_RUNNERS(arm),
	.footprint_bytes = arm_footprint,
	.mem_ranges = arm_ranges,
	.free = arm_free,
};
