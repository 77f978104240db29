/* decide.c — reference decisions: is a guest event-select value allowed on
 * a GP counter, and is a fixed counter allowed, under each kernel
 * generation's lookup. Written to follow the kernel's code path by path;
 * bench/lookup/ holds the fast replicas that are tested against these.
 *
 *  5.3  (66bb8a065f5a): linear scan, events[i] == eventsel & AMD64_RAW_EVENT_MASK_NB
 *  5.17 (7ff775aca48a): sort the raw u64s at install, bsearch the same key
 *       (with the compare fix 4ac19ead0dfb; the first version truncated
 *       a - b to int and could miss entries that differ only in 35:32)
 *  6.3  (14329b825ffb): masked includes/excludes over the prepared list
 *
 * The pre-6.3 key uses the AMD mask on both flavors, as those kernels did
 * (Intel's IN_TX/IN_TXCP bits 32-33 leaked into the key); entries are
 * compared raw, so an entry with other bits set never matches.
 *
 * pmuf_decide_gp does everything on every call; pmuf_decider_* splits the
 * same steps (the same static functions) into a once-per-filter part and
 * a per-event part, for exhaustive checks over the event space. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pmuf.h"

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* 5.3: the linear scan over the events as given. */
static bool decide_5_3(const uint64_t *events, size_t n, uint32_t action, uint64_t eventsel)
{
	uint64_t key = eventsel & PMUF_RAW_EVENT_MASK_NB;
	size_t i;

	for (i = 0; i < n; i++)
		if (events[i] == key)
			break;
	if (action == PMUF_ALLOW && i == n)
		return false;
	if (action == PMUF_DENY && i < n)
		return false;
	return true;
}

/* 5.17 at install: a copy of the raw events, sorted (NULL when empty). */
static int sorted_copy(const struct pmuf_filter *f, uint64_t **out)
{
	*out = NULL;
	if (!f->nevents)
		return 0;
	*out = malloc(f->nevents * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	memcpy(*out, f->events, f->nevents * sizeof(**out));
	qsort(*out, f->nevents, sizeof(**out), cmp_u64);
	return 0;
}

/* 5.17 at each decision: bsearch the same key in the sorted events. */
static bool decide_5_17(const uint64_t *sorted, size_t n, uint32_t action, uint64_t eventsel)
{
	uint64_t key = eventsel & PMUF_RAW_EVENT_MASK_NB;
	bool hit = n && bsearch(&key, sorted, n, sizeof(*sorted), cmp_u64) != NULL;

	return (action == PMUF_ALLOW) == hit;
}

/* 6.3+: filter_event_cmp compares entries by EVENT_SELECT only. */
static int select_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa & PMUF_MASKED_EVENT_SELECT;
	uint64_t b = *(const uint64_t *)pb & PMUF_MASKED_EVENT_SELECT;

	return (a > b) - (a < b);
}

/* is_filter_entry_match: the mask (63:56) shifted onto the umask (15:8). */
static bool entry_match(uint64_t entry, uint64_t umask)
{
	uint64_t mask = entry >> (PMUF_MASKED_UMASK_MASK_SHIFT - 8);
	uint64_t match = entry & PMUF_MASKED_UMASK_MATCH;

	return (umask & mask) == match;
}

/* filter_contains_match: bsearch any entry with the guest's select, then
 * walk forward and backward over every entry with that select. */
static bool contains_match(const uint64_t *ev, size_t n, uint64_t select_mask,
			   uint64_t eventsel)
{
	uint64_t sel = eventsel & select_mask;
	uint64_t umask = eventsel & PMUF_EVENTSEL_UMASK;
	const uint64_t *hit;
	size_t idx, i;

	if (!n)
		return false;
	hit = bsearch(&sel, ev, n, sizeof(*ev), select_cmp);
	if (!hit)
		return false;
	idx = (size_t)(hit - ev);
	for (i = idx; i < n && !select_cmp(&ev[i], &sel); i++)
		if (entry_match(ev[i], umask))
			return true;
	for (i = idx; i-- > 0 && !select_cmp(&ev[i], &sel);)
		if (entry_match(ev[i], umask))
			return true;
	return false;
}

bool pmuf_prepared_allows(const struct pmuf_prepared *p, uint64_t eventsel)
{
	if (contains_match(p->includes, p->nincludes, p->select_mask, eventsel) &&
	    !contains_match(p->excludes, p->nexcludes, p->select_mask, eventsel))
		return p->action == PMUF_ALLOW;
	return p->action == PMUF_DENY;
}

