/* design-table.c — direct-indexed designs: the whole decision precomputed.
 *
 *  bytemap one byte per (select, umask): 64 KiB for the Intel flavor,
 *          1 MiB for AMD. Index = eventsel bits 15:0 (umask 15:8, select
 *          7:0) | select 11:8 << 16, so on Intel the lookup is one
 *          zero-extension and one byte load: the floor's own cost. Only
 *          the lines a workload touches need to be cached (one per
 *          (umask, 64 selects)). Build: O(space + named selects x 256).
 *  bitmap  the same index into one bit per (select, umask): 2^16 bits
 *          (8 KiB, always L1-resident) for Intel, 2^20 bits (128 KiB) for
 *          AMD; one load plus a shift and a mask. Build: O(space/64 +
 *          named selects x 256); memory fixed by flavor, any n.
 *          Both test the flavor with a branch that is always predicted, so
 *          the Intel path carries no select 11:8 arithmetic.
 *  table2  select -> u16 row number -> 256-bit umask row (row 0: selects
 *          the filter does not name). Two dependent loads. Build:
 *          O(n x 256) rows + O(space) index; memory 2 x 2^selbits bytes +
 *          32 x (named selects + 1).
 * Both decide "allowed" directly (the action is folded into the bits).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"

/* The (select, umask) index both share: eventsel bits 15:0, and on AMD
 * select 11:8 (eventsel 35:32) above them. */
static inline size_t map_index(bool amd, uint32_t sel12, unsigned umask)
{
	return (sel12 & 0xFF) | (umask << 8) | (amd ? ((size_t)(sel12 >> 8) << 16) : 0);
}

static inline size_t map_index_ev(bool amd, uint64_t ev)
{
	size_t idx = ev & 0xFFFF;

	if (__builtin_expect(amd, 0))
		idx |= (ev >> 16) & 0xF0000;
	return idx;
}

/* Sets every (select, umask) of a map: the default row for all, then
 * each named select's row. bits: one bit per entry (uint64_t words), else
 * one byte (bool); a constant in each inlined copy. */
static inline void map_fill(void *map, bool bits, bool amd, size_t n,
			    const struct lookup_rows *r)
{
	bool dflt = r->row[r->nsel][0] & 1; /* the default row is all 0 or all 1 */
	uint64_t *w = map;
	bool *v = map;

	if (bits)
		memset(w, dflt ? 0xFF : 0x00, n / 8);
	else
		memset(v, dflt, n);
	for (size_t i = 0; i < r->nsel; i++)
		for (unsigned u = 0; u < 256; u++) {
			size_t idx = map_index(amd, r->sel[i], u);
			bool yes = (r->row[i][u >> 6] >> (u & 63)) & 1;

			if (!bits)
				v[idx] = yes;
			else if (yes)
				w[idx >> 6] |= 1ull << (idx & 63);
			else
				w[idx >> 6] &= ~(1ull << (idx & 63));
		}
}

/* ---- bytemap ---- */

struct bytemap {
	bool amd;
	size_t n;
	_Alignas(64) bool v[];
};

static int bytemap_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			 void **state)
{
	size_t n = lookup_space_size(fl);
	struct lookup_rows r;
	struct bytemap *b;
	int err = lookup_rows_from_filter(f, fl, bflags, &r);

	if (err)
		return err;
	b = aligned_alloc(64, (sizeof(*b) + n + 63) / 64 * 64);
	if (!b) {
		lookup_rows_free(&r);
		return -ENOMEM;
	}
	b->amd = fl == PMUF_FLAVOR_AMD;
	b->n = n;
	map_fill(b->v, false, b->amd, n, &r);
	lookup_rows_free(&r);
	*state = b;
	return 0;
}

static inline bool bytemap_decide_inline(const struct bytemap *b, uint64_t ev)
{
	return b->v[map_index_ev(b->amd, ev)];
}

static size_t bytemap_footprint(const void *state)
{
	const struct bytemap *b = state;

	return sizeof(*b) + b->n;
}

static size_t bytemap_ranges(const void *state, struct lookup_mem_range *r, size_t max)
{
	if (max < 1)
		return 0;
	r[0] = (struct lookup_mem_range){ state, bytemap_footprint(state) };
	return 1;
}

LOOKUP_DEFINE_RUNNERS(bytemap, struct bytemap, bytemap_decide_inline)

const struct lookup_design lookup_design_bytemap = {
	.name = "bytemap",
	.desc = "one byte per (select, umask), indexed by the eventsel's low 16 bits "
		"(+ select 11:8 on AMD): one byte load",
	.cost = "build: O(2^k + selects x 256); memory: 64 KiB (Intel) or 1 MiB (AMD), any n",
	.ref = PMUF_KERNEL_6_3,
	.build = bytemap_build,
	LOOKUP_RUNNERS(bytemap),
	.footprint_bytes = bytemap_footprint,
	.mem_ranges = bytemap_ranges,
	.free = free,
};

/* ---- bitmap ---- */

struct bitmap {
	bool amd;
	size_t nwords;
	uint64_t words[];
};

