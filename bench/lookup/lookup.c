/* lookup.c — the design table, the (select, umask) space, the reference
 * decision table and the exhaustive check of a design against it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"

/* Each design file exports its row. */
extern const struct lookup_design lookup_design_k53, lookup_design_k517, lookup_design_k63;
extern const struct lookup_design lookup_design_k517rp, lookup_design_k63rp, lookup_design_k517t;
extern const struct lookup_design lookup_design_bytemap, lookup_design_bitmap, lookup_design_table2;
extern const struct lookup_design lookup_design_hash;
extern const struct lookup_design lookup_design_bsearch_bf, lookup_design_eytzinger;
extern const struct lookup_design lookup_design_arm64;
extern const struct lookup_design lookup_design_floor;
#define LOOKUP_ARCH_DESIGN(sym) extern const struct lookup_design sym;
#include "designs-arch.def"
#undef LOOKUP_ARCH_DESIGN

const struct lookup_design *const lookup_designs[] = {
	&lookup_design_k53,
	&lookup_design_k517,
	&lookup_design_k517t,
	&lookup_design_k63,
	&lookup_design_k517rp,
	&lookup_design_k63rp,
	&lookup_design_arm64,
	&lookup_design_bytemap,
	&lookup_design_bitmap,
	&lookup_design_table2,
	&lookup_design_hash,
	&lookup_design_bsearch_bf,
	&lookup_design_eytzinger,
#define LOOKUP_ARCH_DESIGN(sym) &sym,
#include "designs-arch.def"
#undef LOOKUP_ARCH_DESIGN
	&lookup_design_floor,
	NULL,
};

size_t lookup_count(void)
{
	return sizeof(lookup_designs) / sizeof(lookup_designs[0]) - 1;
}

const struct lookup_design *lookup_find(const char *name)
{
	for (const struct lookup_design *const *d = lookup_designs; *d; d++)
		if (!strcmp((*d)->name, name))
			return *d;
	return NULL;
}

const char *lookup_unsupported(const struct lookup_design *d, const struct pmuf_filter *f,
			       enum pmuf_flavor fl)
{
	if ((d->flags & LOOKUP_F_EXACT_ONLY) && pmuf_is_masked(f))
		return "the kernel generation it replicates has no masked events";
	if ((d->flags & LOOKUP_F_ARM64) && f->arch == PMUF_ARCH_X86 && fl != PMUF_FLAVOR_INTEL)
		return "arm64 event numbers are 16 bits; the AMD flavor's (select, umask) keys "
		       "have 20 (run it with the Intel flavor)";
	return NULL;
}

bool lookup_supports(const struct lookup_design *d, const struct pmuf_filter *f,
		     enum pmuf_flavor fl)
{
	return !lookup_unsupported(d, f, fl);
}

const char *lookup_reference_name(const struct lookup_design *d)
{
	if (d->flags & LOOKUP_F_FLOOR)
		return NULL;
	return d->flags & LOOKUP_F_ARM64 ? "arm64" : pmuf_kernel_name(d->ref);
}

/* ---- the (select, umask) space ---- */

size_t lookup_space_size(enum pmuf_flavor fl)
{
	return (size_t)1 << (pmuf_flavor_select_bits(fl) + 8);
}

uint64_t lookup_space_eventsel(enum pmuf_flavor fl, size_t idx)
{
	(void)fl;
	return pmuf_eventsel_make((uint16_t)(idx >> 8), (uint8_t)(idx & 0xFF));
}

size_t lookup_space_index(enum pmuf_flavor fl, uint64_t eventsel)
{
	uint64_t sel = eventsel & pmuf_flavor_select_mask(fl);

	return ((size_t)lookup_sel12(sel) << 8) | ((eventsel >> 8) & 0xFF);
}

/* ---- the reference ---- */

/* out[idx] = pmuf_decide_gp for every idx of the space, through
 * pmuf_decider (the same decision with the per-filter work done once). */
static int ref_fill(const struct pmuf_filter *f, enum pmuf_flavor fl, enum pmuf_kernel k,
		    uint8_t *out)
{
	size_t n = lookup_space_size(fl), i;
	struct pmuf_decider d;
	int err = pmuf_decider_init(f, fl, k, &d);

	if (!err)
		for (i = 0; i < n; i++)
			out[i] = pmuf_decider_allows(&d, lookup_space_eventsel(fl, i));
	pmuf_decider_free(&d);
	return err;
}

/* A filter of entries [from, to) of f whose kind is `exclude`, as ALLOW
 * includes: the reference then answers "does any of them match". */
static int chunk_filter(const struct pmuf_filter *f, size_t from, size_t to, bool exclude,
			struct pmuf_filter *c, size_t *nadded)
{
	bool masked = pmuf_is_masked(f);
	size_t i;
	int err;

