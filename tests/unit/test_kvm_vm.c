/* test_kvm_vm.c — the VMM (bench/kvm/vm.h): mailbox validation of
 * guest-written values (no KVM needed), image header checks, and with
 * /dev/kvm the run loop on misbehaving guests: a spinning guest stopped by
 * the watchdog, a triple fault, out-of-range counts and indices, an
 * unexpected exception, a failing GUEST_ASSERT, GUEST_SYNC stages, and the
 * binary stats reader. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvm-sys.h"
#include "need.h"
#include "vm.h"

/* ---- no KVM: a struct vm over plain memory ---- */

static struct vm *fake_vm(void)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	assert_non_null(vm);
	vm->mem_size = GUEST_MEM_SIZE;
	vm->mem = calloc(1, GUEST_MEM_SIZE);
	assert_non_null(vm->mem);
	vm->fd = vm->kvm_fd = -1;
	struct guest_mailbox *mb = vm_mailbox(vm);
	mb->magic = GUEST_ABI_MAGIC;
	mb->version = GUEST_ABI_VERSION;
	mb->size = sizeof(*mb);
	mb->cmd = GUEST_CMD_CPUID;
	mb->nsamples_req = 10;
	mb->nvalues = 2;
	mb->guest_magic = GUEST_ABI_MAGIC;
	mb->status = GUEST_ST_OK;
	vm->asked.valid = true;
	vm->asked.cmd = GUEST_CMD_CPUID;
	vm->asked.nsamples_req = 10;
	vm->asked.nvalues = 2;
	return vm;
}

static void fake_free(struct vm *vm)
{
	free(vm->mem);
	free(vm);
}

static void test_gpa_bounds(void **state)
{
	(void)state;
	struct vm *vm = fake_vm();
	assert_non_null(vm_gpa(vm, 0, GUEST_MEM_SIZE));
	assert_non_null(vm_gpa(vm, GUEST_MEM_SIZE - 1, 1));
	assert_null(vm_gpa(vm, GUEST_MEM_SIZE - 1, 2));
	assert_null(vm_gpa(vm, GUEST_MEM_SIZE, 1));
	assert_null(vm_gpa(vm, UINT64_MAX - 2, 8)); /* no wrap-around */
	fake_free(vm);
}

/* Each case corrupts one field; the check must name it. */
struct bad_case {
	const char *name, *want;
	void (*corrupt)(struct guest_mailbox *mb);
};

static void c_count(struct guest_mailbox *mb) { mb->nsamples = 0xFFFFFFF0u; }
static void c_more_than_asked(struct guest_mailbox *mb) { mb->nsamples = 11; mb->hist_total = 11; mb->hist[3] = 11; }
static void c_index(struct guest_mailbox *mb) { mb->nresults = GUEST_MAX_VALUES + 7; }
static void c_results_vs_values(struct guest_mailbox *mb) { mb->nresults = 3; }
static void c_hist(struct guest_mailbox *mb) { mb->nsamples = 4; mb->hist_total = 4; mb->hist[2] = 3; }
static void c_magic(struct guest_mailbox *mb) { mb->guest_magic = 0; }
static void c_header(struct guest_mailbox *mb) { mb->size = 12; }
static void c_input(struct guest_mailbox *mb) { mb->nsamples_req = GUEST_MAX_SAMPLES; }
static void c_status(struct guest_mailbox *mb) { mb->status = 99; }
static void c_vector(struct guest_mailbox *mb) { mb->nfaults = 1; mb->faults[0].vector = 300; }
static void c_fixed_vector(struct guest_mailbox *mb) { mb->fixed_vector[GUEST_MAX_FIXED - 1] = 256; }
static void c_nfixed(struct guest_mailbox *mb) { mb->nfixed = 1; }
static void c_string(struct guest_mailbox *mb) { memset(mb->ucall.file, 'A', sizeof(mb->ucall.file)); }

static const struct bad_case bad_cases[] = {
	{ "count beyond samples[]", "nsamples", c_count },
	{ "more samples than asked", "nsamples", c_more_than_asked },
	{ "index beyond results[]", "nresults", c_index },
	{ "more results than values", "nresults", c_results_vs_values },
	{ "histogram disagrees", "hist", c_hist },
	{ "never started", "never started", c_magic },
	{ "header overwritten", "header", c_header },
	{ "input overwritten", "input fields", c_input },
	{ "unknown status", "status", c_status },
	{ "impossible vector", "vector", c_vector },
	{ "impossible fixed-counter vector", "fixed_vector[", c_fixed_vector },
	{ "nfixed overwritten", "nfixed 1", c_nfixed },
	{ "unterminated string", "NUL", c_string },
};

