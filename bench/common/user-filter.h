/* user-filter.h — a filter a user names with --filter FILE on lookup,
 * install, exit and check: the parsed filter and what records name it by
 * (the file's name and a hash of its bytes, so compare can match runs of
 * the same filter). Loading lives in the CLI (cmd_filter_user_load, which
 * exits on bad input); this holds the data and the record fields. */
#ifndef PFBENCH_USER_FILTER_H
#define PFBENCH_USER_FILTER_H

#include <jansson.h>
#include <stddef.h>

#include "pmuf.h"

#define USER_FILTER_MAX 16

struct user_filter {
	char name[128];      /* the file's name (no directory), or the pattern */
	char hash[32];       /* "fnv1a64:" + 16 hex digits of the file's bytes */
	struct pmuf_filter f;
};

/* FNV-1a 64 of buf, as "fnv1a64:%016llx" (a content hash for matching
 * records, not a security property; no crypto library is needed). */
void user_filter_hash(const void *buf, size_t len, char out[32]);
/* Sets rec's "filter" (the name) and "filter_hash". */
void user_filter_put(json_t *rec, const struct user_filter *uf);
/* [{"file":..,"hash":..,"nevents":..,"action":..,"flags":..}, ...] for a
 * benchmark's context. */
json_t *user_filters_json(const struct user_filter *ufs, size_t n);

#endif
