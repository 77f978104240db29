/* cold.c — see cold.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cold.h"
#include "counters.h"
#include "out.h"

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
	struct disturb_mark dm;

	disturb_cell_begin(&out->dc);
	disturb_mark(&dm);
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
		if (disturb_retake(&out->dc, disturb_since(&dm), samples))
			i--; /* unsigned wrap at 0 is undone by the i++ */
	}
	disturb_cell_end(&out->dc);
	/* Warm: every line the inputs used here touch (the first `samples`
	 * of them), touched twice first (the cold pass left the tables
	 * evicted). Not the whole stream: at 4096 events a slow design's
	 * two passes would cost more than all its samples. */
	acc += d->run_latency(st, ev, samples < nev ? samples : nev, 2, cold_zero);
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

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

int cold_record(const struct lookup_design *d, const void *st, const struct evict_plan *p,
		const uint64_t *ev, size_t nev, size_t samples, bool keep_raw,
		const struct evict *e, const struct tsc_calib *cal, json_t *rec)
{
	struct cold_result r;
	int err = cold_measure(d, st, ev, nev, e, p, samples, cal, &r);

	if (err)
		return err;
	json_object_set_new(rec, "inputs", json_integer((json_int_t)nev));
	json_object_set_new(rec, "repeats", json_integer(1));
	json_object_set_new(rec, "lookups_per_sample", json_integer(1));
	json_object_set_new(rec, "evicted_lines", json_integer((json_int_t)r.lines));
	err = out_record_stats(rec, "", r.ticks, r.n, cal, keep_raw);
	disturb_record(rec, &r.dc, r.ticks, r.n);
	qsort(r.warm_ticks, r.n, sizeof(double), cmp_double);
	out_set_real(rec, "same_harness_warm_median_ns", tsc_to_ns(cal, r.warm_ticks[r.n / 2]));
	qsort(r.evict_ticks, r.n, sizeof(double), cmp_double);
	out_set_real(rec, "evict_median_ns", tsc_to_ns(cal, r.evict_ticks[r.n / 2]));
	cold_result_free(&r);
	return err;
}

json_t *cold_context(const struct evict *e, const struct tsc_calib *cal)
{
	double pc, pw;
	char why[128] = "";
	json_t *c;

	evict_probe(e, 1001, &pc, &pw);
	c = json_pack("{s:s, s:I, s:I}", "eviction", e->how_name, "line_bytes", (json_int_t)e->line,
		      "llc_bytes", (json_int_t)e->llc_bytes);
	out_set_real(c, "probe_evicted_load_ns", tsc_to_ns(cal, pc - cal->overhead_ticks));
	out_set_real(c, "probe_warm_load_ns", tsc_to_ns(cal, pw - cal->overhead_ticks));
	json_object_set_new(c, "cache_miss_counters",
			    json_string(ctr_hw_usable(why, sizeof(why))
						? "see counters (l1d_misses_per_lookup)"
						: why));
	json_object_set_new(
		c, "method",
		json_string("each cold lookup is one call of the design's latency runner on one "
			    "event, timed alone between tsc_start/tsc_stop (timer overhead "
			    "subtracted), right after every cache line of the design's memory "
			    "(mem_ranges: the state and all it points to) was evicted and "
			    "fenced; the eviction is timed separately (evict_median_ns) and left "
			    "out; code, stack and the input events stay warm, and the TLB is not "
			    "flushed. same_harness_warm_median_ns: the same single-lookup timing "
			    "without eviction, after touching every input's lines"));
	return c;
}
