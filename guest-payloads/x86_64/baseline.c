/* baseline.c (guest payload "baseline") — plain exits to read a PMU exit
 * against: CPUID, RDMSR and WRMSR of an MSR KVM handles in the kernel,
 * VMCALL/VMMCALL, a port write to userspace (GUEST_PORT_BENCH), and an
 * empty timed region.
 *
 * Two independent timing modes:
 *  - EACH: every instruction bracketed by serialized TSC reads, all in one
 *    asm statement (one sample per instruction);
 *  - AMORTIZED: kvm-unit-tests x86/vmexit.c's method — a tight loop of
 *    block_len instructions timed as one block (one sample per block).
 * With GUEST_F_OMIT_INSN the same code runs with the exiting instruction
 * left out, so the host can subtract the overhead measured the same way.
 * With GUEST_F_PAIRED samples alternate with and without it (even/odd), so
 * the overhead is measured right beside each sample.
 *
 * Protocol: warmup, GUEST_SYNC(1), timed samples, GUEST_SYNC(2), DONE —
 * the host reads KVM stats over exactly the timed part. */
#include "guest.h"
#include "x86_64/processor.h"

GUEST_PAYLOAD("baseline");

/* Start/stop of a timed region: the start TSC is kept in r8, the elapsed
 * ticks end in rax. Both ends are lfence; rdtsc; lfence. */
#define T0 "lfence\n\trdtsc\n\tlfence\n\tshl $32, %%rdx\n\tor %%rdx, %%rax\n\tmov %%rax, %%r8\n\t"
#define T1 "lfence\n\trdtsc\n\tlfence\n\tshl $32, %%rdx\n\tor %%rdx, %%rax\n\tsub %%r8, %%rax\n\t"

struct bl {
	uint32_t cmd, leaf, msr, lo, hi, vendor, omit;
};

/* ---- EACH: one instruction per sample; returns the fault vector ---- */
static uint32_t each(const struct bl *b, uint64_t *ticks)
{
	uint64_t t = 0;
	uint32_t c = 0;
	switch (b->cmd) {
	case GUEST_CMD_NOP:
		__asm__ volatile(T0 T1 : "=&a"(t)::"rdx", "r8", "memory");
		break;
	case GUEST_CMD_CPUID:
		c = 0;
		if (b->omit)
			__asm__ volatile(T0 "mov %k[l], %%eax\n\t" T1
					 : "=&a"(t), "+c"(c) : [l] "r"(b->leaf) : "rbx", "rdx", "r8", "memory");
		else
			__asm__ volatile(T0 "mov %k[l], %%eax\n\tcpuid\n\t" T1
					 : "=&a"(t), "+c"(c) : [l] "r"(b->leaf) : "rbx", "rdx", "r8", "memory");
		break;
	case GUEST_CMD_RDMSR:
		c = b->msr;
		if (b->omit)
			__asm__ volatile(GUEST_FIXUP_ARM T0 T1 GUEST_FIXUP_DONE
					 : "=&a"(t), "+c"(c)::"rdx", "r8", "r11", "memory");
		else
			__asm__ volatile(GUEST_FIXUP_ARM T0 "rdmsr\n\t" T1 GUEST_FIXUP_DONE
					 : "=&a"(t), "+c"(c)::"rdx", "r8", "r11", "memory");
		break;
	case GUEST_CMD_WRMSR:
		c = b->msr;
		if (b->omit)
			__asm__ volatile(GUEST_FIXUP_ARM T0 "mov %k[lo], %%eax\n\tmov %k[hi], %%edx\n\t" T1
					 GUEST_FIXUP_DONE
					 : "=&a"(t), "+c"(c) : [lo] "r"(b->lo), [hi] "r"(b->hi)
					 : "rdx", "r8", "r11", "memory");
		else
			__asm__ volatile(GUEST_FIXUP_ARM T0 "mov %k[lo], %%eax\n\tmov %k[hi], %%edx\n\t"
					 "wrmsr\n\t" T1 GUEST_FIXUP_DONE
					 : "=&a"(t), "+c"(c) : [lo] "r"(b->lo), [hi] "r"(b->hi)
					 : "rdx", "r8", "r11", "memory");
		break;
	case GUEST_CMD_VMCALL:
		if (b->omit)
			__asm__ volatile(T0 "xor %%eax, %%eax\n\t" T1
					 : "=&a"(t)::"rbx", "rcx", "rdx", "rsi", "r8", "memory");
		else if (b->vendor == GUEST_VENDOR_AMD)
			__asm__ volatile(T0 "xor %%eax, %%eax\n\tvmmcall\n\t" T1
					 : "=&a"(t)::"rbx", "rcx", "rdx", "rsi", "r8", "memory");
		else
			__asm__ volatile(T0 "xor %%eax, %%eax\n\tvmcall\n\t" T1
					 : "=&a"(t)::"rbx", "rcx", "rdx", "rsi", "r8", "memory");
		break;
	case GUEST_CMD_PIO:
		c = GUEST_PORT_BENCH;
		/* out %eax, (%dx): rdx is reloaded from rcx after rdtsc clobbered it. */
		if (b->omit)
			__asm__ volatile(T0 "mov %%ecx, %%edx\n\t" T1
					 : "=&a"(t), "+c"(c)::"rdx", "r8", "memory");
		else
			__asm__ volatile(T0 "mov %%ecx, %%edx\n\tout %%eax, (%%dx)\n\t" T1
					 : "=&a"(t), "+c"(c)::"rdx", "r8", "memory");
		break;
	}
	*ticks = t;
	return (b->cmd == GUEST_CMD_RDMSR || b->cmd == GUEST_CMD_WRMSR) ? guest_fixup_vector : 0;
}