/* The argument checks pmuf_decide_gp and pmuf_decider_init share. */
static int check_gp(const struct pmuf_filter *f, enum pmuf_kernel k)
{
	if (f->arch != PMUF_ARCH_X86)
		return -EINVAL;
	if (k != PMUF_KERNEL_5_3 && k != PMUF_KERNEL_5_17 && k != PMUF_KERNEL_6_3)
		return -EINVAL;
	if (k != PMUF_KERNEL_6_3 && pmuf_is_masked(f))
		return -EOPNOTSUPP; /* those kernels rejected any flag (EINVAL) */
	return 0;
}

/* Pre-6.3 header checks; the flavor cannot make an unmasked filter invalid. */
static int validate_exact(const struct pmuf_filter *f, enum pmuf_flavor fl)
{
	struct pmuf_verdict v;
	int err;

	fl = pmuf_flavor_resolve(f, fl);
	err = pmuf_validate(f, fl == PMUF_FLAVOR_UNSET ? PMUF_FLAVOR_AMD : fl, &v);
	pmuf_verdict_free(&v);
	return err;
}

int pmuf_decide_gp(const struct pmuf_filter *f, enum pmuf_flavor fl, enum pmuf_kernel k,
		   uint64_t eventsel, bool *allowed)
{
	struct pmuf_prepared p;
	uint64_t *sorted;
	int err;

	if (!f) { /* no filter installed: everything counts */
		*allowed = true;
		return 0;
	}
	err = check_gp(f, k);
	if (err)
		return err;

	if (k == PMUF_KERNEL_6_3) {
		err = pmuf_prepare(f, fl, &p);
		if (err)
			return err;
		*allowed = pmuf_prepared_allows(&p, eventsel);
		pmuf_prepared_free(&p);
		return 0;
	}

	err = validate_exact(f, fl);
	if (err)
		return err;
	if (k == PMUF_KERNEL_5_3) {
		*allowed = decide_5_3(f->events, f->nevents, f->action, eventsel);
		return 0;
	}
	/* 5.17: sorted anew on every call, as the slow, obvious reference. */
	err = sorted_copy(f, &sorted);
	if (err)
		return err;
	*allowed = decide_5_17(sorted, f->nevents, f->action, eventsel);
	free(sorted);
	return 0;
}

/* The same steps as pmuf_decide_gp, split at the point where eventsel is
 * first used: everything before it is done here, once. */
int pmuf_decider_init(const struct pmuf_filter *f, enum pmuf_flavor fl, enum pmuf_kernel k,
		      struct pmuf_decider *d)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->kernel = k;
	if (!f) {
		d->none = true;
		return 0;
	}
	err = check_gp(f, k);
	if (err)
		return err;
	if (k == PMUF_KERNEL_6_3)
		return pmuf_prepare(f, fl, &d->prep);

	err = validate_exact(f, fl);
	if (err)
		return err;
	d->action = f->action;
	d->nevents = f->nevents;
	if (k == PMUF_KERNEL_5_17)
		return sorted_copy(f, &d->events);
	if (f->nevents) { /* 5.3: a copy in filter order */
		d->events = malloc(f->nevents * sizeof(*d->events));
		if (!d->events)
			return -ENOMEM;
		memcpy(d->events, f->events, f->nevents * sizeof(*d->events));
	}
	return 0;
}

bool pmuf_decider_allows(const struct pmuf_decider *d, uint64_t eventsel)
{
	if (d->none)
		return true;
	switch (d->kernel) {
	case PMUF_KERNEL_5_3:
		return decide_5_3(d->events, d->nevents, d->action, eventsel);
	case PMUF_KERNEL_5_17:
		return decide_5_17(d->events, d->nevents, d->action, eventsel);
	default:
		return pmuf_prepared_allows(&d->prep, eventsel);
	}
}

void pmuf_decider_free(struct pmuf_decider *d)
{
	free(d->events);
	pmuf_prepared_free(&d->prep);
	memset(d, 0, sizeof(*d));
}

/* is_fixed_event_allowed: only the bitmap decides; events[] never does. */
bool pmuf_decide_fixed(const struct pmuf_filter *f, unsigned idx)
{
	bool bit;

	if (!f || f->arch != PMUF_ARCH_X86)
		return true;
	bit = idx < 32 && (f->fixed_counter_bitmap & (1u << idx));
	if (f->action == PMUF_DENY && bit)
		return false;
	if (f->action == PMUF_ALLOW && !bit)
		return false;
	return true;
}
