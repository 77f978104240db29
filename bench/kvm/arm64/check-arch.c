/* check-arch.c (arm64) — `pfbench check` on arm64 (check.h). Every case
 * names what it shows; the documented behaviour (arch/arm64/kvm/pmu-emul.c,
 * Documentation/virt/kvm/devices/vcpu.rst) is the expectation, and the
 * library model (pmuf_arm_decide, pmuf_arm_bitmap) must agree with it:
 *
 *  arm64/attr/order                   the sequence of filters/pmuf-arm64.h
 *                                     (filters, IRQ, vGIC init, INIT) is accepted
 *  arm64/attr/filter-after-init-ebusy a filter after KVM_ARM_VCPU_PMU_V3_INIT: EBUSY
 *  arm64/attr/filter-after-run-ebusy  on a vCPU without INIT: accepted before
 *                                     any vCPU ran, EBUSY after the first run
 *  arm64/attr/bad-action-einval       action 2: EINVAL
 *  arm64/attr/range-einval            base + nevents beyond the event space: EINVAL
 *  arm64/attr/init-before-vgic-enodev INIT before the vGIC is initialised: ENODEV
 *  arm64/attr/init-without-irq-enxio  INIT without KVM_ARM_VCPU_PMU_V3_IRQ: ENXIO
 *  arm64/attr/no-pmu-enodev           a filter on a vCPU without PMUv3: ENODEV
 *  arm64/count/<case>                 in a guest: event counter 0 programmed with
 *                                     INST_RETIRED, CPU_CYCLES, SW_INCR, and the
 *                                     cycle counter; allowed ones count, denied
 *                                     ones read 0 (SW_INCR counts whatever the
 *                                     filter says, CPU_CYCLES decides the cycle
 *                                     counter, the first filter's action sets
 *                                     the default)
 *  arm64/pmceid/<case>                PMCEID0/1 as the guest reads them = the
 *                                     unfiltered ones masked by the model's bitmap
 *  arm64/count/allowed-inst-retired-exact
 *                                     INST_RETIRED over loops and 2 x loops of a
 *                                     2-instruction loop differs by exactly
 *                                     2 x loops (exact where the PMU counts
 *                                     instructions exactly, e.g. QEMU -icount)
 */
#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "pmuf-arm64.h"
#include "vm.h"

#define A PMUF_ALLOW
#define D PMUF_DENY
#define EV_INST GUEST_ARM_EV_INST_RETIRED
#define EV_CYC GUEST_ARM_EV_CPU_CYCLES
#define EV_SWINC GUEST_ARM_EV_SW_INCR

struct range {
	uint16_t base, n;
	uint8_t action;
};

struct count_case {
	const char *name;
	size_t nr;
	struct range r[2];
};

static const struct count_case cases[] = {
	{ "no-filter", 0, { { 0 } } },
	{ "allow-inst-retired", 1, { { EV_INST, 1, A } } },
	{ "deny-inst-retired", 1, { { EV_INST, 1, D } } },
	{ "deny-cpu-cycles", 1, { { EV_CYC, 1, D } } },
	{ "multiple-first-allow-default-deny", 2, { { 0, 0x10, A }, { 6, 3, D } } },
	{ "cancel-allow-then-deny", 2, { { EV_CYC, 1, A }, { EV_CYC, 1, D } } },
	{ "sw-incr-under-deny", 1, { { EV_SWINC, 1, D } } },
};

/* What event counter 0 is programmed with, in VERIFY's values[]. */
static const uint16_t events[] = { EV_INST, EV_CYC, EV_SWINC };
#define NEV (sizeof(events) / sizeof(events[0]))

static int build(const struct count_case *cs, int event_bits, struct pmuf_filter *f)
{
	pmuf_init(f, PMUF_ARCH_ARM64);
	f->arm_event_bits = (unsigned)event_bits;
	for (size_t i = 0; i < cs->nr; i++) {
		int err = pmuf_add_range(f, cs->r[i].base, cs->r[i].n, cs->r[i].action);
		if (err)
			return err;
	}
	return 0;
}

