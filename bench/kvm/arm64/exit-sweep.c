/* exit-sweep.c (arm64) — `pfbench exit`'s reprogram sweep on arm64. The
 * filter is a set of KVM_ARM_VCPU_PMU_V3_FILTER ranges that must precede
 * KVM_ARM_VCPU_PMU_V3_INIT, so every configuration gets its own VM: no
 * filter first, then per number of ranges x action x position of the
 * programmed event's range (early: first, late: last, absent: in none).
 * The "pmu" payload times each PMEVTYPER0_EL0 write of the event (isb; mrs
 * cntvct_el0), each after an untimed write of another value, and, unless
 * --writes-only, runs a full counting cycle after it.
 * KVM turns the ranges into one bitmap, so the lookup itself does not
 * depend on the number of ranges; the sweep shows whether anything does. */
#include "exit-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "disturb.h"
#include "out.h"
#include "progress.h"
#include "stop.h"

enum position { POS_EARLY, POS_LATE, POS_ABSENT };
static const char *const pos_names[] = { "early", "late", "absent" };

#define EVENT GUEST_ARM_EV_INST_RETIRED
#define FILLER_BASE 0x100u /* fillers: single events 0x100, 0x102, … (never adjacent) */

static int build_filter(struct pmuf_filter *f, unsigned nranges, enum pmuf_action act,
			enum position p, int event_bits)
{
	pmuf_init(f, PMUF_ARCH_ARM64);
	f->arm_event_bits = (unsigned)event_bits;
	unsigned fillers = p == POS_ABSENT ? nranges : nranges - 1;
	int err = 0;
	if (p == POS_EARLY)
		err = pmuf_add_range(f, EVENT, 1, act);
	for (unsigned i = 0; i < fillers && !err; i++)
		err = pmuf_add_range(f, FILLER_BASE + 2 * i, 1, act);
	if (p == POS_LATE && !err)
		err = pmuf_add_range(f, EVENT, 1, act);
	return err;
}

struct pmu_arg {
	uint32_t samples, warmup, loops, flags;
	uint64_t values[2];
};

static void fill_pmu(struct guest_mailbox *mb, const void *arg)
{
	const struct pmu_arg *a = arg;
	mb->cmd = GUEST_CMD_REPROGRAM;
	mb->pmu_kind = GUEST_PMU_PMUV3;
	mb->counter = 0;
	mb->nsamples_req = a->samples;
	mb->warmup = a->warmup;
	mb->workload_loops = a->loops;
	mb->flags = a->flags;
	mb->nvalues = 2;
	mb->values[0] = a->values[0];
	mb->values[1] = a->values[1];
}