	pmuf_init(c, PMUF_ARCH_X86);
	c->flavor = f->flavor;
	c->action = PMUF_ALLOW;
	c->flags = f->flags;
	*nadded = 0;
	for (i = from; i < to; i++) {
		uint64_t e = f->events[i];

		if (masked && pmuf_masked_exclude(e) != exclude)
			continue;
		if (!masked && exclude)
			continue;
		err = pmuf_add_event(c, masked ? e & ~PMUF_MASKED_EXCLUDE : e, NULL);
		if (err) {
			pmuf_free(c);
			return err;
		}
		(*nadded)++;
	}
	return 0;
}

/* OR of "some entry of kind `exclude` matches" over <= 300-entry chunks. */
static int ref_any_match(const struct pmuf_filter *f, enum pmuf_flavor fl, enum pmuf_kernel k,
			 bool exclude, uint8_t *any, uint8_t *tmp)
{
	size_t n = lookup_space_size(fl), from, i, nadded;
	struct pmuf_filter c;
	int err;

	memset(any, 0, n);
	for (from = 0; from < f->nevents; from += PMUF_KVM_MAX_EVENTS) {
		size_t to = from + PMUF_KVM_MAX_EVENTS < f->nevents ? from + PMUF_KVM_MAX_EVENTS
								    : f->nevents;

		err = chunk_filter(f, from, to, exclude, &c, &nadded);
		if (err)
			return err;
		if (nadded)
			err = ref_fill(&c, fl, k, tmp);
		pmuf_free(&c);
		if (err)
			return err;
		if (nadded)
			for (i = 0; i < n; i++)
				any[i] |= tmp[i];
	}
	return 0;
}

int lookup_reference_table(const struct pmuf_filter *f, enum pmuf_flavor fl,
			   enum pmuf_kernel k, uint8_t **table_out, bool *composed)
{
	size_t n = lookup_space_size(fl), i;
	uint8_t *t, *inc = NULL, *exc = NULL, *tmp = NULL;
	int err;

	*table_out = NULL;
	*composed = false;
	t = malloc(n);
	if (!t)
		return -ENOMEM;
	if (f->nevents <= PMUF_KVM_MAX_EVENTS) {
		err = ref_fill(f, fl, k, t);
		goto out;
	}
	*composed = true;
	err = -ENOMEM;
	inc = malloc(n);
	exc = malloc(n);
	tmp = malloc(n);
	if (!inc || !exc || !tmp)
		goto out;
	err = ref_any_match(f, fl, k, false, inc, tmp);
	if (!err && pmuf_is_masked(f))
		err = ref_any_match(f, fl, k, true, exc, tmp);
	else
		memset(exc, 0, n);
	if (err)
		goto out;
	for (i = 0; i < n; i++)
		t[i] = (inc[i] && !exc[i]) ? f->action == PMUF_ALLOW : f->action == PMUF_DENY;
out:
	free(inc);
	free(exc);
	free(tmp);
	if (err) {
		free(t);
		return err;
	}
	*table_out = t;
	return 0;
}

int lookup_verify(const struct lookup_design *d, const void *state, enum pmuf_flavor fl,
		  const uint8_t *ref, char *msg, size_t msglen)
{
	size_t n = lookup_space_size(fl), i;

	for (i = 0; i < n; i++) {
		uint64_t ev = lookup_space_eventsel(fl, i);
		bool got = d->decide(state, ev);

		if (got != (bool)ref[i]) {
			snprintf(msg, msglen,
				 "%s: select 0x%03zx umask 0x%02zx (eventsel 0x%llx): design says %s, reference says %s",
				 d->name, i >> 8, i & 0xFF, (unsigned long long)ev,
				 got ? "allow" : "deny", ref[i] ? "allow" : "deny");
			return -EPROTO;
		}
	}
	return 0;
}

static int verify_one(const struct lookup_design *d, const void *state, enum pmuf_flavor fl,
		      bool want, size_t i, char *msg, size_t msglen)
{
	uint64_t ev = lookup_space_eventsel(fl, i);
	bool got = d->decide(state, ev);

	if (got == want)
		return 0;
	snprintf(msg, msglen,
		 "%s: select 0x%03zx umask 0x%02zx (eventsel 0x%llx): design says %s, reference says %s",
		 d->name, i >> 8, i & 0xFF, (unsigned long long)ev, got ? "allow" : "deny",
		 want ? "allow" : "deny");
	return -EPROTO;
}

