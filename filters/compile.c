/* compile.c — what an x86 filter decides over its whole event space, and
 * a small masked (6.3+) filter that decides the same.
 *
 * pmuf_equivalent: do two filters decide alike for every (select, umask)
 * pair of the flavor's select width and every fixed counter 0..31?
 * pmuf_compile: for every select, the set of allowed (or denied) umasks is
 * encoded with masked entries (mask, match) — includes only, one include
 * (the smallest cube around the set) minus excludes, or the input's own
 * entries, whichever is smallest — then every entry whose deletion changes
 * nothing is deleted. The covers use the prime implicants of the 8 umask
 * bits (Quine–McCluskey; 3^8 cubes, cheap): essential primes, a greedy
 * completion, then a branch and bound (minimum cover is NP-hard in
 * general; over at most 256 umasks a bounded search settles most cases,
 * and the budget keeps the worst case fast).
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
	uint64_t *own;          /* the filter's entries in masked form, by select (compile only) */
	size_t nown;
	size_t *own_at;         /* nsel + 1: select s's entries are own[own_at[s]..own_at[s+1]) */
};

static int own_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	uint16_t sa = pmuf_masked_select(a), sb = pmuf_masked_select(b);
	if (sa != sb)
		return (sa > sb) - (sa < sb);
	return (a > b) - (a < b);
}

/* A prepared chunk seen as a plain include list: does any entry match? */
static bool any_match(const uint64_t *entries, size_t n, uint64_t select_mask, uint64_t ev)
{
	struct pmuf_prepared v = { .action = PMUF_ALLOW, .nincludes = n, .includes = (uint64_t *)entries,
				   .select_mask = select_mask };
	return n && pmuf_prepared_allows(&v, ev);
}

static int decision_make(const struct pmuf_filter *f, enum pmuf_flavor fl, bool want_own, struct decision *d)
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
	if (want_own) { /* every chunk's entries, deduplicated, grouped by select */
		size_t total = 0, n = 0;
		for (c = 0; c < nchunks; c++)
			total += chunks[c].nincludes + chunks[c].nexcludes;
		d->own = malloc((total ? total : 1) * sizeof(*d->own));
		d->own_at = calloc(d->nsel + 1, sizeof(*d->own_at));
		if (!d->own || !d->own_at) {
			err = -ENOMEM;
			goto out;
		}
		for (c = 0; c < nchunks; c++)
			for (size_t i = 0; i < chunks[c].nincludes + chunks[c].nexcludes; i++)
				d->own[n++] = chunks[c].events[i] & (PMUF_MASKED_EVENT_SELECT | PMUF_MASKED_UMASK_MATCH |
								     PMUF_MASKED_UMASK_MASK | PMUF_MASKED_EXCLUDE);
		qsort(d->own, n, sizeof(*d->own), own_cmp);
		d->nown = 0;
		for (size_t i = 0; i < n; i++)
			if (!d->nown || d->own[d->nown - 1] != d->own[i])
				d->own[d->nown++] = d->own[i];
		for (size_t i = 0, sel = 0; sel <= d->nsel; sel++) {
			while (i < d->nown && pmuf_masked_select(d->own[i]) < sel)
				i++;
			d->own_at[sel] = i;
		}
	}
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
		free(d->own);
		free(d->own_at);
		memset(d, 0, sizeof(*d));
	}
	return err;
}

static void decision_free(struct decision *d)
{
	free(d->allowed);
	free(d->own);
	free(d->own_at);
	memset(d, 0, sizeof(*d));
}

int pmuf_equivalent(const struct pmuf_filter *a, const struct pmuf_filter *b, enum pmuf_flavor fl,
		    struct pmuf_difference *diff)
{
	struct decision da, db;
	int err, ret = 0;

