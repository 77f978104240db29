/* run.c — the vCPU run loop: KVM_RUN until the guest rings the ucall
 * doorbell or stops, every exit reason classified with a message, a
 * watchdog (a POSIX timer signal to this thread that sets
 * kvm_run->immediate_exit) so a stuck guest never hangs the tool, host
 * KVM_RUN time, and KVM stats around the run. See vm.h. */
#include "vm.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "tsc.h"

static __thread struct kvm_run *volatile wd_run;
static __thread volatile sig_atomic_t wd_fired;
static pthread_once_t wd_once = PTHREAD_ONCE_INIT;
static int wd_err;

static int wd_signal(void)
{
	return SIGRTMIN + 2;
}

static void wd_handler(int sig)
{
	(void)sig;
	wd_fired = 1;
	struct kvm_run *r = wd_run;
	if (r)
		r->immediate_exit = 1;
}

static void wd_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wd_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: KVM_RUN must return EINTR */
	if (sigaction(wd_signal(), &sa, NULL) < 0)
		wd_err = -errno;
}

/* Arms a timer that signals this thread at the absolute CLOCK_MONOTONIC
 * time deadline_ns (at once if it has passed), then every 10 ms until
 * deleted. */
static int wd_arm(uint64_t deadline_ns, timer_t *t)
{
	pthread_once(&wd_once, wd_install);
	if (wd_err)
		return wd_err;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, wd_signal());
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = wd_signal();
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, t) < 0)
		return -errno;
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(deadline_ns / 1000000000ull),
			      .tv_nsec = (long)(deadline_ns % 1000000000ull) },
		.it_interval = { .tv_sec = 0, .tv_nsec = 10 * 1000000L },
	};
	if (timer_settime(*t, TIMER_ABSTIME, &its, NULL) < 0) {
		int err = -errno;
		timer_delete(*t);
		return err;
	}
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *exit_reason_name(uint32_t r)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "KVM_EXIT_UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "KVM_EXIT_EXCEPTION",
		[KVM_EXIT_IO] = "KVM_EXIT_IO",
		[KVM_EXIT_HYPERCALL] = "KVM_EXIT_HYPERCALL",
		[KVM_EXIT_DEBUG] = "KVM_EXIT_DEBUG",
		[KVM_EXIT_HLT] = "KVM_EXIT_HLT",
		[KVM_EXIT_MMIO] = "KVM_EXIT_MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "KVM_EXIT_IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "KVM_EXIT_SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "KVM_EXIT_FAIL_ENTRY",
		[KVM_EXIT_INTR] = "KVM_EXIT_INTR",
		[KVM_EXIT_SET_TPR] = "KVM_EXIT_SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "KVM_EXIT_TPR_ACCESS",
		[KVM_EXIT_S390_SIEIC] = "KVM_EXIT_S390_SIEIC",
		[KVM_EXIT_S390_RESET] = "KVM_EXIT_S390_RESET",
		[KVM_EXIT_DCR] = "KVM_EXIT_DCR",
		[KVM_EXIT_NMI] = "KVM_EXIT_NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "KVM_EXIT_INTERNAL_ERROR",
		[KVM_EXIT_OSI] = "KVM_EXIT_OSI",
		[KVM_EXIT_PAPR_HCALL] = "KVM_EXIT_PAPR_HCALL",
		[KVM_EXIT_S390_UCONTROL] = "KVM_EXIT_S390_UCONTROL",
		[KVM_EXIT_WATCHDOG] = "KVM_EXIT_WATCHDOG",
		[KVM_EXIT_S390_TSCH] = "KVM_EXIT_S390_TSCH",
		[KVM_EXIT_EPR] = "KVM_EXIT_EPR",
		[KVM_EXIT_SYSTEM_EVENT] = "KVM_EXIT_SYSTEM_EVENT",
		[KVM_EXIT_S390_STSI] = "KVM_EXIT_S390_STSI",
		[KVM_EXIT_IOAPIC_EOI] = "KVM_EXIT_IOAPIC_EOI",
		[KVM_EXIT_HYPERV] = "KVM_EXIT_HYPERV",
		[KVM_EXIT_ARM_NISV] = "KVM_EXIT_ARM_NISV",
		[KVM_EXIT_X86_RDMSR] = "KVM_EXIT_X86_RDMSR",
		[KVM_EXIT_X86_WRMSR] = "KVM_EXIT_X86_WRMSR",
		[KVM_EXIT_DIRTY_RING_FULL] = "KVM_EXIT_DIRTY_RING_FULL",
		[KVM_EXIT_AP_RESET_HOLD] = "KVM_EXIT_AP_RESET_HOLD",
		[KVM_EXIT_X86_BUS_LOCK] = "KVM_EXIT_X86_BUS_LOCK",
		[KVM_EXIT_XEN] = "KVM_EXIT_XEN",
		[KVM_EXIT_RISCV_SBI] = "KVM_EXIT_RISCV_SBI",
		[KVM_EXIT_RISCV_CSR] = "KVM_EXIT_RISCV_CSR",
		[KVM_EXIT_NOTIFY] = "KVM_EXIT_NOTIFY",
	};
	if (r < sizeof(names) / sizeof(names[0]) && names[r])
		return names[r];
	return "KVM_EXIT_(unknown to this build)";
}

