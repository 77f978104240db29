/* names.c — x86 events by name through libpfm4, for any PMU model libpfm4
 * knows, including models this host lacks; PMU names, aliases and the
 * host's own PMU.
 *
 * Spellings: libpfm4's `pmu::EVENT:UMASK`, Intel's and perf's
 * `EVENT.UMASK` (libpfm4 itself takes '.' between event and umask), any
 * case, modifiers (`:u`, `:c=2`) dropped. A name without `pmu::` is looked
 * up in the default PMU: the one set by pmuf_default_pmu_set (--pmu), else
 * this host's core PMU as libpfm4 detects it. A name not found gets the
 * closest names of that PMU's table as a suggestion (pmu-table.c).
 *
 * libpfm4 only encodes events of an inactive PMU ("icl::..." on an AMD
 * host) when LIBPFM_ENCODE_INACTIVE=1 is in the environment when
 * pfm_initialize() runs (found by trying; libpfm 4.13). We set it (without
 * overriding a user's value) before our first pfm_initialize(). If someone
 * else (PAPI) initialized libpfm4 earlier without it, an explicitly named
 * inactive PMU is "not found"; then we re-initialize libpfm4 once with the
 * variable set and retry (pfm_terminate + pfm_initialize keeps every event
 * index stable, so PAPI's state stays valid). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "names-priv.h"
#include "pmuf.h"

static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
static bool names_inited;
static bool names_reinited;
static int names_init_ret;
static char default_pmu[64]; /* "" = this host's */

/* Friendly names for libpfm4's PMU names (variants as data). */
static const struct {
	const char *alias, *pmu;
} pmu_aliases[] = {
	{ "zen1", "amd64_fam17h_zen1" },	{ "zen2", "amd64_fam17h_zen2" },
	{ "zen3", "amd64_fam19h_zen3" },	{ "zen4", "amd64_fam19h_zen4" },
	{ "skylake", "skl" },			{ "skylake-x", "skx" },
	{ "cascadelake", "clx" },		{ "icelake", "icl" },
	{ "icelake-x", "icx" },			{ "sapphirerapids", "spr" },
	{ "haswell", "hsw" },			{ "broadwell", "bdw" },
};

int pmuf_pfm_lock(char *msg, size_t msglen)
{
	pthread_mutex_lock(&names_lock);
	if (!names_inited) {
		setenv("LIBPFM_ENCODE_INACTIVE", "1", 0);
		names_init_ret = pfm_initialize();
		names_inited = true;
	}
	if (names_init_ret != PFM_SUCCESS) {
		pthread_mutex_unlock(&names_lock);
		if (msg)
			snprintf(msg, msglen, "libpfm4 initialization failed: %s", pfm_strerror(names_init_ret));
		return -ENODEV;
	}
	return 0;
}

void pmuf_pfm_unlock(void)
{
	pthread_mutex_unlock(&names_lock);
}

int pmuf_pfm_errno(int ret)
{
	switch (ret) {
	case PFM_SUCCESS:
		return 0;
	case PFM_ERR_NOTFOUND:
		return -ENOENT;
	case PFM_ERR_NOMEM:
		return -ENOMEM;
	case PFM_ERR_NOINIT:
	case PFM_ERR_NOTSUPP:
		return -ENODEV;
	default:
		return -EINVAL;
	}
}

static int encode(const char *name, uint64_t *code, int *idx)
{
	pfm_pmu_encode_arg_t arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	arg.size = sizeof(arg);
	ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_NONE, &arg);
	if (ret == PFM_SUCCESS) {
		if (arg.count < 1 || !arg.codes)
			ret = PFM_ERR_NOTSUPP;
		else
			*code = arg.codes[0];
		*idx = arg.idx;
	}
	free(arg.codes);
	return ret;
}

int pmuf_pfm_encode_locked(const char *name, uint64_t *code, int *idx)
{
	int ret = encode(name, code, idx);
	if (ret == PFM_ERR_NOINIT) { /* someone (PAPI_shutdown) terminated libpfm4 */
		setenv("LIBPFM_ENCODE_INACTIVE", "1", 0);
		names_init_ret = pfm_initialize();
		if (names_init_ret == PFM_SUCCESS)
			ret = encode(name, code, idx);
	}
	if (ret == PFM_ERR_NOTFOUND && strstr(name, "::") && !names_reinited) {
		names_reinited = true;
		setenv("LIBPFM_ENCODE_INACTIVE", "1", 0);
		pfm_terminate();
		names_init_ret = pfm_initialize();
		if (names_init_ret == PFM_SUCCESS)
			ret = encode(name, code, idx);
	}
	return ret;
}

