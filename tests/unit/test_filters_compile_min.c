/* test_filters_compile_min.c — the compiler's promises beyond equivalence
 * (filters/compile.c): never larger than its input, no deletable entry,
 * known minima, and outputs the kernel takes.
 *
 * - 1,000 random masked inputs (100 in the sanitized build) of every density (1..8 selects, 1..40
 *   entries each, masks from dense to sparse, includes and excludes, both
 *   flavors): compiled with the input's action and with auto, the result
 *   is equivalent (pmuf_equivalent), valid for the model, never has more
 *   entries than the input, and no entry of it can be deleted without
 *   changing a decision (checked here per select, independently of
 *   compile.c: deleting an entry only changes its own select).
 * - Random exact sets of every density per select (0..256 umasks): the
 *   same, and never more entries than distinct umasks.
 * - Known minima: a whole select is 1 entry, all umasks but one 2, the
 *   128 odd-parity umasks 128 (no two are adjacent), a cube 1.
 * - The results of 200 random masked inputs (40 sanitized) installed with the real
 *   KVM_SET_PMU_EVENT_FILTER on a fresh VM (skipped without /dev/kvm). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvm-need.h"
#include "pmuf-random.h"
#include "pmuf.h"

#define MASKED KVM_PMU_EVENT_FLAG_MASKED_EVENTS
/* 1,000 random inputs in the plain build; the sanitized build (10-50x
 * slower here, allocation-bound) checks the first 100 of the same
 * sequence, so `make test` stays minutes, not tens of minutes. */
#if defined(__SANITIZE_ADDRESS__)
#define NRANDOM 100
#define NKVM 40
#else
#define NRANDOM 1000
#define NKVM 200
#endif

/* The umasks a masked entry matches, as 256 bits. */
struct bits256 {
	uint64_t w[4];
};

static struct bits256 entry_bits(uint64_t e)
{
	struct bits256 b = { { 0 } };
	for (unsigned u = 0; u < 256; u++)
		if ((u & pmuf_masked_mask(e)) == pmuf_masked_match(e))
			b.w[u / 64] |= 1ull << (u % 64);
	return b;
}

/* What a select's entries match, leaving entry `skip` out: an include
 * matches and no exclude does (the 6.3 lookup, written out again here). */
static struct bits256 matched(const uint64_t *ents, const struct bits256 *bits, size_t n, size_t skip)
{
	struct bits256 inc = { { 0 } }, exc = { { 0 } };
	for (size_t i = 0; i < n; i++) {
		if (i == skip)
			continue;
		struct bits256 *t = pmuf_masked_exclude(ents[i]) ? &exc : &inc;
		for (int w = 0; w < 4; w++)
			t->w[w] |= bits[i].w[w];
	}
	for (int w = 0; w < 4; w++)
		inc.w[w] &= ~exc.w[w];
	return inc;
}

/* No entry of a compiled (masked) filter can be deleted: deleting an
 * entry only changes its own select, so each select is checked alone. */
static void assert_no_deletable(const struct pmuf_filter *out, const char *what)
{
	uint64_t *ents = malloc((out->nevents + 1) * sizeof(*ents));
	struct bits256 *bits = malloc((out->nevents + 1) * sizeof(*bits));
	assert_non_null(ents);
	assert_non_null(bits);
	for (size_t i = 0; i < out->nevents; i++) {
		uint16_t sel = pmuf_masked_select(out->events[i]);
		size_t n = 0, self = 0;
		for (size_t j = 0; j < out->nevents; j++)
			if (pmuf_masked_select(out->events[j]) == sel) {
				if (j == i)
					self = n;
				ents[n] = out->events[j];
				bits[n++] = entry_bits(out->events[j]);
			}
		struct bits256 all = matched(ents, bits, n, SIZE_MAX), without = matched(ents, bits, n, self);
		if (!memcmp(&all, &without, sizeof(all)))
			fail_msg("%s: entry %zu (0x%016llx, select 0x%03x) can be deleted", what, i,
				 (unsigned long long)out->events[i], sel);
	}
	free(ents);
	free(bits);
}

static void compile_ok(const struct pmuf_filter *in, enum pmuf_flavor fl, enum pmuf_action_choice ch,
		       struct pmuf_filter *out, const char *what)
{
	int err = pmuf_compile(in, fl, ch, out);
	if (err && err != -E2BIG)
		fail_msg("%s: pmuf_compile: %s", what, pmuf_errno_name(err));
	assert_int_equal(pmuf_equivalent(in, out, fl, NULL), 0);
	assert_int_equal(out->flags, MASKED);
	if (!err) {
		struct pmuf_verdict v;
		if (pmuf_validate(out, fl, &v))
			fail_msg("%s: the model refuses the result: %s", what, v.reason);
		pmuf_verdict_free(&v);
	}
	assert_no_deletable(out, what);
}

