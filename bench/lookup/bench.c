/* bench.c — the lookup benchmark's sweep; see lookup-bench.h.
 *
 * For every filter (size x encoding x action x shape) each design is built
 * (build time: median of LOOKUP_BUILDS builds), checked against the
 * reference over the whole (select, umask) space, then timed on every hit
 * pattern of that shape, in throughput and latency mode, beside the floor
 * row. A sample times `repeats` passes over `ninputs` events with
 * tsc_start/tsc_stop, subtracts the timer overhead and divides by the
 * lookups it made: every figure is per lookup.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "disturb.h"
#include "lookup-bench.h"
#include "out.h"
#include "progress.h"
#include "topology.h"
#include "tsc.h"

#define LOOKUP_BUILDS 3
#define LOOKUP_WARMUP_NS 50000.0

/* Zero at run time, unknown to the compiler: the latency chain's link. */
static volatile uint64_t lookup_zero;
static volatile uint64_t lookup_sink;

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
	for (const struct lookup_design *const *d = lookup_designs; *d; d++)
		if (!((*d)->flags & LOOKUP_F_FLOOR) && o->ndesigns < LOOKUP_MAX_DESIGNS)
			o->designs[o->ndesigns++] = *d;
	o->flavor = PMUF_FLAVOR_INTEL;
	o->flavor_how = "default";
	o->cpu = -1;
	o->samples = quick ? 21 : 101;
	o->sample_ns = quick ? 4000 : 10000;
	o->ninputs = 512;
	o->seed = 1;
}

struct bctx {
	const struct lookup_bench_opts *o;
	struct tsc_calib cal;
	struct ctr_set ctrs;
	struct lookup_pmu_table pmu;
	bool have_pmu;
	json_t *set;
	struct progress prog;
	size_t errors;
	json_t *skipped_once; /* what -> true, to report a skip reason once */
	const struct lookup_design *all[LOOKUP_MAX_DESIGNS + 1];
	size_t nall;
	const struct user_filter *uf; /* the --filter file being run, or NULL */
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

static int measure(struct bctx *b, const struct lookup_design *d, void *st, const uint64_t *ev,
		   bool latency, json_t *rec)
{
	const struct lookup_bench_opts *o = b->o;
	lookup_run_fn fn = latency ? d->run_latency : d->run_throughput;
	size_t n = o->ninputs, reps = o->repeats, s;
	long long cv[CTR_MAX];
	uint64_t t0, t1, acc = 0;
	double *ticks, one = 0, warm = 0;
	int err;

	/* Two single passes (the first is cold); the second sizes the batch. */
	for (int i = 0; i < 2; i++) {
		t0 = tsc_start();
		acc += fn(st, ev, n, 1, lookup_zero);
		t1 = tsc_stop();
		one = tsc_elapsed(&b->cal, t0, t1);
	}
	if (!reps) {
		double want = o->sample_ns * b->cal.ticks_per_ns;

		reps = one > 0 ? (size_t)ceil(want / one) : 1;
		if (reps < 1)
			reps = 1;
		if (reps > (1u << 20))
			reps = 1u << 20;
	}
	/* Warm-up: at least 3 samples' worth and LOOKUP_WARMUP_NS. */
	for (int i = 0; i < 3 || warm < LOOKUP_WARMUP_NS * b->cal.ticks_per_ns; i++) {
		t0 = tsc_start();
		acc += fn(st, ev, n, reps, lookup_zero);
		t1 = tsc_stop();
		warm += (double)(t1 - t0);
	}
	ticks = malloc(o->samples * sizeof(*ticks));
	if (!ticks)
		return -ENOMEM;
	err = ctr_start(&b->ctrs);
	if (err) {
		free(ticks);
		return err;
	}
	/* A sample preempted or migrated (checked between samples, outside
	 * the timed region) is taken again, within the cell's budget. */
	/* A bimodal cell is measured again, up to DISTURB_REMEASURE times. */
	struct disturb_cell dc;
	struct disturb_mark dm;
	disturb_cell_begin(&dc);
	for (unsigned again = 0;; again++) {
		disturb_mark(&dm);
		for (s = 0; s < o->samples; s++) {
			t0 = tsc_start();
			acc += fn(st, ev, n, reps, lookup_zero);
			t1 = tsc_stop();
			ticks[s] = tsc_elapsed(&b->cal, t0, t1) / (double)(n * reps);
			if (disturb_retake(&dc, disturb_since(&dm), o->samples))
				s--; /* unsigned wrap at 0 is undone by the s++ */
		}
		if (again == DISTURB_REMEASURE || !disturb_bimodal(ticks, o->samples))
			break;
		dc.remeasured++;
	}
	disturb_cell_end(&dc);
	err = ctr_stop(&b->ctrs, cv);
	lookup_sink += acc;

	json_object_set_new(rec, "inputs", json_integer((json_int_t)n));
	json_object_set_new(rec, "repeats", json_integer((json_int_t)reps));
	json_object_set_new(rec, "lookups_per_sample", json_integer((json_int_t)(n * reps)));
	err = err ? err : out_record_stats(rec, "", ticks, o->samples, &b->cal, o->keep_raw);
	disturb_record(rec, &dc, ticks, o->samples);
	for (int c = 0; c < CTR_MAX; c++) {
		char key[64];

		if (!b->ctrs.avail[c])
			continue;
		snprintf(key, sizeof(key), "%s_per_lookup", ctr_name((enum ctr_id)c));
		out_set_real(rec, key,
			     cv[c] >= 0 ? (double)cv[c] / (double)(((dc.remeasured + 1) * o->samples + dc.retaken) * n * reps)
					: NAN);
	}
	free(ticks);
	return err;
}

/* ---- one filter ---- */

struct built {
	void *st;
	double build_ns;
	size_t footprint;
	bool verified;
	bool composed;
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
	json_object_set_new(rec, "kernel_cap_ignored",
			    json_boolean(over && (d->flags & LOOKUP_F_KERNEL)));
}

static int build_one(struct bctx *b, const struct lookup_design *d, const struct pmuf_filter *f,
		     struct built *out)
{
	unsigned bflags = b->o->beyond_limit ? LOOKUP_B_NO_LIMIT : 0;
	double t[LOOKUP_BUILDS];
	int err = 0;

