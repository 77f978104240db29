/* vm-arch.c (x86_64) — the arch hooks of vm.h: guest long mode (GDT with a
 * 64-bit code segment and a TSS, 4-level identity page tables with 2 MiB
 * pages over the first 2 GiB, an IDT whose 32 exception gates point at the
 * payload's stubs), the guest CPUID from KVM_GET_SUPPORTED_CPUID, register
 * reset to the payload entry, and the port-I/O doorbells. */
#include "vm.h"

#include "kvm-sys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

#define TSS_LIMIT 0x67

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

int vm_arch_init(struct vm *vm)
{
	uint64_t *gdt = vm_gpa(vm, VM_ARCH_GDT_GPA, 0x1000);
	uint64_t *pml4 = vm_gpa(vm, VM_ARCH_PML4_GPA, 0x1000);
	uint64_t *pdpt = vm_gpa(vm, VM_ARCH_PDPT_GPA, 0x1000);
	uint64_t *pd = vm_gpa(vm, VM_ARCH_PD_GPA, 0x2000);
	if (!gdt || !pml4 || !pdpt || !pd)
		return -ENOMEM;

	gdt[0] = 0;
	gdt[VM_ARCH_SEL_CODE / 8] = 0x00af9b000000ffffull; /* P, DPL0, code exec/read, L, G */
	gdt[VM_ARCH_SEL_DATA / 8] = 0x00cf93000000ffffull; /* P, DPL0, data read/write, D/B, G */
	uint64_t base = VM_ARCH_TSS_GPA;
	/* 16-byte system descriptor: busy 64-bit TSS (type 0xB), present. */
	gdt[VM_ARCH_SEL_TSS / 8] = (TSS_LIMIT & 0xffffull) | ((base & 0xffffffull) << 16) |
				   (0x8bull << 40) | (((base >> 24) & 0xffull) << 56);
	gdt[VM_ARCH_SEL_TSS / 8 + 1] = base >> 32;

	pml4[0] = VM_ARCH_PDPT_GPA | PTE_P | PTE_RW;
	for (unsigned g = 0; g < VM_ARCH_MAP_BYTES >> 30; g++)
		pdpt[g] = (VM_ARCH_PD_GPA + 0x1000ull * g) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < VM_ARCH_MAP_BYTES >> 21; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
	return 0;
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->dpl = 0;
	s->db = code ? 0 : 1;
	s->s = 1;
	s->l = code ? 1 : 0;
	s->g = 1;
}

static int set_sregs(struct vcpu *v)
{
	struct kvm_sregs sr;
	if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
		return neg_errno();
	set_seg(&sr.cs, VM_ARCH_SEL_CODE, 0xb, true);
	set_seg(&sr.ds, VM_ARCH_SEL_DATA, 0x3, false);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	memset(&sr.tr, 0, sizeof(sr.tr));
	sr.tr.base = VM_ARCH_TSS_GPA;
	sr.tr.limit = TSS_LIMIT;
	sr.tr.selector = VM_ARCH_SEL_TSS;
	sr.tr.type = 0xb;
	sr.tr.present = 1;
	memset(&sr.ldt, 0, sizeof(sr.ldt));
	sr.ldt.unusable = 1;
	sr.gdt.base = VM_ARCH_GDT_GPA;
	sr.gdt.limit = VM_ARCH_SEL_TSS + 16 - 1;
	sr.idt.base = VM_ARCH_IDT_GPA;
	sr.idt.limit = 256 * 16 - 1;
	sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sr.cr3 = VM_ARCH_PML4_GPA;
	sr.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	sr.efer = EFER_LME | EFER_LMA;
	if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0)
		return neg_errno();
	return 0;
}

int vcpu_arch_init(struct vcpu *v)
{
	int err = 0;
	struct kvm_cpuid2 *c = kvm_sys_supported_cpuid(v->vm->kvm_fd, &err);
	if (!c)
		return err;
	if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0) {
		err = neg_errno();
		free(c);
		return err;
	}
	v->arch.cpuid = c;
	const struct kvm_cpuid_entry2 *l0 = kvm_sys_cpuid_leaf(c, 0, 0);
	v->arch.vendor = GUEST_VENDOR_OTHER;
	if (l0 && l0->ebx == 0x756e6547 && l0->edx == 0x49656e69 && l0->ecx == 0x6c65746e)
		v->arch.vendor = GUEST_VENDOR_INTEL; /* GenuineIntel */
	else if (l0 && l0->ebx == 0x68747541 && l0->edx == 0x69746e65 && l0->ecx == 0x444d4163)
		v->arch.vendor = GUEST_VENDOR_AMD; /* AuthenticAMD */
	v->arch.pmu_kind = GUEST_PMU_NONE;
	if (v->arch.vendor == GUEST_VENDOR_INTEL) {
		v->arch.pmu_kind = GUEST_PMU_INTEL;
	} else if (v->arch.vendor == GUEST_VENDOR_AMD) {
		const struct kvm_cpuid_entry2 *e = kvm_sys_cpuid_leaf(c, 0x80000001, 0);
		/* PerfCtrExtCore (ECX bit 23): PERF_CTLx at 0xC0010200; else legacy K7. */
		v->arch.pmu_kind = e && (e->ecx & (1u << 23)) ? GUEST_PMU_AMD_CORE : GUEST_PMU_AMD_K7;
	}
	return set_sregs(v);
}