/* A random masked input: 1..8 selects, per select 1..40 entries whose
 * masks are dense (few bits cared for) to sparse, a third excludes. */
static void random_masked(struct pmuf_rng *r, enum pmuf_flavor fl, struct pmuf_filter *in)
{
	pmuf_init(in, PMUF_ARCH_X86);
	in->flavor = fl;
	in->flags = MASKED;
	in->action = pmuf_rng_below(r, 2) ? PMUF_DENY : PMUF_ALLOW;
	in->fixed_counter_bitmap = (uint32_t)pmuf_rng_next(r);
	unsigned nsel = 1 + pmuf_rng_below(r, 8), bits = pmuf_flavor_select_bits(fl);
	unsigned density = pmuf_rng_below(r, 4); /* how many random words are ANDed into a mask */
	for (unsigned s = 0; s < nsel; s++) {
		uint16_t sel = (uint16_t)pmuf_rng_below(r, 1u << bits);
		unsigned n = 1 + pmuf_rng_below(r, s == 0 && pmuf_rng_below(r, 4) == 0 ? 40 : 10);
		for (unsigned i = 0; i < n && in->nevents < PMUF_KVM_MAX_EVENTS; i++) {
			uint8_t mask = (uint8_t)pmuf_rng_next(r);
			for (unsigned k = 0; k < density; k++)
				mask &= (uint8_t)pmuf_rng_next(r);
			uint8_t match = (uint8_t)pmuf_rng_next(r) & mask;
			assert_int_equal(pmuf_add_event(in, pmuf_masked_encode(sel, mask, match,
										pmuf_rng_below(r, 3) == 0),
							 NULL),
					 0);
		}
	}
}

static void test_masked_never_grow(void **state)
{
	(void)state;
	struct pmuf_rng r;
	size_t in_total = 0, out_total = 0, shrunk = 0;
	pmuf_rng_seed(&r, 0x5EED0013);
	for (int c = 0; c < NRANDOM; c++) {
		enum pmuf_flavor fl = c % 10 == 9 ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL;
		struct pmuf_filter in, same, best;
		char what[64];
		random_masked(&r, fl, &in);
		snprintf(what, sizeof(what), "masked input %d (%zu entries)", c, in.nevents);
		/* the input's own action: never more entries than the input */
		compile_ok(&in, fl, (enum pmuf_action_choice)in.action, &same, what);
		if (same.nevents > in.nevents)
			fail_msg("%s: grew to %zu entries", what, same.nevents);
		/* auto: never more than either action */
		compile_ok(&in, fl, PMUF_CHOOSE_AUTO, &best, what);
		assert_true(best.nevents <= same.nevents);
		in_total += in.nevents;
		out_total += best.nevents;
		shrunk += best.nevents < in.nevents;
		pmuf_free(&in);
		pmuf_free(&same);
		pmuf_free(&best);
	}
	print_message("%d random masked inputs: %zu entries in, %zu out; %zu got smaller, none grew\n",
		      NRANDOM, in_total, out_total, shrunk);
	assert_true(shrunk > 0);
}

static void test_exact_densities(void **state)
{
	(void)state;
	struct pmuf_rng r;
	pmuf_rng_seed(&r, 0xDE5517);
	for (int c = 0; c < 120; c++) {
		enum pmuf_flavor fl = c % 6 == 5 ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL;
		struct pmuf_filter in, out;
		char what[64];
		pmuf_init(&in, PMUF_ARCH_X86);
		in.flavor = fl;
		in.action = pmuf_rng_below(&r, 2) ? PMUF_DENY : PMUF_ALLOW;
		/* one select; density from 0 to 256 of 256 umasks, in steps */
		uint16_t sel = (uint16_t)pmuf_rng_below(&r, 1u << pmuf_flavor_select_bits(fl));
		unsigned want = (unsigned)c * 256 / 119, listed = 0;
		for (unsigned u = 0; u < 256; u++)
			if (pmuf_rng_below(&r, 256) < want) {
				assert_int_equal(pmuf_add_event(&in, pmuf_exact_encode(sel, (uint8_t)u), NULL), 0);
				listed++;
			}
		snprintf(what, sizeof(what), "exact set %d (%u umasks)", c, listed);
		compile_ok(&in, fl, (enum pmuf_action_choice)in.action, &out, what);
		if (out.nevents > listed)
			fail_msg("%s: %zu entries", what, out.nevents);
		pmuf_free(&out);
		compile_ok(&in, fl, PMUF_CHOOSE_AUTO, &out, what);
		assert_true(out.nevents <= listed);
		pmuf_free(&out);
		pmuf_free(&in);
	}
}

