/* test_lookup_designs.c — every lookup design against the reference
 * (pmuf_decide_gp through lookup_reference_table), exhaustively over the
 * flavor's (select, umask) space, on many random filters: both flavors,
 * exact and masked, sizes 0..300 and beyond the kernel's limit; plus the
 * kernel selftest's masked cases as fixed answers, the bits the filter
 * ignores, the timed loops' answers, and the generators in patterns.c.
 * The kernel replicas' layout, sorts and the truncating comparator:
 * test_lookup_kernel.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lookup.h"
#include "patterns.h"

/* The floor is no filter; a replica of a shipped bug (k5.17-bsearch-trunc)
 * disagrees with the reference by design: test_lookup_kernel.c shows
 * where. The arm64 check answers to the arm64 model, not pmuf_decide_gp
 * (test_lookup_arm64.c). All are left out of the checks against the x86
 * reference. */
static bool not_checked(const struct lookup_design *d)
{
	return d->flags & (LOOKUP_F_FLOOR | LOOKUP_F_KNOWN_BUG | LOOKUP_F_ARM64);
}

static bool usable(const struct lookup_design *d)
{
	char why[96];

	return !d->usable || d->usable(why, sizeof(why));
}

/* Builds every applicable design on f and checks it against the reference
 * of its own kernel generation, over the whole space. Returns how many
 * designs were checked. The 5.17 reference sorts a copy of the filter for
 * every event it decides (2^16 or 2^20 times per check), so callers leave
 * k5.17-bsearch out of the larger checks (with_517 false); it is still
 * checked on filters up to 300 entries and beyond the limit. */
static size_t check_all_517(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			    const char *what, bool with_517)
{
	uint8_t *ref[3] = { NULL, NULL, NULL };
	size_t checked = 0, space = lookup_space_size(fl);
	char msg[256];

	for (const struct lookup_design *const *dp = lookup_designs; *dp; dp++) {
		const struct lookup_design *d = *dp;
		void *st = NULL;
		bool composed;
		int err;

		if (not_checked(d) || !usable(d) || (!with_517 && d->ref == PMUF_KERNEL_5_17))
			continue;
		err = d->build(f, fl, bflags, &st);
		if (!lookup_supports(d, f, fl)) {
			assert_int_equal(err, -EOPNOTSUPP);
			continue;
		}
		if (err) {
			fail_msg("%s: %s: build: %s", what, d->name, strerror(-err));
		}
		if (!ref[d->ref]) {
			err = lookup_reference_table(f, fl, d->ref, &ref[d->ref], &composed);
			if (err)
				fail_msg("%s: reference %s: %s", what, pmuf_kernel_name(d->ref),
					 strerror(-err));
			assert_int_equal(composed, f->nevents > PMUF_KVM_MAX_EVENTS);
		}
		err = lookup_verify(d, st, fl, ref[d->ref], msg, sizeof(msg));
		if (err)
			fail_msg("%s: %s", what, msg);
		assert_true(d->footprint_bytes(st) > 0);

		/* The timed loops give the same answers (a sum over the space). */
		uint64_t *ev = malloc(space * sizeof(*ev)), want = 0;

		assert_non_null(ev);
		for (size_t i = 0; i < space; i++) {
			ev[i] = lookup_space_eventsel(fl, i);
			want += ref[d->ref][i];
		}
		assert_int_equal(d->run_throughput(st, ev, space, 1, 0), want);
		assert_int_equal(d->run_latency(st, ev, space, 1, 0), want);
		free(ev);
		d->free(st);
		checked++;
	}
	for (int k = 0; k < 3; k++)
		free(ref[k]);
	return checked;
}

static size_t check_all(const struct pmuf_filter *f, enum pmuf_flavor fl, unsigned bflags,
			const char *what)
{
	return check_all_517(f, fl, bflags, what, true);
}

/* ---- random filters, including what the generators in patterns.c avoid ---- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

/* Selects cluster in a few values so the umask walk has work; some
 * entries are oddities the kernel keeps or drops. */
