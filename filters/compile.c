/* compile.c — what an x86 filter decides over its whole event space, and
 * the smallest masked (6.3+) filter we can find that decides the same.
 *
 * pmuf_equivalent: do two filters decide alike for every (select, umask)
 * pair of the flavor's select width and every fixed counter 0..31?
 * pmuf_compile: for every select, the set of allowed (or denied) umasks is
 * covered by masked entries (mask, match) — includes only, or one include
 * (the smallest cube around the set) minus excludes — built from the prime
 * implicants of the 8 umask bits (Quine–McCluskey; 3^8 cubes, cheap) and a
 * cover: essential primes first, then greedily the prime that covers the
 * most uncovered umasks. The greedy cover is a heuristic (an exact minimum
 * cover is NP-hard); it never needs more entries than umasks it covers.
 *
 * Both judge a filter by what its entries decide with the 6.3+ lookup; a
 * filter over the kernel's 300-entry limit is judged in chunks of 300 (as
 * if the kernel took it), any other refusal is returned (-EINVAL). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pmuf.h"

#define NUMASK 256
#define NWORDS (NUMASK / 64)

struct uset { /* a set of umasks */
	uint64_t w[NWORDS];
};

static bool uset_has(const struct uset *s, unsigned u)
{
	return (s->w[u / 64] >> (u % 64)) & 1;
}

static void uset_add(struct uset *s, unsigned u)
{
	s->w[u / 64] |= 1ull << (u % 64);
}

static unsigned uset_count(const struct uset *s)
{
	unsigned n = 0;
	for (int i = 0; i < NWORDS; i++)
		n += (unsigned)__builtin_popcountll(s->w[i]);
	return n;
}

/* ---- the whole decision of a filter ---- */

/* One bit per (select, umask): allowed; plus the fixed counters. */
struct decision {
	unsigned nsel;
	struct uset *allowed;   /* nsel sets */
	uint32_t fixed_allowed; /* bit i: fixed counter i allowed */
};

/* A prepared chunk seen as a plain include list: does any entry match? */
static bool any_match(const uint64_t *entries, size_t n, uint64_t select_mask, uint64_t ev)
{
	struct pmuf_prepared v = { .action = PMUF_ALLOW, .nincludes = n, .includes = (uint64_t *)entries,
				   .select_mask = select_mask };
	return n && pmuf_prepared_allows(&v, ev);
}

static int decision_make(const struct pmuf_filter *f, enum pmuf_flavor fl, struct decision *d)
{
	size_t nchunks, c;
	struct pmuf_prepared *chunks;
	uint8_t *present;
	int err = 0;

	memset(d, 0, sizeof(*d));
	if (f->arch != PMUF_ARCH_X86)
		return -EINVAL;
	fl = pmuf_flavor_resolve(f, fl);
	if (fl == PMUF_FLAVOR_UNSET)
		return -ENODATA;
	d->nsel = 1u << pmuf_flavor_select_bits(fl);
	nchunks = f->nevents ? (f->nevents + PMUF_KVM_MAX_EVENTS - 1) / PMUF_KVM_MAX_EVENTS : 1;
	chunks = calloc(nchunks, sizeof(*chunks));
	present = calloc(d->nsel, 1);
	d->allowed = calloc(d->nsel, sizeof(*d->allowed));
	if (!chunks || !present || !d->allowed) {
		err = -ENOMEM;
		goto out;
	}
	for (c = 0; c < nchunks && !err; c++) {
		struct pmuf_filter part = *f;
		size_t first = c * PMUF_KVM_MAX_EVENTS;
		part.events = f->nevents ? f->events + first : NULL;
		part.src = NULL;
		part.nevents = f->nevents - first < PMUF_KVM_MAX_EVENTS ? f->nevents - first : PMUF_KVM_MAX_EVENTS;
		if (!f->nevents)
			part.nevents = 0;
		err = pmuf_prepare(&part, fl, &chunks[c]);
		for (size_t i = 0; !err && i < chunks[c].nincludes + chunks[c].nexcludes; i++) {
			uint16_t sel = pmuf_masked_select(chunks[c].events[i]);
			if (sel < d->nsel)
				present[sel] = 1;
		}
	}
	if (err)
		goto out;
	for (unsigned sel = 0; sel < d->nsel; sel++) {
		if (!present[sel]) { /* no entry matches: the default answer */
			if (f->action == PMUF_DENY)
				memset(&d->allowed[sel], 0xff, sizeof(d->allowed[sel]));
			continue;
		}
		for (unsigned u = 0; u < NUMASK; u++) {
			uint64_t ev = pmuf_eventsel_make((uint16_t)sel, (uint8_t)u);
			bool inc = false, exc = false;
			for (c = 0; c < nchunks && !inc; c++)
				inc = any_match(chunks[c].includes, chunks[c].nincludes, chunks[c].select_mask, ev);
			for (c = 0; c < nchunks && inc && !exc; c++)
				exc = any_match(chunks[c].excludes, chunks[c].nexcludes, chunks[c].select_mask, ev);
			if ((inc && !exc) == (f->action == PMUF_ALLOW))
				uset_add(&d->allowed[sel], u);
		}
	}
	for (unsigned i = 0; i < 32; i++)
		if (pmuf_decide_fixed(f, i))
			d->fixed_allowed |= 1u << i;
out:
	for (c = 0; chunks && c < nchunks; c++)
		pmuf_prepared_free(&chunks[c]);
	free(chunks);
	free(present);
	if (err) {
		free(d->allowed);
		d->allowed = NULL;
	}
	return err;
}

