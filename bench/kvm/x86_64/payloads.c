/* payloads.c (x86_64) — the table of guest payloads embedded by
 * guest-payloads/payloads.mk (blob.S symbols pfbench_payload_<name>_*). */
#include "vm.h"

#define PAYLOAD(nm, d)                                                             \
	extern const uint8_t pfbench_payload_##nm##_start[], pfbench_payload_##nm##_end[]; \
	static const struct vm_payload payload_##nm = { #nm, d, pfbench_payload_##nm##_start, \
							pfbench_payload_##nm##_end }

PAYLOAD(baseline, "plain exits: CPUID, RDMSR/WRMSR, VMCALL/VMMCALL, port write; per-exit or amortized");
PAYLOAD(pmu, "event-select reprogramming (timed WRMSR) and counting checks");
PAYLOAD(selftest, "misbehaving guests for the harness's own tests");
PAYLOAD(hold, "stays in the guest without exits until the host says stop (install under a running vCPU)");

const struct vm_payload vm_payloads[] = {
	payload_baseline,
	payload_pmu,
	payload_selftest,
	payload_hold,
	{ NULL, NULL, NULL, NULL },
};
