/* design-kernel.c — replicas of the kernel's three filter lookups, with the
 * kernel's data layout (the filter header followed by its u64 events in
 * one allocation) and control flow (sort() and bsearch() calling the
 * comparison through a pointer, klib.c). Written from reading
 * arch/x86/kvm/pmu.c of each generation; see docs/lookup.md.
 *
 *  k5.3-linear   (66bb8a065f5a, 5.3-5.16): events[i] == eventsel &
 *                AMD64_RAW_EVENT_MASK_NB, a linear scan. Build: one copy.
 *  k5.17-bsearch (7ff775aca48a + 4ac19ead0dfb, 5.17-6.2): the events are
 *                sorted at install, the same key is bsearch()ed.
 *                Build: copy + O(n log n) heapsort.
 *  k5.17-bsearch-trunc (7ff775aca48a as mainline 5.17 and 5.18 shipped
 *                it): the same with the first cmp_u64, which returned
 *                a - b truncated to int (fixed by 4ac19ead0dfb).
 *  k6.3-masked   (14329b825ffb, 6.3+): entries converted to masked form,
 *                sorted on (select, exclude), split into includes then
 *                excludes; bsearch() on the select within each list, then
 *                the umask walk forward and backward over entries with
 *                that select. Build: copy + convert + heapsort.
 * Memory: the kernel's struct, 8 bytes per event plus the header (32 bytes
 * before 6.3, 40 from 6.3), allocated for every event the user passed
 * (6.3 drops impossible entries after allocating). The lookup reaches the
 * filter as the kernel does, through kvm->arch.pmu_event_filter (struct
 * kvm_replica below); 6.3+ reads kvm_pmu_ops.EVENTSEL_EVENT, a global set
 * when the vendor module loads (here: when a filter is built for a flavor;
 * one flavor at a time, as one vendor module per host). With
 * LOOKUP_B_NO_LIMIT they accept more than the kernel's 300 events; the
 * 6.3+ install sorts with the lib/sort.c generation LOOKUP_B_SORT_GEN
 * names, 5.17's with the 5.x one its kernels had.
 *
 * The -rp twins of the two bsearch generations run the same code the way
 * a kernel with retpolines runs it (this host's says "spectre_v2:
 * Mitigation: Retpolines", and SRSO "Safe RET"): sort() and bsearch()
 * call the comparison through a retpoline thunk, and the out-of-line
 * functions return through a return thunk (klib.h). Direct calls to the
 * comparison (the umask walk) are inlined, as the kernel's compiler does.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "klib.h"
#include "lookup.h"

#define KOPAQUE __attribute__((noinline))

static bool thunks_usable(char *why, size_t len)
{
	return klib_have_thunks(why, len);
}

/* The part of struct kvm the lookup reads: kvm->arch.pmu_event_filter.
 * alloc_bytes is what the install asked kzalloc() for (the kernel keeps
 * no such field; the footprint reports it). */
struct kvm_replica {
	void *pmu_event_filter;
	size_t alloc_bytes;
};

static int kvm_replica_new(void *filter, size_t alloc_bytes, void **state)
{
	struct kvm_replica *vm = malloc(sizeof(*vm));

	if (!vm) {
		free(filter);
		return -ENOMEM;
	}
	vm->pmu_event_filter = filter;
	vm->alloc_bytes = alloc_bytes;
	*state = vm;
	return 0;
}

static void kvm_replica_free(void *state)
{
	struct kvm_replica *vm = state;

	if (vm)
		free(vm->pmu_event_filter);
	free(vm);
}

static size_t kvm_replica_footprint(const void *state)
{
	return ((const struct kvm_replica *)state)->alloc_bytes;
}

static size_t kvm_replica_ranges(const void *state, struct lookup_mem_range *r, size_t max)
{
	const struct kvm_replica *vm = state;

	if (max < 2)
		return 0;
	r[0] = (struct lookup_mem_range){ vm, sizeof(*vm) };
	r[1] = (struct lookup_mem_range){ vm->pmu_event_filter, vm->alloc_bytes };
	return 2;
}

/* ---- 5.3: struct kvm_pmu_event_filter, events[] as given ---- */

struct kfilter_old {
	uint32_t action;
	uint32_t nevents;
	uint32_t fixed_counter_bitmap;
	uint32_t flags;
	uint32_t pad[4];
	uint64_t events[];
};

