/* check-ioctl.c — the checks that need only the filter ioctl (check.h):
 * capabilities against what the ioctls do, the probed flavor against the
 * CPU vendor, the documented validation cases as a table (kernel and
 * library each against the documented answer), and the differential of
 * pmuf_validate() against the kernel over random filters. Sources of the
 * documented answers: kvm_vm_ioctl_set_pmu_event_filter (arch/x86/kvm/
 * pmu.c), Documentation/virt/kvm/api.rst, and the kernel selftest
 * pmu_event_filter_test.c's test_filter_ioctl (docs/methodology.md). */
#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "kvm-compat.h"
#include "pmuf-random.h"

#define MASKED KVM_PMU_EVENT_FLAG_MASKED_EVENTS
#define BIT(n) (1ull << (n))
#define SAME(x) { (x), (x) }
/* A clean masked entry for select 0xC0 (mask 0xFF, match 0): valid on both flavors. */
#define ENTRY_C0 0xFF000000000000C0ull

enum fill { FILL_NONE = 0, FILL_EXACT, FILL_MASKED };
enum { NEED_MASKED = 1 };

struct ioctl_case {
	const char *name;
	uint32_t action, flags, fixed, pad0;
	unsigned nevents;
	enum fill fill;        /* clean entries of this encoding ... */
	bool set0;             /* ... with entry 0 (last: the last entry) replaced by entry0 */
	bool last;
	uint64_t entry0;
	int want[2];           /* the documented answer: [0] Intel flavor, [1] AMD */
	unsigned needs;
	bool efault;           /* the events lie in an unreadable page */
};

