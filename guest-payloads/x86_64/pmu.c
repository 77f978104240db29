/* pmu.c (guest payload "pmu") — counter reprogramming under a PMU event
 * filter.
 *
 * REPROGRAM: per sample, for value v = values[s % nvalues]: zero the
 * counter, write the event select (timed, serialized TSC), run the
 * workload, read the counter with RDPMC and RDMSR, disable. Every timed
 * write changes the MSR (0 -> v), so KVM re-evaluates the filter each time.
 * With GUEST_F_WRITES_ONLY only the timed writes run, cycling values[].
 * A fault (#GP: MSR or PMU absent) is recorded per value and counted, not
 * fatal. VERIFY: each value once over the workload, plus fixed counters
 * (Intel) — which counted and which read 0.
 *
 * Protocol as baseline.c: warmup, GUEST_SYNC(1), timed part, GUEST_SYNC(2). */
#include "guest.h"
#include "x86_64/processor.h"

GUEST_PAYLOAD("pmu");

#define MSR_IA32_PMC0 0xC1
#define MSR_IA32_PERFEVTSEL0 0x186
#define MSR_IA32_FIXED_CTR0 0x309
#define MSR_IA32_FIXED_CTR_CTRL 0x38D
#define MSR_IA32_PERF_GLOBAL_CTRL 0x38F
#define MSR_F15H_PERF_CTL0 0xC0010200
#define MSR_F15H_PERF_CTR0 0xC0010201
#define MSR_K7_EVNTSEL0 0xC0010000
#define MSR_K7_PERFCTR0 0xC0010004
#define EVENTSEL_EN (1ull << 22)

struct pmu_msrs {
	uint32_t sel, ctr;
};

static int msrs_for(uint32_t kind, uint32_t i, struct pmu_msrs *m)
{
	switch (kind) {
	case GUEST_PMU_INTEL:
		m->sel = MSR_IA32_PERFEVTSEL0 + i;
		m->ctr = MSR_IA32_PMC0 + i;
		return 0;
	case GUEST_PMU_AMD_CORE:
		m->sel = MSR_F15H_PERF_CTL0 + 2 * i;
		m->ctr = MSR_F15H_PERF_CTR0 + 2 * i;
		return 0;
	case GUEST_PMU_AMD_K7:
		m->sel = MSR_K7_EVNTSEL0 + i;
		m->ctr = MSR_K7_PERFCTR0 + i;
		return 0;
	}
	return -1;
}

/* Intel v2+: counters also need their PERF_GLOBAL_CTRL bit. */
static void global_enable(uint32_t kind, uint64_t bits)
{
	if (kind != GUEST_PMU_INTEL || (cpuid(0xA, 0).eax & 0xff) < 2)
		return;
	(void)wrmsr_safe(MSR_IA32_PERF_GLOBAL_CTRL, bits);
}

/* One full cycle for value index k; returns exiting instructions issued. */
static uint64_t cycle(volatile struct guest_mailbox *mb, const struct pmu_msrs *m, uint32_t k,
		      int timed)
{
	volatile struct guest_value_result *r = &mb->results[k];
	uint64_t v = mb->values[k], t = 0, c = 0;
	(void)wrmsr_safe(m->ctr, 0);
	uint32_t vec = timed ? wrmsr_timed_safe(m->sel, v, &t) : wrmsr_safe(m->sel, v);
	r->value = v;
	r->wrmsr_vector = vec;
	if (timed && !vec)
		guest_record(mb, t);
	guest_workload(mb->workload_loops ? mb->workload_loops : 1);
	r->rdpmc_vector = rdpmc_safe(mb->counter, &c);
	r->count_rdpmc = c;
	r->rdmsr_vector = rdmsr_safe(m->ctr, &c);
	r->count_rdmsr = c;
	(void)wrmsr_safe(m->sel, 0);
	return 5;
}

static void reprogram(volatile struct guest_mailbox *mb, const struct pmu_msrs *m)
{
	uint32_t nv = mb->nvalues;
	uint64_t execd = 0;
	global_enable(mb->pmu_kind, 1ull << mb->counter);
	for (uint32_t i = 0; i < mb->warmup; i++)
		execd += cycle(mb, m, i % nv, 0);
	mb->exiting_insns = execd;
	GUEST_SYNC(1);
	execd = 0;
	mb->tsc_begin = guest_tsc_start();
	if (mb->flags & GUEST_F_WRITES_ONLY) {
		for (uint32_t s = 0; s < mb->nsamples_req; s++) {
			uint32_t k = s % nv;
			uint64_t t;
			uint32_t vec = wrmsr_timed_safe(m->sel, mb->values[k], &t);
			mb->results[k].value = mb->values[k];
			mb->results[k].wrmsr_vector = vec;
			if (!vec)
				guest_record(mb, t);
			execd++;
		}
		(void)wrmsr_safe(m->sel, 0);
		execd++;
	} else {
		for (uint32_t s = 0; s < mb->nsamples_req; s++)
			execd += cycle(mb, m, s % nv, 1);
	}
	mb->tsc_end = guest_tsc_stop();
	mb->nresults = nv;
	mb->exiting_insns = execd;
	GUEST_SYNC(2);
}

static void verify(volatile struct guest_mailbox *mb, const struct pmu_msrs *m)
{
	GUEST_SYNC(1);
	global_enable(mb->pmu_kind, 1ull << mb->counter);
	for (uint32_t k = 0; k < mb->nvalues; k++)
		(void)cycle(mb, m, k, 0);
	mb->nresults = mb->nvalues;
	for (uint32_t j = 0; j < mb->nfixed; j++) {
		uint64_t c = 0;
		uint32_t vec = wrmsr_safe(MSR_IA32_FIXED_CTR0 + j, 0);
		vec = vec ? vec : wrmsr_safe(MSR_IA32_FIXED_CTR_CTRL, 3ull << (4 * j));
		global_enable(mb->pmu_kind, 1ull << (32 + j));
		guest_workload(mb->workload_loops ? mb->workload_loops : 1);
		vec = vec ? vec : rdpmc_safe((1u << 30) | j, &c);
		(void)wrmsr_safe(MSR_IA32_FIXED_CTR_CTRL, 0);
		mb->fixed_counts[j] = c;
		mb->fixed_vector[j] = vec;
	}
	GUEST_SYNC(2);
}

void guest_main(volatile struct guest_mailbox *mb)
{
	struct pmu_msrs m;
	uint32_t cmd = mb->cmd;
	if (cmd != GUEST_CMD_REPROGRAM && cmd != GUEST_CMD_VERIFY) {
		mb->status = GUEST_ST_BAD_CMD;
		return;
	}
	/* The host checked these; a payload still never indexes past its arrays. */
	GUEST_ASSERT(mb->nvalues >= 1 && mb->nvalues <= GUEST_MAX_VALUES);
	GUEST_ASSERT(mb->nfixed <= GUEST_MAX_FIXED);
	GUEST_ASSERT(msrs_for(mb->pmu_kind, mb->counter, &m) == 0);
	if (cmd == GUEST_CMD_REPROGRAM)
		reprogram(mb, &m);
	else
		verify(mb, &m);
}