static const char *unalias(const char *name)
{
	for (size_t i = 0; i < sizeof(pmu_aliases) / sizeof(pmu_aliases[0]); i++)
		if (!strcasecmp(name, pmu_aliases[i].alias))
			return pmu_aliases[i].pmu;
	return name;
}

bool pmuf_pfm_find_pmu_locked(const char *name, pfm_pmu_info_t *info)
{
	const char *want = unalias(name);
	pfm_pmu_t p;
	pfm_for_all_pmus(p) {
		memset(info, 0, sizeof(*info));
		info->size = sizeof(*info);
		if (pfm_get_pmu_info(p, info) == PFM_SUCCESS && info->name && !strcasecmp(info->name, want))
			return true;
	}
	return false;
}

void pmuf_pfm_split(const char *pmu, uint64_t code, uint16_t *select, uint8_t *umask)
{
	/* Select bits 7:0, plus 35:32 on AMD (EventSelect[11:8]); on Intel
	 * bits 32+ are IN_TX/IN_TXCP, not part of the select. Modifiers
	 * (USR/OS/EDGE/INV/CMASK...) are dropped: the filter never sees them. */
	*select = (uint16_t)(code & 0xFF);
	if (!strncmp(pmu, "amd64", 5))
		*select |= (uint16_t)((code >> 24) & 0xF00);
	*umask = (uint8_t)(code >> 8);
}

/* The x86 core PMUs libpfm4 knows, "a, b, c" (for messages). */
static void list_core_pmus_locked(char *buf, size_t len)
{
	pfm_pmu_t p;
	size_t n = 0;
	buf[0] = '\0';
	pfm_for_all_pmus(p) {
		pfm_pmu_info_t pi;
		memset(&pi, 0, sizeof(pi));
		pi.size = sizeof(pi);
		if (pfm_get_pmu_info(p, &pi) != PFM_SUCCESS || pi.type != PFM_PMU_TYPE_CORE || !pi.name ||
		    !strncmp(pi.name, "arm", 3) || !strcmp(pi.name, "ix86arch"))
			continue;
		if (n + strlen(pi.name) + 3 < len) {
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", pi.name);
		}
	}
}

void pmuf_pmu_list(char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = '\0';
	if (pmuf_pfm_lock(NULL, 0))
		return;
	list_core_pmus_locked(buf, len);
	pmuf_pfm_unlock();
}

/* This host's core PMU as libpfm4 detects it (its default, else the
 * first present core PMU). */
static bool host_pmu_locked(pfm_pmu_info_t *out)
{
	bool found = false;
	pfm_pmu_t p;
	pfm_for_all_pmus(p) {
		pfm_pmu_info_t pi;
		memset(&pi, 0, sizeof(pi));
		pi.size = sizeof(pi);
		if (pfm_get_pmu_info(p, &pi) != PFM_SUCCESS || !pi.is_present || pi.type != PFM_PMU_TYPE_CORE)
			continue;
		if (!found || pi.is_dfl) {
			*out = pi;
			found = true;
			if (pi.is_dfl)
				break;
		}
	}
	return found;
}

int pmuf_pfm_resolve_locked(const char *name, pfm_pmu_info_t *pi, char *msg, size_t msglen)
{
	char list[1024];
	if (!name || !name[0])
		name = default_pmu[0] ? default_pmu : NULL;
	if (!name) {
		if (host_pmu_locked(pi))
			return 0;
		if (msg)
			snprintf(msg, msglen,
				 "libpfm4 has no event table for this host's CPU (it detects no core PMU); "
				 "name the PMU model: --pmu icl, spr, skl, zen3, zen4, ... or write "
				 "pmu::EVENT (`pfbench filter events --help` lists the models)");
		return -ENODEV;
	}
	if (pmuf_pfm_find_pmu_locked(name, pi)) {
		if (pi->type != PFM_PMU_TYPE_CORE) {
			if (msg)
				snprintf(msg, msglen, "PMU %s is not a core PMU; only core event selects can be "
						      "filtered", pi->name);
			return -EINVAL;
		}
		return 0;
	}
	if (msg) {
		list_core_pmus_locked(list, sizeof(list));
		snprintf(msg, msglen, "unknown PMU model '%s'; libpfm4 knows %s (aliases: zen1..zen4, "
				      "skylake, icelake, sapphirerapids, ...)", name, list);
	}
	return -ENOENT;
}