static void decision_free(struct decision *d)
{
	free(d->allowed);
	d->allowed = NULL;
}

int pmuf_equivalent(const struct pmuf_filter *a, const struct pmuf_filter *b, enum pmuf_flavor fl,
		    struct pmuf_difference *diff)
{
	struct decision da, db;
	int err, ret = 0;

	fl = pmuf_flavor_resolve(a, pmuf_flavor_resolve(b, fl));
	if ((err = decision_make(a, fl, &da)))
		return err;
	if ((err = decision_make(b, fl, &db))) {
		decision_free(&da);
		return err;
	}
	for (unsigned sel = 0; sel < da.nsel && !ret; sel++) {
		if (!memcmp(&da.allowed[sel], &db.allowed[sel], sizeof(da.allowed[sel])))
			continue;
		for (unsigned u = 0; u < NUMASK; u++)
			if (uset_has(&da.allowed[sel], u) != uset_has(&db.allowed[sel], u)) {
				if (diff)
					*diff = (struct pmuf_difference){ .select = (uint16_t)sel, .umask = (uint8_t)u,
									  .a_allows = uset_has(&da.allowed[sel], u) };
				ret = 1;
				break;
			}
	}
	for (unsigned i = 0; i < 32 && !ret; i++)
		if (((da.fixed_allowed ^ db.fixed_allowed) >> i) & 1) {
			if (diff)
				*diff = (struct pmuf_difference){ .fixed = true, .fixed_idx = i,
								  .a_allows = (da.fixed_allowed >> i) & 1 };
			ret = 1;
		}
	decision_free(&da);
	decision_free(&db);
	return ret;
}

/* ---- covering a umask set with cubes ---- */

struct cube {
	uint8_t mask, match; /* umask & mask == match */
};

/* Prime implicants of the set f: cubes whose umasks all lie in f and that
 * no cube with one fewer cared-for bit contains. imp[mask][match] is
 * filled from the full mask down (each cube = its two halves). */
static size_t primes_of(const struct uset *f, struct cube *out)
{
	static _Thread_local uint8_t imp[NUMASK][NUMASK];
	size_t n = 0;

	for (int mask = NUMASK - 1; mask >= 0; mask--) {
		unsigned free_bits = (unsigned)~mask & 0xff;
		for (unsigned m = (unsigned)mask;; m = (m - 1) & (unsigned)mask) {
			if (!free_bits)
				imp[mask][m] = uset_has(f, m);
			else {
				unsigned b = free_bits & -free_bits;
				imp[mask][m] = imp[mask | b][m] && imp[mask | b][m | b];
			}
			if (!m)
				break;
		}
	}
	for (unsigned mask = 0; mask < NUMASK; mask++)
		for (unsigned m = mask;; m = (m - 1) & mask) {
			if (imp[mask][m]) {
				bool prime = true;
				for (unsigned b = 1; b < NUMASK && prime; b <<= 1)
					if ((mask & b) && imp[mask & ~b][m & ~b])
						prime = false;
				if (prime)
					out[n++] = (struct cube){ (uint8_t)mask, (uint8_t)m };
			}
			if (!m)
				break;
		}
	return n;
}

