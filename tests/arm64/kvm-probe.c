/* kvm-probe.c — the smallest proof that an arm64 guest under QEMU has what
 * pfbench's arm64 VMM needs: /dev/kvm, KVM_CAP_ARM_PMU_V3, a vCPU with the
 * PMUv3 feature, an in-kernel vGICv3, a PMU event filter, the PMU's
 * overflow PPI and KVM_ARM_VCPU_PMU_V3_INIT, in the order the kernel
 * requires (arch/arm64/kvm/pmu-emul.c), and EBUSY for a filter after INIT.
 * It runs no guest code: pfbench's own VMM does that. Built static for
 * aarch64 by `make arm64-probe` and run in the VM by tests/arm64/probe.sh,
 * which is how the VM chain (scripts/arm64/vm-run.sh) is tested without
 * pfbench. Prints one line per step; exit 0 when every step gave the
 * expected answer, 1 otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#define GICD_BASE 0x08000000ull /* QEMU virt's layout; any free IPA works */
#define GICR_BASE 0x080a0000ull
#define PMU_PPI 23		/* the PPI QEMU and the selftests use */
#define INST_RETIRED 0x08	/* ARMv8 common event */

static int failures;

static void step(const char *what, int ret, int want_errno)
{
	int got = ret < 0 ? errno : 0;
	int ok = got == want_errno;
	printf("kvm-probe: %-44s %s (%s%s%s)\n", what, ok ? "ok" : "FAIL",
	       got ? strerror(got) : "success", ok ? "" : ", expected ",
	       ok ? "" : (want_errno ? strerror(want_errno) : "success"));
	if (!ok)
		failures++;
}

static int dev_attr(int fd, unsigned long req, uint32_t group, uint64_t attr, void *addr)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)addr };
	return ioctl(fd, req, &a);
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	step("open /dev/kvm", kvm, 0);
	if (kvm < 0)
		return 1;
	int pmu = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PMU_V3);
	printf("kvm-probe: KVM_CAP_ARM_PMU_V3 = %d\n", pmu);
	if (pmu <= 0) {
		printf("kvm-probe: FAIL: no vPMU (KVM_CAP_ARM_PMU_V3 = %d)\n", pmu);
		return 1;
	}
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	step("KVM_CREATE_VM", vm, 0);
	if (vm < 0)
		return 1;
	struct kvm_vcpu_init init;
	step("KVM_ARM_PREFERRED_TARGET", ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init), 0);
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	step("KVM_CREATE_VCPU", vcpu, 0);
	if (vcpu < 0)
		return 1;
	init.features[0] |= (1u << KVM_ARM_VCPU_PSCI_0_2) | (1u << KVM_ARM_VCPU_PMU_V3);
	step("KVM_ARM_VCPU_INIT (PSCI 0.2, PMU_V3)", ioctl(vcpu, KVM_ARM_VCPU_INIT, &init), 0);

	struct kvm_create_device gic = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	step("KVM_CREATE_DEVICE vGICv3", ioctl(vm, KVM_CREATE_DEVICE, &gic), 0);
	uint64_t dist = GICD_BASE, redist = GICR_BASE;
	step("vGICv3 distributor address",
	     dev_attr(gic.fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
		      KVM_VGIC_V3_ADDR_TYPE_DIST, &dist), 0);
	step("vGICv3 redistributor address",
	     dev_attr(gic.fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
		      KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist), 0);

	struct kvm_pmu_event_filter allow = {
		.base_event = INST_RETIRED, .nevents = 1, .action = KVM_PMU_EVENT_ALLOW,
	};
	step("PMU_V3_FILTER allow INST_RETIRED",
	     dev_attr(vcpu, KVM_SET_DEVICE_ATTR, KVM_ARM_VCPU_PMU_V3_CTRL,
		      KVM_ARM_VCPU_PMU_V3_FILTER, &allow), 0);
	int irq = PMU_PPI;
	step("PMU_V3_IRQ (PPI 23)",
	     dev_attr(vcpu, KVM_SET_DEVICE_ATTR, KVM_ARM_VCPU_PMU_V3_CTRL,
		      KVM_ARM_VCPU_PMU_V3_IRQ, &irq), 0);
	step("vGICv3 CTRL_INIT",
	     dev_attr(gic.fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
		      KVM_DEV_ARM_VGIC_CTRL_INIT, NULL), 0);
	step("PMU_V3_INIT",
	     dev_attr(vcpu, KVM_SET_DEVICE_ATTR, KVM_ARM_VCPU_PMU_V3_CTRL,
		      KVM_ARM_VCPU_PMU_V3_INIT, NULL), 0);
	step("PMU_V3_FILTER after INIT gives EBUSY",
	     dev_attr(vcpu, KVM_SET_DEVICE_ATTR, KVM_ARM_VCPU_PMU_V3_CTRL,
		      KVM_ARM_VCPU_PMU_V3_FILTER, &allow), EBUSY);

	close(gic.fd);
	close(vcpu);
	close(vm);
	close(kvm);
	printf("kvm-probe: %s\n", failures ? "FAILED" : "all steps as expected");
	return failures ? 1 : 0;
}
