/* exit-bench.h — the measurements behind `pfbench exit`: baseline exits
 * (CPUID, RDMSR/WRMSR of an in-kernel MSR, port write, VMCALL) in two
 * independent timing modes, and event-select reprogramming under a sweep
 * of installed PMU event filters. Fills result records (out.h); prints
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
	bool skip_vmcall;
	const struct user_filter *filters; /* --filter FILE: swept after the generated filters */
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
	enum guest_pmu_kind pmu_kind; /* event-select MSRs the guest's CPUID implies */
	uint32_t msr;                /* the in-kernel baseline MSR, 0 = none works */
	const char *msr_name;
	char msr_why[200];           /* why no baseline MSR, when msr == 0 */
	double emulated_per_insn;    /* KVM insn_emulation per exiting insn (CPUID), -1 unknown */
	double exits_per_insn;       /* KVM exits per exiting insn (CPUID), -1 unknown */
	enum exit_guest_exec exec;   /* exit_classify_exec() of the two */
	char exec_why[256];
	const char *kvm_module;      /* vendor module loaded: kvm_pvm, kvm_intel, kvm_amd, or NULL */
};

/* Classifies guest execution from KVM's insn_emulation and exits per
 * exiting instruction (-1: stat absent) and says why in why[len]. Emulated:
 * >= 1.5 emulated instructions and < 1 exit per CPUID; native: >= 1 exit
 * and < 1.5 emulated; anything else is unknown (e.g. CPUID not reaching
 * KVM at all). */
enum exit_guest_exec exit_classify_exec(double emulated_per_insn, double exits_per_insn, char *why,
					size_t len);
/* "unknown", "native", "emulated" (context.exit.guest_execution). */
const char *exit_exec_name(enum exit_guest_exec e);

/* Calibrates the TSC, reads the vPMU and flavor, picks the baseline MSR
 * (first that a guest can write without #GP) and looks for instruction
 * emulation. 0 or -errno (no /dev/kvm: -ENOENT/-EACCES). */
int exit_probe(struct exit_host *h, unsigned timeout_ms);
/* {"vpmu":..,"pmu_msrs":..,"baseline_msr":..,"guest_execution":..,..} for the context. */
json_t *exit_host_json(const struct exit_host *h);

/* Baselines, both modes, and the validity comparison records (each vs
 * amortized, overhead-subtracted): per baseline, o->rounds rounds that
 * each run both modes with their overhead runs back to back; the validity
 * ratio is the median of the per-round ratios. VMCALL last, in its own VM,
 * one round. */
int exit_bench_baselines(const struct exit_opts *o, const struct exit_host *h, json_t *set);
/* No filter, then every size x encoding x action x position. */
int exit_bench_sweep(const struct exit_opts *o, const struct exit_host *h, json_t *set);

/* The records of exit.json (schema-exit.c). */
extern const struct schema exit_schema;

const char *exit_pmu_kind_name(enum guest_pmu_kind k); /* "intel", "amd-core", "amd-k7", "none" */

#endif