static bool cube_has(struct cube c, unsigned u)
{
	return (u & c.mask) == c.match;
}

/* Covers the umasks in `on` with cubes from primes[] (which must cover
 * them); the chosen ones go to out[]; returns how many. */
static size_t cover(const struct uset *on, const struct cube *primes, size_t np, struct cube *out)
{
	struct uset left = *on;
	size_t n = 0;
	bool *used = calloc(np ? np : 1, sizeof(*used));

	if (!used)
		return SIZE_MAX;
	/* essential primes: the only one covering some umask */
	for (unsigned u = 0; u < NUMASK; u++) {
		size_t only = SIZE_MAX, hits = 0;
		if (!uset_has(&left, u))
			continue;
		for (size_t i = 0; i < np && hits < 2; i++)
			if (cube_has(primes[i], u)) {
				only = i;
				hits++;
			}
		if (hits == 1 && !used[only]) {
			used[only] = true;
			out[n++] = primes[only];
			for (unsigned v = 0; v < NUMASK; v++)
				if (cube_has(primes[only], v))
					left.w[v / 64] &= ~(1ull << (v % 64));
		}
	}
	/* greedy: the prime covering the most umasks still left */
	while (uset_count(&left)) {
		size_t best = SIZE_MAX;
		unsigned best_n = 0;
		for (size_t i = 0; i < np; i++) {
			unsigned k = 0;
			if (used[i])
				continue;
			for (unsigned v = 0; v < NUMASK; v++)
				k += cube_has(primes[i], v) && uset_has(&left, v);
			if (k > best_n) {
				best_n = k;
				best = i;
			}
		}
		if (best == SIZE_MAX) { /* primes do not cover `on`: cannot happen */
			free(used);
			return SIZE_MAX;
		}
		used[best] = true;
		out[n++] = primes[best];
		for (unsigned v = 0; v < NUMASK; v++)
			if (cube_has(primes[best], v))
				left.w[v / 64] &= ~(1ull << (v % 64));
	}
	free(used);
	return n;
}

/* A select's entries: includes[ninc], then excludes[nexc]. */
struct sel_plan {
	struct cube inc[NUMASK], exc[NUMASK];
	size_t ninc, nexc;
};

/* The entries that match exactly the umasks in s: includes covering s
 * (primes of s), or the smallest cube around s minus excludes covering
 * the rest of it (primes of ~s); whichever is smaller. */
static int plan_select(const struct uset *s, const struct cube *ps, size_t nps, const struct cube *pc,
		       size_t npc, struct sel_plan *p)
{
	unsigned n = uset_count(s);
	struct uset rest = { { 0 } };
	struct cube exc[NUMASK];
	uint8_t and_all = 0xff, or_all = 0;
	size_t nexc;

	p->ninc = p->nexc = 0;
	if (!n)
		return 0;
	if (n == NUMASK) {
		p->inc[0] = (struct cube){ 0, 0 };
		p->ninc = 1;
		return 0;
	}
	p->ninc = cover(s, ps, nps, p->inc);
	if (p->ninc == SIZE_MAX)
		return -ENOMEM;
	if (p->ninc <= 2)
		return 0; /* the alternative needs at least 2 */
	for (unsigned u = 0; u < NUMASK; u++)
		if (uset_has(s, u)) {
			and_all &= (uint8_t)u;
			or_all |= (uint8_t)u;
		}
	/* the smallest cube around s: the bits on which all of s agree */
	struct cube around = { (uint8_t)(and_all | (uint8_t)~or_all), and_all };
	for (unsigned u = 0; u < NUMASK; u++)
		if (cube_has(around, u) && !uset_has(s, u))
			uset_add(&rest, u);
	nexc = cover(&rest, pc, npc, exc);
	if (nexc == SIZE_MAX)
		return -ENOMEM;
	if (1 + nexc < p->ninc) {
		p->inc[0] = around;
		p->ninc = 1;
		memcpy(p->exc, exc, nexc * sizeof(*exc));
		p->nexc = nexc;
	}
	return 0;
}