static void test_mailbox_rejects(void **state)
{
	(void)state;
	char why[256];
	struct vm *vm = fake_vm();
	assert_int_equal(vm_mailbox_check(vm, why, sizeof(why)), 0);
	fake_free(vm);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		vm = fake_vm();
		bad_cases[i].corrupt(vm_mailbox(vm));
		int r = vm_mailbox_check(vm, why, sizeof(why));
		if (r != -EPROTO || !strstr(why, bad_cases[i].want))
			fail_msg("%s: got %d '%s', want -EPROTO naming '%s'", bad_cases[i].name, r, why,
				 bad_cases[i].want);
		fake_free(vm);
	}
}

/* vm_samples_check: a plausible run passes; each kind of impossible sample
 * fails, naming what is wrong. Guest TSC = host TSC + offset. */
struct samples_case {
	const char *name;
	uint64_t begin, end, s[3];
	uint64_t host_begin, host_end;
	int64_t offset;
	bool have_offset;
	const char *want; /* NULL: accepted */
};

static const struct samples_case samples_cases[] = {
	{ "plausible", 1000, 11000, { 100, 200, 300 }, 500, 20000, 0, true, NULL },
	{ "plausible, offset", 1000, 11000, { 3000, 3000, 3000 }, 10500, 30000, -10000, true, NULL },
	{ "plausible, offset unknown", 1000, 11000, { 100, 200, 300 }, 7, 19000, 0, false, NULL },
	{ "timed nothing", 0, 0, { 0, 0, 0 }, 500, 20000, 0, true, NULL },
	{ "2^64-1", 1000, 11000, { 100, UINT64_MAX, 300 }, 500, 20000, 0, true,
	  "sample 1 is 18446744073709551615 ticks" },
	{ "sum beyond the span", 1000, 11000, { 4000, 4000, 4000 }, 500, 20000, 0, true,
	  "samples 0..2 add up to 12000" },
	{ "span reversed", 11000, 1000, { 1, 2, 3 }, 500, 20000, 0, true, "ends before it begins" },
	{ "span longer than the host's run", 1000, 11000, { 1, 2, 3 }, 500, 5000, 0, false,
	  "longer than the host's run" },
	{ "outside the host's run", 1000, 11000, { 1, 2, 3 }, 500, 20000, -100000, true,
	  "not inside the host's run" },
	{ "before the host's run", 1000, 11000, { 1, 2, 3 }, 2000, 20000, 0, true,
	  "not inside the host's run" },
};

static void test_samples_check(void **state)
{
	(void)state;
	struct guest_mailbox *mb = calloc(1, sizeof(*mb));
	assert_non_null(mb);
	char why[256];
	for (size_t i = 0; i < sizeof(samples_cases) / sizeof(samples_cases[0]); i++) {
		const struct samples_case *c = &samples_cases[i];
		mb->tsc_begin = c->begin;
		mb->tsc_end = c->end;
		mb->nsamples = c->begin || c->end ? 3 : 0;
		memcpy(mb->samples, c->s, sizeof(c->s));
		struct vm_tsc_window w = { c->host_begin, c->host_end, c->offset, c->have_offset };
		int r = vm_samples_check(mb, &w, why, sizeof(why));
		if (!c->want ? r != 0 : r != -EPROTO || !strstr(why, c->want))
			fail_msg("%s: got %d '%s', want %s", c->name, r, why,
				 c->want ? c->want : "accepted");
	}
	free(mb);
}

static void test_payload_table(void **state)
{
	(void)state;
	const char *names[] = { "baseline", "pmu", "selftest" };
	for (size_t i = 0; i < 3; i++) {
		const struct vm_payload *p = vm_payload_find(names[i]);
		assert_non_null(p);
		assert_true(p->end - p->start > (ptrdiff_t)sizeof(struct guest_image_hdr));
		struct guest_image_hdr h;
		memcpy(&h, p->start, sizeof(h));
		assert_int_equal(h.magic, GUEST_IMAGE_MAGIC);
		assert_string_equal(h.name, names[i]);
		assert_true(h.entry >= GUEST_IMAGE_GPA && h.entry < h.image_end);
	}
	assert_null(vm_payload_find("no-such-payload"));
	assert_null(vm_payload_find(NULL));
}

/* ---- with /dev/kvm ---- */

struct kvm_fix {
	struct vm *vm;
	struct vcpu *v;
};

static int kvm_setup(void **state)
{
	int fd = kvm_sys_open();
	if (fd < 0) {
		print_message("SKIP: /dev/kvm not usable (%s)\n", strerror(-fd));
		*state = NULL;
		return 0;
	}
	close(fd);
	struct kvm_fix *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_int_equal(__vm_create(-1, &f->vm), 0);
	assert_int_equal(__vcpu_add(f->vm, 0, &f->v), 0);
	*state = f;
	return 0;
}

