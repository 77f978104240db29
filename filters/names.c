/* names.c — x86 events by name through libpfm4, for any PMU model libpfm4
 * knows, including models this host lacks.
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

#include <perfmon/pfmlib.h>

#include "pmuf.h"

static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
static bool names_inited;
static bool names_reinited;
static int names_init_ret;

static int names_init_locked(void)
{
	if (!names_inited) {
		setenv("LIBPFM_ENCODE_INACTIVE", "1", 0);
		names_init_ret = pfm_initialize();
		names_inited = true;
	}
	return names_init_ret;
}

static int pfm_to_errno(int ret)
{
	switch (ret) {
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

int pmuf_event_by_name(const char *name, uint16_t *select, uint8_t *umask, char *msg,
		       size_t msglen)
{
	pfm_event_info_t ei;
	pfm_pmu_info_t pi;
	uint64_t code = 0;
	int ret, idx = -1;
	bool amd;

	if (msg && msglen)
		msg[0] = '\0';
	pthread_mutex_lock(&names_lock);
	ret = names_init_locked();
	if (ret != PFM_SUCCESS) {
		pthread_mutex_unlock(&names_lock);
		if (msg)
			snprintf(msg, msglen, "libpfm4 initialization failed: %s",
				 pfm_strerror(ret));
		return -ENODEV;
	}
	ret = encode(name, &code, &idx);
	if (ret == PFM_ERR_NOINIT) { /* someone (PAPI_shutdown) terminated libpfm4 */
		setenv("LIBPFM_ENCODE_INACTIVE", "1", 0);
		names_init_ret = pfm_initialize();
		if (names_init_ret == PFM_SUCCESS)
			ret = encode(name, &code, &idx);
	}
	if (ret == PFM_ERR_NOTFOUND && strstr(name, "::") && !names_reinited) {
		names_reinited = true;
		setenv("LIBPFM_ENCODE_INACTIVE", "1", 0);
		pfm_terminate();
		names_init_ret = pfm_initialize();
		if (names_init_ret == PFM_SUCCESS)
			ret = encode(name, &code, &idx);
	}
	if (ret != PFM_SUCCESS) {
		pthread_mutex_unlock(&names_lock);
		if (msg)
			snprintf(msg, msglen, "event \"%s\": %s", name, pfm_strerror(ret));
		return pfm_to_errno(ret);
	}

	memset(&ei, 0, sizeof(ei));
	ei.size = sizeof(ei);
	memset(&pi, 0, sizeof(pi));
	pi.size = sizeof(pi);
	ret = pfm_get_event_info(idx, PFM_OS_NONE, &ei);
	if (ret == PFM_SUCCESS)
		ret = pfm_get_pmu_info(ei.pmu, &pi);
	pthread_mutex_unlock(&names_lock);
	if (ret != PFM_SUCCESS) {
		if (msg)
			snprintf(msg, msglen, "event \"%s\": %s", name, pfm_strerror(ret));
		return pfm_to_errno(ret);
	}
	if (pi.type != PFM_PMU_TYPE_CORE) {
		if (msg)
			snprintf(msg, msglen,
				 "event \"%s\": PMU %s is not a core PMU; only core event selects "
				 "can be filtered",
				 name, pi.name);
		return -EINVAL;
	}

	/* Select bits 7:0, plus 35:32 on AMD (EventSelect[11:8]); on Intel
	 * bits 32+ are IN_TX/IN_TXCP, not part of the select. Modifiers
	 * (USR/OS/EDGE/INV/CMASK...) are dropped: the filter never sees them. */
	amd = !strncmp(pi.name, "amd64", 5);
	*select = (uint16_t)(code & 0xFF);
	if (amd)
		*select |= (uint16_t)((code >> 24) & 0xF00);
	*umask = (uint8_t)(code >> 8);
	return 0;
}
