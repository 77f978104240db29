/* exit-bench.c — see exit-bench.h. One guest run = load a payload, fill
 * the mailbox, run to GUEST_SYNC(1) (boot + warmup), run to GUEST_SYNC(2)
 * (the timed part: host KVM_RUN time and KVM stats are taken over exactly
 * this segment), check the mailbox, copy the samples out, run to DONE. */
#include "exit-bench.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disturb.h"
#include "kvm-sys.h"
#include "hostinfo.h"
#include "out.h"
#include "progress.h"
#include "stats.h"
#include "vm.h"

#define MEAS_VPMU "event-select WRMSR exit: filter check and counter reprogram (vPMU)"
#define MEAS_NOVPMU "PMU MSR exit path without vPMU (not a filter lookup)"

const char *exit_pmu_kind_name(enum guest_pmu_kind k)
{
	switch (k) {
	case GUEST_PMU_INTEL:
		return "intel";
	case GUEST_PMU_AMD_CORE:
		return "amd-core";
	case GUEST_PMU_AMD_K7:
		return "amd-k7";
	default:
		return "none";
	}
}

static const char *pmu_kind_msrs(enum guest_pmu_kind k)
{
	switch (k) {
	case GUEST_PMU_INTEL:
		return "IA32_PERFEVTSEL0 (0x186) / IA32_PMC0 (0xc1)";
	case GUEST_PMU_AMD_CORE:
		return "PERF_CTL0 (0xc0010200) / PERF_CTR0 (0xc0010201)";
	case GUEST_PMU_AMD_K7:
		return "K7 EVNTSEL0 (0xc0010000) / PERFCTR0 (0xc0010004)";
	default:
		return "none";
	}
}

/* ---- one guest run ---- */

