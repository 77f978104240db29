/* vm.c — the arch-neutral VMM flow: create the VM and its memory, add
 * vCPUs, load a payload image, and check what the guest wrote into the
 * mailbox. The run loop is run.c, binary stats stats.c, arch hooks
 * <arch>/vm-arch.c. See vm.h. */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "kvm-sys.h"

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

const struct vm_payload *vm_payload_find(const char *name)
{
	if (!name)
		return NULL;
	for (const struct vm_payload *p = vm_payloads; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

int __vm_create(int kvm_fd, struct vm **out)
{
	int err;
	*out = NULL;
	struct vm *vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->fd = -1;
	vm->kvm_fd = kvm_fd >= 0 ? dup(kvm_fd) : kvm_sys_open();
	if (vm->kvm_fd < 0) {
		err = kvm_fd >= 0 ? neg_errno() : vm->kvm_fd;
		free(vm);
		return err;
	}
	vm->fd = kvm_sys_create_vm(vm->kvm_fd);
	if (vm->fd < 0) {
		err = vm->fd;
		goto fail;
	}
	vm->mem_size = GUEST_MEM_SIZE;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		err = neg_errno();
		goto fail;
	}
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->mem_size,
		.userspace_addr = (uint64_t)(uintptr_t)vm->mem,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		err = neg_errno();
		goto fail;
	}
	err = vm_arch_init(vm);
	if (err)
		goto fail;
	*out = vm;
	return 0;
fail:
	vm_free(vm);
	return err;
}

static void vcpu_free(struct vcpu *v)
{
	if (!v)
		return;
	vcpu_stats_close(v);
	vcpu_arch_free(v);
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	free(v);
}

void vm_free(struct vm *vm)
{
	if (!vm)
		return;
	/* vCPUs first, each kvm_run unmapped before its fd closes: a mapping
	 * left behind keeps the VM alive (and its vPMU's perf events). */
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		vcpu_free(vm->vcpus[i]);
	vm_arch_free(vm);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	free(vm);
}

int __vcpu_add(struct vm *vm, unsigned id, struct vcpu **out)
{
	int err;
	*out = NULL;
	if (id >= VM_MAX_VCPUS || vm->vcpus[id])
		return -EINVAL;
	struct vcpu *v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0) {
		err = neg_errno();
		v->fd = -1;
		goto fail;
	}
	int sz = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (int)sizeof(struct kvm_run)) {
		err = sz < 0 ? neg_errno() : -EPROTO;
		goto fail;
	}
	v->run_size = (size_t)sz;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		err = neg_errno();
		goto fail;
	}
	err = vcpu_arch_init(v);
	if (err)
		goto fail;
	/* Stats are optional (KVM_CAP_BINARY_STATS_FD, 5.14+): runs work without. */
	(void)vcpu_stats_open(v);
	vm->vcpus[id] = v;
	vm->nvcpus++;
	*out = v;
	return 0;
fail:
	vcpu_free(v);
	return err;
}

int __vm_create_with_vcpu(int kvm_fd, struct vm **vm_out, struct vcpu **v_out)
{
	*v_out = NULL;
	int err = __vm_create(kvm_fd, vm_out);
	if (err)
		return err;
	err = __vcpu_add(*vm_out, 0, v_out);
	if (err) {
		vm_free(*vm_out);
		*vm_out = NULL;
	}
	return err;
}

void *vm_gpa(struct vm *vm, uint64_t gpa, size_t len)
{
	if (gpa > vm->mem_size || len > vm->mem_size - gpa)
		return NULL;
	return (uint8_t *)vm->mem + gpa;
}

struct guest_mailbox *vm_mailbox(struct vm *vm)
{
	return vm_gpa(vm, GUEST_MAILBOX_GPA, sizeof(struct guest_mailbox));
}