static int old_build(const struct pmuf_filter *f, unsigned bflags, struct kfilter_old **out,
		     size_t *alloc_bytes)
{
	struct kfilter_old *k;
	int err = lookup_check_size(f, bflags);

	if (err)
		return err;
	if (pmuf_is_masked(f))
		return -EOPNOTSUPP; /* flags had to be 0 before 6.3 */
	*alloc_bytes = sizeof(*k) + f->nevents * sizeof(k->events[0]);
	k = calloc(1, *alloc_bytes);
	if (!k)
		return -ENOMEM;
	k->action = f->action;
	k->nevents = (uint32_t)f->nevents;
	k->fixed_counter_bitmap = f->fixed_counter_bitmap;
	k->flags = f->flags;
	if (f->nevents)
		memcpy(k->events, f->events, f->nevents * sizeof(k->events[0]));
	*out = k;
	return 0;
}

static int k53_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		     void **state)
{
	struct kfilter_old *k;
	size_t bytes;
	int err = old_build(f, bflags, &k, &bytes);

	(void)fl;
	return err ? err : kvm_replica_new(k, bytes, state);
}

static inline bool k53_decide_inline(const struct kvm_replica *vm, uint64_t eventsel)
{
	const struct kfilter_old *filter = vm->pmu_event_filter;
	bool allow_event = true;
	uint32_t i;

	for (i = 0; i < filter->nevents; i++)
		if (filter->events[i] == (eventsel & PMUF_RAW_EVENT_MASK_NB))
			break;
	if (filter->action == KVM_PMU_EVENT_ALLOW && i == filter->nevents)
		allow_event = false;
	if (filter->action == KVM_PMU_EVENT_DENY && i < filter->nevents)
		allow_event = false;
	return allow_event;
}

LOOKUP_DEFINE_RUNNERS(k53, struct kvm_replica, k53_decide_inline)

const struct lookup_design lookup_design_k53 = {
	.name = "k5.3-linear",
	.desc = "kernel 5.3-5.16: linear scan of the raw u64 events for eventsel & 0xF0000FFFF",
	.cost = "build: copy, O(n); memory: 32 + 8n bytes",
	.flags = LOOKUP_F_KERNEL | LOOKUP_F_EXACT_ONLY,
	.ref = PMUF_KERNEL_5_3,
	.build = k53_build,
	LOOKUP_RUNNERS(k53),
	.footprint_bytes = kvm_replica_footprint,
	.mem_ranges = kvm_replica_ranges,
	.free = kvm_replica_free,
};

/* ---- 5.17: the same struct, events sorted at install ---- */

/* cmp_u64 as fixed by 4ac19ead0dfb (the first version truncated a - b). */
static inline int cmp_u64_body(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

static KOPAQUE int cmp_u64(const void *pa, const void *pb)
{
	return cmp_u64_body(pa, pb);
}

static KOPAQUE KLIB_RET_THUNK int cmp_u64_rp(const void *pa, const void *pb)
{
	return cmp_u64_body(pa, pb);
}

/* cmp_u64 as mainline 5.17 and 5.18 shipped it: the u64 difference
 * converted to int, i.e. its low 32 bits read as signed. Keys that differ
 * only in bits 35:32 (AMD's select bits 11:8, Intel's IN_TX/IN_TXCP)
 * compare equal, and the sign comes from bit 31 of the difference, so the
 * order is not even transitive. */
static KOPAQUE int cmp_u64_trunc(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (int)(uint32_t)(a - b);
}

/* The three flavors differ only in the comparison and in how sort() and
 * bsearch() call it; cmp and rp are constants in each caller (as in 6.3+
 * below). Their kernels (5.17-6.2) all had the 5.x sort. */
static int k517_build_common(const struct pmuf_filter *f, unsigned bflags, void **state, bool rp,
			     klib_cmp_fn cmp)
{
	struct kfilter_old *k;
	size_t bytes;
	int err = old_build(f, bflags, &k, &bytes);

	if (err)
		return err;
	if (rp)
		klib_sort_u64_rp(k->events, k->nevents, cmp, KLIB_SORT_5X);
	else
		klib_sort_u64(k->events, k->nevents, cmp, KLIB_SORT_5X);
	return kvm_replica_new(k, bytes, state);
}

static int k517_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		      void **state)
{
	(void)fl;
	return k517_build_common(f, bflags, state, false, cmp_u64);
}

static int k517t_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		       void **state)
{
	(void)fl;
	return k517_build_common(f, bflags, state, false, cmp_u64_trunc);
}

static int k517rp_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			void **state)
{
	(void)fl;
	return k517_build_common(f, bflags, state, true, cmp_u64_rp);
}

