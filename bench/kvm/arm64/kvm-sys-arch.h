/* kvm-sys-arch.h (arm64) — arm64's filter is a vCPU device attribute,
 * applied by the VMM (bench/kvm/arm64/vm-arch.h, vpmu.c), so the VM-wide
 * x86 ioctl below only says it does not exist here. */
#ifndef PFBENCH_KVM_SYS_ARCH_H
#define PFBENCH_KVM_SYS_ARCH_H

struct pmuf_filter;

/* x86's KVM_SET_PMU_EVENT_FILTER: -EOPNOTSUPP on arm64, always. */
int __vm_set_pmu_filter(int vm_fd, const struct pmuf_filter *f);

#endif
