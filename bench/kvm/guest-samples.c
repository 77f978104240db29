/* guest-samples.c — the plausibility check of the guest's timed samples
 * against the host's own TSC reads around the run (see vm.h). The guest's
 * TSC is the host's plus KVM's offset at the same rate: pfbench never
 * scales it (no KVM_SET_TSC_KHZ) and never writes it, so KVM set the
 * offset when the vCPU was created (guest TSC 0 then). */
#include "vm.h"

#include <errno.h>
#include <stdio.h>

#define BAD(...)                                        \
	do {                                            \
		if (why && len)                         \
			snprintf(why, len, __VA_ARGS__); \
		return -EPROTO;                         \
	} while (0)

int vm_samples_check(const struct guest_mailbox *mb, const struct vm_tsc_window *w, char *why,
		     size_t len)
{
	if (why && len)
		why[0] = 0;
	uint64_t b = mb->tsc_begin, e = mb->tsc_end;
	if (!mb->nsamples && !b && !e)
		return 0; /* a command that times nothing (VERIFY) */
	if (e < b)
		BAD("the guest's timed span ends before it begins (tsc_begin %llu, tsc_end %llu)",
		    (unsigned long long)b, (unsigned long long)e);
	if (w->host_end < w->host_begin)
		BAD("the host's counter went backwards around the run (%llu, then %llu)",
		    (unsigned long long)w->host_begin, (unsigned long long)w->host_end);
	uint64_t span = e - b, host = w->host_end - w->host_begin;
	if (span > host)
		BAD("the guest's timed span (%llu ticks) is longer than the host's run around it "
		    "(%llu ticks)", (unsigned long long)span, (unsigned long long)host);
	if (w->have_offset) {
		/* guest = host + offset, so host = guest - offset (mod 2^64). */
		uint64_t hb = b - (uint64_t)w->offset, he = e - (uint64_t)w->offset;
		if (hb < w->host_begin || he > w->host_end)
			BAD("the guest's timed span (host counter %llu to %llu with the vCPU's offset "
			    "%lld) is not inside the host's run (%llu to %llu)",
			    (unsigned long long)hb, (unsigned long long)he, (long long)w->offset,
			    (unsigned long long)w->host_begin, (unsigned long long)w->host_end);
	}
	/* The samples time disjoint stretches inside [tsc_begin, tsc_end]. */
	uint64_t sum = 0;
	for (uint32_t i = 0; i < mb->nsamples && i < GUEST_MAX_SAMPLES; i++) {
		uint64_t s = mb->samples[i];
		if (s > span)
			BAD("sample %u is %llu ticks, longer than the guest's whole timed span "
			    "(%llu ticks)", i, (unsigned long long)s, (unsigned long long)span);
		sum += s; /* no overflow: each <= span, and the sum is checked below */
		if (sum > span)
			BAD("samples 0..%u add up to %llu ticks, more than the guest's timed span "
			    "(%llu ticks)", i, (unsigned long long)sum, (unsigned long long)span);
	}
	return 0;
}