static inline bool k517_allowed(const struct kvm_replica *vm, uint64_t eventsel, bool rp,
				klib_cmp_fn cmp)
{
	const struct kfilter_old *filter = vm->pmu_event_filter;
	uint64_t key = eventsel & PMUF_RAW_EVENT_MASK_NB;
	const uint64_t *hit = rp ? klib_bsearch_u64_rp(&key, filter->events, filter->nevents, cmp)
				 : klib_bsearch_u64(&key, filter->events, filter->nevents, cmp);

	if (hit)
		return filter->action == KVM_PMU_EVENT_ALLOW;
	return filter->action == KVM_PMU_EVENT_DENY;
}

static inline bool k517_decide_inline(const struct kvm_replica *vm, uint64_t eventsel)
{
	return k517_allowed(vm, eventsel, false, cmp_u64);
}

static inline bool k517t_decide_inline(const struct kvm_replica *vm, uint64_t eventsel)
{
	return k517_allowed(vm, eventsel, false, cmp_u64_trunc);
}

static inline bool k517rp_decide_inline(const struct kvm_replica *vm, uint64_t eventsel)
{
	return k517_allowed(vm, eventsel, true, cmp_u64_rp);
}

LOOKUP_DEFINE_RUNNERS(k517, struct kvm_replica, k517_decide_inline)
LOOKUP_DEFINE_RUNNERS(k517t, struct kvm_replica, k517t_decide_inline)
LOOKUP_DEFINE_RUNNERS(k517rp, struct kvm_replica, k517rp_decide_inline)

const struct lookup_design lookup_design_k517 = {
	.name = "k5.17-bsearch",
	.desc = "kernel 5.17-6.2: events sorted at install, bsearch() of eventsel & 0xF0000FFFF",
	.cost = "build: copy + heapsort, O(n log n); memory: 32 + 8n bytes",
	.flags = LOOKUP_F_KERNEL | LOOKUP_F_EXACT_ONLY,
	.ref = PMUF_KERNEL_5_17,
	.build = k517_build,
	LOOKUP_RUNNERS(k517),
	.footprint_bytes = kvm_replica_footprint,
	.mem_ranges = kvm_replica_ranges,
	.free = kvm_replica_free,
};

const struct lookup_design lookup_design_k517t = {
	.name = "k5.17-bsearch-trunc",
	.desc = "mainline 5.17 and 5.18 as shipped: k5.17-bsearch with the first cmp_u64, "
		"a - b truncated to int (keys differing only in bits 35:32 compare equal)",
	.cost = "build: copy + heapsort, O(n log n); memory: 32 + 8n bytes",
	.flags = LOOKUP_F_KERNEL | LOOKUP_F_EXACT_ONLY | LOOKUP_F_KNOWN_BUG,
	.ref = PMUF_KERNEL_5_17,
	.build = k517t_build,
	LOOKUP_RUNNERS(k517t),
	.footprint_bytes = kvm_replica_footprint,
	.mem_ranges = kvm_replica_ranges,
	.free = kvm_replica_free,
};

const struct lookup_design lookup_design_k517rp = {
	.name = "k5.17-bsearch-rp",
	.desc = "k5.17-bsearch as a retpoline kernel runs it: comparisons called through a "
		"retpoline, returns through a return thunk",
	.cost = "build: copy + heapsort, O(n log n) thunked calls; memory: 32 + 8n bytes",
	.flags = LOOKUP_F_KERNEL | LOOKUP_F_EXACT_ONLY,
	.ref = PMUF_KERNEL_5_17,
	.usable = thunks_usable,
	.build = k517rp_build,
	LOOKUP_RUNNERS(k517rp),
	.footprint_bytes = kvm_replica_footprint,
	.mem_ranges = kvm_replica_ranges,
	.free = kvm_replica_free,
};

/* ---- 6.3+: struct kvm_x86_pmu_event_filter ---- */

/* Byte for byte the kernel's struct kvm_x86_pmu_event_filter: 40 bytes,
 * then the events (tests/unit/test_lookup_kernel.c checks the offsets). */
struct kfilter63 {
	uint32_t action;
	uint32_t nevents;
	uint32_t fixed_counter_bitmap;
	uint32_t flags;
	uint32_t nr_includes;
	uint32_t nr_excludes;
	uint64_t *includes;
	uint64_t *excludes;
	uint64_t events[];
};

