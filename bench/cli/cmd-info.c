/* cmd-info.c — `pfbench info [--json]`: what this host is (hostinfo.h),
 * grouped for people or as the hostinfo JSON. Missing things are stated,
 * never an error: the command exits 0 whatever the host lacks. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmds.h"
#include "options.h"
#include "rset.h"
#include "hostinfo.h"
#include "util.h"

static const struct opt_doc doc = {
	.cmd = "info",
	.synopsis = "[--json]",
	.about = "Describes this host: CPU vendor/family/model/stepping and microcode, the PMU\n"
		 "model libpfm4 detects, the hwloc topology, the kernel release, whether /dev/kvm\n"
		 "is usable, the KVM capabilities PMU_EVENT_FILTER, PMU_EVENT_MASKED_EVENTS,\n"
		 "BINARY_STATS_FD and PMU_CAPABILITY, the filter flavor KVM validates with\n"
		 "(probed on a scratch VM), enable_pmu and the mediated-vPMU parameter, the\n"
		 "vPMU KVM offers (KVM_GET_SUPPORTED_CPUID), and whether hardware counters\n"
		 "really open. Everything missing is listed with what it disables.\n",
	.status = "exit status: 0 (a host that lacks something is not an error), 2 usage",
};

/* ---- human-readable rendering of the hostinfo object ---- */

static const char *s_(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "unknown";
}

