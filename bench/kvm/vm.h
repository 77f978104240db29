/* vm.h — a small VMM for benchmarks: one VM with flat guest memory, vCPUs
 * booted straight into a payload from guest-payloads/, a run loop that
 * classifies every exit and a watchdog so a stuck guest never hangs the
 * tool, and the vCPU's KVM binary stats.
 *
 * Arch-neutral flow in vm.c/run.c/stats.c; per-arch hooks vm_arch_*() and
 * vcpu_arch_*() in bench/kvm/<arch>/vm-arch.c (struct vm_arch from
 * vm-arch.h). Named as in the KVM selftests' `__` layer: every call
 * returns 0 or -errno and never prints (callers say what failed). The mailbox is guest-written and untrusted: read it only
 * after vm_mailbox_check() accepted it. Not thread-safe per vCPU; one
 * vCPU runs on the thread that calls vcpu_run(). */
#ifndef PFBENCH_VM_H
#define PFBENCH_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "vm-arch.h"

#define VM_MAX_VCPUS 8

struct kvm_run;
struct vcpu_stats; /* stats.c: the vCPU's binary-stats fd and descriptors */

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run; /* mmap'd */
	size_t run_size;
	struct vcpu_stats *stats; /* NULL when KVM_GET_STATS_FD is unavailable */
	struct vcpu_arch arch;
};

struct vm {
	int kvm_fd;
	int fd;
	void *mem;        /* host mapping of guest RAM at GPA 0 */
	size_t mem_size;  /* GUEST_MEM_SIZE */
	unsigned nvcpus;
	struct vcpu *vcpus[VM_MAX_VCPUS];
	const struct vm_payload *payload; /* last loaded, or NULL */
	/* The host's own copy of what it asked (taken by the first vcpu_run
	 * after a load): the guest could overwrite the mailbox's "in" part. */
	struct {
		bool valid;
		uint32_t cmd, nsamples_req, nvalues, nfixed;
	} asked;
	struct vm_arch arch;
};

/* ---- payloads embedded in the binary (guest-payloads/payloads.mk) ---- */
struct vm_payload {
	const char *name;  /* "baseline", "pmu", "selftest" */
	const char *desc;
	const uint8_t *start, *end; /* the flat image */
};
/* NULL-terminated table; NULL name lookups return NULL. */
extern const struct vm_payload vm_payloads[];
const struct vm_payload *vm_payload_find(const char *name);

/* ---- VM and vCPUs ---- */
/* A VM with GUEST_MEM_SIZE of RAM, arch state (x86: page tables, GDT, IDT) set up.
 * kvm_fd < 0 opens /dev/kvm itself. 0 or -errno; *out NULL on error. */
int __vm_create(int kvm_fd, struct vm **out);
void vm_free(struct vm *vm); /* vCPUs too; NULL is fine */
/* Adds vCPU `id`: KVM_CREATE_VCPU, kvm_run mmap, the arch's vCPU set-up
 * (x86: guest CPUID from KVM_GET_SUPPORTED_CPUID, long-mode registers;
 * arm64: KVM_ARM_VCPU_INIT with PSCI 0.2 and PMUv3), stats fd. */
int __vcpu_add(struct vm *vm, unsigned id, struct vcpu **out);
/* __vm_create then __vcpu_add(vm, 0): 0, or -errno with both NULL (the
 * half-made VM freed). */
int __vm_create_with_vcpu(int kvm_fd, struct vm **vm_out, struct vcpu **v_out);

/* Guest memory: host pointer for [gpa, gpa+len) or NULL if out of RAM. */
void *vm_gpa(struct vm *vm, uint64_t gpa, size_t len);

/* Copies the payload image to GUEST_IMAGE_GPA, zeroes its bss, points the
 * IDT at its vectors, clears the mailbox and writes its header, and resets
 * every vCPU to the entry point. Validates the image header. 0 or -errno
 * (-ENOEXEC: bad image). Call before each command run. */
int __vm_load(struct vm *vm, const struct vm_payload *p);

