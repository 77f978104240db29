/* main.c — the vmexit cross-check guest's measurement, after
 * kvm-unit-tests' x86/vmexit.c method (written from its description, not
 * its code): a plain, unfenced rdtsc before and after `n` iterations of a
 * loop around CPUID leaf 0, and the integer mean (t2 - t1) / n in TSC
 * ticks. The loop is the one pfbench's `amortized` CPUID mode times (five
 * instructions: xor, xor, cpuid, dec, jnz), so the two figures are of the
 * same instructions. Output goes to QEMU's debug console (port 0xe9):
 * the CPL, CPUID leaf 0 EAX as the guest sees it (the vCPU's maximum leaf
 * if CPUID reaches KVM, the host CPU's if it does not) and the iterations
 * per pass, one line per pass,
 * the mean over all passes, and "done". */
#include <stdint.h>

#define PASSES 12
#ifndef SHIFT
#define SHIFT 17 /* iterations per pass: 2^SHIFT (run.sh: more at CPL 3, where it is fast) */
#endif

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void put_str(const char *s)
{
	while (*s)
		outb(0xe9, (uint8_t)*s++);
}

static void put_num(uint64_t v, unsigned base)
{
	char b[24];
	int i = 23;
	b[i] = 0;
	do {
		b[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	put_str(b + i);
}

static uint64_t rdtsc_plain(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

void main(void);

void main(void)
{
	uint16_t cs;
	uint32_t a = 0, b, c = 0, d;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	put_str("cpl ");
	put_num(cs & 3, 10);
	put_str(" cpuid.0.eax 0x");
	put_num(a, 16);
	put_str(" iterations/pass ");
	put_num(1u << SHIFT, 10);
	put_str("\n");
	uint64_t total = 0;
	for (int pass = 0; pass < PASSES; pass++) {
		uint32_t n = 1u << SHIFT;
		uint64_t t1 = rdtsc_plain();
		__asm__ volatile("1:\n\txor %%eax, %%eax\n\txor %%ecx, %%ecx\n\tcpuid\n\t"
				 "dec %%esi\n\tjnz 1b"
				 : "+S"(n) : : "rax", "rbx", "rcx", "rdx");
		uint64_t t2 = rdtsc_plain();
		total += t2 - t1;
		put_str("pass ");
		put_num((uint64_t)pass, 10);
		put_str(" ticks/iter ");
		put_num((t2 - t1) >> SHIFT, 10);
		put_str("\n");
	}
	put_str("mean ticks/iter ");
	put_num(total / ((uint64_t)PASSES << SHIFT), 10);
	put_str("\ndone\n");
}
