/* install-bench.c — KVM_SET_PMU_EVENT_FILTER latency (install-bench.h).
 *
 * What one install costs in the kernel (kvm_vm_ioctl_set_pmu_event_filter):
 * copy the header and nevents u64s, convert/validate/sort the entries,
 * swap the filter pointer under kvm->lock, synchronize_srcu_expedited(),
 * free the old filter, mark every PMC of every vCPU for reprogramming and
 * kvm_make_all_cpus_request(KVM_REQ_PMU) — which only sets a bit for a
 * vCPU outside KVM_RUN but sends an IPI to one inside the guest. So each
 * configuration is timed on a VM whose vCPUs exist and have run (a
 * trivial payload command to completion: "idle"), on a VM without vCPUs
 * ("none"), and with one vCPU held in the guest by another thread (payload
 * "hold": "in-guest"), so that every install kicks a running vCPU.
 *
 * Filters: entry i has select (37 i + 11) mod 256 and umask i / 256, so
 * entries are distinct and out of order (the kernel sorts them); masked
 * entries match that umask exactly (mask 0xFF), every fourth an exclude.
 * Action ALLOW. Each ioctl is timed alone with tsc_start/tsc_stop, the
 * timer's own overhead subtracted (tsc_elapsed). Every timed call must
 * give the result of the first call, or the configuration is skipped. */
#include "install-bench.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "disturb.h"
#include "kvm-compat.h"
#include "kvm-sys.h"
#include "out.h"
#include "pmuf.h"
#include "stop.h"
#include "topology.h"
#include "vm.h"

/* The error paths, each timed like a valid install (stray < 0: none). */
static const struct err_case {
	const char *name;
	bool masked;
	unsigned nevents;  /* header nevents (entries really passed) */
	uint32_t action, flags;
	int stray_bit;     /* set in the last entry */
	int want;          /* the kernel's documented answer */
} err_cases[] = {
	{ "nevents-301", false, 301, KVM_PMU_EVENT_ALLOW, 0, -1, -E2BIG },
	{ "action-2", false, 0, 2, 0, -1, -EINVAL },
	{ "action-2", false, 300, 2, 0, -1, -EINVAL },
	{ "flags-2", false, 0, KVM_PMU_EVENT_ALLOW, 2, -1, -EINVAL },
	{ "masked-stray-bit-16", true, 1, KVM_PMU_EVENT_ALLOW, KVM_PMU_EVENT_FLAG_MASKED_EVENTS, 16,
	  -EINVAL },
	{ "masked-stray-bit-16", true, 300, KVM_PMU_EVENT_ALLOW, KVM_PMU_EVENT_FLAG_MASKED_EVENTS, 16,
	  -EINVAL },
};
#define NERR (sizeof(err_cases) / sizeof(err_cases[0]))

/* One VM configuration being measured. */
struct cfg {
	struct vm *vm;
	unsigned vcpus;
	const char *state;      /* "none", "idle", "in-guest" */
};

struct ctx {
	const struct install_opts *o;
	const struct tsc_calib *cal;
	json_t *set;
	struct progress *pg;
	bool masked_ok;        /* KVM_CAP_PMU_EVENT_MASKED_EVENTS */
	double *ticks;         /* o->samples */
};

static uint64_t entry(bool masked, unsigned i)
{
	uint16_t sel = (uint16_t)((i * 37u + 11u) & 0xFF);
	uint8_t umask = (uint8_t)(i >> 8);
	return masked ? pmuf_masked_encode(sel, 0xFF, umask, i % 4 == 3) : pmuf_exact_encode(sel, umask);
}

/* The ioctl argument: header + nevents entries (malloc'd). */
static void *build(bool masked, unsigned nevents, uint32_t action, uint32_t flags, int stray_bit,
		   size_t *len)
{
	struct pmuf_filter f;
	void *buf = NULL;
	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = action;
	f.flags = flags;
	if (nevents) {
		f.events = malloc(nevents * sizeof(*f.events));
		if (!f.events)
			return NULL;
		f.nevents = nevents;
		for (unsigned i = 0; i < nevents; i++)
			f.events[i] = entry(masked, i);
		if (stray_bit >= 0)
			f.events[nevents - 1] |= 1ull << stray_bit;
	}
	if (pmuf_to_kvm(&f, &buf, len) < 0)
		buf = NULL;
	pmuf_free(&f);
	return buf;
}