struct meas {
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

static void meas_free(struct meas *m)
{
	free(m->ticks);
	m->ticks = NULL;
	m->n = 0;
}

typedef void (*fill_fn)(struct guest_mailbox *mb, const void *arg);

static int run_payload_once(struct vm *vm, struct vcpu *v, const char *payload, fill_fn fill,
			    const void *arg, unsigned timeout_ms, struct meas *m, unsigned *dflags)
{
	struct vm_run_result r;
	struct disturb_mark dm;
	char why[300];
	*dflags = 0;
	memset(m, 0, offsetof(struct meas, dc));
	m->kind = VM_EXIT_ERROR;
	const struct vm_payload *p = vm_payload_find(payload);
	if (!p) {
		snprintf(m->why, sizeof(m->why), "no payload '%s' in this build", payload);
		return -ENOENT;
	}
	int err = __vm_load(vm, p);
	if (err) {
		snprintf(m->why, sizeof(m->why), "loading payload '%s': %s", payload, strerror(-err));
		return err;
	}
	struct guest_mailbox *mb = vm_mailbox(vm);
	fill(mb, arg);
	for (unsigned stage = 1; stage <= 3; stage++) {
		if (stage == 2)
			disturb_mark(&dm);
		err = vcpu_run(v, timeout_ms, &r);
		if (stage == 2) {
			m->timed = r;
			*dflags = disturb_since(&dm) & DISTURB_INVOLUNTARY;
		}
		if (err || r.kind != (stage < 3 ? VM_EXIT_SYNC : VM_EXIT_DONE) ||
		    (stage < 3 && r.detail[0] != stage)) {
			m->kind = r.kind == VM_EXIT_SYNC ? VM_EXIT_UNEXPECTED : r.kind;
			m->status = mb->status;
			if (mb->nfaults && mb->faults[0].vector < 256)
				m->first_vector = mb->faults[0].vector;
			m->nfaults = mb->nfaults;
			snprintf(m->why, sizeof(m->why), "%s (stage %u)", r.msg, stage);
			return err ? err : -EPROTO;
		}
		if (stage == 2) {
			if (vm_mailbox_check(vm, why, sizeof(why))) {
				m->kind = VM_EXIT_BAD_MAILBOX;
				snprintf(m->why, sizeof(m->why), "guest mailbox rejected: %s", why);
				return -EPROTO;
			}
			struct vm_tsc_window w = { .host_begin = r.tsc_first, .host_end = r.tsc_last };
			w.have_offset = !vcpu_arch_tsc_offset(v, &w.offset);
			if (vm_samples_check(mb, &w, why, sizeof(why))) {
				m->kind = VM_EXIT_BAD_MAILBOX;
				snprintf(m->why, sizeof(m->why), "guest TSC samples rejected: %s", why);
				return -EPROTO;
			}
			/* Checked: nsamples <= nsamples_req <= GUEST_MAX_SAMPLES, nresults <= nvalues. */
			m->n = mb->nsamples;
			m->ticks = calloc(m->n ? m->n : 1, sizeof(double));
			if (!m->ticks)
				return -ENOMEM;
			for (size_t i = 0; i < m->n; i++)
				m->ticks[i] = (double)mb->samples[i];
			m->exiting = mb->exiting_insns;
			m->nresults = mb->nresults;
			memcpy(m->results, mb->results, sizeof(m->results[0]) * m->nresults);
			memcpy(m->hist, mb->hist, sizeof(m->hist));
			m->nfaults = mb->nfaults;
			if (mb->nfaults && mb->faults[0].vector < 256)
				m->first_vector = mb->faults[0].vector;
		}
	}
	m->status = mb->status;
	m->kind = VM_EXIT_DONE;
	if (m->status != GUEST_ST_OK) {
		snprintf(m->why, sizeof(m->why), "guest status %u%s", m->status,
			 m->first_vector ? " after an exception" : "");
		return -EPROTO;
	}
	return 0;
}

/* The guest's samples cannot be checked one by one from the host: the
 * check is around the whole timed segment (one KVM_RUN batch). A segment
 * during which the vCPU thread was preempted or migrated is run again, up
 * to EXIT_RETAKES times; m->dc says what happened. */
#define EXIT_RETAKES 3

static int run_payload(struct vm *vm, struct vcpu *v, const char *payload, fill_fn fill,
		       const void *arg, unsigned timeout_ms, struct meas *m)
{
	unsigned flags;
	struct disturb_cell dc;
	disturb_cell_begin(&dc);
	for (;;) {
		int err = run_payload_once(vm, v, payload, fill, arg, timeout_ms, m, &flags);
		if (err || !disturb_retake(&dc, flags, EXIT_RETAKES)) {
			disturb_cell_end(&dc);
			dc.batches = 1;
			m->dc = dc;
			return err;
		}
		meas_free(m);
	}
}

/* ---- baselines ---- */

struct bl_arg {
	uint32_t cmd, mode, samples, warmup, block, msr, omit, paired;
};

static void fill_baseline(struct guest_mailbox *mb, const void *arg)
{
	const struct bl_arg *a = arg;
	mb->cmd = a->cmd;
	mb->mode = a->mode;
	mb->nsamples_req = a->samples;
	mb->warmup = a->warmup;
	mb->block_len = a->block;
	mb->msr = a->msr;
	mb->leaf = 0;
	mb->nvalues = 1;
	mb->values[0] = 0; /* WRMSR writes 0, as kvm-unit-tests' wr_tsc_adjust_msr */
	mb->flags = (a->omit ? GUEST_F_OMIT_INSN : 0) | (a->paired ? GUEST_F_PAIRED : 0);
}

struct baseline {
	const char *exit;
	uint32_t cmd;
	const char *insn_fmt; /* %s = msr name */
};

static const struct baseline baselines[] = {
	{ "cpuid", GUEST_CMD_CPUID, "CPUID leaf 0" },
	{ "rdmsr", GUEST_CMD_RDMSR, "RDMSR %s" },
	{ "wrmsr", GUEST_CMD_WRMSR, "WRMSR %s, 0" },
	{ "pio", GUEST_CMD_PIO, "OUT to port 0x1001 (handled in userspace)" },
	{ "vmcall", GUEST_CMD_VMCALL, "VMCALL/VMMCALL (unknown hypercall nr 0)" },
	{ NULL, 0, NULL },
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of x[0..n) without touching x; NAN for n == 0. */
static double median_of(const double *x, size_t n)
{
	if (!n)
		return NAN;
	double *c = malloc(n * sizeof(double));
	if (!c)
		return NAN;
	memcpy(c, x, n * sizeof(double));
	qsort(c, n, sizeof(double), cmp_double);
	double m = stats_percentile_sorted(c, n, 50.0);
	free(c);
	return m;
}

static void put_counts(json_t *rec, const struct vm_run_result *r, uint64_t exiting,
		       const struct exit_host *h)
{
	json_object_set_new(rec, "exiting_insns", json_integer((json_int_t)exiting));
	/* The vCPU thread's time inside KVM_RUN over the whole timed part: the
	 * timed regions plus all untimed guest code between them (the sample
	 * loop, storing samples, the paired overhead samples). A throughput
	 * figure, not a latency: divided per exit it read 280 us beside a 5.7 us
	 * median on an emulating host, so no per-exit quotient is published. */
	out_set_real(rec, "host_run_ns", tsc_to_ns(&h->cal, (double)r->run_ticks));
	json_object_set_new(rec, "host_run_calls", json_integer((json_int_t)r->run_calls));
	json_object_set_new(rec, "kvm_stats", json_boolean(r->have_stats));
	if (!r->have_stats)
		return;
	const struct {
		const char *key;
		uint64_t v;
	} c[] = {
		{ "kvm_exits", r->delta.exits },
		{ "kvm_io_exits", r->delta.io_exits },
		{ "kvm_mmio_exits", r->delta.mmio_exits },
		{ "kvm_irq_exits", r->delta.irq_exits },
		{ "kvm_signal_exits", r->delta.signal_exits },
		{ "kvm_hypercalls", r->delta.hypercalls },
		{ "kvm_insn_emulation", r->delta.insn_emulation },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		json_object_set_new(rec, c[i].key, c[i].v == VM_STAT_ABSENT ?
						     json_null() : json_integer((json_int_t)c[i].v));
}

static void put_hist(json_t *rec, const uint64_t *hist)
{
	char buf[512];
	size_t n = 0;
	buf[0] = 0;
	for (unsigned b = 0; b < GUEST_HIST_BUCKETS && n < sizeof(buf) - 32; b++)
		if (hist[b])
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u:%llu", n ? " " : "", b,
					      (unsigned long long)hist[b]);
	json_object_set_new(rec, "hist_log2_ticks", json_string(buf));
}

static void add_counts(struct vm_run_result *sum, const struct vm_run_result *r)
{
	/* The stats are only a sum if every added run had them. */
	sum->have_stats = (sum->run_calls == 0 || sum->have_stats) && r->have_stats;
	sum->run_calls += r->run_calls;
	sum->run_ticks += r->run_ticks;
	uint64_t *d = (uint64_t *)&sum->delta;
	const uint64_t *x = (const uint64_t *)&r->delta;
	for (size_t i = 0; i < sizeof(sum->delta) / sizeof(uint64_t); i++)
		d[i] = x[i] == VM_STAT_ABSENT ? VM_STAT_ABSENT : d[i] + x[i];
}

/* One baseline in one mode, accumulated over the rounds. */
struct mode_acc {
	bool amort;
	unsigned total;          /* samples (each) or blocks (amortized) over all rounds */
	double div;              /* instructions per sample */
	double *xs, *ovs;        /* all samples per instruction, measurement and overhead */
	size_t nx, nov;
	double round_net[EXIT_MAX_ROUNDS]; /* per round: median - overhead median, NAN if none */
	uint64_t exiting, hist[GUEST_HIST_BUCKETS];
	struct vm_run_result timed;
	const char *failed;      /* vm_exit_kind name once a measurement run failed */
	char why[400];
	struct disturb_cell dc;  /* over the rounds */
};

/* Runs one round of one mode: one guest run whose samples alternate with
 * the instruction and without it (GUEST_F_PAIRED), so the overhead comes
 * from the same stretch of host time as the measurement — on a shared host
 * the cost of everything around the exit drifts by a few percent over
 * milliseconds, which is as large as the net itself. Records the round's
 * net median (median with - median without). */
static void one_round(struct vm *vm, struct vcpu *v, const struct baseline *b, unsigned k,
		      unsigned rounds, const struct exit_opts *o, const struct exit_host *h,
		      struct mode_acc *acc)
{
	unsigned n = acc->total / rounds + (k < acc->total % rounds);
	struct bl_arg a = {
		.cmd = b->cmd,
		.mode = acc->amort ? GUEST_MODE_AMORTIZED : GUEST_MODE_EACH,
		.samples = 2 * n,
		.warmup = b->cmd == GUEST_CMD_VMCALL ? 1 : o->warmup,
		.block = acc->amort ? o->block_len : 1,
		.msr = h->msr,
		.paired = 1,
	};
	acc->round_net[k] = NAN;
	if (acc->failed)
		return;
	struct meas m;
	if (run_payload(vm, v, "baseline", fill_baseline, &a, o->timeout_ms, &m)) {
		acc->failed = vm_exit_kind_name(m.kind);
		snprintf(acc->why, sizeof(acc->why), "%s", m.why);
		meas_free(&m);
		return;
	}
	size_t x0 = acc->nx, ov0 = acc->nov;
	double *xs = realloc(acc->xs, (acc->nx + m.n / 2 + 1) * sizeof(double));
	double *ovs = xs ? realloc(acc->ovs, (acc->nov + m.n / 2 + 1) * sizeof(double)) : NULL;
	if (xs)
		acc->xs = xs;
	if (ovs)
		acc->ovs = ovs;
	if (!xs || !ovs) {
		acc->failed = "error";
		snprintf(acc->why, sizeof(acc->why), "out of memory");
		meas_free(&m);
		return;
	}
	for (size_t i = 0; i + 1 < m.n; i += 2) {
		uint64_t t = (uint64_t)m.ticks[i];
		acc->xs[acc->nx++] = m.ticks[i] / acc->div;
		acc->ovs[acc->nov++] = m.ticks[i + 1] / acc->div;
		acc->hist[t ? 63u - (unsigned)__builtin_clzll(t) : 0]++;
	}
	acc->exiting += m.exiting;
	add_counts(&acc->timed, &m.timed);
	disturb_cell_add(&acc->dc, &m.dc);
	meas_free(&m);
	if (acc->nx > x0 && acc->nov > ov0)
		acc->round_net[k] = median_of(acc->xs + x0, acc->nx - x0) -
				    median_of(acc->ovs + ov0, acc->nov - ov0);
}

/* The record of one baseline in one mode. Returns the pooled net median
 * (median of all samples - median of all overhead samples) in ticks, or NAN. */
static double mode_record(const struct baseline *b, const struct mode_acc *acc, unsigned rounds,
			  const struct exit_opts *o, const struct exit_host *h, json_t *set)
{
	char insn[96];
	snprintf(insn, sizeof(insn), b->insn_fmt, h->msr_name ? h->msr_name : "?");
	json_t *rec = json_object();
	json_object_set_new(rec, "group", json_string("baseline"));
	json_object_set_new(rec, "exit", json_string(b->exit));
	json_object_set_new(rec, "insn", json_string(insn));
	json_object_set_new(rec, "mode", json_string(acc->amort ? "amortized" : "each"));
	json_object_set_new(rec, "block_len", json_integer(acc->amort ? o->block_len : 1));
	json_object_set_new(rec, "rounds", json_integer(rounds));
	json_object_set_new(rec, "vpmu", json_boolean(h->vpmu));
	json_object_set_new(rec, "measures", json_string("guest-observed round trip of the instruction (TSC in the guest)"));
	double net = NAN;
	if (acc->failed || !acc->nx) {
		json_object_set_new(rec, "status", json_string(acc->failed ? acc->failed : "no-samples"));
		json_object_set_new(rec, "why", json_string(acc->why));
	} else {
		json_object_set_new(rec, "status", json_string("ok"));
		out_record_stats(rec, "", acc->xs, acc->nx, &h->cal, o->raw);
		disturb_record(rec, &acc->dc, acc->xs, acc->nx);
		put_counts(rec, &acc->timed, acc->exiting, h);
		put_hist(rec, acc->hist);
		if (acc->nov) {
			out_record_stats(rec, "overhead_", acc->ovs, acc->nov, &h->cal, false);
			net = median_of(acc->xs, acc->nx) - median_of(acc->ovs, acc->nov);
			out_set_real(rec, "net_median_ns", tsc_to_ns(&h->cal, net));
			out_set_real(rec, "net_median_cycles", net);
		}
	}
	out_set_add(set, rec);
	return net;
}

/* Measurement validity for one baseline: the two modes' nets compared
 * round by round (each round ran both modes back to back, so a slow
 * stretch of the host hits both) and the median of those ratios taken;
 * the pooled ratio is kept beside it. */
static void validity_record(const struct baseline *b, const struct mode_acc acc[2],
			    const double pooled[2], unsigned rounds, const struct exit_host *h,
			    json_t *set)
{
	json_t *rec = json_object(), *rr = json_array();
	double ratios[EXIT_MAX_ROUNDS];
	size_t n = 0, within = 0;
	for (unsigned k = 0; k < rounds; k++) {
		double r = acc[0].round_net[k] / acc[1].round_net[k];
		json_array_append_new(rr, isfinite(r) ? json_real(r) : json_null());
		if (!isfinite(r) || acc[1].round_net[k] <= 0)
			continue;
		ratios[n++] = r;
		within += fabs(r - 1.0) <= 0.10;
	}
	double ratio = median_of(ratios, n);
	json_object_set_new(rec, "group", json_string("validity"));
	json_object_set_new(rec, "exit", json_string(b->exit));
	out_set_real(rec, "each_net_ns", tsc_to_ns(&h->cal, pooled[0]));
	out_set_real(rec, "amortized_net_ns", tsc_to_ns(&h->cal, pooled[1]));
	out_set_real(rec, "ratio_each_over_amortized", ratio);
	json_object_set_new(rec, "ratio_is", json_string("median of the per-round ratios"));
	out_set_real(rec, "ratio_pooled", pooled[0] / pooled[1]);
	json_object_set_new(rec, "rounds", json_integer(rounds));
	json_object_set_new(rec, "rounds_compared", json_integer((json_int_t)n));
	json_object_set_new(rec, "rounds_within_10pct", json_integer((json_int_t)within));
	json_object_set_new(rec, "round_ratios", rr);
	json_object_set_new(rec, "agree_within_10pct",
			    isfinite(ratio) ? json_boolean(fabs(ratio - 1.0) <= 0.10) : json_null());
	out_set_add(set, rec);
}

/* One baseline: both modes in interleaved rounds (each, then amortized;
 * every other round the other way round), then the
 * two records and, for CPUID and WRMSR, the validity record. VMCALL runs
 * one round, and its amortized mode only if the per-exit run finished. */
static void one_baseline(struct vm *vm, struct vcpu *v, const struct baseline *b,
			 const struct exit_opts *o, const struct exit_host *h, json_t *set)
{
	struct mode_acc acc[2];
	acc[0] = (struct mode_acc){ .amort = false, .total = o->bl_samples, .div = 1.0 };
	acc[1] = (struct mode_acc){ .amort = true, .total = o->blocks, .div = (double)o->block_len };
	bool vmcall = b->cmd == GUEST_CMD_VMCALL;
	unsigned least = acc[0].total < acc[1].total ? acc[0].total : acc[1].total;
	unsigned rounds = vmcall ? 1 : o->rounds;
	if (rounds > EXIT_MAX_ROUNDS)
		rounds = EXIT_MAX_ROUNDS;
	if (rounds > least)
		rounds = least ? least : 1;
	/* A paired guest run holds 2 samples per measured one. */
	unsigned most = acc[0].total > acc[1].total ? acc[0].total : acc[1].total;
	while (rounds < EXIT_MAX_ROUNDS && (most + rounds - 1) / rounds > GUEST_MAX_SAMPLES / 2)
		rounds++;
	for (unsigned k = 0; k < rounds; k++) {
		bool flip = k % 2;
		for (int i = 0; i < 2; i++) {
			struct mode_acc *m = &acc[flip ? 1 - i : i];
			if (m->amort && vmcall && (acc[0].failed || !acc[0].nx))
				continue; /* VMCALL: amortized only after the per-exit run finished */
			one_round(vm, v, b, k, rounds, o, h, m);
		}
	}
	double pooled[2] = { NAN, NAN };
	pooled[0] = mode_record(b, &acc[0], rounds, o, h, set);
	if (vmcall && (acc[0].failed || !acc[0].nx))
		out_set_skip(set, "vmcall amortized", "the per-exit VMCALL run did not finish");
	else
		pooled[1] = mode_record(b, &acc[1], rounds, o, h, set);
	if (b->cmd == GUEST_CMD_CPUID || b->cmd == GUEST_CMD_WRMSR)
		validity_record(b, acc, pooled, rounds, h, set);
	for (int i = 0; i < 2; i++) {
		free(acc[i].xs);
		free(acc[i].ovs);
	}
}

int exit_bench_baselines(const struct exit_opts *o, const struct exit_host *h, json_t *set)
{
	struct vm *vm = NULL;
	struct vcpu *v = NULL;
	struct progress pr;
	size_t nb = 0;
	for (const struct baseline *b = baselines; b->exit; b++)
		nb++;
	progress_begin(&pr, "exit: baselines", nb);
	for (size_t i = 0; i < nb; i++) {
		const struct baseline *b = &baselines[i];
		if ((b->cmd == GUEST_CMD_RDMSR || b->cmd == GUEST_CMD_WRMSR) && !h->msr) {
			out_set_skip(set, b->exit, h->msr_why);
			progress_step(&pr, 1);
			continue;
		}
		if (b->cmd == GUEST_CMD_VMCALL && o->skip_vmcall) {
			out_set_skip(set, b->exit, "--no-vmcall");
			progress_step(&pr, 1);
			continue;
		}
		/* VMCALL has been seen to hang a guest: its own VM. */
		if (!vm || b->cmd == GUEST_CMD_VMCALL) {
			vm_free(vm);
			int err = __vm_create_with_vcpu(-1, &vm, &v);
			if (err) {
				progress_end(&pr);
				return err;
			}
		}
		one_baseline(vm, v, b, o, h, set);
		progress_step(&pr, 1);
	}
	vm_free(vm);
	progress_end(&pr);
	return 0;
}

/* ---- the filter sweep ---- */

enum position { POS_EARLY, POS_LATE, POS_ABSENT };
static const char *const pos_names[] = { "early", "late", "absent" };

/* The programmed event per position: early sorts before every filler,
 * late after, absent is in no entry. Fillers use selects 0x20.. with
 * umasks 1..4. */
static void event_for(enum position p, uint16_t *sel, uint8_t *umask)
{
	*umask = 0x00;
	*sel = p == POS_EARLY ? 0x10 : p == POS_LATE ? 0xF0 : 0x80;
}

static uint64_t entry(bool masked, uint16_t sel, uint8_t umask)
{
	return masked ? pmuf_masked_encode(sel, 0xFF, umask, false) : pmuf_exact_encode(sel, umask);
}

static int build_filter(struct pmuf_filter *f, unsigned size, bool masked, enum pmuf_action act,
			enum position p)
{
	uint16_t sel;
	uint8_t umask;
	pmuf_init(f, PMUF_ARCH_X86);
	f->action = act;
	f->flags = masked ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0;
	event_for(p, &sel, &umask);
	unsigned fillers = p == POS_ABSENT ? size : size - 1;
	int err = 0;
	if (p == POS_EARLY)
		err = pmuf_add_event(f, entry(masked, sel, umask), NULL);
	for (unsigned i = 0; i < fillers && !err; i++)
		err = pmuf_add_event(f, entry(masked, (uint16_t)(0x20 + i / 4), (uint8_t)(1 + i % 4)), NULL);
	if (p == POS_LATE && !err)
		err = pmuf_add_event(f, entry(masked, sel, umask), NULL);
	return err;
}

struct pmu_arg {
	uint32_t kind, samples, warmup, loops, flags;
	uint64_t values[2];
};

static void fill_pmu(struct guest_mailbox *mb, const void *arg)
{
	const struct pmu_arg *a = arg;
	mb->cmd = GUEST_CMD_REPROGRAM;
	mb->pmu_kind = a->kind;
	mb->counter = 0;
	mb->nsamples_req = a->samples;
	mb->warmup = a->warmup;
	mb->workload_loops = a->loops;
	mb->flags = a->flags;
	mb->nvalues = 2;
	mb->values[0] = a->values[0];
	mb->values[1] = a->values[1];
}

/* One configuration: installs f (NULL: none), runs REPROGRAM, adds a
 * record. A user's filter (uf: f is uf->f) programs user_ev and records
 * user_pos as the position. */
static void one_config(struct vm *vm, struct vcpu *v, const struct pmuf_filter *f, unsigned size,
		       bool masked, enum pmuf_action act, enum position p,
		       const struct exit_opts *o, const struct exit_host *h, json_t *set,
		       const struct user_filter *uf, uint64_t user_ev, const char *user_pos)
{
	uint16_t sel;
	uint8_t umask;
	event_for(p, &sel, &umask);
	uint64_t ev = uf ? user_ev : pmuf_eventsel_make(sel, umask);
	struct pmu_arg a = {
		.kind = h->pmu_kind,
		.samples = o->samples,
		.warmup = o->warmup,
		.loops = o->workload_loops,
		.flags = o->writes_only ? GUEST_F_WRITES_ONLY : 0,
		/* Adjacent values differ (USR toggled) so every write reprograms. */
		.values = { ev, ev ^ (1ull << 16) },
	};
	json_t *rec = json_object();
	char hex[32];
	json_object_set_new(rec, "group", json_string("reprogram"));
	json_object_set_new(rec, "filter", json_string(f ? "installed" : "none"));
	if (uf)
		user_filter_put(rec, uf);
	else
		json_object_set_new(rec, "filter_hash", json_null());
	if (f) {
		json_object_set_new(rec, "filter_size", json_integer(size));
		json_object_set_new(rec, "encoding", json_string(masked ? "masked" : "exact"));
		json_object_set_new(rec, "action", json_string(act == PMUF_ALLOW ? "allow" : "deny"));
		json_object_set_new(rec, "position", json_string(uf ? user_pos : pos_names[p]));
		bool allowed = false;
		if (!pmuf_decide_gp(f, h->flavor, PMUF_KERNEL_6_3, ev, &allowed))
			json_object_set_new(rec, "filter_allows_event", json_boolean(allowed));
	}
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)ev);
	json_object_set_new(rec, "eventsel", json_string(hex));
	json_object_set_new(rec, "pmu_msrs", json_string(exit_pmu_kind_name(h->pmu_kind)));
	json_object_set_new(rec, "cycle", json_string(o->writes_only ? "writes-only" : "full"));
	json_object_set_new(rec, "vpmu", json_boolean(h->vpmu));
	json_object_set_new(rec, "measures", json_string(h->vpmu ? MEAS_VPMU : MEAS_NOVPMU));
	if (f) {
		int err = __vm_set_pmu_filter(vm->fd, f);
		if (err) {
			json_object_set_new(rec, "status", json_string("install-failed"));
			json_object_set_new(rec, "why", json_pack("s++", "KVM_SET_PMU_EVENT_FILTER: ",
						     pmuf_errno_name(err), ""));
			out_set_add(set, rec);
			return;
		}
	}
	struct meas m;
	int err = run_payload(vm, v, "pmu", fill_pmu, &a, o->timeout_ms, &m);
	if (err || !m.n) {
		json_object_set_new(rec, "status", json_string(err ? vm_exit_kind_name(m.kind) : "no-samples"));
		char why[480] = "the guest recorded no samples";
		if (!err && m.nresults)
			snprintf(why, sizeof(why), "every event-select WRMSR raised vector %u",
				 m.results[0].wrmsr_vector);
		json_object_set_new(rec, "why", json_string(err ? m.why : why));
		out_set_add(set, rec);
		meas_free(&m);
		return;
	}
	json_object_set_new(rec, "status", json_string("ok"));
	out_record_stats(rec, "", m.ticks, m.n, &h->cal, o->raw);
	disturb_record(rec, &m.dc, m.ticks, m.n);
	put_counts(rec, &m.timed, m.exiting, h);
	put_hist(rec, m.hist);
	json_object_set_new(rec, "guest_faults", json_integer(m.nfaults));
	if (m.nresults) {
		const struct guest_value_result *r0 = &m.results[0];
		json_object_set_new(rec, "wrmsr_vector", json_integer(r0->wrmsr_vector));
		if (!o->writes_only) {
			json_object_set_new(rec, "rdpmc_vector", json_integer(r0->rdpmc_vector));
			json_object_set_new(rec, "rdmsr_vector", json_integer(r0->rdmsr_vector));
			json_object_set_new(rec, "count_rdmsr", json_integer((json_int_t)r0->count_rdmsr));
			json_object_set_new(rec, "count_rdpmc", r0->rdpmc_vector ? json_null() :
						  json_integer((json_int_t)r0->count_rdpmc));
		}
	}
	meas_free(&m);
	out_set_add(set, rec);
}

