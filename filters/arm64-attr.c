/* arm64-attr.c — see pmuf-arm64.h. The order is the kernel's: a filter is
 * refused (EBUSY) once this vCPU's PMU is initialised or any vCPU has run,
 * SET_PMU is refused (EBUSY) once a filter exists and would change PMU, and
 * INIT needs an initialised in-kernel vGIC (ENODEV) and the IRQ set
 * (ENXIO). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pmuf-arm64.h"

const char *pmuf_arm_step_name(enum pmuf_arm_step s)
{
	switch (s) {
	case PMUF_ARM_STEP_SET_PMU:
		return "KVM_ARM_VCPU_PMU_V3_SET_PMU";
	case PMUF_ARM_STEP_FILTER:
		return "KVM_ARM_VCPU_PMU_V3_FILTER";
	case PMUF_ARM_STEP_IRQ:
		return "KVM_ARM_VCPU_PMU_V3_IRQ";
	case PMUF_ARM_STEP_VGIC_INIT:
		return "KVM_DEV_ARM_VGIC_CTRL_INIT";
	case PMUF_ARM_STEP_INIT:
		return "KVM_ARM_VCPU_PMU_V3_INIT";
	}
	return "?";
}

void pmuf_arm_kvm_filter(const struct pmuf_arm_range *r, struct pmuf_arm64_kvm_filter *out)
{
	memset(out, 0, sizeof(*out));
	out->base_event = (uint16_t)r->base;
	out->nevents = (uint16_t)r->nevents;
	out->action = r->action == PMUF_ALLOW ? KVM_PMU_EVENT_ALLOW : KVM_PMU_EVENT_DENY;
}

int pmuf_arm_attr_plan(const struct pmuf_filter *f, unsigned nvcpus, int pmu_type, int irq,
		       struct pmuf_arm_attr **steps, size_t *n)
{
	*steps = NULL;
	*n = 0;
	if (!nvcpus || irq < 16 || irq > 31)
		return -EINVAL;
	size_t nr = f ? f->nranges : 0;
	if (f) {
		if (f->arch != PMUF_ARCH_ARM64)
			return -EINVAL;
		struct pmuf_verdict v;
		int err = pmuf_validate(f, PMUF_FLAVOR_UNSET, &v);
		pmuf_verdict_free(&v);
		if (err)
			return err;
	}
	size_t max = (pmu_type >= 0 ? nvcpus : 0) + nr + 2 * (size_t)nvcpus + 1;
	struct pmuf_arm_attr *s = calloc(max, sizeof(*s));
	if (!s)
		return -ENOMEM;
	size_t k = 0;
	for (unsigned c = 0; pmu_type >= 0 && c < nvcpus; c++)
		s[k++] = (struct pmuf_arm_attr){ .step = PMUF_ARM_STEP_SET_PMU, .vcpu = c,
						 .attr = PMUF_ARM_VCPU_PMU_V3_SET_PMU, .value = pmu_type };
	for (size_t i = 0; i < nr; i++) {
		s[k] = (struct pmuf_arm_attr){ .step = PMUF_ARM_STEP_FILTER, .vcpu = 0,
					       .attr = PMUF_ARM_VCPU_PMU_V3_FILTER };
		pmuf_arm_kvm_filter(&f->ranges[i], &s[k].filter);
		k++;
	}
	for (unsigned c = 0; c < nvcpus; c++)
		s[k++] = (struct pmuf_arm_attr){ .step = PMUF_ARM_STEP_IRQ, .vcpu = c,
						 .attr = PMUF_ARM_VCPU_PMU_V3_IRQ, .value = irq };
	s[k++] = (struct pmuf_arm_attr){ .step = PMUF_ARM_STEP_VGIC_INIT };
	for (unsigned c = 0; c < nvcpus; c++)
		s[k++] = (struct pmuf_arm_attr){ .step = PMUF_ARM_STEP_INIT, .vcpu = c,
						 .attr = PMUF_ARM_VCPU_PMU_V3_INIT };
	*steps = s;
	*n = k;
	return 0;
}