static void one_config(const struct pmuf_filter *f, unsigned nranges, enum pmuf_action act,
		       enum position p, const struct exit_opts *o, const struct exit_host *h,
		       json_t *set)
{
	/* Each timed write programs ev after an untimed write of ev with
	 * PMEVTYPER.U (exclude EL0; the payload runs at EL1) set, so every
	 * timed write changes the register (KVM re-creates the perf event)
	 * and all samples time the same transition. */
	uint64_t ev = EVENT;
	struct pmu_arg a = {
		.samples = o->samples,
		.warmup = o->warmup,
		.loops = o->workload_loops,
		.flags = GUEST_F_ARM_TIME_FIRST | (o->writes_only ? GUEST_F_WRITES_ONLY : 0),
		.values = { ev, ev | (1ull << 30) },
	};
	json_t *rec = json_object();
	char hex[32];
	json_object_set_new(rec, "group", json_string("reprogram"));
	json_object_set_new(rec, "filter", json_string(f ? "installed" : "none"));
	if (f) {
		json_object_set_new(rec, "filter_size", json_integer(nranges));
		json_object_set_new(rec, "encoding", json_string("arm64-ranges"));
		json_object_set_new(rec, "action", json_string(act == PMUF_ALLOW ? "allow" : "deny"));
		json_object_set_new(rec, "position", json_string(pos_names[p]));
		bool allowed = false;
		if (!pmuf_arm_decide(f, EVENT, &allowed))
			json_object_set_new(rec, "filter_allows_event", json_boolean(allowed));
	}
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)ev);
	json_object_set_new(rec, "eventsel", json_string(hex));
	json_object_set_new(rec, "pmu_msrs", json_string(exit_pmu_kind_name(h->pmu_kind)));
	json_object_set_new(rec, "cycle", json_string(o->writes_only ? "writes-only" : "full"));
	json_object_set_new(rec, "vpmu", json_boolean(h->vpmu));
	json_object_set_new(rec, "measures", json_string(exit_arch_reprogram_measures(h)));

	struct vm *vm;
	struct vcpu *v;
	int err = __vm_create_with_vcpu(-1, &vm, &v);
	if (!err) {
		err = __vm_arm_pmu_setup(vm, f);
		if (err) {
			json_object_set_new(rec, "status", json_string("install-failed"));
			json_object_set_new(rec, "why", json_string(vm->arch.pmu_why));
			out_set_add(set, rec);
			vm_free(vm);
			return;
		}
	} else {
		json_object_set_new(rec, "status", json_string("error"));
		json_object_set_new(rec, "why", json_pack("s++", "creating the VM: ", pmuf_errno_name(err), ""));
		out_set_add(set, rec);
		return;
	}
	struct exit_meas m;
	err = exit_run_payload(vm, v, "pmu", fill_pmu, &a, o->timeout_ms, &m);
	if (err || !m.n) {
		json_object_set_new(rec, "status", json_string(err ? vm_exit_kind_name(m.kind) : "no-samples"));
		char why[480] = "the guest recorded no samples";
		if (!err && m.nresults)
			snprintf(why, sizeof(why), "every PMEVTYPER0_EL0 write raised exception class 0x%x",
				 m.results[0].wrmsr_vector);
		json_object_set_new(rec, "why", json_string(err ? m.why : why));
	} else {
		exit_put_reprogram(rec, &m, h, o->raw);
		if (m.nresults) {
			const struct guest_value_result *r0 = &m.results[0];
			json_object_set_new(rec, "wrmsr_vector", json_integer(r0->wrmsr_vector));
			if (!o->writes_only)
				json_object_set_new(rec, "count_rdpmc", r0->rdpmc_vector ? json_null() :
							  json_integer((json_int_t)r0->count_rdpmc));
		}
	}
	exit_meas_free(&m);
	out_set_add(set, rec);
	vm_free(vm);
}

int exit_bench_sweep(const struct exit_opts *o, const struct exit_host *h, json_t *set)
{
	/* --filter reads x86 filters (KVM_SET_PMU_EVENT_FILTER's entries). */
	if (o->nfilters)
		out_set_skip(set, "user", "--filter files are x86 filters; swept on x86 hosts only");
	if (h->pmu_kind != GUEST_PMU_PMUV3) {
		out_set_skip(set, "reprogram", h->arch.pmu_why);
		return 0;
	}
	size_t total = 1;
	for (size_t i = 0; i < o->nsizes; i++)
		total += o->sizes[i] ? 2 * 3 : 0;
	struct progress pr;
	progress_begin(&pr, "exit: filter sweep", total);
	one_config(NULL, 0, PMUF_ALLOW, POS_ABSENT, o, h, set);
	progress_step(&pr, 1);
	for (size_t i = 0; i < o->nsizes; i++) {
		unsigned size = o->sizes[i];
		if (!size)
			continue; /* no ranges is no filter: the first record */
		for (int act = PMUF_ALLOW; act <= PMUF_DENY; act++)
			for (int p = POS_EARLY; p <= POS_ABSENT && !stop_signal(); p++) {
				struct pmuf_filter f;
				if (build_filter(&f, size, (enum pmuf_action)act, (enum position)p,
						 h->arch.event_bits)) {
					pmuf_free(&f);
					progress_end(&pr);
					return -ENOMEM;
				}
				one_config(&f, size, (enum pmuf_action)act, (enum position)p, o, h, set);
				pmuf_free(&f);
				progress_step(&pr, 1);
			}
	}
	progress_end(&pr);
	return 0;
}
