/* install-bench.c (arm64) — `pfbench install` on arm64 (install-bench.h):
 * the cost of setting up a filter, which on arm64 is one
 * KVM_ARM_VCPU_PMU_V3_FILTER vCPU attribute per range, accepted only
 * before KVM_ARM_VCPU_PMU_V3_INIT and before any vCPU ran. Per number of
 * ranges (--sizes), each sample is a fresh VM with one PMUv3 vCPU
 * (untimed) and the timed part is all of its FILTER attributes (the
 * record's per-range figure divides by the ranges); the error path is a
 * FILTER after INIT (EBUSY), timed per call. vCPU-count and in-guest
 * configurations are x86's (a VM-wide ioctl under running vCPUs): on arm64
 * a filter cannot change once the vCPU runs, so they are skipped here. */
#include "install-bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm-sys.h"
#include "out.h"
#include "pmuf-arm64.h"
#include "stop.h"
#include "vm.h"

#define FILLER_BASE 0x100u

static void record(json_t *set, const char *casename, const char *err, unsigned size,
		   const double *ticks, unsigned n, const struct install_opts *o,
		   const struct tsc_calib *cal)
{
	json_t *r = json_object();
	json_object_set_new(r, "case", json_string(casename));
	json_object_set_new(r, "path", json_string(err ? err : "ok"));
	json_object_set_new(r, "errno", err ? json_string(err) : json_null());
	json_object_set_new(r, "encoding", json_string("arm64-ranges"));
	json_object_set_new(r, "size", json_integer(size));
	json_object_set_new(r, "action", json_integer(KVM_PMU_EVENT_ALLOW));
	json_object_set_new(r, "flags", json_integer(0));
	json_object_set_new(r, "vcpus", json_integer(1));
	json_object_set_new(r, "vcpu_state", json_string("before INIT"));
	json_object_set_new(r, "measures",
			    json_string(err ? "one KVM_ARM_VCPU_PMU_V3_FILTER refused after INIT" :
					"all KVM_ARM_VCPU_PMU_V3_FILTER attributes of the filter, one per range"));
	if (out_record_stats(r, "", ticks, n, cal, o->raw) < 0) {
		json_decref(r);
		out_set_skip(set, casename, "statistics failed (non-finite sample)");
		return;
	}
	out_set_add(set, r);
}

/* One filter of `size` single-event ranges, timed on fresh VMs. */
static int time_size(int kvm, unsigned size, const struct install_opts *o,
		     const struct tsc_calib *cal, double *ticks, char *why, size_t wl)
{
	struct pmuf_arm_range r = { FILLER_BASE, 1, PMUF_ALLOW };
	struct pmuf_arm64_kvm_filter *flt = calloc(size, sizeof(*flt));
	if (!flt)
		return -ENOMEM;
	for (unsigned i = 0; i < size; i++) {
		r.base = FILLER_BASE + 2 * i;
		pmuf_arm_kvm_filter(&r, &flt[i]);
	}
	int err = 0;
	for (unsigned s = 0; s < o->warmup + o->samples && !err; s++) {
		struct vm *vm;
		struct vcpu *v;
		err = __vm_create_with_vcpu(kvm, &vm, &v);
		if (err) {
			snprintf(why, wl, "creating a VM: %s", pmuf_errno_name(err));
			break;
		}
		uint64_t t0 = tsc_start();
		for (unsigned i = 0; i < size && !err; i++)
			err = __vcpu_arm_pmu_attr(vm, 0, PMUF_ARM_VCPU_PMU_V3_FILTER, &flt[i]);
		uint64_t t1 = tsc_stop();
		if (err)
			snprintf(why, wl, "KVM_ARM_VCPU_PMU_V3_FILTER: %s", pmuf_errno_name(err));
		else if (s >= o->warmup)
			ticks[s - o->warmup] = tsc_elapsed(cal, t0, t1);
		vm_free(vm);
	}
	free(flt);
	return err;
}

size_t install_bench_steps(const struct install_opts *o)
{
	return o->nsizes + 1;
}

int install_bench(const struct install_opts *o, const struct tsc_calib *cal, json_t *set,
		  struct progress *pg, char *why, size_t whylen)
{
	int kvm = kvm_sys_open();
	if (kvm < 0) {
		snprintf(why, whylen, "/dev/kvm not usable: %s", strerror(-kvm));
		return kvm;
	}
	struct vm *vm;
	struct vcpu *v;
	int err = __vm_create_with_vcpu(kvm, &vm, &v);
	if (err || !v->arch.pmu) {
		snprintf(why, whylen, "no vPMU for a filter: %s",
			 err ? pmuf_errno_name(err) :
			 !vm->arch.pmu_cap ? "KVM lacks KVM_CAP_ARM_PMU_V3" : "no in-kernel vGICv3");
		if (!err)
			vm_free(vm);
		close(kvm);
		return -EOPNOTSUPP;
	}
	double *ticks = calloc(o->samples ? o->samples : 1, sizeof(*ticks));
	if (!ticks) {
		vm_free(vm);
		close(kvm);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < o->nsizes && !stop_signal(); i++) { /* a signal keeps what ran */
		char w[200], what[96];
		snprintf(what, sizeof(what), "install valid arm64-ranges size %u", o->sizes[i]);
		if (!o->sizes[i])
			out_set_skip(set, what, "no ranges is no filter on arm64");
		else if (time_size(kvm, o->sizes[i], o, cal, ticks, w, sizeof(w)))
			out_set_skip(set, what, w);
		else
			record(set, "valid", NULL, o->sizes[i], ticks, o->samples, o, cal);
		progress_step(pg, 1);
	}
	/* The error path: FILTER after INIT, timed per call on one VM. */
	err = __vm_arm_pmu_setup(vm, NULL);
	struct pmuf_arm_range r = { FILLER_BASE, 1, PMUF_ALLOW };
	struct pmuf_arm64_kvm_filter flt;
	pmuf_arm_kvm_filter(&r, &flt);
	int res = 0;
	for (unsigned s = 0; !err && s < o->warmup + o->samples; s++) {
		uint64_t t0 = tsc_start();
		res = __vcpu_arm_pmu_attr(vm, 0, PMUF_ARM_VCPU_PMU_V3_FILTER, &flt);
		uint64_t t1 = tsc_stop();
		if (res != -EBUSY)
			break;
		if (s >= o->warmup)
			ticks[s - o->warmup] = tsc_elapsed(cal, t0, t1);
	}
	if (err)
		out_set_skip(set, "install after-init arm64-ranges size 1", vm->arch.pmu_why);
	else if (res != -EBUSY)
		out_set_skip(set, "install after-init arm64-ranges size 1",
			     res ? pmuf_errno_name(res) : "accepted after INIT (documented: EBUSY)");
	else
		record(set, "after-init", "EBUSY", 1, ticks, o->samples, o, cal);
	progress_step(pg, 1);
	if (o->nvcpus > 1 || o->in_guest)
		out_set_skip(set, "install vCPU configurations",
			     "arm64: a filter is set per vCPU before INIT; there is no install under "
			     "running or idle vCPUs to time");
	free(ticks);
	vm_free(vm);
	close(kvm);
	return 0;
}
