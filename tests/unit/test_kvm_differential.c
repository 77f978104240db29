/* test_kvm_differential.c — pmuf_validate against the running kernel's
 * KVM_SET_PMU_EVENT_FILTER: 10,000 random filters (filters/random.c: both
 * modes, random stray bits, sizes 0-301, random actions, flags and pad),
 * each installed on a fresh VM; every verdict (0 / EINVAL / E2BIG) must
 * agree. The flavor is the one KVM validates with, probed by
 * kvm_sys_probe_flavor.
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

#include "kvm-need.h"
#include "pmuf-random.h"
#include "pmuf.h"

#define NFILTERS 10000
#define MAX_REPORTED 10

static struct pmuf_rng rng;

/* One random filter (filters/random.c) as the model and as the ioctl's bytes. */
static void *rnd_filter(struct pmuf_filter *f, size_t *len)
{
	void *buf;

	assert_int_equal(pmuf_random_filter(&rng, f), 0);
	assert_int_equal(pmuf_to_kvm(f, &buf, len), 0);
	return buf;
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
	kvm = need_kvm_filter();
	/* Our validation is the 6.3+ kernel's (masked events). */
	r = kvm_sys_probe_flavor(&fl);
	if (r < 0) {
		close(kvm);
		print_message("SKIP: cannot probe KVM's PMU flavor: %s%s\n", strerror(-r),
			      r == -EOPNOTSUPP ? " (no KVM_CAP_PMU_EVENT_MASKED_EVENTS)" : "");
		skip();
	}
	other = fl == PMUF_FLAVOR_INTEL ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL;
	pmuf_rng_seed(&rng, seed);

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
