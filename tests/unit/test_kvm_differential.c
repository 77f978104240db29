/* test_kvm_differential.c — pmuf_validate against the running kernel's
 * KVM_SET_PMU_EVENT_FILTER: 10,000 random filters (both modes, random stray
 * bits, sizes 0-301, random actions, flags and pad), each installed on a
 * fresh VM; every verdict (0 / EINVAL / E2BIG) must agree. The flavor is
 * the one KVM validates with, probed by kvm_sys_probe_flavor.
 *
 * A fresh VM per filter costs ~0.5 ms here (PVM, kernel 6.18; the filter
 * ioctl alone ~50 us because of its expedited SRCU grace period), so 10,000
 * take ~5 s, also under ASan (the time is in the kernel). Set
 * PFBENCH_DIFF_SEED to replay another seed. Skips, saying why, without a
 * usable /dev/kvm or the filter capabilities. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvm-compat.h"
#include "kvm-sys.h"
#include "pmuf.h"

#define NFILTERS 10000
#define MAX_REPORTED 10

static uint64_t rng_state;

static uint64_t rnd(void) /* xorshift64*: the same sequence everywhere */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* A bit outside the valid entry bits of some mode or flavor. */
static uint64_t stray_bit(void)
{
	switch (below(5)) {
	case 0:
	case 1:
		return 1ull << (32 + below(4)); /* select 11:8: flavor decides */
	case 2:
		return 1ull << (16 + below(16));
	case 3:
		return 1ull << (36 + below(19));
	default:
		return 1ull << (55 + below(9)); /* exclude, umask mask (unmasked: dropped) */
	}
}

/* 12-bit selects are valid masked entries on the AMD flavor only. */
static uint16_t rnd_select(bool wide)
{
	return (uint16_t)(wide && below(3) == 0 ? below(0x1000) : below(0x100));
}

/* A clean entry of the mode, or (stray_pct % of the time) one with a
 * stray bit, a random u64, or the other mode's encoding. */
static uint64_t rnd_entry(bool masked, bool wide, unsigned stray_pct)
{
	uint16_t sel = rnd_select(wide);
	uint64_t e = masked ? pmuf_masked_encode(sel, (uint8_t)below(256), (uint8_t)below(256),
						 below(3) == 0)
			    : pmuf_exact_encode(sel, (uint8_t)below(256));

	if (below(100) >= stray_pct)
		return e;
	switch (below(8)) {
	case 0:
		return rnd();
	case 1:
		return masked ? pmuf_exact_encode(sel, (uint8_t)below(256))
			      : pmuf_masked_encode(sel, (uint8_t)below(256), (uint8_t)below(256),
						   below(2));
	default:
		return e | stray_bit();
	}
}

static uint32_t rnd_action(void)
{
	static const uint32_t odd[] = { 2, 3, 0x80000000u, 0xFFFFFFFFu };

	if (below(100) < 85)
		return below(2);
	return below(2) ? odd[below(4)] : (uint32_t)rnd();
}

static uint32_t rnd_flags(void)
{
	static const uint32_t odd[] = { 2, 3, 0x80000000u, 0x80000001u };

	switch (below(20)) {
	case 0:
		return odd[below(4)];
	case 1:
		return (uint32_t)rnd();
	default:
		return below(2) ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0;
	}
}

static size_t rnd_nevents(void)
{
	if (below(100) < 8)
		return 300 + below(2); /* the edge: 300 ok, 301 E2BIG */
	return below(302);         /* 0..301 */
}

