/* test_payloads.c — boots every guest payload on this host's KVM and
 * checks that it ran: the mailbox magic echoed, the number of samples
 * asked for, the exiting instructions the guest counted against what the
 * host saw (userspace exits exactly; KVM's binary stats: exits, or
 * insn_emulation where KVM emulates the guest), faults recorded rather
 * than fatal, VMCALL reported whether it returns or hangs, and the PMU
 * payload's reprogram and verify commands (counting only with a vPMU).
 * No timing thresholds. */
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
#include "pmuf.h"
#include "vm.h"

#define N 20

struct fix {
	struct vm *vm;
	struct vcpu *v;
	uint32_t msr; /* a baseline MSR a guest can write, 0 if none */
	bool vpmu;
};

static int setup(void **state)
{
	int fd = kvm_sys_open();
	if (fd < 0) {
		print_message("SKIP: /dev/kvm not usable (%s)\n", strerror(-fd));
		*state = NULL;
		return 0;
	}
	struct fix *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	struct kvm_vpmu_info vp;
	memset(&vp, 0, sizeof(vp));
	f->vpmu = kvm_sys_vpmu(fd, &vp) == 0 && vp.present;
	assert_int_equal(__vm_create(fd, &f->vm), 0);
	close(fd);
	assert_int_equal(__vcpu_add(f->vm, 0, &f->v), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	if (f) {
		vm_free(f->vm);
		free(f);
	}
	return 0;
}

static struct fix *need(void **state)
{
	if (!*state)
		need_skip("kvm", "/dev/kvm not usable (the setup said why)");
	return *state;
}

static struct guest_mailbox *load(struct fix *f, const char *payload)
{
	assert_int_equal(__vm_load(f->vm, vm_payload_find(payload)), 0);
	return vm_mailbox(f->vm);
}

/* Runs the SYNC(1) / SYNC(2) / DONE protocol; *timed gets the middle run. */
static void run3(struct fix *f, struct vm_run_result *timed)
{
	struct vm_run_result r;
	char why[256];
	for (uint64_t stage = 1; stage <= 3; stage++) {
		assert_int_equal(vcpu_run(f->v, 10000, &r), 0);
		if (r.kind != (stage < 3 ? VM_EXIT_SYNC : VM_EXIT_DONE))
			fail_msg("stage %llu: %s: %s", (unsigned long long)stage,
				 vm_exit_kind_name(r.kind), r.msg);
		if (stage == 2) {
			assert_int_equal(r.detail[0], 2);
			*timed = r;
			if (vm_mailbox_check(f->vm, why, sizeof(why)))
				fail_msg("mailbox: %s", why);
			/* Real samples pass the plausibility check, offset and all. */
			struct vm_tsc_window w = { .host_begin = r.tsc_first, .host_end = r.tsc_last };
			w.have_offset = !vcpu_arch_tsc_offset(f->v, &w.offset);
			if (vm_samples_check(vm_mailbox(f->vm), &w, why, sizeof(why)))
				fail_msg("samples (TSC offset %s): %s", w.have_offset ? "known" : "unknown",
					 why);
		}
	}
}

/* The first MSR of the list a guest can read and write here. */
static uint32_t pick_msr(struct fix *f)
{
	static const uint32_t cands[] = { 0x3b, 0x48, 0xc0000103 };
	struct vm_run_result r;
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		struct guest_mailbox *mb = load(f, "baseline");
		mb->cmd = GUEST_CMD_WRMSR;
		mb->msr = cands[i];
		mb->nsamples_req = 1;
		mb->warmup = 1;
		mb->nvalues = 1;
		assert_int_equal(vcpu_run_to_end(f->v, 10000, &r), 0);
		if (r.kind == VM_EXIT_DONE && mb->status == GUEST_ST_OK)
			return cands[i];
		/* A #GP is recorded in the fault log and ends the command, not the VM. */
		assert_int_equal(mb->status, GUEST_ST_FAILED);
		assert_true(mb->nfaults >= 1);
		assert_int_equal(mb->faults[0].vector, 13);
		assert_int_equal(mb->faults[0].fixed_up, 1);
	}
	return 0;
}