static void random_filter(struct pmuf_filter *f, struct rng *r, enum pmuf_flavor fl, size_t n,
			  bool masked, uint32_t action)
{
	unsigned sbits = pmuf_flavor_select_bits(fl);
	uint16_t pool[8];

	for (int i = 0; i < 8; i++)
		pool[i] = (uint16_t)(rnd(r) & ((1u << sbits) - 1));
	pmuf_init(f, PMUF_ARCH_X86);
	f->flavor = fl;
	f->action = action;
	f->flags = masked ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0;
	for (size_t i = 0; i < n; i++) {
		uint16_t sel = rnd(r) % 3 ? pool[rnd(r) % 8] : (uint16_t)(rnd(r) & ((1u << sbits) - 1));
		uint64_t e;

		if (!masked) {
			e = pmuf_exact_encode(sel, (uint8_t)(rnd(r) % 4 ? rnd(r) % 8 : rnd(r)));
			switch (rnd(r) % 16) {
			case 0:
				e |= 1ull << 16; /* dropped by 6.3, never matches before */
				break;
			case 1:
				e |= 1ull << 32; /* select bit 8: AMD keeps it, Intel drops it */
				break;
			case 2:
				if (i)
					e = f->events[rnd(r) % i]; /* a duplicate */
				break;
			}
		} else {
			uint8_t mask = (uint8_t)rnd(r), match = (uint8_t)rnd(r);

			if (rnd(r) % 4)
				match &= mask; /* else possibly a match no umask meets */
			if (rnd(r) % 3 == 0)
				mask = 0xFF;
			e = pmuf_masked_encode(sel, mask, match, rnd(r) % 3 == 0);
		}
		assert_int_equal(pmuf_add_event(f, e, NULL), 0);
	}
}

static void run_random(enum pmuf_flavor fl, bool masked, const size_t *sizes, size_t nsizes,
		       int per_size, uint64_t seed)
{
	struct rng r = { seed };

	for (size_t s = 0; s < nsizes; s++)
		for (int rep = 0; rep < per_size; rep++)
			for (uint32_t action = 0; action < 2; action++) {
				struct pmuf_filter f;
				char what[96];

				random_filter(&f, &r, fl, sizes[s], masked, action);
				snprintf(what, sizeof(what), "%s %s n=%zu rep %d %s",
					 pmuf_flavor_name(fl), masked ? "masked" : "exact",
					 sizes[s], rep, action ? "deny" : "allow");
				bool w517 = sizes[s] <= 40 || (rep == 0 && action == 0);

				assert_true(check_all_517(&f, fl, 0, what, w517) >= (masked ? 6u : 7u));
				pmuf_free(&f);
			}
}

static void test_exact_intel(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 7, 33, 150, 300 };

	(void)state;
	run_random(PMUF_FLAVOR_INTEL, false, sizes, 7, 2, 0x1234);
}

static void test_masked_intel(void **state)
{
	static const size_t sizes[] = { 0, 1, 3, 16, 64, 300 };

	(void)state;
	run_random(PMUF_FLAVOR_INTEL, true, sizes, 6, 3, 0x4321);
}

/* 2^20 events per check: fewer, smaller filters keep the test short. */
static void test_exact_amd(void **state)
{
	static const size_t sizes[] = { 0, 5, 24 };

	(void)state;
	run_random(PMUF_FLAVOR_AMD, false, sizes, 3, 1, 0xA3D);
}

static void test_masked_amd(void **state)
{
	static const size_t sizes[] = { 1, 24, 300 };

	(void)state;
	run_random(PMUF_FLAVOR_AMD, true, sizes, 3, 1, 0xA3E);
}

/* ---- beyond the kernel's 300 ---- */