int pmuf_pmu_resolve(const char *name, char *out, size_t outlen, enum pmuf_flavor *flavor, char *msg,
		     size_t msglen)
{
	pfm_pmu_info_t pi;
	int r = pmuf_pfm_lock(msg, msglen);
	if (r)
		return r;
	r = pmuf_pfm_resolve_locked(name, &pi, msg, msglen);
	if (!r) {
		if (out)
			snprintf(out, outlen, "%s", pi.name);
		if (flavor)
			*flavor = !strncmp(pi.name, "amd64", 5) ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL;
	}
	pmuf_pfm_unlock();
	return r;
}

int pmuf_default_pmu_set(const char *name, char *msg, size_t msglen)
{
	char pmu[sizeof(default_pmu)];
	if (!name || !name[0]) {
		default_pmu[0] = '\0';
		return 0;
	}
	int r = pmuf_pmu_resolve(name, pmu, sizeof(pmu), NULL, msg, msglen);
	if (!r)
		snprintf(default_pmu, sizeof(default_pmu), "%s", pmu);
	return r;
}

/* The core PMUs whose tables have `name`, newest common models first:
 * "; it is an event of another PMU model: pass --pmu icl (or spr, ...)". */
static void other_pmus_locked(const char *name, char *buf, size_t len)
{
	static const char *const first[] = { "spr", "icl", "icx", "skl", "skx", "amd64_fam19h_zen4",
					     "amd64_fam19h_zen3", "amd64_fam17h_zen2" };
	size_t n = 0, k = 0;
	buf[0] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		pfm_pmu_t p;
		pfm_for_all_pmus(p) {
			pfm_pmu_info_t pi;
			char full[256];
			uint64_t code;
			int idx;
			bool pref = false;
			memset(&pi, 0, sizeof(pi));
			pi.size = sizeof(pi);
			if (pfm_get_pmu_info(p, &pi) != PFM_SUCCESS || pi.type != PFM_PMU_TYPE_CORE || !pi.name)
				continue;
			for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
				pref = pref || !strcmp(pi.name, first[i]);
			if (pref != (pass == 0))
				continue;
			snprintf(full, sizeof(full), "%s::%s", pi.name, name);
			if (encode(full, &code, &idx) != PFM_SUCCESS)
				continue;
			if (k++ < 6 && n + strlen(pi.name) + 64 < len)
				n += (size_t)snprintf(buf + n, len - n, "%s%s",
						      k == 1 ? "; it is an event of another PMU model: pass --pmu " :
						      k == 2 ? " (or " : ", ", pi.name);
		}
	}
	if (k > 1 && n + 8 < len)
		snprintf(buf + n, len - n, "%s)", k > 6 ? ", ..." : "");
}