struct verify_out {
	uint64_t count[NEV], cycles, pmceid[2];
	uint32_t vec[NEV], cyc_vec;
};

/* A fresh VM with f, then VERIFY over `loops`. 0, or -errno with why[]. */
static int verify(struct check_run *c, const struct pmuf_filter *f, uint32_t loops,
		  struct verify_out *out, char *why, size_t wl)
{
	struct vm *vm;
	struct vcpu *v;
	int err = __vm_create_with_vcpu(c->h.kvm_fd, &vm, &v);
	if (err) {
		snprintf(why, wl, "creating a VM: %s", pmuf_errno_name(err));
		return err;
	}
	err = __vm_arm_pmu_setup(vm, f && f->nranges ? f : NULL);
	if (err) {
		snprintf(why, wl, "%s", vm->arch.pmu_why);
		goto out;
	}
	err = __vm_load(vm, vm_payload_find("pmu"));
	if (err) {
		snprintf(why, wl, "loading the pmu payload: %s", pmuf_errno_name(err));
		goto out;
	}
	struct guest_mailbox *mb = vm_mailbox(vm);
	mb->cmd = GUEST_CMD_VERIFY;
	mb->pmu_kind = GUEST_PMU_PMUV3;
	mb->workload_loops = loops;
	mb->nvalues = NEV;
	mb->nfixed = 1;
	for (size_t i = 0; i < NEV; i++)
		mb->values[i] = events[i];
	struct vm_run_result r;
	err = vcpu_run_to_end(v, c->o->timeout_ms, &r);
	if (err || r.kind != VM_EXIT_DONE || mb->status != GUEST_ST_OK) {
		snprintf(why, wl, "guest run: %.200s (status %u)", r.msg, mb->status);
		err = err ? err : -EPROTO;
		goto out;
	}
	/* vcpu_run checked the mailbox on DONE: nresults <= nvalues. */
	if (mb->nresults != NEV) {
		snprintf(why, wl, "the guest reported %u results, want %zu", mb->nresults, NEV);
		err = -EPROTO;
		goto out;
	}
	for (size_t i = 0; i < NEV; i++) {
		const struct guest_value_result *res = &mb->results[i];
		out->vec[i] = res->wrmsr_vector ? res->wrmsr_vector : res->rdpmc_vector;
		out->count[i] = res->count_rdpmc;
	}
	out->cycles = mb->fixed_counts[0];
	out->cyc_vec = mb->fixed_vector[0];
	out->pmceid[0] = mb->arch_out[GUEST_ARM_OUT_PMCEID0];
	out->pmceid[1] = mb->arch_out[GUEST_ARM_OUT_PMCEID1];
out:
	vm_free(vm);
	return err;
}

static const char *ev_name(uint16_t e)
{
	return e == EV_INST ? "INST_RETIRED" : e == EV_CYC ? "CPU_CYCLES" : "SW_INCR";
}

/* PMCEID0/1's bits for events 0..63 (low halves) and 0x4000..0x403F (high
 * halves, 16-bit event space only) from the model's bitmap. */
static void pmceid_mask(const uint64_t *bm, unsigned nr_events, uint64_t mask[2])
{
	for (int w = 0; w < 2; w++) {
		mask[w] = 0;
		for (unsigned i = 0; i < 32; i++) {
			unsigned lo = 32 * (unsigned)w + i, hi = 0x4000 + lo;
			if (bm[lo / 64] >> (lo % 64) & 1)
				mask[w] |= 1ull << i;
			if (hi < nr_events && (bm[hi / 64] >> (hi % 64) & 1))
				mask[w] |= 1ull << (32 + i);
		}
	}
}