/* ---- a vCPU held in the guest by a second thread ---- */

enum { HOLD_STARTING = 0, HOLD_IN_GUEST = 1, HOLD_LEFT = 2 };

struct holder {
	struct vcpu *v;
	unsigned timeout_ms;
	int core;
	atomic_int state;
	int err;
	struct vm_run_result r;
};

static void *hold_main(void *arg)
{
	struct holder *h = arg;
	(void)pin_thread(h->core, NULL); /* best effort: unpinned still holds the vCPU */
	int err = vcpu_run(h->v, h->timeout_ms, &h->r);
	if (!err && h->r.kind == VM_EXIT_SYNC) {
		atomic_store(&h->state, HOLD_IN_GUEST);
		err = vcpu_run(h->v, h->timeout_ms, &h->r);
	}
	h->err = err;
	atomic_store(&h->state, HOLD_LEFT);
	return NULL;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Loads "hold" and starts the thread; waits until the vCPU entered the
 * guest (its GUEST_SYNC answered and a few ms to re-enter). */
static int hold_start(struct vm *vm, struct holder *h, pthread_t *t, char *why, size_t wl)
{
	const struct vm_payload *p = vm_payload_find("hold");
	int err = p ? __vm_load(vm, p) : -ENOENT;
	if (err) {
		snprintf(why, wl, "cannot load the guest payload \"hold\": %s", strerror(-err));
		return err;
	}
	struct guest_mailbox *mb = vm_mailbox(vm);
	mb->cmd = GUEST_CMD_SPIN;
	mb->nvalues = 1;
	mb->values[0] = 0;
	atomic_store(&h->state, HOLD_STARTING);
	h->err = 0;
	/* The holder spins: never with the measuring thread's real-time
	 * policy (--fifo), which a new thread would otherwise inherit. */
	pthread_attr_t attr;
	struct sched_param sp = { .sched_priority = 0 };
	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_OTHER);
	pthread_attr_setschedparam(&attr, &sp);
	err = -pthread_create(t, &attr, hold_main, h);
	pthread_attr_destroy(&attr);
	if (err) {
		snprintf(why, wl, "pthread_create: %s", strerror(-err));
		return err;
	}
	while (atomic_load(&h->state) == HOLD_STARTING)
		sleep_ms(1);
	if (atomic_load(&h->state) == HOLD_LEFT) {
		pthread_join(*t, NULL);
		snprintf(why, wl, "the held vCPU did not reach the guest: %.240s", h->r.msg);
		return -EPROTO;
	}
	sleep_ms(5);
	return 0;
}

/* Tells the guest to stop and joins; 0 if it stayed in the guest until
 * told (a DONE), else why. */
static int hold_stop(struct vm *vm, struct holder *h, pthread_t t, char *why, size_t wl)
{
	volatile struct guest_mailbox *mb = vm_mailbox(vm);
	mb->values[0] = 1;
	pthread_join(t, NULL);
	if (h->err || h->r.kind != VM_EXIT_DONE) {
		snprintf(why, wl, "the held vCPU left the guest before it was told to: %.240s", h->r.msg);
		return -EPROTO;
	}
	return 0;
}

/* ---- timing ---- */

/* Warm-up, then o->samples timed ioctls into c->ticks. *res gets the
 * kernel's answer; every call must give the same (else -EPROTO). */
