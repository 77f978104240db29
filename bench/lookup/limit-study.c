/* limit-study.c — see limit-study.h. (Not "limits.h": -Ibench/lookup would
 * shadow the C library's <limits.h>.) */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limit-study.h"
#include "lookup-bench.h"
#include "lookup.h"
#include "out.h"
#include "patterns.h"
#include "stop.h"
#include "tsc.h"

/* Beyond 300 entries every design is checked on the events the filter
 * names plus this many points of the space (lookup_verify_sampled), not on
 * all 2^20: a linear scan of 65,536 entries at every point takes minutes. */
#define LIMITS_VERIFY_POINTS 16384

void limits_defaults(struct limits_opts *o, bool quick)
{
	static const size_t sizes[] = { 300, 1000, 3000, 10000, 65536 };
	static const char *const pmus[] = { "icl", "spr", "amd64_fam19h_zen4" };

	memset(o, 0, sizeof(*o));
	memcpy(o->sizes, sizes, sizeof(sizes));
	o->nsizes = sizeof(sizes) / sizeof(sizes[0]);
	for (size_t i = 0; i < 3; i++)
		o->pmus[o->npmus++] = pmus[i];
	/* AMD's 20-bit (select, umask) space leaves room for misses at 65,536
	 * exact entries; Intel's 16-bit one is then full. */
	o->flavor = PMUF_FLAVOR_AMD;
	o->flavor_how = "default (AMD: room for misses at 65,536 entries)";
	snprintf(o->kernel, sizeof(o->kernel), "6.18");
	o->kernel_how = "default";
	o->sort_gen = KLIB_SORT_6_11;
	o->samples = quick ? 21 : 101;
	o->cpu = -1;
	o->seed = 1;
	o->quick = quick;
}

/* ---- kind=lookup: the lookup sweep, beyond the limit ---- */

static int lookup_part(const struct limits_opts *o, int argc, char **argv, json_t *set,
		       json_t **lctx, size_t *errors, char *msg, size_t msglen)
{
	struct lookup_bench_opts lo;
	struct lookup_failures fails = { 0 };
	json_t *lset = NULL, *rec, *sk;
	size_t i;
	int err;

	lookup_bench_defaults(&lo, o->quick);
	lo.nsizes = 0;
	for (i = 0; i < o->nsizes && i < LOOKUP_MAX_SIZES; i++)
		lo.sizes[lo.nsizes++] = o->sizes[i];
	lo.beyond_limit = true;
	lo.nencs = 0;
	lo.encs[lo.nencs++] = lookup_encoding_find("exact"); /* every design takes it */
	lo.nactions = 0;
	lo.actions[lo.nactions++] = PMUF_ALLOW;
	lo.npatterns = 0;
	lo.patterns[lo.npatterns++] = LOOKUP_PAT_MIXED;
	lo.throughput = false;
	lo.latency = true;
	lo.cache_warm = lo.cache_cold = true;
	lo.flavor = o->flavor;
	lo.flavor_how = o->flavor_how;
	snprintf(lo.kernel, sizeof(lo.kernel), "%s", o->kernel);
	lo.kernel_how = o->kernel_how;
	lo.sort_gen = o->sort_gen;
	lo.samples = o->samples;
	lo.cpu = o->cpu;
	lo.seed = o->seed;
	lo.verify_points = LIMITS_VERIFY_POINTS;
	err = lookup_bench_run(&lo, argc, argv, &lset, &fails, msg, msglen);
	json_decref(fails.mismatches);
	*errors = fails.errors;
	if (err)
		return err;
	json_array_foreach(json_object_get(lset, "records"), i, rec) {
		json_t *r = json_deep_copy(rec);

		json_object_set_new(r, "kind", json_string("lookup"));
		out_set_add(set, r);
	}
	json_array_foreach(json_object_get(lset, "skipped"), i, sk)
		if (!stop_signal() || i + 1 < json_array_size(json_object_get(lset, "skipped")))
			out_set_skip(set, /* the study marks its own stop (limits_run) */ json_string_value(json_object_get(sk, "what")),
			     json_string_value(json_object_get(sk, "why")));
	*lctx = json_incref(json_object_get(lset, "context"));
	json_decref(lset);
	return 0;
}

