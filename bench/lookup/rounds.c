/* rounds.c — see rounds.h. */
#include "rounds.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stop.h"

/* Zero at run time, unknown to the compiler: the latency chain's link. */
static volatile uint64_t rounds_zero;
static volatile uint64_t rounds_sink;

/* The fastest of LOOKUP_SIZE_PASSES timed runs over the first m inputs. */
static double fastest(const struct lookup_cell *c, size_t m, const struct tsc_calib *cal)
{
	uint64_t acc = 0;
	double best = INFINITY;

	for (int i = 0; i < LOOKUP_SIZE_PASSES; i++) {
		uint64_t t0 = tsc_start();
		acc += c->fn(c->st, c->ev, m, 1, rounds_zero);
		uint64_t t1 = tsc_stop();
		double t = tsc_elapsed(cal, t0, t1);
		if (t < best)
			best = t;
	}
	rounds_sink += acc;
	return best;
}

void lookup_size_cell(struct lookup_cell *c, double sample_ns, const struct tsc_calib *cal)
{
	double want = sample_ns * cal->ticks_per_ns, t;
	size_t m = c->n < LOOKUP_MIN_WINDOW ? c->n : LOOKUP_MIN_WINDOW;

	c->win = c->n;
	c->reps = 1;
	c->off = 0;
	/* A cold run, then prefixes doubling until one lasts a sample or is
	 * the whole stream: a slow design is never run over all of it here. */
	rounds_sink += c->fn(c->st, c->ev, m, 1, rounds_zero);
	for (;;) {
		t = fastest(c, m, cal);
		if (!(t < want) || m == c->n)
			break;
		m = 2 * m < c->n ? 2 * m : c->n;
	}
	if (!(t > 0) || !isfinite(t))
		return;
	if (m == c->n && t <= want) {
		double reps = ceil(want / t);
		c->reps = reps > (double)(1u << 20) ? (size_t)1 << 20 : (size_t)reps;
		return;
	}
	double w = ceil((double)m * want / t);
	c->win = w < LOOKUP_MIN_WINDOW ? LOOKUP_MIN_WINDOW : (size_t)w;
	if (c->win > c->n)
		c->win = c->n;
}

/* splitmix64, for the per-round order. */
static uint64_t mix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void shuffle(size_t *v, size_t n, uint64_t *rng)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(mix64(rng) % i), t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* One sample of c (or, timed == false, an untimed one): an untimed run of
 * the sample's length on the window before it, then the timed one; taken
 * again while disturbed and the record's budget lasts. *m: the
 * disturbance mark, reset before the timed run. */
static int sample(const struct lookup_rounds *r, struct lookup_cell *c, struct disturb_mark *m,
		  bool timed)
{
	size_t last = c->n / c->win * c->win - c->win; /* the last whole window */
	uint64_t acc = 0;
	long long cv[CTR_MAX];
	int err;

	for (;;) {
		const uint64_t *ev = c->ev + c->off;
		acc += c->fn(c->st, c->ev + (c->off ? c->off - c->win : last), c->win, c->reps,
			     rounds_zero);
		/* Only the timed run counts as disturbed (not the untimed one
		 * before it, nor the previous record's sample). */
		disturb_mark(m);
		if (timed && (err = ctr_start(r->ctrs)))
			return err;
		uint64_t t0 = tsc_start();
		acc += c->fn(c->st, ev, c->win, c->reps, rounds_zero);
		uint64_t t1 = tsc_stop();
		if (timed && (err = ctr_stop(r->ctrs, cv)))
			return err;
		unsigned flags = disturb_since(m);
		c->off = c->off == last ? 0 : c->off + c->win;
		if (!timed)
			break;
		if (disturb_retake(&c->dc, flags, r->samples))
			continue;
		c->ticks[c->taken++] = tsc_elapsed(r->cal, t0, t1) / (double)(c->win * c->reps);
		for (int k = 0; k < CTR_MAX; k++)
			if (cv[k] >= 0)
				c->ctr[k] = (c->ctr[k] < 0 ? 0 : c->ctr[k]) + cv[k];
		break;
	}
	rounds_sink += acc;
	return 0;
}

/* r->samples rounds over the cells idx[0..n). */
static int rounds(const struct lookup_rounds *r, struct lookup_cell *cells, size_t *idx, size_t n,
		  uint64_t *rng, bool step)
{
	struct disturb_mark m;
	size_t stepped = 0;
	int err;

	disturb_mark(&m);
	for (size_t k = 0; k < n; k++) /* the untimed round */
		if ((err = sample(r, &cells[idx[k]], &m, false)))
			return err;
	for (size_t s = 0; s < r->samples; s++) {
		shuffle(idx, n, rng);
		for (size_t k = 0; k < n; k++)
			if ((err = sample(r, &cells[idx[k]], &m, true)))
				return err;
		if (stop_signal())
			return -EINTR;
		if (step && r->prog) {
			size_t to = n * (s + 1) / r->samples;
			progress_step(r->prog, to - stepped);
			stepped = to;
		}
	}
	return 0;
}

int lookup_rounds_run(const struct lookup_rounds *r, struct lookup_cell *cells, size_t n)
{
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx)), nb;
	uint64_t rng = r->seed ^ 0x726f756e6473ull;
	int err = idx ? 0 : -ENOMEM;

	for (size_t i = 0; !err && i < n; i++) {
		struct lookup_cell *c = &cells[i];
		c->ticks = malloc(r->samples * sizeof(*c->ticks));
		if (!c->ticks)
			err = -ENOMEM;
		c->taken = 0;
		for (int k = 0; k < CTR_MAX; k++)
			c->ctr[k] = -1;
		disturb_cell_begin(&c->dc);
		idx[i] = i;
	}
	if (!err)
		err = rounds(r, cells, idx, n, &rng, true);
	/* Bimodal records: their rounds again, among themselves. */
	for (unsigned again = 0; !err && again < DISTURB_REMEASURE; again++) {
		nb = 0;
		for (size_t i = 0; i < n; i++)
			if (disturb_bimodal(cells[i].ticks, cells[i].taken)) {
				cells[i].taken = 0;
				cells[i].dc.remeasured++;
				for (int k = 0; k < CTR_MAX; k++)
					cells[i].ctr[k] = -1;
				idx[nb++] = i;
			}
		if (!nb)
			break;
		err = rounds(r, cells, idx, nb, &rng, false);
	}
	for (size_t i = 0; !err && i < n; i++)
		disturb_cell_end(&cells[i].dc);
	free(idx);
	return err;
}

void lookup_cells_free(struct lookup_cell *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(cells[i].ticks);
		cells[i].ticks = NULL;
	}
}
