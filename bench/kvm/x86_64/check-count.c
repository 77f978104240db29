/* check-count.c — count/...: does the host enforce the filter? Selftest-style
 * counting in a guest (check.h), only with a vPMU: for each case a fresh
 * VM with one vCPU gets the case's filter, then the "pmu" payload's VERIFY
 * programs GP counter 0 with the case's event (EN|USR|OS), runs the
 * workload (`loop` n times: n branches, as pmu_event_filter_test.c does),
 * and reads the counter with RDPMC and RDMSR — and, for the fixed-counter
 * cases, each fixed counter over the same workload. An allowed event must
 * count (> 0), a denied one must read 0. Each case's expectation is the
 * documented semantics written into the table; the library's
 * pmuf_decide_gp()/pmuf_decide_fixed() must agree with it too.
 *
 * Events by the guest's PMU (its CPUID): branches retired Intel 0xC4, AMD
 * 0xC2; instructions retired 0xC0; core cycles Intel 0x3C, AMD 0x76. The
 * masked cases use the branch event's umask (0) since the workload only
 * makes branches and instructions; the kernel selftest's loads/stores
 * cases (MEM_INST_RETIRED / LS_DISPATCH umasks) would need a workload with
 * memory accesses, which the payload does not have. */
#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm-compat.h"
#include "vm.h"

enum ev { EV_BRANCHES = 0, EV_INSNS, EV_CYCLES, EV_BRANCHES_HI, NEV };
enum { NEED_MASKED = 1, NEED_AMD = 2 };

/* select per event: [0] Intel guest, [1] AMD guest */
static const uint16_t ev_select[NEV][2] = {
	[EV_BRANCHES] = { 0xC4, 0xC2 },
	[EV_INSNS] = { 0xC0, 0xC0 },
	[EV_CYCLES] = { 0x3C, 0x76 },
	[EV_BRANCHES_HI] = { 0x1C4, 0x1C2 }, /* select bit 8 set: another event on AMD */
};

/* A filter entry: kind 'E' exact, 'I' masked include, 'X' masked exclude. */
struct ent {
	char kind;
	uint8_t ev, mask, match;
};

struct count_case {
	const char *name;
	bool none;          /* no filter at all */
	uint32_t action;
	bool masked;
	bool dense;         /* plus 290 unrelated entries, as the selftest's dense run */
	struct ent e[3];
	uint8_t ev, umask;  /* what GP counter 0 counts */
	bool counts;        /* documented: counts (true) or reads 0 */
	unsigned needs;
};

#define A KVM_PMU_EVENT_ALLOW
#define D KVM_PMU_EVENT_DENY
#define E(ev) { 'E', (ev), 0, 0 }
#define I(ev, mask, match) { 'I', (ev), (mask), (match) }
#define X(ev, mask, match) { 'X', (ev), (mask), (match) }

