/* payloads.c (x86_64) — the table of guest payloads embedded by
 * guest-payloads/payloads.mk (blob.S symbols pfbench_payload_<name>_*). */
#include "vm.h"

/* The blob symbols, and a table row naming them (the rows are written in
 * the array itself: ISO C has no constant initializer from another
 * object, which clang enforces). */
#define PAYLOAD_SYMS(nm) \
	extern const uint8_t pfbench_payload_##nm##_start[], pfbench_payload_##nm##_end[]
#define PAYLOAD(nm, d) { #nm, d, pfbench_payload_##nm##_start, pfbench_payload_##nm##_end }

PAYLOAD_SYMS(baseline);
PAYLOAD_SYMS(pmu);
PAYLOAD_SYMS(selftest);
PAYLOAD_SYMS(hold);

const struct vm_payload vm_payloads[] = {
	PAYLOAD(baseline, "plain exits: CPUID, RDMSR/WRMSR, VMCALL/VMMCALL, port write; per-exit or amortized"),
	PAYLOAD(pmu, "event-select reprogramming (timed WRMSR) and counting checks"),
	PAYLOAD(selftest, "misbehaving guests for the harness's own tests"),
	PAYLOAD(hold, "stays in the guest without exits until the host says stop (install under a running vCPU)"),
	{ NULL, NULL, NULL, NULL },
};