int exit_bench_sweep(const struct exit_opts *o, const struct exit_host *h, json_t *set)
{
	if (h->pmu_kind == GUEST_PMU_NONE) {
		out_set_skip(set, "reprogram", "the guest CPUID names no vendor with known event-select MSRs");
		return 0;
	}
	struct vm *vm;
	struct vcpu *v;
	int err = __vm_create_with_vcpu(-1, &vm, &v);
	if (err)
		return err;
	size_t total = 1 + 2 * o->nfilters;
	for (size_t i = 0; i < o->nsizes; i++)
		total += o->sizes[i] ? 2 * 2 * 3 : 2 * 2;
	struct progress pr;
	progress_begin(&pr, "exit: filter sweep", total);
	/* No filter first: KVM has no way to remove one once installed. */
	one_config(vm, v, NULL, 0, false, PMUF_ALLOW, POS_ABSENT, o, h, set, NULL, 0, NULL);
	progress_step(&pr, 1);
	for (size_t i = 0; i < o->nsizes; i++) {
		unsigned size = o->sizes[i];
		for (int masked = 0; masked <= 1; masked++)
			for (int act = PMUF_ALLOW; act <= PMUF_DENY; act++)
				for (int p = POS_EARLY; p <= POS_ABSENT; p++) {
					if (size == 0 && p != POS_ABSENT)
						continue;
					struct pmuf_filter f;
					if (build_filter(&f, size, masked, (enum pmuf_action)act,
							 (enum position)p)) {
						pmuf_free(&f);
						vm_free(vm);
						progress_end(&pr);
						return -ENOMEM;
					}
					one_config(vm, v, &f, size, masked, (enum pmuf_action)act,
						   (enum position)p, o, h, set, NULL, 0, NULL);
					pmuf_free(&f);
					progress_step(&pr, 1);
				}
	}
	/* The user's filters: an event its first entry names, and one of a
	 * select no entry names. */
	for (size_t i = 0; i < o->nfilters; i++) {
		const struct user_filter *uf = &o->filters[i];
		const struct pmuf_filter *f = &uf->f;
		bool masked = pmuf_is_masked(f);
		uint64_t named = 0, unnamed = 0;
		if (f->nevents)
			named = masked ? pmuf_eventsel_make(pmuf_masked_select(f->events[0]),
							    pmuf_masked_match(f->events[0]))
				       : pmuf_eventsel_make(pmuf_eventsel_select(f->events[0]),
							    pmuf_eventsel_umask(f->events[0]));
		for (unsigned k = 0; k < 256 && !unnamed; k++) {
			uint16_t sel = (uint16_t)((0x80 + k) & 0xFF);
			bool used = false;
			for (size_t e = 0; e < f->nevents && !used; e++)
				used = (pmuf_masked_select(f->events[e]) & 0xFF) == sel;
			if (!used)
				unnamed = pmuf_eventsel_make(sel, 0);
		}
		if (f->nevents)
			one_config(vm, v, f, (unsigned)f->nevents, masked, (enum pmuf_action)f->action, POS_ABSENT, o,
				   h, set, uf, named, "first-entry");
		progress_step(&pr, 1);
		if (unnamed)
			one_config(vm, v, f, (unsigned)f->nevents, masked, (enum pmuf_action)f->action, POS_ABSENT, o,
				   h, set, uf, unnamed, "unnamed-select");
		progress_step(&pr, 1);
	}
	progress_end(&pr);
	vm_free(vm);
	return 0;
}