static const struct count_case count_cases[] = {
	{ .name = "no-filter", .none = true, .ev = EV_BRANCHES, .counts = true },
	{ .name = "member-allow", .action = A, .e = { E(EV_BRANCHES), E(EV_INSNS), E(EV_CYCLES) },
	  .ev = EV_BRANCHES, .counts = true },
	{ .name = "member-deny", .action = D, .e = { E(EV_BRANCHES), E(EV_INSNS), E(EV_CYCLES) },
	  .ev = EV_BRANCHES, .counts = false },
	{ .name = "not-member-allow", .action = A, .e = { E(EV_INSNS), E(EV_CYCLES) },
	  .ev = EV_BRANCHES, .counts = false },
	{ .name = "not-member-deny", .action = D, .e = { E(EV_INSNS), E(EV_CYCLES) },
	  .ev = EV_BRANCHES, .counts = true },
	{ .name = "empty-allow", .action = A, .ev = EV_BRANCHES, .counts = false },
	{ .name = "empty-deny", .action = D, .ev = EV_BRANCHES, .counts = true },
	{ .name = "member-allow-dense", .action = A, .dense = true, .e = { E(EV_BRANCHES) },
	  .ev = EV_BRANCHES, .counts = true },
	{ .name = "member-deny-dense", .action = D, .dense = true, .e = { E(EV_BRANCHES) },
	  .ev = EV_BRANCHES, .counts = false },
	/* An exact entry matches one umask only. */
	{ .name = "other-umask-allow", .action = A, .e = { { 'E', EV_BRANCHES, 0, 1 } },
	  .ev = EV_BRANCHES, .counts = false },
	/* The selftest's test_amd_deny_list: 0x1C2 is not 0xC2 on AMD. */
	{ .name = "amd-deny-0x1c2", .action = D, .e = { E(EV_BRANCHES_HI) }, .ev = EV_BRANCHES,
	  .counts = true, .needs = NEED_AMD },
	{ .name = "masked-include-umask", .action = A, .masked = true,
	  .e = { I(EV_BRANCHES, 0xFF, 0) }, .ev = EV_BRANCHES, .counts = true, .needs = NEED_MASKED },
	{ .name = "masked-include-any-umask", .action = A, .masked = true,
	  .e = { I(EV_BRANCHES, 0, 0) }, .ev = EV_BRANCHES, .counts = true, .needs = NEED_MASKED },
	{ .name = "masked-include-other-umask", .action = A, .masked = true,
	  .e = { I(EV_BRANCHES, 0xFF, 1) }, .ev = EV_BRANCHES, .counts = false,
	  .needs = NEED_MASKED },
	{ .name = "masked-include-excluded", .action = A, .masked = true,
	  .e = { I(EV_BRANCHES, 0, 0), X(EV_BRANCHES, 0xFF, 0) }, .ev = EV_BRANCHES,
	  .counts = false, .needs = NEED_MASKED },
	{ .name = "masked-exclude-other-umask", .action = A, .masked = true,
	  .e = { I(EV_BRANCHES, 0, 0), X(EV_BRANCHES, 0xFF, 1) }, .ev = EV_BRANCHES,
	  .counts = true, .needs = NEED_MASKED },
	{ .name = "masked-deny-include", .action = D, .masked = true,
	  .e = { I(EV_BRANCHES, 0xFF, 0) }, .ev = EV_BRANCHES, .counts = false,
	  .needs = NEED_MASKED },
	{ .name = "masked-deny-excluded", .action = D, .masked = true,
	  .e = { I(EV_BRANCHES, 0, 0), X(EV_BRANCHES, 0xFF, 0) }, .ev = EV_BRANCHES,
	  .counts = true, .needs = NEED_MASKED },
	{ .name = "masked-include-excluded-dense", .action = A, .masked = true, .dense = true,
	  .e = { I(EV_BRANCHES, 0, 0), X(EV_BRANCHES, 0xFF, 0) }, .ev = EV_BRANCHES,
	  .counts = false, .needs = NEED_MASKED },
	{ .name = "masked-include-any-umask-dense", .action = A, .masked = true, .dense = true,
	  .e = { I(EV_BRANCHES, 0, 0) }, .ev = EV_BRANCHES, .counts = true, .needs = NEED_MASKED },
};
#define NCOUNT (sizeof(count_cases) / sizeof(count_cases[0]))

/* What the counting checks run with. */
struct count_env {
	int amd;                   /* guest PMU index into ev_select */
	enum guest_pmu_kind kind;
	enum pmuf_flavor flavor;   /* KVM's (or the CPU's) */
	enum pmuf_kernel kernel;
	unsigned nfixed;
};

static bool used_select(const struct count_env *env, unsigned sel)
{
	for (int e = 0; e < NEV; e++)
		if ((ev_select[e][env->amd] & 0xFF) == sel)
			return true;
	return false;
}

static int build(const struct count_env *env, const struct count_case *cs, struct pmuf_filter *f)
{
	pmuf_init(f, PMUF_ARCH_X86);
	f->action = cs->action;
	f->flags = cs->masked ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0;
	int r = 0;
	for (int i = 0; i < 3 && cs->e[i].kind && !r; i++) {
		const struct ent *e = &cs->e[i];
		uint16_t sel = ev_select[e->ev][env->amd];
		r = pmuf_add_event(f, e->kind == 'E' ? pmuf_exact_encode(sel, e->match)
				      : pmuf_masked_encode(sel, e->mask, e->match, e->kind == 'X'),
				   NULL);
	}
	/* The selftest's dense filler: selects i % 0xFF, every fourth an
	 * exclude in masked mode, skipping the selects the cases use. */
	for (unsigned i = 0, n = 0; cs->dense && n < 290 && !r; i++) {
		unsigned sel = i % 0xFF;
		if (used_select(env, sel))
			continue;
		r = pmuf_add_event(f, cs->masked ? pmuf_masked_encode((uint16_t)sel, 0, 0, i % 4 == 0)
						 : pmuf_exact_encode((uint16_t)sel, (uint8_t)(i / 0xFF)),
				   NULL);
		n++;
	}
	return r;
}

