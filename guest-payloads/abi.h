/* abi.h — the one mailbox layout shared by the host (bench/kvm/) and every
 * guest payload (guest-payloads/). Fixed-width fields, no pointers,
 * explicit padding, sizes pinned by _Static_assert; a magic/version word.
 *
 * Flow: the host fills the "in" part (cmd + parameters), runs the vCPU; the
 * guest echoes GUEST_ABI_MAGIC into guest_magic when it starts, does the
 * command, fills the "out" part, and rings the doorbell (per arch: port
 * I/O on x86_64, an MMIO write on arm64; abi-arch.h) with ucall.cmd =
 * SYNC, DONE or ABORT.
 * Everything in "out" is untrusted by the host: counts and indices are
 * bounds-checked (vm_mailbox_check) before use.
 *
 * What differs per architecture (doorbells, the baseline commands, the PMU
 * register families) is in guest-payloads/<arch>/abi-arch.h, included
 * below; everything here is arch-neutral.
 *
 * Included by freestanding guest code: only <stdint.h>-level C here. */
#ifndef PFBENCH_GUEST_ABI_H
#define PFBENCH_GUEST_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define GUEST_ABI_MAGIC 0x31424650u   /* "PFB1" */
#define GUEST_ABI_VERSION 1u
#define GUEST_IMAGE_MAGIC 0x4d494650u /* "PFIM": first word of a payload image */

/* Guest physical layout, identity mapped (virtual == physical). */
#define GUEST_MEM_SIZE 0x00400000ull     /* 4 MiB of RAM at GPA 0 */
#define GUEST_MAILBOX_GPA 0x00100000ull  /* struct guest_mailbox */
#define GUEST_MAILBOX_SIZE 0x00100000ull
#define GUEST_IMAGE_GPA 0x00200000ull    /* payload image (flat.lds links here) */
#define GUEST_IMAGE_MAX 0x00100000ull    /* image + bss */
#define GUEST_STACK_TOP 0x00400000ull    /* stack grows down from here */
#define GUEST_MMIO_GPA 0x40000000ull     /* unbacked: an access is an MMIO exit */

#define GUEST_NR_VECTORS 32u
#define GUEST_MAX_VALUES 64u
#define GUEST_MAX_FAULTS 16u
#define GUEST_MAX_SAMPLES 65536u
#define GUEST_MAX_FIXED 4u
#define GUEST_ARCH_OUT 8u     /* mailbox.arch_out[] */
#define GUEST_HIST_BUCKETS 64u  /* bucket b: samples with floor(log2(ticks)) == b */

#define GUEST_VENDOR_OTHER 0u /* x86 adds GUEST_VENDOR_INTEL/AMD (abi-arch.h) */

/* Per arch: doorbells, GUEST_CMD_* baselines (2..15), enum guest_pmu_kind. */
#include "abi-arch.h"

#ifndef __ASSEMBLER__
/* The first bytes of every payload image (the host reads them to boot it). */
struct guest_image_hdr {
	uint32_t magic;    /* GUEST_IMAGE_MAGIC */
	uint32_t version;  /* GUEST_ABI_VERSION */
	uint64_t entry;    /* GPA of the entry point (64-bit mode, rsp set) */
	uint64_t vectors;  /* GPA of uint64_t[GUEST_NR_VECTORS] exception stubs */
	uint64_t image_end; /* end of loaded bytes (GPA) */
	uint64_t bss_end;   /* end of zeroed memory (GPA) */
	char name[24];
};
_Static_assert(sizeof(struct guest_image_hdr) == 64, "image header is 64 bytes");

enum guest_ucall_cmd {
	GUEST_UCALL_NONE = 0,
	GUEST_UCALL_SYNC = 1,  /* arg[0] = stage; the host may resume */
	GUEST_UCALL_DONE = 2,  /* the command finished; status says how */
	GUEST_UCALL_ABORT = 3, /* GUEST_ASSERT failed or an unexpected fault */
};

