/* exception.c (guest, x86_64) — the C side of the exception stubs: log
 * vector, error code, RIP (and CR2) in the mailbox fault log; resume at
 * the fixup of a _safe access, else stop with an ABORT ucall. Also the
 * x86 doorbell (port I/O) and guest_stop. */
#include "guest.h"
#include "x86_64/processor.h"

volatile uint64_t guest_fixup_rip;
volatile uint32_t guest_fixup_vector;

struct guest_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

void guest_exception(struct guest_frame *f);

void guest_exception(struct guest_frame *f)
{
	volatile struct guest_mailbox *mb = GUEST_MB;
	uint32_t n = mb->nfaults;
	uint64_t cr2 = 0;
	if (f->vector == GUEST_PF)
		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	if (n < GUEST_MAX_FAULTS) {
		mb->faults[n].vector = (uint32_t)f->vector;
		mb->faults[n].fixed_up = guest_fixup_rip != 0;
		mb->faults[n].error_code = f->error_code;
		mb->faults[n].rip = f->rip;
		mb->faults[n].cr2 = cr2;
	}
	mb->nfaults = n + 1;
	if (guest_fixup_rip) {
		guest_fixup_vector = (uint32_t)f->vector;
		f->rip = guest_fixup_rip;
		guest_fixup_rip = 0;
		return;
	}
	mb->status = GUEST_ST_FAILED;
	guest_ucall(GUEST_UCALL_ABORT, __FILE__, __LINE__, "unexpected exception", f->vector,
		    f->rip);
}

void guest_arch_doorbell(void)
{
	outl(GUEST_PORT_UCALL, 0);
}

void guest_stop(void)
{
	for (;;) {
		cli();
		hlt();
	}
}