static int bitmap_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			void **state)
{
	size_t nwords = lookup_space_size(fl) / 64;
	struct lookup_rows r;
	struct bitmap *b;
	int err = lookup_rows_from_filter(f, fl, bflags, &r);

	if (err)
		return err;
	b = malloc(sizeof(*b) + nwords * sizeof(b->words[0]));
	if (!b) {
		lookup_rows_free(&r);
		return -ENOMEM;
	}
	b->amd = fl == PMUF_FLAVOR_AMD;
	b->nwords = nwords;
	map_fill(b->words, true, b->amd, nwords * 64, &r);
	lookup_rows_free(&r);
	*state = b;
	return 0;
}

static inline bool bitmap_decide_inline(const struct bitmap *b, uint64_t ev)
{
	size_t idx = map_index_ev(b->amd, ev);

	return (b->words[idx >> 6] >> (idx & 63)) & 1;
}

static size_t bitmap_footprint(const void *state)
{
	const struct bitmap *b = state;

	return sizeof(*b) + b->nwords * sizeof(b->words[0]);
}

static size_t bitmap_ranges(const void *state, struct lookup_mem_range *r, size_t max)
{
	if (max < 1)
		return 0;
	r[0] = (struct lookup_mem_range){ state, bitmap_footprint(state) };
	return 1;
}

LOOKUP_DEFINE_RUNNERS(bitmap, struct bitmap, bitmap_decide_inline)

const struct lookup_design lookup_design_bitmap = {
	.name = "bitmap",
	.desc = "flat bitmap over (select, umask), indexed by the eventsel's low 16 bits "
		"(+ select 11:8 on AMD): one load",
	.cost = "build: O(2^k/64 + selects x 256); memory: 8 KiB (Intel) or 128 KiB (AMD), any n",
	.ref = PMUF_KERNEL_6_3,
	.build = bitmap_build,
	LOOKUP_RUNNERS(bitmap),
	.footprint_bytes = bitmap_footprint,
	.mem_ranges = bitmap_ranges,
	.free = free,
};

/* ---- two-level: select -> umask row ---- */

struct table2 {
	uint64_t select_mask;
	size_t nsel, nidx;
	uint16_t *idx;      /* per 12-bit select: row number, 0 = default */
	uint64_t (*row)[4]; /* row[0] default, row[1 + i] for the i-th named select */
};

static void table2_free(void *state)
{
	struct table2 *t = state;

	if (!t)
		return;
	free(t->idx);
	free(t->row);
	free(t);
}

static int table2_build(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			void **state)
{
	struct lookup_rows r;
	struct table2 *t;
	size_t i;
	int err = lookup_rows_from_filter(f, fl, bflags, &r);

	if (err)
		return err;
	t = calloc(1, sizeof(*t));
	if (!t) {
		lookup_rows_free(&r);
		return -ENOMEM;
	}
	t->select_mask = pmuf_flavor_select_mask(fl);
	t->nsel = r.nsel;
	t->nidx = (size_t)1 << pmuf_flavor_select_bits(fl);
	t->idx = calloc(t->nidx, sizeof(*t->idx));
	t->row = malloc((r.nsel + 1) * sizeof(*t->row));
	if (!t->idx || !t->row) {
		lookup_rows_free(&r);
		table2_free(t);
		return -ENOMEM;
	}
	memcpy(t->row[0], r.row[r.nsel], sizeof(t->row[0]));
	for (i = 0; i < r.nsel; i++) {
		memcpy(t->row[1 + i], r.row[i], sizeof(t->row[0]));
		t->idx[r.sel[i]] = (uint16_t)(1 + i);
	}
	lookup_rows_free(&r);
	*state = t;
	return 0;
}

static inline bool table2_decide_inline(const struct table2 *t, uint64_t ev)
{
	uint32_t sel = lookup_sel12(ev & t->select_mask);
	unsigned umask = (ev >> 8) & 0xFF;
	const uint64_t *row = t->row[t->idx[sel]];

	return (row[umask >> 6] >> (umask & 63)) & 1;
}

static size_t table2_footprint(const void *state)
{
	const struct table2 *t = state;

	return sizeof(*t) + t->nidx * sizeof(t->idx[0]) + (t->nsel + 1) * sizeof(t->row[0]);
}

static size_t table2_ranges(const void *state, struct lookup_mem_range *r, size_t max)
{
	const struct table2 *t = state;

	if (max < 3)
		return 0;
	r[0] = (struct lookup_mem_range){ t, sizeof(*t) };
	r[1] = (struct lookup_mem_range){ t->idx, t->nidx * sizeof(t->idx[0]) };
	r[2] = (struct lookup_mem_range){ t->row, (t->nsel + 1) * sizeof(t->row[0]) };
	return 3;
}

LOOKUP_DEFINE_RUNNERS(table2, struct table2, table2_decide_inline)

const struct lookup_design lookup_design_table2 = {
	.name = "table2",
	.desc = "two-level table: select -> row number -> 256-bit umask row: two dependent loads",
	.cost = "build: O(n x 256 + 2^selbits); memory: 2 x 2^selbits + 32 x (selects + 1) bytes",
	.ref = PMUF_KERNEL_6_3,
	.build = table2_build,
	LOOKUP_RUNNERS(table2),
	.footprint_bytes = table2_footprint,
	.mem_ranges = table2_ranges,
	.free = table2_free,
};