/* What the host asks a payload to do. */
enum guest_cmd {
	GUEST_CMD_NONE = 0,
	/* baselines (payload "baseline") */
	GUEST_CMD_NOP = 1,     /* empty timed region (fences and timer reads only) */
	/* 2..15: the arch's exiting instructions (GUEST_CMD_ARCH_BASELINES) */
	/* PMU (payload "pmu") */
	GUEST_CMD_REPROGRAM = 16, /* time event-select WRMSRs of values[] */
	GUEST_CMD_VERIFY = 17,    /* count values[] over the workload */
	/* harness self-tests (payload "selftest") */
	GUEST_CMD_SPIN = 32,         /* loop forever (watchdog) */
	GUEST_CMD_TRIPLE_FAULT = 33, /* load an empty IDT and fault */
	GUEST_CMD_BAD_COUNT = 34,    /* nsamples beyond the limit */
	GUEST_CMD_BAD_INDEX = 35,    /* nfaults beyond the log */
	GUEST_CMD_FAULT = 36,        /* an unexpected #UD: ABORT with the fault logged */
	GUEST_CMD_ASSERT = 37,       /* a failing GUEST_ASSERT */
	GUEST_CMD_SYNC3 = 38,        /* three GUEST_SYNCs then DONE */
};

/* How the exiting instruction is timed. */
enum guest_mode {
	GUEST_MODE_EACH = 0,      /* fenced TSC around every instruction: one sample each */
	GUEST_MODE_AMORTIZED = 1, /* vmexit.c-style: block_len instructions per sample */
};

enum guest_status {
	GUEST_ST_IDLE = 0,
	GUEST_ST_RUNNING = 1,
	GUEST_ST_OK = 2,
	GUEST_ST_FAILED = 3,  /* see ucall.file/line */
	GUEST_ST_BAD_CMD = 4, /* this payload does not know cmd */
};

/* REPROGRAM: only the timed event-select WRMSRs, cycling values[] (the host
 * makes adjacent values differ so each write reprograms); no workload. */
#define GUEST_F_WRITES_ONLY (1u << 0)
/* Baselines: run the identical timed code with the exiting instruction left
 * out — the overhead to subtract, measured the same way (both modes). */
#define GUEST_F_OMIT_INSN (1u << 1)
/* Baselines: samples alternate, with the instruction (even indices) and
 * without it (odd: the overhead), so both halves see the same stretch of
 * host time; nsamples_req counts both. */
#define GUEST_F_PAIRED (1u << 2)

/* One exception the guest took. x86: vector, error code, RIP, CR2;
 * arm64: vector = ESR_EL1.EC, error_code = ESR_EL1, pc = ELR_EL1,
 * addr = FAR_EL1. (rip/cr2 are the x86 names of the same fields.) */
struct guest_fault {
	uint32_t vector;
	uint32_t fixed_up; /* 1: a _safe access expected it and resumed */
	uint64_t error_code;
	union { uint64_t pc; uint64_t rip; };
	union { uint64_t addr; uint64_t cr2; };
};
_Static_assert(sizeof(struct guest_fault) == 32, "fault record is 32 bytes");

struct guest_ucall {
	uint32_t cmd;  /* enum guest_ucall_cmd */
	uint32_t line; /* __LINE__ of the GUEST_SYNC/GUEST_ASSERT */
	uint64_t arg[4];
	char file[48];  /* __FILE__ basename, NUL-terminated by the guest (host re-terminates) */
	char expr[80];  /* the failed GUEST_ASSERT condition */
};
_Static_assert(sizeof(struct guest_ucall) == 168, "ucall is 168 bytes");

/* Per event-select value results of REPROGRAM/VERIFY. The field names are
 * x86's; on arm64 count_rdpmc is PMEVCNTR<n>_EL0 read directly, count_rdmsr
 * the same counter through PMSELR_EL0/PMXEVCNTR_EL0, and each *_vector the
 * ESR_EL1.EC of the exception the access raised (0: none). */
