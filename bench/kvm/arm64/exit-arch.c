/* exit-arch.c (arm64) — the arm64 half of `pfbench exit` (exit-priv.h):
 * the baseline rows (HVC answered in KVM, an MMIO store handled in
 * userspace, a trapped ID-register read), the PMU register family, and the
 * host facts for the context. The sweep is exit-sweep.c. */
#include "exit-priv.h"

#include <stdio.h>
#include <string.h>

#include "out.h"

#define MEAS_VPMU "PMEVTYPER0_EL0 write trap: filter bitmap check and perf event re-creation (vPMU)"
#define MEAS_NOVPMU "no vPMU: the PMU register write is an UNDEF, not a filter lookup"

const char *exit_pmu_kind_name(enum guest_pmu_kind k)
{
	return k == GUEST_PMU_PMUV3 ? "pmuv3" : "none";
}

const char *exit_arch_reprogram_measures(const struct exit_host *h)
{
	return h->vpmu && h->pmu_kind == GUEST_PMU_PMUV3 ? MEAS_VPMU : MEAS_NOVPMU;
}

const struct exit_baseline exit_arch_baselines[] = {
	{ "sysreg", GUEST_CMD_SYSREG, "MRS ID_AA64DFR0_EL1 (trapped by HCR_EL2.TID3, emulated in KVM)",
	  EXIT_BL_VALIDITY, NULL },
	{ "mmio", GUEST_CMD_MMIO, "STR to an unbacked page (MMIO exit handled in userspace)", 0, NULL },
	{ "hvc", GUEST_CMD_HVC, "HVC #0 SMCCC_VERSION (answered inside KVM)", EXIT_BL_VALIDITY, NULL },
	{ NULL, 0, NULL, 0, NULL },
};

void exit_arch_fill_baseline(struct guest_mailbox *mb, const struct exit_host *h)
{
	(void)h;
	mb->nvalues = 1;
	mb->values[0] = 0;
}

const char *exit_arch_insn_detail(const struct exit_host *h)
{
	(void)h;
	return "";
}

void exit_arch_probe(struct exit_host *h, struct vm *vm, struct vcpu *v, unsigned timeout_ms)
{
	(void)timeout_ms;
	snprintf(h->exec_why, sizeof(h->exec_why),
		 "not probed on arm64 (x86 counts KVM's insn_emulation per CPUID); KVM arm64 runs the "
		 "guest with hardware virtualization (nested under an emulator when records say "
		 "`emulated`)");
	h->arch.event_bits = vcpu_arm_event_bits(vm, v->id);
	if (h->pmu_kind != GUEST_PMU_PMUV3)
		snprintf(h->arch.pmu_why, sizeof(h->arch.pmu_why), "%s",
			 !vm->arch.pmu_cap ? "KVM has no KVM_CAP_ARM_PMU_V3" :
			 vm->arch.gic_fd < 0 ? "no in-kernel vGICv3 for the overflow interrupt" :
					       "the vCPU has no PMUv3");
}

void exit_arch_host_json(const struct exit_host *h, json_t *o)
{
	json_object_set_new(o, "pmu_msrs", json_string(exit_pmu_kind_name(h->pmu_kind)));
	json_object_set_new(o, "pmu_msrs_detail",
			    json_string(h->pmu_kind == GUEST_PMU_PMUV3 ?
					"PMEVTYPER0_EL0 / PMEVCNTR0_EL0, PMCCNTR_EL0 (trapped by MDCR_EL2.TPM)" :
					h->arch.pmu_why));
	json_object_set_new(o, "event_bits", json_integer(h->arch.event_bits));
	json_object_set_new(o, "timer", json_string("isb; mrs cntvct_el0 in the guest, converted with cntfrq_el0"));
	json_object_set_new(o, "guest_execution", json_string("hardware virtualization (KVM arm64)"));
}
