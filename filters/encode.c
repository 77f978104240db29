/* encode.c — x86 entry encodings (exact and masked), guest event-select
 * fields, KVM PMU flavors, kernel generations and errno names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pmuf.h"

/* Guest event-select MSR bits (ARCH_PERFMON_EVENTSEL_*). */
#define EVENTSEL_USR (1ull << 16)
#define EVENTSEL_OS (1ull << 17)
#define EVENTSEL_EN (1ull << 22)

/* A 12-bit select lives in bits 7:0 and 35:32, in entries and MSRs alike. */
static uint64_t select_bits(uint16_t select)
{
	return (uint64_t)(select & 0xFF) | ((uint64_t)(select & 0xF00) << 24);
}

uint64_t pmuf_exact_encode(uint16_t select, uint8_t umask)
{
	return select_bits(select) | ((uint64_t)umask << 8);
}

/* KVM_PMU_ENCODE_MASKED_ENTRY(select, mask, match, exclude) */
uint64_t pmuf_masked_encode(uint16_t select, uint8_t mask, uint8_t match, bool exclude)
{
	return select_bits(select) | ((uint64_t)mask << PMUF_MASKED_UMASK_MASK_SHIFT) |
	       ((uint64_t)match << 8) | (exclude ? PMUF_MASKED_EXCLUDE : 0);
}

uint16_t pmuf_eventsel_select(uint64_t eventsel)
{
	return (uint16_t)((eventsel & 0xFF) | ((eventsel >> 24) & 0xF00));
}

uint8_t pmuf_eventsel_umask(uint64_t eventsel)
{
	return (uint8_t)(eventsel >> 8);
}

uint16_t pmuf_masked_select(uint64_t entry)
{
	return pmuf_eventsel_select(entry);
}

uint8_t pmuf_masked_mask(uint64_t entry)
{
	return (uint8_t)(entry >> PMUF_MASKED_UMASK_MASK_SHIFT);
}

uint8_t pmuf_masked_match(uint64_t entry)
{
	return (uint8_t)(entry >> 8);
}

bool pmuf_masked_exclude(uint64_t entry)
{
	return entry & PMUF_MASKED_EXCLUDE;
}

uint64_t pmuf_eventsel_make(uint16_t select, uint8_t umask)
{
	return pmuf_exact_encode(select, umask) | EVENTSEL_EN | EVENTSEL_USR | EVENTSEL_OS;
}

uint64_t pmuf_flavor_select_mask(enum pmuf_flavor fl)
{
	switch (fl) {
	case PMUF_FLAVOR_INTEL:
		return PMUF_EVENTSEL_EVENT_INTEL;
	case PMUF_FLAVOR_AMD:
		return PMUF_EVENTSEL_EVENT_AMD;
	default:
		return 0;
	}
}

unsigned pmuf_flavor_select_bits(enum pmuf_flavor fl)
{
	switch (fl) {
	case PMUF_FLAVOR_INTEL:
		return 8;
	case PMUF_FLAVOR_AMD:
		return 12;
	default:
		return 0;
	}
}

const char *pmuf_flavor_name(enum pmuf_flavor fl)
{
	switch (fl) {
	case PMUF_FLAVOR_INTEL:
		return "intel";
	case PMUF_FLAVOR_AMD:
		return "amd";
	default:
		return "unset";
	}
}

int pmuf_flavor_parse(const char *s, enum pmuf_flavor *out)
{
	if (!strcasecmp(s, "intel"))
		*out = PMUF_FLAVOR_INTEL;
	else if (!strcasecmp(s, "amd"))
		*out = PMUF_FLAVOR_AMD;
	else
		return -EINVAL;
	return 0;
}

enum pmuf_flavor pmuf_flavor_resolve(const struct pmuf_filter *f, enum pmuf_flavor fl)
{
	if (fl == PMUF_FLAVOR_INTEL || fl == PMUF_FLAVOR_AMD)
		return fl;
	if (f && (f->flavor == PMUF_FLAVOR_INTEL || f->flavor == PMUF_FLAVOR_AMD))
		return f->flavor;
	return PMUF_FLAVOR_UNSET;
}

/* "5.3", "5.17", "6.3" — or any release "X.Y[.Z][-extra]", mapped to the
 * generation it runs (the filter appeared in 5.3). */
int pmuf_kernel_parse(const char *s, enum pmuf_kernel *out)
{
	unsigned long major, minor;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	major = strtoul(s, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	minor = strtoul(end + 1, &end, 10);
	if (*end && *end != '.' && *end != '-')
		return -EINVAL;
	if (major > 1000 || minor > 1000)
		return -EINVAL;
	if (major < 5 || (major == 5 && minor < 3))
		return -ERANGE; /* no PMU event filter before 5.3 */
	if (major == 5 && minor < 17)
		*out = PMUF_KERNEL_5_3;
	else if (major == 5 || (major == 6 && minor < 3))
		*out = PMUF_KERNEL_5_17;
	else
		*out = PMUF_KERNEL_6_3;
	return 0;
}

const char *pmuf_kernel_name(enum pmuf_kernel k)
{
	switch (k) {
	case PMUF_KERNEL_5_3:
		return "5.3";
	case PMUF_KERNEL_5_17:
		return "5.17";
	case PMUF_KERNEL_6_3:
		return "6.3";
	}
	return "?";
}

const char *pmuf_errno_name(int err)
{
	const char *n;

	if (err == 0)
		return "ok";
	n = strerrorname_np(err < 0 ? -err : err);
	return n ? n : "EUNKNOWN";
}