static const struct ioctl_case ioctl_cases[] = {
	{ .name = "action-2", .action = 2, .want = SAME(-EINVAL) },
	{ .name = "action-deny-empty", .action = KVM_PMU_EVENT_DENY, .want = SAME(0) },
	{ .name = "flags-2", .flags = MASKED << 1, .want = SAME(-EINVAL) },
	{ .name = "flags-bit-31", .flags = 0x80000000u, .want = SAME(-EINVAL) },
	{ .name = "nevents-300", .nevents = 300, .fill = FILL_EXACT, .want = SAME(0) },
	{ .name = "nevents-300-masked", .flags = MASKED, .nevents = 300, .fill = FILL_MASKED,
	  .want = SAME(0), .needs = NEED_MASKED },
	{ .name = "nevents-301", .nevents = 301, .fill = FILL_EXACT, .want = SAME(-E2BIG) },
	/* Header checks come first: action, then flags, then nevents. */
	{ .name = "nevents-301-action-2", .action = 2, .nevents = 301, .fill = FILL_EXACT,
	  .want = SAME(-EINVAL) },
	{ .name = "nevents-301-masked-stray-bit", .flags = MASKED, .nevents = 301,
	  .fill = FILL_MASKED, .set0 = true, .entry0 = ENTRY_C0 | BIT(16), .want = SAME(-E2BIG),
	  .needs = NEED_MASKED },
	{ .name = "pad-nonzero", .pad0 = 1, .nevents = 1, .fill = FILL_EXACT, .want = SAME(0) },
	{ .name = "fixed-bitmap-beyond-counters", .fixed = 0xFFFFFFFFu, .want = SAME(0) },
	{ .name = "masked-empty", .flags = MASKED, .want = SAME(0), .needs = NEED_MASKED },
	{ .name = "masked-stray-bit-16", .flags = MASKED, .nevents = 1, .set0 = true,
	  .entry0 = ENTRY_C0 | BIT(16), .want = SAME(-EINVAL), .needs = NEED_MASKED },
	{ .name = "masked-stray-bit-54", .flags = MASKED, .nevents = 1, .set0 = true,
	  .entry0 = ENTRY_C0 | BIT(54), .want = SAME(-EINVAL), .needs = NEED_MASKED },
	{ .name = "masked-stray-bit-16-last-of-300", .flags = MASKED, .nevents = 300,
	  .fill = FILL_MASKED, .set0 = true, .last = true, .entry0 = ENTRY_C0 | BIT(16),
	  .want = SAME(-EINVAL), .needs = NEED_MASKED },
	/* Bits 35:32 are EventSelect[11:8]: AMD's, not Intel's. */
	{ .name = "masked-select-bit-32", .flags = MASKED, .nevents = 1, .set0 = true,
	  .entry0 = ENTRY_C0 | BIT(32), .want = { -EINVAL, 0 }, .needs = NEED_MASKED },
	{ .name = "masked-select-bit-33", .flags = MASKED, .nevents = 1, .set0 = true,
	  .entry0 = ENTRY_C0 | BIT(33), .want = { -EINVAL, 0 }, .needs = NEED_MASKED },
	{ .name = "masked-select-bit-34", .flags = MASKED, .nevents = 1, .set0 = true,
	  .entry0 = ENTRY_C0 | BIT(34), .want = { -EINVAL, 0 }, .needs = NEED_MASKED },
	{ .name = "masked-select-bit-35", .flags = MASKED, .nevents = 1, .set0 = true,
	  .entry0 = ENTRY_C0 | BIT(35), .want = { -EINVAL, 0 }, .needs = NEED_MASKED },
	{ .name = "masked-all-ones", .flags = MASKED, .nevents = 1, .set0 = true, .entry0 = ~0ull,
	  .want = SAME(-EINVAL), .needs = NEED_MASKED },
	/* KVM_PMU_ENCODE_MASKED_ENTRY(0xff, 0xff, 0xff, 0xf) */
	{ .name = "masked-encode-max", .flags = MASKED, .nevents = 1, .set0 = true,
	  .entry0 = 0xFF8000000000FFFFull, .want = SAME(0), .needs = NEED_MASKED },
	/* Unmasked entries with bits outside select+umask are dropped, not refused. */
	{ .name = "unmasked-all-ones", .nevents = 1, .set0 = true, .entry0 = ~0ull, .want = SAME(0) },
	{ .name = "unmasked-stray-bit-16", .nevents = 1, .set0 = true, .entry0 = 0x100C0ull,
	  .want = SAME(0) },
	{ .name = "unmasked-bit-55", .nevents = 1, .set0 = true, .entry0 = 0x00800000000000C0ull,
	  .want = SAME(0) },
	{ .name = "events-efault", .nevents = 1, .want = SAME(-EFAULT), .efault = true },
};
#define NCASES (sizeof(ioctl_cases) / sizeof(ioctl_cases[0]))

/* The flavor the library judges with: KVM's (probed), else the CPU's. */
static enum pmuf_flavor lib_flavor(const struct check_host *h)
{
	if (h->flavor != PMUF_FLAVOR_UNSET)
		return h->flavor;
	return h->cpu_flavor != PMUF_FLAVOR_UNSET ? h->cpu_flavor : PMUF_FLAVOR_INTEL;
}

/* Skips name if the host cannot run ioctl checks; true when skipped. */
static bool skip_no_filter(struct check_run *c, const char *name)
{
	if (c->h.kvm_fd < 0) {
		check_report(c, name, CHECK_SKIP, "%s", c->h.kvm_why);
		return true;
	}
	if (c->h.cap_filter <= 0) {
		check_report(c, name, CHECK_SKIP, "KVM lacks KVM_CAP_PMU_EVENT_FILTER");
		return true;
	}
	return false;
}

static int scratch_vm(struct check_run *c, const char *name)
{
	int vm = kvm_sys_create_vm(c->h.kvm_fd);
	if (vm < 0)
		check_report(c, name, CHECK_FAIL, "KVM_CREATE_VM: %s", strerror(-vm));
	return vm;
}

/* ---- caps/... ---- */