void vm_arch_free(struct vm *vm)
{
	(void)vm;
}

const char *vcpu_arch_stat_alias(const char *name)
{
	(void)name;
	return NULL;
}

void vcpu_arch_free(struct vcpu *v)
{
	free(v->arch.cpuid);
	v->arch.cpuid = NULL;
}

int vm_arch_load(struct vm *vm, const struct guest_image_hdr *h)
{
	uint8_t *idt = vm_gpa(vm, VM_ARCH_IDT_GPA, 256 * 16);
	const uint64_t *vec = vm_gpa(vm, h->vectors, GUEST_NR_VECTORS * 8);
	if (!idt || !vec)
		return -ENOEXEC;
	memset(idt, 0, 256 * 16);
	for (unsigned i = 0; i < GUEST_NR_VECTORS; i++) {
		uint64_t a = vec[i];
		if (a < GUEST_IMAGE_GPA || a >= h->image_end)
			return -ENOEXEC;
		uint8_t *g = idt + 16 * i;
		uint16_t lo = (uint16_t)a, mid = (uint16_t)(a >> 16), sel = VM_ARCH_SEL_CODE;
		uint32_t hi = (uint32_t)(a >> 32);
		memcpy(g + 0, &lo, 2);
		memcpy(g + 2, &sel, 2);
		g[4] = 0;    /* IST */
		g[5] = 0x8e; /* present, DPL0, 64-bit interrupt gate */
		memcpy(g + 6, &mid, 2);
		memcpy(g + 8, &hi, 4);
	}
	return 0;
}

int vcpu_arch_reset(struct vcpu *v, uint64_t entry)
{
	int err = set_sregs(v);
	if (err)
		return err;
	struct kvm_regs regs;
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rsp = GUEST_STACK_TOP;
	regs.rflags = 0x2; /* interrupts off */
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return neg_errno();
	struct guest_mailbox *mb = vm_mailbox(v->vm);
	mb->vendor = v->arch.vendor;
	return 0;
}

static bool io_out_to(const struct vcpu *v, uint16_t port)
{
	const struct kvm_run *r = v->run;
	return r->exit_reason == KVM_EXIT_IO && r->io.direction == KVM_EXIT_IO_OUT &&
	       r->io.port == port;
}

bool vcpu_arch_is_ucall(const struct vcpu *v)
{
	return io_out_to(v, GUEST_PORT_UCALL);
}

bool vcpu_arch_is_bench(const struct vcpu *v)
{
	return io_out_to(v, GUEST_PORT_BENCH);
}

enum guest_pmu_kind vcpu_arch_pmu_kind(const struct vcpu *v)
{
	return (enum guest_pmu_kind)v->arch.pmu_kind;
}

void vcpu_arch_dump(const struct vcpu *v, char *buf, size_t len)
{
	struct kvm_regs r;
	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0) {
		snprintf(buf, len, "registers unavailable");
		return;
	}
	snprintf(buf, len, "rip=0x%llx rsp=0x%llx rax=0x%llx rcx=0x%llx rflags=0x%llx",
		 (unsigned long long)r.rip, (unsigned long long)r.rsp, (unsigned long long)r.rax,
		 (unsigned long long)r.rcx, (unsigned long long)r.rflags);
}

/* KVM_VCPU_TSC_OFFSET (Linux 5.16+, KVM_CAP_VCPU_ATTRIBUTES). */
int vcpu_arch_tsc_offset(const struct vcpu *v, int64_t *offset)
{
	uint64_t off = 0;
	struct kvm_device_attr a = {
		.group = KVM_VCPU_TSC_CTRL,
		.attr = KVM_VCPU_TSC_OFFSET,
		.addr = (uint64_t)(uintptr_t)&off,
	};
	if (ioctl(v->fd, KVM_HAS_DEVICE_ATTR, &a) < 0)
		return errno == ENXIO || errno == ENOTTY || errno == EINVAL ? -EOPNOTSUPP : neg_errno();
	if (ioctl(v->fd, KVM_GET_DEVICE_ATTR, &a) < 0)
		return neg_errno();
	*offset = (int64_t)off;
	return 0;
}

const char *vcpu_arch_fault_name(uint64_t v)
{
	static const char *const n[] = { "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
					 "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
					 "#MF", "#AC", "#MC", "#XM", "#VE", "#CP" };
	return v < sizeof(n) / sizeof(n[0]) ? n[v] : "vector";
}