static void test_beyond_limit(void **state)
{
	struct rng r = { 0xB16 };
	struct pmuf_filter f, big;
	uint8_t *small_ref, *big_ref;
	bool composed;

	(void)state;
	/* Without the flag, every filter design refuses 301 entries. */
	random_filter(&f, &r, PMUF_FLAVOR_INTEL, 301, true, PMUF_ALLOW);
	for (const struct lookup_design *const *dp = lookup_designs; *dp; dp++) {
		void *st = NULL;

		if (not_checked(*dp) || !usable(*dp) || !lookup_supports(*dp, &f, PMUF_FLAVOR_INTEL))
			continue;
		assert_int_equal((*dp)->build(&f, PMUF_FLAVOR_INTEL, 0, &st), -E2BIG);
	}
	check_all(&f, PMUF_FLAVOR_INTEL, LOOKUP_B_NO_LIMIT, "masked n=301");
	pmuf_free(&f);

	for (uint32_t action = 0; action < 2; action++) {
		random_filter(&f, &r, PMUF_FLAVOR_INTEL, 700, false, action);
		check_all_517(&f, PMUF_FLAVOR_INTEL, LOOKUP_B_NO_LIMIT, "exact n=700", action == 0);
		pmuf_free(&f);
		random_filter(&f, &r, PMUF_FLAVOR_INTEL, 2000, true, action);
		check_all(&f, PMUF_FLAVOR_INTEL, LOOKUP_B_NO_LIMIT, "masked n=2000");
		pmuf_free(&f);
	}

	/* The composed reference: a filter repeated 4 times (360 or 600
	 * entries) decides exactly as the original does directly. */
	for (int masked = 0; masked < 2; masked++) {
		random_filter(&f, &r, PMUF_FLAVOR_INTEL, masked ? 150 : 90, masked, PMUF_DENY);
		assert_int_equal(pmuf_copy(&big, &f), 0);
		for (int k = 0; k < 3; k++)
			for (size_t i = 0; i < f.nevents; i++)
				assert_int_equal(pmuf_add_event(&big, f.events[i], NULL), 0);
		for (int k = masked ? 2 : 0; k < 3; k++) {
			assert_int_equal(lookup_reference_table(&f, PMUF_FLAVOR_INTEL, k, &small_ref,
								&composed),
					 0);
			assert_false(composed);
			assert_int_equal(lookup_reference_table(&big, PMUF_FLAVOR_INTEL, k,
								&big_ref, &composed),
					 0);
			assert_true(composed);
			assert_memory_equal(small_ref, big_ref, lookup_space_size(PMUF_FLAVOR_INTEL));
			free(small_ref);
			free(big_ref);
		}
		pmuf_free(&f);
		pmuf_free(&big);
	}
}

/* The sampled check (limits at 65,536 entries) asks the composed reference
 * at points only: every design passes it beyond the limit, and a design
 * that gets one answer wrong fails it, at that event. */
static const struct lookup_design *wrapped;
static uint64_t flipped_ev;

static bool flip_one(const void *state, uint64_t ev)
{
	bool got = wrapped->decide(state, ev);

	return ev == flipped_ev ? !got : got;
}

static void test_verify_sampled(void **state)
{
	struct rng r = { 0x5A3D1Eull };
	struct pmuf_filter f;
	char msg[256];

	(void)state;
	for (int masked = 0; masked < 2; masked++) {
		random_filter(&f, &r, PMUF_FLAVOR_AMD, masked ? 900 : 700, masked, PMUF_ALLOW);
		for (const struct lookup_design *const *dp = lookup_designs; *dp; dp++) {
			const struct lookup_design *d = *dp;
			struct lookup_design broken;
			void *st = NULL;
			int err;

			if (not_checked(d) || !usable(d) || !lookup_supports(d, &f, PMUF_FLAVOR_AMD))
				continue;
			assert_int_equal(d->build(&f, PMUF_FLAVOR_AMD, LOOKUP_B_NO_LIMIT, &st), 0);
			err = lookup_verify_sampled(d, st, &f, PMUF_FLAVOR_AMD, d->ref, 4096, msg,
						    sizeof(msg));
			if (err)
				fail_msg("%s (masked %d): %s", d->name, masked, msg);
			/* The same design, wrong at the filter's last named event. */
			broken = *d;
			broken.decide = flip_one;
			wrapped = d;
			flipped_ev = lookup_space_eventsel(
				PMUF_FLAVOR_AMD,
				lookup_space_index(PMUF_FLAVOR_AMD, f.events[f.nevents - 1] &
					(pmuf_flavor_select_mask(PMUF_FLAVOR_AMD) | PMUF_EVENTSEL_UMASK)));
			assert_int_equal(lookup_verify_sampled(&broken, st, &f, PMUF_FLAVOR_AMD,
							       d->ref, 4096, msg, sizeof(msg)),
					 -EPROTO);
			assert_non_null(strstr(msg, "reference says"));
			d->free(st);
		}
		pmuf_free(&f);
	}
}

