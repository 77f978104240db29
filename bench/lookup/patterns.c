/* patterns.c — filter generators and input event streams; see patterns.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <perfmon/pfmlib.h>

#include "lookup.h"
#include "patterns.h"

const struct lookup_encoding lookup_encodings[] = {
	{ "exact", false, 1 },
	{ "masked/1", true, 1 },
	{ "masked/16", true, 16 },
	{ "masked/128", true, 128 },
	{ NULL, false, 0 },
};

const struct lookup_encoding *lookup_encoding_find(const char *name)
{
	for (const struct lookup_encoding *e = lookup_encodings; e->name; e++)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

static const char *const pattern_names[LOOKUP_PAT_MAX] = {
	"hit", "miss", "mixed", "same-select", "walk-worst", "pmu",
};

const char *lookup_pattern_name(enum lookup_pattern p)
{
	return p < LOOKUP_PAT_MAX ? pattern_names[p] : "?";
}

int lookup_pattern_parse(const char *s, enum lookup_pattern *p)
{
	for (int i = 0; i < LOOKUP_PAT_MAX; i++)
		if (!strcmp(s, pattern_names[i])) {
			*p = (enum lookup_pattern)i;
			return 0;
		}
	return -EINVAL;
}

const char *lookup_pattern_shape(enum lookup_pattern p)
{
	if (p == LOOKUP_PAT_WALK)
		return "one-select";
	if (p == LOOKUP_PAT_PMU)
		return "pmu";
	return "random";
}

/* ---- PMU tables through libpfm4 ---- */

static int pair_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return (a > b) - (a < b);
}

static int pmu_find(const char *name, pfm_pmu_info_t *out)
{
	pfm_pmu_t p;

	pfm_for_all_pmus(p)
	{
		pfm_pmu_info_t pi;

		memset(&pi, 0, sizeof(pi));
		pi.size = sizeof(pi);
		if (pfm_get_pmu_info(p, &pi) != PFM_SUCCESS || !pi.name)
			continue;
		if (!strcmp(pi.name, name)) {
			*out = pi;
			return 0;
		}
	}
	return -ENOENT;
}

/* Appends "pmu::event[:umask]"'s encoding as (select << 8 | umask). */
static void pmu_add(const char *pmu, const char *ev, const char *um, uint32_t *pairs, size_t *n,
		    size_t cap)
{
	char name[512], why[160];
	uint16_t sel;
	uint8_t umask;

	if (*n >= cap)
		return;
	if (um)
		snprintf(name, sizeof(name), "%s::%s:%s", pmu, ev, um);
	else
		snprintf(name, sizeof(name), "%s::%s", pmu, ev);
	if (pmuf_event_by_name(name, &sel, &umask, why, sizeof(why)) == 0)
		pairs[(*n)++] = ((uint32_t)sel << 8) | umask;
}

