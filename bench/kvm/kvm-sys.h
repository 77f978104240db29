/* kvm-sys.h — thin /dev/kvm helpers shared by info, check, install and the
 * VMM: open, capabilities, a bare VM, module parameters (kvm-sys.c), and
 * per arch (<arch>/kvm-sys-arch.c, declared in the same-named
 * kvm-sys-arch.h included below) the flavor probe and the vPMU a guest
 * would get, plus the arch's filter ioctls.
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
/* The flavor KVM validates with: a masked entry with bit 32 set is EINVAL
 * on the 8-bit (Intel) flavor, accepted on the 12-bit (AMD) one.
 * 0 and *fl set, or -errno (no /dev/kvm, no masked-events cap; arm64:
 * -EOPNOTSUPP, its filter has no flavors). Per arch. */
int kvm_sys_probe_flavor(enum pmuf_flavor *fl);
/* /sys/module/kvm/parameters/<name> into buf; 0 or -errno. */
int kvm_sys_param(const char *name, char *buf, size_t len);

/* The vPMU KVM would give a guest (per arch: x86 from
 * KVM_GET_SUPPORTED_CPUID, arm64 from KVM_CAP_ARM_PMU_V3 and the PMUv3 of
 * a scratch vCPU). */
struct kvm_vpmu_info {
	bool present;        /* x86: CPUID.0xA (Intel) or 0x80000022 (AMD) reports counters */
	unsigned version, gp_counters, gp_width, fixed_counters, fixed_width;
	char why[128];       /* when !present */
};
int kvm_sys_vpmu(int kvm_fd, struct kvm_vpmu_info *v);

/* The KVM capabilities `pfbench info` reports, per arch (<arch>/
 * kvm-sys-arch.c): the caps object's key, the name after KVM_CAP_, the
 * number, what a host without it cannot do, and whether enable_pmu=N
 * already explains a 0 (then it is not listed as missing). */
struct kvm_cap_row {
	const char *key, *uname;
	long cap;
	const char *disables;
	bool implied_by_pmu_off;
};
extern const struct kvm_cap_row kvm_arch_caps[];
extern const size_t kvm_arch_ncaps;

/* hostinfo.h's "kvm" object (usable, api_version, caps, flavor, enable_pmu,
 * mediated_pmu, vpmu), adding what is missing to missing; *probed gets
 * KVM's filter flavor, UNSET when it cannot be probed. The hostinfo_kvm_fn
 * pfbench hands to hostinfo_set_kvm() (kvm-hostinfo.c). New reference. */
json_t *kvm_host_json(json_t *missing, enum pmuf_flavor *probed);

#include "kvm-sys-arch.h"

#endif
