/* exit-arch.c (x86_64) — the x86 half of `pfbench exit` (exit-priv.h):
 * the baseline rows (CPUID, RDMSR/WRMSR of an in-kernel MSR, port write,
 * VMCALL), the probe for that MSR and for KVM's instruction emulator, the
 * event-select MSR families, and the sweep's record words. The sweep
 * itself is exit-sweep.c. */
#include "exit-priv.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "out.h"

#define MEAS_VPMU "event-select WRMSR exit: filter check and counter reprogram (vPMU)"
#define MEAS_NOVPMU "PMU MSR exit path without vPMU (not a filter lookup)"

const char *exit_pmu_kind_name(enum guest_pmu_kind k)
{
	switch (k) {
	case GUEST_PMU_INTEL:
		return "intel";
	case GUEST_PMU_AMD_CORE:
		return "amd-core";
	case GUEST_PMU_AMD_K7:
		return "amd-k7";
	default:
		return "none";
	}
}

static const char *pmu_kind_msrs(enum guest_pmu_kind k)
{
	switch (k) {
	case GUEST_PMU_INTEL:
		return "IA32_PERFEVTSEL0 (0x186) / IA32_PMC0 (0xc1)";
	case GUEST_PMU_AMD_CORE:
		return "PERF_CTL0 (0xc0010200) / PERF_CTR0 (0xc0010201)";
	case GUEST_PMU_AMD_K7:
		return "K7 EVNTSEL0 (0xc0010000) / PERFCTR0 (0xc0010004)";
	default:
		return "none";
	}
}

const char *exit_arch_reprogram_measures(const struct exit_host *h)
{
	return h->vpmu ? MEAS_VPMU : MEAS_NOVPMU;
}

/* ---- baselines ---- */

static bool have_msr(const struct exit_opts *o, const struct exit_host *h, char *why, size_t len)
{
	(void)o;
	if (!h->arch.msr)
		snprintf(why, len, "%s", h->arch.msr_why);
	return h->arch.msr != 0;
}

static bool vmcall_wanted(const struct exit_opts *o, const struct exit_host *h, char *why,
			  size_t len)
{
	(void)h;
	if (o->skip_vmcall)
		snprintf(why, len, "--no-vmcall");
	return !o->skip_vmcall;
}

const struct exit_baseline exit_arch_baselines[] = {
	{ "cpuid", GUEST_CMD_CPUID, "CPUID leaf 0", EXIT_BL_VALIDITY, NULL },
	{ "rdmsr", GUEST_CMD_RDMSR, "RDMSR %s", 0, have_msr },
	{ "wrmsr", GUEST_CMD_WRMSR, "WRMSR %s, 0", EXIT_BL_VALIDITY, have_msr },
	{ "pio", GUEST_CMD_PIO, "OUT to port 0x1001 (handled in userspace)", 0, NULL },
	{ "vmcall", GUEST_CMD_VMCALL, "VMCALL/VMMCALL (unknown hypercall nr 0)", EXIT_BL_RISKY,
	  vmcall_wanted },
	{ NULL, 0, NULL, 0, NULL },
};

void exit_arch_fill_baseline(struct guest_mailbox *mb, const struct exit_host *h)
{
	mb->msr = h ? h->arch.msr : 0;
	mb->leaf = 0;
	mb->nvalues = 1;
	mb->values[0] = 0; /* WRMSR writes 0, as kvm-unit-tests' wr_tsc_adjust_msr */
}

const char *exit_arch_insn_detail(const struct exit_host *h)
{
	return h->arch.msr_name;
}

/* ---- probing the host ---- */

/* The KVM vendor module loaded (sysfs), for the context. */
static const char *kvm_vendor_module(void)
{
	static const char *const mods[] = { "kvm_pvm", "kvm_intel", "kvm_amd" };
	char path[64];
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		snprintf(path, sizeof(path), "/sys/module/%s", mods[i]);
		if (!access(path, F_OK))
			return mods[i];
	}
	return NULL;
}

struct msr_cand {
	uint32_t msr;
	const char *name;
};

/* MSRs KVM emulates in the kernel without the PMU; the first a guest can
 * read and write without #GP is the baseline. */