/* A doorbell ring: read the guest's ucall (untrusted) into r. */
static void take_ucall(struct vcpu *v, struct vm_run_result *r)
{
	struct guest_mailbox *mb = vm_mailbox(v->vm);
	struct guest_ucall u;
	memcpy(&u, &mb->ucall, sizeof(u));
	u.file[sizeof(u.file) - 1] = 0;
	u.expr[sizeof(u.expr) - 1] = 0;
	r->ucall_line = u.line;
	memcpy(r->ucall_arg, u.arg, sizeof(r->ucall_arg));
	memcpy(r->ucall_file, u.file, sizeof(r->ucall_file));
	memcpy(r->ucall_expr, u.expr, sizeof(r->ucall_expr));
	char why[200];
	switch (u.cmd) {
	case GUEST_UCALL_SYNC:
		r->kind = VM_EXIT_SYNC;
		r->detail[0] = u.arg[0];
		snprintf(r->msg, sizeof(r->msg), "guest sync %llu at %s:%u",
			 (unsigned long long)u.arg[0], u.file, u.line);
		break;
	case GUEST_UCALL_DONE:
		if (vm_mailbox_check(v->vm, why, sizeof(why))) {
			r->kind = VM_EXIT_BAD_MAILBOX;
			snprintf(r->msg, sizeof(r->msg), "guest mailbox rejected: %s", why);
		} else {
			r->kind = VM_EXIT_DONE;
			snprintf(r->msg, sizeof(r->msg), "guest done (status %u)", mb->status);
		}
		break;
	case GUEST_UCALL_ABORT:
		r->kind = VM_EXIT_ABORT;
		if (!strcmp(u.expr, "unexpected exception"))
			snprintf(r->msg, sizeof(r->msg),
				 "unexpected guest exception %s (vector %llu) at %s 0x%llx",
				 vcpu_arch_fault_name(u.arg[0]), (unsigned long long)u.arg[0],
				 VCPU_ARCH_PC_NAME, (unsigned long long)u.arg[1]);
		else
			snprintf(r->msg, sizeof(r->msg),
				 "guest assertion failed at %s:%u: %s (0x%llx, 0x%llx)", u.file,
				 u.line, u.expr, (unsigned long long)u.arg[0],
				 (unsigned long long)u.arg[1]);
		break;
	default:
		r->kind = VM_EXIT_BAD_MAILBOX;
		snprintf(r->msg, sizeof(r->msg), "guest mailbox rejected: ucall cmd %u is unknown",
			 u.cmd);
	}
}