	fl = pmuf_flavor_resolve(a, pmuf_flavor_resolve(b, fl));
	if ((err = decision_make(a, fl, false, &da)))
		return err;
	if ((err = decision_make(b, fl, false, &db))) {
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

int pmuf_allowed_counts(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned *counts, size_t ncounts)
{
	struct decision d;
	int err;
	fl = pmuf_flavor_resolve(f, fl);
	if ((err = decision_make(f, fl, false, &d)))
		return err;
	if (ncounts < d.nsel) {
		decision_free(&d);
		return -ERANGE;
	}
	for (unsigned sel = 0; sel < d.nsel; sel++)
		counts[sel] = uset_count(&d.allowed[sel]);
	decision_free(&d);
	return 0;
}

int pmuf_decide_all(const struct pmuf_filter *f, enum pmuf_flavor fl, uint64_t **bits, unsigned *nsel)
{
	struct decision d;
	int err;
	*bits = NULL;
	fl = pmuf_flavor_resolve(f, fl);
	if ((err = decision_make(f, fl, false, &d)))
		return err;
	*nsel = d.nsel;
	*bits = (uint64_t *)d.allowed; /* nsel sets of 256 bits, in order */
	d.allowed = NULL;
	decision_free(&d);
	return 0;
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

static struct uset cube_set(struct cube c)
{
	struct uset s = { { 0 } };
	for (unsigned u = 0; u < NUMASK; u++)
		if (cube_has(c, u))
			uset_add(&s, u);
	return s;
}

static void uset_andnot(struct uset *a, const struct uset *b)
{
	for (int i = 0; i < NWORDS; i++)
		a->w[i] &= ~b->w[i];
}

static void uset_and(struct uset *a, const struct uset *b)
{
	for (int i = 0; i < NWORDS; i++)
		a->w[i] &= b->w[i];
}

static bool uset_empty(const struct uset *s)
{
	return !(s->w[0] | s->w[1] | s->w[2] | s->w[3]);
}

/* ---- minimum cover: branch and bound over the primes ---- */

/* The search: branch on the uncovered umask with the fewest candidate
 * primes; branch i takes its i-th candidate and forbids the earlier ones,
 * so no set of primes is visited twice and the tree has at most 2^m nodes
 * for m candidates. Bound: chosen + a set of uncovered umasks no two of
 * which one candidate covers (each needs its own prime). */
struct bb {
	const struct uset *cov; /* per candidate: the target umasks it covers */
	size_t nc;
	uint16_t *by_u;         /* candidates covering umask u: by_u[at[u]..at[u+1]) */
	size_t at[NUMASK + 1];
	uint8_t *forbidden;
	size_t *cur, ncur, *best, nbest;
	unsigned long nodes, budget;
	bool aborted;
};

static unsigned bb_lower(const struct bb *b, const struct uset *left)
{
	struct uset blocked = { { 0 } };
	unsigned n = 0;
	for (int w = 0; w < NWORDS; w++)
		for (uint64_t bits = left->w[w]; bits; bits &= bits - 1) {
			unsigned u = (unsigned)(w * 64 + __builtin_ctzll(bits));
			if (uset_has(&blocked, u))
				continue;
			n++;
			for (size_t k = b->at[u]; k < b->at[u + 1]; k++)
				for (int x = 0; x < NWORDS; x++)
					blocked.w[x] |= b->cov[b->by_u[k]].w[x];
		}
	return n;
}

static void bb_search(struct bb *b, const struct uset *left)
{
	if (++b->nodes > b->budget) {
		b->aborted = true;
		return;
	}
	if (uset_empty(left)) {
		if (b->ncur < b->nbest) {
			memcpy(b->best, b->cur, b->ncur * sizeof(*b->cur));
			b->nbest = b->ncur;
		}
		return;
	}
	if (b->ncur + bb_lower(b, left) >= b->nbest)
		return;
	/* the uncovered umask with the fewest allowed candidates */
	unsigned pick = NUMASK, pick_n = ~0u;
	for (int w = 0; w < NWORDS && pick_n > 1; w++)
		for (uint64_t bits = left->w[w]; bits && pick_n > 1; bits &= bits - 1) {
			unsigned u = (unsigned)(w * 64 + __builtin_ctzll(bits)), n = 0;
			for (size_t k = b->at[u]; k < b->at[u + 1] && n < pick_n; k++)
				n += !b->forbidden[b->by_u[k]];
			if (n < pick_n) {
				pick_n = n;
				pick = u;
			}
		}
	if (!pick_n)
		return; /* a umask no allowed candidate covers */
	size_t nforb = 0, forb[NUMASK];
	for (size_t k = b->at[pick]; k < b->at[pick + 1] && !b->aborted; k++) {
		size_t i = b->by_u[k];
		if (b->forbidden[i])
			continue;
		struct uset next = *left;
		uset_andnot(&next, &b->cov[i]);
		b->cur[b->ncur++] = i;
		bb_search(b, &next);
		b->ncur--;
		b->forbidden[i] = 1;
		forb[nforb++] = i;
	}
	for (size_t k = 0; k < nforb; k++)
		b->forbidden[forb[k]] = 0;
}

/* Covers the umasks in `on` with cubes from primes[] (which must cover
 * them); the chosen ones go to out[]; returns how many (SIZE_MAX: out of
 * memory). Essential primes first; then greedily the prime covering the
 * most umasks left (at most H(k) ~ ln k + 1 times the minimum, k the most
 * umasks one prime covers); then, when the search budget allows, a branch
 * and bound that either proves the greedy cover minimal or finds a
 * smaller one (*proven: the result is a minimum cover). */
#define BB_BUDGET 5000ul /* search nodes per cover; 2^12 < 5000: enough for <= 12 candidates */
static unsigned uset_and_count(const struct uset *a, const struct uset *b)
{
	unsigned n = 0;
	for (int i = 0; i < NWORDS; i++)
		n += (unsigned)__builtin_popcountll(a->w[i] & b->w[i]);
	return n;
}

static size_t cover(const struct uset *on, const struct cube *primes, size_t np, struct cube *out,
		    bool *proven)
{
	struct uset left = *on;
	size_t n = 0;
	bool *used = calloc(np ? np : 1, sizeof(*used));
	struct uset *ps = malloc((np ? np : 1) * sizeof(*ps)); /* each prime's umasks */
	unsigned hits[NUMASK] = { 0 };
	size_t only[NUMASK];

	*proven = false;
	if (!used || !ps) {
		free(used);
		free(ps);
		return SIZE_MAX;
	}
	for (size_t i = 0; i < np; i++) {
		ps[i] = cube_set(primes[i]);
		for (int w = 0; w < NWORDS; w++)
			for (uint64_t bits = ps[i].w[w] & left.w[w]; bits; bits &= bits - 1) {
				unsigned u = (unsigned)(w * 64 + __builtin_ctzll(bits));
				hits[u]++;
				only[u] = i;
			}
	}
	/* essential primes: the only one covering some umask */
	for (unsigned u = 0; u < NUMASK; u++) {
		if (!uset_has(&left, u) || hits[u] != 1 || used[only[u]])
			continue;
		used[only[u]] = true;
		out[n++] = primes[only[u]];
		uset_andnot(&left, &ps[only[u]]);
	}
	size_t nessential = n;
	struct uset core = left; /* what the essential primes leave */
	/* greedy: the prime covering the most umasks still left */
	while (!uset_empty(&left)) {
		size_t best = SIZE_MAX;
		unsigned best_n = 0;
		for (size_t i = 0; i < np; i++) {
			if (used[i])
				continue;
			unsigned k = uset_and_count(&ps[i], &left);
			if (k > best_n) {
				best_n = k;
				best = i;
			}
		}
		if (best == SIZE_MAX) { /* primes do not cover `on`: cannot happen */
			free(used);
			free(ps);
			return SIZE_MAX;
		}
		used[best] = true;
		out[n++] = primes[best];
		uset_andnot(&left, &ps[best]);
	}
	if (n - nessential <= 1) { /* nothing left, or one prime: minimal */
		*proven = true;
		free(used);
		free(ps);
		return n;
	}
	/* branch and bound over the primes that cover part of the core */
	struct bb b = { .budget = BB_BUDGET };
	size_t *idx = malloc(np * sizeof(*idx));
	struct uset *cov = malloc(np * sizeof(*cov));
	b.forbidden = calloc(np, 1);
	b.cur = malloc(np * sizeof(*b.cur));
	b.best = malloc(np * sizeof(*b.best));
	if (!idx || !cov || !b.forbidden || !b.cur || !b.best)
		goto out; /* keep the greedy cover */
	size_t total = 0;
	for (size_t i = 0; i < np; i++) {
		struct uset c = ps[i];
		uset_and(&c, &core);
		if (uset_empty(&c))
			continue;
		total += uset_count(&c);
		idx[b.nc] = i;
		cov[b.nc++] = c;
	}
	b.by_u = malloc((total ? total : 1) * sizeof(*b.by_u));
	if (!b.by_u)
		goto out;
	/* candidates by umask, the ones covering most first */
	size_t nby = 0;
	for (unsigned u = 0; u < NUMASK; u++) {
		b.at[u] = nby;
		for (size_t i = 0; i < b.nc; i++)
			if (uset_has(&cov[i], u)) {
				size_t j = nby++;
				while (j > b.at[u] && uset_count(&cov[b.by_u[j - 1]]) < uset_count(&cov[i])) {
					b.by_u[j] = b.by_u[j - 1];
					j--;
				}
				b.by_u[j] = (uint16_t)i;
			}
	}
	b.at[NUMASK] = nby;
	b.cov = cov;
	b.nbest = n - nessential; /* the greedy cover's size: find smaller */
	bb_search(&b, &core);
	if (!b.aborted)
		*proven = true;
	if (b.nbest < n - nessential) {
		for (size_t k = 0; k < b.nbest; k++)
			out[nessential + k] = primes[idx[b.best[k]]];
		n = nessential + b.nbest;
	}
out:
	free(idx);
	free(cov);
	free(b.forbidden);
	free(b.cur);
	free(b.best);
	free(b.by_u);
	free(used);
	free(ps);
	return n;
}

/* A select's entries: includes[ninc], then excludes[nexc]. */
struct sel_plan {
	struct cube inc[NUMASK], exc[NUMASK];
	size_t ninc, nexc;
	enum { PLAN_INCLUDES, PLAN_AROUND, PLAN_OWN } form;
	bool proven; /* a minimum of its form */
	size_t npruned; /* entries the redundancy pass deleted */
};

/* What the entries match: (any include) and not (any exclude). */
static struct uset plan_matches(const struct cube *inc, size_t ninc, const struct cube *exc, size_t nexc)
{
	struct uset m = { { 0 } }, x = { { 0 } };
	for (size_t i = 0; i < ninc; i++) {
		struct uset c = cube_set(inc[i]);
		for (int w = 0; w < NWORDS; w++)
			m.w[w] |= c.w[w];
	}
	for (size_t i = 0; i < nexc; i++) {
		struct uset c = cube_set(exc[i]);
		for (int w = 0; w < NWORDS; w++)
			x.w[w] |= c.w[w];
	}
	uset_andnot(&m, &x);
	return m;
}

/* Deletes every entry whose removal leaves the matched set equal to s,
 * until none is left to delete (excludes first: an exclude that removes
 * nothing is the likelier waste). */
static void prune(struct sel_plan *p, const struct uset *s)
{
	bool again = true;
	while (again) {
		again = false;
		for (int ex = 1; ex >= 0; ex--) {
			struct cube *v = ex ? p->exc : p->inc;
			size_t *n = ex ? &p->nexc : &p->ninc;
			for (size_t i = 0; i < *n;) {
				struct cube c = v[i];
				memmove(&v[i], &v[i + 1], (*n - i - 1) * sizeof(*v));
				(*n)--;
				struct uset m = plan_matches(p->inc, p->ninc, p->exc, p->nexc);
				if (!memcmp(&m, s, sizeof(m))) {
					p->npruned++;
					again = true;
					continue;
				}
				memmove(&v[i + 1], &v[i], (*n - i) * sizeof(*v));
				v[i] = c;
				(*n)++;
				i++;
			}
		}
	}
}

/* The entries that match exactly the umasks in s, the smallest of: the
 * includes covering s (primes of s); the smallest cube around s minus
 * excludes covering the rest of it (primes of ~s); the input's own entries
 * for the select (own, nown; when they list s) — then pruned. */
static int plan_select(const struct uset *s, const struct cube *ps, size_t nps, const struct cube *pc,
		       size_t npc, const uint64_t *own, size_t nown, struct sel_plan *p)
{
	unsigned n = uset_count(s);
	struct uset rest = { { 0 } };
	struct cube exc[NUMASK];
	uint8_t and_all = 0xff, or_all = 0;
	size_t nexc;
	bool proven;

	p->ninc = p->nexc = p->npruned = 0;
	p->form = PLAN_INCLUDES;
	p->proven = true;
	if (!n)
		return 0;
	if (n == NUMASK) {
		p->inc[0] = (struct cube){ 0, 0 };
		p->ninc = 1;
		return 0;
	}
	p->ninc = cover(s, ps, nps, p->inc, &p->proven);
	if (p->ninc == SIZE_MAX)
		return -ENOMEM;
	if (p->ninc > 2) { /* the alternative needs at least 2 */
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
		nexc = cover(&rest, pc, npc, exc, &proven);
		if (nexc == SIZE_MAX)
			return -ENOMEM;
		if (1 + nexc < p->ninc) {
			p->inc[0] = around;
			p->ninc = 1;
			memcpy(p->exc, exc, nexc * sizeof(*exc));
			p->nexc = nexc;
			p->form = PLAN_AROUND;
			p->proven = proven;
		}
	}
	if (own && nown < p->ninc + p->nexc) {
		p->ninc = p->nexc = 0;
		for (size_t i = 0; i < nown; i++) {
			struct cube c = { pmuf_masked_mask(own[i]), pmuf_masked_match(own[i]) };
			if (pmuf_masked_exclude(own[i]))
				p->exc[p->nexc++] = c;
			else
				p->inc[p->ninc++] = c;
		}
		p->form = PLAN_OWN;
		p->proven = false;
	}
	prune(p, s);
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

int pmuf_compile_ex(const struct pmuf_filter *in, enum pmuf_flavor fl, enum pmuf_action_choice choice,
		    struct pmuf_filter *out, struct pmuf_compile_stats *st)
{
	struct pmuf_filter res[2]; /* [PMUF_ALLOW], [PMUF_DENY] */
	struct pmuf_compile_stats stats[2];
	struct decision d;
	struct cube *ps = NULL, *pc = NULL;
	struct sel_plan *plan = NULL;
	int err;

	pmuf_init(out, PMUF_ARCH_X86);
	memset(stats, 0, sizeof(stats));
	if (st)
		memset(st, 0, sizeof(*st));
	if (choice != PMUF_CHOOSE_ALLOW && choice != PMUF_CHOOSE_DENY && choice != PMUF_CHOOSE_AUTO)
		return -EINVAL;
	fl = pmuf_flavor_resolve(in, fl);
	if ((err = decision_make(in, fl, true, &d)))
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
			/* the input's own entries list this select's umasks
			 * when its action is a (and it has entries there) */
			const uint64_t *own = NULL;
			size_t nown = 0;
			if (in->action == (uint32_t)a && d.own_at[sel + 1] > d.own_at[sel]) {
				own = d.own + d.own_at[sel];
				nown = d.own_at[sel + 1] - d.own_at[sel];
			}
			/* ALLOW lists the allowed umasks, DENY the denied ones */
			if (a == PMUF_ALLOW)
				err = plan_select(&s, ps, nps, pc, npc, own, nown, plan);
			else
				err = plan_select(&ns, pc, npc, ps, nps, own, nown, plan);
			if (!err)
				err = emit(&res[a], (uint16_t)sel, plan);
			if (!err && plan->ninc + plan->nexc) {
				struct pmuf_compile_stats *t = &stats[a];
				t->nselects++;
				t->nproven += plan->proven;
				t->nown += plan->form == PLAN_OWN;
				t->npruned += plan->npruned;
			}
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
		if (st)
			*st = stats[pick];
		if (out->nevents > PMUF_KVM_MAX_EVENTS)
			err = -E2BIG;
	}
	free(ps);
	free(pc);
	free(plan);
	decision_free(&d);
	return err;
}

int pmuf_compile(const struct pmuf_filter *in, enum pmuf_flavor fl, enum pmuf_action_choice choice,
		 struct pmuf_filter *out)
{
	return pmuf_compile_ex(in, fl, choice, out, NULL);
}
