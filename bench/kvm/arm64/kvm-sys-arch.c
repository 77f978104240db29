/* kvm-sys-arch.c (arm64) — the arm64 half of kvm-sys.h: there is no filter
 * flavor, and the vPMU a guest would get is KVM_CAP_ARM_PMU_V3 plus a
 * scratch vCPU initialised with PMUv3, whose PMCR_EL0.N (event counters)
 * and ID_AA64DFR0_EL1.PMUVer KVM reports. */
#include "kvm-sys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

int kvm_sys_probe_flavor(enum pmuf_flavor *fl)
{
	(void)fl;
	return -EOPNOTSUPP; /* the arm64 filter has no event-select flavors */
}

static int get_reg(int fd, uint64_t id, uint64_t *v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)v };
	return ioctl(fd, KVM_GET_ONE_REG, &r) < 0 ? -errno : 0;
}

int kvm_sys_vpmu(int kvm_fd, struct kvm_vpmu_info *v)
{
	memset(v, 0, sizeof(*v));
	int cap = kvm_sys_check_cap(kvm_fd, KVM_CAP_ARM_PMU_V3);
	if (cap <= 0) {
		snprintf(v->why, sizeof(v->why), "KVM reports no vPMU (KVM_CAP_ARM_PMU_V3 = %d)", cap);
		return 0;
	}
	int vm = kvm_sys_create_vm(kvm_fd);
	if (vm < 0) {
		snprintf(v->why, sizeof(v->why), "KVM_CREATE_VM: %s", strerror(-vm));
		return vm;
	}
	int err = 0, vcpu = -1;
	struct kvm_vcpu_init init;
	memset(&init, 0, sizeof(init));
	if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0 ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0) {
		err = -errno;
		snprintf(v->why, sizeof(v->why), "a scratch vCPU: %s", strerror(-err));
		goto out;
	}
	init.features[0] |= 1u << KVM_ARM_VCPU_PMU_V3;
	if (ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0) {
		snprintf(v->why, sizeof(v->why), "KVM_ARM_VCPU_INIT with PMU_V3: %s", strerror(errno));
		goto out;
	}
	uint64_t pmcr = 0, dfr0 = 0;
	if (get_reg(vcpu, ARM64_SYS_REG(3, 3, 9, 12, 0), &pmcr) == 0)
		v->gp_counters = (unsigned)(pmcr >> 11) & 0x1f; /* PMCR_EL0.N */
	if (get_reg(vcpu, ARM64_SYS_REG(3, 0, 0, 5, 0), &dfr0) == 0)
		v->version = (unsigned)(dfr0 >> 8) & 0xf; /* PMUVer */
	v->gp_width = v->version >= 6 && v->version != 0xf ? 64 : 32; /* 64-bit from PMUv3p5 */
	v->fixed_counters = 1; /* the cycle counter */
	v->fixed_width = 64;
	v->present = true;
out:
	if (vcpu >= 0)
		close(vcpu);
	close(vm);
	return err;
}

/* The arm64 filter is a PMUv3 vCPU attribute (KVM_ARM_VCPU_PMU_V3_FILTER,
 * since 5.10): KVM_CAP_ARM_PMU_V3 is what it needs; the attribute itself
 * is asked per vCPU (KVM_HAS_DEVICE_ATTR) by the vPMU probe and check. */
const struct kvm_cap_row kvm_arch_caps[] = {
	{ "arm_pmu_v3", "ARM_PMU_V3", KVM_CAP_ARM_PMU_V3,
	  "no vCPU gets a PMUv3, so there is no KVM_ARM_VCPU_PMU_V3_FILTER: install, "
	  "exit-under-filter and check cannot run", false },
	{ "binary_stats_fd", "BINARY_STATS_FD", KVM_CAP_BINARY_STATS_FD,
	  "exit counts cannot be read from KVM's binary stats", false },
};
const size_t kvm_arch_ncaps = sizeof(kvm_arch_caps) / sizeof(kvm_arch_caps[0]);

int __vm_set_pmu_filter(int vm_fd, const struct pmuf_filter *f)
{
	(void)vm_fd;
	(void)f;
	return -EOPNOTSUPP;
}