struct verify_out {
	struct guest_value_result gp;
	uint64_t fixed[GUEST_MAX_FIXED];
	uint32_t fixed_vec[GUEST_MAX_FIXED];
};

/* A fresh VM + vCPU, filter f (NULL: none), VERIFY of eventsel and nfixed
 * fixed counters. 0, or -errno with why[] saying what went wrong. */
static int verify(struct check_run *c, const struct count_env *env, const struct pmuf_filter *f,
		  uint64_t eventsel, struct verify_out *out, char *why, size_t wl)
{
	struct vm *vm;
	struct vcpu *v;
	int err = __vm_create(c->h.kvm_fd, &vm);
	if (err) {
		snprintf(why, wl, "cannot create a VM: %s", strerror(-err));
		return err;
	}
	err = __vcpu_add(vm, 0, &v);
	if (err) {
		snprintf(why, wl, "cannot add a vCPU: %s", strerror(-err));
		goto out;
	}
	if (f && (err = __vm_set_pmu_filter(vm->fd, f))) {
		snprintf(why, wl, "KVM_SET_PMU_EVENT_FILTER: %s", strerror(-err));
		goto out;
	}
	const struct vm_payload *p = vm_payload_find("pmu");
	err = p ? __vm_load(vm, p) : -ENOENT;
	if (err) {
		snprintf(why, wl, "cannot load the guest payload \"pmu\": %s", strerror(-err));
		goto out;
	}
	struct guest_mailbox *mb = vm_mailbox(vm);
	mb->cmd = GUEST_CMD_VERIFY;
	mb->pmu_kind = env->kind;
	mb->counter = 0;
	mb->nvalues = 1;
	mb->values[0] = eventsel;
	mb->workload_loops = c->o->workload_loops;
	mb->nfixed = env->nfixed;
	struct vm_run_result r;
	err = vcpu_run_to_end(v, c->o->timeout_ms, &r);
	if (err || r.kind != VM_EXIT_DONE || mb->status != GUEST_ST_OK || mb->nresults < 1) {
		snprintf(why, wl, "the guest did not finish VERIFY: %.200s (status %u)", r.msg,
			 mb->status);
		err = err ? err : -EPROTO;
		goto out;
	}
	/* vcpu_run_to_end checked the mailbox on DONE: nresults and vectors in range. */
	out->gp = mb->results[0];
	for (unsigned j = 0; j < env->nfixed; j++) {
		out->fixed[j] = mb->fixed_counts[j];
		out->fixed_vec[j] = mb->fixed_vector[j];
	}
out:
	vm_free(vm);
	return err;
}