/* ---- fixed answers: the kernel selftest's masked cases ---- */

struct fixed_case {
	const char *name;
	uint32_t action;
	uint64_t entries[3];
	size_t n;
	uint16_t select;
	uint8_t umask;
	bool want;
};

#define I(s, m, x) pmuf_masked_encode(s, m, x, false)
#define X(s, m, x) pmuf_masked_encode(s, m, x, true)

static void test_selftest_cases(void **state)
{
	const struct fixed_case cases[] = {
		{ "loads+stores: loads", PMUF_ALLOW, { I(0xD0, 0x7C, 0), X(0xD0, 0xFF, 0x83) }, 2, 0xD0, 0x81, true },
		{ "loads+stores: stores", PMUF_ALLOW, { I(0xD0, 0x7C, 0), X(0xD0, 0xFF, 0x83) }, 2, 0xD0, 0x82, true },
		{ "loads+stores: any", PMUF_ALLOW, { I(0xD0, 0x7C, 0), X(0xD0, 0xFF, 0x83) }, 2, 0xD0, 0x83, false },
		{ "loads+stores: umask 4", PMUF_ALLOW, { I(0xD0, 0x7C, 0), X(0xD0, 0xFF, 0x83) }, 2, 0xD0, 0x04, false },
		{ "loads+stores: other select", PMUF_ALLOW, { I(0xD0, 0x7C, 0), X(0xD0, 0xFF, 0x83) }, 2, 0xC0, 0x81, false },
		{ "deny carve-out: allowed", PMUF_DENY, { I(0xD0, 0, 0), X(0xD0, 0xFF, 0x81) }, 2, 0xD0, 0x81, true },
		{ "deny carve-out: denied", PMUF_DENY, { I(0xD0, 0, 0), X(0xD0, 0xFF, 0x81) }, 2, 0xD0, 0x82, false },
		{ "deny carve-out: other select", PMUF_DENY, { I(0xD0, 0, 0), X(0xD0, 0xFF, 0x81) }, 2, 0xC0, 0x00, true },
		{ "amd stores+ld/st", PMUF_ALLOW, { I(0x29, 0xF8, 0), X(0x29, 0xFF, 1) }, 2, 0x29, 2, true },
		{ "amd stores+ld/st: loads", PMUF_ALLOW, { I(0x29, 0xF8, 0), X(0x29, 0xFF, 1) }, 2, 0x29, 1, false },
		{ "amd 0x1C2 include", PMUF_ALLOW, { I(0x1C2, 0xFF, 0) }, 1, 0x1C2, 0, true },
		{ "amd 0x1C2 is not 0xC2", PMUF_ALLOW, { I(0x1C2, 0xFF, 0) }, 1, 0xC2, 0, false },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct fixed_case *t = &cases[c];
		struct pmuf_filter f;

		pmuf_init(&f, PMUF_ARCH_X86);
		f.action = t->action;
		f.flags = KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
		for (size_t i = 0; i < t->n; i++)
			assert_int_equal(pmuf_add_event(&f, t->entries[i], NULL), 0);
		for (const struct lookup_design *const *dp = lookup_designs; *dp; dp++) {
			void *st = NULL;

			if (not_checked(*dp) || !usable(*dp) || !lookup_supports(*dp, &f, PMUF_FLAVOR_AMD))
				continue;
			assert_int_equal((*dp)->build(&f, PMUF_FLAVOR_AMD, 0, &st), 0);
			if ((*dp)->decide(st, pmuf_eventsel_make(t->select, t->umask)) != t->want)
				fail_msg("%s: %s: want %s", (*dp)->name, t->name,
					 t->want ? "allow" : "deny");
			(*dp)->free(st);
		}
		pmuf_free(&f);
	}
}

