/* kvm-sys-arch.h (arm64) — arm64 adds no /dev/kvm helpers to kvm-sys.h:
 * its filter is a vCPU device attribute, applied by the VMM
 * (bench/kvm/arm64/vm-arch.h, vpmu.c). */
#ifndef PFBENCH_KVM_SYS_ARCH_H
#define PFBENCH_KVM_SYS_ARCH_H
#endif
