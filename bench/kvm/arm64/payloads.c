/* payloads.c (arm64) — the table of guest payloads embedded by
 * guest-payloads/payloads.mk (blob.S symbols pfbench_payload_<name>_*). */
#include "vm.h"

#define PAYLOAD(nm, d)                                                             \
	extern const uint8_t pfbench_payload_##nm##_start[], pfbench_payload_##nm##_end[]; \
	static const struct vm_payload payload_##nm = { #nm, d, pfbench_payload_##nm##_start, \
							pfbench_payload_##nm##_end }

PAYLOAD(baseline, "plain exits: HVC, MMIO to userspace, a trapped ID register; per-exit or amortized");
PAYLOAD(pmu, "PMEVTYPER0_EL0 reprogramming (timed MSR) and counting checks (PMCEID, cycle counter)");

const struct vm_payload vm_payloads[] = {
	payload_baseline,
	payload_pmu,
	{ NULL, NULL, NULL, NULL },
};