static void count_case(struct check_run *c, const struct count_case *cs, int event_bits,
		       const uint64_t base_pmceid[2], bool have_base)
{
	char name[96], pname[96], why[320];
	snprintf(name, sizeof(name), "arm64/count/%s", cs->name);
	snprintf(pname, sizeof(pname), "arm64/pmceid/%s", cs->name);
	struct pmuf_filter f;
	if (build(cs, event_bits, &f)) {
		check_report(c, name, CHECK_FAIL, "the case's filter is invalid for the model");
		pmuf_free(&f);
		return;
	}
	struct verify_out o;
	memset(&o, 0, sizeof(o));
	uint32_t loops = c->o->workload_loops ? c->o->workload_loops : 1000;
	if (verify(c, cs->nr ? &f : NULL, loops, &o, why, sizeof(why))) {
		check_report(c, name, CHECK_FAIL, "%s", why);
		if (cs->nr)
			check_report(c, pname, CHECK_FAIL, "%s", why);
		pmuf_free(&f);
		return;
	}
	char got[320];
	size_t n = 0;
	bool ok = true;
	for (size_t i = 0; i <= NEV; i++) {
		uint16_t ev = i < NEV ? events[i] : EV_CYC;
		bool allowed = true;
		int err = pmuf_arm_decide(cs->nr ? &f : NULL, ev, &allowed);
		uint64_t cnt = i < NEV ? o.count[i] : o.cycles;
		uint32_t vec = i < NEV ? o.vec[i] : o.cyc_vec;
		/* SW_INCR: exactly one count per PMSWINC write. */
		bool match = !err && !vec &&
			     (allowed ? (ev == EV_SWINC ? cnt == loops : cnt > 0) : cnt == 0);
		ok = ok && match;
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s%s %llu (%s%s)",
				      i ? ", " : "", i < NEV ? "" : "cycle counter/",
				      ev_name(ev), (unsigned long long)cnt,
				      allowed ? "allowed" : "denied", match ? "" : ": WRONG");
		if (n >= sizeof(got))
			n = sizeof(got) - 1;
	}
	check_report(c, name, ok ? CHECK_PASS : CHECK_FAIL, "%s", got);

	if (cs->nr && have_base) {
		uint64_t *bm = NULL, mask[2];
		if (pmuf_arm_bitmap(&f, &bm, NULL) || !bm) {
			check_report(c, pname, CHECK_FAIL, "the model builds no bitmap");
		} else {
			pmceid_mask(bm, pmuf_arm_nr_events(&f), mask);
			uint64_t want0 = base_pmceid[0] & mask[0], want1 = base_pmceid[1] & mask[1];
			bool pok = o.pmceid[0] == want0 && o.pmceid[1] == want1;
			check_report(c, pname, pok ? CHECK_PASS : CHECK_FAIL,
				     "PMCEID0 0x%llx PMCEID1 0x%llx; unfiltered 0x%llx 0x%llx masked by the "
				     "filter: 0x%llx 0x%llx",
				     (unsigned long long)o.pmceid[0], (unsigned long long)o.pmceid[1],
				     (unsigned long long)base_pmceid[0], (unsigned long long)base_pmceid[1],
				     (unsigned long long)want0, (unsigned long long)want1);
		}
		free(bm);
	} else if (cs->nr) {
		check_report(c, pname, CHECK_SKIP, "no unfiltered PMCEID to compare with");
	}
	pmuf_free(&f);
}

