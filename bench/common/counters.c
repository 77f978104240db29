/* counters.c — see counters.h. The one file that talks to PAPI; PAPI error
 * codes become -errno in papi_errno() and nowhere else. Values of counters
 * that are not available are reported as -1 by ctr_stop. */
#include "counters.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <papi.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;      /* ours, also the JSON key */
	const char *papi_name; /* the PAPI preset */
	int papi_code;
} ctr_defs[CTR_MAX] = {
	[CTR_CYCLES] = { "cycles", "PAPI_TOT_CYC", PAPI_TOT_CYC },
	[CTR_INSTRUCTIONS] = { "instructions", "PAPI_TOT_INS", PAPI_TOT_INS },
	[CTR_BRANCH_MISSES] = { "branch_misses", "PAPI_BR_MSP", PAPI_BR_MSP },
	[CTR_L1D_MISSES] = { "l1d_misses", "PAPI_L1_DCM", PAPI_L1_DCM },
};

const char *ctr_name(enum ctr_id id)
{
	return (unsigned)id < CTR_MAX ? ctr_defs[id].name : "unknown";
}

/* PAPI's symbolic error names; PAPI_strerror gives only the description. */
static const char *papi_err_name(int e)
{
	static const char *const names[] = {
		"PAPI_OK", "PAPI_EINVAL", "PAPI_ENOMEM", "PAPI_ESYS", "PAPI_ECMP",
		"PAPI_ECLOST", "PAPI_EBUG", "PAPI_ENOEVNT", "PAPI_ECNFLCT", "PAPI_ENOTRUN",
		"PAPI_EISRUN", "PAPI_ENOEVST", "PAPI_ENOTPRESET", "PAPI_ENOCNTR", "PAPI_EMISC",
		"PAPI_EPERM", "PAPI_ENOINIT", "PAPI_ENOCMP", "PAPI_ENOSUPP", "PAPI_ENOIMPL",
		"PAPI_EBUF", "PAPI_EINVAL_DOM", "PAPI_EATTR", "PAPI_ECOUNT", "PAPI_ECOMBO",
		"PAPI_ECMP_DISABLED", "PAPI_EDELAY_INIT", "PAPI_EMULPASS",
	};
	if (e <= 0 && -e < (int)(sizeof(names) / sizeof(names[0])))
		return names[-e];
	return "PAPI_E?";
}

/* The one PAPI -> errno conversion. */
static int papi_errno(int e)
{
	switch (e) {
	case PAPI_OK: return 0;
	case PAPI_ENOMEM: return -ENOMEM;
	case PAPI_ESYS: return errno ? -errno : -EIO;
	case PAPI_ENOEVNT: case PAPI_ENOTPRESET: return -ENOENT;
	case PAPI_ECNFLCT: case PAPI_EMULPASS: case PAPI_ECOUNT: return -ENOSPC;
	case PAPI_EISRUN: return -EBUSY;
	case PAPI_ENOEVST: return -EBADF;
	case PAPI_ENOCNTR: case PAPI_ECMP: case PAPI_ECMP_DISABLED: case PAPI_ENOCMP:
		return -ENODEV;
	case PAPI_EPERM: return -EPERM;
	case PAPI_ENOSUPP: case PAPI_ENOIMPL: return -EOPNOTSUPP;
	case PAPI_EBUF: return -ENOBUFS;
	case PAPI_EINVAL: case PAPI_ENOTRUN: case PAPI_ENOINIT: case PAPI_EINVAL_DOM:
	case PAPI_EATTR: case PAPI_ECOMBO:
		return -EINVAL;
	default: return -EIO;
	}
}

/* "PAPI_add_event: PAPI_ENOEVNT (Event does not exist)"; for a disabled
 * component, its own reason instead of the generic text, e.g.
 * "PAPI_add_event: PAPI_ECMP_DISABLED (perf_event: Error libpfm4 no
 * default PMU found)". code is the event, or 0. */
static void papi_why(char *buf, size_t len, const char *call, int e, int code)
{
	if (e == PAPI_ECMP_DISABLED && code) {
		int cidx = PAPI_get_event_component(code);
		const PAPI_component_info_t *c = cidx >= 0 ? PAPI_get_component_info(cidx) : NULL;
		if (c && c->disabled_reason[0]) {
			/* Truncating a long reason is fine; the return value is
			 * looked at so gcc does not warn about it. */
			if (snprintf(buf, len, "%s: %s (%s: %s)", call, papi_err_name(e), c->name,
				     c->disabled_reason) >= (int)len && len > 4)
				memcpy(buf + len - 4, "..)", 4);
			return;
		}
	}
	const char *d = PAPI_strerror(e);
	snprintf(buf, len, "%s: %s (%s)", call, papi_err_name(e), d ? d : "?");
}

static pthread_once_t papi_once = PTHREAD_ONCE_INIT;
static int papi_init_ret;

/* Thread support on, so a benchmark may open and use its set in the
 * pinned worker thread (PAPI ties event sets to the thread that made them). */