/* ---- AMORTIZED: a loop of n (>= 1) instructions timed as one block ---- */
static uint64_t amortized(const struct bl *b, uint32_t n)
{
	uint64_t t = 0;
	uint32_t c = 0, k = n;
	switch (b->cmd) {
	case GUEST_CMD_NOP:
		__asm__ volatile(T0 "1:\n\tdec %k[k]\n\tjnz 1b\n\t" T1
				 : "=&a"(t), [k] "+r"(k)::"rdx", "r8", "memory");
		break;
	case GUEST_CMD_CPUID:
		if (b->omit)
			__asm__ volatile(T0 "1:\n\tmov %k[l], %%eax\n\txor %%ecx, %%ecx\n\t"
					 "dec %k[k]\n\tjnz 1b\n\t" T1
					 : "=&a"(t), [k] "+r"(k), "+c"(c) : [l] "r"(b->leaf)
					 : "rbx", "rdx", "r8", "memory");
		else
			__asm__ volatile(T0 "1:\n\tmov %k[l], %%eax\n\txor %%ecx, %%ecx\n\tcpuid\n\t"
					 "dec %k[k]\n\tjnz 1b\n\t" T1
					 : "=&a"(t), [k] "+r"(k), "+c"(c) : [l] "r"(b->leaf)
					 : "rbx", "rdx", "r8", "memory");
		break;
	case GUEST_CMD_RDMSR:
		c = b->msr;
		if (b->omit)
			__asm__ volatile(T0 "1:\n\tdec %k[k]\n\tjnz 1b\n\t" T1
					 : "=&a"(t), [k] "+r"(k), "+c"(c)::"rdx", "r8", "memory");
		else
			__asm__ volatile(T0 "1:\n\trdmsr\n\tdec %k[k]\n\tjnz 1b\n\t" T1
					 : "=&a"(t), [k] "+r"(k), "+c"(c)::"rdx", "r8", "memory");
		break;
	case GUEST_CMD_WRMSR:
		c = b->msr;
		if (b->omit)
			__asm__ volatile(T0 "1:\n\tmov %k[lo], %%eax\n\tmov %k[hi], %%edx\n\t"
					 "dec %k[k]\n\tjnz 1b\n\t" T1
					 : "=&a"(t), [k] "+r"(k), "+c"(c) : [lo] "r"(b->lo), [hi] "r"(b->hi)
					 : "rdx", "r8", "memory");
		else
			__asm__ volatile(T0 "1:\n\tmov %k[lo], %%eax\n\tmov %k[hi], %%edx\n\twrmsr\n\t"
					 "dec %k[k]\n\tjnz 1b\n\t" T1
					 : "=&a"(t), [k] "+r"(k), "+c"(c) : [lo] "r"(b->lo), [hi] "r"(b->hi)
					 : "rdx", "r8", "memory");
		break;
	case GUEST_CMD_VMCALL:
		if (b->omit)
			__asm__ volatile(T0 "1:\n\txor %%eax, %%eax\n\tdec %k[k]\n\tjnz 1b\n\t" T1
					 : "=&a"(t), [k] "+r"(k)::"rbx", "rcx", "rdx", "rsi", "r8", "memory");
		else if (b->vendor == GUEST_VENDOR_AMD)
			__asm__ volatile(T0 "1:\n\txor %%eax, %%eax\n\tvmmcall\n\tdec %k[k]\n\tjnz 1b\n\t" T1
					 : "=&a"(t), [k] "+r"(k)::"rbx", "rcx", "rdx", "rsi", "r8", "memory");
		else
			__asm__ volatile(T0 "1:\n\txor %%eax, %%eax\n\tvmcall\n\tdec %k[k]\n\tjnz 1b\n\t" T1
					 : "=&a"(t), [k] "+r"(k)::"rbx", "rcx", "rdx", "rsi", "r8", "memory");
		break;
	case GUEST_CMD_PIO:
		c = GUEST_PORT_BENCH;
		if (b->omit)
			__asm__ volatile(T0 "mov %%ecx, %%edx\n\t1:\n\tdec %k[k]\n\tjnz 1b\n\t" T1
					 : "=&a"(t), [k] "+r"(k), "+c"(c)::"rdx", "r8", "memory");
		else
			__asm__ volatile(T0 "mov %%ecx, %%edx\n\t1:\n\tout %%eax, (%%dx)\n\tdec %k[k]\n\tjnz 1b\n\t" T1
					 : "=&a"(t), [k] "+r"(k), "+c"(c)::"rdx", "r8", "memory");
		break;
	}
	return t;
}