/* Exact filters: only the umask's exact value counts (fact 5 of the notes). */
static void test_exact_fixed(void **state)
{
	struct pmuf_filter f;

	(void)state;
	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = PMUF_ALLOW;
	assert_int_equal(pmuf_add_event(&f, 0x00C0, NULL), 0);
	for (const struct lookup_design *const *dp = lookup_designs; *dp; dp++) {
		void *st = NULL;

		if (not_checked(*dp) || !usable(*dp))
			continue;
		assert_int_equal((*dp)->build(&f, PMUF_FLAVOR_INTEL, 0, &st), 0);
		assert_true((*dp)->decide(st, 0x004200C0));
		assert_false((*dp)->decide(st, 0x004201C0));
		assert_false((*dp)->decide(st, 0x004200C4));
		(*dp)->free(st);
	}
	pmuf_free(&f);
}

/* ---- bits outside select and umask ---- */

static void test_ignored_bits(void **state)
{
	struct rng r = { 0x1D1E };

	(void)state;
	for (int fli = 0; fli < 2; fli++) {
		enum pmuf_flavor fl = fli ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL;

		for (int masked = 0; masked < 2; masked++) {
			struct pmuf_filter f;

			random_filter(&f, &r, fl, 40, masked, PMUF_ALLOW);
			for (const struct lookup_design *const *dp = lookup_designs; *dp; dp++) {
				const struct lookup_design *d = *dp;
				void *st = NULL;

				if (not_checked(d) || !usable(d) || !lookup_supports(d, &f, fl))
					continue;
				assert_int_equal(d->build(&f, fl, 0, &st), 0);
				for (int i = 0; i < 3000; i++) {
					/* A filter's event, or any, with noise: USR/OS/EDGE/
					 * INT/EN/INV/CMASK and, on Intel, IN_TX/IN_TXCP. */
					uint64_t base = i % 2 && f.nevents
								? f.events[rnd(&r) % f.nevents]
								: rnd(&r);
					uint64_t ev = (base & 0xF0000FFFFull) | (rnd(&r) & 0xFFFF0000ull);
					bool want;

					if (fl == PMUF_FLAVOR_INTEL && i % 3 == 0)
						ev |= (rnd(&r) & 3ull) << 32;
					assert_int_equal(pmuf_decide_gp(&f, fl, d->ref, ev, &want), 0);
					if (d->decide(st, ev) != want)
						fail_msg("%s: eventsel 0x%llx: want %d", d->name,
							 (unsigned long long)ev, want);
				}
				d->free(st);
			}
			pmuf_free(&f);
		}
	}
}

/* ---- the table itself ---- */

static void test_table(void **state)
{
	const char *want[] = { "k5.3-linear", "k5.17-bsearch", "k6.3-masked", "k5.17-bsearch-rp",
			       "k6.3-masked-rp", "bytemap", "bitmap",
			       "table2", "hash", "bsearch-bf", "eytzinger", "floor-l1" };
	size_t n = 0;

	(void)state;
	for (const struct lookup_design *const *dp = lookup_designs; *dp; dp++, n++) {
		const struct lookup_design *d = *dp;

		assert_non_null(d->name);
		assert_non_null(d->desc);
		assert_non_null(d->cost);
		assert_non_null(d->build);
		assert_non_null(d->decide);
		assert_non_null(d->run_throughput);
		assert_non_null(d->run_latency);
		assert_non_null(d->footprint_bytes);
		assert_non_null(d->free);
		assert_ptr_equal(lookup_find(d->name), d);
	}
	assert_int_equal(n, lookup_count());
	assert_true(lookup_designs[n - 1]->flags & LOOKUP_F_FLOOR);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_non_null(lookup_find(want[i]));
#if defined(__x86_64__)
	assert_non_null(lookup_find("simd-sse2"));
	assert_true(usable(lookup_find("simd-sse2")));
#endif
	assert_null(lookup_find("no-such-design"));
}

/* ---- the benchmark's generators ---- */

