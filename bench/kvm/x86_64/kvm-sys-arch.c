/* kvm-sys-arch.c (x86_64) — the x86 half of kvm-sys.h: the VM-wide
 * KVM_SET_PMU_EVENT_FILTER (raw), the flavor probe (masked entries), and
 * the vPMU KVM would give a guest, from KVM_GET_SUPPORTED_CPUID. Every
 * function returns a value or -errno and never prints or exits.
 * __vm_set_pmu_filter (the model-filter form) lives in kvm-sys-filter.c so
 * that users of the raw helpers here do not pull in the filter library. */
#include "kvm-sys.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "kvm-compat.h"

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

int __vm_set_pmu_filter_raw(int vm_fd, const void *buf, size_t len)
{
	/* The ioctl reads the 32-byte header, then nevents u64s: a shorter
	 * buffer would let the kernel read past ours. */
	if (!buf || len < PMUF_KVM_HDR_SIZE)
		return -EINVAL;
	int r = ioctl(vm_fd, KVM_SET_PMU_EVENT_FILTER, buf);
	return r < 0 ? neg_errno() : 0;
}

/* One masked filter (ALLOW, flags MASKED_EVENTS, one entry) as raw bytes:
 * 32-byte header + one u64, built here so the probe does not depend on the
 * filter library. */
static int set_one_masked(int vm_fd, uint64_t entry)
{
	uint64_t buf[(PMUF_KVM_HDR_SIZE + 8) / 8];
	_Static_assert(sizeof(buf) == PMUF_KVM_HDR_SIZE + 8, "header + one entry");
	struct kvm_pmu_event_filter *h = (struct kvm_pmu_event_filter *)buf;

	memset(buf, 0, sizeof(buf));
	h->action = KVM_PMU_EVENT_ALLOW;
	h->nevents = 1;
	h->flags = KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
	buf[PMUF_KVM_HDR_SIZE / 8] = entry;
	return __vm_set_pmu_filter_raw(vm_fd, buf, sizeof(buf));
}

/* Select 0x1C0 (bit 32 = EventSelect[8]) with umask mask 0xFF, match 0:
 * what KVM_PMU_ENCODE_MASKED_ENTRY(0x1C0, 0xFF, 0, 0) gives. */
#define PROBE_ENTRY_WIDE 0xFF000001000000C0ull
/* The same without bit 32: valid on both flavors (the control). */
#define PROBE_ENTRY_NARROW 0xFF000000000000C0ull

int kvm_sys_probe_flavor(enum pmuf_flavor *fl)
{
	int kvm = kvm_sys_open();
	if (kvm < 0)
		return kvm;
	int r = kvm_sys_check_cap(kvm, KVM_CAP_PMU_EVENT_MASKED_EVENTS);
	if (r <= 0) {
		close(kvm);
		return r < 0 ? r : -EOPNOTSUPP;
	}
	int vm = kvm_sys_create_vm(kvm);
	if (vm < 0) {
		close(kvm);
		return vm;
	}
	/* The control must pass, or an EINVAL below could mean anything
	 * (e.g. a kernel that rejects every masked filter). */
	r = set_one_masked(vm, PROBE_ENTRY_NARROW);
	if (r == 0) {
		r = set_one_masked(vm, PROBE_ENTRY_WIDE);
		if (r == 0) {
			*fl = PMUF_FLAVOR_AMD;   /* AMD64_EVENTSEL_EVENT: 12 bits */
		} else if (r == -EINVAL) {
			*fl = PMUF_FLAVOR_INTEL; /* ARCH_PERFMON_EVENTSEL_EVENT: 8 bits */
			r = 0;
		}
	}
	close(vm);
	close(kvm);
	return r;
}

/* ---- the vPMU KVM would give a guest (KVM_GET_SUPPORTED_CPUID) ---- */

struct kvm_cpuid2 *kvm_sys_supported_cpuid(int kvm_fd, int *err)
{
	*err = -E2BIG;
	for (unsigned n = 128; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c) {
			*err = -ENOMEM;
			return NULL;
		}
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		*err = neg_errno();
		free(c);
		if (*err != -E2BIG)
			return NULL;
	}
	return NULL;
}