/* ---- probing the host ---- */

struct msr_cand {
	uint32_t msr;
	const char *name;
};

/* MSRs KVM emulates in the kernel without the PMU; the first a guest can
 * read and write without #GP is the baseline. */
static const struct msr_cand msr_cands[] = {
	{ 0x3b, "IA32_TSC_ADJUST (0x3b)" },
	{ 0x48, "IA32_SPEC_CTRL (0x48)" },
	{ 0xc0000103, "IA32_TSC_AUX (0xc0000103)" },
	{ 0, NULL },
};

enum exit_guest_exec exit_classify_exec(double emulated_per_insn, double exits_per_insn, char *why,
					size_t len)
{
	if (emulated_per_insn < 0 || exits_per_insn < 0) {
		snprintf(why, len, "KVM's binary stats lack %s",
			 emulated_per_insn < 0 ? "insn_emulation" : "exits");
		return EXIT_EXEC_UNKNOWN;
	}
	if (emulated_per_insn >= 1.5 && exits_per_insn < 1) {
		snprintf(why, len,
			 "KVM's instruction emulator executes the guest: %.1f emulated instructions and "
			 "%.3f VM exits per CPUID; every number is an emulator cost, not a VM-exit cost",
			 emulated_per_insn, exits_per_insn);
		return EXIT_EXEC_EMULATED;
	}
	if (emulated_per_insn < 1.5 && exits_per_insn >= 1) {
		snprintf(why, len, "every CPUID is a VM exit: %.2f exits and %.2f emulated "
			 "instructions per CPUID", exits_per_insn, emulated_per_insn);
		return EXIT_EXEC_NATIVE;
	}
	snprintf(why, len, "stats fit neither: %.2f emulated instructions and %.3f VM exits per "
		 "CPUID", emulated_per_insn, exits_per_insn);
	return EXIT_EXEC_UNKNOWN;
}

