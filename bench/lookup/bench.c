/* bench.c — the lookup benchmark's sweep; see lookup-bench.h.
 *
 * For every filter (size x encoding x action x shape) each design is built
 * (build time: median of LOOKUP_BUILDS builds), checked against the
 * reference over the whole (select, umask) space, then timed on every hit
 * pattern of that shape, in throughput and latency mode, beside the floor
 * row. A sample times `repeats` passes over `ninputs` events with
 * tsc_start/tsc_stop, subtracts the timer overhead and divides by the
 * lookups it made: every figure is per lookup.
 *
 * Filters are built a batch at a time (up to LOOKUP_BATCH_BYTES of built
 * designs, inputs and samples); the batch's warm records are then timed
 * together in interleaved rounds (rounds.h), its cold ones one after the
 * other, and all written in sweep order.
 */
#include <errno.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cold.h"
#include "counters.h"
#include "disturb.h"
#include "lookup-bench.h"
#include "stop.h"
#include "out.h"
#include "progress.h"
#include "rounds.h"
#include "topology.h"
#include "tsc.h"

#define LOOKUP_BUILDS 3
/* A batch's memory (built designs, input streams, samples) before its
 * records are timed: enough for a whole --quick sweep (about 2 MiB) and
 * the default one's Intel filters at once, bounded for AMD's 1 MiB tables
 * and the limit study's large filters. */
#define LOOKUP_BATCH_BYTES ((size_t)64 << 20)

static const char *const shapes[] = { "random", "one-select", "pmu" };
#define NSHAPES 3

void lookup_bench_defaults(struct lookup_bench_opts *o, bool quick)
{
	static const size_t quick_sizes[] = { 1, 16, 64, 300 };
	size_t i;

	memset(o, 0, sizeof(*o));
	o->quick = quick;
	if (quick) {
		memcpy(o->sizes, quick_sizes, sizeof(quick_sizes));
		o->nsizes = 4;
		o->encs[o->nencs++] = lookup_encoding_find("exact");
		o->encs[o->nencs++] = lookup_encoding_find("masked/16");
		o->actions[o->nactions++] = PMUF_ALLOW;
	} else {
		for (size_t s = 1; s <= 256; s *= 2)
			o->sizes[o->nsizes++] = s;
		o->sizes[o->nsizes++] = 300;
		for (const struct lookup_encoding *e = lookup_encodings; e->name; e++)
			o->encs[o->nencs++] = e;
		o->actions[o->nactions++] = PMUF_ALLOW;
		o->actions[o->nactions++] = PMUF_DENY;
	}
	for (i = 0; i < LOOKUP_PAT_PMU; i++)
		o->patterns[o->npatterns++] = (enum lookup_pattern)i;
	o->throughput = o->latency = true;
	o->cache_warm = true;
	for (const struct lookup_design *const *d = lookup_designs; *d; d++)
		if (!((*d)->flags & LOOKUP_F_FLOOR) && o->ndesigns < LOOKUP_MAX_DESIGNS)
			o->designs[o->ndesigns++] = *d;
	o->flavor = PMUF_FLAVOR_INTEL;
	o->flavor_how = "default";
	o->cpu = -1;
	o->samples = quick ? 21 : 101;
	o->sample_ns = 10000;
	o->ninputs = LOOKUP_DEFAULT_INPUTS;
	o->seed = 1;
	snprintf(o->kernel, sizeof(o->kernel), "6.18");
	o->kernel_how = "default";
	o->sort_gen = KLIB_SORT_6_11;
}

struct ffilter;

/* A record waiting in the batch: its fields but its measurement; a warm
 * one's samples come from cells[cell]. */
struct pending {
	json_t *rec;
	bool cold;
	size_t cell;
	const struct lookup_design *d;
	struct built *bt;
	const uint64_t *ev;
};

/* What is built and queued, not yet timed; the filters own the designs'
 * states and input streams the records use. */
struct batch {
	struct pending *pend;
	size_t npend, cappend;
	struct lookup_cell *cells;
	size_t ncells, capcells;
	struct ffilter **fil;
	size_t nfil, capfil;
	size_t bytes;
};

struct bctx {
	const struct lookup_bench_opts *o;
	struct tsc_calib cal;
	struct ctr_set ctrs;
	struct lookup_pmu_table pmu;
	bool have_pmu;
	json_t *set;
	struct progress prog;
	struct evict evict;       /* cold lookups */
	size_t errors;
	json_t *skipped_once; /* what -> true, to report a skip reason once */
	json_t *mismatches;   /* lookup_failures.mismatches */
	const struct lookup_design *all[LOOKUP_MAX_DESIGNS + 1];
	size_t nall;
	const struct user_filter *uf; /* the --filter file being run, or NULL */
	struct batch batch;
};

/* A user's filter as it is: its encoding has no generated umask density. */
static const struct lookup_encoding user_encs[2] = {
	{ "exact", false, 0 },
	{ "masked", true, 0 },
};