const struct kvm_cpuid_entry2 *kvm_sys_cpuid_leaf(const struct kvm_cpuid2 *c, uint32_t fn,
						  uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

/* enable_pmu as KVM reports it: 1 = Y, 0 = N, -1 = unknown. */
static int enable_pmu_state(void)
{
	char v[16];
	if (kvm_sys_param("enable_pmu", v, sizeof(v)) < 0)
		return -1;
	return v[0] == 'Y' || v[0] == 'y' || v[0] == '1';
}

static void why_absent(struct kvm_vpmu_info *v, const char *cpuid_says)
{
	v->present = false;
	if (enable_pmu_state() == 0)
		snprintf(v->why, sizeof(v->why), "KVM reports no vPMU (enable_pmu=N)");
	else
		snprintf(v->why, sizeof(v->why), "KVM reports no vPMU (%s)", cpuid_says);
}

/*
 * Decision, in order:
 * 1. CPUID 0xA (architectural perfmon) with version > 0 and GP counters:
 *    an Intel-style vPMU (version, GP counters and width from EAX, fixed
 *    counters and width from EDX when version > 1). KVM zeroes 0xA when
 *    enable_pmu=N or the host has no arch perfmon, so this is checked
 *    whatever the vendor string says (a KVM that drives an AMD CPU with
 *    Intel PMU ops would report it here).
 * 2. Otherwise, on an AMD/Hygon vendor string:
 *    a. 0x80000022 EAX bit 0 (PerfMonV2): version 2, GP counters from
 *       EBX[3:0] (NumPerfCtrCore), 48-bit counters;
 *    b. else 0x80000001 ECX bit 23 (PerfCtrExtCore): version 1, 6 counters;
 *    c. else the 4 legacy K7 counters (version 1), which have no CPUID bit
 *       at all: KVM offers them exactly when enable_pmu is on, so this case
 *       needs enable_pmu=Y (an unreadable enable_pmu means a kernel before
 *       5.17, where the vPMU was always on).
 *    KVM clears PerfCtrExtCore and 0x80000022 when enable_pmu=N.
 *    AMD has no fixed counters.
 * 3. Otherwise no vPMU, with the reason.
 */
int kvm_sys_vpmu(int kvm_fd, struct kvm_vpmu_info *v)
{
	int err = 0;
	memset(v, 0, sizeof(*v));
	struct kvm_cpuid2 *c = kvm_sys_supported_cpuid(kvm_fd, &err);
	if (!c) {
		snprintf(v->why, sizeof(v->why), "KVM_GET_SUPPORTED_CPUID: %s", strerror(-err));
		return err;
	}

	const struct kvm_cpuid_entry2 *e = kvm_sys_cpuid_leaf(c, 0xA, 0);
	if (e && (e->eax & 0xFF) && ((e->eax >> 8) & 0xFF)) {
		v->present = true;
		v->version = e->eax & 0xFF;
		v->gp_counters = (e->eax >> 8) & 0xFF;
		v->gp_width = (e->eax >> 16) & 0xFF;
		if (v->version > 1) {
			v->fixed_counters = e->edx & 0x1F;
			v->fixed_width = (e->edx >> 5) & 0xFF;
		}
		goto out;
	}

	char vendor[13] = "";
	e = kvm_sys_cpuid_leaf(c, 0, 0);
	if (e) {
		memcpy(vendor, &e->ebx, 4);
		memcpy(vendor + 4, &e->edx, 4);
		memcpy(vendor + 8, &e->ecx, 4);
	}
	bool amd = !strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine");
	if (!amd) {
		why_absent(v, "CPUID 0xA: no architectural perfmon");
		goto out;
	}

	e = kvm_sys_cpuid_leaf(c, 0x80000022, 0);
	if (e && (e->eax & 1) && (e->ebx & 0xF)) {
		v->present = true;
		v->version = 2;
		v->gp_counters = e->ebx & 0xF;
		v->gp_width = 48;
		goto out;
	}
	e = kvm_sys_cpuid_leaf(c, 0x80000001, 0);
	if (e && (e->ecx & (1u << 23))) {
		v->present = true;
		v->version = 1;
		v->gp_counters = 6;
		v->gp_width = 48;
		goto out;
	}
	if (enable_pmu_state() != 0) {
		v->present = true;
		v->version = 1;
		v->gp_counters = 4;
		v->gp_width = 48;
		goto out;
	}
	why_absent(v, "no PerfMonV2, no PerfCtrExtCore");
out:
	free(c);
	return 0;
}

const struct kvm_cap_row kvm_arch_caps[] = {
	{ "pmu_event_filter", "PMU_EVENT_FILTER", KVM_CAP_PMU_EVENT_FILTER,
	  "KVM_SET_PMU_EVENT_FILTER is unavailable: install, exit-under-filter and check "
	  "cannot run", false },
	{ "pmu_event_masked_events", "PMU_EVENT_MASKED_EVENTS", KVM_CAP_PMU_EVENT_MASKED_EVENTS,
	  "masked filters cannot be installed and the filter flavor cannot be probed", false },
	{ "binary_stats_fd", "BINARY_STATS_FD", KVM_CAP_BINARY_STATS_FD,
	  "exit counts cannot be read from KVM's binary stats", false },
	{ "pmu_capability", "PMU_CAPABILITY", KVM_CAP_PMU_CAPABILITY,
	  "the vPMU cannot be disabled per VM", true },
};
const size_t kvm_arch_ncaps = sizeof(kvm_arch_caps) / sizeof(kvm_arch_caps[0]);