/* ---- kind=install: the kernel's copy + convert + sort, by generation ---- */

static unsigned long long ncmp;

/* filter_sort_cmp's order, counting its calls (an untimed run). */
static int counting_cmp(const void *pa, const void *pb)
{
	uint64_t m = PMUF_MASKED_EVENT_SELECT | PMUF_MASKED_EXCLUDE;
	uint64_t a = *(const uint64_t *)pa & m, b = *(const uint64_t *)pb & m;

	ncmp++;
	return (a > b) - (a < b);
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static int install_part(const struct limits_opts *o, const struct tsc_calib *cal, json_t *set)
{
	const struct lookup_design *d = lookup_find("k6.3-masked");
	double *t = malloc(o->samples * sizeof(*t));
	int err = 0;

	if (!d || !t) {
		free(t);
		return d ? -ENOMEM : -ENOENT;
	}
	for (size_t s = 0; s < o->nsizes && !err && !stop_signal(); s++) {
		struct lookup_gen g = {
			.flavor = o->flavor, .n = o->sizes[s], .enc = lookup_encoding_find("exact"),
			.action = PMUF_ALLOW, .shape = "random",
		};
		struct pmuf_filter f;

		err = lookup_gen_filter(&g, o->seed * 0x9E3779B97F4A7C15ull + o->sizes[s], &f);
		if (err)
			break;
		for (int gen = 0; gen < KLIB_SORT_NGENS && !err; gen++) {
			unsigned bflags = LOOKUP_B_NO_LIMIT | LOOKUP_B_SORT(gen);
			uint64_t *copy = malloc((f.nevents + 1) * sizeof(*copy));
			json_t *rec;

			if (!copy) {
				err = -ENOMEM;
				break;
			}
			for (size_t i = 0; i < o->samples && !err; i++) {
				void *st = NULL;
				uint64_t t0 = tsc_start();

				err = d->build(&f, o->flavor, bflags, &st);
				uint64_t t1 = tsc_stop();

				t[i] = tsc_elapsed(cal, t0, t1);
				if (!err)
					d->free(st);
			}
			/* The sort's comparisons on the converted entries (exact
			 * entries get mask 0xFF: bits 63:56, which the order ignores). */
			for (size_t i = 0; i < f.nevents; i++)
				copy[i] = f.events[i] | PMUF_MASKED_UMASK_MASK;
			ncmp = 0;
			klib_sort_u64(copy, f.nevents, counting_cmp, (enum klib_sort_gen)gen);
			free(copy);
			if (err)
				break;
			rec = json_pack("{s:s, s:I, s:s, s:b, s:b, s:I, s:I}", "kind", "install", "size",
					(json_int_t)f.nevents, "sort",
					klib_sort_gen_name((enum klib_sort_gen)gen), "sort_selected",
					gen == (int)o->sort_gen, "kernel_refuses",
					f.nevents > PMUF_KVM_MAX_EVENTS, "comparisons", (json_int_t)ncmp,
					"builds", (json_int_t)o->samples);
			json_object_set_new(rec, "what",
					    json_string("k6.3-masked's build: kzalloc + copy + "
							"convert_to_masked_filter + sort + split"));
			json_object_set_new(rec, "design", json_string(d->name));
			err = out_record_stats(rec, "", t, o->samples, cal, false);
			qsort(t, o->samples, sizeof(*t), cmp_double);
			out_set_add(set, rec);
		}
		pmuf_free(&f);
	}
	free(t);
	return err;
}

/* ---- kind=pmu: real tables, exact against compiled ---- */

static void pmu_part(const struct limits_opts *o, json_t *set)
{
	for (size_t p = 0; p < o->npmus; p++) {
		struct lookup_pmu_table tab;
		struct pmuf_filter f, out;
		enum pmuf_flavor fl = strncmp(o->pmus[p], "amd", 3) ? PMUF_FLAVOR_INTEL
								      : PMUF_FLAVOR_AMD;
		char msg[256], what[96];
		int err = lookup_pmu_table_load(o->pmus[p], &tab, msg, sizeof(msg));
		json_t *rec;

		snprintf(what, sizeof(what), "pmu %s", o->pmus[p]);
		if (err) {
			out_set_skip(set, what, msg);
			continue;
		}
		pmuf_init(&f, PMUF_ARCH_X86);
		f.flavor = fl;
		f.action = PMUF_ALLOW;
		for (size_t i = 0; i < tab.n && !err; i++)
			err = pmuf_add_event(&f, pmuf_exact_encode(tab.sel[i], tab.umask[i]), NULL);
		memset(&out, 0, sizeof(out));
		if (!err)
			err = pmuf_compile(&f, fl, PMUF_CHOOSE_ALLOW, &out);
		if (err && err != -E2BIG) {
			snprintf(msg, sizeof(msg), "pmuf_compile: %s", strerror(-err));
			out_set_skip(set, what, msg);
		} else {
			size_t ninc = 0;

			for (size_t i = 0; i < out.nevents; i++)
				ninc += !pmuf_masked_exclude(out.events[i]);
			rec = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:b, s:b}", "kind", "pmu",
					"pmu", tab.pmu, "flavor", pmuf_flavor_name(fl), "exact_entries",
					(json_int_t)tab.n, "compiled_masked_entries",
					(json_int_t)out.nevents, "compiled_includes", (json_int_t)ninc,
					"compiled_excludes", (json_int_t)(out.nevents - ninc),
					"exact_fits_300", tab.n <= PMUF_KVM_MAX_EVENTS, "masked_fits_300",
					out.nevents <= PMUF_KVM_MAX_EVENTS);
			json_object_set_new(rec, "what",
					    json_string("ALLOW every (select, umask) of the table: "
							"exact entries vs pmuf_compile's masked filter"));
			out_set_add(set, rec);
		}
		pmuf_free(&out);
		pmuf_free(&f);
		lookup_pmu_table_free(&tab);
	}
}

