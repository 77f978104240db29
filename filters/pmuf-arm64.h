/* pmuf-arm64.h — the arm64 vPMU set-up as data: the vCPU device-attribute
 * sequence KVM requires (arch/arm64/kvm/pmu-emul.c), with the arm64
 * struct kvm_pmu_event_filter of each range built from the model here and
 * nowhere else. Pure data (no KVM calls, never prints): the arm64 VMM
 * (bench/kvm/arm64/) applies the steps, tests check them on any host. */
#ifndef PFBENCH_PMUF_ARM64_H
#define PFBENCH_PMUF_ARM64_H

#include <stddef.h>
#include <stdint.h>

#include "kvm-compat.h"
#include "pmuf.h"

enum pmuf_arm_step {
	PMUF_ARM_STEP_SET_PMU,   /* KVM_ARM_VCPU_PMU_V3_SET_PMU (value: perf PMU type) */
	PMUF_ARM_STEP_FILTER,    /* KVM_ARM_VCPU_PMU_V3_FILTER (filter), on vCPU 0: VM-wide */
	PMUF_ARM_STEP_IRQ,       /* KVM_ARM_VCPU_PMU_V3_IRQ (value: the overflow PPI) */
	PMUF_ARM_STEP_VGIC_INIT, /* the vGIC's KVM_DEV_ARM_VGIC_CTRL_INIT (not a vCPU attr) */
	PMUF_ARM_STEP_INIT,      /* KVM_ARM_VCPU_PMU_V3_INIT */
};

struct pmuf_arm_attr {
	enum pmuf_arm_step step;
	unsigned vcpu;     /* which vCPU's fd (VGIC_INIT: none) */
	uint64_t attr;     /* PMUF_ARM_VCPU_PMU_V3_* in group PMUF_ARM_VCPU_PMU_V3_CTRL */
	int32_t value;     /* IRQ: PPI; SET_PMU: PMU type */
	struct pmuf_arm64_kvm_filter filter; /* FILTER */
};

/* "KVM_ARM_VCPU_PMU_V3_FILTER", …, "KVM_DEV_ARM_VGIC_CTRL_INIT". */
const char *pmuf_arm_step_name(enum pmuf_arm_step s);

/* The uAPI struct of one model range (the one place it is built). */
void pmuf_arm_kvm_filter(const struct pmuf_arm_range *r, struct pmuf_arm64_kvm_filter *out);

/* The sequence for nvcpus vCPUs: SET_PMU on each (pmu_type >= 0 only),
 * then one FILTER per range of f in installation order (f NULL or without
 * ranges: none), IRQ on each, the vGIC's CTRL_INIT, INIT on each.
 * *steps is malloc'd (caller frees). 0, -EINVAL (f invalid or not arm64,
 * irq not a PPI 16..31, nvcpus 0), -ENOMEM. */
int pmuf_arm_attr_plan(const struct pmuf_filter *f, unsigned nvcpus, int pmu_type, int irq,
		       struct pmuf_arm_attr **steps, size_t *n);

#endif