/* One-entry filter, exact or masked, on a fresh VM: the ioctl's answer. */
static int try_one(struct check_run *c, bool masked, int *vm_err)
{
	struct pmuf_filter f;
	pmuf_init(&f, PMUF_ARCH_X86);
	f.flags = masked ? MASKED : 0;
	int r = pmuf_add_event(&f, masked ? ENTRY_C0 : pmuf_exact_encode(0xC0, 0), NULL);
	int vm = r ? r : kvm_sys_create_vm(c->h.kvm_fd);
	*vm_err = vm < 0 ? vm : 0;
	if (vm >= 0) {
		r = __vm_set_pmu_filter(vm, &f);
		close(vm);
	}
	pmuf_free(&f);
	return r;
}

static void cap_vs_ioctl(struct check_run *c, const char *name, const char *cap, int capv,
			 bool masked, const char *absent)
{
	int vm_err;
	if (c->h.kvm_fd < 0) {
		check_report(c, name, CHECK_SKIP, "%s", c->h.kvm_why);
		return;
	}
	int r = try_one(c, masked, &vm_err);
	if (vm_err) {
		check_report(c, name, CHECK_FAIL, "KVM_CREATE_VM: %s", strerror(-vm_err));
		return;
	}
	if (capv > 0 && r == 0)
		check_report(c, name, CHECK_PASS, "%s = %d and a %s filter installs", cap, capv,
			     masked ? "masked" : "one-event");
	else if (capv > 0)
		check_report(c, name, CHECK_FAIL, "%s = %d but a valid %s filter gives %s", cap, capv,
			     masked ? "masked" : "one-event", pmuf_errno_name(r));
	else if (r == 0)
		check_report(c, name, CHECK_FAIL, "%s = %d but a %s filter installs", cap, capv,
			     masked ? "masked" : "one-event");
	else
		check_report(c, name, CHECK_SKIP, "%s (%s = %d; the ioctl answers %s)", absent, cap,
			     capv, pmuf_errno_name(r));
}

void check_caps(struct check_run *c)
{
	const struct check_host *h = &c->h;
	cap_vs_ioctl(c, "caps/pmu-event-filter", "KVM_CAP_PMU_EVENT_FILTER", h->cap_filter, false,
		     "KVM does not offer the PMU event filter");
	if (h->kvm_fd >= 0 && h->cap_filter <= 0)
		check_report(c, "caps/pmu-event-masked-events", CHECK_SKIP,
			     "KVM lacks KVM_CAP_PMU_EVENT_FILTER");
	else
		cap_vs_ioctl(c, "caps/pmu-event-masked-events", "KVM_CAP_PMU_EVENT_MASKED_EVENTS",
			     h->cap_masked, true,
			     "KVM lacks masked events (kernels before 6.3)");

	const char *name = "caps/binary-stats-fd";
	if (h->kvm_fd < 0) {
		check_report(c, name, CHECK_SKIP, "%s", h->kvm_why);
		return;
	}
	int vm = scratch_vm(c, name);
	if (vm < 0)
		return;
	int fd = ioctl(vm, KVM_GET_STATS_FD, NULL);
	int e = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	close(vm);
	if (h->cap_stats > 0 && fd >= 0)
		check_report(c, name, CHECK_PASS, "KVM_CAP_BINARY_STATS_FD = %d and KVM_GET_STATS_FD "
			     "opens (exit counts available)", h->cap_stats);
	else if (h->cap_stats > 0)
		check_report(c, name, CHECK_FAIL, "KVM_CAP_BINARY_STATS_FD = %d but KVM_GET_STATS_FD: %s",
			     h->cap_stats, strerror(e));
	else
		check_report(c, name, CHECK_SKIP, "KVM lacks binary stats (KVM_CAP_BINARY_STATS_FD = %d): "
			     "no exit counts for pfbench exit", h->cap_stats);
}

/* ---- flavor ---- */