int limits_run(const struct limits_opts *o, int argc, char **argv, json_t **setp,
	       size_t *errors, char *msg, size_t msglen)
{
	json_t *set, *lctx = NULL, *ctx, *a;
	struct tsc_calib cal;
	int err;

	*setp = NULL;
	*errors = 0;
	/* PMU tables first: libpfm4 must initialize before PAPI does (the
	 * lookup sweep opens PAPI). */
	set = out_set_new(&limits_schema, json_object());
	if (!set) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	pmu_part(o, set);
	err = lookup_part(o, argc, argv, set, &lctx, errors, msg, msglen);
	if (err)
		goto fail;
	err = tsc_calibrate(&cal);
	if (!err)
		err = install_part(o, &cal, set);
	if (err) {
		snprintf(msg, msglen, "install cost: %s", strerror(-err));
		goto fail;
	}
	/* The lookup sweep's context (host, binding, calibration, designs,
	 * what "cold" meant) is the set's, with the study's own added. */
	ctx = json_object_get(set, "context");
	json_object_update(ctx, lctx);
	a = json_array();
	for (size_t i = 0; i < o->nsizes; i++)
		json_array_append_new(a, json_integer((json_int_t)o->sizes[i]));
	json_object_set_new(
		ctx, "limits",
		json_pack("{s:o, s:I, s:s, s:s, s:s}", "sizes", a, "kernel_limit",
			  (json_int_t)PMUF_KVM_MAX_EVENTS, "lookup_filters",
			  "exact entries, random selects, ALLOW; inputs: mixed (half hit, half "
			  "miss); latency mode; warm and cold; beyond 300 entries each design is "
			  "checked on the filter's own events plus 16384 points spread over the "
			  "space (verified_points), up to 300 on all of it",
			  "install",
			  "k6.3-masked's build per lib/sort.c generation, median of `builds`, "
			  "timed in user space (the kernel refuses above 300)",
			  "pmu", "ALLOW of every (select, umask) a libpfm4 PMU table names"));
	out_set_complete(set, *errors == 0);
	if (stop_signal())
		stop_mark_set(set);
	json_decref(lctx);
	*setp = set;
	return 0;
fail:
	json_decref(lctx);
	json_decref(set);
	return err;
}
