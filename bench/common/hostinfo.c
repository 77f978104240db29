/* hostinfo.c — see hostinfo.h. Gathers everything once (probing the
 * filter flavor costs a VM), keeps the JSON, and hands out deep copies.
 * Nothing here fails: what cannot be read is null in the object and, when
 * it disables something, a line in "missing". */
#include "hostinfo.h"

#include <errno.h>
#include <perfmon/pfmlib.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "counters.h"
#include "cpu-id.h"
#include "topology.h"
#include "tsc.h"

/* What the flavor and host-id helpers need besides the JSON. */
static struct {
	json_t *json;
	enum pmuf_flavor probed; /* UNSET when the probe failed */
	enum pmuf_flavor cpu;    /* from the CPU vendor, UNSET if neither */
	char host_id[128];
} hi;
static pthread_once_t hi_once = PTHREAD_ONCE_INIT;

static const char *flavor_str(enum pmuf_flavor fl)
{
	return fl == PMUF_FLAVOR_INTEL ? "intel" : fl == PMUF_FLAVOR_AMD ? "amd" : NULL;
}

/* json_string(NULL) is NULL, which json_object_set_new drops; use null. */
static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

void hostinfo_add_missing(json_t *missing, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(missing, json_string(buf));
}

/* ---- CPU ---- */

/* The value of the first "key : value" line of /proc/cpuinfo, or "". */
static void cpuinfo_field(const char *key, char *out, size_t len)
{
	out[0] = '\0';
	FILE *f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return;
	char line[512];
	size_t klen = strlen(key);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || (line[klen] != '\t' && line[klen] != ' ' &&
						 line[klen] != ':'))
			continue;
		char *v = strchr(line, ':');
		if (!v)
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\n")] = '\0';
		snprintf(out, len, "%s", v);
		break;
	}
	fclose(f);
}

static json_t *cpu_json(const struct cpu_id *c, json_t *missing)
{
	char buf[256];
	json_t *o = json_object();
	struct utsname u;
	json_object_set_new(o, "arch", json_string(uname(&u) == 0 ? u.machine : "unknown"));
	json_object_set_new(o, "vendor", str_or_null(c->vendor[0] ? c->vendor : NULL));
	json_object_set_new(o, "family", c->have_fms ? json_integer(c->family) : json_null());
	json_object_set_new(o, "model", c->have_fms ? json_integer(c->model) : json_null());
	json_object_set_new(o, "stepping", c->have_fms ? json_integer(c->stepping) : json_null());
	cpuinfo_field("model name", buf, sizeof(buf));
	json_object_set_new(o, "model_name", str_or_null(buf[0] ? buf : NULL));
	cpuinfo_field("microcode", buf, sizeof(buf));
	json_object_set_new(o, "microcode", str_or_null(buf[0] ? buf : NULL));
	/* arm64 has no microcode revision to name (MIDR's revision is the
	 * silicon's, below); only an x86 CPU without the line lacks one. */
	if (!buf[0] && c->have_fms)
		hostinfo_add_missing(missing, "microcode: /proc/cpuinfo has no microcode line; "
				     "results cannot name the microcode revision");
	if (c->have_midr) {
		const char *impl = cpu_midr_implementer_name(c->implementer);
		json_t *m = json_object();
		json_object_set_new(m, "value", json_sprintf("0x%08llx", (unsigned long long)c->midr));
		json_object_set_new(m, "implementer", json_sprintf("0x%02x", c->implementer));
		json_object_set_new(m, "implementer_name", str_or_null(impl));
		json_object_set_new(m, "part", json_sprintf("0x%03x", c->part));
		json_object_set_new(m, "variant", json_integer(c->variant));
		json_object_set_new(m, "revision", json_integer(c->revision));
		json_object_set_new(o, "midr", m);
	}
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	json_object_set_new(o, "online_cpus", json_integer(n > 0 ? n : 0));
	return o;
}

/* ---- libpfm4 ---- */