/* INST_RETIRED over loops and 2 x loops under an ALLOW of it. */
static void exact(struct check_run *c, int event_bits, const uint64_t base_pmceid[2])
{
	const char *name = "arm64/count/allowed-inst-retired-exact";
	if (!(base_pmceid[0] >> EV_INST & 1)) {
		check_report(c, name, CHECK_SKIP,
			     "PMCEID0 bit 8 is clear: this PMU does not implement INST_RETIRED "
			     "(QEMU TCG counts it only with -icount)");
		return;
	}
	struct count_case cs = { "x", 1, { { EV_INST, 1, A } } };
	struct pmuf_filter f;
	char why[320];
	uint32_t loops = c->o->workload_loops ? c->o->workload_loops : 1000;
	struct verify_out o1, o2;
	memset(&o1, 0, sizeof(o1));
	memset(&o2, 0, sizeof(o2));
	if (build(&cs, event_bits, &f) || verify(c, &f, loops, &o1, why, sizeof(why)) ||
	    verify(c, &f, 2 * loops, &o2, why, sizeof(why))) {
		check_report(c, name, CHECK_FAIL, "%s", why);
		pmuf_free(&f);
		return;
	}
	pmuf_free(&f);
	uint64_t d = o2.count[0] - o1.count[0];
	check_report(c, name, d == 2ull * loops ? CHECK_PASS : CHECK_FAIL,
		     "INST_RETIRED %llu over %u loops, %llu over %u: difference %llu, want %llu "
		     "(2 instructions per loop)",
		     (unsigned long long)o1.count[0], loops, (unsigned long long)o2.count[0],
		     2 * loops, (unsigned long long)d, 2ull * loops);
}

/* ---- the attribute order ---- */

static int fresh(struct check_run *c, unsigned nvcpus, struct vm **vm, char *why, size_t wl)
{
	struct vcpu *v;
	int err = __vm_create(c->h.kvm_fd, vm);
	for (unsigned i = 0; !err && i < nvcpus; i++)
		err = __vcpu_add(*vm, i, &v);
	if (!err && !(*vm)->vcpus[0]->arch.pmu)
		err = -ENODEV;
	if (err) {
		snprintf(why, wl, "creating a VM with %u PMUv3 vCPU(s): %s", nvcpus, pmuf_errno_name(err));
		vm_free(*vm);
		*vm = NULL;
	}
	return err;
}

static void expect(struct check_run *c, const char *name, int got, int want, const char *what)
{
	check_report(c, name, got == want ? CHECK_PASS : CHECK_FAIL, "%s: %s (documented: %s)", what,
		     pmuf_errno_name(got), pmuf_errno_name(want));
}

/* The attribute order, then a filter after INIT. */
static void attr_order(struct check_run *c, int event_bits)
{
	char why[200];
	struct vm *vm;
	struct pmuf_arm64_kvm_filter flt;
	struct pmuf_arm_range r = { EV_INST, 1, PMUF_ALLOW };
	if (fresh(c, 1, &vm, why, sizeof(why))) {
		check_report(c, "arm64/attr/order", CHECK_FAIL, "%s", why);
		check_report(c, "arm64/attr/filter-after-init-ebusy", CHECK_FAIL, "%s", why);
		return;
	}
	struct pmuf_filter f;
	struct count_case cs = { "x", 2, { { EV_INST, 1, A }, { EV_CYC, 1, A } } };
	int err = build(&cs, event_bits, &f) ? -EINVAL : __vm_arm_pmu_setup(vm, &f);
	pmuf_free(&f);
	check_report(c, "arm64/attr/order", err ? CHECK_FAIL : CHECK_PASS, "%s",
		     err ? vm->arch.pmu_why :
			   "SET_PMU (where the kernel has it), 2 x FILTER, IRQ (PPI 23), vGIC "
			   "CTRL_INIT, INIT: all accepted");
	pmuf_arm_kvm_filter(&r, &flt);
	if (!err)
		expect(c, "arm64/attr/filter-after-init-ebusy",
		       __vcpu_arm_pmu_attr(vm, 0, PMUF_ARM_VCPU_PMU_V3_FILTER, &flt), -EBUSY,
		       "KVM_ARM_VCPU_PMU_V3_FILTER after INIT");
	else
		check_report(c, "arm64/attr/filter-after-init-ebusy", CHECK_FAIL,
			     "the set-up failed first: %s", vm->arch.pmu_why);
	vm_free(vm);
}