static void check_counts(const char *what, uint32_t cmd, const struct vm_run_result *r,
			 uint64_t exiting)
{
	print_message("%s: exiting %llu, KVM_RUN calls %llu, bench pio %llu, kvm exits %lld, "
		      "insn_emulation %lld\n", what, (unsigned long long)exiting,
		      (unsigned long long)r->run_calls, (unsigned long long)r->bench_pio,
		      r->have_stats ? (long long)r->delta.exits : -1LL,
		      r->have_stats ? (long long)r->delta.insn_emulation : -1LL);
	if (cmd == GUEST_CMD_PIO) {
		/* Every port write is a userspace exit: exactly what the guest counted,
		 * plus the SYNC(2) doorbell. */
		assert_int_equal(r->bench_pio, exiting);
		assert_int_equal(r->run_calls, exiting + 1);
		if (r->have_stats && r->delta.exits != VM_STAT_ABSENT)
			assert_true(r->delta.exits >= exiting + 1);
		return;
	}
	assert_int_equal(r->bench_pio, 0);
	assert_int_equal(r->run_calls, 1); /* in-kernel exits never reach userspace */
	if (!r->have_stats || !exiting)
		return;
	/* A lower bound only; baseline_case asserts the exact relation. Run
	 * natively (as many exits as exiting instructions, or more), each one
	 * is an exit and the SYNC(2) doorbell one more; run by KVM's emulator
	 * (fewer exits), each one went through the emulator. */
	if (r->delta.exits != VM_STAT_ABSENT && r->delta.exits >= exiting)
		assert_true(r->delta.exits >= exiting + 1);
	else
		assert_true(r->delta.insn_emulation != VM_STAT_ABSENT &&
			    r->delta.insn_emulation >= exiting);
}

/* Runs the baseline payload: cmd, mode, n samples, block; flags. */
static void baseline_run(struct fix *f, uint32_t cmd, uint32_t mode, uint32_t n, uint32_t block,
			 uint32_t flags, struct vm_run_result *t)
{
	struct guest_mailbox *mb = load(f, "baseline");
	mb->cmd = cmd;
	mb->mode = mode;
	mb->nsamples_req = n;
	mb->warmup = 3;
	mb->block_len = block;
	mb->msr = f->msr;
	mb->nvalues = 1;
	mb->flags = flags;
	run3(f, t);
	assert_int_equal(mb->guest_magic, GUEST_ABI_MAGIC);
	assert_int_equal(mb->status, GUEST_ST_OK);
	assert_int_equal(mb->nsamples, n);
	assert_int_equal(mb->hist_total, n);
	uint64_t per = cmd == GUEST_CMD_NOP || (flags & GUEST_F_OMIT_INSN) ? 0 : block;
	uint64_t want = (flags & GUEST_F_PAIRED) ? (uint64_t)(n + 1) / 2 * per : (uint64_t)n * per;
	assert_int_equal(mb->exiting_insns, want);
	for (unsigned i = 0; i < n; i++)
		assert_true(mb->samples[i] > 0);
}

/* KVM's stats against the exiting instructions executed.
 * - Port writes exit to userspace: counted exactly (check_counts).
 * - Natively run guest (no instruction emulation seen): every exiting
 *   instruction is one VM exit, so the `exits` delta of the timed part,
 *   less the exits host interrupts and signals cause (irq_exits,
 *   signal_exits), is the exiting instructions plus the SYNC(2) doorbell.
 *   (Not exercised on the development host, which emulates.)
 * - Emulated guest (PVM running a non-PVM guest: KVM's emulator executes
 *   every guest instruction, and `exits` barely moves): insn_emulation
 *   counts every instruction, timing code included, so it cannot equal the
 *   exiting ones; but the run with the instruction minus the identical run
 *   without it (GUEST_F_OMIT_INSN) is exactly the exiting instructions —
 *   each one is one emulated instruction. Measured here for every baseline
 *   and both modes: the difference is exact, run after run. */
static void baseline_case(struct fix *f, uint32_t cmd, uint32_t mode, uint32_t block)
{
	struct vm_run_result t, o;
	char what[64];
	baseline_run(f, cmd, mode, N, block, 0, &t);
	uint64_t want = cmd == GUEST_CMD_NOP ? 0 : (uint64_t)N * block;
	snprintf(what, sizeof(what), "baseline cmd %u mode %u", cmd, mode);
	check_counts(what, cmd, &t, want);
	if (cmd == GUEST_CMD_PIO || !want || !t.have_stats)
		return;
	baseline_run(f, cmd, mode, N, block, GUEST_F_OMIT_INSN, &o);
	print_message("  without the instruction: kvm exits %lld, insn_emulation %lld\n",
		      (long long)o.delta.exits, (long long)o.delta.insn_emulation);
	bool emulated = t.delta.insn_emulation != VM_STAT_ABSENT && t.delta.insn_emulation >= want &&
			t.delta.exits < want;
	if (emulated) {
		assert_int_equal(t.delta.insn_emulation - o.delta.insn_emulation, want);
	} else {
		assert_true(t.delta.exits != VM_STAT_ABSENT);
		uint64_t noise = 0;
		if (t.delta.irq_exits != VM_STAT_ABSENT)
			noise += t.delta.irq_exits;
		if (t.delta.signal_exits != VM_STAT_ABSENT)
			noise += t.delta.signal_exits;
		assert_int_equal(t.delta.exits - noise, want + 1);
	}
}