static int kvm_teardown(void **state)
{
	struct kvm_fix *f = *state;
	if (f) {
		vm_free(f->vm);
		free(f);
	}
	return 0;
}

static struct kvm_fix *need_kvm(void **state)
{
	if (!*state)
		need_skip("kvm", "/dev/kvm not usable (the setup said why)");
	return *state;
}

static void start(struct kvm_fix *f, const char *payload, uint32_t cmd)
{
	assert_int_equal(__vm_load(f->vm, vm_payload_find(payload)), 0);
	vm_mailbox(f->vm)->cmd = cmd;
}

static void test_watchdog_spin(void **state)
{
	struct kvm_fix *f = need_kvm(state);
	struct vm_run_result r;
	start(f, "selftest", GUEST_CMD_SPIN);
	assert_int_equal(vcpu_run(f->v, 5000, &r), 0);
	assert_int_equal(r.kind, VM_EXIT_SYNC); /* it started, then spins */
	assert_int_equal(vcpu_run(f->v, 300, &r), 0);
	assert_int_equal(r.kind, VM_EXIT_TIMEOUT);
	assert_non_null(strstr(r.msg, "watchdog"));
	/* Stopped, not hung: it returned after its timeout (a loose bound,
	 * not a performance threshold). The deadline counts from the call
	 * (detail[0]); wall_ns only from KVM_RUN on, after the watchdog was
	 * armed, so under load it can end just short of 300 ms. */
	assert_true(r.detail[0] >= 300ull * 1000000ull);
	assert_true(r.wall_ns <= r.detail[0]);
	assert_true(r.detail[0] < 60ull * 1000000000ull);
	print_message("spin: %s after %.0f ms\n", r.msg, r.detail[0] / 1e6);
}

/* One deadline over the whole run: the guest SYNCs (a segment ends and is
 * resumed), then loops; vcpu_run_to_end stops it once 100 ms have passed
 * since the call began, and says so with the real elapsed time. No upper
 * bound: how soon after the limit it stops is a benchmark figure. */
static void test_watchdog_one_deadline(void **state)
{
	struct kvm_fix *f = need_kvm(state);
	struct vm_run_result r;
	start(f, "selftest", GUEST_CMD_SPIN);
	assert_int_equal(vcpu_run_to_end(f->v, 100, &r), 0);
	assert_int_equal(r.kind, VM_EXIT_TIMEOUT);
	assert_true(r.detail[0] >= 100ull * 1000000ull);
	assert_true(r.wall_ns <= r.detail[0]); /* time inside the segments only */
	char want[64];
	snprintf(want, sizeof(want), "after %.1f ms (limit 100 ms)", r.detail[0] / 1e6);
	assert_non_null(strstr(r.msg, want));
	print_message("one deadline: %s\n", r.msg);
}

static void test_triple_fault(void **state)
{
	struct kvm_fix *f = need_kvm(state);
	struct vm_run_result r;
	start(f, "selftest", GUEST_CMD_TRIPLE_FAULT);
	assert_int_equal(vcpu_run_to_end(f->v, 5000, &r), 0);
	if (r.kind != VM_EXIT_SHUTDOWN)
		fail_msg("triple fault: got %s: %s", vm_exit_kind_name(r.kind), r.msg);
	assert_non_null(strstr(r.msg, "triple fault"));
}

static void test_bad_count_and_index(void **state)
{
	struct kvm_fix *f = need_kvm(state);
	struct vm_run_result r;
	start(f, "selftest", GUEST_CMD_BAD_COUNT);
	vm_mailbox(f->vm)->nsamples_req = 10;
	assert_int_equal(vcpu_run_to_end(f->v, 5000, &r), 0);
	assert_int_equal(r.kind, VM_EXIT_BAD_MAILBOX);
	assert_non_null(strstr(r.msg, "nsamples"));
	start(f, "selftest", GUEST_CMD_BAD_INDEX);
	vm_mailbox(f->vm)->nvalues = 2;
	assert_int_equal(vcpu_run_to_end(f->v, 5000, &r), 0);
	assert_int_equal(r.kind, VM_EXIT_BAD_MAILBOX);
	assert_non_null(strstr(r.msg, "nresults"));
	/* The host is unharmed: the same VM runs a good guest next. */
	start(f, "selftest", GUEST_CMD_SYNC3);
	assert_int_equal(vcpu_run_to_end(f->v, 5000, &r), 0);
	assert_int_equal(r.kind, VM_EXIT_DONE);
}