int lookup_pmu_table_load(const char *pmu_name, struct lookup_pmu_table *t, char *msg,
			  size_t msglen)
{
	pfm_pmu_info_t pi;
	uint32_t *pairs;
	size_t n = 0, cap = 0, i, j;
	int ret, idx;

	memset(t, 0, sizeof(*t));
	/* As filters/names.c does: inactive PMUs (icl on an AMD host) are
	 * enumerable and encodable only with this set before initialization. */
	setenv("LIBPFM_ENCODE_INACTIVE", "1", 0);
	ret = pfm_initialize();
	if (ret != PFM_SUCCESS) {
		snprintf(msg, msglen, "libpfm4 initialization failed: %s", pfm_strerror(ret));
		return -ENODEV;
	}
	if (pmu_find(pmu_name, &pi)) {
		snprintf(msg, msglen,
			 "libpfm4 knows no PMU named \"%s\" (names as in `showevtinfo`, e.g. icl, "
			 "spr, amd64_fam19h_zen4)",
			 pmu_name);
		return -ENOENT;
	}
	if (pi.type != PFM_PMU_TYPE_CORE) {
		snprintf(msg, msglen, "PMU \"%s\" is not a core PMU: its events cannot be filtered",
			 pmu_name);
		return -EINVAL;
	}
	for (idx = pi.first_event; idx != -1; idx = pfm_get_event_next(idx)) {
		pfm_event_info_t ei;

		memset(&ei, 0, sizeof(ei));
		ei.size = sizeof(ei);
		if (pfm_get_event_info(idx, PFM_OS_NONE, &ei) == PFM_SUCCESS)
			cap += (size_t)ei.nattrs + 1;
	}
	pairs = malloc((cap ? cap : 1) * sizeof(*pairs));
	if (!pairs)
		return -ENOMEM;
	for (idx = pi.first_event; idx != -1; idx = pfm_get_event_next(idx)) {
		pfm_event_info_t ei;
		int a, nu = 0;

		memset(&ei, 0, sizeof(ei));
		ei.size = sizeof(ei);
		if (pfm_get_event_info(idx, PFM_OS_NONE, &ei) != PFM_SUCCESS)
			continue;
		for (a = 0; a < ei.nattrs; a++) {
			pfm_event_attr_info_t ai;

			memset(&ai, 0, sizeof(ai));
			ai.size = sizeof(ai);
			if (pfm_get_event_attr_info(idx, a, PFM_OS_NONE, &ai) != PFM_SUCCESS ||
			    ai.type != PFM_ATTR_UMASK)
				continue;
			nu++;
			pmu_add(pi.name, ei.name, ai.name, pairs, &n, cap);
		}
		if (!nu)
			pmu_add(pi.name, ei.name, NULL, pairs, &n, cap);
	}
	if (n)
		qsort(pairs, n, sizeof(*pairs), pair_cmp);
	for (i = 0, j = 0; i < n; i++)
		if (!j || pairs[j - 1] != pairs[i])
			pairs[j++] = pairs[i];
	n = j;
	if (!n) {
		free(pairs);
		snprintf(msg, msglen, "PMU \"%s\": no event could be encoded", pmu_name);
		return -ENOENT;
	}
	t->sel = malloc(n * sizeof(*t->sel));
	t->umask = malloc(n * sizeof(*t->umask));
	if (!t->sel || !t->umask) {
		free(pairs);
		lookup_pmu_table_free(t);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		t->sel[i] = (uint16_t)(pairs[i] >> 8);
		t->umask[i] = (uint8_t)pairs[i];
	}
	t->n = n;
	snprintf(t->pmu, sizeof(t->pmu), "%s", pi.name);
	free(pairs);
	return 0;
}

void lookup_pmu_table_free(struct lookup_pmu_table *t)
{
	free(t->sel);
	free(t->umask);
	memset(t, 0, sizeof(*t));
}

/* ---- filters ---- */