/* The image must fit its region, say what it is, and point inside itself. */
static int check_image(const struct vm_payload *p, const struct guest_image_hdr *h)
{
	size_t len = (size_t)(p->end - p->start);
	uint64_t lo = GUEST_IMAGE_GPA, hi = GUEST_IMAGE_GPA + GUEST_IMAGE_MAX;
	if (len < sizeof(*h) || len > GUEST_IMAGE_MAX)
		return -ENOEXEC;
	if (h->magic != GUEST_IMAGE_MAGIC || h->version != GUEST_ABI_VERSION)
		return -ENOEXEC;
	if (h->image_end < lo + sizeof(*h) || h->image_end > lo + len + 64 ||
	    h->bss_end < h->image_end || h->bss_end > hi)
		return -ENOEXEC;
	if (h->entry < lo || h->entry >= h->image_end || h->vectors < lo ||
	    h->vectors + GUEST_NR_VECTORS * 8 > h->image_end)
		return -ENOEXEC;
	return 0;
}

int __vm_load(struct vm *vm, const struct vm_payload *p)
{
	struct guest_image_hdr h;
	size_t len = (size_t)(p->end - p->start);
	if (len < sizeof(h))
		return -ENOEXEC;
	memcpy(&h, p->start, sizeof(h));
	int err = check_image(p, &h);
	if (err)
		return err;
	uint8_t *img = vm_gpa(vm, GUEST_IMAGE_GPA, GUEST_IMAGE_MAX);
	if (!img)
		return -ENOMEM;
	memset(img, 0, GUEST_IMAGE_MAX);
	memcpy(img, p->start, len);
	/* The stack: fresh for every command. */
	uint8_t *stack = vm_gpa(vm, GUEST_IMAGE_GPA + GUEST_IMAGE_MAX,
				GUEST_STACK_TOP - GUEST_IMAGE_GPA - GUEST_IMAGE_MAX);
	if (stack)
		memset(stack, 0, GUEST_STACK_TOP - GUEST_IMAGE_GPA - GUEST_IMAGE_MAX);
	struct guest_mailbox *mb = vm_mailbox(vm);
	memset(mb, 0, sizeof(*mb));
	mb->magic = GUEST_ABI_MAGIC;
	mb->version = GUEST_ABI_VERSION;
	mb->size = sizeof(*mb);
	err = vm_arch_load(vm, &h);
	if (err)
		return err;
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++) {
		if (!vm->vcpus[i])
			continue;
		err = vcpu_arch_reset(vm->vcpus[i], h.entry);
		if (err)
			return err;
	}
	vm->payload = p;
	vm->asked.valid = false;
	return 0;
}

static bool str_terminated(const char *s, size_t cap)
{
	return memchr(s, 0, cap) != NULL;
}

#define BAD(...)                                        \
	do {                                            \
		if (why && len)                         \
			snprintf(why, len, __VA_ARGS__); \
		return -EPROTO;                         \
	} while (0)