static void test_baselines(void **state)
{
	struct fix *f = need(state);
	f->msr = pick_msr(f);
	uint32_t cmds[] = { GUEST_CMD_NOP, GUEST_CMD_CPUID, GUEST_CMD_PIO, GUEST_CMD_RDMSR,
			    GUEST_CMD_WRMSR };
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if ((cmds[i] == GUEST_CMD_RDMSR || cmds[i] == GUEST_CMD_WRMSR) && !f->msr) {
			print_message("note: no candidate MSR is writable here; MSR baselines skipped\n");
			continue;
		}
		baseline_case(f, cmds[i], GUEST_MODE_EACH, 1);
		baseline_case(f, cmds[i], GUEST_MODE_AMORTIZED, 4);
	}
}

static void test_omit_runs_nothing(void **state)
{
	struct fix *f = need(state);
	struct vm_run_result t;
	struct guest_mailbox *mb = load(f, "baseline");
	mb->cmd = GUEST_CMD_PIO;
	mb->nsamples_req = N;
	mb->nvalues = 1;
	mb->flags = GUEST_F_OMIT_INSN;
	run3(f, &t);
	assert_int_equal(mb->nsamples, N);
	assert_int_equal(mb->exiting_insns, 0);
	assert_int_equal(t.bench_pio, 0); /* the overhead run really leaves the OUT out */
}

static void test_bad_cmd(void **state)
{
	struct fix *f = need(state);
	struct vm_run_result r;
	const char *payloads[] = { "baseline", "pmu", "selftest" };
	for (size_t i = 0; i < 3; i++) {
		struct guest_mailbox *mb = load(f, payloads[i]);
		mb->cmd = 200;
		mb->nvalues = 1;
		mb->pmu_kind = GUEST_PMU_INTEL;
		assert_int_equal(vcpu_run_to_end(f->v, 10000, &r), 0);
		assert_int_equal(r.kind, VM_EXIT_DONE);
		assert_int_equal(mb->status, GUEST_ST_BAD_CMD);
	}
}

/* VMCALL has been seen to hang a guest here: whatever happens is reported,
 * and the host goes on. Its own VM. */
static void test_vmcall_reported(void **state)
{
	struct fix *f = need(state);
	struct vm *vm;
	struct vcpu *v;
	struct vm_run_result r;
	assert_int_equal(__vm_create(-1, &vm), 0);
	assert_int_equal(__vcpu_add(vm, 0, &v), 0);
	assert_int_equal(__vm_load(vm, vm_payload_find("baseline")), 0);
	struct guest_mailbox *mb = vm_mailbox(vm);
	mb->cmd = GUEST_CMD_VMCALL;
	mb->nsamples_req = 5;
	mb->warmup = 1;
	mb->nvalues = 1;
	assert_int_equal(vcpu_run_to_end(v, 1500, &r), 0);
	print_message("vmcall: %s: %s\n", vm_exit_kind_name(r.kind), r.msg);
	if (r.kind == VM_EXIT_DONE) {
		assert_int_equal(mb->status, GUEST_ST_OK);
		assert_int_equal(mb->nsamples, 5);
	} else {
		assert_true(r.kind == VM_EXIT_TIMEOUT || r.kind == VM_EXIT_ABORT ||
			    r.kind == VM_EXIT_INTERNAL_ERROR || r.kind == VM_EXIT_UNEXPECTED);
		assert_true(strlen(r.msg) > 0);
	}
	vm_free(vm);
	/* The other VM still works. */
	baseline_case(f, GUEST_CMD_CPUID, GUEST_MODE_EACH, 1);
}

