/* pmu.c (guest payload "pmu", arm64) — PMUv3 counter reprogramming and
 * counting checks, on event counter 0 and the cycle counter. Every PMU
 * register access traps to KVM (MDCR_EL2.TPM), so each is an exit.
 *
 * REPROGRAM: per sample, the timed write of PMEVTYPER0_EL0 with values[k]
 * (isb; mrs cntvct_el0 on both sides; k cycles through values[], or with
 * GUEST_F_ARM_TIME_FIRST k = 0 after untimed writes of the other values);
 * unless GUEST_F_WRITES_ONLY, then a
 * full cycle: zero the counter, enable it (PMCNTENSET, PMCR_EL0.E), run
 * the workload, read PMEVCNTR0_EL0 directly and through PMSELR/PMXEVCNTR,
 * disable. VERIFY: one untimed cycle per values[k] (SW_INCR events are
 * driven by workload_loops writes to PMSWINC_EL0 instead of the loop);
 * with nfixed >= 1 the cycle counter too (PMCCFILTR_EL0 = 0, counting at
 * EL1); PMCEID0/1, PMCR_EL0 and ID_AA64DFR0_EL1 into arch_out[].
 * Both commands first disable every counter (pmu_quiesce). */
#include "guest.h"
#include "arm64/processor.h"

GUEST_PAYLOAD("pmu");

#define PMCR_E (1ull << 0)
#define PMCR_P (1ull << 1) /* reset event counters */
#define PMCR_C (1ull << 2) /* reset the cycle counter */
#define CYCLE_BIT (1ull << 31)
#define ALL_COUNTERS 0xffffffffull /* P0..P30 and C; KVM ignores counters past PMCR_EL0.N */

/* KVM resets PMCNTENSET_EL0, PMINTENSET_EL1 and PMOVSSET_EL0 to an
 * UNKNOWN value, not 0 (reset_pmu_reg: under 6.12, counters 1-4 and the
 * cycle counter enabled, with PMEVTYPER<n> event 0xc0de). Left so, the
 * first PMCR_EL0.E write makes KVM create perf events for all of them
 * unless the filter denies their events, and those live events change
 * what every later re-creation of counter 0's event costs: an allow list
 * (which denies them) measured 1,100 instructions dearer than no filter
 * (docs/methodology.md, "The arm64 runs under QEMU"). So every run
 * starts with all counters disabled, their interrupts off and no overflow
 * pending, as Linux's driver starts. Not with PMCR_EL0.P as Linux does:
 * zeroing the counters makes KVM re-create (disabled) perf events for
 * them, the live events this avoids. A counter left enabled fails the
 * run. */
static void pmu_quiesce(void)
{
	uint64_t left = 0;
	if (write_sysreg_safe(pmcntenclr_el0, ALL_COUNTERS))
		return; /* no PMU registers: nothing to clear */
	(void)write_sysreg_safe(pmintenclr_el1, ALL_COUNTERS);
	(void)write_sysreg_safe(pmovsclr_el0, ALL_COUNTERS);
	(void)read_sysreg_safe(pmcntenset_el0, &left);
	GUEST_ASSERT_EQ(left, 0);
}

/* Zero, enable, run, read, disable; returns the exiting accesses made. */
static uint64_t cycle(volatile struct guest_mailbox *mb, uint32_t k)
{
	volatile struct guest_value_result *r = &mb->results[k];
	uint64_t v = mb->values[k], loops = mb->workload_loops ? mb->workload_loops : 1, c = 0;
	uint32_t ec = write_sysreg_safe(pmevcntr0_el0, 0);
	ec = ec ? ec : write_sysreg_safe(pmcntenset_el0, 1);
	ec = ec ? ec : write_sysreg_safe(pmcr_el0, PMCR_E);
	if ((v & 0xffff) == GUEST_ARM_EV_SW_INCR) {
		for (uint64_t i = 0; i < loops && !ec; i++)
			ec = write_sysreg_safe(pmswinc_el0, 1);
	} else {
		guest_workload(loops);
	}
	(void)write_sysreg_safe(pmcntenclr_el0, 1);
	r->rdpmc_vector = read_sysreg_safe(pmevcntr0_el0, &c);
	r->count_rdpmc = c;
	uint32_t e2 = write_sysreg_safe(pmselr_el0, 0);
	r->rdmsr_vector = e2 ? e2 : read_sysreg_safe(pmxevcntr_el0, &c);
	r->count_rdmsr = c;
	r->value = v;
	if (!r->wrmsr_vector)
		r->wrmsr_vector = ec;
	return 7;
}

static uint32_t write_type_timed(uint64_t v, uint64_t *t)
{
	uint64_t t0 = guest_tsc_start();
	uint32_t ec = write_sysreg_safe(pmevtyper0_el0, v);
	*t = guest_tsc_stop() - t0;
	return ec;
}