int vm_mailbox_check(struct vm *vm, char *why, size_t len)
{
	const struct guest_mailbox *mb = vm_mailbox(vm);
	if (why && len)
		why[0] = 0;
	if (mb->magic != GUEST_ABI_MAGIC || mb->version != GUEST_ABI_VERSION ||
	    mb->size != sizeof(*mb))
		BAD("mailbox header overwritten (magic 0x%08x version %u size %u)", mb->magic,
		    mb->version, mb->size);
	if (vm->asked.valid &&
	    (mb->cmd != vm->asked.cmd || mb->nsamples_req != vm->asked.nsamples_req ||
	     mb->nvalues != vm->asked.nvalues || mb->nfixed != vm->asked.nfixed))
		BAD("the guest overwrote the mailbox's input fields (cmd %u, nsamples_req %u, "
		    "nvalues %u, nfixed %u; the host asked cmd %u, %u, %u, %u)",
		    mb->cmd, mb->nsamples_req, mb->nvalues, mb->nfixed, vm->asked.cmd,
		    vm->asked.nsamples_req, vm->asked.nvalues, vm->asked.nfixed);
	if (mb->guest_magic != GUEST_ABI_MAGIC)
		BAD("the payload never started (guest_magic 0x%08x, want 0x%08x)", mb->guest_magic,
		    GUEST_ABI_MAGIC);
	if (mb->status > GUEST_ST_BAD_CMD)
		BAD("status %u is not a guest_status", mb->status);
	if (mb->nsamples > GUEST_MAX_SAMPLES || mb->nsamples > mb->nsamples_req)
		BAD("nsamples %u out of range (asked for %u, room for %u)", mb->nsamples,
		    mb->nsamples_req, GUEST_MAX_SAMPLES);
	if (mb->nvalues > GUEST_MAX_VALUES || mb->nfixed > GUEST_MAX_FIXED)
		BAD("nvalues %u / nfixed %u out of range", mb->nvalues, mb->nfixed);
	if (mb->nresults > GUEST_MAX_VALUES || mb->nresults > mb->nvalues)
		BAD("nresults %u out of range (gave %u values, room for %u)", mb->nresults,
		    mb->nvalues, GUEST_MAX_VALUES);
	if (mb->hist_total != mb->nsamples)
		BAD("histogram holds %u samples, nsamples says %u", mb->hist_total, mb->nsamples);
	uint64_t sum = 0;
	for (unsigned b = 0; b < GUEST_HIST_BUCKETS; b++) {
		if (mb->hist[b] > mb->nsamples)
			BAD("hist[%u] = %llu exceeds nsamples %u", b, (unsigned long long)mb->hist[b],
			    mb->nsamples);
		sum += mb->hist[b];
	}
	if (sum != mb->nsamples)
		BAD("histogram buckets sum to %llu, nsamples says %u", (unsigned long long)sum,
		    mb->nsamples);
	unsigned nlog = mb->nfaults < GUEST_MAX_FAULTS ? mb->nfaults : GUEST_MAX_FAULTS;
	for (unsigned i = 0; i < nlog; i++)
		if (mb->faults[i].vector >= 256)
			BAD("fault log entry %u has vector %u", i, mb->faults[i].vector);
	for (unsigned i = 0; i < mb->nresults; i++) {
		const struct guest_value_result *r = &mb->results[i];
		if (r->wrmsr_vector >= 256 || r->rdpmc_vector >= 256 || r->rdmsr_vector >= 256)
			BAD("results[%u] has an impossible vector", i);
	}
	/* Every slot: the mailbox is zeroed at load, so unused ones stay 0. */
	for (unsigned i = 0; i < GUEST_MAX_FIXED; i++)
		if (mb->fixed_vector[i] >= 256)
			BAD("fixed_vector[%u] = %u is not a vector", i, mb->fixed_vector[i]);
	if (!str_terminated(mb->ucall.file, sizeof(mb->ucall.file)) ||
	    !str_terminated(mb->ucall.expr, sizeof(mb->ucall.expr)))
		BAD("ucall strings not NUL-terminated");
	return 0;
}

const char *vm_exit_kind_name(enum vm_exit_kind k)
{
	static const char *const names[] = {
		[VM_EXIT_NONE] = "none",
		[VM_EXIT_SYNC] = "sync",
		[VM_EXIT_DONE] = "done",
		[VM_EXIT_ABORT] = "abort",
		[VM_EXIT_TIMEOUT] = "timeout",
		[VM_EXIT_HLT] = "hlt",
		[VM_EXIT_SHUTDOWN] = "shutdown",
		[VM_EXIT_FAIL_ENTRY] = "fail-entry",
		[VM_EXIT_INTERNAL_ERROR] = "internal-error",
		[VM_EXIT_SYSTEM_EVENT] = "system-event",
		[VM_EXIT_UNEXPECTED] = "unexpected-exit",
		[VM_EXIT_BAD_MAILBOX] = "bad-mailbox",
		[VM_EXIT_ERROR] = "error",
	};
	if ((unsigned)k < sizeof(names) / sizeof(names[0]) && names[k])
		return names[k];
	return "?";
}