/* Does pattern p run on filters of this shape? A user's filter takes the
 * patterns that need no particular shape, and pmu when a table is loaded. */
static bool pattern_fits(const struct bctx *b, enum lookup_pattern p, const char *shape)
{
	if (!strcmp(shape, "user"))
		return p != LOOKUP_PAT_WALK && (p != LOOKUP_PAT_PMU || b->have_pmu);
	return !strcmp(lookup_pattern_shape(p), shape);
}

static void skip_once(struct bctx *b, const char *what, const char *why)
{
	if (json_object_get(b->skipped_once, what))
		return;
	json_object_set_new(b->skipped_once, what, json_true());
	out_set_skip(b->set, what, why);
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* ---- one timed record ---- */

/* A warm record's measurement from its cell (rounds.c's samples). */
static int cell_record(struct bctx *b, const struct lookup_cell *c, json_t *rec)
{
	size_t n = c->win, reps = c->reps;

	json_object_set_new(rec, "inputs", json_integer((json_int_t)c->n));
	json_object_set_new(rec, "repeats", json_integer((json_int_t)reps));
	json_object_set_new(rec, "lookups_per_sample", json_integer((json_int_t)(n * reps)));
	int err = out_record_stats(rec, "", c->ticks, c->taken, &b->cal, b->o->keep_raw);
	disturb_record(rec, &c->dc, c->ticks, c->taken);
	for (int k = 0; k < CTR_MAX; k++) {
		char key[64];

		if (!b->ctrs.avail[k])
			continue;
		snprintf(key, sizeof(key), "%s_per_lookup", ctr_name((enum ctr_id)k));
		out_set_real(rec, key,
			     c->ctr[k] >= 0 && c->taken
				     ? (double)c->ctr[k] / (double)(c->taken * n * reps)
				     : NAN);
	}
	return err;
}

/* ---- one filter ---- */

struct built {
	void *st;
	double build_ns;
	size_t footprint;
	bool verified;
	bool composed;
	long long mismatches; /* LOOKUP_F_KNOWN_BUG designs: decisions unlike the reference */
	struct evict_plan plan; /* cold: every line of its memory */
};

static void rec_filter_fields(json_t *rec, const struct lookup_bench_opts *o,
			      const struct lookup_design *d, const struct pmuf_filter *f,
			      const struct lookup_encoding *enc, const char *shape,
			      const struct lookup_entries *e)
{
	bool over = f->nevents > PMUF_KVM_MAX_EVENTS;

	json_object_set_new(rec, "design", json_string(d->name));
	json_object_set_new(rec, "kernel_replica", json_boolean(d->flags & LOOKUP_F_KERNEL));
	json_object_set_new(rec, "size", json_integer((json_int_t)f->nevents));
	json_object_set_new(rec, "encoding", json_string(enc->masked ? "masked" : "exact"));
	json_object_set_new(rec, "encoding_name", json_string(enc->name));
	json_object_set_new(rec, "umask_density",
			    enc->masked && enc->density ? json_integer(enc->density) : json_null());
	json_object_set_new(rec, "action", json_string(f->action == PMUF_ALLOW ? "allow" : "deny"));
	json_object_set_new(rec, "filter_shape", json_string(shape));
	json_object_set_new(rec, "flavor", json_string(pmuf_flavor_name(o->flavor)));
	json_object_set_new(rec, "nincludes", json_integer((json_int_t)e->ninc));
	json_object_set_new(rec, "nexcludes", json_integer((json_int_t)e->nexc));
	json_object_set_new(rec, "over_kernel_limit", json_boolean(over));
	/* arm64 has no entry cap (its limit is the event space). */
	json_object_set_new(rec, "kernel_cap_ignored",
			    json_boolean(over && (d->flags & LOOKUP_F_KERNEL) &&
					 !(d->flags & LOOKUP_F_ARM64)));
}

static int build_one(struct bctx *b, const struct lookup_design *d, const struct pmuf_filter *f,
		     struct built *out)
{
	unsigned bflags = (b->o->beyond_limit ? LOOKUP_B_NO_LIMIT : 0) | LOOKUP_B_SORT(b->o->sort_gen);
	double t[LOOKUP_BUILDS];
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->mismatches = -1;
	for (int i = 0; i < LOOKUP_BUILDS; i++) {
		void *st = NULL;
		uint64_t t0 = tsc_start();

		err = d->build(f, b->o->flavor, bflags, &st);
		uint64_t t1 = tsc_stop();

		if (err)
			return err;
		t[i] = tsc_to_ns(&b->cal, tsc_elapsed(&b->cal, t0, t1));
		if (out->st)
			d->free(out->st);
		out->st = st;
	}
	qsort(t, LOOKUP_BUILDS, sizeof(t[0]), cmp_double);
	out->build_ns = t[LOOKUP_BUILDS / 2];
	out->footprint = d->footprint_bytes(out->st);
	return 0;
}

static const char *filter_name(char *buf, size_t len, const struct pmuf_filter *f,
			       const struct lookup_encoding *enc, const char *shape)
{
	snprintf(buf, len, "n=%zu %s %s %s", f->nevents, enc->name,
		 f->action == PMUF_ALLOW ? "allow" : "deny", shape);
	return buf;
}

/* One filter on its way through the designs: what they built from it,
 * the reference tables, the input stream. */
struct ffilter {
	const struct pmuf_filter *f;
	const struct lookup_encoding *enc;
	const char *shape;
	char name[128];
	struct lookup_entries ent;
	struct built built[LOOKUP_MAX_DESIGNS + 1];
	uint8_t *ref[3];
	bool composed[3];
	uint8_t *ref_arm64; /* LOOKUP_F_ARM64 designs' reference (arm64 model) */
	uint64_t *ev[LOOKUP_PAT_MAX]; /* each pattern's inputs, NULL when not run */
};

/* Builds design i and checks it against its kernel generation's
 * reference. A design this CPU or encoding cannot run is skipped once; a
 * failed build or check is recorded (set "skipped", mismatches) and gives
 * no number. 0, or -errno with msg for what stops the whole run. */
static int build_and_verify(struct bctx *b, struct ffilter *F, size_t i, char *msg, size_t mlen)
{
	const struct lookup_design *d = b->all[i];
	enum pmuf_flavor fl = b->o->flavor;
	char what[256], why[96];
	bool sampled;
	int err;

	if (d->usable && !d->usable(why, sizeof(why))) {
		skip_once(b, d->name, why);
		return 0;
	}
	const char *no = lookup_unsupported(d, F->f, fl);
	if (no) {
		if (d->flags & LOOKUP_F_ARM64)
			snprintf(what, sizeof(what), "%s with the %s flavor", d->name,
				 pmuf_flavor_name(fl));
		else
			snprintf(what, sizeof(what), "%s on %s encodings", d->name, F->enc->name);
		skip_once(b, what, no);
		return 0;
	}
	snprintf(what, sizeof(what), "%s on %s", d->name, F->name);
	err = build_one(b, d, F->f, &F->built[i]);
	if (err) {
		snprintf(why, sizeof(why), "build failed: %s", strerror(-err));
		out_set_skip(b->set, what, why);
		b->errors++;
		return 0;
	}
	if (d->flags & LOOKUP_F_FLOOR)
		return 0;
	/* The arm64 check answers to the arm64 model of the filter's arm64
	 * form (design-arm64.c): a whole table, cheap at any size, so never
	 * sampled. */
	bool arm = d->flags & LOOKUP_F_ARM64;
	uint8_t *ref = NULL;
	bool composed = false;
	sampled = !arm && b->o->verify_points && F->f->nevents > PMUF_KVM_MAX_EVENTS &&
		  !(d->flags & LOOKUP_F_KNOWN_BUG);
	if (arm) {
		if (!F->ref_arm64 && (err = lookup_arm64_reference_table(F->f, fl, &F->ref_arm64))) {
			snprintf(msg, mlen, "arm64 reference for %s: %s", F->name, strerror(-err));
			return err;
		}
		ref = F->ref_arm64;
	} else if (!sampled && !F->ref[d->ref]) {
		err = lookup_reference_table(F->f, fl, d->ref, &F->ref[d->ref], &F->composed[d->ref]);
		if (err) {
			snprintf(msg, mlen, "reference %s for %s: %s", pmuf_kernel_name(d->ref),
				 F->name, strerror(-err));
			return err;
		}
	}
	if (!arm && !sampled) {
		ref = F->ref[d->ref];
		composed = F->composed[d->ref];
	}
	if (d->flags & LOOKUP_F_KNOWN_BUG) {
		/* Timed all the same; how often it is wrong is the point. */
		F->built[i].mismatches =
			(long long)lookup_count_mismatches(d, F->built[i].st, fl, ref);
		F->built[i].composed = composed;
		return 0;
	}
	err = sampled ? lookup_verify_sampled(d, F->built[i].st, F->f, fl, d->ref,
					      b->o->verify_points, msg, mlen)
		      : lookup_verify(d, F->built[i].st, fl, ref, msg, mlen);
	if (err && err != -EPROTO)
		return err;
	if (err) {
		out_set_skip(b->set, what, msg);
		json_array_append_new(b->mismatches, json_pack("{s:s, s:s}", "what", what, "why", msg));
		b->errors++;
		d->free(F->built[i].st);
		F->built[i].st = NULL;
		return 0;
	}
	F->built[i].verified = true;
	/* Sampled checks ask the composed reference at points only. */
	F->built[i].composed = sampled || composed;
	return 0;
}

/* One cold record (cold.h): the plan made on first use. */
static int measure_cold(struct bctx *b, const struct lookup_design *d, struct built *bt,
			const uint64_t *ev, json_t *rec)
{
	int err = bt->plan.lines ? 0 : cold_plan(d, bt->st, &b->evict, &bt->plan);

	return err ? err
		   : cold_record(d, bt->st, &bt->plan, ev, b->o->ninputs, b->o->samples,
				 b->o->keep_raw, &b->evict, &b->cal, rec);
}

/* Grows *v (of *cap elements of size sz) to hold n + 1. */
static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? 2 * *cap : 64;
	void *p = realloc(*v, c * sz);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

/* Queues design i on the inputs of pattern p in one mode: one record,
 * its fields now, its measurement when the batch is timed. */
static int queue_one(struct bctx *b, struct ffilter *F, size_t i, size_t p, bool latency,
		     bool cold, double hit)
{
	const struct lookup_design *d = b->all[i];
	struct built *bt = &F->built[i];
	struct batch *B = &b->batch;
	enum lookup_pattern pat = b->o->patterns[p];
	json_t *rec;

	if (grow((void **)&B->pend, &B->cappend, B->npend, sizeof(*B->pend)) ||
	    grow((void **)&B->cells, &B->capcells, B->ncells, sizeof(*B->cells)))
		return -ENOMEM;
	rec = json_object();
	rec_filter_fields(rec, b->o, d, F->f, F->enc, F->shape, &F->ent);
	if (b->uf) {
		user_filter_put(rec, b->uf);
	} else {
		json_object_set_new(rec, "filter", json_null());
		json_object_set_new(rec, "filter_hash", json_null());
	}
	json_object_set_new(rec, "pattern", json_string(lookup_pattern_name(pat)));
	json_object_set_new(rec, "mode", json_string(latency ? "latency" : "throughput"));
	out_set_real(rec, "hit_fraction", hit);
	json_object_set_new(rec, "cache", json_string(cold ? "cold" : "warm"));
	out_set_real(rec, "build_ns", bt->build_ns);
	json_object_set_new(rec, "footprint_bytes", json_integer((json_int_t)bt->footprint));
	json_object_set_new(rec, "verified", json_boolean(bt->verified));
	json_object_set_new(rec, "reference", lookup_reference_name(d)
						      ? json_string(lookup_reference_name(d))
						      : json_null());
	json_object_set_new(rec, "reference_composed", json_boolean(bt->composed));
	json_object_set_new(rec, "reference_mismatches",
			    bt->mismatches >= 0 ? json_integer(bt->mismatches) : json_null());
	json_object_set_new(rec, "verified_points",
			    json_integer((json_int_t)(b->o->verify_points &&
							      F->f->nevents > PMUF_KVM_MAX_EVENTS &&
							      !(d->flags & LOOKUP_F_ARM64)
						      ? F->f->nevents + b->o->verify_points
						      : lookup_space_size(b->o->flavor))));
	B->pend[B->npend++] = (struct pending){
		.rec = rec, .cold = cold, .cell = B->ncells, .d = d, .bt = bt, .ev = F->ev[p],
	};
	if (cold)
		return 0;
	struct lookup_cell *c = &B->cells[B->ncells++];
	memset(c, 0, sizeof(*c));
	c->fn = latency ? d->run_latency : d->run_throughput;
	c->st = bt->st;
	c->ev = F->ev[p];
	c->n = b->o->ninputs;
	if (b->o->repeats) { /* --repeats: whole passes, as many as asked */
		c->win = c->n;
		c->reps = b->o->repeats;
	} else {
		lookup_size_cell(c, b->o->sample_ns, &b->cal);
	}
	B->bytes += b->o->samples * sizeof(double);
	return 0;
}

/* The inputs of pattern number p (a pattern this filter shape has no
 * inputs for is recorded as skipped), then every built design in each
 * mode. */
/* Records per design and input pattern: the modes, warm and/or cold
 * (cold in latency mode only). */
static size_t modes_of(const struct lookup_bench_opts *o)
{
	return (o->cache_warm ? (size_t)o->throughput + (size_t)o->latency : 0) +
	       (o->cache_cold ? (size_t)o->latency : 0);
}

/* An input stream, page-aligned. The 4096-event stream is 32 KiB, the
 * size of a Zen L1D, so where it starts within a page decides which L1
 * sets it shares with the design's tables; page-aligned, that no longer
 * depends on the heap's history (what ran before, another build's
 * allocations). On this VM the effect was below the run-to-run noise
 * (docs/lookup.md, "Repeatability of quick runs"); it is a condition
 * fixed, not a figure improved. */
#define LOOKUP_STREAM_ALIGN 4096

static uint64_t *stream_alloc(size_t n)
{
	size_t bytes = (n ? n : 1) * sizeof(uint64_t);
	return aligned_alloc(LOOKUP_STREAM_ALIGN, (bytes + LOOKUP_STREAM_ALIGN - 1) /
							  LOOKUP_STREAM_ALIGN * LOOKUP_STREAM_ALIGN);
}

static int time_pattern(struct bctx *b, struct ffilter *F, size_t p, uint64_t seed, char *msg,
			size_t mlen)
{
	const struct lookup_bench_opts *o = b->o;
	enum lookup_pattern pat = o->patterns[p];
	size_t nmodes = modes_of(o);
	double hit = 0;
	char why[160], what[256];

	F->ev[p] = stream_alloc(o->ninputs);
	if (!F->ev[p]) {
		snprintf(msg, mlen, "out of memory");
		return -ENOMEM;
	}
	b->batch.bytes += o->ninputs * sizeof(*F->ev[p]);
	int err = lookup_gen_inputs(pat, F->f, o->flavor, F->ref[PMUF_KERNEL_6_3],
				    b->have_pmu ? &b->pmu : NULL, seed ^ (0x100 + p), F->ev[p],
				    o->ninputs, &hit, why, sizeof(why));
	if (err == -ENOENT) {
		snprintf(what, sizeof(what), "pattern %s on %s", lookup_pattern_name(pat), F->name);
		out_set_skip(b->set, what, why);
		progress_step(&b->prog, b->nall * nmodes);
		return 0;
	}
	if (err) {
		snprintf(msg, mlen, "inputs for %s: %s", F->name, strerror(-err));
		return err;
	}
	for (int m = 0; m < 4; m++) {
		bool latency = m & 1, cold = m & 2;
		if ((latency && !o->latency) || (!latency && !o->throughput) ||
		    (cold && !o->cache_cold) || (!cold && !o->cache_warm))
			continue;
		if (cold && !latency) {
			skip_once(b, "cold throughput",
				  "cold lookups are timed one at a time (latency mode only)");
			continue;
		}
		for (size_t i = 0; i < b->nall; i++) {
			if (!F->built[i].st) {
				progress_step(&b->prog, 1);
			} else if ((err = queue_one(b, F, i, p, latency, cold, hit))) {
				snprintf(msg, mlen, "queueing %s on %s: %s", b->all[i]->name,
					 F->name, strerror(-err));
				return err;
			}
		}
	}
	return 0;
}

/* One filter: every design built from it and checked, the 6.3 reference
 * classifying the inputs, then each pattern of its shape timed. */
static void ffilter_free(struct bctx *b, struct ffilter *F)
{
	for (size_t i = 0; i < b->nall; i++) {
		if (F->built[i].st)
			b->all[i]->free(F->built[i].st);
		evict_plan_free(&F->built[i].plan);
	}
	for (int k = 0; k < 3; k++)
		free(F->ref[k]);
	for (size_t p = 0; p < LOOKUP_PAT_MAX; p++)
		free(F->ev[p]);
	lookup_entries_free(&F->ent);
	free(F);
}

static int run_filter(struct bctx *b, const struct pmuf_filter *f,
		      const struct lookup_encoding *enc, const char *shape, uint64_t seed,
		      char *emsg, size_t emlen)
{
	const struct lookup_bench_opts *o = b->o;
	struct batch *B = &b->batch;
	struct ffilter *F = calloc(1, sizeof(*F));
	char msg[320] = "";
	size_t i, p;
	int err;

	if (!F || grow((void **)&B->fil, &B->capfil, B->nfil, sizeof(*B->fil))) {
		free(F);
		snprintf(emsg, emlen, "out of memory");
		return -ENOMEM;
	}
	F->f = f;
	F->enc = enc;
	F->shape = shape;
	filter_name(F->name, sizeof(F->name), f, enc, shape);
	if (b->uf)
		snprintf(F->name, sizeof(F->name), "%s", b->uf->name);
	err = lookup_entries_get(f, o->flavor, &F->ent);
	if (err) {
		free(F);
		return err;
	}
	/* The 6.3 table classifies the inputs of every pattern. */
	err = lookup_reference_table(f, o->flavor, PMUF_KERNEL_6_3, &F->ref[PMUF_KERNEL_6_3],
				     &F->composed[PMUF_KERNEL_6_3]);
	if (err)
		snprintf(msg, sizeof(msg), "reference for %s: %s", F->name, strerror(-err));
	for (i = 0; !err && i < b->nall; i++) {
		err = build_and_verify(b, F, i, msg, sizeof(msg));
		B->bytes += F->built[i].st ? F->built[i].footprint : 0;
	}
	for (p = 0; !err && p < o->npatterns; p++)
		if (pattern_fits(b, o->patterns[p], shape))
			err = time_pattern(b, F, p, seed, msg, sizeof(msg));
	if (err)
		snprintf(emsg, emlen, "%s", msg);
	/* The batch keeps the built designs and inputs until it is timed;
	 * what only building needed goes now (f is the caller's). */
	for (int k = 0; k < 3; k++) {
		free(F->ref[k]);
		F->ref[k] = NULL;
	}
	free(F->ref_arm64);
	F->ref_arm64 = NULL;
	lookup_entries_free(&F->ent);
	memset(&F->ent, 0, sizeof(F->ent));
	F->f = NULL;
	B->fil[B->nfil++] = F;
	return err;
}

/* ---- the batch ---- */

static void batch_clear(struct bctx *b)
{
	struct batch *B = &b->batch;

	for (size_t i = 0; i < B->npend; i++)
		json_decref(B->pend[i].rec);
	lookup_cells_free(B->cells, B->ncells);
	for (size_t i = 0; i < B->nfil; i++)
		ffilter_free(b, B->fil[i]);
	B->npend = B->ncells = B->nfil = 0;
	B->bytes = 0;
}

static void batch_free(struct bctx *b)
{
	batch_clear(b);
	free(b->batch.pend);
	free(b->batch.cells);
	free(b->batch.fil);
}

/* Times the batch (warm records in rounds, then the cold ones) and adds
 * its records to the set in sweep order. A stop signal keeps nothing of
 * the batch (0: the records before it stand). */
static int batch_flush(struct bctx *b, char *msg, size_t mlen)
{
	struct batch *B = &b->batch;
	struct lookup_rounds r = {
		.samples = b->o->samples, .seed = b->o->seed, .cal = &b->cal,
		.ctrs = &b->ctrs, .prog = &b->prog,
	};
	int err = lookup_rounds_run(&r, B->cells, B->ncells);

	for (size_t i = 0; !err && i < B->npend; i++) {
		struct pending *pd = &B->pend[i];

		if (pd->cold) {
			if (stop_signal()) {
				err = -EINTR;
				break;
			}
			err = measure_cold(b, pd->d, pd->bt, pd->ev, pd->rec);
			progress_step(&b->prog, 1);
		} else {
			err = cell_record(b, &B->cells[pd->cell], pd->rec);
		}
		if (err)
			snprintf(msg, mlen, "timing %s: %s", pd->d->name, strerror(-err));
	}
	for (size_t i = 0; !err && i < B->npend; i++) {
		out_set_add(b->set, B->pend[i].rec);
		B->pend[i].rec = NULL;
	}
	batch_clear(b);
	return err == -EINTR ? 0 : err;
}

/* ---- the context ---- */

static json_t *design_json(const struct lookup_design *d)
{
	char why[96] = "";
	bool ok = !d->usable || d->usable(why, sizeof(why));
	json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:s}", "name", d->name, "desc",
			      d->desc, "cost", d->cost, "kernel_replica",
			      !!(d->flags & LOOKUP_F_KERNEL), "exact_only",
			      !!(d->flags & LOOKUP_F_EXACT_ONLY), "usable", ok, "reference",
			      lookup_reference_name(d) ? lookup_reference_name(d) : "none");

	if (!ok)
		json_object_set_new(j, "why", json_string(why));
	return j;
}

