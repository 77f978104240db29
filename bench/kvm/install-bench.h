/* install-bench.h — the measurements behind `pfbench install`: the latency
 * of KVM_SET_PMU_EVENT_FILTER by filter size and encoding, on VMs with 0, 1
 * or several vCPUs that have run (idle, outside KVM_RUN) and with one vCPU
 * held inside the guest (payload "hold"), and the error paths (E2BIG,
 * EINVAL) timed the same way. Fills result records (out.h) and skips
 * (out_set_skip); prints nothing but the progress line. The subcommand
 * (bench/cmd-install.c) owns options, messages and files. */
#ifndef PFBENCH_INSTALL_BENCH_H
#define PFBENCH_INSTALL_BENCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "progress.h"
#include "schema.h"
#include "tsc.h"
#include "user-filter.h"

#define INSTALL_MAX_SIZES 64
#define INSTALL_MAX_VCPU_CONFIGS 8

struct install_opts {
	unsigned samples;      /* timed ioctls per configuration */
	unsigned warmup;       /* untimed ioctls first */
	const unsigned *sizes; /* filter sizes (nevents), each <= 300 */
	size_t nsizes;
	const unsigned *vcpus; /* vCPU counts (each <= VM_MAX_VCPUS); each vCPU runs first */
	size_t nvcpus;
	bool in_guest;         /* also: one vCPU held inside KVM_RUN by another thread */
	int guest_core;        /* core for that thread (pin_thread numbering) */
	unsigned timeout_ms;   /* watchdog for every guest run */
	bool raw;              /* keep samples_ns */
	const struct user_filter *filters; /* --filter FILE: timed as case "user" on every VM */
	size_t nfilters;
	bool seeded;           /* --seed: sizes and vcpus are in its order (for the context) */
	uint64_t seed;
};

/* Progress steps install_bench() takes (one per configuration). */
size_t install_bench_steps(const struct install_opts *o);

/* Runs every configuration into set. Configurations this host cannot run
 * (no masked events, one core for the in-guest case, a guest run that
 * fails) are out_set_skip'ed with the reason and the rest still run.
 * Returns 0, or -errno when nothing can run at all (no /dev/kvm: -ENOENT,
 * -EACCES; no KVM_CAP_PMU_EVENT_FILTER: -EOPNOTSUPP), with why[] saying so. */
int install_bench(const struct install_opts *o, const struct tsc_calib *cal, json_t *set,
		  struct progress *pg, char *why, size_t whylen);

/* The records of install.json (schema-install.c). */
extern const struct schema install_schema;

#endif