/* Sample s's value: with GUEST_F_ARM_TIME_FIRST always values[0], the
 * others written untimed first (counted in *execd); else values[s % nv]. */
static uint32_t sample_value(volatile struct guest_mailbox *mb, uint32_t s, uint64_t *execd)
{
	if (!(mb->flags & GUEST_F_ARM_TIME_FIRST))
		return s % mb->nvalues;
	for (uint32_t j = 1; j < mb->nvalues; j++) {
		uint32_t ec = write_sysreg_safe(pmevtyper0_el0, mb->values[j]);
		mb->results[j].value = mb->values[j];
		if (ec && !mb->results[j].wrmsr_vector)
			mb->results[j].wrmsr_vector = ec;
		(*execd)++;
	}
	return 0;
}

static void reprogram(volatile struct guest_mailbox *mb)
{
	uint32_t nv = mb->nvalues;
	uint64_t execd = 0, t;
	for (uint32_t i = 0; i < mb->warmup; i++) {
		uint32_t k = sample_value(mb, i, &execd);
		mb->results[k].wrmsr_vector = write_type_timed(mb->values[k], &t);
		execd += 1 + (mb->flags & GUEST_F_WRITES_ONLY ? 0 : cycle(mb, k));
	}
	mb->exiting_insns = execd;
	GUEST_SYNC(1);
	execd = 0;
	mb->tsc_begin = guest_tsc_start();
	for (uint32_t s = 0; s < mb->nsamples_req; s++) {
		uint32_t k = sample_value(mb, s, &execd);
		uint32_t ec = write_type_timed(mb->values[k], &t);
		mb->results[k].value = mb->values[k];
		mb->results[k].wrmsr_vector = ec;
		if (!ec)
			guest_record(mb, t);
		execd++;
		if (!(mb->flags & GUEST_F_WRITES_ONLY))
			execd += cycle(mb, k);
	}
	mb->tsc_end = guest_tsc_stop();
	mb->nresults = nv;
	mb->exiting_insns = execd;
	GUEST_SYNC(2);
}

static void verify(volatile struct guest_mailbox *mb)
{
	uint64_t x = 0;
	GUEST_SYNC(1);
	(void)read_sysreg_safe(pmceid0_el0, &x);
	mb->arch_out[GUEST_ARM_OUT_PMCEID0] = x;
	(void)read_sysreg_safe(pmceid1_el0, &x);
	mb->arch_out[GUEST_ARM_OUT_PMCEID1] = x;
	(void)read_sysreg_safe(pmcr_el0, &x);
	mb->arch_out[GUEST_ARM_OUT_PMCR] = x;
	mb->arch_out[GUEST_ARM_OUT_DFR0] = read_sysreg(id_aa64dfr0_el1);
	for (uint32_t k = 0; k < mb->nvalues; k++) {
		mb->results[k].wrmsr_vector = write_sysreg_safe(pmevtyper0_el0, mb->values[k]);
		(void)cycle(mb, k);
	}
	mb->nresults = mb->nvalues;
	if (mb->nfixed >= 1) {
		uint64_t loops = mb->workload_loops ? mb->workload_loops : 1, c = 0;
		uint32_t ec = write_sysreg_safe(pmccfiltr_el0, 0);
		ec = ec ? ec : write_sysreg_safe(pmccntr_el0, 0);
		ec = ec ? ec : write_sysreg_safe(pmcntenset_el0, CYCLE_BIT);
		ec = ec ? ec : write_sysreg_safe(pmcr_el0, PMCR_E);
		guest_workload(loops);
		(void)write_sysreg_safe(pmcntenclr_el0, CYCLE_BIT);
		ec = ec ? ec : read_sysreg_safe(pmccntr_el0, &c);
		mb->fixed_counts[0] = c;
		mb->fixed_vector[0] = ec;
	}
	GUEST_SYNC(2);
}

void guest_main(volatile struct guest_mailbox *mb)
{
	uint32_t cmd = mb->cmd;
	if (cmd != GUEST_CMD_REPROGRAM && cmd != GUEST_CMD_VERIFY) {
		mb->status = GUEST_ST_BAD_CMD;
		return;
	}
	/* The host checked these; a payload still never indexes past its arrays. */
	GUEST_ASSERT(mb->nvalues >= 1 && mb->nvalues <= GUEST_MAX_VALUES);
	GUEST_ASSERT(mb->nfixed <= GUEST_MAX_FIXED);
	(void)PMCR_P;
	(void)PMCR_C;
	pmu_quiesce();
	if (cmd == GUEST_CMD_REPROGRAM)
		reprogram(mb);
	else
		verify(mb);
}