static void run_case(struct check_run *c, const struct count_env *env, const struct count_case *cs)
{
	char name[96], why[320];
	snprintf(name, sizeof(name), "count/%s", cs->name);
	if ((cs->needs & NEED_MASKED) && c->h.cap_masked <= 0) {
		check_report(c, name, CHECK_SKIP, "KVM lacks KVM_CAP_PMU_EVENT_MASKED_EVENTS");
		return;
	}
	if ((cs->needs & NEED_AMD) && (!env->amd || env->flavor != PMUF_FLAVOR_AMD)) {
		check_report(c, name, CHECK_SKIP, "needs an AMD guest PMU and KVM's 12-bit AMD flavor");
		return;
	}
	struct pmuf_filter f;
	if (!cs->none && build(env, cs, &f)) {
		pmuf_free(&f);
		check_report(c, name, CHECK_FAIL, "out of memory building the filter");
		return;
	}
	uint64_t sel = pmuf_eventsel_make(ev_select[cs->ev][env->amd], cs->umask);
	bool lib;
	int r = pmuf_decide_gp(cs->none ? NULL : &f, env->flavor, env->kernel, sel, &lib);
	struct verify_out o;
	int err = r ? 0 : verify(c, env, cs->none ? NULL : &f, sel, &o, why, sizeof(why));
	if (!cs->none)
		pmuf_free(&f);
	if (r)
		check_report(c, name, CHECK_FAIL, "the library cannot decide: %s", pmuf_errno_name(r));
	else if (lib != cs->counts)
		check_report(c, name, CHECK_FAIL, "the library says %s, documented %s",
			     lib ? "allowed" : "denied", cs->counts ? "allowed" : "denied");
	else if (err)
		check_report(c, name, CHECK_FAIL, "%s", why);
	else if (o.gp.wrmsr_vector || o.gp.rdpmc_vector)
		check_report(c, name, CHECK_FAIL, "event select 0x%llx: the guest's %s raised vector %u%s",
			     (unsigned long long)sel, o.gp.wrmsr_vector ? "WRMSR" : "RDPMC",
			     o.gp.wrmsr_vector ? o.gp.wrmsr_vector : o.gp.rdpmc_vector,
			     (o.gp.wrmsr_vector ? o.gp.wrmsr_vector : o.gp.rdpmc_vector) == 13 ? " (#GP)"
												   : "");
	else if (cs->counts && o.gp.count_rdpmc == 0)
		check_report(c, name, CHECK_FAIL, "event select 0x%llx read 0 over %u loops; the filter "
			     "should allow it", (unsigned long long)sel, c->o->workload_loops);
	else if (!cs->counts && (o.gp.count_rdpmc || o.gp.count_rdmsr))
		check_report(c, name, CHECK_FAIL, "event select 0x%llx counted %llu (RDMSR %llu); the "
			     "filter should deny it", (unsigned long long)sel,
			     (unsigned long long)o.gp.count_rdpmc, (unsigned long long)o.gp.count_rdmsr);
	else
		check_report(c, name, CHECK_PASS, "%s (%llu)", cs->counts ? "counted" : "read 0",
			     (unsigned long long)o.gp.count_rdpmc);
}

/* The fixed-counter bitmap (Intel): for each fixed counter i, ALLOW with
 * only bit i set and DENY with only bit i set; then ALLOW with the
 * instructions event in events[] but bitmap 0 (events[] never decide for
 * fixed counters). Counter j must count iff pmuf_decide_fixed() says. */
static void run_fixed(struct check_run *c, const struct count_env *env, const char *name,
		      uint32_t action, uint32_t bitmap, bool with_event)
{
	char why[320];
	if (!env->nfixed) {
		check_report(c, name, CHECK_SKIP, "the vPMU has no fixed counters");
		return;
	}
	struct pmuf_filter f;
	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = action;
	f.fixed_counter_bitmap = bitmap;
	if (with_event && pmuf_add_event(&f, pmuf_exact_encode(0xC0, 0), NULL)) {
		pmuf_free(&f);
		check_report(c, name, CHECK_FAIL, "out of memory");
		return;
	}
	struct verify_out o;
	uint64_t sel = pmuf_eventsel_make(ev_select[EV_INSNS][env->amd], 0);
	int err = verify(c, env, &f, sel, &o, why, sizeof(why));
	if (err) {
		pmuf_free(&f);
		check_report(c, name, CHECK_FAIL, "%s", why);
		return;
	}
	char bad[256] = "";
	size_t off = 0;
	for (unsigned j = 0; j < env->nfixed; j++) {
		bool want = pmuf_decide_fixed(&f, j);
		const char *what = NULL;
		if (o.fixed_vec[j])
			what = "faulted";
		else if (want && !o.fixed[j])
			what = "read 0, should count";
		else if (!want && o.fixed[j])
			what = "counted, should read 0";
		if (what && off < sizeof(bad))
			off += (size_t)snprintf(bad + off, sizeof(bad) - off, "%sfixed counter %u %s (%llu)",
						off ? "; " : "", j, what, (unsigned long long)o.fixed[j]);
	}
	pmuf_free(&f);
	if (off)
		check_report(c, name, CHECK_FAIL, "%s", bad);
	else
		check_report(c, name, CHECK_PASS, "%u fixed counters as the bitmap says", env->nfixed);
}

static void skip_all(struct check_run *c, unsigned nfixed_names, const char *why)
{
	char name[96];
	for (size_t i = 0; i < NCOUNT; i++) {
		snprintf(name, sizeof(name), "count/%s", count_cases[i].name);
		check_report(c, name, CHECK_SKIP, "%s", why);
	}
	for (unsigned i = 0; i < nfixed_names; i++) {
		snprintf(name, sizeof(name), "count/fixed-allow-bit-%u", i);
		check_report(c, name, CHECK_SKIP, "%s", why);
		snprintf(name, sizeof(name), "count/fixed-deny-bit-%u", i);
		check_report(c, name, CHECK_SKIP, "%s", why);
	}
	check_report(c, "count/fixed-allow-events-only", CHECK_SKIP, "%s", why);
}

