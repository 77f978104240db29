/* abi-arch.h (arm64) — the arm64 part of the host/guest ABI (abi.h
 * includes it): the MMIO doorbells (the selftests' ucall way: a store to
 * an unbacked page), the exiting instructions of the "baseline" payload,
 * the PMU register family and what the guest reports in arch_out[].
 * Only <stdint.h>-level C. */
#ifndef PFBENCH_GUEST_ABI_ARCH_H
#define PFBENCH_GUEST_ABI_ARCH_H

/* Doorbells: 32-bit stores to unbacked guest physical addresses. */
#define GUEST_MMIO_UCALL (GUEST_MMIO_GPA + 0x0) /* ucall: the host reads mailbox.ucall */
#define GUEST_MMIO_BENCH (GUEST_MMIO_GPA + 0x8) /* baseline: an MMIO write the host just resumes */
/* An exception taken with sp outside the stack (start.S): the vector
 * index is the value; the host reports it as an unexpected MMIO write. */
#define GUEST_MMIO_BAD_STACK (GUEST_MMIO_GPA + 0x10)

/* arch_out[]: what the PMU payload read (VERIFY). */
#define GUEST_ARM_OUT_PMCEID0 0 /* PMCEID0_EL0 as the guest reads it */
#define GUEST_ARM_OUT_PMCEID1 1 /* PMCEID1_EL0 */
#define GUEST_ARM_OUT_PMCR 2    /* PMCR_EL0 (N: bits 15:11) */
#define GUEST_ARM_OUT_DFR0 3    /* ID_AA64DFR0_EL1 (PMUVer: bits 11:8) */

/* Events the payloads and checks use (ARMv8 common events). */
#define GUEST_ARM_EV_SW_INCR 0x00
#define GUEST_ARM_EV_INST_RETIRED 0x08
#define GUEST_ARM_EV_CPU_CYCLES 0x11

/* REPROGRAM (the arm64 "pmu" payload): time only the writes of values[0];
 * before each, values[1..nvalues-1] are written untimed. Every timed write
 * then changes PMEVTYPER0_EL0 from the same value: one population of
 * samples. (Cycling the timed writes through two values gave two
 * populations a few instructions apart under QEMU's -icount, and the
 * median of such a mix flips between runs.) */
#define GUEST_F_ARM_TIME_FIRST (1u << 8)

#ifndef __ASSEMBLER__
/* Baseline commands (mailbox.cmd 2..15; abi.h has the neutral ones). */
enum guest_arch_cmd {
	GUEST_CMD_HVC = 2,    /* HVC #0, x0 = SMCCC_VERSION: answered inside KVM */
	GUEST_CMD_MMIO = 3,   /* a store to GUEST_MMIO_BENCH: a userspace exit */
	GUEST_CMD_SYSREG = 4, /* MRS ID_AA64DFR0_EL1: trapped (HCR_EL2.TID3), emulated in KVM */
};

/* The PMU registers the "pmu" payload drives. */
enum guest_pmu_kind {
	GUEST_PMU_NONE = 0,
	GUEST_PMU_PMUV3 = 1, /* PMEVTYPER<n>_EL0 / PMEVCNTR<n>_EL0, PMCCNTR_EL0 */
};
#endif

#endif
