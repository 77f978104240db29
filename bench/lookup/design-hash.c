/* design-hash.c — an open-addressing hash on the 12-bit select whose slots
 * carry the select's 256-bit umask row inline, so a hit costs one hashed
 * load (key and row share the slot). Linear probing in a power-of-two
 * table at most half full; a probe that reaches an empty slot answers with
 * the default row (selects the filter does not name).
 * Build: O(n x 256) rows + O(selects) inserts; memory: 40 bytes x
 * 2^ceil(log2(2 x selects)) (min 8 slots) + the default row.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"

#define HASH_EMPTY 0xFFFFFFFFu

struct hash_slot {
	uint64_t row[4];
	uint32_t key; /* 12-bit select, or HASH_EMPTY */
	uint32_t pad;
};

struct hash {
	uint64_t select_mask;
	uint32_t mask;  /* slots - 1 */
	unsigned shift; /* 32 - log2(slots) */
	uint64_t dflt[4];
	struct hash_slot *slot;
};

static inline uint32_t hash_of(uint32_t sel, unsigned shift)
{
	return (uint32_t)(sel * 0x9E3779B1u) >> shift; /* Fibonacci hashing */
}

static void hash_free(void *state)
{
	struct hash *h = state;

	if (!h)
		return;
	free(h->slot);
	free(h);
}

static int hash_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		      void **state)
{
	struct lookup_rows r;
	struct hash *h;
	size_t i, nslots = 8;
	unsigned bits = 3;
	int err = lookup_rows_from_filter(f, fl, bflags, &r);

	if (err)
		return err;
	while (nslots < 2 * r.nsel) {
		nslots <<= 1;
		bits++;
	}
	h = calloc(1, sizeof(*h));
	if (h)
		h->slot = malloc(nslots * sizeof(*h->slot));
	if (!h || !h->slot) {
		hash_free(h);
		lookup_rows_free(&r);
		return -ENOMEM;
	}
	h->select_mask = pmuf_flavor_select_mask(fl);
	h->mask = (uint32_t)nslots - 1;
	h->shift = 32 - bits;
	memcpy(h->dflt, r.row[r.nsel], sizeof(h->dflt));
	for (i = 0; i < nslots; i++) {
		memset(&h->slot[i], 0, sizeof(h->slot[i]));
		h->slot[i].key = HASH_EMPTY;
	}
	for (i = 0; i < r.nsel; i++) {
		uint32_t s = hash_of(r.sel[i], h->shift);

		while (h->slot[s].key != HASH_EMPTY)
			s = (s + 1) & h->mask;
		h->slot[s].key = r.sel[i];
		memcpy(h->slot[s].row, r.row[i], sizeof(h->slot[s].row));
	}
	lookup_rows_free(&r);
	*state = h;
	return 0;
}

static inline bool hash_decide_inline(const struct hash *h, uint64_t ev)
{
	uint32_t sel = lookup_sel12(ev & h->select_mask);
	unsigned umask = (ev >> 8) & 0xFF;
	uint32_t s = hash_of(sel, h->shift);
	const uint64_t *row = h->dflt;

	for (;;) {
		const struct hash_slot *sl = &h->slot[s];

		if (sl->key == sel) {
			row = sl->row;
			break;
		}
		if (sl->key == HASH_EMPTY)
			break;
		s = (s + 1) & h->mask;
	}
	return (row[umask >> 6] >> (umask & 63)) & 1;
}

static size_t hash_footprint(const void *state)
{
	const struct hash *h = state;

	return sizeof(*h) + ((size_t)h->mask + 1) * sizeof(h->slot[0]);
}

static size_t hash_ranges(const void *state, struct lookup_mem_range *r, size_t max)
{
	const struct hash *h = state;

	if (max < 2)
		return 0;
	r[0] = (struct lookup_mem_range){ h, sizeof(*h) };
	r[1] = (struct lookup_mem_range){ h->slot, ((size_t)h->mask + 1) * sizeof(h->slot[0]) };
	return 2;
}

LOOKUP_DEFINE_RUNNERS(hash, struct hash, hash_decide_inline)

const struct lookup_design lookup_design_hash = {
	.name = "hash",
	.desc = "open-addressing hash on the select (Fibonacci hash, linear probing), "
		"umask row inline in the slot",
	.cost = "build: O(n x 256 + selects); memory: 40 B x 2^ceil(log2(2 x selects)) slots",
	.ref = PMUF_KERNEL_6_3,
	.build = hash_build,
	LOOKUP_RUNNERS(hash),
	.footprint_bytes = hash_footprint,
	.mem_ranges = hash_ranges,
	.free = hash_free,
};
