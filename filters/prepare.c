/* prepare.c — the kernel's (6.3+) in-kernel form of an x86 filter, as
 * prepare_filter_lists() builds it: unmasked entries that survive become
 * masked entries with umask-mask 0xFF (exact umask match), the list is
 * sorted by entry & (EVENT_SELECT | EXCLUDE) as an unsigned u64, so all
 * includes (by select) precede all excludes (by select). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pmuf.h"

#define SORT_KEY_MASK (PMUF_MASKED_EVENT_SELECT | PMUF_MASKED_EXCLUDE)

/* The kernel's sort is not stable; entries with equal keys may come in any
 * order without changing a decision (the lookup walks all of them). We
 * break ties by the whole entry so the prepared list is deterministic. */
static int prep_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	uint64_t ka = a & SORT_KEY_MASK, kb = b & SORT_KEY_MASK;

	if (ka != kb)
		return (ka > kb) - (ka < kb);
	return (a > b) - (a < b);
}

int pmuf_prepare(const struct pmuf_filter *f, enum pmuf_flavor fl, struct pmuf_prepared *p)
{
	struct pmuf_verdict v;
	uint64_t valid;
	size_t i, n = 0;
	int err;

	memset(p, 0, sizeof(*p));
	if (f->arch != PMUF_ARCH_X86)
		return -EINVAL;
	fl = pmuf_flavor_resolve(f, fl);
	err = pmuf_validate(f, fl, &v);
	pmuf_verdict_free(&v);
	if (err)
		return err;

	p->action = f->action;
	p->select_mask = pmuf_flavor_select_mask(fl);
	if (f->nevents) {
		p->events = malloc(f->nevents * sizeof(*p->events));
		if (!p->events)
			return -ENOMEM;
	}

	if (pmuf_is_masked(f)) {
		for (i = 0; i < f->nevents; i++)
			p->events[n++] = f->events[i];
	} else {
		valid = pmuf_exact_valid_bits(fl);
		for (i = 0; i < f->nevents; i++) {
			if (f->events[i] & ~valid)
				continue; /* dropped: cannot match a guest event */
			p->events[n++] = f->events[i] | PMUF_MASKED_UMASK_MASK;
		}
	}
	if (n)
		qsort(p->events, n, sizeof(*p->events), prep_cmp);

	/* Unmasked entries cannot carry EXCLUDE (it would have dropped them);
	 * the kernel only looks for the split in masked mode. */
	i = n;
	if (pmuf_is_masked(f))
		for (i = 0; i < n; i++)
			if (p->events[i] & PMUF_MASKED_EXCLUDE)
				break;
	p->nincludes = i;
	p->nexcludes = n - i;
	p->includes = p->events;
	p->excludes = p->events ? p->events + i : NULL;
	return 0;
}

void pmuf_prepared_free(struct pmuf_prepared *p)
{
	free(p->events);
	memset(p, 0, sizeof(*p));
}
