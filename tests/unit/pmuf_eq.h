/* pmuf_eq.h — filter equality for the format tests and fuzz targets:
 * every field a format carries (x86 header, events, arm64 ranges and event
 * space), optionally the declared flavor; never the src annotations. */
#ifndef PFBENCH_TEST_PMUF_EQ_H
#define PFBENCH_TEST_PMUF_EQ_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pmuf.h"

static inline bool pmuf_eq(const struct pmuf_filter *a, const struct pmuf_filter *b, bool flavor,
			   char *why, size_t len)
{
#define PMUF_EQ_DIFF(...)                          \
	do {                                       \
		if (why)                           \
			snprintf(why, len, __VA_ARGS__); \
		return false;                      \
	} while (0)
	if (a->arch != b->arch)
		PMUF_EQ_DIFF("arch %d != %d", a->arch, b->arch);
	if (flavor && a->flavor != b->flavor)
		PMUF_EQ_DIFF("flavor %d != %d", a->flavor, b->flavor);
	if (a->action != b->action)
		PMUF_EQ_DIFF("action %" PRIu32 " != %" PRIu32, a->action, b->action);
	if (a->flags != b->flags)
		PMUF_EQ_DIFF("flags 0x%" PRIx32 " != 0x%" PRIx32, a->flags, b->flags);
	if (a->fixed_counter_bitmap != b->fixed_counter_bitmap)
		PMUF_EQ_DIFF("fixed_counter_bitmap 0x%" PRIx32 " != 0x%" PRIx32, a->fixed_counter_bitmap,
			     b->fixed_counter_bitmap);
	for (int i = 0; i < 4; i++)
		if (a->pad[i] != b->pad[i])
			PMUF_EQ_DIFF("pad[%d] 0x%" PRIx32 " != 0x%" PRIx32, i, a->pad[i], b->pad[i]);
	if (a->nevents != b->nevents)
		PMUF_EQ_DIFF("nevents %zu != %zu", a->nevents, b->nevents);
	for (size_t i = 0; i < a->nevents; i++)
		if (a->events[i] != b->events[i])
			PMUF_EQ_DIFF("events[%zu] 0x%016" PRIx64 " != 0x%016" PRIx64, i, a->events[i],
				     b->events[i]);
	if (a->arm_event_bits != b->arm_event_bits)
		PMUF_EQ_DIFF("arm_event_bits %u != %u", a->arm_event_bits, b->arm_event_bits);
	if (a->nranges != b->nranges)
		PMUF_EQ_DIFF("nranges %zu != %zu", a->nranges, b->nranges);
	for (size_t i = 0; i < a->nranges; i++)
		if (memcmp(&a->ranges[i], &b->ranges[i], sizeof(a->ranges[i])))
			PMUF_EQ_DIFF("ranges[%zu] {%" PRIu32 ",%" PRIu32 ",%" PRIu32 "} != {%" PRIu32
				     ",%" PRIu32 ",%" PRIu32 "}",
				     i, a->ranges[i].base, a->ranges[i].nevents, a->ranges[i].action,
				     b->ranges[i].base, b->ranges[i].nevents, b->ranges[i].action);
#undef PMUF_EQ_DIFF
	return true;
}

#endif