static json_t *pmu_json(json_t *missing)
{
	json_t *o = json_object();
	int v = pfm_get_version(); /* the API version (4.0), not the release */
	char ver[32];
	snprintf(ver, sizeof(ver), "%d.%d", PFM_MAJ_VERSION(v), PFM_MIN_VERSION(v));
	json_object_set_new(o, "libpfm4_api_version", json_string(ver));
	int r = pfm_initialize(); /* idempotent; never paired with pfm_terminate
				     here, other modules keep using libpfm4 */
	if (r != PFM_SUCCESS) {
		json_object_set_new(o, "default", json_null());
		json_object_set_new(o, "default_desc", json_null());
		json_object_set_new(o, "present", json_array());
		json_object_set_new(o, "why", json_sprintf("pfm_initialize: %s", pfm_strerror(r)));
		hostinfo_add_missing(missing, "libpfm4: pfm_initialize: %s; no PMU model is known and "
				     "events by name cannot be resolved", pfm_strerror(r));
		return o;
	}
	json_t *present = json_array();
	const char *dfl = NULL, *dfl_desc = NULL, *core = NULL, *core_desc = NULL;
	pfm_pmu_t p;
	pfm_for_all_pmus(p) {
		pfm_pmu_info_t info;
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (pfm_get_pmu_info(p, &info) != PFM_SUCCESS || !info.is_present)
			continue;
		json_array_append_new(present, json_string(info.name));
		if (info.is_dfl && !dfl) {
			dfl = info.name;
			dfl_desc = info.desc;
		}
		if (info.type == PFM_PMU_TYPE_CORE && !core) {
			core = info.name;
			core_desc = info.desc;
		}
	}
	if (!dfl) { /* libpfm4 marks no default: take the first core PMU */
		dfl = core;
		dfl_desc = core_desc;
	}
	json_object_set_new(o, "default", str_or_null(dfl));
	json_object_set_new(o, "default_desc", str_or_null(dfl_desc));
	if (!dfl) {
		char names[256] = "";
		size_t i;
		json_t *n;
		json_array_foreach(present, i, n) {
			size_t l = strlen(names);
			snprintf(names + l, sizeof(names) - l, "%s%s", i ? ", " : "",
				 json_string_value(n));
		}
		json_object_set_new(o, "why", json_sprintf("libpfm4 detects no core PMU (present: %s)",
							   names[0] ? names : "none"));
		hostinfo_add_missing(missing, "PMU model: libpfm4 detects no core PMU (present: %s); events "
				     "by name need an explicit model prefix such as icl:: (without "
				     "one only generic perf events resolve)", names[0] ? names : "none");
	} else {
		json_object_set_new(o, "why", json_null());
	}
	json_object_set_new(o, "present", present);
	return o;
}

/* ---- kernel ---- */

static json_t *kernel_json(void)
{
	json_t *o = json_object();
	struct utsname u;
	if (uname(&u) < 0) {
		json_object_set_new(o, "release", json_null());
		json_object_set_new(o, "version", json_null());
		return o;
	}
	json_object_set_new(o, "release", json_string(u.release));
	json_object_set_new(o, "version", json_string(u.version));
	return o;
}

/* ---- KVM ---- */

/* Facts that need /dev/kvm come from the layer that owns KVM
 * (bench/kvm/kvm-hostinfo.c), handed down through hostinfo_set_kvm(): this
 * layer never opens /dev/kvm itself. */
static hostinfo_kvm_fn kvm_fn;

void hostinfo_set_kvm(hostinfo_kvm_fn fn)
{
	kvm_fn = fn;
}

static json_t *kvm_json(json_t *missing)
{
	if (kvm_fn)
		return kvm_fn(missing, &hi.probed);
	hi.probed = PMUF_FLAVOR_UNSET;
	hostinfo_add_missing(missing, "KVM: not probed (this program has no KVM layer)");
	return json_pack("{s:b, s:s}", "usable", 0, "why",
			 "not probed (this program has no KVM layer)");
}

/* ---- counters ---- */

static json_t *counters_json(json_t *missing)
{
	json_t *o = json_object();
	char why[192];
	bool hw = ctr_hw_usable(why, sizeof(why));
	json_object_set_new(o, "hw_usable", json_boolean(hw));
	json_object_set_new(o, "hw_why", hw ? json_null() : json_string(why));
	struct ctr_set s;
	ctr_open(&s);
	json_object_set_new(o, "papi", ctr_describe(&s));
	if (!hw) {
		hostinfo_add_missing(missing, "hardware counters: %s; lookup results carry " TSC_CLOCK_NAME " time only "
				     "(no cycles, instructions, branch misses or L1D misses)", why);
	} else {
		for (int i = 0; i < CTR_MAX; i++)
			if (!s.avail[i])
				hostinfo_add_missing(missing, "counter %s: %s; results omit it",
					    ctr_name(i), s.why[i]);
	}
	ctr_close(&s);
	return o;
}

