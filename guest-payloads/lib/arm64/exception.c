/* exception.c (guest, arm64) — the C side of the vector table: log the
 * exception class (ESR_EL1.EC) as the fault "vector", ESR_EL1 as its error
 * code, ELR_EL1 and FAR_EL1 in the mailbox fault log; resume at the fixup
 * of a _safe access, else stop with an ABORT ucall. Also the arm64
 * doorbell (an MMIO store) and guest_stop. */
#include "guest.h"
#include "arm64/processor.h"

volatile uint64_t guest_fixup_pc;
volatile uint32_t guest_fixup_vector;

struct guest_frame {
	uint64_t x[31];
	uint64_t elr, spsr, pad;
};

void guest_exception(struct guest_frame *f, uint64_t idx);

void guest_exception(struct guest_frame *f, uint64_t idx)
{
	volatile struct guest_mailbox *mb = GUEST_MB;
	uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);
	uint32_t ec = (uint32_t)((esr >> 26) & 0x3f);
	uint32_t n = mb->nfaults;
	if (n < GUEST_MAX_FAULTS) {
		mb->faults[n].vector = ec;
		mb->faults[n].fixed_up = guest_fixup_pc != 0;
		mb->faults[n].error_code = esr;
		mb->faults[n].pc = f->elr;
		mb->faults[n].addr = far;
	}
	mb->nfaults = n + 1;
	/* Only synchronous exceptions (entries 0, 4: current EL) can be fixed up. */
	if (guest_fixup_pc && (idx == 0 || idx == 4)) {
		/* EC 0 (unknown) would read as "no fault": report it as 0x3f+1. */
		guest_fixup_vector = ec ? ec : GUEST_ARM_EC_UNKNOWN;
		f->elr = guest_fixup_pc;
		guest_fixup_pc = 0;
		return;
	}
	mb->status = GUEST_ST_FAILED;
	guest_ucall(GUEST_UCALL_ABORT, __FILE__, __LINE__, "unexpected exception", ec, f->elr);
}

void guest_arch_doorbell(void)
{
	mmio_write32(GUEST_MMIO_UCALL, 0);
}

void guest_stop(void)
{
	for (;;)
		__asm__ volatile("wfi" ::: "memory");
}
