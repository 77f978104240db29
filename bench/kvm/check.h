/* check.h — `pfbench check`: does this host's KVM PMU event filter behave
 * as documented? The checks, each ending as pass, fail or skipped with a
 * reason, reported one by one through a callback as they finish. The
 * frame is check.c; the checks are per arch (bench/kvm/<arch>/). x86:
 *  - caps/...: the capabilities agree with what the ioctls do
 *    (x86_64/check-ioctl.c);
 *  - flavor: the event-select width KVM validates with, against the CPU
 *    vendor (a difference is reported, not failed);
 *  - ioctl/...: the documented validation cases (a table), the kernel and
 *    the library's pmuf_validate() both against the documented answer;
 *  - ioctl/differential: pmuf_validate() against the kernel over random
 *    filters (filters/pmuf-random.h);
 *  - count/...: with a vPMU, selftest-style counting in a guest (payload
 *    "pmu", VERIFY): member/non-member allow/deny, masked entries,
 *    the fixed-counter bitmap (x86_64/check-count.c);
 *  - user/NAME/...: the user's --filter files: installed on a scratch VM
 *    (the kernel's answer against the model's) and, with a vPMU, counted.
 * arm64 (arm64/check-arch.c): the attribute order KVM enforces and
 * counting under KVM_ARM_VCPU_PMU_V3_FILTER (see its header comment).
 * Prints nothing; bench/cmd-check.c prints and writes the results.
 * A SIGINT/SIGTERM caught by stop_install() (bench/common/stop.h) ends the
 * run at the next check: each check function tests check_stopped() between
 * the checks it reports, and one cut short (ioctl/differential part way
 * through its filters) reports nothing, so every verdict reported is whole. */
#ifndef PFBENCH_CHECK_H
#define PFBENCH_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm-sys.h"
#include "pmuf.h"
#include "schema.h"
#include "user-filter.h"

enum check_result { CHECK_PASS = 0, CHECK_FAIL = 1, CHECK_SKIP = 2 };
const char *check_result_name(enum check_result r); /* "pass", "fail", "skipped" */

struct check_opts {
	unsigned ndiff;          /* random filters in ioctl/differential */
	uint64_t seed;           /* their seed */
	unsigned timeout_ms;     /* watchdog per guest run */
	unsigned workload_loops; /* `loop` iterations the guest counts over */
	bool assume_vpmu;        /* run count/... even when KVM reports no vPMU */
	const struct user_filter *filters; /* --filter FILE: the user/... checks */
	size_t nfilters;
};

/* What the host offers, probed once by check_probe(). */
struct check_host {
	int kvm_fd;               /* -1 when /dev/kvm is not usable (kvm_why) */
	char kvm_why[160];
	int cap_filter, cap_masked, cap_stats; /* KVM_CHECK_EXTENSION (<0: -errno) */
	enum pmuf_flavor flavor;  /* as KVM validates (probed); UNSET if it cannot be */
	char flavor_why[160];     /* why UNSET */
	enum pmuf_flavor cpu_flavor; /* the CPU vendor's, UNSET if neither */
	char cpu_vendor[32];      /* CPUID vendor string or "unknown" */
	struct kvm_vpmu_info vpmu;
	bool run_counting;        /* a vPMU, or assumed */
	char no_vpmu[192];        /* the skip reason of count/... */
};

typedef void (*check_report_fn)(void *arg, const char *name, enum check_result r,
				const char *reason);

struct check_run {
	const struct check_opts *o;
	struct check_host h;
	check_report_fn report;
	void *arg;
	unsigned n[3];           /* per check_result */
};

/* Opens /dev/kvm and probes caps, flavor, CPU vendor and vPMU into c->h. */
void check_probe(struct check_run *c);
void check_close(struct check_run *c);
/* Counts and forwards one result; reason may be NULL for a bare pass. */
__attribute__((format(printf, 4, 5))) void check_report(struct check_run *c, const char *name,
							enum check_result r, const char *fmt, ...);

/* x86 (x86_64/check-ioctl.c, check-count.c) */
void check_caps(struct check_run *c);
void check_flavor(struct check_run *c);
void check_ioctl_cases(struct check_run *c);
void check_differential(struct check_run *c);
void check_counting(struct check_run *c);     /* x86_64/check-count.c */
/* Per --filter file: user/NAME/install (the kernel's answer on a scratch
 * VM agrees with pmuf_validate), and with a vPMU user/NAME/count/... (the
 * event of its first entry and one of a select no entry names count as
 * the filter decides). x86 filters: x86_64/check-count.c. */
void check_user_filters(struct check_run *c);

/* A signal arrived (stop.h): report no further check. */
bool check_stopped(void);

/* Every check of this arch in order (<arch>/check-arch.c). */
void check_arch_all(struct check_run *c);
/* check_arch_all: what `pfbench check` runs. */
void check_all(struct check_run *c);

/* The records of check.json (schema-check.c). */
extern const struct schema check_schema;

#endif