void guest_main(volatile struct guest_mailbox *mb)
{
	struct bl b = {
		.cmd = mb->cmd,
		.leaf = mb->leaf,
		.msr = mb->msr,
		.lo = (uint32_t)mb->values[0],
		.hi = (uint32_t)(mb->values[0] >> 32),
		.vendor = (uint32_t)mb->vendor,
		.omit = (mb->flags & GUEST_F_OMIT_INSN) != 0,
	};
	if (b.cmd < GUEST_CMD_NOP || b.cmd > GUEST_CMD_PIO) {
		mb->status = GUEST_ST_BAD_CMD;
		return;
	}
	uint32_t nreq = mb->nsamples_req, block = mb->block_len ? mb->block_len : 1;
	uint32_t omit = b.omit, paired = (mb->flags & GUEST_F_PAIRED) != 0;
	uint64_t per = (b.cmd == GUEST_CMD_NOP || b.omit) ? 0 : 1, execd = 0, t;

	/* Warmup uses EACH so a faulting MSR shows up before the timed part. */
	for (uint32_t i = 0; i < mb->warmup; i++) {
		if (each(&b, &t)) {
			mb->status = GUEST_ST_FAILED;
			return;
		}
		execd += per;
	}
	mb->exiting_insns = execd;
	GUEST_SYNC(1);
	execd = 0;
	mb->tsc_begin = guest_tsc_start();
	for (uint32_t i = 0; i < nreq; i++) {
		if (paired) {
			b.omit = omit || (i & 1);
			per = (b.cmd == GUEST_CMD_NOP || b.omit) ? 0 : 1;
		}
		if (mb->mode == GUEST_MODE_AMORTIZED) {
			t = amortized(&b, block);
			execd += per * block;
		} else {
			uint32_t vec = each(&b, &t);
			execd += per;
			if (vec) {
				mb->status = GUEST_ST_FAILED;
				break;
			}
		}
		guest_record(mb, t);
	}
	mb->tsc_end = guest_tsc_stop();
	mb->exiting_insns = execd;
	GUEST_SYNC(2);
}
