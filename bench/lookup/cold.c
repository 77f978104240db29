/* cold.c — see cold.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cold.h"

static volatile uint64_t cold_zero, cold_sink;

int cold_plan(const struct lookup_design *d, const void *st, const struct evict *e,
	      struct evict_plan *p)
{
	struct lookup_mem_range r[LOOKUP_MAX_RANGES];
	size_t n = d->mem_ranges ? d->mem_ranges(st, r, LOOKUP_MAX_RANGES) : 0;

	if (!n)
		return -EOPNOTSUPP;
	return evict_plan_make(e, r, n, p);
}

int cold_measure(const struct lookup_design *d, const void *st, const uint64_t *ev, size_t nev,
		 const struct evict *e, const struct evict_plan *p, size_t samples,
		 const struct tsc_calib *cal, struct cold_result *out)
{
	uint64_t acc = 0;

	memset(out, 0, sizeof(*out));
	out->ticks = malloc(samples * sizeof(double));
	out->warm_ticks = malloc(samples * sizeof(double));
	out->evict_ticks = malloc(samples * sizeof(double));
	if (!out->ticks || !out->warm_ticks || !out->evict_ticks) {
		cold_result_free(out);
		return -ENOMEM;
	}
	out->n = samples;
	/* One untimed pass: code and the input array warm, as in the exit
	 * path (the instructions run on every exit; only the filter is cold). */
	acc += d->run_latency(st, ev, nev < 64 ? nev : 64, 1, cold_zero);
	for (size_t i = 0; i < samples; i++) {
		const uint64_t *one = &ev[i % nev];
		uint64_t t0, t1;

		t0 = tsc_start();
		out->lines = evict_run(e, p);
		t1 = tsc_stop();
		out->evict_ticks[i] = tsc_elapsed(cal, t0, t1);
		t0 = tsc_start();
		acc += d->run_latency(st, one, 1, 1, cold_zero);
		t1 = tsc_stop();
		out->ticks[i] = tsc_elapsed(cal, t0, t1);
	}
	/* Warm: every line the inputs touch, touched twice first (the cold
	 * pass left the tables evicted). */
	acc += d->run_latency(st, ev, nev, 2, cold_zero);
	for (size_t i = 0; i < samples; i++) {
		const uint64_t *one = &ev[i % nev];
		uint64_t t0 = tsc_start();

		acc += d->run_latency(st, one, 1, 1, cold_zero);
		uint64_t t1 = tsc_stop();

		out->warm_ticks[i] = tsc_elapsed(cal, t0, t1);
	}
	cold_sink += acc;
	return 0;
}

void cold_result_free(struct cold_result *r)
{
	free(r->ticks);
	free(r->warm_ticks);
	free(r->evict_ticks);
	memset(r, 0, sizeof(*r));
}
