/* exit-priv.h — what exit-bench.c (the arch-neutral driver) shares with
 * the arch's half of `pfbench exit` (<arch>/exit-arch.c): one guest run
 * (exit_run_payload), the record helpers, the baseline rows and the arch
 * hooks. Not for other callers: they use exit-bench.h. */
#ifndef PFBENCH_EXIT_PRIV_H
#define PFBENCH_EXIT_PRIV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disturb.h"
#include "exit-bench.h"
#include "vm.h"

/* ---- one guest run ---- */
struct exit_meas {
	double *ticks;   /* per sample, as the guest recorded them */
	size_t n;
	struct vm_run_result timed; /* the SYNC(1) -> SYNC(2) segment */
	uint64_t exiting;           /* exiting instructions in the timed part */
	uint32_t status, nfaults, first_vector;
	struct guest_value_result results[GUEST_MAX_VALUES];
	uint32_t nresults;
	uint64_t hist[GUEST_HIST_BUCKETS];
	enum vm_exit_kind kind;     /* VM_EXIT_DONE when all went well */
	char why[400];
	struct disturb_cell dc;     /* the timed segment: preempted/migrated, re-takes */
};
void exit_meas_free(struct exit_meas *m);

typedef void (*exit_fill_fn)(struct guest_mailbox *mb, const void *arg);
/* Loads payload, fill()s the mailbox, runs to SYNC(1), SYNC(2) (the timed
 * segment, whose samples and results are copied into *m) and DONE.
 * 0, or -errno with m->kind and m->why saying what went wrong. */
int exit_run_payload(struct vm *vm, struct vcpu *v, const char *payload, exit_fill_fn fill,
		     const void *arg, unsigned timeout_ms, struct exit_meas *m);

/* The baseline payload's parameters (exit_fill_baseline fills them, then
 * the arch's exit_arch_fill_baseline adds its own). */
struct exit_bl_arg {
	uint32_t cmd, mode, samples, warmup, block, omit, paired;
	const struct exit_host *h;
};
void exit_fill_baseline(struct guest_mailbox *mb, const void *arg);

/* ---- record helpers ---- */
double exit_median(const double *x, size_t n); /* NAN for n == 0 */
void exit_put_counts(json_t *rec, const struct vm_run_result *r, uint64_t exiting,
		     const struct exit_host *h);
void exit_put_hist(json_t *rec, const uint64_t *hist);
/* A reprogram run that recorded samples, as every arch records it: status
 * ok, the statistics, disturbance, KVM's counts, the histogram and the
 * guest's faults. */
void exit_put_reprogram(json_t *rec, const struct exit_meas *m, const struct exit_host *h, bool raw);

/* ---- baselines: one row per exiting instruction (kvm-unit-tests' vmexit
 * tests[]), in <arch>/exit-arch.c ---- */
#define EXIT_BL_VALIDITY (1u << 0) /* add the each-vs-amortized validity record */
/* Has been seen to hang a guest: its own VM, one round, one warmup
 * execution, amortized mode only after the per-exit run finished. */
#define EXIT_BL_RISKY (1u << 1)

struct exit_baseline {
	const char *exit;     /* the record's "exit" */
	uint32_t cmd;         /* GUEST_CMD_* of the baseline payload */
	const char *insn_fmt; /* the record's "insn"; %s = exit_arch_insn_detail() */
	unsigned flags;       /* EXIT_BL_* */
	/* NULL: always runs; else false (why[] set) skips the row. */
	bool (*valid)(const struct exit_opts *o, const struct exit_host *h, char *why, size_t len);
};
extern const struct exit_baseline exit_arch_baselines[]; /* NULL-terminated */

/* ---- arch hooks ---- */
void exit_arch_fill_baseline(struct guest_mailbox *mb, const struct exit_host *h);
const char *exit_arch_insn_detail(const struct exit_host *h);
/* After the neutral probe (timer, vPMU, flavor, pmu_kind) on a scratch
 * VM: the arch's own facts (x86: the baseline MSR, instruction emulation). */
void exit_arch_probe(struct exit_host *h, struct vm *vm, struct vcpu *v, unsigned timeout_ms);
/* The arch's fields of the context's "exit" object. */
void exit_arch_host_json(const struct exit_host *h, json_t *o);
/* What a reprogram record measures on this host. */
const char *exit_arch_reprogram_measures(const struct exit_host *h);

#endif