/* One select, the umasks where keep(u), listed exactly; compiled with ALLOW. */
static size_t compile_set(bool (*keep)(unsigned))
{
	struct pmuf_filter in, out;
	pmuf_init(&in, PMUF_ARCH_X86);
	in.flavor = PMUF_FLAVOR_INTEL;
	in.action = PMUF_ALLOW;
	for (unsigned u = 0; u < 256; u++)
		if (keep(u))
			assert_int_equal(pmuf_add_event(&in, pmuf_exact_encode(0xD0, (uint8_t)u), NULL), 0);
	int err = pmuf_compile(&in, PMUF_FLAVOR_INTEL, PMUF_CHOOSE_ALLOW, &out);
	assert_true(err == 0 || err == -E2BIG);
	assert_int_equal(pmuf_equivalent(&in, &out, PMUF_FLAVOR_INTEL, NULL), 0);
	assert_no_deletable(&out, "known set");
	size_t n = out.nevents;
	pmuf_free(&in);
	pmuf_free(&out);
	return n;
}

static bool all_umasks(unsigned u)
{
	(void)u;
	return true;
}

static bool all_but_0x5a(unsigned u)
{
	return u != 0x5A;
}

static bool odd_parity(unsigned u)
{
	return __builtin_popcount(u) & 1;
}

static bool cube_1x0x(unsigned u) /* umask & 0xA0 == 0x80: 64 umasks */
{
	return (u & 0xA0) == 0x80;
}

static bool two_cubes(unsigned u) /* 0x0? and 0xF?: 32 umasks, 2 cubes */
{
	return (u & 0xF0) == 0x00 || (u & 0xF0) == 0xF0;
}

static void test_known_minima(void **state)
{
	(void)state;
	assert_int_equal(compile_set(all_umasks), 1);
	assert_int_equal(compile_set(all_but_0x5a), 2);
	assert_int_equal(compile_set(odd_parity), 128);
	assert_int_equal(compile_set(cube_1x0x), 1);
	assert_int_equal(compile_set(two_cubes), 2);
}

/* A cyclic core: no essential prime. Over bits 0..2 (the others 0), the
 * six umasks 000 001 011 111 110 100 form a ring of six adjacent pairs
 * (the primes); every 4-umask face holds 010 or 101, so no larger cube
 * fits, and the whole 3-bit cube minus {010, 101} is not one exclude:
 * 3 entries is the minimum of every form. */
static bool ring6(unsigned u)
{
	/* over bits 0..2 (others 0): 000 001 011 111 110 100, not 010 and 101 */
	return u < 8 && u != 2 && u != 5;
}

static void test_cyclic_core(void **state)
{
	(void)state;
	/* primes: 6 pairs around the ring; no essential; minimum 3 */
	assert_int_equal(compile_set(ring6), 3);
}

/* The compiled random masked filters on the real kernel. */
static void test_kvm_accepts(void **state)
{
	(void)state;
	int kvm = need_kvm_filter();
	enum pmuf_flavor fl;
	int r = kvm_sys_probe_flavor(&fl);
	if (r < 0) {
		close(kvm);
		need_skip("kvm", "cannot probe KVM's PMU flavor: %s", strerror(-r));
	}
	struct pmuf_rng rng;
	pmuf_rng_seed(&rng, 0x5EED0014);
	int installed = 0;
	for (int c = 0; c < NKVM; c++) {
		struct pmuf_filter in, out;
		random_masked(&rng, fl, &in);
		int err = pmuf_compile(&in, fl, PMUF_CHOOSE_AUTO, &out);
		assert_int_equal(err, 0);
		int vm = kvm_sys_create_vm(kvm);
		if (vm < 0)
			fail_msg("KVM_CREATE_VM: %s", strerror(-vm));
		r = __vm_set_pmu_filter(vm, &out);
		close(vm);
		if (r)
			fail_msg("filter %d (%zu entries): KVM_SET_PMU_EVENT_FILTER: %s", c, out.nevents,
				 pmuf_errno_name(r));
		installed++;
		pmuf_free(&in);
		pmuf_free(&out);
	}
	close(kvm);
	print_message("%d compiled filters installed on fresh VMs (flavor %s)\n", installed, pmuf_flavor_name(fl));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masked_never_grow), cmocka_unit_test(test_exact_densities),
		cmocka_unit_test(test_known_minima),	  cmocka_unit_test(test_cyclic_core),
		cmocka_unit_test(test_kvm_accepts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