/* The reference at single points of the space, for the sampled check:
 * the same composition as lookup_reference_table (OR over <= 300-entry
 * chunks of "an include matches", the same of "an exclude matches"), but
 * asked only where the check looks. Filling all 2^20 points through the
 * 5.3 model's linear scan costs 219 chunks x 2^20 x 300 compares at
 * 65,536 entries: most of a quick `limits` run, for answers never read. */
struct ref_points {
	enum pmuf_flavor fl;
	uint32_t action;
	size_t ninc, nexc;
	struct pmuf_decider *inc, *exc;
};

static void ref_points_free(struct ref_points *r)
{
	for (size_t i = 0; i < r->ninc; i++)
		pmuf_decider_free(&r->inc[i]);
	for (size_t i = 0; i < r->nexc; i++)
		pmuf_decider_free(&r->exc[i]);
	free(r->inc);
	free(r->exc);
	memset(r, 0, sizeof(*r));
}

/* One decider per non-empty chunk of entries of kind `exclude`. */
static int ref_points_kind(const struct pmuf_filter *f, enum pmuf_flavor fl, enum pmuf_kernel k,
			   bool exclude, struct pmuf_decider **out, size_t *nout)
{
	size_t nchunks = (f->nevents + PMUF_KVM_MAX_EVENTS - 1) / PMUF_KVM_MAX_EVENTS, from;
	int err = 0;

	*nout = 0;
	*out = calloc(nchunks ? nchunks : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (from = 0; from < f->nevents && !err; from += PMUF_KVM_MAX_EVENTS) {
		size_t to = from + PMUF_KVM_MAX_EVENTS < f->nevents ? from + PMUF_KVM_MAX_EVENTS
								    : f->nevents, nadded;
		struct pmuf_filter c;

		err = chunk_filter(f, from, to, exclude, &c, &nadded);
		if (err)
			break;
		if (nadded) {
			err = pmuf_decider_init(&c, fl, k, &(*out)[*nout]);
			if (!err)
				(*nout)++;
		}
		pmuf_free(&c);
	}
	return err;
}

static int ref_points_init(const struct pmuf_filter *f, enum pmuf_flavor fl, enum pmuf_kernel k,
			   struct ref_points *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->fl = fl;
	r->action = f->action;
	err = ref_points_kind(f, fl, k, false, &r->inc, &r->ninc);
	if (!err && pmuf_is_masked(f))
		err = ref_points_kind(f, fl, k, true, &r->exc, &r->nexc);
	if (err)
		ref_points_free(r);
	return err;
}

static bool any_allows(const struct pmuf_decider *d, size_t n, uint64_t ev)
{
	for (size_t i = 0; i < n; i++)
		if (pmuf_decider_allows(&d[i], ev))
			return true;
	return false;
}

static bool ref_points_at(const struct ref_points *r, size_t idx)
{
	uint64_t ev = lookup_space_eventsel(r->fl, idx);
	bool hit = any_allows(r->inc, r->ninc, ev) && !any_allows(r->exc, r->nexc, ev);

	return hit ? r->action == PMUF_ALLOW : r->action == PMUF_DENY;
}

int lookup_verify_sampled(const struct lookup_design *d, const void *state,
			  const struct pmuf_filter *f, enum pmuf_flavor fl, enum pmuf_kernel k,
			  size_t points, char *msg, size_t msglen)
{
	size_t n = lookup_space_size(fl), step = points && points < n ? n / points : 1, i;
	struct ref_points r;
	int err = ref_points_init(f, fl, k, &r);

	if (err) {
		snprintf(msg, msglen, "reference %s: %s", pmuf_kernel_name(k), strerror(-err));
		return err;
	}
	for (i = 0; i < f->nevents && !err; i++) {
		uint64_t e = f->events[i] & (pmuf_flavor_select_mask(fl) | PMUF_EVENTSEL_UMASK);
		size_t idx = lookup_space_index(fl, e);

		err = verify_one(d, state, fl, ref_points_at(&r, idx), idx, msg, msglen);
	}
	/* An odd offset, so the sample is not aligned to umask 0. */
	for (i = 7 % step; i < n && !err; i += step)
		err = verify_one(d, state, fl, ref_points_at(&r, i), i, msg, msglen);
	ref_points_free(&r);
	return err;
}

size_t lookup_count_mismatches(const struct lookup_design *d, const void *state,
			       enum pmuf_flavor fl, const uint8_t *ref)
{
	size_t n = lookup_space_size(fl), i, bad = 0;

	for (i = 0; i < n; i++)
		bad += d->decide(state, lookup_space_eventsel(fl, i)) != (bool)ref[i];
	return bad;
}

/* ---- the masked view, without the cap ---- */

int lookup_entries_get(const struct pmuf_filter *f, enum pmuf_flavor fl,
		       struct lookup_entries *e)
{
	uint64_t selmask = pmuf_flavor_select_mask(fl);
	bool masked = pmuf_is_masked(f);
	size_t i;

	memset(e, 0, sizeof(*e));
	e->action = f->action;
	e->select_mask = selmask;
	if (f->nevents) {
		e->inc = malloc(f->nevents * sizeof(*e->inc));
		e->exc = malloc(f->nevents * sizeof(*e->exc));
		if (!e->inc || !e->exc) {
			lookup_entries_free(e);
			return -ENOMEM;
		}
	}
	for (i = 0; i < f->nevents; i++) {
		uint64_t v = f->events[i];

		if (!masked) {
			if (v & ~(selmask | PMUF_EVENTSEL_UMASK))
				continue; /* convert_to_masked_filter drops it */
			e->inc[e->ninc++] = v | PMUF_MASKED_UMASK_MASK;
		} else if (v & PMUF_MASKED_EXCLUDE) {
			e->exc[e->nexc++] = v;
		} else {
			e->inc[e->ninc++] = v;
		}
	}
	return 0;
}

void lookup_entries_free(struct lookup_entries *e)
{
	free(e->inc);
	free(e->exc);
	memset(e, 0, sizeof(*e));
}

/* ---- per-select umask rows ---- */

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return (a > b) - (a < b);
}

