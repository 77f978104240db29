/* check.c — the frame of `pfbench check` (check.h): probing the host once,
 * counting and forwarding results; the checks and their order are the
 * arch's (<arch>/check-arch.c). */
#include "check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "hostinfo.h"
#include "kvm-compat.h"
#include "stop.h"

const char *check_result_name(enum check_result r)
{
	switch (r) {
	case CHECK_PASS:
		return "pass";
	case CHECK_FAIL:
		return "fail";
	case CHECK_SKIP:
		return "skipped";
	}
	return "?";
}

void check_report(struct check_run *c, const char *name, enum check_result r, const char *fmt, ...)
{
	char reason[512] = "";
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(reason, sizeof(reason), fmt, ap);
		va_end(ap);
	}
	if ((unsigned)r < 3)
		c->n[r]++;
	if (c->report)
		c->report(c->arg, name, r, reason);
}

static void probe_cpu(struct check_host *h)
{
	json_t *hi = hostinfo_json();
	const char *v = json_string_value(json_object_get(json_object_get(hi, "cpu"), "vendor"));
	snprintf(h->cpu_vendor, sizeof(h->cpu_vendor), "%s", v ? v : "unknown");
	json_decref(hi);
	if (!strcmp(h->cpu_vendor, "GenuineIntel"))
		h->cpu_flavor = PMUF_FLAVOR_INTEL;
	else if (!strcmp(h->cpu_vendor, "AuthenticAMD") || !strcmp(h->cpu_vendor, "HygonGenuine"))
		h->cpu_flavor = PMUF_FLAVOR_AMD;
	else
		h->cpu_flavor = PMUF_FLAVOR_UNSET;
}

static void probe_vpmu(struct check_run *c)
{
	struct check_host *h = &c->h;
	int r = kvm_sys_vpmu(h->kvm_fd, &h->vpmu);
	if (r < 0) {
		snprintf(h->no_vpmu, sizeof(h->no_vpmu), "cannot tell whether there is a vPMU: %s",
			 h->vpmu.why);
		return;
	}
	if (h->vpmu.present) {
		h->run_counting = true;
		return;
	}
	char ep[16];
	if (kvm_sys_param("enable_pmu", ep, sizeof(ep)) == 0 && (ep[0] == 'N' || ep[0] == '0'))
		snprintf(h->no_vpmu, sizeof(h->no_vpmu), "no vPMU (enable_pmu=N)");
	else
		snprintf(h->no_vpmu, sizeof(h->no_vpmu), "no vPMU (%s)", h->vpmu.why);
	h->run_counting = c->o->assume_vpmu;
}

void check_probe(struct check_run *c)
{
	struct check_host *h = &c->h;
	memset(h, 0, sizeof(*h));
	h->cap_filter = h->cap_masked = h->cap_stats = -ENODEV;
	probe_cpu(h);
	h->kvm_fd = kvm_sys_open();
	if (h->kvm_fd < 0) {
		snprintf(h->kvm_why, sizeof(h->kvm_why), "/dev/kvm not usable: %s",
			 strerror(-h->kvm_fd));
		snprintf(h->flavor_why, sizeof(h->flavor_why), "%s", h->kvm_why);
		snprintf(h->no_vpmu, sizeof(h->no_vpmu), "%s", h->kvm_why);
		h->kvm_fd = -1;
		return;
	}
	h->cap_filter = kvm_sys_check_cap(h->kvm_fd, KVM_CAP_PMU_EVENT_FILTER);
	h->cap_masked = kvm_sys_check_cap(h->kvm_fd, KVM_CAP_PMU_EVENT_MASKED_EVENTS);
	h->cap_stats = kvm_sys_check_cap(h->kvm_fd, KVM_CAP_BINARY_STATS_FD);
	int r = h->cap_masked > 0 ? kvm_sys_probe_flavor(&h->flavor) : -EOPNOTSUPP;
	if (r < 0) {
		h->flavor = PMUF_FLAVOR_UNSET;
		snprintf(h->flavor_why, sizeof(h->flavor_why), "%s",
			 r == -EOPNOTSUPP ? "KVM lacks KVM_CAP_PMU_EVENT_MASKED_EVENTS (kernels before "
					    "6.3), which the flavor probe needs"
					  : strerror(-r));
	}
	probe_vpmu(c);
}

bool check_stopped(void)
{
	return stop_signal() != 0;
}

void check_close(struct check_run *c)
{
	if (c->h.kvm_fd >= 0)
		close(c->h.kvm_fd);
	c->h.kvm_fd = -1;
}

void check_all(struct check_run *c)
{
	check_arch_all(c);
}
