/* user-filter.c — the record fields of a user's --filter FILE (see
 * user-filter.h). */
#include <stdio.h>

#include "user-filter.h"

void user_filter_hash(const void *buf, size_t len, char out[32])
{
	const unsigned char *p = buf;
	unsigned long long h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	snprintf(out, 32, "fnv1a64:%016llx", h);
}

void user_filter_put(json_t *rec, const struct user_filter *uf)
{
	json_object_set_new(rec, "filter", json_string(uf->name));
	json_object_set_new(rec, "filter_hash", json_string(uf->hash));
}

json_t *user_filters_json(const struct user_filter *ufs, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct pmuf_filter *f = &ufs[i].f;
		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:I,s:I,s:s}", "file", ufs[i].name, "hash",
						   ufs[i].hash, "nevents", (json_int_t)f->nevents, "action",
						   (json_int_t)f->action, "flags", (json_int_t)f->flags, "flavor",
						   pmuf_flavor_name(f->flavor)));
	}
	return a;
}