static void reprogram_case(struct fix *f, uint32_t flags)
{
	struct vm_run_result t;
	struct guest_mailbox *mb = load(f, "pmu");
	uint64_t ev = pmuf_eventsel_make(0xC0, 0);
	mb->cmd = GUEST_CMD_REPROGRAM;
	mb->pmu_kind = vcpu_arch_pmu_kind(f->v);
	mb->nsamples_req = N;
	mb->warmup = 2;
	mb->workload_loops = 50;
	mb->flags = flags;
	mb->nvalues = 2;
	mb->values[0] = ev;
	mb->values[1] = ev ^ (1ull << 16);
	run3(f, &t);
	assert_int_equal(mb->guest_magic, GUEST_ABI_MAGIC);
	assert_int_equal(mb->status, GUEST_ST_OK);
	assert_int_equal(mb->nresults, 2);
	assert_int_equal(mb->results[0].value, mb->values[0]);
	assert_int_equal(mb->results[1].value, mb->values[1]);
	uint32_t wv = mb->results[0].wrmsr_vector;
	if (wv == 0) {
		assert_int_equal(mb->nsamples, N);
	} else {
		/* MSR not there: recorded per value, not fatal. */
		assert_int_equal(wv, 13);
		assert_int_equal(mb->nsamples, 0);
		assert_true(mb->nfaults >= N);
	}
	uint64_t per = (flags & GUEST_F_WRITES_ONLY) ? 1 : 5;
	assert_int_equal(mb->exiting_insns, per * N + ((flags & GUEST_F_WRITES_ONLY) ? 1 : 0));
	if (!(flags & GUEST_F_WRITES_ONLY)) {
		uint32_t pv = mb->results[0].rdpmc_vector;
		assert_true(pv == 0 || pv == 13);
		if (!f->vpmu) /* nothing counts without a vPMU */
			assert_int_equal(mb->results[0].count_rdmsr, 0);
	}
	check_counts("reprogram", GUEST_CMD_REPROGRAM, &t, mb->exiting_insns);
}

static void test_reprogram(void **state)
{
	struct fix *f = need(state);
	assert_int_not_equal(vcpu_arch_pmu_kind(f->v), GUEST_PMU_NONE);
	reprogram_case(f, 0);
	reprogram_case(f, GUEST_F_WRITES_ONLY);
}

/* Installs an ALLOW filter of {select} and runs VERIFY on allowed and denied. */
static void test_verify(void **state)
{
	struct fix *f = need(state);
	struct vm_run_result t;
	struct pmuf_filter flt;
	pmuf_init(&flt, PMUF_ARCH_X86);
	flt.action = PMUF_ALLOW;
	flt.fixed_counter_bitmap = 1; /* fixed counter 0 allowed, 1 and 2 denied */
	assert_int_equal(pmuf_add_event(&flt, pmuf_exact_encode(0xC0, 0), NULL), 0);
	assert_int_equal(__vm_set_pmu_filter(f->vm->fd, &flt), 0);
	pmuf_free(&flt);

	struct guest_mailbox *mb = load(f, "pmu");
	enum guest_pmu_kind kind = vcpu_arch_pmu_kind(f->v);
	mb->cmd = GUEST_CMD_VERIFY;
	mb->pmu_kind = kind;
	mb->workload_loops = 1000;
	mb->nvalues = 2;
	mb->values[0] = pmuf_eventsel_make(0xC0, 0); /* allowed: instructions retired */
	mb->values[1] = pmuf_eventsel_make(0xC4, 0); /* denied: branches (Intel) */
	mb->nfixed = kind == GUEST_PMU_INTEL ? 3 : 0;
	run3(f, &t);
	assert_int_equal(mb->status, GUEST_ST_OK);
	assert_int_equal(mb->nresults, 2);
	if (!f->vpmu) {
		print_message("note: no vPMU here: VERIFY ran (RDPMC vector %u), counting checks need "
			      "one\n", mb->results[0].rdpmc_vector);
		assert_int_equal(mb->results[0].count_rdmsr, 0);
		assert_int_equal(mb->results[1].count_rdmsr, 0);
		return;
	}
	/* With a vPMU: the allowed event counts at least the workload's
	 * instructions, the denied one reads 0, fixed counters per the bitmap. */
	assert_int_equal(mb->results[0].wrmsr_vector, 0);
	assert_true(mb->results[0].count_rdmsr >= 1000);
	assert_int_equal(mb->results[1].count_rdmsr, 0);
	if (kind == GUEST_PMU_INTEL && mb->fixed_vector[0] == 0) {
		assert_true(mb->fixed_counts[0] >= 1000);
		assert_int_equal(mb->fixed_counts[1], 0);
		assert_int_equal(mb->fixed_counts[2], 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_baselines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_omit_runs_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_cmd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmcall_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reprogram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
