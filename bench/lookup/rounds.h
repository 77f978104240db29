/* rounds.h — the warm lookup records of a batch timed in interleaved
 * rounds. Round r takes sample r of every record, in an order shuffled per
 * round, so a slow stretch of the machine (a busy neighbour on the
 * physical core, a frequency dip: nothing the guest sees as a context
 * switch) lands on one or two samples of every record instead of on all
 * samples of the few records timed during it; the median then drops it.
 * Each sample is preceded by an untimed run of the same length (the
 * filter, code and predictors warm again after the other records ran),
 * and the whole batch by one untimed round. A record whose one pass over
 * its input stream outlasts a sample times a window of the stream per
 * sample, the next window each time (the untimed run takes the window
 * before it), so no sample repeats the inputs the run before it just
 * trained the branch predictors on.
 *
 * Disturbed samples are taken again at once (disturb.h, a budget per
 * record); records whose samples are bimodal get their rounds again, up
 * to DISTURB_REMEASURE times. Caller: bench.c (the sweep), which owns the
 * designs' states and input streams for the batch's lifetime. Returns 0,
 * -EINTR when a stop signal came (stop.h: nothing of the batch is kept),
 * or -errno; never prints. */
#ifndef PFBENCH_LOOKUP_ROUNDS_H
#define PFBENCH_LOOKUP_ROUNDS_H

#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "disturb.h"
#include "lookup.h"
#include "progress.h"
#include "tsc.h"

/* One warm record. fn/st/ev/n/reps/win set by the caller (win = n, or
 * lookup_size_reps's); the rest is rounds.c's. */
struct lookup_cell {
	lookup_run_fn fn;
	const void *st;
	const uint64_t *ev;
	size_t n;          /* inputs in the stream */
	size_t win;        /* inputs per pass: n, or fewer when one pass of n
			    * outlasts a sample (then reps is 1) */
	size_t reps;       /* passes per sample */
	size_t off;        /* where the next window starts */
	double *ticks;     /* samples: TSC ticks per lookup, timer overhead off */
	size_t taken;
	struct disturb_cell dc;
	long long ctr[CTR_MAX]; /* summed over the timed samples (-1: none) */
};

struct lookup_rounds {
	size_t samples;    /* rounds: samples per record */
	uint64_t seed;     /* of the per-round shuffle */
	const struct tsc_calib *cal;
	struct ctr_set *ctrs;
	struct progress *prog; /* stepped by records as rounds finish, or NULL */
};

/* Times every cell: r->samples samples each in ticks[] (allocated here,
 * freed by lookup_cells_free). */
int lookup_rounds_run(const struct lookup_rounds *r, struct lookup_cell *cells, size_t n);
void lookup_cells_free(struct lookup_cell *cells, size_t n);

/* Sizes c's samples (c->fn, st, ev, n set) to last about sample_ns, from
 * the fastest of LOOKUP_SIZE_PASSES timed runs over a prefix of the
 * stream that doubles (from LOOKUP_MIN_WINDOW inputs) until it lasts a
 * sample or is the whole stream: c->reps passes (at most 2^20) of c->win =
 * n inputs, or, when one pass is longer than sample_ns, c->reps = 1 and a
 * window of c->win < n inputs, at least LOOKUP_MIN_WINDOW. */
#define LOOKUP_SIZE_PASSES 3
#define LOOKUP_MIN_WINDOW 64
void lookup_size_cell(struct lookup_cell *c, double sample_ns, const struct tsc_calib *cal);

#endif