static void test_generated(void **state)
{
	static const size_t sizes[] = { 1, 16, 300 };
	const char *shapes[] = { "random", "one-select" };

	(void)state;
	for (size_t s = 0; s < 3; s++)
		for (const struct lookup_encoding *e = lookup_encodings; e->name; e++)
			for (int sh = 0; sh < 2; sh++) {
				struct lookup_gen g = {
					.flavor = PMUF_FLAVOR_INTEL, .n = sizes[s], .enc = e,
					.action = (uint32_t)(s & 1), .shape = shapes[sh],
				};
				struct pmuf_filter f;
				struct pmuf_verdict v;
				char what[96];

				assert_int_equal(lookup_gen_filter(&g, 7 + s, &f), 0);
				assert_int_equal(f.nevents, sizes[s]);
				assert_int_equal(pmuf_validate(&f, PMUF_FLAVOR_INTEL, &v), 0);
				pmuf_verdict_free(&v);
				snprintf(what, sizeof(what), "generated %s %s n=%zu", e->name,
					 shapes[sh], sizes[s]);
				check_all(&f, PMUF_FLAVOR_INTEL, 0, what);
				pmuf_free(&f);
			}
}

/* Inputs hit exactly as the pattern says, by the reference. */
static void test_patterns(void **state)
{
	enum pmuf_flavor fl = PMUF_FLAVOR_INTEL;

	(void)state;
	for (int p = 0; p < LOOKUP_PAT_PMU; p++) {
		struct lookup_gen g = {
			.flavor = fl, .n = 64, .enc = lookup_encoding_find("masked/16"),
			.action = PMUF_DENY, .shape = lookup_pattern_shape((enum lookup_pattern)p),
		};
		struct pmuf_filter f;
		uint64_t ev[512];
		uint8_t *ref;
		bool composed;
		double frac = -1;
		char msg[128];

		assert_int_equal(lookup_gen_filter(&g, 99, &f), 0);
		assert_int_equal(lookup_reference_table(&f, fl, PMUF_KERNEL_6_3, &ref, &composed), 0);
		assert_int_equal(lookup_gen_inputs((enum lookup_pattern)p, &f, fl, ref, NULL, 5, ev,
						   512, &frac, msg, sizeof(msg)),
				 0);
		for (size_t i = 0; i < 512; i++) {
			bool allowed = ref[lookup_space_index(fl, ev[i])];

			/* DENY: a hit is denied, a miss allowed. */
			if (p == LOOKUP_PAT_HIT)
				assert_false(allowed);
			if (p == LOOKUP_PAT_MISS || p == LOOKUP_PAT_SAME || p == LOOKUP_PAT_WALK)
				assert_true(allowed);
		}
		if (p == LOOKUP_PAT_HIT)
			assert_true(frac == 1.0);
		else if (p == LOOKUP_PAT_MIXED)
			assert_true(frac > 0.35 && frac < 0.65);
		else
			assert_true(frac == 0.0);
		free(ref);
		pmuf_free(&f);
	}
}

static void test_pmu_table(void **state)
{
	struct lookup_pmu_table t;
	char msg[256];
	int err;

	(void)state;
	err = lookup_pmu_table_load("icl", &t, msg, sizeof(msg));
	if (err == -ENODEV) { /* libpfm4 unusable here: say so, then skip */
		print_message("SKIP: libpfm4 cannot load the icl table: %s\n", msg);
		skip();
	}
	assert_int_equal(err, 0);
	assert_true(t.n > 100);
	/* MEM_INST_RETIRED.ALL_LOADS is 0xD0/0x81 on Ice Lake. */
	bool found = false;

	for (size_t i = 0; i < t.n; i++)
		found |= t.sel[i] == 0xD0 && t.umask[i] == 0x81;
	assert_true(found);
	lookup_pmu_table_free(&t);
	assert_int_equal(lookup_pmu_table_load("no-such-pmu", &t, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "no-such-pmu"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_exact_fixed),
		cmocka_unit_test(test_selftest_cases),
		cmocka_unit_test(test_exact_intel),
		cmocka_unit_test(test_masked_intel),
		cmocka_unit_test(test_exact_amd),
		cmocka_unit_test(test_masked_amd),
		cmocka_unit_test(test_beyond_limit),
		cmocka_unit_test(test_verify_sampled),
		cmocka_unit_test(test_ignored_bits),
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_pmu_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