/* Classifies a stopping exit; returns true if the loop should continue. */
static bool handle_exit(struct vcpu *v, struct vm_run_result *r)
{
	struct kvm_run *run = v->run;
	char regs[160];
	r->exit_reason = run->exit_reason;
	/* The doorbells: port I/O on x86, MMIO on arm64 (the arch hooks say). */
	if (vcpu_arch_is_bench(v)) {
		r->bench_pio++;
		return true;
	}
	if (vcpu_arch_is_ucall(v)) {
		take_ucall(v, r);
		return false;
	}
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		r->kind = VM_EXIT_UNEXPECTED;
		r->detail[0] = run->io.port;
		vcpu_arch_dump(v, regs, sizeof(regs));
		snprintf(r->msg, sizeof(r->msg),
			 "unexpected port I/O: %s port 0x%x, size %u, count %u (%s)",
			 run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.port,
			 run->io.size, run->io.count, regs);
		return false;
	case KVM_EXIT_MMIO:
		r->kind = VM_EXIT_UNEXPECTED;
		r->detail[0] = run->mmio.phys_addr;
		vcpu_arch_dump(v, regs, sizeof(regs));
		snprintf(r->msg, sizeof(r->msg), "unexpected MMIO %s at GPA 0x%llx, %u bytes (%s)",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr, run->mmio.len, regs);
		return false;
	case KVM_EXIT_HLT:
		r->kind = VM_EXIT_HLT;
		vcpu_arch_dump(v, regs, sizeof(regs));
		snprintf(r->msg, sizeof(r->msg), "guest halted with nothing to wake it (%s)", regs);
		return false;
	case KVM_EXIT_SHUTDOWN:
		r->kind = VM_EXIT_SHUTDOWN;
		vcpu_arch_dump(v, regs, sizeof(regs));
		snprintf(r->msg, sizeof(r->msg), "guest shut down: %s (%s)", VCPU_ARCH_SHUTDOWN_WHY,
			 regs);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		r->kind = VM_EXIT_FAIL_ENTRY;
		r->detail[0] = run->fail_entry.hardware_entry_failure_reason;
		r->detail[1] = run->fail_entry.cpu;
		snprintf(r->msg, sizeof(r->msg),
			 "KVM could not enter the guest: hardware entry failure reason 0x%llx on cpu %u",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu);
		return false;
	case KVM_EXIT_INTERNAL_ERROR: {
		r->kind = VM_EXIT_INTERNAL_ERROR;
		r->detail[0] = run->internal.suberror;
		int n = snprintf(r->msg, sizeof(r->msg), "KVM internal error: suberror %u%s",
				 run->internal.suberror,
				 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
					 " (instruction emulation failed)" : "");
		for (uint32_t i = 0; i < run->internal.ndata && i < 4 && n > 0 &&
				     (size_t)n < sizeof(r->msg);
		     i++)
			n += snprintf(r->msg + n, sizeof(r->msg) - (size_t)n, " data[%u]=0x%llx", i,
				      (unsigned long long)run->internal.data[i]);
		return false;
	}
	case KVM_EXIT_SYSTEM_EVENT:
		r->kind = VM_EXIT_SYSTEM_EVENT;
		r->detail[0] = run->system_event.type;
		snprintf(r->msg, sizeof(r->msg), "guest system event: %s (type %u)",
			 run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ? "shutdown" :
			 run->system_event.type == KVM_SYSTEM_EVENT_RESET    ? "reset" :
			 run->system_event.type == KVM_SYSTEM_EVENT_CRASH    ? "crash" :
									       "other",
			 run->system_event.type);
		return false;
	default:
		r->kind = VM_EXIT_UNEXPECTED;
		vcpu_arch_dump(v, regs, sizeof(regs));
		snprintf(r->msg, sizeof(r->msg), "unexpected exit %s (%u) (%s)",
			 exit_reason_name(run->exit_reason), run->exit_reason, regs);
		return false;
	}
}

/* The watchdog's report: how long since the run began (start_ns, the
 * whole vcpu_run_to_end call), against the limit; detail[0] gets the ns. */
static void timed_out(struct vcpu *v, uint64_t start_ns, uint64_t now, unsigned limit_ms,
		      struct vm_run_result *r)
{
	uint64_t el = now - start_ns;
	char regs[160];
	r->kind = VM_EXIT_TIMEOUT;
	r->exit_reason = v->run->exit_reason;
	r->detail[0] = el;
	vcpu_arch_dump(v, regs, sizeof(regs));
	snprintf(r->msg, sizeof(r->msg),
		 "watchdog: guest still running after %.1f ms (limit %u ms), stopped (%s)", el / 1e6,
		 limit_ms, regs);
}

/* One run until a stopping exit; the watchdog fires at start_ns +
 * limit_ms (0: none), one deadline however many segments share it. */