int pmuf_event_lookup(const char *name, const char *pmu, struct pmuf_named_event *ev, char *msg,
		      size_t msglen)
{
	char full[256], pmuname[64], sugg[320] = "";
	const char *sep = strstr(name, "::");
	pfm_pmu_info_t pi;
	uint64_t code = 0;
	int ret, idx = -1;

	if (msg && msglen)
		msg[0] = '\0';
	memset(ev, 0, sizeof(*ev));
	ev->fixed = -1;
	if ((ret = pmuf_pfm_lock(msg, msglen)))
		return ret;
	if (sep) {
		size_t n = (size_t)(sep - name);
		snprintf(pmuname, sizeof(pmuname), "%.*s", (int)(n < sizeof(pmuname) ? n : sizeof(pmuname) - 1),
			 name);
		/* an alias (zen4::) becomes libpfm4's name; an unknown PMU is
		 * left to libpfm4 ("event not found") */
		if (pmuf_pfm_find_pmu_locked(pmuname, &pi))
			snprintf(full, sizeof(full), "%s::%s", pi.name, sep + 2);
		else
			snprintf(full, sizeof(full), "%s", name);
	} else {
		char why[512];
		if ((ret = pmuf_pfm_resolve_locked(pmu, &pi, why, sizeof(why)))) {
			pmuf_pfm_unlock();
			if (msg)
				snprintf(msg, msglen, "event \"%s\": %s", name, why);
			return ret;
		}
		snprintf(full, sizeof(full), "%s::%s", pi.name, name);
	}
	ret = pmuf_pfm_encode_locked(full, &code, &idx);
	if ((ret == PFM_ERR_NOTFOUND || ret == PFM_ERR_ATTR) && msg) {
		const char *s = strstr(full, "::");
		char p[64];
		snprintf(p, sizeof(p), "%.*s", (int)(s - full < 63 ? s - full : 63), full);
		pmuf_pmu_suggest_locked(p, s + 2, sugg, sizeof(sugg));
	}
	char other[320] = "";
	if (ret == PFM_ERR_NOTFOUND && !sep && msg && !sugg[0])
		other_pmus_locked(name, other, sizeof(other));
	if (ret != PFM_SUCCESS) {
		pmuf_pfm_unlock();
		if (msg)
			snprintf(msg, msglen, "event \"%s\": %s%s%s%s", name, pfm_strerror(ret),
				 strcmp(full, name) ? " (looked up as " : "", strcmp(full, name) ? full : "",
				 strcmp(full, name) ? ")" : "");
		if (msg && sugg[0]) {
			size_t l = strlen(msg);
			snprintf(msg + l, msglen - l, "; did you mean %s?", sugg);
		}
		if (msg && other[0]) {
			size_t l = strlen(msg);
			snprintf(msg + l, msglen - l, "%s", other);
		}
		return pmuf_pfm_errno(ret);
	}

	pfm_event_info_t ei;
	memset(&ei, 0, sizeof(ei));
	ei.size = sizeof(ei);
	memset(&pi, 0, sizeof(pi));
	pi.size = sizeof(pi);
	ret = pfm_get_event_info(idx, PFM_OS_NONE, &ei);
	if (ret == PFM_SUCCESS)
		ret = pfm_get_pmu_info(ei.pmu, &pi);
	if (ret == PFM_SUCCESS)
		snprintf(ev->pmu, sizeof(ev->pmu), "%s", pi.name);
	pmuf_pfm_unlock();
	if (ret != PFM_SUCCESS) {
		if (msg)
			snprintf(msg, msglen, "event \"%s\": %s", name, pfm_strerror(ret));
		return pmuf_pfm_errno(ret);
	}
	if (pi.type != PFM_PMU_TYPE_CORE) {
		if (msg)
			snprintf(msg, msglen,
				 "event \"%s\": PMU %s is not a core PMU; only core event selects "
				 "can be filtered",
				 name, pi.name);
		return -EINVAL;
	}
	pmuf_pfm_split(ev->pmu, code, &ev->select, &ev->umask);
	ev->flavor = !strncmp(ev->pmu, "amd64", 5) ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL;
	ev->fixed = pmuf_pseudo_fixed(ev->flavor, ev->select, ev->umask);
	return 0;
}

int pmuf_pseudo_fixed(enum pmuf_flavor fl, uint16_t select, uint8_t umask)
{
	/* Intel's fixed-counter events (INST_RETIRED.ANY, CPU_CLK_UNHALTED.
	 * THREAD, .REF_TSC, TOPDOWN.SLOTS) have no GP encoding; libpfm4 and
	 * perf spell fixed counter N as event 0x00, umask N+1. */
	if (fl == PMUF_FLAVOR_INTEL && select == 0 && umask >= 1 && umask <= 4)
		return umask - 1;
	return -1;
}

int pmuf_event_by_name(const char *name, uint16_t *select, uint8_t *umask, char *msg,
		       size_t msglen)
{
	struct pmuf_named_event ev;
	int r = pmuf_event_lookup(name, NULL, &ev, msg, msglen);
	if (!r) {
		*select = ev.select;
		*umask = ev.umask;
	}
	return r;
}