static json_t *lookup_context(struct bctx *b)
{
	const struct lookup_bench_opts *o = b->o;
	json_t *l = json_object(), *a;
	size_t i;

	json_object_set_new(l, "flavor", json_string(pmuf_flavor_name(o->flavor)));
	json_object_set_new(l, "flavor_source", json_string(o->flavor_how));
	json_object_set_new(l, "quick", json_boolean(o->quick));
	json_object_set_new(l, "seed", json_integer((json_int_t)o->seed));
	json_object_set_new(l, "samples", json_integer((json_int_t)o->samples));
	json_object_set_new(l, "repeats", o->repeats ? json_integer((json_int_t)o->repeats)
						     : json_string("auto"));
	out_set_real(l, "target_sample_ns", o->sample_ns);
	json_object_set_new(l, "inputs_per_stream", json_integer((json_int_t)o->ninputs));
	json_object_set_new(l, "input_stream_align", json_integer(LOOKUP_STREAM_ALIGN));
	json_object_set_new(l, "kernel_limit", json_integer(PMUF_KVM_MAX_EVENTS));
	json_object_set_new(l, "kernel", json_string(o->kernel));
	json_object_set_new(l, "kernel_source", json_string(o->kernel_how));
	json_object_set_new(l, "sort_generation", json_string(klib_sort_gen_name(o->sort_gen)));
	json_object_set_new(
		l, "sort_note",
		json_string("the 6.3+ replicas' install sorts with the lib/sort.c of `kernel` "
			    "(5.x-6.8, 6.9-6.10 or 6.11+); the 5.17 replicas with the 5.x sort "
			    "their kernels had"));
	json_object_set_new(l, "beyond_limit", json_boolean(o->beyond_limit));
	if (o->beyond_limit)
		json_object_set_new(
			l, "beyond_limit_note",
			json_string("sizes above 300 run every design, the kernel replicas "
				    "included, without the kernel's 300-entry cap "
				    "(kernel_cap_ignored in records); their reference is composed "
				    "from pmuf_decide_gp on <= 300-entry chunks"));
	json_object_set_new(
		l, "timing",
		json_string("per lookup: each sample times `repeats` passes over `inputs` events "
			    "between tsc_start and tsc_stop, minus the timer overhead, divided by "
			    "the lookups made; throughput = independent lookups, latency = each "
			    "lookup's input XORed with (previous answer AND a run-time zero)"));
	json_object_set_new(
		l, "floor",
		json_string("floor-l1: the same loops with the decision replaced by one load "
			    "from a 64-byte L1-resident table indexed by eventsel & 63"));
	a = json_array();
	for (i = 0; i < o->nsizes; i++)
		json_array_append_new(a, json_integer((json_int_t)o->sizes[i]));
	json_object_set_new(l, "sizes", a);
	a = json_array();
	for (i = 0; i < o->nencs; i++)
		json_array_append_new(a, json_string(o->encs[i]->name));
	json_object_set_new(l, "encodings", a);
	a = json_array();
	for (i = 0; i < o->nactions; i++)
		json_array_append_new(a, json_string(o->actions[i] == PMUF_ALLOW ? "allow" : "deny"));
	json_object_set_new(l, "actions", a);
	a = json_array();
	for (i = 0; i < o->npatterns; i++)
		json_array_append_new(a, json_string(lookup_pattern_name(o->patterns[i])));
	json_object_set_new(l, "patterns", a);
	a = json_array();
	if (o->throughput)
		json_array_append_new(a, json_string("throughput"));
	if (o->latency)
		json_array_append_new(a, json_string("latency"));
	json_object_set_new(l, "modes", a);
	a = json_array();
	if (o->cache_warm)
		json_array_append_new(a, json_string("warm"));
	if (o->cache_cold)
		json_array_append_new(a, json_string("cold"));
	json_object_set_new(l, "caches", a);
	if (o->cache_cold)
		json_object_set_new(l, "cold", cold_context(&b->evict, &b->cal));
	a = json_array();
	for (i = 0; i < b->nall; i++)
		json_array_append_new(a, design_json(b->all[i]));
	json_object_set_new(l, "designs", a);
	if (b->have_pmu)
		json_object_set_new(l, "pmu", json_pack("{s:s, s:I}", "name", b->pmu.pmu, "events",
							(json_int_t)b->pmu.n));
	json_object_set_new(l, "filters", user_filters_json(o->filters, o->nfilters));
	return l;
}