static int time_installs(struct ctx *c, int vm_fd, const void *buf, size_t len, int *res,
			 struct disturb_cell *dc, char *why, size_t wl)
{
	int first = __vm_set_pmu_filter_raw(vm_fd, buf, len);
	*res = first;
	for (unsigned i = 0; i < c->o->warmup; i++) {
		int r = __vm_set_pmu_filter_raw(vm_fd, buf, len);
		if (r != first)
			goto differs;
	}
	/* A preempted or migrated sample (checked between ioctls) is taken
	 * again; blocking is part of the ioctl (it waits for SRCU readers). */
	struct disturb_mark dm;
	disturb_cell_begin(dc);
	disturb_mark(&dm);
	for (unsigned i = 0; i < c->o->samples; i++) {
		uint64_t t0 = tsc_start();
		int r = __vm_set_pmu_filter_raw(vm_fd, buf, len);
		uint64_t t1 = tsc_stop();
		c->ticks[i] = tsc_elapsed(c->cal, t0, t1);
		if (r != first)
			goto differs;
		if (disturb_retake(dc, disturb_since(&dm) & DISTURB_INVOLUNTARY, c->o->samples))
			i--; /* unsigned wrap at 0 is undone by the i++ */
	}
	disturb_cell_end(dc);
	return 0;
differs:
	snprintf(why, wl, "the ioctl's answer changed between calls (first %s)",
		 pmuf_errno_name(first));
	return -EPROTO;
}

static void what_of(char *buf, size_t len, const struct cfg *g, const char *casename,
		    const char *enc, unsigned size)
{
	snprintf(buf, len, "install %s %s size %u, %u vCPUs (%s)", casename, enc, size, g->vcpus,
		 g->state);
}

/* Times one filter on g and adds its record (or a skip): a generated one,
 * or (uf) a user's, whose answer is whatever the kernel gives (want
 * ignored) and whose record names it. */
static void measure(struct ctx *c, const struct cfg *g, const char *casename, bool masked,
		    unsigned nevents, uint32_t action, uint32_t flags, int stray_bit, int want,
		    const struct holder *h, const struct user_filter *uf)
{
	const char *enc = masked ? "masked" : "exact";
	char what[320], why[320];
	if (stop_signal())
		return; /* a signal keeps what ran (stop.h) */
	what_of(what, sizeof(what), g, casename, enc, nevents);
	if (uf)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s", uf->name);
	if (masked && !c->masked_ok) {
		out_set_skip(c->set, what, "KVM lacks KVM_CAP_PMU_EVENT_MASKED_EVENTS");
		return;
	}
	size_t len;
	void *buf = NULL;
	if (uf && pmuf_to_kvm(&uf->f, &buf, &len) < 0)
		buf = NULL;
	else if (!uf)
		buf = build(masked, nevents, action, flags, stray_bit, &len);
	if (!buf) {
		out_set_skip(c->set, what, "out of memory");
		return;
	}
	int res;
	struct disturb_cell dc;
	int err = time_installs(c, g->vm->fd, buf, len, &res, &dc, why, sizeof(why));
	free(buf);
	if (uf)
		want = res;
	if (!err && res != want) {
		snprintf(why, sizeof(why), "the kernel answered %s where %s was expected",
			 pmuf_errno_name(res), pmuf_errno_name(want));
		err = -EPROTO;
	}
	if (!err && h && atomic_load(&h->state) != HOLD_IN_GUEST) {
		snprintf(why, sizeof(why), "the held vCPU left the guest during the samples: %.240s",
			 h->r.msg);
		err = -EPROTO;
	}
	if (err) {
		out_set_skip(c->set, what, why);
		return;
	}
	json_t *r = json_object();
	json_object_set_new(r, "case", json_string(casename));
	json_object_set_new(r, "path", json_string(res ? pmuf_errno_name(res) : "ok"));
	json_object_set_new(r, "errno", res ? json_string(pmuf_errno_name(res)) : json_null());
	json_object_set_new(r, "encoding", json_string(enc));
	json_object_set_new(r, "size", json_integer(nevents));
	json_object_set_new(r, "action", json_integer(action));
	json_object_set_new(r, "flags", json_integer(flags));
	json_object_set_new(r, "vcpus", json_integer(g->vcpus));
	json_object_set_new(r, "vcpu_state", json_string(g->state));
	if (uf)
		user_filter_put(r, uf);
	else {
		json_object_set_new(r, "filter", json_null());
		json_object_set_new(r, "filter_hash", json_null());
	}
	if (out_record_stats(r, "", c->ticks, c->o->samples, c->cal, c->o->raw) < 0) {
		json_decref(r);
		out_set_skip(c->set, what, "statistics failed (non-finite sample)");
		return;
	}
	disturb_record(r, &dc, c->ticks, c->o->samples);
	out_set_add(c->set, r);
}