struct guest_value_result {
	uint64_t value;         /* the event-select value written */
	uint64_t count_rdpmc;   /* counter after the workload, via RDPMC */
	uint64_t count_rdmsr;   /* same via RDMSR of the counter MSR */
	uint32_t wrmsr_vector;  /* 0 or the vector the event-select WRMSR raised */
	uint32_t rdpmc_vector;
	uint32_t rdmsr_vector;
	uint32_t pad;
};
_Static_assert(sizeof(struct guest_value_result) == 40, "value result is 40 bytes");

struct guest_mailbox {
	/* ---- header (host) ---- */
	uint32_t magic;   /* GUEST_ABI_MAGIC */
	uint32_t version; /* GUEST_ABI_VERSION */
	uint32_t size;    /* sizeof(struct guest_mailbox) */
	uint32_t cmd;     /* enum guest_cmd */

	/* ---- in (host) ---- */
	uint32_t mode;       /* enum guest_mode */
	uint32_t nsamples_req; /* samples wanted (<= GUEST_MAX_SAMPLES) */
	uint32_t warmup;     /* untimed executions first */
	uint32_t block_len;  /* AMORTIZED: instructions per sample */
	uint32_t msr;        /* x86 RDMSR/WRMSR baseline MSR; unused on arm64 */
	uint32_t leaf;       /* x86 CPUID leaf; unused on arm64 */
	uint32_t pmu_kind;   /* enum guest_pmu_kind (abi-arch.h) */
	uint32_t counter;    /* GP counter index */
	uint32_t nvalues;    /* entries of values[] */
	uint32_t workload_loops; /* VERIFY/REPROGRAM: `loop` iterations of the workload */
	uint32_t flags;      /* GUEST_F_* */
	uint32_t nfixed;     /* VERIFY: fixed counters to try (<= GUEST_MAX_FIXED) */
	uint64_t values[GUEST_MAX_VALUES]; /* event-select (x86) / PMEVTYPER (arm64) values */

	/* ---- out (guest; untrusted) ---- */
	uint32_t guest_magic; /* GUEST_ABI_MAGIC once the payload started */
	uint32_t status;      /* enum guest_status */
	uint32_t nsamples;    /* samples[] filled */
	uint32_t nfaults;     /* faults taken; faults[] holds min(nfaults, MAX) */
	uint32_t nresults;    /* results[] filled */
	uint32_t hist_total;  /* sum of hist[] */
	uint64_t exiting_insns; /* exiting instructions executed since the last GUEST_SYNC */
	uint64_t tsc_begin, tsc_end; /* the timer (TSC, CNTVCT) around the whole command */
	uint64_t vendor;        /* x86: the guest's CPUID vendor (GUEST_VENDOR_*); arm64: 0 */
	struct guest_ucall ucall;
	struct guest_fault faults[GUEST_MAX_FAULTS];
	struct guest_value_result results[GUEST_MAX_VALUES];
	uint64_t fixed_counts[GUEST_MAX_FIXED]; /* VERIFY: fixed counter i after the workload */
	uint32_t fixed_vector[GUEST_MAX_FIXED]; /* 0 or the vector its access raised */
	uint64_t arch_out[GUEST_ARCH_OUT]; /* per-arch facts the guest read (abi-arch.h) */
	uint64_t hist[GUEST_HIST_BUCKETS];
	uint64_t samples[GUEST_MAX_SAMPLES]; /* timer ticks per sample (TSC, CNTVCT) */
};
_Static_assert(sizeof(struct guest_mailbox) <= GUEST_MAILBOX_SIZE, "mailbox fits its region");
_Static_assert(__builtin_offsetof(struct guest_mailbox, samples) % 8 == 0, "samples aligned");
_Static_assert(__builtin_offsetof(struct guest_mailbox, values) == 64, "values at 64");

#endif /* !__ASSEMBLER__ */
#endif
