/* exit-arch.h (arm64) — the arm64 facts `pfbench exit` probes (exit-bench.h
 * embeds struct exit_host_arch). Filled by exit-arch.c. */
#ifndef PFBENCH_EXIT_ARCH_H
#define PFBENCH_EXIT_ARCH_H

struct exit_host_arch {
	int event_bits;        /* the vPMU's event space: 10 or 16 bits */
	char pmu_why[160];     /* why the guest has no vPMU, "" if it has one */
};

#endif
