/* abi-arch.h (x86_64) — the x86 part of the host/guest ABI (abi.h includes
 * it): the port-I/O doorbells, the exiting instructions of the "baseline"
 * payload, the guest's CPUID vendor and the event-select MSR families of
 * the "pmu" payload. Only <stdint.h>-level C. */
#ifndef PFBENCH_GUEST_ABI_ARCH_H
#define PFBENCH_GUEST_ABI_ARCH_H

/* Doorbells (port I/O). */
#define GUEST_PORT_UCALL 0x1000u /* ucall: the host reads mailbox.ucall */
#define GUEST_PORT_BENCH 0x1001u /* baseline: a port write the host just resumes */

#define GUEST_VENDOR_INTEL 1u
#define GUEST_VENDOR_AMD 2u

#ifndef __ASSEMBLER__
/* Baseline commands (mailbox.cmd 2..15; abi.h has the neutral ones). */
enum guest_arch_cmd {
	GUEST_CMD_CPUID = 2,   /* param: leaf */
	GUEST_CMD_RDMSR = 3,   /* param: msr */
	GUEST_CMD_WRMSR = 4,   /* param: msr, writes values[0] */
	GUEST_CMD_VMCALL = 5,  /* VMCALL or VMMCALL by guest CPUID vendor */
	GUEST_CMD_PIO = 6,     /* out to GUEST_PORT_BENCH: a userspace exit */
};

/* Which event-select MSRs the PMU payload drives (host picks, from guest CPUID). */
enum guest_pmu_kind {
	GUEST_PMU_NONE = 0,
	GUEST_PMU_INTEL = 1,    /* IA32_PERFEVTSELx 0x186+i, IA32_PMCx 0xC1+i */
	GUEST_PMU_AMD_CORE = 2, /* PERF_CTLx 0xC0010200+2i, PERF_CTRx +1 */
	GUEST_PMU_AMD_K7 = 3,   /* EVNTSELx 0xC0010000+i, PERFCTRx 0xC0010004+i */
};
#endif

#endif
