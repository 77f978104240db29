/* kvm-hostinfo.c — the KVM part of the host description (hostinfo.h's
 * "kvm" object): /dev/kvm, the capabilities, KVM's filter flavor probed by
 * asking it, enable_pmu and the mediated-PMU knob, the vPMU it offers.
 * bench/common/hostinfo.c gets it through hostinfo_set_kvm(kvm_host_json),
 * which pfbench's main() calls, so the lower layer never includes this
 * one. */
#include "kvm-sys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hostinfo.h"
#include "kvm-compat.h"



static json_t *cap_json(int kvm, long cap)
{
	int r = kvm_sys_check_cap(kvm, cap);
	return r < 0 ? json_null() : json_integer(r);
}

static json_t *vpmu_json(const struct kvm_vpmu_info *v)
{
	json_t *o = json_object();
	json_object_set_new(o, "present", json_boolean(v->present));
	json_object_set_new(o, "version", json_integer(v->version));
	json_object_set_new(o, "gp_counters", json_integer(v->gp_counters));
	json_object_set_new(o, "gp_width", json_integer(v->gp_width));
	json_object_set_new(o, "fixed_counters", json_integer(v->fixed_counters));
	json_object_set_new(o, "fixed_width", json_integer(v->fixed_width));
	json_object_set_new(o, "why", v->present ? json_null() : json_string(v->why));
	return o;
}

/* The mediated (pass-through) vPMU knob: kvm_amd/kvm_intel's
 * enable_mediated_pmu in mainline; older postings' names after it. */
static json_t *mediated_json(void)
{
	static const char *const names[] = { "enable_mediated_pmu", "mediated_pmu",
					     "enable_passthrough_pmu" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char v[64];
		if (kvm_sys_param(names[i], v, sizeof(v)) == 0) {
			json_t *o = json_object();
			json_object_set_new(o, "param", json_string(names[i]));
			json_object_set_new(o, "value", json_string(v));
			return o;
		}
	}
	return json_null();
}

json_t *kvm_host_json(json_t *missing, enum pmuf_flavor *probed)
{
	json_t *o = json_object();
	json_t *caps = json_object();
	int kvm = kvm_sys_open();

	json_object_set_new(o, "usable", json_boolean(kvm >= 0));
	json_object_set_new(o, "why", kvm >= 0 ? json_null()
					       : json_sprintf("/dev/kvm: %s", strerror(-kvm)));
	/* Asked again rather than written down: kvm_sys_open() accepts only
	 * the version it was built for, but the record states what KVM said. */
	int api = kvm >= 0 ? ioctl(kvm, KVM_GET_API_VERSION, 0) : -1;
	json_object_set_new(o, "api_version", api >= 0 ? json_integer(api) : json_null());
	char pmu[16];
	int pr = kvm_sys_param("enable_pmu", pmu, sizeof(pmu));
	bool pmu_off = pr == 0 && pmu[0] == 'N';
	if (kvm < 0)
		hostinfo_add_missing(missing, "KVM: /dev/kvm: %s; pfbench exit, install and check cannot "
				     "run and the filter flavor cannot be probed", strerror(-kvm));

	static const struct {
		const char *key, *uname;
		long cap;
		const char *disables;
	} cap_tab[] = {
		{ "pmu_event_filter", "PMU_EVENT_FILTER", KVM_CAP_PMU_EVENT_FILTER,
		  "KVM_SET_PMU_EVENT_FILTER is unavailable: install, exit-under-filter and check "
		  "cannot run" },
		{ "pmu_event_masked_events", "PMU_EVENT_MASKED_EVENTS", KVM_CAP_PMU_EVENT_MASKED_EVENTS,
		  "masked filters cannot be installed and the filter flavor cannot be probed" },
		{ "binary_stats_fd", "BINARY_STATS_FD", KVM_CAP_BINARY_STATS_FD,
		  "exit counts cannot be read from KVM's binary stats" },
		{ "pmu_capability", "PMU_CAPABILITY", KVM_CAP_PMU_CAPABILITY,
		  "the vPMU cannot be disabled per VM" },
	};
	for (size_t i = 0; i < sizeof(cap_tab) / sizeof(cap_tab[0]); i++) {
		if (kvm < 0) {
			json_object_set_new(caps, cap_tab[i].key, json_null());
			continue;
		}
		json_t *c = cap_json(kvm, cap_tab[i].cap);
		/* KVM answers PMU_CAPABILITY with 0 when enable_pmu=N; the
		 * missing vPMU says that already. */
		bool implied = cap_tab[i].cap == KVM_CAP_PMU_CAPABILITY && pmu_off;
		if (!implied && (!json_is_integer(c) || json_integer_value(c) <= 0))
			hostinfo_add_missing(missing, "KVM_CAP_%s (%ld): KVM answers %s; %s",
				    cap_tab[i].uname, cap_tab[i].cap,
				    json_is_integer(c) ? "0" : "an error", cap_tab[i].disables);
		json_object_set_new(caps, cap_tab[i].key, c);
	}
	json_object_set_new(o, "caps", caps);

	/* The flavor KVM validates with, by asking it. */
	enum pmuf_flavor fl = PMUF_FLAVOR_UNSET;
	int r = kvm < 0 ? kvm : kvm_sys_probe_flavor(&fl);
	*probed = r == 0 ? fl : PMUF_FLAVOR_UNSET;
	json_object_set_new(o, "flavor", r == 0 ? json_string(pmuf_flavor_name(fl)) : json_null());
	if (r == 0 && fl == PMUF_FLAVOR_INTEL)
		json_object_set_new(o, "flavor_how",
				    json_string("probed: a masked entry with event select 0x1C0 "
						"(bit 32) is EINVAL, 0xC0 is accepted: 8-bit "
						"event select"));
	else if (r == 0)
		json_object_set_new(o, "flavor_how",
				    json_string("probed: a masked entry with event select 0x1C0 "
						"(bit 32) is accepted: 12-bit event select"));
	else
		json_object_set_new(o, "flavor_how",
				    json_sprintf("not probed: %s", r == -EOPNOTSUPP
						 ? "no KVM_CAP_PMU_EVENT_MASKED_EVENTS" : strerror(-r)));

	json_object_set_new(o, "enable_pmu", pr == 0 ? json_string(pmu) : json_null());
	json_object_set_new(o, "mediated_pmu", mediated_json());

	struct kvm_vpmu_info v;
	memset(&v, 0, sizeof(v));
	if (kvm >= 0) {
		kvm_sys_vpmu(kvm, &v);
	} else {
		snprintf(v.why, sizeof(v.why), "/dev/kvm: %s", strerror(-kvm));
	}
	json_object_set_new(o, "vpmu", vpmu_json(&v));
	if (!v.present)
		hostinfo_add_missing(missing, "vPMU: %s; guest counter writes never reach the filter "
				     "lookup, so exit latencies are not filter lookups and counting "
				     "checks are skipped", v.why);
	if (kvm >= 0)
		close(kvm);
	return o;
}
