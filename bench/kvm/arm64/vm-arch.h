/* vm-arch.h (arm64) — the arm64 parts of struct vm and struct vcpu: the
 * in-kernel vGICv3 (the vPMU needs an interrupt controller; its frames sit
 * above guest RAM, below GUEST_MMIO_GPA), the vCPU's KVM_ARM_VCPU_INIT
 * features, and the vPMU set-up state. Implemented by
 * bench/kvm/arm64/vm-arch.c and vpmu.c; only vm.h includes this. */
#ifndef PFBENCH_VM_ARCH_H
#define PFBENCH_VM_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VM_ARCH_GICD_GPA 0x08000000ull /* distributor, 64 KiB */
#define VM_ARCH_GICR_GPA 0x080a0000ull /* redistributors, 128 KiB per vCPU */
#define VM_ARCH_PMU_PPI 23             /* the overflow interrupt (the selftests' and QEMU's) */

/* Words for the arch-neutral run loop's messages. */
#define VCPU_ARCH_PC_NAME "pc"
#define VCPU_ARCH_SHUTDOWN_WHY "shutdown"

struct vm_arch {
	int gic_fd;            /* the vGICv3 device, -1 if it could not be made */
	int gic_err;           /* -errno of its creation */
	bool pmu_cap;          /* KVM_CAP_ARM_PMU_V3 */
	bool pmu_done;         /* the vPMU attribute sequence was applied */
	int pmu_err;           /* -errno of the step that failed, 0 */
	char pmu_why[160];     /* which step, which errno name */
	uint64_t vectors;      /* VBAR_EL1 for vCPU resets (the image's "vectors") */
};

struct vcpu_arch {
	bool pmu;              /* vCPU initialised with KVM_ARM_VCPU_PMU_V3 */
};

struct vm;
struct pmuf_filter;
/* The vPMU attribute sequence (filters/pmuf-arm64.h) for every vCPU, with
 * filter f (NULL: none): SET_PMU where the kernel has it, FILTER per range,
 * IRQ, vGIC init, INIT. Once per VM; __vm_load calls it with NULL if no
 * one did. 0 or -errno, vm->arch.pmu_why naming the step and errno
 * ("KVM_ARM_VCPU_PMU_V3_FILTER: EBUSY"). */
int __vm_arm_pmu_setup(struct vm *vm, const struct pmuf_filter *f);
/* The same for vCPUs 0..nvcpus-1 only (the rest keep an uninitialised PMU
 * and must not run). */
int __vm_arm_pmu_setup_n(struct vm *vm, const struct pmuf_filter *f, unsigned nvcpus);
/* Single steps outside the sequence, for `pfbench check`: one vCPU PMU
 * attribute (KVM_ARM_VCPU_PMU_V3_*; arg as the kernel reads it) and the
 * vGIC's CTRL_INIT. 0 or -errno. */
int __vcpu_arm_pmu_attr(struct vm *vm, unsigned idx, uint64_t attr, void *arg);
int __vm_arm_vgic_init(struct vm *vm);
/* The perf PMU type for SET_PMU (the one arm PMU in
 * /sys/bus/event_source/devices), -ENOENT if none or several. */
int vm_arm_pmu_type(void);
/* Event space bits of this vCPU's PMU (10 or 16) from ID_AA64DFR0_EL1.PMUVer. */
int vcpu_arm_event_bits(const struct vm *vm, unsigned idx);

#endif
