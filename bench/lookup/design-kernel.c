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
 *  k6.3-masked   (14329b825ffb, 6.3+): entries converted to masked form,
 *                sorted on (select, exclude), split into includes then
 *                excludes; bsearch() on the select within each list, then
 *                the umask walk forward and backward over entries with
 *                that select. Build: copy + convert + heapsort.
 * Memory: the kernel's struct, 8 bytes per event plus a small header.
 * With LOOKUP_B_NO_LIMIT they accept more than the kernel's 300 events.
 *
 * The -rp twins of the two bsearch generations run the same code the way
 * a kernel with retpolines runs it (this host's says "spectre_v2:
 * Mitigation: Retpolines", and SRSO "Safe RET"): sort() and bsearch()
 * call the comparison through a retpoline thunk, and the out-of-line
 * functions return through a return thunk (klib.h). Direct calls to the
 * comparison (the umask walk) are inlined, as the kernel's compiler does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "klib.h"
#include "lookup.h"

#define KOPAQUE __attribute__((noinline))

static bool thunks_usable(char *why, size_t len)
{
	return klib_have_thunks(why, len);
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

static int old_build(const struct pmuf_filter *f, unsigned bflags, struct kfilter_old **out)
{
	struct kfilter_old *k;
	int err = lookup_check_size(f, bflags);

	if (err)
		return err;
	if (pmuf_is_masked(f))
		return -EOPNOTSUPP; /* flags had to be 0 before 6.3 */
	k = calloc(1, sizeof(*k) + f->nevents * sizeof(k->events[0]));
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
	(void)fl;
	return old_build(f, bflags, (struct kfilter_old **)state);
}

static inline bool k53_decide_inline(const struct kfilter_old *filter, uint64_t eventsel)
{
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

static size_t old_footprint(const void *state)
{
	const struct kfilter_old *k = state;

	return sizeof(*k) + k->nevents * sizeof(k->events[0]);
}

LOOKUP_DEFINE_RUNNERS(k53, struct kfilter_old, k53_decide_inline)

const struct lookup_design lookup_design_k53 = {
	.name = "k5.3-linear",
	.desc = "kernel 5.3-5.16: linear scan of the raw u64 events for eventsel & 0xF0000FFFF",
	.cost = "build: copy, O(n); memory: 32 + 8n bytes",
	.flags = LOOKUP_F_KERNEL | LOOKUP_F_EXACT_ONLY,
	.ref = PMUF_KERNEL_5_3,
	.build = k53_build,
	LOOKUP_RUNNERS(k53),
	.footprint_bytes = old_footprint,
	.free = free,
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

/* The two flavors differ only in how sort() and bsearch() call the
 * comparison; rp is a constant in each caller (as in 6.3+ below). */
static int k517_build_common(const struct pmuf_filter *f, unsigned bflags, void **state, bool rp)
{
	struct kfilter_old *k;
	int err = old_build(f, bflags, &k);

	if (err)
		return err;
	if (rp)
		klib_sort_u64_rp(k->events, k->nevents, cmp_u64_rp);
	else
		klib_sort_u64(k->events, k->nevents, cmp_u64);
	*state = k;
	return 0;
}

static int k517_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		      void **state)
{
	(void)fl;
	return k517_build_common(f, bflags, state, false);
}

static int k517rp_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			void **state)
{
	(void)fl;
	return k517_build_common(f, bflags, state, true);
}

static inline bool k517_allowed(const struct kfilter_old *filter, uint64_t eventsel, bool rp)
{
	uint64_t key = eventsel & PMUF_RAW_EVENT_MASK_NB;
	const uint64_t *hit = rp ? klib_bsearch_u64_rp(&key, filter->events, filter->nevents,
						       cmp_u64_rp)
				 : klib_bsearch_u64(&key, filter->events, filter->nevents, cmp_u64);

	if (hit)
		return filter->action == KVM_PMU_EVENT_ALLOW;
	return filter->action == KVM_PMU_EVENT_DENY;
}

static inline bool k517_decide_inline(const struct kfilter_old *filter, uint64_t eventsel)
{
	return k517_allowed(filter, eventsel, false);
}

static inline bool k517rp_decide_inline(const struct kfilter_old *filter, uint64_t eventsel)
{
	return k517_allowed(filter, eventsel, true);
}

LOOKUP_DEFINE_RUNNERS(k517, struct kfilter_old, k517_decide_inline)
LOOKUP_DEFINE_RUNNERS(k517rp, struct kfilter_old, k517rp_decide_inline)

const struct lookup_design lookup_design_k517 = {
	.name = "k5.17-bsearch",
	.desc = "kernel 5.17-6.2: events sorted at install, bsearch() of eventsel & 0xF0000FFFF",
	.cost = "build: copy + heapsort, O(n log n); memory: 32 + 8n bytes",
	.flags = LOOKUP_F_KERNEL | LOOKUP_F_EXACT_ONLY,
	.ref = PMUF_KERNEL_5_17,
	.build = k517_build,
	LOOKUP_RUNNERS(k517),
	.footprint_bytes = old_footprint,
	.free = free,
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
	.footprint_bytes = old_footprint,
	.free = free,
};

/* ---- 6.3+: struct kvm_x86_pmu_event_filter ---- */

struct kfilter63 {
	uint32_t action;
	uint32_t nevents;
	uint32_t fixed_counter_bitmap;
	uint32_t flags;
	uint32_t nr_includes;
	uint32_t nr_excludes;
	uint64_t *includes;
	uint64_t *excludes;
	/* kvm_pmu_ops.EVENTSEL_EVENT, a global in the kernel. */
	uint64_t eventsel_event;
	uint64_t events[];
};

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
	struct kfilter63 *k;
	uint32_t i, j;
	int err = lookup_check_size(f, bflags);

	if (err)
		return err;
	k = calloc(1, sizeof(*k) + f->nevents * sizeof(k->events[0]));
	if (!k)
		return -ENOMEM;
	k->action = f->action;
	k->nevents = (uint32_t)f->nevents;
	k->fixed_counter_bitmap = f->fixed_counter_bitmap;
	k->flags = f->flags;
	k->eventsel_event = selmask;
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
		klib_sort_u64_rp(k->events, k->nevents, filter_sort_cmp_rp);
	else
		klib_sort_u64(k->events, k->nevents, filter_sort_cmp);
	i = k->nevents;
	if (k->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS)
		for (i = 0; i < k->nevents; i++)
			if (k->events[i] & PMUF_MASKED_EXCLUDE)
				break;
	k->nr_includes = i;
	k->nr_excludes = k->nevents - k->nr_includes;
	k->includes = k->events;
	k->excludes = k->events + k->nr_includes;
	*state = k;
	return 0;
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
					 uint64_t eventsel_event, uint64_t eventsel, bool rp)
{
	uint64_t event_select = eventsel & eventsel_event;
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
	if (filter_contains_match(f->includes, f->nr_includes, f->eventsel_event, eventsel, rp) &&
	    !filter_contains_match(f->excludes, f->nr_excludes, f->eventsel_event, eventsel, rp))
		return f->action == KVM_PMU_EVENT_ALLOW;
	return f->action == KVM_PMU_EVENT_DENY;
}

static inline bool k63_decide_inline(const struct kfilter63 *f, uint64_t eventsel)
{
	return is_gp_event_allowed(f, eventsel, false);
}

static inline bool k63rp_decide_inline(const struct kfilter63 *f, uint64_t eventsel)
{
	return is_gp_event_allowed(f, eventsel, true);
}

static size_t k63_footprint(const void *state)
{
	const struct kfilter63 *k = state;

	return sizeof(*k) + k->nevents * sizeof(k->events[0]);
}

LOOKUP_DEFINE_RUNNERS(k63, struct kfilter63, k63_decide_inline)
LOOKUP_DEFINE_RUNNERS(k63rp, struct kfilter63, k63rp_decide_inline)

const struct lookup_design lookup_design_k63 = {
	.name = "k6.3-masked",
	.desc = "kernel 6.3+: masked entries sorted on (select, exclude); bsearch() on the select "
		"in includes and excludes, then the umask walk both ways",
	.cost = "build: copy + convert + heapsort, O(n log n); memory: 56 + 8n bytes",
	.flags = LOOKUP_F_KERNEL,
	.ref = PMUF_KERNEL_6_3,
	.build = k63_build,
	LOOKUP_RUNNERS(k63),
	.footprint_bytes = k63_footprint,
	.free = free,
};

const struct lookup_design lookup_design_k63rp = {
	.name = "k6.3-masked-rp",
	.desc = "k6.3-masked as a retpoline kernel runs it: bsearch()'s comparisons called "
		"through a retpoline, returns through a return thunk",
	.cost = "build: copy + convert + heapsort with thunked calls; memory: 56 + 8n bytes",
	.flags = LOOKUP_F_KERNEL,
	.ref = PMUF_KERNEL_6_3,
	.usable = thunks_usable,
	.build = k63rp_build,
	LOOKUP_RUNNERS(k63rp),
	.footprint_bytes = k63_footprint,
	.free = free,
};
