/* exit-bench.c — see exit-bench.h; the arch-neutral driver. One guest run
 * = load a payload, fill the mailbox, run to GUEST_SYNC(1) (boot +
 * warmup), run to GUEST_SYNC(2) (the timed part: host KVM_RUN time and KVM
 * stats are taken over exactly this segment), check the mailbox, copy the
 * samples out, run to DONE. The baselines come from the arch's rows
 * (exit_arch_baselines[]), the reprogram sweep and host probe from
 * <arch>/exit-arch.c (exit-priv.h). */
#include "exit-bench.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disturb.h"
#include "tsc.h"
#include "kvm-sys.h"
#include "hostinfo.h"
#include "out.h"
#include "progress.h"
#include "stats.h"
#include "stop.h"
#include "exit-priv.h"
#include "vm.h"

/* ---- one guest run ---- */

void exit_meas_free(struct exit_meas *m)
{
	free(m->ticks);
	m->ticks = NULL;
	m->n = 0;
}

static int run_payload_once(struct vm *vm, struct vcpu *v, const char *payload, exit_fill_fn fill,
			    const void *arg, unsigned timeout_ms, struct exit_meas *m, unsigned *dflags)
{
	struct vm_run_result r;
	struct disturb_mark dm;
	char why[300];
	*dflags = 0;
	memset(m, 0, offsetof(struct exit_meas, dc));
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
				snprintf(m->why, sizeof(m->why), "guest " TSC_CLOCK_NAME " samples rejected: %s", why);
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

int exit_run_payload(struct vm *vm, struct vcpu *v, const char *payload, exit_fill_fn fill,
		     const void *arg, unsigned timeout_ms, struct exit_meas *m)
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
		exit_meas_free(m);
	}
}

/* ---- baselines ---- */