static void measure_valid(struct ctx *c, const struct cfg *g, unsigned size, bool masked,
			  const struct holder *h)
{
	measure(c, g, "valid", masked, size, KVM_PMU_EVENT_ALLOW,
		masked ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0, -1, 0, h, NULL);
	progress_step(c->pg, 1);
}

/* The user's filters (--filter), each as it is. */
static void measure_user(struct ctx *c, const struct cfg *g, const struct holder *h)
{
	for (size_t i = 0; i < c->o->nfilters; i++) {
		const struct user_filter *uf = &c->o->filters[i];
		measure(c, g, "user", pmuf_is_masked(&uf->f), (unsigned)uf->f.nevents, uf->f.action,
			uf->f.flags, -1, 0, h, uf);
		progress_step(c->pg, 1);
	}
}

static void measure_errors(struct ctx *c, const struct cfg *g, const struct holder *h)
{
	for (size_t i = 0; i < NERR; i++) {
		const struct err_case *e = &err_cases[i];
		measure(c, g, e->name, e->masked, e->nevents, e->action, e->flags, e->stray_bit,
			e->want, h, NULL);
		progress_step(c->pg, 1);
	}
}

/* Every size x encoding, then the error paths, on one VM. */
static void measure_all(struct ctx *c, const struct cfg *g)
{
	for (size_t s = 0; s < c->o->nsizes; s++)
		for (int m = 0; m < 2; m++)
			measure_valid(c, g, c->o->sizes[s], m, NULL);
	measure_user(c, g, NULL);
	measure_errors(c, g, NULL);
}

/* Skips every configuration of g with why (progress still advances). */
static void skip_all(struct ctx *c, const struct cfg *g, const char *why)
{
	char what[160];
	snprintf(what, sizeof(what), "install, %u vCPUs (%s)", g->vcpus, g->state);
	out_set_skip(c->set, what, why);
	progress_step(c->pg, c->o->nsizes * 2 + c->o->nfilters + NERR);
}

/* A trivial command (baseline NOP, one sample) to completion on v. */
static int run_once(struct vm *vm, struct vcpu *v, unsigned timeout_ms, char *why, size_t wl)
{
	const struct vm_payload *p = vm_payload_find("baseline");
	int err = p ? __vm_load(vm, p) : -ENOENT;
	if (err) {
		snprintf(why, wl, "cannot load the guest payload \"baseline\": %s", strerror(-err));
		return err;
	}
	struct guest_mailbox *mb = vm_mailbox(vm);
	mb->cmd = GUEST_CMD_NOP;
	mb->nsamples_req = 1;
	struct vm_run_result r;
	err = vcpu_run_to_end(v, timeout_ms, &r);
	if (err || r.kind != VM_EXIT_DONE || mb->status != GUEST_ST_OK) {
		snprintf(why, wl, "vCPU %u did not run a trivial guest command: %.240s", v->id, r.msg);
		return err ? err : -EPROTO;
	}
	return 0;
}

/* A VM with n vCPUs that have each run once. */
static int make_vm(int kvm, unsigned n, unsigned timeout_ms, struct vm **out, char *why, size_t wl)
{
	struct vm *vm;
	int err = __vm_create(kvm, &vm);
	if (err) {
		snprintf(why, wl, "cannot create a VM: %s", strerror(-err));
		return err;
	}
	for (unsigned i = 0; i < n; i++) {
		struct vcpu *v;
		err = __vcpu_add(vm, i, &v);
		if (err) {
			snprintf(why, wl, "cannot add vCPU %u: %s", i, strerror(-err));
			goto fail;
		}
		err = run_once(vm, v, timeout_ms, why, wl);
		if (err)
			goto fail;
	}
	*out = vm;
	return 0;
fail:
	vm_free(vm);
	return err;
}

/* One vCPU held in the guest during each size x encoding and each error
 * path (the holder restarts for every configuration, so a watchdog stop
 * only loses one). */