/* ---- the sweep ---- */

static bool shape_used(const struct lookup_bench_opts *o, const char *shape)
{
	for (size_t p = 0; p < o->npatterns; p++)
		if (!strcmp(lookup_pattern_shape(o->patterns[p]), shape))
			return true;
	return false;
}

static size_t patterns_of(const struct lookup_bench_opts *o, const char *shape)
{
	size_t n = 0;

	for (size_t p = 0; p < o->npatterns; p++)
		n += !strcmp(lookup_pattern_shape(o->patterns[p]), shape);
	return n;
}

/* Records per generated filter: patterns of its shape x modes x designs. */
static size_t per_filter(const struct bctx *b, const char *shape)
{
	const struct lookup_bench_opts *o = b->o;
	return patterns_of(o, shape) * modes_of(o) * b->nall;
}

/* Generates the filter of one sweep point and runs it; a shape whose
 * event space is too small for the size is skipped once. */
static int sweep_point(struct bctx *b, size_t s, size_t e, int sh, size_t a, char *msg,
		       size_t msglen)
{
	const struct lookup_bench_opts *o = b->o;
	struct lookup_gen g = {
		.flavor = o->flavor, .n = o->sizes[s], .enc = o->encs[e], .action = o->actions[a],
		.shape = shapes[sh], .pmu = b->have_pmu ? &b->pmu : NULL,
	};
	/* The same entries for both actions. */
	uint64_t seed = o->seed * 0x9E3779B97F4A7C15ull + o->sizes[s] * 1000003u + e * 131u +
			(unsigned)sh;
	struct pmuf_filter f;
	char what[160];

	int err = lookup_gen_filter(&g, seed, &f);
	if (err == -ENOSPC) {
		snprintf(what, sizeof(what), "n=%zu %s %s filters", o->sizes[s], o->encs[e]->name,
			 shapes[sh]);
		skip_once(b, what, !strcmp(shapes[sh], "pmu")
					   ? "the PMU table has fewer events the flavor can express"
					   : "the flavor's event space is too small");
		progress_step(&b->prog, per_filter(b, shapes[sh]));
		return 0;
	}
	if (err) {
		snprintf(msg, msglen, "generating a filter: %s", strerror(-err));
		return err;
	}
	err = run_filter(b, &f, o->encs[e], shapes[sh], seed, msg, msglen);
	pmuf_free(&f);
	return err;
}