void exit_fill_baseline(struct guest_mailbox *mb, const void *arg)
{
	const struct exit_bl_arg *a = arg;
	mb->cmd = a->cmd;
	mb->mode = a->mode;
	mb->nsamples_req = a->samples;
	mb->warmup = a->warmup;
	mb->block_len = a->block;
	mb->flags = (a->omit ? GUEST_F_OMIT_INSN : 0) | (a->paired ? GUEST_F_PAIRED : 0);
	exit_arch_fill_baseline(mb, a->h);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of x[0..n) without touching x; NAN for n == 0. */
double exit_median(const double *x, size_t n)
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

void exit_put_counts(json_t *rec, const struct vm_run_result *r, uint64_t exiting,
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

void exit_put_reprogram(json_t *rec, const struct exit_meas *m, const struct exit_host *h, bool raw)
{
	json_object_set_new(rec, "status", json_string("ok"));
	out_record_stats(rec, "", m->ticks, m->n, &h->cal, raw);
	disturb_record(rec, &m->dc, m->ticks, m->n);
	exit_put_counts(rec, &m->timed, m->exiting, h);
	exit_put_hist(rec, m->hist);
	json_object_set_new(rec, "guest_faults", json_integer(m->nfaults));
}

void exit_put_hist(json_t *rec, const uint64_t *hist)
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
static void one_round(struct vm *vm, struct vcpu *v, const struct exit_baseline *b, unsigned k,
		      unsigned rounds, const struct exit_opts *o, const struct exit_host *h,
		      struct mode_acc *acc)
{
	unsigned n = acc->total / rounds + (k < acc->total % rounds);
	struct exit_bl_arg a = {
		.cmd = b->cmd,
		.mode = acc->amort ? GUEST_MODE_AMORTIZED : GUEST_MODE_EACH,
		.samples = 2 * n,
		.warmup = b->flags & EXIT_BL_RISKY ? 1 : o->warmup,
		.block = acc->amort ? o->block_len : 1,
		.h = h,
		.paired = 1,
	};
	acc->round_net[k] = NAN;
	if (acc->failed)
		return;
	struct exit_meas m;
	if (exit_run_payload(vm, v, "baseline", exit_fill_baseline, &a, o->timeout_ms, &m)) {
		acc->failed = vm_exit_kind_name(m.kind);
		snprintf(acc->why, sizeof(acc->why), "%s", m.why);
		exit_meas_free(&m);
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
		exit_meas_free(&m);
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
	exit_meas_free(&m);
	if (acc->nx > x0 && acc->nov > ov0)
		acc->round_net[k] = exit_median(acc->xs + x0, acc->nx - x0) -
				    exit_median(acc->ovs + ov0, acc->nov - ov0);
}

/* The record of one baseline in one mode. Returns the pooled net median
 * (median of all samples - median of all overhead samples) in ticks, or NAN. */
static double mode_record(const struct exit_baseline *b, const struct mode_acc *acc, unsigned rounds,
			  const struct exit_opts *o, const struct exit_host *h, json_t *set)
{
	char insn[96];
	const char *detail = exit_arch_insn_detail(h);
	snprintf(insn, sizeof(insn), b->insn_fmt, detail ? detail : "?");
	json_t *rec = json_object();
	json_object_set_new(rec, "group", json_string("baseline"));
	json_object_set_new(rec, "exit", json_string(b->exit));
	json_object_set_new(rec, "insn", json_string(insn));
	json_object_set_new(rec, "mode", json_string(acc->amort ? "amortized" : "each"));
	json_object_set_new(rec, "block_len", json_integer(acc->amort ? o->block_len : 1));
	json_object_set_new(rec, "rounds", json_integer(rounds));
	json_object_set_new(rec, "vpmu", json_boolean(h->vpmu));
	json_object_set_new(rec, "measures", json_string("guest-observed round trip of the instruction (" TSC_CLOCK_NAME " in the guest)"));
	double net = NAN;
	if (acc->failed || !acc->nx) {
		json_object_set_new(rec, "status", json_string(acc->failed ? acc->failed : "no-samples"));
		json_object_set_new(rec, "why", json_string(acc->why));
	} else {
		json_object_set_new(rec, "status", json_string("ok"));
		out_record_stats(rec, "", acc->xs, acc->nx, &h->cal, o->raw);
		disturb_record(rec, &acc->dc, acc->xs, acc->nx);
		exit_put_counts(rec, &acc->timed, acc->exiting, h);
		exit_put_hist(rec, acc->hist);
		if (acc->nov) {
			out_record_stats(rec, "overhead_", acc->ovs, acc->nov, &h->cal, false);
			net = exit_median(acc->xs, acc->nx) - exit_median(acc->ovs, acc->nov);
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
static void validity_record(const struct exit_baseline *b, const struct mode_acc acc[2],
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
	double ratio = exit_median(ratios, n);
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
 * every other round the other way round), then the two records and, for
 * EXIT_BL_VALIDITY rows (x86: CPUID and WRMSR), the validity record. A
 * risky row (VMCALL) runs one round, and its amortized mode only if the
 * per-exit run finished. */
static void one_baseline(struct vm *vm, struct vcpu *v, const struct exit_baseline *b,
			 const struct exit_opts *o, const struct exit_host *h, json_t *set)
{
	struct mode_acc acc[2];
	acc[0] = (struct mode_acc){ .amort = false, .total = o->bl_samples, .div = 1.0 };
	acc[1] = (struct mode_acc){ .amort = true, .total = o->blocks, .div = (double)o->block_len };
	bool risky = b->flags & EXIT_BL_RISKY;
	unsigned least = acc[0].total < acc[1].total ? acc[0].total : acc[1].total;
	unsigned rounds = risky ? 1 : o->rounds;
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
			if (m->amort && risky && (acc[0].failed || !acc[0].nx))
				continue; /* amortized only after the per-exit run finished */
			one_round(vm, v, b, k, rounds, o, h, m);
		}
	}
	double pooled[2] = { NAN, NAN };
	pooled[0] = mode_record(b, &acc[0], rounds, o, h, set);
	if (risky && (acc[0].failed || !acc[0].nx)) {
		char name[64], up[32], why[96];
		size_t i = 0;
		for (; b->exit[i] && i + 1 < sizeof(up); i++)
			up[i] = (char)toupper((unsigned char)b->exit[i]);
		up[i] = 0;
		snprintf(name, sizeof(name), "%s amortized", b->exit);
		snprintf(why, sizeof(why), "the per-exit %s run did not finish", up);
		out_set_skip(set, name, why);
	} else {
		pooled[1] = mode_record(b, &acc[1], rounds, o, h, set);
	}
	if (b->flags & EXIT_BL_VALIDITY)
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
	for (const struct exit_baseline *b = exit_arch_baselines; b->exit; b++)
		nb++;
	progress_begin(&pr, "exit: baselines", nb);
	for (size_t i = 0; i < nb && !stop_signal(); i++) { /* a signal keeps what ran (stop.h) */
		const struct exit_baseline *b = &exit_arch_baselines[i];
		char why[200];
		if (b->valid && !b->valid(o, h, why, sizeof(why))) {
			out_set_skip(set, b->exit, why);
			progress_step(&pr, 1);
			continue;
		}
		/* A risky row (VMCALL has been seen to hang a guest): its own VM. */
		if (!vm || (b->flags & EXIT_BL_RISKY)) {
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

/* ---- probing the host ---- */

enum exit_guest_exec exit_classify_exec(double emulated_per_insn, double exits_per_insn, char *why,
					size_t len)
{
	if (emulated_per_insn < 0 || exits_per_insn < 0) {
		snprintf(why, len, "KVM's binary stats lack %s",
			 emulated_per_insn < 0 ? "insn_emulation" : "exits");
		return EXIT_EXEC_UNKNOWN;
	}
	/* Emulated on the emulator's count alone: a busy host adds VM exits
	 * (interrupts, preemption) that have nothing to do with the CPUIDs,
	 * so exits cannot tell emulation apart (2,939 exits for 600 emulated
	 * CPUIDs were seen under load). */
	if (emulated_per_insn >= 1.5) {
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

int exit_probe(struct exit_host *h, unsigned timeout_ms)
{
	memset(h, 0, sizeof(*h));
	h->emulated_per_insn = -1;
	h->exits_per_insn = -1;
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
	snprintf(h->vpmu_why, sizeof(h->vpmu_why), "%s", h->vpmu ? "" : vp.why);
	h->flavor = hostinfo_default_flavor(&h->flavor_how);

	struct vm *vm;
	struct vcpu *v;
	err = __vm_create_with_vcpu(kfd, &vm, &v);
	close(kfd);
	if (err)
		return err;
	h->pmu_kind = vcpu_arch_pmu_kind(v);
	exit_arch_probe(h, vm, v, timeout_ms);
	vm_free(vm);
	return 0;
}

json_t *exit_host_json(const struct exit_host *h)
{
	json_t *o = json_object();
	json_object_set_new(o, "vpmu", json_boolean(h->vpmu));
	if (!h->vpmu) {
		json_object_set_new(o, "vpmu_why", json_string(h->vpmu_why));
		json_object_set_new(o, "reprogram_measures",
				    json_string(exit_arch_reprogram_measures(h)));
	}
	json_object_set_new(o, "filter_flavor", json_string(pmuf_flavor_name(h->flavor)));
	json_object_set_new(o, "filter_flavor_how", json_string(h->flavor_how ? h->flavor_how : "none"));
	exit_arch_host_json(h, o);
	return o;
}