static void measure_in_guest(struct ctx *c, int kvm)
{
	struct cfg g = { NULL, 1, "in-guest" };
	char why[320];
	if (topo_ncores() < 2) {
		skip_all(c, &g, "needs two cores: the held vCPU's thread spins on one, the "
				"installs run on another");
		return;
	}
	if (make_vm(kvm, 1, c->o->timeout_ms, &g.vm, why, sizeof(why))) {
		skip_all(c, &g, why);
		return;
	}
	struct holder h = { .v = g.vm->vcpus[0], .timeout_ms = c->o->timeout_ms,
			    .core = c->o->guest_core };
	size_t nconf = c->o->nsizes * 2 + c->o->nfilters + NERR;
	for (size_t k = 0; k < nconf && !stop_signal(); k++) {
		pthread_t t;
		if (hold_start(g.vm, &h, &t, why, sizeof(why))) {
			char what[160];
			snprintf(what, sizeof(what), "install configuration %zu, 1 vCPU (in-guest)", k);
			out_set_skip(c->set, what, why);
			progress_step(c->pg, 1);
			continue;
		}
		size_t before = json_array_size(json_object_get(c->set, "records"));
		if (k < c->o->nsizes * 2) {
			measure_valid(c, &g, c->o->sizes[k / 2], k % 2, &h);
		} else if (k < c->o->nsizes * 2 + c->o->nfilters) {
			const struct user_filter *uf = &c->o->filters[k - c->o->nsizes * 2];
			measure(c, &g, "user", pmuf_is_masked(&uf->f), (unsigned)uf->f.nevents, uf->f.action,
				uf->f.flags, -1, 0, &h, uf);
			progress_step(c->pg, 1);
		} else {
			const struct err_case *e = &err_cases[k - c->o->nsizes * 2 - c->o->nfilters];
			measure(c, &g, e->name, e->masked, e->nevents, e->action, e->flags,
				e->stray_bit, e->want, &h, NULL);
			progress_step(c->pg, 1);
		}
		if (hold_stop(g.vm, &h, t, why, sizeof(why))) {
			/* The samples were taken with the vCPU out of the guest for
			 * part of the time: drop the record, say why. */
			json_t *recs = json_object_get(c->set, "records");
			if (json_array_size(recs) > before) {
				json_t *r = json_array_get(recs, before);
				char what[160];
				what_of(what, sizeof(what), &g,
					json_string_value(json_object_get(r, "case")),
					json_string_value(json_object_get(r, "encoding")),
					(unsigned)json_integer_value(json_object_get(r, "size")));
				json_array_remove(recs, before);
				out_set_skip(c->set, what, why);
			}
		}
	}
	vm_free(g.vm);
}

size_t install_bench_steps(const struct install_opts *o)
{
	size_t per = o->nsizes * 2 + o->nfilters + NERR;
	return per * (o->nvcpus + (o->in_guest ? 1 : 0));
}

int install_bench(const struct install_opts *o, const struct tsc_calib *cal, json_t *set,
		  struct progress *pg, char *why, size_t whylen)
{
	int kvm = kvm_sys_open();
	if (kvm < 0) {
		snprintf(why, whylen, "/dev/kvm not usable: %s", strerror(-kvm));
		return kvm;
	}
	int r = kvm_sys_check_cap(kvm, KVM_CAP_PMU_EVENT_FILTER);
	if (r <= 0) {
		snprintf(why, whylen, "KVM lacks KVM_CAP_PMU_EVENT_FILTER%s",
			 r < 0 ? " (KVM_CHECK_EXTENSION failed)" : "");
		close(kvm);
		return -EOPNOTSUPP;
	}
	struct ctx c = { .o = o, .cal = cal, .set = set, .pg = pg };
	c.masked_ok = kvm_sys_check_cap(kvm, KVM_CAP_PMU_EVENT_MASKED_EVENTS) > 0;
	c.ticks = calloc(o->samples ? o->samples : 1, sizeof(*c.ticks));
	if (!c.ticks) {
		close(kvm);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < o->nvcpus && !stop_signal(); i++) {
		struct cfg g = { NULL, o->vcpus[i], o->vcpus[i] ? "idle" : "none" };
		char w[320];
		if (make_vm(kvm, g.vcpus, o->timeout_ms, &g.vm, w, sizeof(w))) {
			skip_all(&c, &g, w);
			continue;
		}
		measure_all(&c, &g);
		vm_free(g.vm);
	}
	if (o->in_guest && !stop_signal())
		measure_in_guest(&c, kvm);
	free(c.ticks);
	close(kvm);
	return 0;
}
