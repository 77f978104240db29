/* kvm-sys.h — thin /dev/kvm helpers shared by info, check, install and the
 * VMM: open, capabilities, a bare VM, the filter ioctl, flavor probe,
 * module parameters, the vPMU from KVM_GET_SUPPORTED_CPUID.
 * `__` forms return -errno; none prints or exits. */
#ifndef PFBENCH_KVM_SYS_H
#define PFBENCH_KVM_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pmuf.h"

/* fd of /dev/kvm or -errno (with the API version checked). */
int kvm_sys_open(void);
/* KVM_CHECK_EXTENSION on fd (/dev/kvm or a VM); value or -errno. */
int kvm_sys_check_cap(int fd, long cap);
/* A new VM fd (no memory, no vCPUs) or -errno. */
int kvm_sys_create_vm(int kvm_fd);
/* KVM_SET_PMU_EVENT_FILTER with raw bytes; 0 or -errno. */
int __vm_set_pmu_filter_raw(int vm_fd, const void *buf, size_t len);
/* Same, from a model filter (pmuf_to_kvm). */
int __vm_set_pmu_filter(int vm_fd, const struct pmuf_filter *f);
/* The flavor KVM validates with: a masked entry with bit 32 set is EINVAL
 * on the 8-bit (Intel) flavor, accepted on the 12-bit (AMD) one.
 * 0 and *fl set, or -errno (no /dev/kvm, no masked-events cap). */
int kvm_sys_probe_flavor(enum pmuf_flavor *fl);
/* /sys/module/kvm/parameters/<name> into buf; 0 or -errno. */
int kvm_sys_param(const char *name, char *buf, size_t len);

struct kvm_cpuid2;
struct kvm_cpuid_entry2;
/* KVM_GET_SUPPORTED_CPUID, growing the buffer until it fits (up to 4096
 * entries). A malloc'ed kvm_cpuid2 the caller frees, or NULL with *err set
 * to -errno. */
struct kvm_cpuid2 *kvm_sys_supported_cpuid(int kvm_fd, int *err);
/* The entry for leaf fn, subleaf idx, or NULL. */
const struct kvm_cpuid_entry2 *kvm_sys_cpuid_leaf(const struct kvm_cpuid2 *c, uint32_t fn,
						  uint32_t idx);

struct kvm_vpmu_info {
	bool present;        /* CPUID.0xA (Intel) or 0x80000022 (AMD) reports counters */
	unsigned version, gp_counters, gp_width, fixed_counters, fixed_width;
	char why[128];       /* when !present */
};
int kvm_sys_vpmu(int kvm_fd, struct kvm_vpmu_info *v);

/* hostinfo.h's "kvm" object (usable, api_version, caps, flavor, enable_pmu,
 * mediated_pmu, vpmu), adding what is missing to missing; *probed gets
 * KVM's filter flavor, UNSET when it cannot be probed. The hostinfo_kvm_fn
 * pfbench hands to hostinfo_set_kvm() (kvm-hostinfo.c). New reference. */
json_t *kvm_host_json(json_t *missing, enum pmuf_flavor *probed);

#endif