const char *exit_exec_name(enum exit_guest_exec e)
{
	return e == EXIT_EXEC_NATIVE ? "native" : e == EXIT_EXEC_EMULATED ? "emulated" : "unknown";
}

/* The KVM vendor module loaded (sysfs), for the context. */
static const char *kvm_vendor_module(void)
{
	static const char *const mods[] = { "kvm_pvm", "kvm_intel", "kvm_amd" };
	char path[64];
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		snprintf(path, sizeof(path), "/sys/module/%s", mods[i]);
		if (!access(path, F_OK))
			return mods[i];
	}
	return NULL;
}

int exit_probe(struct exit_host *h, unsigned timeout_ms)
{
	memset(h, 0, sizeof(*h));
	h->emulated_per_insn = -1;
	h->exits_per_insn = -1;
	h->kvm_module = kvm_vendor_module();
	int err = tsc_calibrate(&h->cal);
	if (err)
		return err;
	int kfd = kvm_sys_open();
	if (kfd < 0)
		return kfd;
	struct kvm_vpmu_info vp;
	memset(&vp, 0, sizeof(vp));
	err = kvm_sys_vpmu(kfd, &vp);
	h->vpmu = !err && vp.present;
	snprintf(h->vpmu_why, sizeof(h->vpmu_why), "%s",
		 h->vpmu ? "" : err ? "KVM_GET_SUPPORTED_CPUID failed" : vp.why);
	h->flavor = hostinfo_default_flavor(&h->flavor_how);

	struct vm *vm;
	struct vcpu *v;
	err = __vm_create_with_vcpu(kfd, &vm, &v);
	close(kfd);
	if (err)
		return err;
	h->pmu_kind = vcpu_arch_pmu_kind(v);

	struct meas m;
	struct bl_arg a = { .cmd = GUEST_CMD_WRMSR, .samples = 1, .warmup = 1, .block = 1 };
	size_t n = 0;
	for (const struct msr_cand *c = msr_cands; c->name; c++) {
		a.msr = c->msr;
		a.cmd = GUEST_CMD_WRMSR;
		int e1 = run_payload(vm, v, "baseline", fill_baseline, &a, timeout_ms, &m);
		meas_free(&m);
		a.cmd = GUEST_CMD_RDMSR;
		int e2 = e1 ? e1 : run_payload(vm, v, "baseline", fill_baseline, &a, timeout_ms, &m);
		meas_free(&m);
		if (!e1 && !e2) {
			h->msr = c->msr;
			h->msr_name = c->name;
			break;
		}
		n += (size_t)snprintf(h->msr_why + n, n < sizeof(h->msr_why) ? sizeof(h->msr_why) - n : 0,
				      "%s%s faults", n ? "; " : "", c->name);
		if (n >= sizeof(h->msr_why))
			n = sizeof(h->msr_why) - 1;
	}

	/* Is the guest executed by KVM's instruction emulator (e.g. PVM with a
	 * non-PVM guest)? insn_emulation and exits per timed CPUID tell. */
	struct bl_arg c = { .cmd = GUEST_CMD_CPUID, .samples = 50, .warmup = 5, .block = 1 };
	if (!run_payload(vm, v, "baseline", fill_baseline, &c, timeout_ms, &m) && m.exiting &&
	    m.timed.have_stats) {
		if (m.timed.delta.insn_emulation != VM_STAT_ABSENT)
			h->emulated_per_insn = (double)m.timed.delta.insn_emulation / (double)m.exiting;
		if (m.timed.delta.exits != VM_STAT_ABSENT)
			h->exits_per_insn = (double)m.timed.delta.exits / (double)m.exiting;
	}
	meas_free(&m);
	h->exec = exit_classify_exec(h->emulated_per_insn, h->exits_per_insn, h->exec_why,
				     sizeof(h->exec_why));
	vm_free(vm);
	return 0;
}