static long long i_(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void size_str(long long b, char *buf, size_t len)
{
	if (b <= 0)
		snprintf(buf, len, "none");
	else if (b >= (1 << 20) && b % (1 << 20) == 0)
		snprintf(buf, len, "%lld MiB", b >> 20);
	else if (b >= 1024 && b % 1024 == 0)
		snprintf(buf, len, "%lld KiB", b >> 10);
	else
		snprintf(buf, len, "%lld B", b);
}

#define ROW "  %-24s "

static void print_cpu(json_t *h)
{
	json_t *c = json_object_get(h, "cpu"), *v = json_object_get(h, "virtualization");
	/* arm64 has no CPUID vendor, model name or microcode: its MIDR says
	 * what the CPU is (the identity line). */
	json_t *midr = json_object_get(c, "midr");
	printf("CPU\n");
	if (!midr)
		printf(ROW "%s\n", "vendor", s_(c, "vendor"));
	if (json_is_integer(json_object_get(c, "family")))
		printf(ROW "family %lld (0x%llx), model %lld (0x%llx), stepping %lld\n",
		       "identity", i_(c, "family"), i_(c, "family"), i_(c, "model"), i_(c, "model"),
		       i_(c, "stepping"));
	else if (json_is_object(midr))
		printf(ROW "MIDR_EL1 %s: implementer %s (%s), part %s, variant %lld, revision %lld\n",
		       "identity", s_(midr, "value"), s_(midr, "implementer"),
		       s_(midr, "implementer_name"), s_(midr, "part"), i_(midr, "variant"),
		       i_(midr, "revision"));
	if (!midr || json_is_string(json_object_get(c, "model_name")))
		printf(ROW "%s\n", "model name", s_(c, "model_name"));
	if (!midr || json_is_string(json_object_get(c, "microcode")))
		printf(ROW "%s\n", "microcode", s_(c, "microcode"));
	printf(ROW "%s, %lld online CPUs\n", "architecture", s_(c, "arch"), i_(c, "online_cpus"));
	/* "how" names the arch's evidence (x86 CPUID's hypervisor bit, arm64's
	 * machine description). */
	if (json_is_true(json_object_get(v, "hypervisor")))
		printf(ROW "yes, hypervisor vendor \"%s\" (from %s)\n", "virtualized",
		       s_(v, "hypervisor_vendor"), s_(v, "how"));
	else
		printf(ROW "no (%s)\n", "virtualized", s_(v, "how"));
}

static void print_pmu_topo_kernel(json_t *h)
{
	json_t *p = json_object_get(h, "pmu"), *t = json_object_get(h, "topology");
	json_t *k = json_object_get(h, "kernel");
	printf("\nPMU model (libpfm4)\n");
	if (json_is_string(json_object_get(p, "default")))
		printf(ROW "%s (%s)\n", "detected", s_(p, "default"), s_(p, "default_desc"));
	else
		printf(ROW "none: %s\n", "detected", s_(p, "why"));

	char l1[32], l2[32], l3[32];
	size_str(i_(t, "l1d_bytes"), l1, sizeof(l1));
	size_str(i_(t, "l2_bytes"), l2, sizeof(l2));
	size_str(i_(t, "l3_bytes"), l3, sizeof(l3));
	printf("\nTopology (hwloc %s)\n", s_(t, "hwloc_version"));
	printf(ROW "packages %lld, cores %lld, PUs %lld, NUMA nodes %lld, SMT %s\n", "layout",
	       i_(t, "packages"), i_(t, "cores"), i_(t, "pus"), i_(t, "numa_nodes"),
	       json_is_true(json_object_get(t, "smt")) ? "on" : "off");
	printf(ROW "L1d %s, L2 %s, L3 %s (x%lld)\n", "caches", l1, l2, l3, i_(t, "l3_count"));

	printf("\nKernel\n");
	printf(ROW "%s\n", "release", s_(k, "release"));
}

static void print_cap(json_t *caps, const char *key, const char *label)
{
	json_t *c = json_object_get(caps, key);
	if (json_is_integer(c))
		printf(ROW "%s (%lld)\n", label, json_integer_value(c) > 0 ? "yes" : "no",
		       json_integer_value(c));
	else
		printf(ROW "unknown\n", label);
}

static void print_kvm(json_t *h)
{
	json_t *k = json_object_get(h, "kvm");
	bool arm = rset_is_arm64(h);
	printf("\nKVM\n");
	if (!json_is_true(json_object_get(k, "usable"))) {
		printf(ROW "no: %s\n", "/dev/kvm usable", s_(k, "why"));
	} else {
		printf(ROW "yes (API version %lld)\n", "/dev/kvm usable", i_(k, "api_version"));
		json_t *caps = json_object_get(k, "caps");
		if (arm) {
			print_cap(caps, "arm_pmu_v3", "ARM_PMU_V3");
		} else {
			print_cap(caps, "pmu_event_filter", "PMU_EVENT_FILTER");
			print_cap(caps, "pmu_event_masked_events", "PMU_EVENT_MASKED_EVENTS");
		}
		print_cap(caps, "binary_stats_fd", "BINARY_STATS_FD");
		if (!arm)
			print_cap(caps, "pmu_capability", "PMU_CAPABILITY");
	}
	if (arm) {
		/* No x86 flavor, enable_pmu or mediated vPMU here: the filter
		 * is ranges of PMUv3 event numbers (docs/filter-format.md). */
		printf(ROW "KVM_ARM_VCPU_PMU_V3_FILTER: ranges of event numbers (10-bit "
		       "for PMUv3, 16-bit for PMUv3p1+), set per vCPU before INIT\n", "filter");
		json_t *v = json_object_get(k, "vpmu");
		if (json_is_true(json_object_get(v, "present")))
			printf(ROW "PMUVer %lld (ID_AA64DFR0_EL1), %lld event counters x %lld bits, "
			       "cycle counter x %lld bits\n", "vPMU (PMUv3)", i_(v, "version"),
			       i_(v, "gp_counters"), i_(v, "gp_width"), i_(v, "fixed_width"));
		else
			printf(ROW "none: %s\n", "vPMU (PMUv3)", s_(v, "why"));
		return;
	}
	const char *fl = json_string_value(json_object_get(k, "flavor"));
	if (fl)
		printf(ROW "%s (%s-bit event select)\n", "filter flavor", fl,
		       !strcmp(fl, "intel") ? "8" : "12");
	else
		printf(ROW "unknown\n", "filter flavor");
	printf(ROW "%s\n", "", s_(k, "flavor_how"));
	printf(ROW "%s\n", "enable_pmu", s_(k, "enable_pmu"));
	json_t *m = json_object_get(k, "mediated_pmu");
	if (json_is_object(m))
		printf(ROW "%s=%s\n", "mediated vPMU param", s_(m, "param"), s_(m, "value"));
	else
		printf(ROW "not present in this kernel\n", "mediated vPMU param");
	json_t *v = json_object_get(k, "vpmu");
	if (json_is_true(json_object_get(v, "present"))) {
		printf(ROW "version %lld, %lld GP counters x %lld bits", "vPMU", i_(v, "version"),
		       i_(v, "gp_counters"), i_(v, "gp_width"));
		if (i_(v, "fixed_counters"))
			printf(", %lld fixed x %lld bits", i_(v, "fixed_counters"), i_(v, "fixed_width"));
		printf("\n");
	} else {
		printf(ROW "none: %s\n", "vPMU", s_(v, "why"));
	}
}

static void print_counters(json_t *h)
{
	json_t *c = json_object_get(h, "counters");
	printf("\nHardware counters\n");
	if (json_is_true(json_object_get(c, "hw_usable")))
		printf(ROW "yes (a cycles counter opened)\n", "perf_event_open");
	else
		printf(ROW "no: %s\n", "perf_event_open", s_(c, "hw_why"));
	const char *name;
	json_t *e;
	json_object_foreach(json_object_get(c, "papi"), name, e) {
		char label[40];
		snprintf(label, sizeof(label), "PAPI %s", name);
		if (json_is_true(json_object_get(e, "available")))
			printf(ROW "yes (%s)\n", label, s_(e, "papi_event"));
		else
			printf(ROW "no: %s\n", label, s_(e, "why"));
	}
}

static void print_human(json_t *h)
{
	printf("pfbench info: host %s\n\n", s_(h, "host_id"));
	print_cpu(h);
	print_pmu_topo_kernel(h);
	print_kvm(h);
	print_counters(h);
	if (rset_is_arm64(h))
		printf("\nDefault filter flavor: %s (%s; x86 filters only: `pfbench lookup` and "
		       "`filter` use it for x86 filters)\n", s_(h, "default_flavor"),
		       s_(h, "default_flavor_how"));
	else
		printf("\nDefault filter flavor: %s (%s)\n", s_(h, "default_flavor"),
		       s_(h, "default_flavor_how"));
	json_t *miss = json_object_get(h, "missing");
	if (json_array_size(miss) == 0) {
		printf("\nNothing is missing.\n");
		return;
	}
	printf("\nMissing on this host:\n");
	size_t i;
	json_t *m;
	json_array_foreach(miss, i, m)
		printf("  - %s\n", json_string_value(m));
}

int cmd_info(int argc, char **argv)
{
	bool json = false;
	const struct opt opts[] = {
		OPT_FLAG(0, "json", &json,
			 "print the hostinfo object as JSON (the context block of results)"),
		OPT_END(),
	};
	int first = opts_parse(&doc, opts, argc, argv);
	if (first < argc)
		opts_die(&doc, opts, "unexpected argument '%s'", argv[first]);

	json_t *h = hostinfo_json();
	if (!h)
		die("hostinfo: out of memory");
	if (json) {
		if (json_dumpf(h, stdout, JSON_INDENT(2)) < 0)
			die("writing JSON to stdout failed");
		putchar('\n');
	} else {
		print_human(h);
	}
	json_decref(h);
	if (fflush(stdout) != 0)
		die_errno("writing to stdout", errno);
	return EXIT_OK;
}