/* After the first run, on a second vCPU that never got INIT. */
static void attr_after_run(struct check_run *c)
{
	const char *name = "arm64/attr/filter-after-run-ebusy";
	char why[200];
	struct vm *vm;
	struct pmuf_arm64_kvm_filter flt;
	struct pmuf_arm_range r = { EV_INST, 1, PMUF_ALLOW };
	if (fresh(c, 2, &vm, why, sizeof(why))) {
		check_report(c, name, CHECK_FAIL, "%s", why);
		return;
	}
	int before = -1, after = -1, err = __vm_arm_pmu_setup_n(vm, NULL, 1);
	pmuf_arm_kvm_filter(&r, &flt);
	if (!err)
		before = __vcpu_arm_pmu_attr(vm, 1, PMUF_ARM_VCPU_PMU_V3_FILTER, &flt);
	if (!err)
		err = __vm_load(vm, vm_payload_find("pmu"));
	struct vm_run_result rr;
	if (!err) {
		struct guest_mailbox *mb = vm_mailbox(vm);
		mb->cmd = GUEST_CMD_VERIFY;
		mb->nvalues = 1;
		mb->values[0] = EV_INST;
		mb->workload_loops = 10;
		err = vcpu_run_to_end(vm->vcpus[0], c->o->timeout_ms, &rr);
		if (!err && rr.kind != VM_EXIT_DONE)
			err = -EPROTO;
	}
	if (!err)
		after = __vcpu_arm_pmu_attr(vm, 1, PMUF_ARM_VCPU_PMU_V3_FILTER, &flt);
	if (err)
		check_report(c, name, CHECK_FAIL, "setting up or running vCPU 0: %s%s%s",
			     pmuf_errno_name(err), vm->arch.pmu_why[0] ? ": " : "",
			     vm->arch.pmu_why);
	else
		check_report(c, name, before == 0 && after == -EBUSY ? CHECK_PASS : CHECK_FAIL,
			     "KVM_ARM_VCPU_PMU_V3_FILTER on vCPU 1 (no INIT): %s before vCPU 0 "
			     "ran, %s after (documented: ok, EBUSY)",
			     pmuf_errno_name(before), pmuf_errno_name(after));
	vm_free(vm);
}

/* Invalid filters, and INIT out of order, each on a fresh VM. */
static void attr_invalid(struct check_run *c, int event_bits)
{
	char why[200];
	struct vm *vm;
	struct pmuf_arm64_kvm_filter flt;
	unsigned nr_events = event_bits == 10 ? 1024 : 65536;
	if (!fresh(c, 1, &vm, why, sizeof(why))) {
		memset(&flt, 0, sizeof(flt));
		flt.base_event = EV_INST;
		flt.nevents = 1;
		flt.action = 2;
		expect(c, "arm64/attr/bad-action-einval",
		       __vcpu_arm_pmu_attr(vm, 0, PMUF_ARM_VCPU_PMU_V3_FILTER, &flt), -EINVAL,
		       "KVM_ARM_VCPU_PMU_V3_FILTER with action 2");
		flt.action = KVM_PMU_EVENT_ALLOW;
		flt.base_event = (uint16_t)(nr_events - 1);
		flt.nevents = 2;
		char what[96];
		snprintf(what, sizeof(what), "KVM_ARM_VCPU_PMU_V3_FILTER [0x%x, +2) in a %u-event space",
			 nr_events - 1, nr_events);
		expect(c, "arm64/attr/range-einval",
		       __vcpu_arm_pmu_attr(vm, 0, PMUF_ARM_VCPU_PMU_V3_FILTER, &flt), -EINVAL, what);
		int irq = VM_ARCH_PMU_PPI;
		int e = __vcpu_arm_pmu_attr(vm, 0, PMUF_ARM_VCPU_PMU_V3_IRQ, &irq);
		expect(c, "arm64/attr/init-before-vgic-enodev",
		       e ? e : __vcpu_arm_pmu_attr(vm, 0, PMUF_ARM_VCPU_PMU_V3_INIT, NULL), -ENODEV,
		       "KVM_ARM_VCPU_PMU_V3_INIT with the IRQ set, before the vGIC's CTRL_INIT");
		vm->arch.pmu_done = true; /* never run: no payload load */
		vm_free(vm);
	}
	if (!fresh(c, 1, &vm, why, sizeof(why))) {
		int e = __vm_arm_vgic_init(vm);
		expect(c, "arm64/attr/init-without-irq-enxio",
		       e ? e : __vcpu_arm_pmu_attr(vm, 0, PMUF_ARM_VCPU_PMU_V3_INIT, NULL), -ENXIO,
		       "KVM_ARM_VCPU_PMU_V3_INIT after the vGIC's CTRL_INIT, without the IRQ");
		vm_free(vm);
	}
}