/* ---- host id ---- */

/* The id from this host's CPU identity, hostname and machine id
 * (cpu_host_id: the format and the hash). */
static void make_host_id(const struct cpu_id *c, const char *model_name)
{
	char host[64] = "", mid[64] = "";
	gethostname(host, sizeof(host) - 1);
	FILE *f = fopen("/etc/machine-id", "re");
	if (f) {
		if (!fgets(mid, sizeof(mid), f))
			mid[0] = '\0';
		fclose(f);
	}
	struct utsname u;
	cpu_host_id(c, uname(&u) == 0 ? u.machine : "", model_name, host, mid, hi.host_id,
		    sizeof(hi.host_id));
}

/* ---- the whole object ---- */

static enum pmuf_flavor pick_flavor(const char **how);

static void hostinfo_build(void)
{
	json_t *o = json_object();
	json_t *missing = json_array();
	struct cpu_id c;
	cpu_arch_identify(&c);

	const char *vs = cpu_vendor_short(c.vendor);
	hi.cpu = !vs ? PMUF_FLAVOR_UNSET : !strcmp(vs, "intel") ? PMUF_FLAVOR_INTEL
							       : PMUF_FLAVOR_AMD;

	json_object_set_new(o, "schema", json_string("pfbench-hostinfo/1"));
	json_t *cpu = cpu_json(&c, missing);
	make_host_id(&c, json_string_value(json_object_get(cpu, "model_name")));
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	json_object_set_new(o, "host_id", json_string(hi.host_id));
	json_object_set_new(o, "hostname", json_string(host));
	json_object_set_new(o, "cpu", cpu);

	json_t *virt = json_object();
	json_object_set_new(virt, "hypervisor", json_boolean(c.hypervisor));
	json_object_set_new(virt, "hypervisor_vendor",
			    str_or_null(c.hypervisor && c.hv_vendor[0] ? c.hv_vendor : NULL));
	json_object_set_new(virt, "how", str_or_null(c.hv_how));
	json_object_set_new(o, "virtualization", virt);

	json_object_set_new(o, "pmu", pmu_json(missing));
	json_t *topo = topo_summary();
	json_object_set_new(o, "topology", topo ? topo : json_null());
	json_object_set_new(o, "kernel", kernel_json());
	json_object_set_new(o, "kvm", kvm_json(missing));
	json_object_set_new(o, "counters", counters_json(missing));

	const char *how;
	enum pmuf_flavor dfl = pick_flavor(&how);
	json_object_set_new(o, "default_flavor", str_or_null(flavor_str(dfl)));
	json_object_set_new(o, "default_flavor_how", json_string(how));
	json_object_set_new(o, "missing", missing);
	hi.json = o;
}

static void hostinfo_once(void)
{
	hostinfo_build();
}

json_t *hostinfo_json(void)
{
	pthread_once(&hi_once, hostinfo_once);
	return json_deep_copy(hi.json);
}

/* Probed flavor, else the CPU vendor's, else none. Needs the state the
 * build fills in; hostinfo_build calls it directly, users through
 * hostinfo_default_flavor (which builds first). */
static enum pmuf_flavor pick_flavor(const char **how)
{
	const char *h = "none";
	enum pmuf_flavor fl = PMUF_FLAVOR_UNSET;
	if (hi.probed != PMUF_FLAVOR_UNSET) {
		fl = hi.probed;
		h = "probed";
	} else if (hi.cpu != PMUF_FLAVOR_UNSET) {
		fl = hi.cpu;
		h = "cpu";
	}
	if (how)
		*how = h;
	return fl;
}

enum pmuf_flavor hostinfo_default_flavor(const char **how)
{
	pthread_once(&hi_once, hostinfo_once);
	return pick_flavor(how);
}

const char *hostinfo_host_id(void)
{
	pthread_once(&hi_once, hostinfo_once);
	return hi.host_id;
}