/* Size x encoding x shape x action, with a progress bar. */
static int sweep(struct bctx *b, char *msg, size_t msglen)
{
	const struct lookup_bench_opts *o = b->o;
	size_t total = 0, s, e, a;
	int err = 0;

	for (s = 0; s < o->nsizes; s++)
		for (int sh = 0; sh < NSHAPES; sh++)
			total += o->nencs * o->nactions * per_filter(b, shapes[sh]);
	for (size_t i = 0; i < o->nfilters; i++)
		for (size_t p = 0; p < o->npatterns; p++)
			total += pattern_fits(b, o->patterns[p], "user") * modes_of(o) * b->nall;
	progress_begin(&b->prog, "lookup", total);
	for (s = 0; s < o->nsizes; s++)
		for (e = 0; e < o->nencs; e++)
			for (int sh = 0; sh < NSHAPES; sh++)
				for (a = 0; !err && shape_used(o, shapes[sh]) && a < o->nactions; a++) {
					if (stop_signal()) /* keep what is measured (stop.h) */
						return 0;
					if ((err = sweep_point(b, s, e, sh, a, msg, msglen)))
						return err;
					if (b->batch.bytes >= LOOKUP_BATCH_BYTES &&
					    (err = batch_flush(b, msg, msglen)))
						return err;
				}
	/* The user's filters (--filter), each as it is. */
	for (size_t i = 0; !err && i < o->nfilters && !stop_signal(); i++) {
		b->uf = &o->filters[i];
		err = run_filter(b, &b->uf->f, &user_encs[pmuf_is_masked(&b->uf->f)], "user",
				 o->seed * 0x9E3779B97F4A7C15ull + 0x5553 + i, msg, msglen);
		b->uf = NULL;
	}
	if (!err && !stop_signal())
		err = batch_flush(b, msg, msglen);
	return err;
}