void check_flavor(struct check_run *c)
{
	const struct check_host *h = &c->h;
	const char *name = "flavor";
	if (skip_no_filter(c, name))
		return;
	if (h->flavor == PMUF_FLAVOR_UNSET) {
		check_report(c, name, CHECK_SKIP, "cannot probe: %s", h->flavor_why);
		return;
	}
	const char *fl = h->flavor == PMUF_FLAVOR_INTEL ? "8-bit Intel" : "12-bit AMD";
	const char *cpu = h->cpu_flavor == PMUF_FLAVOR_INTEL ? "an Intel"
			  : h->cpu_flavor == PMUF_FLAVOR_AMD ? "an AMD"
							     : "this";
	if (h->cpu_flavor == h->flavor)
		check_report(c, name, CHECK_PASS, "KVM validates with the %s flavor on %s CPU (%s), "
			     "as its vendor implies", fl, cpu, h->cpu_vendor);
	else
		check_report(c, name, CHECK_PASS,
			     "note: KVM validates with the %s flavor on %s CPU (%s); KVM's PMU "
			     "code is not the CPU vendor's (e.g. a software virtualization module): "
			     "filters are judged with KVM's flavor", fl, cpu, h->cpu_vendor);
}

/* ---- ioctl/... cases ---- */

static int build_case(const struct ioctl_case *cs, struct pmuf_filter *f)
{
	pmuf_init(f, PMUF_ARCH_X86);
	f->action = cs->action;
	f->flags = cs->flags;
	f->fixed_counter_bitmap = cs->fixed;
	f->pad[0] = cs->pad0;
	for (unsigned i = 0; i < cs->nevents; i++) {
		uint8_t umask = (uint8_t)(i >> 8);
		uint64_t e = cs->fill == FILL_MASKED ? pmuf_masked_encode(i & 0xFF, 0xFF, umask, false)
						     : pmuf_exact_encode(i & 0xFF, umask);
		if (cs->set0 && i == (cs->last ? cs->nevents - 1 : 0))
			e = cs->entry0;
		int r = pmuf_add_event(f, e, NULL);
		if (r)
			return r;
	}
	return 0;
}

/* The header with nevents 1, placed so its one event lies in a PROT_NONE
 * page: the kernel's copy of the events faults. */
static int install_efault(int vm)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	int r = mprotect(p + pg, (size_t)pg, PROT_NONE) ? -errno : 0;
	if (!r) {
		struct kvm_pmu_event_filter *h = (void *)(p + pg - PMUF_KVM_HDR_SIZE);
		memset(h, 0, PMUF_KVM_HDR_SIZE);
		h->nevents = 1;
		r = __vm_set_pmu_filter_raw(vm, h, PMUF_KVM_HDR_SIZE);
	}
	munmap(p, 2 * (size_t)pg);
	return r;
}

static void run_case(struct check_run *c, int vm, const struct ioctl_case *cs)
{
	char name[96];
	snprintf(name, sizeof(name), "ioctl/%s", cs->name);
	if ((cs->needs & NEED_MASKED) && c->h.cap_masked <= 0) {
		check_report(c, name, CHECK_SKIP, "KVM lacks KVM_CAP_PMU_EVENT_MASKED_EVENTS");
		return;
	}
	enum pmuf_flavor fl = lib_flavor(&c->h);
	int want = cs->want[fl == PMUF_FLAVOR_AMD];
	const char *wants = pmuf_errno_name(want);
	if (cs->efault) {
		int r = install_efault(vm);
		if (r == want)
			check_report(c, name, CHECK_PASS, NULL);
		else
			check_report(c, name, CHECK_FAIL, "kernel %s, documented %s", pmuf_errno_name(r),
				     wants);
		return;
	}
	struct pmuf_filter f;
	struct pmuf_verdict v;
	if (build_case(cs, &f)) {
		pmuf_free(&f);
		check_report(c, name, CHECK_FAIL, "out of memory building the filter");
		return;
	}
	int r = __vm_set_pmu_filter(vm, &f);
	pmuf_validate(&f, fl, &v);
	if (r == want && v.err == want)
		check_report(c, name, CHECK_PASS, NULL);
	else if (r != want && v.err == want)
		check_report(c, name, CHECK_FAIL, "kernel %s, documented %s (the library agrees with "
			     "the documentation)", pmuf_errno_name(r), wants);
	else
		check_report(c, name, CHECK_FAIL, "library %s%s%s, kernel %s, documented %s",
			     pmuf_errno_name(v.err), v.err ? ": " : "", v.err ? v.reason : "",
			     pmuf_errno_name(r), wants);
	pmuf_verdict_free(&v);
	pmuf_free(&f);
}