/* ---- the mailbox (guest-payloads/abi.h) ---- */
struct guest_mailbox *vm_mailbox(struct vm *vm);
/* Checks what the guest wrote: header intact, guest_magic echoed, the
 * "in" fields as the host asked (vm->asked), status known, counts and
 * indices within their arrays (nsamples <= requested and <= MAX, nresults
 * <= nvalues, histogram sums to nsamples, every logged, result and
 * fixed-counter vector < 256), strings
 * NUL-terminated. 0, or -EPROTO with why[] naming the field and value.
 * vcpu_run does this on DONE; call it again before reading after SYNC. */
int vm_mailbox_check(struct vm *vm, char *why, size_t len);
/* The host's TSC around a run (before its first KVM_RUN, after its last)
 * and the vCPU's TSC offset (guest TSC = host TSC + offset) when KVM
 * reports it (vcpu_tsc_offset). */
struct vm_tsc_window {
	uint64_t host_begin, host_end;
	int64_t offset;
	bool have_offset;
};
/* The guest's timed samples are plausible: tsc_begin <= tsc_end, that span
 * no longer than the host's window and, with the offset, inside it; no
 * sample and no running sum of samples longer than the span (so 2^64-1
 * is rejected); nothing to check when the command timed nothing (no
 * samples, tsc_begin and tsc_end 0). 0, or -EPROTO with why[] naming the
 * sample or field. Call
 * after vm_mailbox_check accepted the mailbox. */
int vm_samples_check(const struct guest_mailbox *mb, const struct vm_tsc_window *w, char *why,
		     size_t len);

/* ---- running ---- */
enum vm_exit_kind {
	VM_EXIT_NONE = 0,
	VM_EXIT_SYNC,           /* GUEST_SYNC(stage): resume with vcpu_run again */
	VM_EXIT_DONE,           /* the payload finished its command */
	VM_EXIT_ABORT,          /* GUEST_ASSERT failed or an unexpected guest fault */
	VM_EXIT_TIMEOUT,        /* the watchdog stopped the guest */
	VM_EXIT_HLT,            /* HLT with nothing to wake it */
	VM_EXIT_SHUTDOWN,       /* x86 triple fault */
	VM_EXIT_FAIL_ENTRY,     /* KVM could not enter the guest */
	VM_EXIT_INTERNAL_ERROR, /* KVM internal error (emulation failure, …) */
	VM_EXIT_SYSTEM_EVENT,   /* reset/shutdown/crash request */
	VM_EXIT_UNEXPECTED,     /* IO/MMIO/other exit nobody asked for */
	VM_EXIT_BAD_MAILBOX,    /* the guest wrote out-of-range values */
	VM_EXIT_ERROR,          /* KVM_RUN itself failed (errno in detail[0]) */
};
const char *vm_exit_kind_name(enum vm_exit_kind k); /* "done", "timeout", … */

/* The vCPU's binary-stats counters that matter for exits; UINT64_MAX where
 * this kernel has no such stat. */
struct vm_exit_counts {
	uint64_t exits, io_exits, mmio_exits, halt_exits, signal_exits, irq_exits,
		hypercalls, insn_emulation, irq_window_exits, nmi_window_exits,
		request_irq_exits;
};
#define VM_STAT_ABSENT UINT64_MAX

struct vm_run_result {
	enum vm_exit_kind kind;
	uint32_t exit_reason;  /* KVM_EXIT_* of the last exit */
	uint64_t detail[4];    /* per kind: port/addr, hw reason, suberror, errno;
				* timeout: ns since the run began */
	char msg[320];         /* one line saying what happened */
	/* the guest's ucall (SYNC/DONE/ABORT), copied and NUL-terminated */
	uint32_t ucall_line;
	uint64_t ucall_arg[4];
	char ucall_file[48];
	char ucall_expr[80];
	/* host side accounting over this vcpu_run() call */
	uint64_t run_calls;      /* KVM_RUN ioctls */
	uint64_t run_ticks;      /* timer ticks (tsc.h) spent inside KVM_RUN */
	/* bench doorbell exits handled (x86: GUEST_PORT_BENCH port writes,
	 * arm64: GUEST_MMIO_BENCH accesses); bench_pio is the old name */
	union { uint64_t bench_exits; uint64_t bench_pio; };
	uint64_t wall_ns;        /* CLOCK_MONOTONIC over the call */
	uint64_t tsc_first, tsc_last; /* host TSC before the first KVM_RUN, after the last */
	bool have_stats;
	struct vm_exit_counts delta; /* stats after - before (have_stats) */
};