/* The PMU table, the pinning, the timer, the counters and the set with
 * its context: everything before the sweep. */
static int prepare(struct bctx *b, int argc, char **argv, char *msg, size_t msglen)
{
	const struct lookup_bench_opts *o = b->o;
	json_t *binding = NULL;
	int err;

	/* libpfm4 first: PAPI initializes it too, without inactive PMUs. */
	if (o->pmu) {
		err = lookup_pmu_table_load(o->pmu, &b->pmu, msg, msglen);
		if (err)
			return err;
		b->have_pmu = true;
	}
	err = pin_thread(o->cpu, &binding);
	if (err) {
		snprintf(msg, msglen, "pinning to core %d (hwloc): %s", o->cpu, strerror(-err));
		return err;
	}
	err = tsc_calibrate(&b->cal);
	if (err) {
		json_decref(binding);
		snprintf(msg, msglen, "TSC calibration: %s", strerror(-err));
		return err;
	}
	ctr_open(&b->ctrs);
	if (b->o->cache_cold) {
		err = evict_init(&b->evict, b->o->evict_buffer);
		if (err) {
			snprintf(msg, msglen, "eviction buffer: %s", strerror(-err));
			json_decref(binding);
			return err;
		}
	}
	json_t *ctx = out_context(argc, argv, &b->cal);
	json_object_set_new(ctx, "binding", binding);
	json_object_set_new(ctx, "counters", ctr_describe(&b->ctrs));
	json_object_set_new(ctx, "lookup", lookup_context(b));
	json_object_set_new(ctx, "load_before", disturb_load_json());
	b->set = out_set_new(&lookup_schema, ctx);
	b->skipped_once = json_object();
	return 0;
}