const size_t lookup_kfilter63_size = sizeof(struct kfilter63);
const size_t lookup_kfilter63_offsets[9] = {
	offsetof(struct kfilter63, action),	      offsetof(struct kfilter63, nevents),
	offsetof(struct kfilter63, fixed_counter_bitmap), offsetof(struct kfilter63, flags),
	offsetof(struct kfilter63, nr_includes),     offsetof(struct kfilter63, nr_excludes),
	offsetof(struct kfilter63, includes),	      offsetof(struct kfilter63, excludes),
	offsetof(struct kfilter63, events),
};

/* kvm_pmu_ops.EVENTSEL_EVENT: a global the vendor module sets (Intel
 * 0xFF, AMD 0xF000000FF), read on every 6.3+ lookup. */
static struct {
	uint64_t EVENTSEL_EVENT;
} kvm_pmu_ops;

static int filter_cmp(const void *pa, const void *pb, uint64_t mask)
{
	uint64_t a = *(const uint64_t *)pa & mask;
	uint64_t b = *(const uint64_t *)pb & mask;

	return (a > b) - (a < b);
}

static KOPAQUE int filter_sort_cmp(const void *pa, const void *pb)
{
	return filter_cmp(pa, pb, PMUF_MASKED_EVENT_SELECT | PMUF_MASKED_EXCLUDE);
}

static KOPAQUE KLIB_RET_THUNK int filter_sort_cmp_rp(const void *pa, const void *pb)
{
	return filter_cmp(pa, pb, PMUF_MASKED_EVENT_SELECT | PMUF_MASKED_EXCLUDE);
}

/* Compared by select only: each list is searched on its own. bsearch()
 * calls it through a pointer (the out-of-line copies); the umask walk
 * calls it directly, which the compiler inlines. */
static inline int filter_event_cmp(const void *pa, const void *pb)
{
	return filter_cmp(pa, pb, PMUF_MASKED_EVENT_SELECT);
}

static KOPAQUE int filter_event_cmp_ool(const void *pa, const void *pb)
{
	return filter_event_cmp(pa, pb);
}

static KOPAQUE KLIB_RET_THUNK int filter_event_cmp_rp(const void *pa, const void *pb)
{
	return filter_event_cmp(pa, pb);
}

static int k63_build_common(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			    void **state, bool rp)
{
	uint64_t selmask = pmuf_flavor_select_mask(fl);
	enum klib_sort_gen gen = (enum klib_sort_gen)LOOKUP_B_SORT_GEN(bflags);
	struct kfilter63 *k;
	size_t bytes;
	uint32_t i, j;
	int err = lookup_check_size(f, bflags);

	if (err)
		return err;
	if (gen >= KLIB_SORT_NGENS)
		return -EINVAL;
	kvm_pmu_ops.EVENTSEL_EVENT = selmask;
	/* Allocated for every event passed; convert_to_masked_filter() may
	 * then drop some, but the allocation stays. */
	bytes = sizeof(*k) + f->nevents * sizeof(k->events[0]);
	k = calloc(1, bytes);
	if (!k)
		return -ENOMEM;
	k->action = f->action;
	k->nevents = (uint32_t)f->nevents;
	k->fixed_counter_bitmap = f->fixed_counter_bitmap;
	k->flags = f->flags;
	if (f->nevents)
		memcpy(k->events, f->events, f->nevents * sizeof(k->events[0]));

	/* prepare_filter_lists() */
	if (!(k->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS)) {
		/* convert_to_masked_filter(): drop the impossible, add mask 0xFF */
		for (i = 0, j = 0; i < k->nevents; i++) {
			if (k->events[i] & ~(selmask | PMUF_EVENTSEL_UMASK))
				continue;
			k->events[j++] = k->events[i] | (0xFFull << PMUF_MASKED_UMASK_MASK_SHIFT);
		}
		k->nevents = j;
	} else {
		uint64_t mask = selmask | PMUF_MASKED_UMASK_MASK | PMUF_MASKED_UMASK_MATCH |
				PMUF_MASKED_EXCLUDE;

		for (i = 0; i < k->nevents; i++)
			if (k->events[i] & ~mask) {
				free(k);
				return -EINVAL;
			}
	}
	if (rp)
		klib_sort_u64_rp(k->events, k->nevents, filter_sort_cmp_rp, gen);
	else
		klib_sort_u64(k->events, k->nevents, filter_sort_cmp, gen);
	i = k->nevents;
	if (k->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS)
		for (i = 0; i < k->nevents; i++)
			if (k->events[i] & PMUF_MASKED_EXCLUDE)
				break;
	k->nr_includes = i;
	k->nr_excludes = k->nevents - k->nr_includes;
	k->includes = k->events;
	k->excludes = k->events + k->nr_includes;
	return kvm_replica_new(k, bytes, state);
}

