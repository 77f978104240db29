/* vm-arch.h (x86_64) — the arch parts of struct vm and struct vcpu, and
 * where the long-mode structures sit in guest memory (below 64 KiB, under
 * the mailbox; see guest-payloads/abi.h for the rest of the layout).
 * Implemented by bench/kvm/x86_64/vm-arch.c; only vm.h includes this. */
#ifndef PFBENCH_VM_ARCH_H
#define PFBENCH_VM_ARCH_H

#include <stdint.h>

#define VM_ARCH_GDT_GPA 0x1000ull  /* null, code64 (0x08), data (0x10), TSS (0x18) */
#define VM_ARCH_IDT_GPA 0x2000ull  /* 256 gates, 16 bytes each */
#define VM_ARCH_TSS_GPA 0x3000ull
#define VM_ARCH_PML4_GPA 0x4000ull
#define VM_ARCH_PDPT_GPA 0x5000ull
#define VM_ARCH_PD_GPA 0x6000ull   /* two PDs: 0x6000 (0-1 GiB), 0x7000 (1-2 GiB) */
#define VM_ARCH_MAP_BYTES (2ull << 30) /* identity mapped with 2 MiB pages */

#define VM_ARCH_SEL_CODE 0x08
#define VM_ARCH_SEL_DATA 0x10
#define VM_ARCH_SEL_TSS 0x18

/* Words for the arch-neutral run loop's messages. */
#define VCPU_ARCH_PC_NAME "rip"
#define VCPU_ARCH_SHUTDOWN_WHY "triple fault"

struct vm_arch {
	int unused;
};

struct kvm_cpuid2;

struct vcpu_arch {
	struct kvm_cpuid2 *cpuid; /* what KVM_SET_CPUID2 was given */
	unsigned vendor;          /* GUEST_VENDOR_* from leaf 0 */
	int pmu_kind;             /* enum guest_pmu_kind */
};

#endif