int lookup_bench_run(const struct lookup_bench_opts *o, int argc, char **argv, json_t **setp,
		     struct lookup_failures *fails, char *msg, size_t msglen)
{
	struct bctx b;
	int err;

	memset(&b, 0, sizeof(b));
	b.o = o;
	*setp = NULL;
	fails->errors = 0;
	fails->mismatches = NULL;
	b.mismatches = json_array();
	for (size_t i = 0; i < o->ndesigns; i++)
		b.all[b.nall++] = o->designs[i];
	b.all[b.nall++] = lookup_find("floor-l1");

	err = prepare(&b, argc, argv, msg, msglen);
	if (!err)
		err = sweep(&b, msg, msglen);
	if (!err) {
		json_object_set_new(json_object_get(b.set, "context"), "load_after",
				    disturb_load_json());
		out_set_complete(b.set, b.errors == 0);
		if (stop_signal())
			stop_mark_set(b.set);
		fails->errors = b.errors;
		fails->mismatches = b.mismatches;
		b.mismatches = NULL;
		*setp = b.set;
		b.set = NULL;
	}
	if (b.prog.label)
		progress_end(&b.prog);
	json_decref(b.set);
	json_decref(b.skipped_once);
	json_decref(b.mismatches);
	batch_free(&b);
	ctr_close(&b.ctrs);
	evict_free(&b.evict);
	if (b.have_pmu)
		lookup_pmu_table_free(&b.pmu);
	return err;
}