static int run_segment(struct vcpu *v, uint64_t start_ns, unsigned limit_ms, struct vm_run_result *r)
{
	struct vm *vm = v->vm;
	size_t nst = vcpu_stats_count(v);
	uint64_t *before = NULL, *after = NULL;
	timer_t timer;
	bool armed = false;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (!vm->asked.valid) {
		const struct guest_mailbox *mb = vm_mailbox(vm);
		vm->asked.cmd = mb->cmd;
		vm->asked.nsamples_req = mb->nsamples_req;
		vm->asked.nvalues = mb->nvalues;
		vm->asked.nfixed = mb->nfixed;
		vm->asked.valid = true;
	}
	if (nst) {
		before = calloc(nst, sizeof(*before));
		after = calloc(nst, sizeof(*after));
		if (!before || !after || vcpu_stats_read(v, before)) {
			free(before);
			free(after);
			before = after = NULL;
		}
	}
	wd_fired = 0;
	wd_run = v->run;
	v->run->immediate_exit = 0;
	if (limit_ms) {
		ret = wd_arm(start_ns + (uint64_t)limit_ms * 1000000ull, &timer);
		if (ret) {
			r->kind = VM_EXIT_ERROR;
			r->detail[0] = (uint64_t)-ret;
			snprintf(r->msg, sizeof(r->msg), "cannot arm the watchdog (timer_create): %s",
				 strerror(-ret));
			goto out;
		}
		armed = true;
	}
	/* t_end: one clock read serves the watchdog's report and wall_ns, so
	 * the time inside the segments never exceeds the elapsed time reported
	 * (a preemption between two reads could make it). */
	uint64_t t_start = now_ns(), t_end = 0;
	for (;;) {
		uint64_t t0 = tsc_start();
		int rc = ioctl(v->fd, KVM_RUN, NULL);
		int e = errno;
		uint64_t t1 = tsc_stop();
		if (!r->run_calls)
			r->tsc_first = t0;
		r->tsc_last = t1;
		r->run_ticks += t1 - t0;
		r->run_calls++;
		if (rc < 0) {
			if ((e == EINTR || e == EAGAIN) && !wd_fired)
				continue;
			if (e == EINTR && wd_fired) {
				t_end = now_ns();
				timed_out(v, start_ns, t_end, limit_ms, r);
				break;
			}
			r->kind = VM_EXIT_ERROR;
			r->detail[0] = (uint64_t)e;
			snprintf(r->msg, sizeof(r->msg), "KVM_RUN failed: %s", strerror(e));
			ret = -e;
			break;
		}
		if (!handle_exit(v, r))
			break;
		if (wd_fired) {
			t_end = now_ns();
			timed_out(v, start_ns, t_end, limit_ms, r);
			break;
		}
	}
	r->wall_ns = (t_end ? t_end : now_ns()) - t_start;
out:
	if (armed)
		timer_delete(timer);
	wd_run = NULL;
	v->run->immediate_exit = 0;
	if (before && after && !vcpu_stats_read(v, after)) {
		struct vm_exit_counts a, b;
		vcpu_stats_counts(v, before, &b);
		vcpu_stats_counts(v, after, &a);
		uint64_t *pa = (uint64_t *)&a, *pb = (uint64_t *)&b, *pd = (uint64_t *)&r->delta;
		for (size_t i = 0; i < sizeof(a) / sizeof(uint64_t); i++)
			pd[i] = pa[i] == VM_STAT_ABSENT ? VM_STAT_ABSENT : pa[i] - pb[i];
		r->have_stats = true;
	}
	free(before);
	free(after);
	return ret;
}

int vcpu_run(struct vcpu *v, unsigned timeout_ms, struct vm_run_result *r)
{
	return run_segment(v, now_ns(), timeout_ms, r);
}

int vcpu_run_to_end(struct vcpu *v, unsigned timeout_ms, struct vm_run_result *r)
{
	uint64_t start = now_ns();
	struct vm_run_result sum;
	memset(&sum, 0, sizeof(sum));
	sum.have_stats = true;
	for (;;) {
		int err = run_segment(v, start, timeout_ms, r);
		if (!sum.run_calls)
			sum.tsc_first = r->tsc_first;
		sum.run_calls += r->run_calls;
		sum.run_ticks += r->run_ticks;
		sum.bench_pio += r->bench_pio;
		sum.wall_ns += r->wall_ns;
		sum.have_stats = sum.have_stats && r->have_stats;
		uint64_t *pd = (uint64_t *)&sum.delta, *pr = (uint64_t *)&r->delta;
		for (size_t i = 0; i < sizeof(sum.delta) / sizeof(uint64_t); i++)
			pd[i] = pr[i] == VM_STAT_ABSENT ? VM_STAT_ABSENT : pd[i] + pr[i];
		if (err || r->kind != VM_EXIT_SYNC) {
			r->run_calls = sum.run_calls;
			r->run_ticks = sum.run_ticks;
			r->bench_pio = sum.bench_pio;
			r->wall_ns = sum.wall_ns;
			r->tsc_first = sum.tsc_first;
			r->have_stats = sum.have_stats;
			r->delta = sum.delta;
			return err;
		}
	}
}