	memset(out, 0, sizeof(*out));
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

static int run_filter(struct bctx *b, const struct pmuf_filter *f,
		      const struct lookup_encoding *enc, const char *shape, uint64_t seed,
		      char *emsg, size_t emlen)
{
	const struct lookup_bench_opts *o = b->o;
	struct built built[LOOKUP_MAX_DESIGNS + 1];
	uint8_t *ref[3] = { NULL, NULL, NULL };
	bool composed[3] = { false, false, false };
	size_t nmodes = (size_t)o->throughput + (size_t)o->latency, i, p;
	struct lookup_entries ent;
	uint64_t *ev = NULL;
	char fname[128], what[256], msg[320];
	int err;

	filter_name(fname, sizeof(fname), f, enc, shape);
	if (b->uf)
		snprintf(fname, sizeof(fname), "%s", b->uf->name);
	err = lookup_entries_get(f, o->flavor, &ent);
	if (err)
		return err;
	memset(built, 0, sizeof(built));

	/* The 6.3 table classifies the inputs of every pattern. */
	err = lookup_reference_table(f, o->flavor, PMUF_KERNEL_6_3, &ref[PMUF_KERNEL_6_3],
				     &composed[PMUF_KERNEL_6_3]);
	if (err) {
		snprintf(msg, sizeof(msg), "reference for %s: %s", fname, strerror(-err));
		goto out;
	}

	for (i = 0; i < b->nall; i++) {
		const struct lookup_design *d = b->all[i];
		char why[96];

		if (d->usable && !d->usable(why, sizeof(why))) {
			skip_once(b, d->name, why);
			continue;
		}
		if (!lookup_supports(d, f)) {
			snprintf(what, sizeof(what), "%s on %s encodings", d->name, enc->name);
			skip_once(b, what, "the kernel generation it replicates has no masked events");
			continue;
		}
		err = build_one(b, d, f, &built[i]);
		if (err) {
			snprintf(what, sizeof(what), "%s on %s", d->name, fname);
			snprintf(why, sizeof(why), "build failed: %s", strerror(-err));
			out_set_skip(b->set, what, why);
			b->errors++;
			err = 0;
			continue;
		}
		if (d->flags & LOOKUP_F_FLOOR)
			continue;
		if (!ref[d->ref]) {
			err = lookup_reference_table(f, o->flavor, d->ref, &ref[d->ref],
						     &composed[d->ref]);
			if (err) {
				snprintf(msg, sizeof(msg), "reference %s for %s: %s",
					 pmuf_kernel_name(d->ref), fname, strerror(-err));
				goto out;
			}
		}
		if (lookup_verify(d, built[i].st, o->flavor, ref[d->ref], msg, sizeof(msg))) {
			snprintf(what, sizeof(what), "%s on %s", d->name, fname);
			out_set_skip(b->set, what, msg);
			b->errors++;
			d->free(built[i].st);
			built[i].st = NULL;
			continue;
		}
		built[i].verified = true;
		built[i].composed = composed[d->ref];
	}

	ev = malloc(o->ninputs * sizeof(*ev));
	if (!ev) {
		err = -ENOMEM;
		snprintf(msg, sizeof(msg), "out of memory");
		goto out;
	}
	for (p = 0; p < o->npatterns; p++) {
		enum lookup_pattern pat = o->patterns[p];
		double hit = 0;
		char why[160];

		if (!pattern_fits(b, pat, shape))
			continue;
		err = lookup_gen_inputs(pat, f, o->flavor, ref[PMUF_KERNEL_6_3],
					b->have_pmu ? &b->pmu : NULL, seed ^ (0x100 + p), ev,
					o->ninputs, &hit, why, sizeof(why));
		if (err == -ENOENT) {
			snprintf(what, sizeof(what), "pattern %s on %s", lookup_pattern_name(pat),
				 fname);
			out_set_skip(b->set, what, why);
			progress_step(&b->prog, b->nall * nmodes);
			err = 0;
			continue;
		}
		if (err) {
			snprintf(msg, sizeof(msg), "inputs for %s: %s", fname, strerror(-err));
			goto out;
		}
		for (int m = 0; m < 2; m++) {
			bool latency = m == 1;

			if ((latency && !o->latency) || (!latency && !o->throughput))
				continue;
			for (i = 0; i < b->nall; i++) {
				const struct lookup_design *d = b->all[i];
				json_t *rec;

				if (!built[i].st) {
					progress_step(&b->prog, 1);
					continue;
				}
				rec = json_object();
				rec_filter_fields(rec, o, d, f, enc, shape, &ent);
				if (b->uf) {
					user_filter_put(rec, b->uf);
				} else {
					json_object_set_new(rec, "filter", json_null());
					json_object_set_new(rec, "filter_hash", json_null());
				}
				json_object_set_new(rec, "pattern",
						    json_string(lookup_pattern_name(pat)));
				json_object_set_new(rec, "mode",
						    json_string(latency ? "latency" : "throughput"));
				out_set_real(rec, "hit_fraction", hit);
				err = measure(b, d, built[i].st, ev, latency, rec);
				if (err) {
					json_decref(rec);
					snprintf(msg, sizeof(msg), "timing %s on %s: %s", d->name,
						 fname, strerror(-err));
					goto out;
				}
				out_set_real(rec, "build_ns", built[i].build_ns);
				json_object_set_new(rec, "footprint_bytes",
						    json_integer((json_int_t)built[i].footprint));
				json_object_set_new(rec, "verified", json_boolean(built[i].verified));
				json_object_set_new(rec, "reference",
						    d->flags & LOOKUP_F_FLOOR
							    ? json_null()
							    : json_string(pmuf_kernel_name(d->ref)));
				json_object_set_new(rec, "reference_composed",
						    json_boolean(built[i].composed));
				out_set_add(b->set, rec);
				progress_step(&b->prog, 1);
			}
		}
	}
	err = 0;
out:
	if (err)
		snprintf(emsg, emlen, "%s", msg);
	for (i = 0; i < b->nall; i++)
		if (built[i].st)
			b->all[i]->free(built[i].st);
	for (int k = 0; k < 3; k++)
		free(ref[k]);
	free(ev);
	lookup_entries_free(&ent);
	return err;
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
			      d->flags & LOOKUP_F_FLOOR ? "none" : pmuf_kernel_name(d->ref));

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
	json_object_set_new(l, "kernel_limit", json_integer(PMUF_KVM_MAX_EVENTS));
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

int lookup_bench_run(const struct lookup_bench_opts *o, int argc, char **argv, json_t **setp,
		     size_t *errors, char *msg, size_t msglen)
{
	struct bctx b;
	json_t *ctx, *binding = NULL;
	size_t total = 0, s, e, a, i;
	int err;

	memset(&b, 0, sizeof(b));
	b.o = o;
	*setp = NULL;
	*errors = 0;
	for (i = 0; i < o->ndesigns; i++)
		b.all[b.nall++] = o->designs[i];
	b.all[b.nall++] = lookup_find("floor-l1");

	/* libpfm4 first: PAPI initializes it too, without inactive PMUs. */
	if (o->pmu) {
		err = lookup_pmu_table_load(o->pmu, &b.pmu, msg, msglen);
		if (err)
			return err;
		b.have_pmu = true;
	}
	err = pin_thread(o->cpu, &binding);
	if (err) {
		snprintf(msg, msglen, "pinning to core %d (hwloc): %s", o->cpu, strerror(-err));
		goto fail;
	}
	err = tsc_calibrate(&b.cal);
	if (err) {
		snprintf(msg, msglen, "TSC calibration: %s", strerror(-err));
		goto fail;
	}
	ctr_open(&b.ctrs);

	ctx = out_context(argc, argv, &b.cal);
	json_object_set_new(ctx, "binding", binding);
	binding = NULL;
	json_object_set_new(ctx, "counters", ctr_describe(&b.ctrs));
	json_object_set_new(ctx, "lookup", lookup_context(&b));
	json_object_set_new(ctx, "load_before", disturb_load_json());
	b.set = out_set_new("lookup", ctx);
	/* What identifies a measurement (results/README.md, "Key columns"): the
	 * sweep's coordinates. Fields derived from them (kernel_replica,
	 * encoding_name, nincludes, over_kernel_limit, reference, ...) and
	 * what a run observed or chose (hit_fraction, build_ns, repeats, ...)
	 * are not keys. */
	if (b.set)
		json_object_set_new(b.set, "key_columns",
				    json_pack("[s,s,s,s,s,s,s,s,s,s,s]", "design", "size", "encoding",
					      "umask_density", "action", "filter_shape", "filter", "filter_hash",
					      "pattern", "mode", "flavor"));
	b.skipped_once = json_object();

	for (s = 0; s < o->nsizes; s++)
		for (int sh = 0; sh < NSHAPES; sh++)
			total += o->nencs * o->nactions * patterns_of(o, shapes[sh]) *
				 ((size_t)o->throughput + (size_t)o->latency) * b.nall;
	for (i = 0; i < o->nfilters; i++)
		for (size_t p = 0; p < o->npatterns; p++)
			total += pattern_fits(&b, o->patterns[p], "user") *
				 ((size_t)o->throughput + (size_t)o->latency) * b.nall;
	progress_begin(&b.prog, "lookup", total);

	for (s = 0; s < o->nsizes; s++)
		for (e = 0; e < o->nencs; e++)
			for (int sh = 0; sh < NSHAPES; sh++) {
				if (!shape_used(o, shapes[sh]))
					continue;
				for (a = 0; a < o->nactions; a++) {
					struct lookup_gen g = {
						.flavor = o->flavor, .n = o->sizes[s],
						.enc = o->encs[e], .action = o->actions[a],
						.shape = shapes[sh],
						.pmu = b.have_pmu ? &b.pmu : NULL,
					};
					/* The same entries for both actions. */
					uint64_t seed = o->seed * 0x9E3779B97F4A7C15ull +
							o->sizes[s] * 1000003u + e * 131u + (unsigned)sh;
					struct pmuf_filter f;
					char what[160];

					err = lookup_gen_filter(&g, seed, &f);
					if (err == -ENOSPC) {
						snprintf(what, sizeof(what), "n=%zu %s %s filters",
							 o->sizes[s], o->encs[e]->name, shapes[sh]);
						skip_once(&b, what,
							  !strcmp(shapes[sh], "pmu")
								  ? "the PMU table has fewer events the flavor can express"
								  : "the flavor's event space is too small");
						progress_step(&b.prog, patterns_of(o, shapes[sh]) *
									      ((size_t)o->throughput +
									       (size_t)o->latency) *
									      b.nall);
						continue;
					}
					if (err) {
						snprintf(msg, msglen, "generating a filter: %s",
							 strerror(-err));
						goto fail;
					}
					err = run_filter(&b, &f, o->encs[e], shapes[sh], seed, msg,
							 msglen);
					pmuf_free(&f);
					if (err)
						goto fail;
				}
			}
	/* The user's filters (--filter), each as it is. */
	for (i = 0; i < o->nfilters; i++) {
		b.uf = &o->filters[i];
		err = run_filter(&b, &b.uf->f, &user_encs[pmuf_is_masked(&b.uf->f)], "user",
				 o->seed * 0x9E3779B97F4A7C15ull + 0x5553 + i, msg, msglen);
		b.uf = NULL;
		if (err)
			goto fail;
	}
	json_object_set_new(json_object_get(b.set, "context"), "load_after", disturb_load_json());
	out_set_complete(b.set, b.errors == 0);
	*errors = b.errors;
	*setp = b.set;
	b.set = NULL;
	err = 0;
fail:
	if (b.prog.label)
		progress_end(&b.prog);
	json_decref(binding);
	json_decref(b.set);
	json_decref(b.skipped_once);
	ctr_close(&b.ctrs);
	if (b.have_pmu)
		lookup_pmu_table_free(&b.pmu);
	return err;
}