static void test_fault_and_assert(void **state)
{
	struct kvm_fix *f = need_kvm(state);
	struct vm_run_result r;
	start(f, "selftest", GUEST_CMD_FAULT);
	assert_int_equal(vcpu_run_to_end(f->v, 5000, &r), 0);
	assert_int_equal(r.kind, VM_EXIT_ABORT);
	assert_non_null(strstr(r.msg, "#UD"));
	struct guest_mailbox *mb = vm_mailbox(f->vm);
	assert_int_equal(mb->nfaults, 1);
	assert_int_equal(mb->faults[0].vector, 6);
	assert_int_equal(mb->faults[0].fixed_up, 0);
	assert_true(mb->faults[0].rip >= GUEST_IMAGE_GPA && mb->faults[0].rip < GUEST_IMAGE_GPA + GUEST_IMAGE_MAX);

	start(f, "selftest", GUEST_CMD_ASSERT);
	vm_mailbox(f->vm)->leaf = 41;
	assert_int_equal(vcpu_run_to_end(f->v, 5000, &r), 0);
	assert_int_equal(r.kind, VM_EXIT_ABORT);
	assert_string_equal(r.ucall_file, "selftest.c");
	assert_true(r.ucall_line > 0);
	assert_int_equal(r.ucall_arg[0], 41);
	assert_int_equal(r.ucall_arg[1], 42);
	assert_non_null(strstr(r.msg, "selftest.c:"));
}

static void test_sync_stages_and_stats(void **state)
{
	struct kvm_fix *f = need_kvm(state);
	struct vm_run_result r;
	start(f, "selftest", GUEST_CMD_SYNC3);
	for (uint64_t stage = 1; stage <= 3; stage++) {
		assert_int_equal(vcpu_run(f->v, 5000, &r), 0);
		assert_int_equal(r.kind, VM_EXIT_SYNC);
		assert_int_equal(r.detail[0], stage);
		assert_int_equal(r.run_calls, 1); /* one KVM_RUN per doorbell */
		if (r.have_stats && r.delta.exits != VM_STAT_ABSENT)
			assert_true(r.delta.exits >= 1); /* the doorbell is an exit */
	}
	assert_int_equal(vcpu_run(f->v, 5000, &r), 0);
	assert_int_equal(r.kind, VM_EXIT_DONE);
	assert_int_equal(vm_mailbox(f->vm)->guest_magic, GUEST_ABI_MAGIC);

	if (!f->v->stats) {
		print_message("note: no KVM_GET_STATS_FD on this kernel; stats checks skipped\n");
		return;
	}
	assert_true(vcpu_stats_count(f->v) > 0);
	int i = vcpu_stats_index(f->v, "exits");
	assert_true(i >= 0);
	assert_string_equal(vcpu_stats_name(f->v, (size_t)i), "exits");
	assert_int_equal(vcpu_stats_index(f->v, "no_such_stat"), -ENOENT);
	uint64_t *vals = calloc(vcpu_stats_count(f->v), sizeof(*vals));
	assert_non_null(vals);
	assert_int_equal(vcpu_stats_read(f->v, vals), 0);
	assert_true(vals[i] >= 4); /* at least the four doorbells above */
	free(vals);
}

static void test_bad_image(void **state)
{
	struct kvm_fix *f = need_kvm(state);
	const struct vm_payload *good = vm_payload_find("selftest");
	size_t len = (size_t)(good->end - good->start);
	uint8_t *copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, good->start, len);
	struct vm_payload p = { "broken", "", copy, copy + len };
	copy[0] ^= 0xFF; /* magic */
	assert_int_equal(__vm_load(f->vm, &p), -ENOEXEC);
	copy[0] ^= 0xFF;
	struct guest_image_hdr h;
	memcpy(&h, copy, sizeof(h));
	h.entry = 0x10; /* outside the image */
	memcpy(copy, &h, sizeof(h));
	assert_int_equal(__vm_load(f->vm, &p), -ENOEXEC);
	struct vm_payload tiny = { "tiny", "", copy, copy + 8 };
	assert_int_equal(__vm_load(f->vm, &tiny), -ENOEXEC);
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpa_bounds),
		cmocka_unit_test(test_mailbox_rejects),
		cmocka_unit_test(test_payload_table),
		cmocka_unit_test(test_samples_check),
		cmocka_unit_test_setup_teardown(test_watchdog_spin, kvm_setup, kvm_teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_one_deadline, kvm_setup, kvm_teardown),
		cmocka_unit_test_setup_teardown(test_triple_fault, kvm_setup, kvm_teardown),
		cmocka_unit_test_setup_teardown(test_bad_count_and_index, kvm_setup, kvm_teardown),
		cmocka_unit_test_setup_teardown(test_fault_and_assert, kvm_setup, kvm_teardown),
		cmocka_unit_test_setup_teardown(test_sync_stages_and_stats, kvm_setup, kvm_teardown),
		cmocka_unit_test_setup_teardown(test_bad_image, kvm_setup, kvm_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
