/* processor.h (guest, x86_64) — inline CPU primitives for payloads: CPUID,
 * MSRs, RDPMC, port I/O, fenced TSC reads, and `_safe` forms that return
 * the exception vector (0 = none) instead of faulting, so a payload
 * survives a #GP from an absent MSR or PMU. Freestanding; no libc.
 *
 * Safe forms set guest_fixup_rip to the instruction's continuation; the
 * exception handler (exception.c) logs the fault, stores the vector in
 * guest_fixup_vector and resumes there. */
#ifndef PFBENCH_GUEST_PROCESSOR_H
#define PFBENCH_GUEST_PROCESSOR_H

#include <stdint.h>

#define GUEST_DE 0
#define GUEST_UD 6
#define GUEST_DF 8
#define GUEST_GP 13
#define GUEST_PF 14

extern volatile uint64_t guest_fixup_rip;
extern volatile uint32_t guest_fixup_vector;

struct guest_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct guest_cpuid cpuid(uint32_t leaf, uint32_t sub)
{
	struct guest_cpuid r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(sub) : "memory");
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port) : "memory");
}

static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void cpu_pause(void) { __asm__ volatile("pause" ::: "memory"); }

/* Serialized TSC reads: lfence; rdtsc; lfence on both sides. (The host's
 * tsc.h ends with rdtscp; guests do not, because RDTSCP is not always
 * offered to a guest: PVM fails to emulate it.) */
static inline uint64_t guest_tsc_start(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t guest_tsc_stop(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/* kvm-unit-tests' fenced_rdtsc: mfence; lfence; rdtsc; lfence. */
static inline uint64_t fenced_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("mfence\n\tlfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Arms the fixup for the asm that follows it; label 1 is the continuation. */
#define GUEST_FIXUP_ARM "lea 1f(%%rip), %%r11\n\t" \
	"movq %%r11, guest_fixup_rip(%%rip)\n\t" \
	"movl $0, guest_fixup_vector(%%rip)\n\t"
#define GUEST_FIXUP_DONE "1:\n\tmovq $0, guest_fixup_rip(%%rip)\n\t"

static inline uint32_t rdmsr_safe(uint32_t msr, uint64_t *v)
{
	uint32_t lo = 0, hi = 0;
	__asm__ volatile(GUEST_FIXUP_ARM "rdmsr\n\t" GUEST_FIXUP_DONE
			 : "+a"(lo), "+d"(hi) : "c"(msr) : "r11", "memory");
	*v = ((uint64_t)hi << 32) | lo;
	return guest_fixup_vector;
}

static inline uint32_t wrmsr_safe(uint32_t msr, uint64_t v)
{
	__asm__ volatile(GUEST_FIXUP_ARM "wrmsr\n\t" GUEST_FIXUP_DONE
			 ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "r11", "memory");
	return guest_fixup_vector;
}

static inline uint32_t rdpmc_safe(uint32_t idx, uint64_t *v)
{
	uint32_t lo = 0, hi = 0;
	__asm__ volatile(GUEST_FIXUP_ARM "rdpmc\n\t" GUEST_FIXUP_DONE
			 : "+a"(lo), "+d"(hi) : "c"(idx) : "r11", "memory");
	*v = ((uint64_t)hi << 32) | lo;
	return guest_fixup_vector;
}

/* WRMSR bracketed by serialized TSC reads, all in one asm so nothing else
 * lands in the timed region. *ticks is meaningless when a vector returns. */
static inline uint32_t wrmsr_timed_safe(uint32_t msr, uint64_t v, uint64_t *ticks)
{
	uint64_t t = 0;
	__asm__ volatile(GUEST_FIXUP_ARM
			 "lfence\n\trdtsc\n\tlfence\n\t"
			 "shl $32, %%rdx\n\tor %%rdx, %%rax\n\tmov %%rax, %%r8\n\t"
			 "mov %k[msr], %%ecx\n\tmov %k[lo], %%eax\n\tmov %k[hi], %%edx\n\t"
			 "wrmsr\n\t"
			 "lfence\n\trdtsc\n\tlfence\n\t"
			 "shl $32, %%rdx\n\tor %%rdx, %%rax\n\tsub %%r8, %%rax\n\t"
			 GUEST_FIXUP_DONE
			 : "=&a"(t)
			 : [msr] "r"(msr), [lo] "r"((uint32_t)v), [hi] "r"((uint32_t)(v >> 32))
			 : "rcx", "rdx", "r8", "r11", "memory");
	*ticks = t;
	return guest_fixup_vector;
}

/* Same for RDMSR. */
static inline uint32_t rdmsr_timed_safe(uint32_t msr, uint64_t *ticks)
{
	uint64_t t = 0;
	__asm__ volatile(GUEST_FIXUP_ARM
			 "lfence\n\trdtsc\n\tlfence\n\t"
			 "shl $32, %%rdx\n\tor %%rdx, %%rax\n\tmov %%rax, %%r8\n\t"
			 "mov %k[msr], %%ecx\n\t"
			 "rdmsr\n\t"
			 "lfence\n\trdtsc\n\tlfence\n\t"
			 "shl $32, %%rdx\n\tor %%rdx, %%rax\n\tsub %%r8, %%rax\n\t"
			 GUEST_FIXUP_DONE
			 : "=&a"(t)
			 : [msr] "r"(msr)
			 : "rcx", "rdx", "r8", "r11", "memory");
	*ticks = t;
	return guest_fixup_vector;
}

/* A workload with known counts: `loop` n times (n >= 1): n instructions of
 * the loop body, n branches (n - 1 taken), as the KVM selftests do. */
static inline void guest_workload(uint32_t n)
{
	__asm__ volatile("mov %0, %%ecx\n\t.p2align 4\n1:\tloop 1b" ::"r"(n) : "rcx", "memory");
}

#endif
