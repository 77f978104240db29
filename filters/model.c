/* model.c — the in-memory filter: init, free, deep copy, appending x86
 * entries and arm64 ranges. No validation here (validate.c does that). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pmuf.h"

void pmuf_init(struct pmuf_filter *f, enum pmuf_arch arch)
{
	memset(f, 0, sizeof(*f));
	f->arch = arch;
	f->action = PMUF_ALLOW;
}

void pmuf_free(struct pmuf_filter *f)
{
	enum pmuf_arch arch = f->arch;

	free(f->events);
	free(f->src);
	free(f->ranges);
	pmuf_init(f, arch);
}

static void *dup_array(const void *p, size_t n, size_t size)
{
	void *q;

	if (!p || !n)
		return NULL;
	q = malloc(n * size);
	if (q)
		memcpy(q, p, n * size);
	return q;
}

int pmuf_copy(struct pmuf_filter *dst, const struct pmuf_filter *src)
{
	struct pmuf_filter tmp = *src;

	tmp.events = dup_array(src->events, src->nevents, sizeof(*src->events));
	tmp.src = dup_array(src->src, src->nevents, sizeof(*src->src));
	tmp.ranges = dup_array(src->ranges, src->nranges, sizeof(*src->ranges));
	if ((src->nevents && src->events && !tmp.events) ||
	    (src->nevents && src->src && !tmp.src) ||
	    (src->nranges && src->ranges && !tmp.ranges)) {
		free(tmp.events);
		free(tmp.src);
		free(tmp.ranges);
		pmuf_init(dst, src->arch);
		return -ENOMEM;
	}
	if (!tmp.events)
		tmp.nevents = 0;
	if (!tmp.ranges)
		tmp.nranges = 0;
	*dst = tmp;
	return 0;
}

/* Arrays grow by one element per call: callers (parsers) may also have
 * set events/src themselves with an exact-size malloc, so no hidden
 * capacity is assumed. Filters are small (the kernel takes <= 300). */
int pmuf_add_event(struct pmuf_filter *f, uint64_t entry, const struct pmuf_src *src)
{
	size_t n = f->nevents;
	uint64_t *ev;
	struct pmuf_src *s;

	if (n >= SIZE_MAX / sizeof(*s) - 1)
		return -EOVERFLOW;
	ev = realloc(f->events, (n + 1) * sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	f->events = ev;
	/* src is kept parallel to events once anyone has it. */
	s = realloc(f->src, (n + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (!f->src && n)
		memset(s, 0, n * sizeof(*s));
	f->src = s;
	ev[n] = entry;
	if (src)
		s[n] = *src;
	else
		memset(&s[n], 0, sizeof(s[n]));
	s[n].name[sizeof(s[n].name) - 1] = '\0';
	f->nevents = n + 1;
	return 0;
}

int pmuf_add_range(struct pmuf_filter *f, uint32_t base, uint32_t nevents, uint32_t action)
{
	struct pmuf_arm_range *r;

	if (f->nranges >= SIZE_MAX / sizeof(*r) - 1)
		return -EOVERFLOW;
	r = realloc(f->ranges, (f->nranges + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	f->ranges = r;
	r[f->nranges].base = base;
	r[f->nranges].nevents = nevents;
	r[f->nranges].action = action;
	f->nranges++;
	return 0;
}

bool pmuf_is_masked(const struct pmuf_filter *f)
{
	return f->arch == PMUF_ARCH_X86 && (f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
}