/* The counting environment: KVM's flavor and generation, and the guest's
 * PMU MSRs from its CPUID, read on a scratch vCPU. -1 with why. */
static int count_env_make(struct check_run *c, struct count_env *env, char *why, size_t wl)
{
	const struct check_host *h = &c->h;
	*env = (struct count_env){
		.flavor = h->flavor != PMUF_FLAVOR_UNSET ? h->flavor
			  : h->cpu_flavor != PMUF_FLAVOR_UNSET ? h->cpu_flavor : PMUF_FLAVOR_INTEL,
		.kernel = h->cap_masked > 0 ? PMUF_KERNEL_6_3 : PMUF_KERNEL_5_17,
	};
	struct vm *vm;
	struct vcpu *v;
	int err = __vm_create_with_vcpu(h->kvm_fd, &vm, &v);
	if (!err) {
		env->kind = vcpu_arch_pmu_kind(v);
		vm_free(vm);
	}
	if (err) {
		snprintf(why, wl, "cannot create a VM with a vCPU: %s", strerror(-err));
		return -1;
	}
	if (env->kind == GUEST_PMU_NONE) {
		snprintf(why, wl, "the guest's CPUID names no event-select MSRs (vendor neither Intel nor AMD)");
		return -1;
	}
	env->amd = env->kind != GUEST_PMU_INTEL;
	unsigned nfixed = env->amd ? 0 : h->vpmu.fixed_counters;
	env->nfixed = nfixed < GUEST_MAX_FIXED ? nfixed : GUEST_MAX_FIXED;
	return 0;
}

void check_counting(struct check_run *c)
{
	const struct check_host *h = &c->h;
	/* Without a vPMU there is nothing to count; the fixed cases are listed
	 * for the counters an Intel vPMU usually has (3). */
	if (h->kvm_fd < 0) {
		skip_all(c, 3, h->kvm_why);
		return;
	}
	if (h->cap_filter <= 0) {
		skip_all(c, 3, "KVM lacks KVM_CAP_PMU_EVENT_FILTER");
		return;
	}
	if (!h->run_counting) {
		skip_all(c, 3, h->no_vpmu);
		return;
	}
	struct count_env env;
	char why[160];
	if (count_env_make(c, &env, why, sizeof(why))) {
		skip_all(c, 3, why);
		return;
	}

	for (size_t i = 0; i < NCOUNT && !check_stopped(); i++)
		run_case(c, &env, &count_cases[i]);
	unsigned nnames = env.nfixed ? env.nfixed : 1;
	for (unsigned i = 0; i < nnames && !check_stopped(); i++) {
		char name[96];
		snprintf(name, sizeof(name), "count/fixed-allow-bit-%u", i);
		run_fixed(c, &env, name, KVM_PMU_EVENT_ALLOW, 1u << i, false);
		snprintf(name, sizeof(name), "count/fixed-deny-bit-%u", i);
		run_fixed(c, &env, name, KVM_PMU_EVENT_DENY, 1u << i, false);
	}
	if (!check_stopped())
		run_fixed(c, &env, "count/fixed-allow-events-only", KVM_PMU_EVENT_ALLOW, 0, true);
}

/* ---- the user's --filter files ---- */

/* One event under uf: counted iff the filter allows it. An allowed event
 * that reads 0 may simply not occur in the workload: skipped, not failed. */
