/* exit-bench.h — the measurements behind `pfbench exit`: baseline exits
 * (per arch; x86: CPUID, RDMSR/WRMSR of an in-kernel MSR, port write,
 * VMCALL; arm64: HVC, MMIO to userspace, a trapped system register) in two
 * independent timing modes, and counter reprogramming under a sweep of
 * installed PMU event filters (arch-neutral driver exit-bench.c, the
 * arch's half <arch>/exit-arch.c with struct exit_host_arch). Fills result records (out.h); prints
 * nothing but progress; the subcommand (bench/cmd-exit.c) owns options,
 * messages and files. */
#ifndef PFBENCH_EXIT_BENCH_H
#define PFBENCH_EXIT_BENCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "abi.h"
#include "pmuf.h"
#include "schema.h"
#include "tsc.h"
#include "exit-arch.h"
#include "user-filter.h"

#define EXIT_MAX_ROUNDS 64

struct exit_opts {
	unsigned samples;       /* reprogram: timed samples per configuration */
	unsigned bl_samples;    /* baselines, each mode: timed samples over all rounds */
	unsigned rounds;        /* baselines: interleaved rounds (1..EXIT_MAX_ROUNDS) */
	unsigned warmup;        /* untimed executions first */
	unsigned blocks;        /* amortized mode: samples (blocks) */
	unsigned block_len;     /* amortized mode: instructions per block */
	unsigned timeout_ms;    /* watchdog per guest run */
	unsigned workload_loops; /* reprogram: `loop` iterations per cycle */
	const unsigned *sizes;  /* filter sizes to sweep */
	size_t nsizes;
	bool writes_only;       /* reprogram: timed WRMSRs only (GUEST_F_WRITES_ONLY) */
	bool raw;               /* keep samples_ns in records */
	bool skip_vmcall;       /* x86: --no-vmcall */
	const struct user_filter *filters; /* --filter FILE: swept after the generated filters (x86) */
	size_t nfilters;
};

/* How KVM executes the guest, from its stats around timed CPUIDs. */
enum exit_guest_exec {
	EXIT_EXEC_UNKNOWN = 0, /* no stats, or stats that fit neither */
	EXIT_EXEC_NATIVE,      /* every CPUID is a VM exit, nothing emulated */
	EXIT_EXEC_EMULATED,    /* KVM's instruction emulator runs the guest (PVM, CPL 0) */
};

/* What the host offers, probed once (exit_probe). */
struct exit_host {
	struct tsc_calib cal;
	bool vpmu;
	char vpmu_why[160];
	enum pmuf_flavor flavor;
	const char *flavor_how;      /* "probed" | "cpu" | "none" */
	enum guest_pmu_kind pmu_kind; /* the guest's PMU registers (vcpu_arch_pmu_kind) */
	double emulated_per_insn;    /* KVM insn_emulation per exiting insn (x86 CPUID), -1 unknown */
	double exits_per_insn;       /* KVM exits per exiting insn (x86 CPUID), -1 unknown */
	enum exit_guest_exec exec;   /* exit_classify_exec() of the two */
	char exec_why[256];
	const char *kvm_module;      /* x86 vendor module loaded: kvm_pvm, kvm_intel, kvm_amd, or NULL */
	struct exit_host_arch arch;  /* <arch>/exit-arch.h */
};

/* Classifies guest execution from KVM's insn_emulation and exits per
 * exiting instruction (-1: stat absent) and says why in why[len]. Emulated:
 * >= 1.5 emulated instructions per CPUID, whatever the exits (a busy host
 * adds exits of its own); native: >= 1 exit and < 1.5 emulated; anything
 * else is unknown (e.g. CPUID not reaching KVM at all). */
enum exit_guest_exec exit_classify_exec(double emulated_per_insn, double exits_per_insn, char *why,
					size_t len);
/* "unknown", "native", "emulated" (context.exit.guest_execution). */
const char *exit_exec_name(enum exit_guest_exec e);

/* Calibrates the timer, reads the vPMU and flavor, then the arch's facts
 * (x86: picks the baseline MSR, the first that a guest can write without
 * #GP, and looks for instruction emulation). 0 or -errno (no /dev/kvm: -ENOENT/-EACCES). */
int exit_probe(struct exit_host *h, unsigned timeout_ms);
/* {"vpmu":..,"pmu_msrs":..,"baseline_msr":..,"guest_execution":..,..} for the context. */
json_t *exit_host_json(const struct exit_host *h);

/* Baselines, both modes, and the validity comparison records (each vs
 * amortized, overhead-subtracted): per baseline, o->rounds rounds that
 * each run both modes with their overhead runs back to back; the validity
 * ratio is the median of the per-round ratios. Risky rows (x86 VMCALL)
 * last, in their own VM, one round. */
int exit_bench_baselines(const struct exit_opts *o, const struct exit_host *h, json_t *set);
/* No filter, then every size x encoding x action x position (per arch). */
int exit_bench_sweep(const struct exit_opts *o, const struct exit_host *h, json_t *set);

/* The records of exit.json (schema-exit.c). */
extern const struct schema exit_schema;

/* x86: "intel", "amd-core", "amd-k7", "none"; arm64: "pmuv3", "none". Per arch. */
const char *exit_pmu_kind_name(enum guest_pmu_kind k);

#endif