static size_t sel_index(const struct lookup_rows *r, uint32_t sel)
{
	size_t lo = 0, hi = r->nsel;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->sel[mid] < sel)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Sets in row every umask u with (u & mask) == match. */
static void row_or_entry(uint64_t row[4], uint64_t entry)
{
	unsigned mask = pmuf_masked_mask(entry), match = pmuf_masked_match(entry), u;

	if ((match & mask) != match)
		return; /* matches no umask */
	if (mask == 0xFF) {
		row[match >> 6] |= 1ull << (match & 63);
		return;
	}
	for (u = 0; u < 256; u++)
		if ((u & mask) == match)
			row[u >> 6] |= 1ull << (u & 63);
}

int lookup_rows_build(const struct lookup_entries *e, struct lookup_rows *r)
{
	uint64_t (*inc)[4] = NULL, (*exc)[4] = NULL;
	size_t i, j, n = 0;
	uint64_t yes = e->action == PMUF_ALLOW ? ~0ull : 0;

	memset(r, 0, sizeof(*r));
	r->sel = malloc((e->ninc + 1) * sizeof(*r->sel));
	if (!r->sel)
		return -ENOMEM;
	/* Only selects with an include can ever match; excludes alone do not. */
	for (i = 0; i < e->ninc; i++)
		r->sel[n++] = lookup_sel12(e->inc[i] & e->select_mask);
	if (n)
		qsort(r->sel, n, sizeof(*r->sel), cmp_u32);
	for (i = 0, j = 0; i < n; i++)
		if (!j || r->sel[j - 1] != r->sel[i])
			r->sel[j++] = r->sel[i];
	r->nsel = j;
	r->row = calloc(r->nsel + 1, sizeof(*r->row));
	inc = calloc(r->nsel + 1, sizeof(*inc));
	exc = calloc(r->nsel + 1, sizeof(*exc));
	if (!r->row || !inc || !exc) {
		free(inc);
		free(exc);
		lookup_rows_free(r);
		return -ENOMEM;
	}
	for (i = 0; i < e->ninc; i++)
		row_or_entry(inc[sel_index(r, lookup_sel12(e->inc[i] & e->select_mask))], e->inc[i]);
	for (i = 0; i < e->nexc; i++) {
		uint32_t s = lookup_sel12(e->exc[i] & e->select_mask);
		size_t k = sel_index(r, s);

		if (k < r->nsel && r->sel[k] == s)
			row_or_entry(exc[k], e->exc[i]);
	}
	/* Matched (include and no exclude) -> action applies; else the other. */
	for (i = 0; i <= r->nsel; i++)
		for (j = 0; j < 4; j++) {
			uint64_t m = inc[i][j] & ~exc[i][j];

			r->row[i][j] = (m & yes) | (~m & ~yes);
		}
	free(inc);
	free(exc);
	return 0;
}

int lookup_rows_from_filter(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			    struct lookup_rows *r)
{
	struct lookup_entries e;
	int err = lookup_check_size(f, bflags);

	memset(r, 0, sizeof(*r));
	if (err)
		return err;
	err = lookup_entries_get(f, fl, &e);
	if (err)
		return err;
	err = lookup_rows_build(&e, r);
	lookup_entries_free(&e);
	return err;
}

void lookup_rows_free(struct lookup_rows *r)
{
	free(r->sel);
	free(r->row);
	memset(r, 0, sizeof(*r));
}
