/* names-priv.h — libpfm4 access shared by names.c (events by name, PMUs)
 * and pmu-table.c (a PMU's event table, patterns, suggestions). Not part
 * of the public API (pmuf.h). libpfm4 is not thread-safe: callers hold
 * pmuf_pfm_lock() around every libpfm4 call. */
#ifndef PFBENCH_NAMES_PRIV_H
#define PFBENCH_NAMES_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <perfmon/pfmlib.h>

/* Locks and initializes libpfm4 (with LIBPFM_ENCODE_INACTIVE=1); returns
 * 0, or -ENODEV (unlocked again) with msg saying why. */
int pmuf_pfm_lock(char *msg, size_t msglen);
void pmuf_pfm_unlock(void);
/* libpfm4's encoding of a full name ("icl::EVENT:UMASK"), retried after a
 * re-initialization when someone else initialized or terminated libpfm4.
 * Returns a PFM_ERR_* code (PFM_SUCCESS = 0). */
int pmuf_pfm_encode_locked(const char *name, uint64_t *code, int *idx);
/* A PMU by libpfm4 name or alias (any case): its info; false if unknown. */
bool pmuf_pfm_find_pmu_locked(const char *name, pfm_pmu_info_t *info);
/* A PMU by name or alias, or (name NULL or "") the default one: the
 * pmuf_default_pmu_set one, else this host's core PMU. 0, -ENOENT
 * (unknown), -EINVAL (not a core PMU), -ENODEV (the host has none that
 * libpfm4 knows); msg says why and what to do. */
int pmuf_pfm_resolve_locked(const char *name, pfm_pmu_info_t *pi, char *msg, size_t msglen);
/* (select, umask) of a raw code of a PMU (12-bit select on amd64*). */
void pmuf_pfm_split(const char *pmu, uint64_t code, uint16_t *select, uint8_t *umask);
/* Up to three closest names of PMU pmu's table to query (edit distance,
 * any case, '.' as ':'), "pmu::A, pmu::B" into buf; "" when none is close. */
void pmuf_pmu_suggest_locked(const char *pmu, const char *query, char *buf, size_t len);
/* A libpfm4 error as -errno. */
int pmuf_pfm_errno(int ret);

#endif