static void shuffle_u32(uint32_t *v, size_t n, size_t k, struct lookup_rng *r)
{
	/* Partial Fisher-Yates: v[0..k) becomes a uniform k-sample. */
	for (size_t i = 0; i < k && i < n; i++) {
		size_t j = i + (size_t)lookup_rng_below(r, n - i);
		uint32_t t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

static void shuffle_u64(uint64_t *v, size_t n, struct lookup_rng *r)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)lookup_rng_below(r, i);
		uint64_t t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

static unsigned log2u(unsigned d)
{
	unsigned b = 0;

	while ((1u << b) < d)
		b++;
	return b;
}

/* 0xFF with `dbits` random bits cleared (the don't-care bits). */
static uint8_t rand_mask(unsigned dbits, struct lookup_rng *r)
{
	uint32_t pos[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	uint8_t m = 0xFF;

	shuffle_u32(pos, 8, dbits, r);
	for (unsigned i = 0; i < dbits; i++)
		m &= (uint8_t)~(1u << pos[i]);
	return m;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

static int gen_random(const struct lookup_gen *g, struct lookup_rng *r, uint64_t *out)
{
	size_t S = (size_t)1 << pmuf_flavor_select_bits(g->flavor), n = g->n, k, i;
	unsigned dbits = log2u(g->enc->density);
	uint32_t *pool, *cand;

	k = (n + 2) / 3;
	k = min_sz(k, S * 3 / 4);
	if (!g->enc->masked && k * 256 < n)
		k = (n + 255) / 256;
	if (k > S)
		return -ENOSPC;
	if (!k)
		k = 1;
	pool = malloc(S * sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	for (i = 0; i < S; i++)
		pool[i] = (uint32_t)i;
	shuffle_u32(pool, S, k, r);

	if (!g->enc->masked) {
		cand = malloc(k * 256 * sizeof(*cand));
		if (!cand) {
			free(pool);
			return -ENOMEM;
		}
		for (i = 0; i < k * 256; i++)
			cand[i] = (pool[i / 256] << 8) | (uint32_t)(i % 256);
		shuffle_u32(cand, k * 256, n, r);
		for (i = 0; i < n; i++)
			out[i] = pmuf_exact_encode((uint16_t)(cand[i] >> 8), (uint8_t)cand[i]);
		free(cand);
		free(pool);
		return 0;
	}

	size_t nexc = g->enc->density > 1 ? n / 4 : 0, ninc = n - nexc;

	for (i = 0; i < ninc; i++) {
		uint16_t sel = (uint16_t)(i < k ? pool[i] : pool[lookup_rng_below(r, k)]);
		uint8_t mask = rand_mask(dbits, r);

		out[i] = pmuf_masked_encode(sel, mask, (uint8_t)lookup_rng_next(r) & mask, false);
	}
	/* Excludes carve a part out of an include: its select, fewer
	 * don't-care bits, a match inside the include's. */
	for (i = 0; i < nexc; i++) {
		uint64_t inc = out[lookup_rng_below(r, ninc)];
		uint8_t im = pmuf_masked_mask(inc), xm = im;
		unsigned extra = (dbits + 1) / 2, set = 0;

		for (unsigned b = 0; b < 8 && set < extra; b++)
			if (!(im & (1u << b)) && (lookup_rng_next(r) & 1)) {
				xm |= (uint8_t)(1u << b);
				set++;
			}
		out[ninc + i] = pmuf_masked_encode(
			pmuf_masked_select(inc), xm,
			(uint8_t)(pmuf_masked_match(inc) | (lookup_rng_next(r) & xm & ~im)), true);
	}
	shuffle_u64(out, n, r);
	free(pool);
	return 0;
}

static int gen_one_select(const struct lookup_gen *g, struct lookup_rng *r, uint64_t *out)
{
	size_t S = (size_t)1 << pmuf_flavor_select_bits(g->flavor), i;
	uint16_t sel = (uint16_t)lookup_rng_below(r, S);
	unsigned dbits = log2u(g->enc->density);
	uint32_t um[255];

	/* Umask 0 matches no entry: every match below is non-zero. */
	for (i = 0; i < 255; i++)
		um[i] = (uint32_t)(i + 1);
	shuffle_u32(um, 255, 255, r);
	for (i = 0; i < g->n; i++) {
		if (!g->enc->masked) {
			out[i] = pmuf_exact_encode(sel, (uint8_t)um[i % 255]);
		} else {
			uint8_t mask = rand_mask(dbits, r), match;

			do
				match = (uint8_t)lookup_rng_next(r) & mask;
			while (!match);
			out[i] = pmuf_masked_encode(sel, mask, match, false);
		}
	}
	return 0;
}

static int gen_pmu(const struct lookup_gen *g, struct lookup_rng *r, uint64_t *out)
{
	size_t S = (size_t)1 << pmuf_flavor_select_bits(g->flavor), m = 0, i;
	unsigned dbits = log2u(g->enc->density);
	uint32_t *idx;

	if (!g->pmu)
		return -EINVAL;
	idx = malloc((g->pmu->n ? g->pmu->n : 1) * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < g->pmu->n; i++)
		if (g->pmu->sel[i] < S) /* selects the flavor can express */
			idx[m++] = (uint32_t)i;
	if (m < g->n) {
		free(idx);
		return -ENOSPC;
	}
	shuffle_u32(idx, m, g->n, r);
	for (i = 0; i < g->n; i++) {
		uint16_t sel = g->pmu->sel[idx[i]];
		uint8_t um = g->pmu->umask[idx[i]], mask;

		if (!g->enc->masked) {
			out[i] = pmuf_exact_encode(sel, um);
		} else {
			mask = rand_mask(dbits, r);
			out[i] = pmuf_masked_encode(sel, mask, um & mask, false);
		}
	}
	free(idx);
	return 0;
}

int lookup_gen_filter(const struct lookup_gen *g, uint64_t seed, struct pmuf_filter *f)
{
	struct lookup_rng r = { seed ^ 0x5EED5EEDull };
	uint64_t *ev;
	size_t i;
	int err;

	pmuf_init(f, PMUF_ARCH_X86);
	f->flavor = g->flavor;
	f->action = g->action;
	f->flags = g->enc->masked ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0;
	if (!g->n)
		return 0;
	ev = malloc(g->n * sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	if (!strcmp(g->shape, "one-select"))
		err = gen_one_select(g, &r, ev);
	else if (!strcmp(g->shape, "pmu"))
		err = gen_pmu(g, &r, ev);
	else
		err = gen_random(g, &r, ev);
	for (i = 0; !err && i < g->n; i++)
		err = pmuf_add_event(f, ev[i], NULL);
	free(ev);
	if (err)
		pmuf_free(f);
	return err;
}

/* ---- inputs ---- */

static bool matched(const uint8_t *ref, uint32_t action, size_t idx)
{
	return ref[idx] == (action == PMUF_ALLOW);
}

int lookup_gen_inputs(enum lookup_pattern p, const struct pmuf_filter *f, enum pmuf_flavor fl,
		      const uint8_t *ref, const struct lookup_pmu_table *pmu, uint64_t seed,
		      uint64_t *ev, size_t n, double *hit_frac, char *msg, size_t msglen)
{
	size_t space = lookup_space_size(fl), S = space >> 8, i, nhit = 0, nmiss = 0, nhits = 0;
	uint64_t selmask = pmuf_flavor_select_mask(fl);
	struct lookup_rng r = { seed ^ 0x1AB5ull };
	uint32_t *hit = NULL, *miss = NULL;
	uint8_t *named = NULL;
	int err = -ENOMEM;

	named = calloc(S, 1);
	hit = malloc(space * sizeof(*hit));
	miss = malloc(space * sizeof(*miss));
	if (!named || !hit || !miss)
		goto out;
	for (i = 0; i < f->nevents; i++) {
		uint64_t e = f->events[i];

		if (!pmuf_is_masked(f) && (e & ~(selmask | PMUF_EVENTSEL_UMASK)))
			continue; /* dropped: names nothing */
		named[lookup_sel12(e & selmask)] = 1;
	}

	/* The two classes each pattern draws from. */
	if (p == LOOKUP_PAT_PMU) {
		if (!pmu) {
			err = -EINVAL;
			goto out;
		}
		for (i = 0; i < pmu->n; i++) {
			size_t idx;

			if (pmu->sel[i] >= S)
				continue;
			idx = ((size_t)pmu->sel[i] << 8) | pmu->umask[i];
			if (matched(ref, f->action, idx))
				hit[nhit++] = (uint32_t)idx;
			else
				miss[nmiss++] = (uint32_t)idx;
		}
	} else {
		for (i = 0; i < space; i++) {
			bool m = matched(ref, f->action, i), nm = named[i >> 8];

			if (m)
				hit[nhit++] = (uint32_t)i;
			else if (p == LOOKUP_PAT_SAME || p == LOOKUP_PAT_WALK ? nm : !nm)
				miss[nmiss++] = (uint32_t)i;
		}
	}

	bool need_hit = p == LOOKUP_PAT_HIT || p == LOOKUP_PAT_MIXED || p == LOOKUP_PAT_PMU;
	bool need_miss = p != LOOKUP_PAT_HIT;

	err = -ENOENT;
	if (need_hit && !nhit) {
		snprintf(msg, msglen, "no (select, umask) matches the filter");
		goto out;
	}
	if (need_miss && !nmiss) {
		snprintf(msg, msglen, "%s",
			 p == LOOKUP_PAT_SAME || p == LOOKUP_PAT_WALK
				 ? "every umask of the filter's selects matches"
			 : p == LOOKUP_PAT_PMU ? "every event of the PMU table is in the filter"
					       : "the filter names every select");
		goto out;
	}
	for (i = 0; i < n; i++) {
		bool h = need_hit && (!need_miss || (lookup_rng_next(&r) & 1));
		uint32_t idx = h ? hit[lookup_rng_below(&r, nhit)] : miss[lookup_rng_below(&r, nmiss)];

		ev[i] = lookup_space_eventsel(fl, idx);
		nhits += matched(ref, f->action, idx);
	}
	*hit_frac = n ? (double)nhits / (double)n : 0;
	err = 0;
out:
	free(named);
	free(hit);
	free(miss);
	return err;
}
