/* baseline.c (guest payload "baseline", arm64) — plain exits to read a PMU
 * exit against: HVC (SMCCC_VERSION, answered inside KVM), a store to an
 * unbacked page (GUEST_MMIO_BENCH: an MMIO exit to userspace), a trapped
 * system register read that is not the PMU (ID_AA64DFR0_EL1, trapped by
 * HCR_EL2.TID3 and emulated in KVM), and an empty timed region.
 *
 * Timing modes as on x86: EACH brackets every instruction with isb; mrs
 * cntvct_el0 in one asm statement; AMORTIZED times a loop of block_len
 * instructions. GUEST_F_OMIT_INSN / GUEST_F_PAIRED as on x86.
 *
 * Protocol: warmup, GUEST_SYNC(1), timed samples, GUEST_SYNC(2), DONE. */
#include "guest.h"
#include "arm64/processor.h"

GUEST_PAYLOAD("baseline");

#define SMCCC_VERSION 0x80000000ull

/* T0 keeps the start count in x9; T1 leaves the elapsed ticks in %0. */
#define T0 "isb\n\tmrs x9, cntvct_el0\n\t"
#define T1 "isb\n\tmrs %0, cntvct_el0\n\tsub %0, %0, x9\n\t"
#define CLOB "x0", "x1", "x2", "x3", "x9", "x17", "memory"

static uint64_t one(uint32_t cmd, int omit)
{
	uint64_t t;
	switch (omit ? GUEST_CMD_NOP : cmd) {
	case GUEST_CMD_HVC:
		__asm__ volatile(T0 "mov x0, %1\n\thvc #0\n\t" T1
				 : "=&r"(t) : "r"(SMCCC_VERSION) : CLOB);
		break;
	case GUEST_CMD_MMIO:
		__asm__ volatile(T0 "str wzr, [%1]\n\t" T1
				 : "=&r"(t) : "r"(GUEST_MMIO_BENCH) : CLOB);
		break;
	case GUEST_CMD_SYSREG:
		__asm__ volatile(T0 "mrs x17, id_aa64dfr0_el1\n\t" T1 : "=&r"(t)::CLOB);
		break;
	default:
		__asm__ volatile(T0 T1 : "=&r"(t)::CLOB);
	}
	return t;
}

static uint64_t block(uint32_t cmd, int omit, uint64_t n)
{
	uint64_t t;
	switch (omit ? GUEST_CMD_NOP : cmd) {
	case GUEST_CMD_HVC:
		__asm__ volatile(T0 "1:\n\tmov x0, %2\n\thvc #0\n\tsubs %1, %1, #1\n\tb.ne 1b\n\t" T1
				 : "=&r"(t), "+r"(n) : "r"(SMCCC_VERSION) : CLOB, "cc");
		break;
	case GUEST_CMD_MMIO:
		__asm__ volatile(T0 "1:\n\tstr wzr, [%2]\n\tsubs %1, %1, #1\n\tb.ne 1b\n\t" T1
				 : "=&r"(t), "+r"(n) : "r"(GUEST_MMIO_BENCH) : CLOB, "cc");
		break;
	case GUEST_CMD_SYSREG:
		__asm__ volatile(T0 "1:\n\tmrs x17, id_aa64dfr0_el1\n\tsubs %1, %1, #1\n\tb.ne 1b\n\t" T1
				 : "=&r"(t), "+r"(n)::CLOB, "cc");
		break;
	default:
		__asm__ volatile(T0 "1:\n\tsubs %1, %1, #1\n\tb.ne 1b\n\t" T1
				 : "=&r"(t), "+r"(n)::CLOB, "cc");
	}
	return t;
}

void guest_main(volatile struct guest_mailbox *mb)
{
	uint32_t cmd = mb->cmd;
	if (cmd != GUEST_CMD_NOP && cmd != GUEST_CMD_HVC && cmd != GUEST_CMD_MMIO &&
	    cmd != GUEST_CMD_SYSREG) {
		mb->status = GUEST_ST_BAD_CMD;
		return;
	}
	uint32_t nreq = mb->nsamples_req, blen = mb->block_len ? mb->block_len : 1;
	int omit = (mb->flags & GUEST_F_OMIT_INSN) != 0, paired = (mb->flags & GUEST_F_PAIRED) != 0;
	uint64_t execd = 0;
	for (uint32_t i = 0; i < mb->warmup; i++) {
		(void)one(cmd, omit);
		execd += cmd != GUEST_CMD_NOP && !omit;
	}
	mb->exiting_insns = execd;
	GUEST_SYNC(1);
	execd = 0;
	mb->tsc_begin = guest_tsc_start();
	for (uint32_t i = 0; i < nreq; i++) {
		int om = omit || (paired && (i & 1));
		uint64_t per = cmd != GUEST_CMD_NOP && !om, t;
		if (mb->mode == GUEST_MODE_AMORTIZED) {
			t = block(cmd, om, blen);
			execd += per * blen;
		} else {
			t = one(cmd, om);
			execd += per;
		}
		guest_record(mb, t);
	}
	mb->tsc_end = guest_tsc_stop();
	mb->exiting_insns = execd;
	GUEST_SYNC(2);
}
