/* kvm-sys-arch.h (x86_64) — the x86-only /dev/kvm helpers (kvm-sys.h
 * includes this): the VM-wide filter ioctl and the supported CPUID.
 * Implemented in kvm-sys-arch.c and kvm-sys-filter.c. */
#ifndef PFBENCH_KVM_SYS_ARCH_H
#define PFBENCH_KVM_SYS_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "pmuf.h"

/* KVM_SET_PMU_EVENT_FILTER with raw bytes; 0 or -errno. */
int __vm_set_pmu_filter_raw(int vm_fd, const void *buf, size_t len);
/* Same, from a model filter (pmuf_to_kvm). */
int __vm_set_pmu_filter(int vm_fd, const struct pmuf_filter *f);
struct kvm_cpuid2;
struct kvm_cpuid_entry2;
/* KVM_GET_SUPPORTED_CPUID, growing the buffer until it fits (up to 4096
 * entries). A malloc'ed kvm_cpuid2 the caller frees, or NULL with *err set
 * to -errno. */
struct kvm_cpuid2 *kvm_sys_supported_cpuid(int kvm_fd, int *err);
/* The entry for leaf fn, subleaf idx, or NULL. */
const struct kvm_cpuid_entry2 *kvm_sys_cpuid_leaf(const struct kvm_cpuid2 *c, uint32_t fn,
						  uint32_t idx);

#endif