static void user_count(struct check_run *c, const struct count_env *env, const struct user_filter *uf,
		       const char *what, uint64_t sel)
{
	char name[200], why[320];
	snprintf(name, sizeof(name), "user/%s/count/%s", uf->name, what);
	bool lib;
	int r = pmuf_decide_gp(&uf->f, env->flavor, env->kernel, sel, &lib);
	if (r) {
		check_report(c, name, CHECK_SKIP, "the library cannot decide with this KVM (%s)", pmuf_errno_name(r));
		return;
	}
	struct verify_out o;
	int err = verify(c, env, &uf->f, sel, &o, why, sizeof(why));
	if (err)
		check_report(c, name, CHECK_FAIL, "%s", why);
	else if (o.gp.wrmsr_vector || o.gp.rdpmc_vector)
		check_report(c, name, CHECK_FAIL, "event select 0x%llx: the guest's %s raised vector %u",
			     (unsigned long long)sel, o.gp.wrmsr_vector ? "WRMSR" : "RDPMC",
			     o.gp.wrmsr_vector ? o.gp.wrmsr_vector : o.gp.rdpmc_vector);
	else if (!lib && (o.gp.count_rdpmc || o.gp.count_rdmsr))
		check_report(c, name, CHECK_FAIL, "event select 0x%llx counted %llu; the filter denies it",
			     (unsigned long long)sel, (unsigned long long)o.gp.count_rdpmc);
	else if (lib && !o.gp.count_rdpmc)
		check_report(c, name, CHECK_SKIP, "event select 0x%llx is allowed but read 0 over %u loops: "
			     "it may not occur in the workload", (unsigned long long)sel, c->o->workload_loops);
	else
		check_report(c, name, CHECK_PASS, "%s (%llu)", lib ? "allowed, counted" : "denied, read 0",
			     (unsigned long long)o.gp.count_rdpmc);
}

void check_user_filters(struct check_run *c)
{
	const struct check_host *h = &c->h;
	for (size_t i = 0; i < c->o->nfilters && !check_stopped(); i++) {
		const struct user_filter *uf = &c->o->filters[i];
		const struct pmuf_filter *f = &uf->f;
		char name[200];
		snprintf(name, sizeof(name), "user/%s/install", uf->name);
		if (h->kvm_fd < 0 || h->cap_filter <= 0) {
			check_report(c, name, CHECK_SKIP, "%s",
				     h->kvm_fd < 0 ? h->kvm_why : "KVM lacks KVM_CAP_PMU_EVENT_FILTER");
			continue;
		}
		int vm = kvm_sys_create_vm(h->kvm_fd);
		if (vm < 0) {
			check_report(c, name, CHECK_FAIL, "KVM_CREATE_VM: %s", strerror(-vm));
			continue;
		}
		int kr = __vm_set_pmu_filter(vm, f);
		close(vm);
		struct pmuf_verdict v;
		enum pmuf_flavor fl = h->flavor != PMUF_FLAVOR_UNSET ? h->flavor : PMUF_FLAVOR_INTEL;
		int mr = pmuf_validate(f, fl, &v);
		if (kr != mr)
			check_report(c, name, CHECK_FAIL, "the kernel answers %s, the model %s%s%s (flavor %s)",
				     pmuf_errno_name(kr), pmuf_errno_name(mr), mr ? ": " : "", mr ? v.reason : "",
				     pmuf_flavor_name(fl));
		else
			check_report(c, name, CHECK_PASS, "kernel and model: %s%s%s (%s, %zu entries)",
				     pmuf_errno_name(kr), mr ? ": " : "", mr ? v.reason : "", uf->hash, f->nevents);
		pmuf_verdict_free(&v);

		snprintf(name, sizeof(name), "user/%s/count", uf->name);
		struct count_env env;
		char why[160];
		if (kr)
			check_report(c, name, CHECK_SKIP, "the kernel refuses the filter (%s)", pmuf_errno_name(kr));
		else if (!h->run_counting)
			check_report(c, name, CHECK_SKIP, "%s", h->no_vpmu);
		else if (count_env_make(c, &env, why, sizeof(why)))
			check_report(c, name, CHECK_SKIP, "%s", why);
		else {
			/* the event of the first entry, and one of a select no entry names */
			bool masked = pmuf_is_masked(f);
			if (f->nevents)
				user_count(c, &env, uf, "first-entry",
					   masked ? pmuf_eventsel_make(pmuf_masked_select(f->events[0]),
								       pmuf_masked_match(f->events[0]))
						  : pmuf_eventsel_make(pmuf_eventsel_select(f->events[0]),
								       pmuf_eventsel_umask(f->events[0])));
			for (unsigned k = 0; k < 256; k++) {
				uint16_t sel = (uint16_t)((0x80 + k) & 0xFF);
				bool used = false;
				for (size_t e = 0; e < f->nevents && !used; e++)
					used = (pmuf_masked_select(f->events[e]) & 0xFF) == sel;
				if (!used) {
					user_count(c, &env, uf, "unnamed-select", pmuf_eventsel_make(sel, 0));
					break;
				}
			}
		}
	}
}