/* Builds one random filter as the model and as the ioctl's bytes. */
static void *rnd_filter(struct pmuf_filter *f, size_t *len)
{
	static const unsigned stray_pcts[] = { 0, 0, 0, 1, 5, 50 };
	unsigned stray = stray_pcts[below(6)];
	bool wide = below(100) < 30;
	struct kvm_pmu_event_filter *h;
	uint64_t *ev;

	pmuf_init(f, PMUF_ARCH_X86);
	f->action = rnd_action();
	f->flags = rnd_flags();
	f->fixed_counter_bitmap = below(2) ? 0 : (uint32_t)rnd();
	for (int i = 0; i < 4; i++)
		f->pad[i] = below(2) ? 0 : (uint32_t)rnd();
	f->nevents = rnd_nevents();
	f->events = f->nevents ? malloc(f->nevents * sizeof(*f->events)) : NULL;
	assert_true(!f->nevents || f->events);
	/* A single stray entry somewhere is the interesting masked case. */
	size_t one_stray = stray == 1 && f->nevents ? below((unsigned)f->nevents) : SIZE_MAX;
	for (size_t i = 0; i < f->nevents; i++) {
		f->events[i] = rnd_entry(f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS, wide,
					 stray == 1 ? 0 : stray);
		if (i == one_stray)
			f->events[i] |= stray_bit();
	}

	*len = sizeof(*h) + f->nevents * sizeof(uint64_t);
	h = calloc(1, *len);
	assert_non_null(h);
	h->action = f->action;
	h->nevents = (uint32_t)f->nevents;
	h->fixed_counter_bitmap = f->fixed_counter_bitmap;
	h->flags = f->flags;
	memcpy(h->pad, f->pad, sizeof(h->pad));
	ev = (uint64_t *)(h + 1);
	if (f->nevents)
		memcpy(ev, f->events, f->nevents * sizeof(uint64_t));
	return h;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_differential(void **state)
{
	long n_ok = 0, n_einval = 0, n_e2big = 0, n_masked = 0, n_dropping = 0, n_flavor = 0;
	long mismatches = 0;
	enum pmuf_flavor fl, other;
	const char *seed_env = getenv("PFBENCH_DIFF_SEED");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x9E3779B97F4A7C15ull;
	double t0, t1;
	int kvm, r;

	(void)state;
	kvm = kvm_sys_open();
	if (kvm < 0) {
		print_message("SKIP: /dev/kvm not usable: %s\n", strerror(-kvm));
		skip();
	}
	if (kvm_sys_check_cap(kvm, KVM_CAP_PMU_EVENT_FILTER) <= 0) {
		close(kvm);
		print_message("SKIP: KVM lacks KVM_CAP_PMU_EVENT_FILTER\n");
		skip();
	}
	/* Our validation is the 6.3+ kernel's (masked events). */
	r = kvm_sys_probe_flavor(&fl);
	if (r < 0) {
		close(kvm);
		print_message("SKIP: cannot probe KVM's PMU flavor: %s%s\n", strerror(-r),
			      r == -EOPNOTSUPP ? " (no KVM_CAP_PMU_EVENT_MASKED_EVENTS)" : "");
		skip();
	}
	other = fl == PMUF_FLAVOR_INTEL ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL;
	rng_state = seed ? seed : 1;

	t0 = now_s();
	for (int i = 0; i < NFILTERS; i++) {
		struct pmuf_filter f;
		struct pmuf_verdict v, vo;
		size_t len;
		void *buf = rnd_filter(&f, &len);
		int vm = kvm_sys_create_vm(kvm);

		if (vm < 0)
			fail_msg("KVM_CREATE_VM: %s", strerror(-vm));
		r = __vm_set_pmu_filter_raw(vm, buf, len);
		close(vm);
		pmuf_validate(&f, fl, &v);
		pmuf_validate(&f, other, &vo);

		if (r != v.err) {
			if (++mismatches <= MAX_REPORTED)
				print_message("MISMATCH filter %d: kernel %s, pmuf %s (%s); action %u "
					      "flags 0x%x nevents %zu\n",
					      i, pmuf_errno_name(r), pmuf_errno_name(v.err), v.reason,
					      f.action, f.flags, f.nevents);
		}
		n_ok += r == 0;
		n_einval += r == -EINVAL;
		n_e2big += r == -E2BIG;
		n_masked += pmuf_is_masked(&f) && !(f.flags & ~KVM_PMU_EVENT_FLAGS_VALID_MASK);
		n_dropping += v.err == 0 && v.ndropped > 0;
		n_flavor += vo.err != v.err;
		pmuf_verdict_free(&v);
		pmuf_verdict_free(&vo);
		pmuf_free(&f);
		free(buf);
	}
	t1 = now_s();
	close(kvm);

	print_message("%d filters, flavor %s, seed 0x%llx, %.2f s (%.0f us per VM + filter)\n",
		      NFILTERS, pmuf_flavor_name(fl), (unsigned long long)seed, t1 - t0,
		      (t1 - t0) / NFILTERS * 1e6);
	print_message("kernel verdicts: ok %ld, EINVAL %ld, E2BIG %ld, other %ld; "
		      "mismatches %ld\n",
		      n_ok, n_einval, n_e2big, NFILTERS - n_ok - n_einval - n_e2big, mismatches);
	print_message("masked %ld; accepted with dropped entries %ld; verdict differs under "
		      "the other flavor %ld\n",
		      n_masked, n_dropping, n_flavor);
	assert_int_equal(mismatches, 0);
	/* The sample must exercise every verdict and the flavor. */
	assert_true(n_ok > 0 && n_einval > 0 && n_e2big > 0 && n_flavor > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_differential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