static void papi_init(void)
{
	papi_init_ret = PAPI_library_init(PAPI_VER_CURRENT);
	if (papi_init_ret == PAPI_VER_CURRENT) {
		int r = PAPI_thread_init(pthread_self);
		if (r != PAPI_OK)
			papi_init_ret = r;
	}
}

int ctr_open(struct ctr_set *s)
{
	if (!s)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->eventset = PAPI_NULL;
	for (int i = 0; i < CTR_MAX; i++)
		s->index[i] = -1;

	pthread_once(&papi_once, papi_init);
	int r = papi_init_ret;
	const char *call = "PAPI_library_init/PAPI_thread_init";
	if (r == PAPI_VER_CURRENT) {
		call = "PAPI_create_eventset";
		r = PAPI_create_eventset(&s->eventset);
	} else if (r > 0) {
		r = PAPI_EMISC; /* a different library version */
	}
	if (r != PAPI_OK) {
		for (int i = 0; i < CTR_MAX; i++)
			papi_why(s->why[i], sizeof(s->why[i]), call, r, 0);
		s->eventset = PAPI_NULL;
		return 0;
	}

	/* Add each event on its own and keep it only if the set still starts:
	 * PAPI may accept an event whose counter the kernel then refuses. */
	for (int i = 0; i < CTR_MAX; i++) {
		long long tmp[CTR_MAX];
		r = PAPI_add_event(s->eventset, ctr_defs[i].papi_code);
		if (r != PAPI_OK) {
			papi_why(s->why[i], sizeof(s->why[i]), "PAPI_add_event", r, ctr_defs[i].papi_code);
			continue;
		}
		r = PAPI_start(s->eventset);
		if (r != PAPI_OK) {
			papi_why(s->why[i], sizeof(s->why[i]), "PAPI_start", r, ctr_defs[i].papi_code);
			PAPI_remove_event(s->eventset, ctr_defs[i].papi_code);
			continue;
		}
		r = PAPI_stop(s->eventset, tmp);
		if (r != PAPI_OK) {
			papi_why(s->why[i], sizeof(s->why[i]), "PAPI_stop", r, ctr_defs[i].papi_code);
			PAPI_remove_event(s->eventset, ctr_defs[i].papi_code);
			continue;
		}
		s->avail[i] = true;
		s->index[i] = s->nactive++;
	}
	if (s->nactive == 0) {
		PAPI_cleanup_eventset(s->eventset);
		PAPI_destroy_eventset(&s->eventset);
		s->eventset = PAPI_NULL;
	}
	return 0;
}

int ctr_start(struct ctr_set *s)
{
	if (!s)
		return -EINVAL;
	if (s->nactive == 0)
		return 0;
	return papi_errno(PAPI_start(s->eventset));
}

int ctr_stop(struct ctr_set *s, long long v[CTR_MAX])
{
	long long raw[CTR_MAX];
	if (!s || !v)
		return -EINVAL;
	for (int i = 0; i < CTR_MAX; i++)
		v[i] = -1;
	if (s->nactive == 0)
		return 0;
	int r = PAPI_stop(s->eventset, raw);
	if (r != PAPI_OK)
		return papi_errno(r);
	for (int i = 0; i < CTR_MAX; i++)
		if (s->avail[i])
			v[i] = raw[s->index[i]];
	return 0;
}

void ctr_close(struct ctr_set *s)
{
	if (!s || s->eventset == PAPI_NULL)
		return;
	long long raw[CTR_MAX];
	int state = 0;
	if (PAPI_state(s->eventset, &state) == PAPI_OK && (state & PAPI_RUNNING))
		PAPI_stop(s->eventset, raw);
	PAPI_cleanup_eventset(s->eventset);
	PAPI_destroy_eventset(&s->eventset);
	s->eventset = PAPI_NULL;
	s->nactive = 0;
	for (int i = 0; i < CTR_MAX; i++) {
		s->avail[i] = false;
		s->index[i] = -1;
		snprintf(s->why[i], sizeof(s->why[i]), "closed");
	}
}

json_t *ctr_describe(const struct ctr_set *s)
{
	json_t *o = json_object();
	if (!o || !s)
		return o;
	for (int i = 0; i < CTR_MAX; i++) {
		json_t *c = json_object();
		json_object_set_new(c, "available", json_boolean(s->avail[i]));
		json_object_set_new(c, "papi_event", json_string(ctr_defs[i].papi_name));
		if (!s->avail[i])
			json_object_set_new(c, "why", json_string(s->why[i]));
		json_object_set_new(o, ctr_defs[i].name, c);
	}
	return o;
}

bool ctr_hw_usable(char *why, size_t len)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_HARDWARE;
	a.config = PERF_COUNT_HW_CPU_CYCLES;
	a.disabled = 1;
	a.exclude_kernel = 1; /* what an unprivileged user may open */
	a.exclude_hv = 1;
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (why && len)
			snprintf(why, len,
				 "perf_event_open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES): %s (%s)",
				 strerror(e), strerrorname_np(e) ? strerrorname_np(e) : "?");
		return false;
	}
	close(fd);
	if (why && len)
		why[0] = '\0';
	return true;
}
