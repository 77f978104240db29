/* processor.h (guest, arm64) — inline CPU primitives for payloads: system
 * register access, the generic timer read the way tsc.h does it on the
 * host (isb; mrs cntvct_el0), MMIO stores, a workload of a known
 * instruction count, and `_safe` forms that return the exception class
 * (0 = none) instead of faulting, so a payload survives an UNDEF from an
 * absent PMU. Freestanding; no libc.
 *
 * Safe forms set guest_fixup_pc to the access's continuation; the
 * exception handler (exception.c) logs the fault, stores the class in
 * guest_fixup_vector and resumes there. */
#ifndef PFBENCH_GUEST_PROCESSOR_H
#define PFBENCH_GUEST_PROCESSOR_H

#include <stdint.h>

/* ESR_EL1.EC 0 ("unknown reason", e.g. an UNDEF sysreg) as a non-zero code. */
#define GUEST_ARM_EC_UNKNOWN 0x40u
#define GUEST_ARM_EC_SYSREG 0x18u /* trapped MSR/MRS */

extern volatile uint64_t guest_fixup_pc;
extern volatile uint32_t guest_fixup_vector;

#define read_sysreg(r)                                                  \
	({                                                              \
		uint64_t v_;                                            \
		__asm__ volatile("mrs %0, " #r : "=r"(v_)::"memory");   \
		v_;                                                     \
	})
#define write_sysreg(r, v)                                                          \
	do {                                                                        \
		__asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory"); \
	} while (0)

/* 0, or the exception class the write raised. */
#define write_sysreg_safe(r, v)                                                      \
	({                                                                           \
		guest_fixup_vector = 0;                                              \
		__asm__ volatile("adr x16, 1f\n\tstr x16, [%1]\n\tmsr " #r ", %0\n"  \
				 "1:\n\tstr xzr, [%1]"                              \
				 ::"r"((uint64_t)(v)), "r"(&guest_fixup_pc)          \
				 : "x16", "memory");                                 \
		guest_fixup_vector;                                                  \
	})
/* *out = the register (0 when the read faulted); 0 or the exception class. */
#define read_sysreg_safe(r, out)                                                     \
	({                                                                           \
		uint64_t v_;                                                         \
		guest_fixup_vector = 0;                                              \
		__asm__ volatile("mov %0, xzr\n\tadr x16, 1f\n\tstr x16, [%1]\n\t"   \
				 "mrs %0, " #r "\n1:\n\tstr xzr, [%1]"               \
				 : "=&r"(v_) : "r"(&guest_fixup_pc) : "x16", "memory"); \
		*(out) = v_;                                                         \
		guest_fixup_vector;                                                  \
	})

static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }

/* The generic timer as the host's tsc.h reads it: isb; mrs cntvct_el0. */
static inline uint64_t guest_tsc_start(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}
static inline uint64_t guest_tsc_stop(void) { return guest_tsc_start(); }

/* One 32-bit store with a plain register address (ISV=1, so KVM can hand
 * it to userspace as KVM_EXIT_MMIO). */
static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(addr) : "memory");
}

/* Exactly 2 * loops instructions retire: subs + b.ne per iteration. */
static inline void guest_workload(uint64_t loops)
{
	__asm__ volatile("1:\n\tsubs %0, %0, #1\n\tb.ne 1b" : "+r"(loops)::"cc", "memory");
}

#endif
