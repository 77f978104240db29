/* exit-sweep.c (x86_64) — `pfbench exit`'s reprogram sweep on x86: the
 * VM-wide KVM_SET_PMU_EVENT_FILTER installed on one VM, no filter first,
 * then every size x encoding (exact, masked) x action x position of the
 * programmed event; the "pmu" payload times the event-select WRMSRs. */
#include "exit-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "disturb.h"
#include "kvm-sys.h"
#include "out.h"
#include "progress.h"
#include "stop.h"

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
	json_object_set_new(rec, "measures", json_string(exit_arch_reprogram_measures(h)));
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
	struct exit_meas m;
	int err = exit_run_payload(vm, v, "pmu", fill_pmu, &a, o->timeout_ms, &m);
	if (err || !m.n) {
		json_object_set_new(rec, "status", json_string(err ? vm_exit_kind_name(m.kind) : "no-samples"));
		char why[480] = "the guest recorded no samples";
		if (!err && m.nresults)
			snprintf(why, sizeof(why), "every event-select WRMSR raised vector %u",
				 m.results[0].wrmsr_vector);
		json_object_set_new(rec, "why", json_string(err ? m.why : why));
		out_set_add(set, rec);
		exit_meas_free(&m);
		return;
	}
	exit_put_reprogram(rec, &m, h, o->raw);
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
	exit_meas_free(&m);
	out_set_add(set, rec);
}

/* The user's filters (--filter): an event its first entry names, and one
 * of a select no entry names. */
static void user_configs(struct vm *vm, struct vcpu *v, const struct exit_opts *o,
			 const struct exit_host *h, json_t *set, struct progress *pr)
{
	for (size_t i = 0; i < o->nfilters && !stop_signal(); i++) {
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
			one_config(vm, v, f, (unsigned)f->nevents, masked, (enum pmuf_action)f->action,
				   POS_ABSENT, o, h, set, uf, named, "first-entry");
		progress_step(pr, 1);
		if (unnamed && !stop_signal())
			one_config(vm, v, f, (unsigned)f->nevents, masked, (enum pmuf_action)f->action,
				   POS_ABSENT, o, h, set, uf, unnamed, "unnamed-select");
		progress_step(pr, 1);
	}
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
					if ((size == 0 && p != POS_ABSENT) || stop_signal())
						continue; /* a signal keeps what ran (stop.h) */
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
	user_configs(vm, v, o, h, set, &pr);
	progress_end(&pr);
	vm_free(vm);
	return 0;
}