static int emit(struct pmuf_filter *out, uint16_t sel, const struct sel_plan *p)
{
	int err = 0;
	for (size_t i = 0; i < p->ninc && !err; i++)
		err = pmuf_add_event(out, pmuf_masked_encode(sel, p->inc[i].mask, p->inc[i].match, false), NULL);
	for (size_t i = 0; i < p->nexc && !err; i++)
		err = pmuf_add_event(out, pmuf_masked_encode(sel, p->exc[i].mask, p->exc[i].match, true), NULL);
	return err;
}

static void out_init(struct pmuf_filter *f, enum pmuf_flavor fl, uint32_t action, uint32_t fixed_allowed)
{
	pmuf_init(f, PMUF_ARCH_X86);
	f->flavor = fl;
	f->action = action;
	f->flags = KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
	f->fixed_counter_bitmap = action == PMUF_ALLOW ? fixed_allowed : ~fixed_allowed;
}

int pmuf_compile(const struct pmuf_filter *in, enum pmuf_flavor fl, enum pmuf_action_choice choice,
		 struct pmuf_filter *out)
{
	struct pmuf_filter res[2]; /* [PMUF_ALLOW], [PMUF_DENY] */
	struct decision d;
	struct cube *ps = NULL, *pc = NULL;
	struct sel_plan *plan = NULL;
	int err;

	pmuf_init(out, PMUF_ARCH_X86);
	if (choice != PMUF_CHOOSE_ALLOW && choice != PMUF_CHOOSE_DENY && choice != PMUF_CHOOSE_AUTO)
		return -EINVAL;
	fl = pmuf_flavor_resolve(in, fl);
	if ((err = decision_make(in, fl, &d)))
		return err;
	out_init(&res[PMUF_ALLOW], fl, PMUF_ALLOW, d.fixed_allowed);
	out_init(&res[PMUF_DENY], fl, PMUF_DENY, d.fixed_allowed);
	ps = malloc(6561 * sizeof(*ps)); /* at most 3^8 cubes */
	pc = malloc(6561 * sizeof(*pc));
	plan = malloc(sizeof(*plan));
	if (!ps || !pc || !plan)
		err = -ENOMEM;
	for (unsigned sel = 0; sel < d.nsel && !err; sel++) {
		struct uset s = d.allowed[sel], ns;
		unsigned n = uset_count(&s);
		size_t nps = 0, npc = 0;
		for (int i = 0; i < NWORDS; i++)
			ns.w[i] = ~s.w[i];
		if (n && n < NUMASK) { /* the trivial cases need no primes */
			nps = primes_of(&s, ps);
			npc = primes_of(&ns, pc);
		}
		for (int a = PMUF_ALLOW; a <= PMUF_DENY && !err; a++) {
			if (choice != PMUF_CHOOSE_AUTO && (int)choice != a)
				continue;
			/* ALLOW lists the allowed umasks, DENY the denied ones */
			if (a == PMUF_ALLOW)
				err = plan_select(&s, ps, nps, pc, npc, plan);
			else
				err = plan_select(&ns, pc, npc, ps, nps, plan);
			if (!err)
				err = emit(&res[a], (uint16_t)sel, plan);
		}
	}
	if (err) {
		pmuf_free(&res[PMUF_ALLOW]);
		pmuf_free(&res[PMUF_DENY]);
	} else {
		int pick;
		if (choice == PMUF_CHOOSE_ALLOW || choice == PMUF_CHOOSE_DENY)
			pick = (int)choice;
		else if (res[PMUF_ALLOW].nevents != res[PMUF_DENY].nevents)
			pick = res[PMUF_ALLOW].nevents < res[PMUF_DENY].nevents ? PMUF_ALLOW : PMUF_DENY;
		else /* a tie keeps the input's action */
			pick = in->action == PMUF_DENY ? PMUF_DENY : PMUF_ALLOW;
		*out = res[pick];
		pmuf_free(&res[!pick]);
		if (out->nevents > PMUF_KVM_MAX_EVENTS)
			err = -E2BIG;
	}
	free(ps);
	free(pc);
	free(plan);
	decision_free(&d);
	return err;
}
