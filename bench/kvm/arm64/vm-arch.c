/* vm-arch.c (arm64) — the arch hooks of vm.h: an in-kernel vGICv3 per VM
 * (distributor and redistributor frames set at creation, initialised with
 * the vPMU in vpmu.c), vCPUs from KVM_ARM_PREFERRED_TARGET with PSCI 0.2
 * and, when KVM has it, PMUv3; register reset to the payload entry at EL1h
 * with interrupts masked, VBAR_EL1 at the image's vector table; the MMIO
 * doorbells. The guest runs with its MMU off (identity, Device memory). */
#include "vm.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "kvm-sys.h"

#define PSTATE_EL1H_DAIF 0x3c5ull /* M = EL1h, D, A, I, F masked */
#define CORE_REG(x) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offsetof(struct kvm_regs, x) / 4))
#define REG_VBAR_EL1 ARM64_SYS_REG(3, 0, 12, 0, 0)
#define REG_ID_AA64DFR0_EL1 ARM64_SYS_REG(3, 0, 0, 5, 0)

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static int set_reg(int fd, uint64_t id, uint64_t v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&v };
	return ioctl(fd, KVM_SET_ONE_REG, &r) < 0 ? neg_errno() : 0;
}

static int get_reg(int fd, uint64_t id, uint64_t *v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)v };
	return ioctl(fd, KVM_GET_ONE_REG, &r) < 0 ? neg_errno() : 0;
}

static int gic_addr(int fd, uint64_t type, uint64_t gpa)
{
	struct kvm_device_attr a = { .group = KVM_DEV_ARM_VGIC_GRP_ADDR, .attr = type,
				     .addr = (uint64_t)(uintptr_t)&gpa };
	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a) < 0 ? neg_errno() : 0;
}

int vm_arch_init(struct vm *vm)
{
	vm->arch.gic_fd = -1;
	vm->arch.pmu_cap = kvm_sys_check_cap(vm->kvm_fd, KVM_CAP_ARM_PMU_V3) > 0;
	struct kvm_create_device d = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	if (ioctl(vm->fd, KVM_CREATE_DEVICE, &d) < 0) {
		/* No vGICv3 (e.g. a GICv2 host): the VM still runs, without a vPMU. */
		vm->arch.gic_err = neg_errno();
		return 0;
	}
	vm->arch.gic_fd = (int)d.fd;
	int err = gic_addr(vm->arch.gic_fd, KVM_VGIC_V3_ADDR_TYPE_DIST, VM_ARCH_GICD_GPA);
	if (!err)
		err = gic_addr(vm->arch.gic_fd, KVM_VGIC_V3_ADDR_TYPE_REDIST, VM_ARCH_GICR_GPA);
	if (err) {
		close(vm->arch.gic_fd);
		vm->arch.gic_fd = -1;
		vm->arch.gic_err = err;
	}
	return 0;
}

void vm_arch_free(struct vm *vm)
{
	if (vm->arch.gic_fd >= 0)
		close(vm->arch.gic_fd);
	vm->arch.gic_fd = -1;
}

