/* design-search.c — searches over the sorted distinct selects, then one
 * 256-bit umask row per select (so the kernel's umask walk becomes a
 * single bit test, whatever the encoding).
 *
 *  bsearch-bf  branch-free lower bound: the loop runs ceil(log2 m) times
 *              for m selects whatever the key, the step is a conditional
 *              move, so there is no mispredicted branch to pay.
 *  eytzinger   the selects in BFS (Eytzinger) order, 1-based: the search
 *              walks k -> 2k + (e[k] < key), the next probes share cache
 *              lines; index 0 is a sentinel that maps to the default row.
 * Build: O(n x 256) rows + O(m log m) sort (+ O(m) relayout); memory:
 * 4 B x m keys + 32 B x (m + 1) rows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"

struct search {
	uint64_t select_mask;
	size_t m;
	uint32_t *key;       /* bsearch-bf: sorted; eytzinger: key[1..m], key[0] sentinel */
	uint64_t (*row)[4];  /* bsearch-bf: row[i] for key[i], row[m] default;
			      * eytzinger: row[k] for key[k], row[0] default */
};

static void search_free(void *state)
{
	struct search *s = state;

	if (!s)
		return;
	free(s->key);
	free(s->row);
	free(s);
}

/* Rows from the filter, then the design's layout of keys and rows. */
static int search_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			void **state, void (*layout)(struct search *s, const struct lookup_rows *r))
{
	struct lookup_rows r;
	struct search *s;
	int err = lookup_rows_from_filter(f, fl, bflags, &r);

	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (s) {
		s->key = malloc((r.nsel + 1) * sizeof(*s->key));
		s->row = malloc((r.nsel + 1) * sizeof(*s->row));
	}
	if (!s || !s->key || !s->row) {
		search_free(s);
		lookup_rows_free(&r);
		return -ENOMEM;
	}
	s->select_mask = pmuf_flavor_select_mask(fl);
	s->m = r.nsel;
	layout(s, &r);
	lookup_rows_free(&r);
	*state = s;
	return 0;
}

/* ---- branch-free binary search ---- */

/* Keys sorted, row[m] the default: lookup_rows' own layout. */
static void bsbf_layout(struct search *s, const struct lookup_rows *r)
{
	memcpy(s->key, r->sel, r->nsel * sizeof(*s->key));
	memcpy(s->row, r->row, (r->nsel + 1) * sizeof(*s->row));
}

static int bsbf_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		      void **state)
{
	return search_build(f, fl, bflags, state, bsbf_layout);
}

static inline bool bsbf_decide_inline(const struct search *s, uint64_t ev)
{
	uint32_t sel = lookup_sel12(ev & s->select_mask);
	unsigned umask = (ev >> 8) & 0xFF;
	const uint32_t *base = s->key;
	size_t n = s->m, i;

	if (n == 0)
		return (s->row[0][umask >> 6] >> (umask & 63)) & 1;
	while (n > 1) {
		size_t half = n / 2;

		base = base[half] <= sel ? base + half : base;
		n -= half;
	}
	i = (size_t)(base - s->key);
	i = *base == sel ? i : s->m;
	return (s->row[i][umask >> 6] >> (umask & 63)) & 1;
}

static size_t search_footprint(const void *state)
{
	const struct search *s = state;

	return sizeof(*s) + (s->m + 1) * (sizeof(s->key[0]) + sizeof(s->row[0]));
}

static size_t search_ranges(const void *state, struct lookup_mem_range *r, size_t max)
{
	const struct search *s = state;

	if (max < 3)
		return 0;
	r[0] = (struct lookup_mem_range){ s, sizeof(*s) };
	r[1] = (struct lookup_mem_range){ s->key, (s->m + 1) * sizeof(s->key[0]) };
	r[2] = (struct lookup_mem_range){ s->row, (s->m + 1) * sizeof(s->row[0]) };
	return 3;
}

LOOKUP_DEFINE_RUNNERS(bsbf, struct search, bsbf_decide_inline)

const struct lookup_design lookup_design_bsearch_bf = {
	.name = "bsearch-bf",
	.desc = "branch-free binary search (cmov) over the sorted distinct selects, "
		"then a 256-bit umask row",
	.cost = "build: O(n x 256 + m log m); memory: 36 B x (m + 1), m = distinct selects",
	.ref = PMUF_KERNEL_6_3,
	.build = bsbf_build,
	LOOKUP_RUNNERS(bsbf),
	.footprint_bytes = search_footprint,
	.mem_ranges = search_ranges,
	.free = search_free,
};

/* ---- Eytzinger layout ---- */

/* In-order walk of the implicit tree fills it from the sorted array. */
static size_t eyt_fill(struct search *s, const struct lookup_rows *r, size_t i, size_t k)
{
	if (k <= s->m) {
		i = eyt_fill(s, r, i, 2 * k);
		s->key[k] = r->sel[i];
		memcpy(s->row[k], r->row[i], sizeof(s->row[k]));
		i++;
		i = eyt_fill(s, r, i, 2 * k + 1);
	}
	return i;
}

static void eyt_layout(struct search *s, const struct lookup_rows *r)
{
	s->key[0] = 0xFFFFFFFFu; /* no select equals it */
	memcpy(s->row[0], r->row[r->nsel], sizeof(s->row[0]));
	eyt_fill(s, r, 0, 1);
}

static int eyt_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
		     void **state)
{
	return search_build(f, fl, bflags, state, eyt_layout);
}

static inline bool eyt_decide_inline(const struct search *s, uint64_t ev)
{
	uint32_t sel = lookup_sel12(ev & s->select_mask);
	unsigned umask = (ev >> 8) & 0xFF;
	size_t k = 1;

	while (k <= s->m)
		k = 2 * k + (s->key[k] < sel);
	/* Drop the trailing right turns and the last left turn: k becomes
	 * the lower bound, or 0 when every key is smaller. */
	k >>= __builtin_ffsll((long long)~k);
	k = s->key[k] == sel ? k : 0;
	return (s->row[k][umask >> 6] >> (umask & 63)) & 1;
}

LOOKUP_DEFINE_RUNNERS(eyt, struct search, eyt_decide_inline)

const struct lookup_design lookup_design_eytzinger = {
	.name = "eytzinger",
	.desc = "Eytzinger (BFS-order) search over the distinct selects, then a 256-bit umask row",
	.cost = "build: O(n x 256 + m log m + m); memory: 36 B x (m + 1), m = distinct selects",
	.ref = PMUF_KERNEL_6_3,
	.build = eyt_build,
	LOOKUP_RUNNERS(eyt),
	.footprint_bytes = search_footprint,
	.mem_ranges = search_ranges,
	.free = search_free,
};
