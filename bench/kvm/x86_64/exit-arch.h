/* exit-arch.h (x86_64) — the x86 facts `pfbench exit` probes (exit-bench.h
 * embeds struct exit_host_arch): the in-kernel MSR the RDMSR/WRMSR
 * baselines use. Filled by exit-arch.c. */
#ifndef PFBENCH_EXIT_ARCH_H
#define PFBENCH_EXIT_ARCH_H

#include <stdint.h>

struct exit_host_arch {
	uint32_t msr;                /* the in-kernel baseline MSR, 0 = none works */
	const char *msr_name;
	char msr_why[200];           /* why no baseline MSR, when msr == 0 */
};

#endif