static const struct msr_cand msr_cands[] = {
	{ 0x3b, "IA32_TSC_ADJUST (0x3b)" },
	{ 0x48, "IA32_SPEC_CTRL (0x48)" },
	{ 0xc0000103, "IA32_TSC_AUX (0xc0000103)" },
	{ 0, NULL },
};

/* The probe's baseline runs use the MSR under test, not h->arch.msr. */
struct probe_arg {
	struct exit_bl_arg bl;
	uint32_t msr;
};

static void fill_probe(struct guest_mailbox *mb, const void *arg)
{
	const struct probe_arg *a = arg;
	exit_fill_baseline(mb, &a->bl);
	mb->msr = a->msr;
}

void exit_arch_probe(struct exit_host *h, struct vm *vm, struct vcpu *v, unsigned timeout_ms)
{
	struct exit_meas m;
	struct probe_arg a = { .bl = { .cmd = GUEST_CMD_WRMSR, .samples = 1, .warmup = 1, .block = 1 } };
	size_t n = 0;
	for (const struct msr_cand *c = msr_cands; c->name; c++) {
		a.msr = c->msr;
		a.bl.cmd = GUEST_CMD_WRMSR;
		int e1 = exit_run_payload(vm, v, "baseline", fill_probe, &a, timeout_ms, &m);
		exit_meas_free(&m);
		a.bl.cmd = GUEST_CMD_RDMSR;
		int e2 = e1 ? e1 : exit_run_payload(vm, v, "baseline", fill_probe, &a, timeout_ms, &m);
		exit_meas_free(&m);
		if (!e1 && !e2) {
			h->arch.msr = c->msr;
			h->arch.msr_name = c->name;
			break;
		}
		n += (size_t)snprintf(h->arch.msr_why + n,
				      n < sizeof(h->arch.msr_why) ? sizeof(h->arch.msr_why) - n : 0,
				      "%s%s faults", n ? "; " : "", c->name);
		if (n >= sizeof(h->arch.msr_why))
			n = sizeof(h->arch.msr_why) - 1;
	}

	/* Is the guest executed by KVM's instruction emulator (e.g. PVM with a
	 * non-PVM guest)? insn_emulation and exits per timed CPUID tell. */
	struct probe_arg c = { .bl = { .cmd = GUEST_CMD_CPUID, .samples = 50, .warmup = 5, .block = 1 } };
	if (!exit_run_payload(vm, v, "baseline", fill_probe, &c, timeout_ms, &m) && m.exiting &&
	    m.timed.have_stats) {
		if (m.timed.delta.insn_emulation != VM_STAT_ABSENT)
			h->emulated_per_insn = (double)m.timed.delta.insn_emulation / (double)m.exiting;
		if (m.timed.delta.exits != VM_STAT_ABSENT)
			h->exits_per_insn = (double)m.timed.delta.exits / (double)m.exiting;
	}
	exit_meas_free(&m);
	h->exec = exit_classify_exec(h->emulated_per_insn, h->exits_per_insn, h->exec_why,
				     sizeof(h->exec_why));
	h->kvm_module = kvm_vendor_module();
}

void exit_arch_host_json(const struct exit_host *h, json_t *o)
{
	json_object_set_new(o, "pmu_msrs", json_string(exit_pmu_kind_name(h->pmu_kind)));
	json_object_set_new(o, "pmu_msrs_detail", json_string(pmu_kind_msrs(h->pmu_kind)));
	json_object_set_new(o, "baseline_msr", h->arch.msr ? json_string(h->arch.msr_name) : json_null());
	if (!h->arch.msr)
		json_object_set_new(o, "baseline_msr_why", json_string(h->arch.msr_why));
	out_set_real(o, "kvm_insn_emulation_per_cpuid", h->emulated_per_insn);
	out_set_real(o, "kvm_exits_per_cpuid", h->exits_per_insn);
	json_object_set_new(o, "guest_execution", json_string(exit_exec_name(h->exec)));
	json_object_set_new(o, "guest_execution_why", json_string(h->exec_why));
	json_object_set_new(o, "kvm_module", h->kvm_module ? json_string(h->kvm_module) : json_null());
}