/* Runs the vCPU until the guest rings the ucall doorbell, stops, or the
 * watchdog fires after timeout_ms (0: no watchdog). Benign exits
 * (the bench doorbell, signals that are not the watchdog) are handled inside.
 * A DONE ucall is checked with vm_mailbox_check (VM_EXIT_BAD_MAILBOX if it
 * fails). Returns 0 with *r filled, or -errno if the host could not run
 * the vCPU at all (r->kind VM_EXIT_ERROR, msg set). */
int vcpu_run(struct vcpu *v, unsigned timeout_ms, struct vm_run_result *r);
/* vcpu_run until anything but SYNC (each SYNC resumes); the watchdog
 * covers the whole call: one deadline, timeout_ms after the call began,
 * however many segments (its message gives the real elapsed time and the
 * limit); the accounting fields sum over every segment.
 * Same returns. */
int vcpu_run_to_end(struct vcpu *v, unsigned timeout_ms, struct vm_run_result *r);

/* ---- KVM binary stats of a vCPU (KVM_GET_STATS_FD) ---- */
/* Opens the stats fd and reads descriptors; 0 or -errno. __vcpu_add calls it. */
int vcpu_stats_open(struct vcpu *v);
void vcpu_stats_close(struct vcpu *v);
/* Number of u64 stat values, and the name of stat i (NULL when out of range). */
size_t vcpu_stats_count(const struct vcpu *v);
const char *vcpu_stats_name(const struct vcpu *v, size_t i);
/* Index of a stat by name, or -ENOENT. */
int vcpu_stats_index(const struct vcpu *v, const char *name);
/* Reads every counter's first u64 into vals[vcpu_stats_count()]. 0 or -errno. */
int vcpu_stats_read(const struct vcpu *v, uint64_t *vals);
/* Fills *c from a snapshot (fields missing on this kernel: VM_STAT_ABSENT). */
void vcpu_stats_counts(const struct vcpu *v, const uint64_t *vals, struct vm_exit_counts *c);

/* ---- arch hooks (bench/kvm/<arch>/vm-arch.c) ---- */
int vm_arch_init(struct vm *vm);                 /* x86: page tables, GDT, IDT, TSS; arm64: vGIC */
void vm_arch_free(struct vm *vm);                /* before the VM fd closes */
int vcpu_arch_init(struct vcpu *v);              /* x86: CPUID, sregs; arm64: VCPU_INIT, vPMU */
void vcpu_arch_free(struct vcpu *v);
int vm_arch_load(struct vm *vm, const struct guest_image_hdr *h); /* vectors from h->vectors */
int vcpu_arch_reset(struct vcpu *v, uint64_t entry); /* pc, sp, interrupt mask */
/* Is the last exit the ucall doorbell / the bench doorbell? (x86: port
 * I/O; arm64: MMIO writes) A bench hook completes the access (an MMIO
 * read gets 0) so the loop can resume. */
bool vcpu_arch_is_ucall(const struct vcpu *v);
bool vcpu_arch_is_bench(const struct vcpu *v);
/* The guest's PMU register family, for mailbox.pmu_kind (x86: the
 * event-select MSRs the guest's CPUID implies; arm64: PMUv3 if the vCPU
 * has one). */
enum guest_pmu_kind vcpu_arch_pmu_kind(const struct vcpu *v);
/* Registers as one line, for messages on unexpected exits. */
void vcpu_arch_dump(const struct vcpu *v, char *buf, size_t len);
/* The vCPU's TSC offset (guest = host + offset): 0 or -errno
 * (-EOPNOTSUPP when KVM does not report it). */
int vcpu_arch_tsc_offset(const struct vcpu *v, int64_t *offset);
/* The name of a fault "vector" (abi.h struct guest_fault), e.g. "#GP". */
const char *vcpu_arch_fault_name(uint64_t vector);
/* This arch's binary-stats name for a struct vm_exit_counts field name
 * (arm64: "mmio_exits" is "mmio_exit_user"), or NULL. */
const char *vcpu_arch_stat_alias(const char *name);

#endif