void check_ioctl_cases(struct check_run *c)
{
	int vm = -1;
	for (size_t i = 0; i < NCASES && !check_stopped(); i++) {
		char name[96];
		snprintf(name, sizeof(name), "ioctl/%s", ioctl_cases[i].name);
		if (skip_no_filter(c, name))
			continue;
		if (vm < 0 && (vm = scratch_vm(c, name)) < 0)
			continue;
		run_case(c, vm, &ioctl_cases[i]);
	}
	if (vm >= 0)
		close(vm);
}

/* ---- ioctl/differential ---- */

#define DIFF_SHOWN 3

void check_differential(struct check_run *c)
{
	const char *name = "ioctl/differential";
	if (!c->o->ndiff) {
		check_report(c, name, CHECK_SKIP, "--count 0: no random filters asked for");
		return;
	}
	if (skip_no_filter(c, name))
		return;
	if (c->h.flavor == PMUF_FLAVOR_UNSET) {
		check_report(c, name, CHECK_SKIP, "the library validates as kernels 6.3+ do, with "
			     "KVM's flavor, which cannot be probed: %s", c->h.flavor_why);
		return;
	}
	int vm = scratch_vm(c, name);
	if (vm < 0)
		return;
	struct pmuf_rng rng;
	pmuf_rng_seed(&rng, c->o->seed);
	unsigned n[3] = { 0, 0, 0 }, bad = 0; /* ok, EINVAL, E2BIG or other */
	char first[3][200];
	for (unsigned i = 0; i < c->o->ndiff; i++) {
		struct pmuf_filter f;
		struct pmuf_verdict v;
		if (check_stopped()) { /* a verdict over part of the filters is none */
			close(vm);
			return;
		}
		if (pmuf_random_filter(&rng, &f)) {
			check_report(c, name, CHECK_FAIL, "out of memory at filter %u", i);
			close(vm);
			return;
		}
		int r = __vm_set_pmu_filter(vm, &f);
		pmuf_validate(&f, c->h.flavor, &v);
		n[r == 0 ? 0 : r == -EINVAL ? 1 : 2]++; /* other errors differ from the library */
		if (r != v.err && bad++ < DIFF_SHOWN)
			snprintf(first[bad - 1], sizeof(first[0]),
				 "#%u (action %u flags 0x%x nevents %zu): kernel %s, library %s%s%.80s",
				 i, f.action, f.flags, f.nevents, pmuf_errno_name(r),
				 pmuf_errno_name(v.err), v.err ? " " : "", v.err ? v.reason : "");
		pmuf_verdict_free(&v);
		pmuf_free(&f);
	}
	close(vm);
	if (!bad)
		check_report(c, name, CHECK_PASS, "%u random filters, kernel and library agree (ok %u, "
			     "EINVAL %u, E2BIG %u; flavor %s, seed 0x%llx)", c->o->ndiff, n[0], n[1],
			     n[2], pmuf_flavor_name(c->h.flavor), (unsigned long long)c->o->seed);
	else
		check_report(c, name, CHECK_FAIL, "%u of %u random filters differ (seed 0x%llx): %s%s%s%s%s",
			     bad, c->o->ndiff, (unsigned long long)c->o->seed, first[0],
			     bad > 1 ? "; " : "", bad > 1 ? first[1] : "", bad > 2 ? "; " : "",
			     bad > 2 ? first[2] : "");
}