json_t *exit_host_json(const struct exit_host *h)
{
	json_t *o = json_object();
	json_object_set_new(o, "vpmu", json_boolean(h->vpmu));
	if (!h->vpmu) {
		json_object_set_new(o, "vpmu_why", json_string(h->vpmu_why));
		json_object_set_new(o, "reprogram_measures", json_string(MEAS_NOVPMU));
	}
	json_object_set_new(o, "filter_flavor", json_string(pmuf_flavor_name(h->flavor)));
	json_object_set_new(o, "filter_flavor_how", json_string(h->flavor_how ? h->flavor_how : "none"));
	json_object_set_new(o, "pmu_msrs", json_string(exit_pmu_kind_name(h->pmu_kind)));
	json_object_set_new(o, "pmu_msrs_detail", json_string(pmu_kind_msrs(h->pmu_kind)));
	json_object_set_new(o, "baseline_msr", h->msr ? json_string(h->msr_name) : json_null());
	if (!h->msr)
		json_object_set_new(o, "baseline_msr_why", json_string(h->msr_why));
	out_set_real(o, "kvm_insn_emulation_per_cpuid", h->emulated_per_insn);
	out_set_real(o, "kvm_exits_per_cpuid", h->exits_per_insn);
	json_object_set_new(o, "guest_execution", json_string(exit_exec_name(h->exec)));
	json_object_set_new(o, "guest_execution_why", json_string(h->exec_why));
	json_object_set_new(o, "kvm_module", h->kvm_module ? json_string(h->kvm_module) : json_null());
	return o;
}