int vcpu_arch_init(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_vcpu_init init;
	memset(&init, 0, sizeof(init));
	if (ioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		return neg_errno();
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	/* PMUv3 needs the in-kernel vGIC for its overflow interrupt. */
	v->arch.pmu = vm->arch.pmu_cap && vm->arch.gic_fd >= 0;
	if (v->arch.pmu)
		init.features[0] |= 1u << KVM_ARM_VCPU_PMU_V3;
	if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		return neg_errno();
	return 0;
}

void vcpu_arch_free(struct vcpu *v)
{
	(void)v;
}

int vm_arch_load(struct vm *vm, const struct guest_image_hdr *h)
{
	if (h->vectors % 2048)
		return -ENOEXEC; /* VBAR_EL1 is 2 KiB aligned */
	vm->arch.vectors = h->vectors;
	if (!vm->arch.pmu_done && !vm->arch.pmu_err)
		return __vm_arm_pmu_setup(vm, NULL);
	return vm->arch.pmu_err;
}

/* KVM arm64 finishes a KVM_EXIT_MMIO at the start of the next KVM_RUN:
 * it steps the PC past the guest's load or store (and fills the register
 * of a load) before it looks at immediate_exit or runs anything. A reset
 * that sets PC while an MMIO exit is pending (every payload ends with its
 * DONE doorbell, an MMIO store) therefore has the entry's first
 * instruction skipped: _start's `ldr x0, =GUEST_STACK_TOP` was, sp became
 * the doorbell's x0 (0), and the first push faulted into an exception loop
 * on an unmapped stack (docs/methodology.md, "The arm64 runs under QEMU").
 * KVM_RUN with immediate_exit completes the access and returns EINTR
 * without entering the guest, the PC step committed (the KVM API's way
 * to complete a pending operation). Only after an MMIO exit: a vCPU that
 * never ran must not run its first-run set-up here. */
static int complete_pending_mmio(struct vcpu *v)
{
	if (v->run->exit_reason != KVM_EXIT_MMIO)
		return 0;
	v->run->immediate_exit = 1;
	int rc = ioctl(v->fd, KVM_RUN, NULL), e = errno;
	v->run->immediate_exit = 0;
	if (rc < 0 && e != EINTR)
		return -e;
	v->run->exit_reason = KVM_EXIT_INTR; /* completed: nothing left pending */
	return 0;
}

int vcpu_arch_reset(struct vcpu *v, uint64_t entry)
{
	int err = complete_pending_mmio(v);
	if (!err)
		err = set_reg(v->fd, CORE_REG(regs.pc), entry);
	if (!err)
		err = set_reg(v->fd, CORE_REG(sp_el1), GUEST_STACK_TOP);
	if (!err)
		err = set_reg(v->fd, CORE_REG(regs.pstate), PSTATE_EL1H_DAIF);
	if (!err)
		err = set_reg(v->fd, REG_VBAR_EL1, v->vm->arch.vectors);
	return err;
}

static bool mmio_to(const struct vcpu *v, uint64_t gpa, bool write_only)
{
	const struct kvm_run *r = v->run;
	return r->exit_reason == KVM_EXIT_MMIO && r->mmio.phys_addr == gpa &&
	       (r->mmio.is_write || !write_only);
}

bool vcpu_arch_is_ucall(const struct vcpu *v)
{
	return mmio_to(v, GUEST_MMIO_UCALL, true);
}

bool vcpu_arch_is_bench(const struct vcpu *v)
{
	if (!mmio_to(v, GUEST_MMIO_BENCH, false))
		return false;
	if (!v->run->mmio.is_write)
		memset(v->run->mmio.data, 0, sizeof(v->run->mmio.data)); /* a read gets 0 */
	return true;
}

enum guest_pmu_kind vcpu_arch_pmu_kind(const struct vcpu *v)
{
	return v->arch.pmu ? GUEST_PMU_PMUV3 : GUEST_PMU_NONE;
}

void vcpu_arch_dump(const struct vcpu *v, char *buf, size_t len)
{
	uint64_t pc = 0, ps = 0, x0 = 0, sp = 0;
	if (get_reg(v->fd, CORE_REG(regs.pc), &pc) || get_reg(v->fd, CORE_REG(regs.pstate), &ps) ||
	    get_reg(v->fd, CORE_REG(regs.regs[0]), &x0) || get_reg(v->fd, CORE_REG(sp_el1), &sp)) {
		snprintf(buf, len, "registers unavailable");
		return;
	}
	/* start.S's vectors ring GUEST_MMIO_BAD_STACK, x0 = their index. */
	bool bad_stack = mmio_to(v, GUEST_MMIO_BAD_STACK, true);
	snprintf(buf, len, "%spc=0x%llx pstate=0x%llx sp_el1=0x%llx x0=0x%llx",
		 bad_stack ? "an exception entered with sp outside the stack: " : "",
		 (unsigned long long)pc, (unsigned long long)ps, (unsigned long long)sp,
		 (unsigned long long)x0);
}

const char *vcpu_arch_fault_name(uint64_t ec)
{
	switch (ec) {
	case 0x00:
	case 0x40: return "unknown reason (UNDEF)";
	case 0x01: return "WFI/WFE";
	case 0x15: return "SVC";
	case 0x16: return "HVC";
	case 0x18: return "MSR/MRS trap";
	case 0x20:
	case 0x21: return "instruction abort";
	case 0x22: return "PC alignment";
	case 0x24:
	case 0x25: return "data abort";
	case 0x26: return "SP alignment";
	case 0x3c: return "BRK";
	default: return "exception class";
	}
}

const char *vcpu_arch_stat_alias(const char *name)
{
	/* arm64's names for what x86 calls mmio_exits and hypercalls. */
	if (!strcmp(name, "mmio_exits"))
		return "mmio_exit_user";
	if (!strcmp(name, "hypercalls"))
		return "hvc_exit_stat";
	return NULL;
}

int vcpu_arm_event_bits(const struct vm *vm, unsigned idx)
{
	uint64_t dfr0 = 0;
	if (idx >= VM_MAX_VCPUS || !vm->vcpus[idx] ||
	    get_reg(vm->vcpus[idx]->fd, REG_ID_AA64DFR0_EL1, &dfr0))
		return 16;
	unsigned ver = (unsigned)(dfr0 >> 8) & 0xf;
	return ver == 1 ? 10 : 16; /* PMUv3 (v8.0): 10-bit event space; v3p1+: 16-bit */
}

int vcpu_arch_tsc_offset(const struct vcpu *v, int64_t *offset)
{
	/* arm64 has no KVM_VCPU_TSC_OFFSET; the guest's CNTVCT offset (CNTVOFF)
	 * is KVM's, set at VM creation and not read back here. */
	(void)v;
	(void)offset;
	return -EOPNOTSUPP;
}
