/* vpmu.c (arm64) — applies the vPMU attribute sequence that
 * filters/pmuf-arm64.h builds as data: SET_PMU where the kernel has it
 * (KVM_HAS_DEVICE_ATTR), the filter ranges, the overflow PPI, the vGIC's
 * init, then KVM_ARM_VCPU_PMU_V3_INIT on every vCPU. The first refusal
 * stops it and is kept by name (e.g. "KVM_ARM_VCPU_PMU_V3_INIT on vCPU 0:
 * ENXIO"); pmuf_errno_name gives EBUSY/EINVAL/ENODEV/ENXIO their names. */
#include "vm.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "pmuf-arm64.h"

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static int vcpu_attr(int fd, unsigned long req, uint64_t attr, void *addr)
{
	struct kvm_device_attr a = { .group = KVM_ARM_VCPU_PMU_V3_CTRL, .attr = attr,
				     .addr = (uint64_t)(uintptr_t)addr };
	return ioctl(fd, req, &a) < 0 ? neg_errno() : 0;
}

int vm_arm_pmu_type(void)
{
	DIR *d = opendir("/sys/bus/event_source/devices");
	if (!d)
		return -ENOENT;
	int type = -ENOENT, found = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		/* arm PMU drivers name their PMUs armv8_<core> (armv8_pmuv3_0, armv8_cortex_a72). */
		if (strncmp(e->d_name, "armv8_", 6))
			continue;
		char path[512];
		snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/type", e->d_name);
		FILE *f = fopen(path, "re");
		int t;
		if (f && fscanf(f, "%d", &t) == 1) {
			type = t;
			found++;
		}
		if (f)
			fclose(f);
	}
	closedir(d);
	return found == 1 ? type : -ENOENT;
}

static int apply(struct vm *vm, const struct pmuf_arm_attr *s)
{
	if (s->step == PMUF_ARM_STEP_VGIC_INIT) {
		struct kvm_device_attr a = { .group = KVM_DEV_ARM_VGIC_GRP_CTRL,
					     .attr = KVM_DEV_ARM_VGIC_CTRL_INIT };
		return ioctl(vm->arch.gic_fd, KVM_SET_DEVICE_ATTR, &a) < 0 ? neg_errno() : 0;
	}
	struct vcpu *v = s->vcpu < VM_MAX_VCPUS ? vm->vcpus[s->vcpu] : NULL;
	if (!v)
		return -EINVAL;
	int val = s->value;
	struct pmuf_arm64_kvm_filter flt = s->filter;
	switch (s->step) {
	case PMUF_ARM_STEP_FILTER:
		return vcpu_attr(v->fd, KVM_SET_DEVICE_ATTR, s->attr, &flt);
	case PMUF_ARM_STEP_INIT:
		return vcpu_attr(v->fd, KVM_SET_DEVICE_ATTR, s->attr, NULL);
	default:
		return vcpu_attr(v->fd, KVM_SET_DEVICE_ATTR, s->attr, &val);
	}
}

int __vm_arm_pmu_setup(struct vm *vm, const struct pmuf_filter *f)
{
	return __vm_arm_pmu_setup_n(vm, f, vm->nvcpus);
}

int __vm_arm_pmu_setup_n(struct vm *vm, const struct pmuf_filter *f, unsigned nvcpus)
{
	if (vm->arch.pmu_done)
		return -EALREADY;
	if (!vm->nvcpus || !vm->vcpus[0] || !vm->vcpus[0]->arch.pmu) {
		/* No vPMU to set up: the guest runs without one. */
		vm->arch.pmu_done = true;
		if (f && f->nranges) {
			snprintf(vm->arch.pmu_why, sizeof(vm->arch.pmu_why),
				 "KVM_ARM_VCPU_PMU_V3_FILTER: no vPMU (%s)",
				 !vm->arch.pmu_cap ? "no KVM_CAP_ARM_PMU_V3" : "no in-kernel vGICv3");
			return vm->arch.pmu_err = -ENODEV;
		}
		return 0;
	}
	int pmu_type = -1;
	if (!vcpu_attr(vm->vcpus[0]->fd, KVM_HAS_DEVICE_ATTR, KVM_ARM_VCPU_PMU_V3_SET_PMU, NULL)) {
		int t = vm_arm_pmu_type();
		pmu_type = t >= 0 ? t : -1;
	}
	struct pmuf_arm_attr *steps;
	size_t n;
	int err = pmuf_arm_attr_plan(f, nvcpus, pmu_type, VM_ARCH_PMU_PPI, &steps, &n);
	if (err) {
		snprintf(vm->arch.pmu_why, sizeof(vm->arch.pmu_why), "the filter is invalid: %s",
			 pmuf_errno_name(err));
		return vm->arch.pmu_err = err;
	}
	for (size_t i = 0; i < n && !err; i++) {
		err = apply(vm, &steps[i]);
		if (err)
			snprintf(vm->arch.pmu_why, sizeof(vm->arch.pmu_why), "%s on vCPU %u: %s",
				 pmuf_arm_step_name(steps[i].step), steps[i].vcpu, pmuf_errno_name(err));
	}
	free(steps);
	vm->arch.pmu_done = true;
	return vm->arch.pmu_err = err;
}

int __vcpu_arm_pmu_attr(struct vm *vm, unsigned idx, uint64_t attr, void *arg)
{
	struct vcpu *v = idx < VM_MAX_VCPUS ? vm->vcpus[idx] : NULL;
	if (!v)
		return -EINVAL;
	return vcpu_attr(v->fd, KVM_SET_DEVICE_ATTR, attr, arg);
}

int __vm_arm_vgic_init(struct vm *vm)
{
	if (vm->arch.gic_fd < 0)
		return -ENODEV;
	struct pmuf_arm_attr s = { .step = PMUF_ARM_STEP_VGIC_INIT };
	return apply(vm, &s);
}