/* A vCPU without the PMUv3 feature. */
static void attr_no_pmu(struct check_run *c)
{
	const char *name = "arm64/attr/no-pmu-enodev";
	struct pmuf_arm64_kvm_filter flt;
	struct pmuf_arm_range r = { EV_INST, 1, PMUF_ALLOW };
	int vmfd = kvm_sys_create_vm(c->h.kvm_fd), vcpu = -1;
	struct kvm_vcpu_init init;
	memset(&init, 0, sizeof(init));
	if (vmfd < 0 || ioctl(vmfd, KVM_ARM_PREFERRED_TARGET, &init) < 0 ||
	    (vcpu = ioctl(vmfd, KVM_CREATE_VCPU, 0)) < 0 || ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0) {
		check_report(c, name, CHECK_FAIL, "a vCPU without PMUv3: %s", strerror(errno));
	} else {
		pmuf_arm_kvm_filter(&r, &flt);
		struct kvm_device_attr a = { .group = KVM_ARM_VCPU_PMU_V3_CTRL,
					     .attr = KVM_ARM_VCPU_PMU_V3_FILTER,
					     .addr = (uint64_t)(uintptr_t)&flt };
		int e = ioctl(vcpu, KVM_SET_DEVICE_ATTR, &a) < 0 ? -errno : 0;
		expect(c, name, e, -ENODEV, "KVM_ARM_VCPU_PMU_V3_FILTER on a vCPU without PMUv3");
	}
	if (vcpu >= 0)
		close(vcpu);
	if (vmfd >= 0)
		close(vmfd);
}

static void attr_cases(struct check_run *c, int event_bits)
{
	attr_order(c, event_bits);
	attr_after_run(c);
	attr_invalid(c, event_bits);
	attr_no_pmu(c);
}

void check_arch_all(struct check_run *c)
{
	/* --filter reads x86 filters (KVM_SET_PMU_EVENT_FILTER's entries). */
	if (c->o->nfilters)
		check_report(c, "user", CHECK_SKIP, "--filter: %zu x86 filter file(s); the user/... "
			     "checks run on x86 hosts only", c->o->nfilters);
	if (c->h.kvm_fd < 0) {
		check_report(c, "arm64", CHECK_SKIP, "%s", c->h.kvm_why);
		return;
	}
	if (!c->h.run_counting) {
		check_report(c, "arm64", CHECK_SKIP, "%s", c->h.no_vpmu);
		return;
	}
	struct vm *vm;
	struct vcpu *v;
	int event_bits = 16;
	if (!__vm_create_with_vcpu(c->h.kvm_fd, &vm, &v)) {
		event_bits = vcpu_arm_event_bits(vm, 0);
		vm->arch.pmu_done = true;
		vm_free(vm);
	}
	attr_cases(c, event_bits);
	if (check_stopped()) /* a signal: keep what finished (check.h) */
		return;

	/* The unfiltered PMCEID comes from the no-filter case, run first. */
	struct verify_out base;
	char why[320];
	memset(&base, 0, sizeof(base));
	bool have_base = !verify(c, NULL, 10, &base, why, sizeof(why));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) && !check_stopped(); i++)
		count_case(c, &cases[i], event_bits, base.pmceid, have_base);
	if (check_stopped())
		return;
	if (have_base)
		exact(c, event_bits, base.pmceid);
	else
		check_report(c, "arm64/count/allowed-inst-retired-exact", CHECK_FAIL, "%s", why);
}
