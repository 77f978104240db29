/* validate.c — what the kernel would answer to this filter, in the
 * kernel's own order of checks.
 *
 * x86 (kvm_vm_ioctl_set_pmu_event_filter, then prepare_filter_lists):
 *   action not ALLOW/DENY -> EINVAL; a flag outside VALID_MASK -> EINVAL;
 *   nevents > 300 -> E2BIG; masked mode: an entry with a bit outside
 *   EVENTSEL_EVENT(flavor) | UMASK_MASK | UMASK_MATCH | EXCLUDE -> EINVAL;
 *   unmasked mode: entries with a bit outside EVENTSEL_EVENT(flavor) |
 *   EVENTSEL_UMASK are dropped silently. pad[] is never looked at.
 * arm64 (KVM_ARM_VCPU_PMU_V3_FILTER, one call per range, in order):
 *   base + nevents > nr_events, or action not ALLOW/DENY -> EINVAL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmuf.h"

uint64_t pmuf_exact_valid_bits(enum pmuf_flavor fl)
{
	return pmuf_flavor_select_mask(fl) | PMUF_EVENTSEL_UMASK;
}

uint64_t pmuf_masked_valid_bits(enum pmuf_flavor fl)
{
	return pmuf_flavor_select_mask(fl) | PMUF_MASKED_UMASK_MASK | PMUF_MASKED_UMASK_MATCH |
	       PMUF_MASKED_EXCLUDE;
}

static int reject(struct pmuf_verdict *v, int err, size_t idx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int reject(struct pmuf_verdict *v, int err, size_t idx, const char *fmt, ...)
{
	va_list ap;

	v->err = err;
	v->bad_index = idx;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	free(v->dropped);
	v->dropped = NULL;
	v->ndropped = 0;
	v->nincludes = v->nexcludes = 0;
	return err;
}

static int validate_arm64(const struct pmuf_filter *f, struct pmuf_verdict *v)
{
	unsigned nr;
	size_t i;

	if (f->arm_event_bits != 0 && f->arm_event_bits != 10 && f->arm_event_bits != 16)
		return reject(v, -EINVAL, SIZE_MAX,
			      "arm64 event space of %u bits: KVM has 10 (PMUv3) or 16 (PMUv3p1+)",
			      f->arm_event_bits);
	nr = pmuf_arm_nr_events(f);
	for (i = 0; i < f->nranges; i++) {
		const struct pmuf_arm_range *r = &f->ranges[i];

		/* Not representable in the uAPI's u16 fields at all. */
		if (r->base > 0xFFFF || r->nevents > 0xFFFF)
			return reject(v, -EINVAL, i,
				      "range %zu: base_event %u / nevents %u do not fit the uAPI's u16",
				      i, r->base, r->nevents);
		if ((uint64_t)r->base + r->nevents > nr)
			return reject(v, -EINVAL, i,
				      "range %zu: base_event %u + nevents %u = %u exceeds the %u-event space",
				      i, r->base, r->nevents, r->base + r->nevents, nr);
		if (r->action != PMUF_ALLOW && r->action != PMUF_DENY)
			return reject(v, -EINVAL, i,
				      "range %zu: action %u is neither ALLOW (0) nor DENY (1)", i,
				      r->action);
	}
	return 0;
}

int pmuf_validate(const struct pmuf_filter *f, enum pmuf_flavor fl, struct pmuf_verdict *v)
{
	uint64_t valid;
	size_t i;

	memset(v, 0, sizeof(*v));
	v->bad_index = SIZE_MAX;

	if (f->arch == PMUF_ARCH_ARM64)
		return validate_arm64(f, v);

	/* Header checks come first and need no flavor. */
	if (f->action != PMUF_ALLOW && f->action != PMUF_DENY)
		return reject(v, -EINVAL, SIZE_MAX, "action %u is neither ALLOW (0) nor DENY (1)",
			      f->action);
	if (f->flags & ~(uint32_t)KVM_PMU_EVENT_FLAGS_VALID_MASK)
		return reject(v, -EINVAL, SIZE_MAX,
			      "flags 0x%x has bits outside the valid mask 0x%x", f->flags,
			      (unsigned)KVM_PMU_EVENT_FLAGS_VALID_MASK);
	if (f->nevents > PMUF_KVM_MAX_EVENTS)
		return reject(v, -E2BIG, SIZE_MAX, "%zu events, the kernel takes at most %u",
			      f->nevents, PMUF_KVM_MAX_EVENTS);

	fl = pmuf_flavor_resolve(f, fl);
	if (fl == PMUF_FLAVOR_UNSET)
		return reject(v, -ENODATA, SIZE_MAX,
			      "no PMU flavor: the entries' validity depends on it (intel or amd)");

	if (pmuf_is_masked(f)) {
		valid = pmuf_masked_valid_bits(fl);
		for (i = 0; i < f->nevents; i++) {
			uint64_t stray = f->events[i] & ~valid;

			if (stray)
				return reject(v, -EINVAL, i,
					      "masked entry %zu (0x%016llx) has bits 0x%llx outside "
					      "select|match|mask|exclude (%s flavor, %u-bit select)",
					      i, (unsigned long long)f->events[i],
					      (unsigned long long)stray, pmuf_flavor_name(fl),
					      pmuf_flavor_select_bits(fl));
			if (f->events[i] & PMUF_MASKED_EXCLUDE)
				v->nexcludes++;
			else
				v->nincludes++;
		}
		return 0;
	}

	valid = pmuf_exact_valid_bits(fl);
	for (i = 0; i < f->nevents; i++) {
		if (!(f->events[i] & ~valid)) {
			v->nincludes++;
			continue;
		}
		if (!v->dropped) {
			v->dropped = calloc(f->nevents, sizeof(*v->dropped));
			if (!v->dropped)
				return reject(v, -ENOMEM, SIZE_MAX, "out of memory");
		}
		v->dropped[v->ndropped++] = i;
	}
	return 0;
}

void pmuf_verdict_free(struct pmuf_verdict *v)
{
	free(v->dropped);
	v->dropped = NULL;
	v->ndropped = 0;
}