static int k63_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		     void **state)
{
	return k63_build_common(f, fl, bflags, state, false);
}

static int k63rp_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		       void **state)
{
	return k63_build_common(f, fl, bflags, state, true);
}

/* The two flavors differ only in how bsearch() and its comparison are
 * called; rp is a constant in each inlined copy. */
static inline int find_filter_index(const uint64_t *events, uint64_t nevents, uint64_t key,
				    bool rp)
{
	const uint64_t *fe = rp ? klib_bsearch_u64_rp(&key, events, nevents, filter_event_cmp_rp)
				: klib_bsearch_u64(&key, events, nevents, filter_event_cmp_ool);

	if (!fe)
		return -1;
	return (int)(fe - events);
}

static inline bool is_filter_entry_match(uint64_t filter_event, uint64_t umask)
{
	uint64_t mask = filter_event >> (PMUF_MASKED_UMASK_MASK_SHIFT - 8);
	uint64_t match = filter_event & PMUF_MASKED_UMASK_MATCH;

	return (umask & mask) == match;
}

static inline bool filter_contains_match(const uint64_t *events, uint64_t nevents,
					 uint64_t eventsel, bool rp)
{
	uint64_t event_select = eventsel & kvm_pmu_ops.EVENTSEL_EVENT;
	uint64_t umask = eventsel & PMUF_EVENTSEL_UMASK;
	int i, index;

	index = find_filter_index(events, nevents, event_select, rp);
	if (index < 0)
		return false;
	for (i = index; i < (int)nevents; i++) {
		if (filter_event_cmp(&events[i], &event_select))
			break;
		if (is_filter_entry_match(events[i], umask))
			return true;
	}
	for (i = index - 1; i >= 0; i--) {
		if (filter_event_cmp(&events[i], &event_select))
			break;
		if (is_filter_entry_match(events[i], umask))
			return true;
	}
	return false;
}

static inline bool is_gp_event_allowed(const struct kfilter63 *f, uint64_t eventsel, bool rp)
{
	if (filter_contains_match(f->includes, f->nr_includes, eventsel, rp) &&
	    !filter_contains_match(f->excludes, f->nr_excludes, eventsel, rp))
		return f->action == KVM_PMU_EVENT_ALLOW;
	return f->action == KVM_PMU_EVENT_DENY;
}

static inline bool k63_decide_inline(const struct kvm_replica *vm, uint64_t eventsel)
{
	return is_gp_event_allowed(vm->pmu_event_filter, eventsel, false);
}

static inline bool k63rp_decide_inline(const struct kvm_replica *vm, uint64_t eventsel)
{
	return is_gp_event_allowed(vm->pmu_event_filter, eventsel, true);
}

LOOKUP_DEFINE_RUNNERS(k63, struct kvm_replica, k63_decide_inline)
LOOKUP_DEFINE_RUNNERS(k63rp, struct kvm_replica, k63rp_decide_inline)

const struct lookup_design lookup_design_k63 = {
	.name = "k6.3-masked",
	.desc = "kernel 6.3+: masked entries sorted on (select, exclude); bsearch() on the select "
		"in includes and excludes, then the umask walk both ways",
	.cost = "build: copy + convert + heapsort, O(n log n); memory: 40 + 8n bytes (n as passed, "
		"before dropping)",
	.flags = LOOKUP_F_KERNEL,
	.ref = PMUF_KERNEL_6_3,
	.build = k63_build,
	LOOKUP_RUNNERS(k63),
	.footprint_bytes = kvm_replica_footprint,
	.mem_ranges = kvm_replica_ranges,
	.free = kvm_replica_free,
};

const struct lookup_design lookup_design_k63rp = {
	.name = "k6.3-masked-rp",
	.desc = "k6.3-masked as a retpoline kernel runs it: bsearch()'s comparisons called "
		"through a retpoline, returns through a return thunk",
	.cost = "build: copy + convert + heapsort with thunked calls; memory: 40 + 8n bytes",
	.flags = LOOKUP_F_KERNEL,
	.ref = PMUF_KERNEL_6_3,
	.usable = thunks_usable,
	.build = k63rp_build,
	LOOKUP_RUNNERS(k63rp),
	.footprint_bytes = kvm_replica_footprint,
	.mem_ranges = kvm_replica_ranges,
	.free = kvm_replica_free,
};
