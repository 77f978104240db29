/* schema-exit.c — the records of exit.json (exit-bench.h), by group:
 * baseline (one exiting instruction), validity (each vs amortized) and
 * reprogram (an event-select write under filters). The keys are what a
 * record was asked to measure; insn, eventsel, pmu_msrs and vpmu are
 * facts of the host and run, never keys. */
#include "exit-bench.h"
#include "disturb.h"
#include "emulated.h"

static const struct schema_col cols[] = {
	{ "group", COL_KEY, COL_STRING, NULL,
	  "`baseline` (one exiting instruction), `validity` (each vs amortized agreement), "
	  "`reprogram` (event-select write under filters)" },
	{ "exit", COL_KEY, COL_STRING, NULL,
	  "baseline and validity: `cpuid`, `rdmsr`, `wrmsr`, `pio`, `vmcall`; arm64: `sysreg`, "
	  "`mmio`, `hvc`" },
	{ "insn", COL_CONTEXT, COL_STRING, NULL, "the instruction as executed (e.g. `CPUID leaf 0`)" },
	{ "mode", COL_KEY, COL_STRING, NULL,
	  "`each` (a TSC pair per instruction) or `amortized` (one pair per block of `block_len` "
	  "instructions, divided)" },
	{ "block_len", COL_KEY, COL_INT, "count", "instructions per timed block (1 for `each`)" },
	{ "rounds", COL_CONTEXT, COL_INT, "count", "rounds pooled into the record (docs/methodology.md)" },
	{ "vpmu", COL_CONTEXT, COL_BOOL, NULL, "whether a vPMU existed" },
	{ "measures", COL_CONTEXT, COL_STRING, NULL, "what the number measures" },
	{ "status", COL_OUTCOME, COL_STRING, NULL,
	  "`ok`, or `timeout`, `install-failed`, `no-samples`, a VM exit kind ..." },
	{ "why", COL_OUTCOME, COL_STRING, NULL, "why the status is not `ok`" },
	{ "", COL_MEASURE, COL_STATS, "ns", "one exiting instruction (or event-select cycle)" },
	SCHEMA_REPEAT_COLS,
	DISTURB_SCHEMA_COLS,
	{ "exiting_insns", COL_OUTCOME, COL_INT, "count",
	  "exiting instructions executed in the timed part" },
	{ "host_run_ns", COL_OUTCOME, COL_REAL, "ns",
	  "time the vCPU thread spent inside KVM_RUN over the whole timed part: the timed regions "
	  "plus the untimed guest code between samples (a harness throughput figure, not a latency; "
	  "older result sets have `host_run_ns_per_exit`, this divided by `exiting_insns`, not an "
	  "exit latency either: docs/methodology.md)" },
	{ "host_run_calls", COL_OUTCOME, COL_INT, "count",
	  "KVM_RUN calls (one per exit to userspace)" },
	{ "kvm_stats", COL_OUTCOME, COL_BOOL, NULL,
	  "KVM's binary stats were read (the `kvm_*` fields below exist)" },
	{ "kvm_exits", COL_OUTCOME, COL_INT, "count",
	  "delta of the vCPU's binary stat `exits` over the timed part; null when the kernel lacks it" },
	{ "kvm_io_exits", COL_OUTCOME, COL_INT, "count", "the same for `io_exits`" },
	{ "kvm_mmio_exits", COL_OUTCOME, COL_INT, "count", "the same for `mmio_exits`" },
	{ "kvm_irq_exits", COL_OUTCOME, COL_INT, "count", "the same for `irq_exits`" },
	{ "kvm_signal_exits", COL_OUTCOME, COL_INT, "count", "the same for `signal_exits`" },
	{ "kvm_hypercalls", COL_OUTCOME, COL_INT, "count", "the same for `hypercalls`" },
	{ "kvm_insn_emulation", COL_OUTCOME, COL_INT, "count", "the same for `insn_emulation`" },
	{ "hist_log2_ticks", COL_OUTCOME, COL_STRING, "text",
	  "histogram of the samples: `\"b:n ...\"`, n samples of 2^b to 2^(b+1) timer ticks" },
	{ "overhead_", COL_MEASURE, COL_STATS, "ns",
	  "the same guest code without the exiting instruction" },
	{ "net_median_ns", COL_MEASURE, COL_REAL, "ns", "median − overhead median" },
	{ "net_median_cycles", COL_MEASURE, COL_REAL, "timer ticks", "median − overhead median" },
	{ "each_net_ns", COL_MEASURE, COL_REAL, "ns", "validity: the pooled net of mode `each`" },
	{ "amortized_net_ns", COL_MEASURE, COL_REAL, "ns",
	  "validity: the pooled net of mode `amortized`" },
	{ "ratio_each_over_amortized", COL_MEASURE, COL_REAL, "ratio",
	  "validity: the median of `round_ratios` (`ratio_is` says so)" },
	{ "ratio_is", COL_CONTEXT, COL_STRING, "text", "how the ratio is formed" },
	{ "ratio_pooled", COL_MEASURE, COL_REAL, "ratio",
	  "validity: `each_net_ns` / `amortized_net_ns`" },
	{ "rounds_compared", COL_OUTCOME, COL_INT, "count", "validity: rounds with both nets" },
	{ "rounds_within_10pct", COL_OUTCOME, COL_INT, "count",
	  "validity: rounds whose ratio is within 10% of 1" },
	{ "round_ratios", COL_MEASURE, COL_ARRAY, "ratio",
	  "validity: per round, each net / amortized net" },
	{ "agree_within_10pct", COL_OUTCOME, COL_BOOL, NULL, "validity: \\|ratio − 1\\| ≤ 0.10" },
	{ "filter", COL_KEY, COL_STRING, NULL,
	  "reprogram: `installed` or `none`, or a `--filter` file's name" },
	{ "filter_hash", COL_KEY, COL_STRING, NULL,
	  "reprogram with a `--filter` file: its content hash, as in install.json; null otherwise" },
	{ "filter_size", COL_KEY, COL_INT, "entries", "reprogram: entries of the installed filter" },
	{ "encoding", COL_KEY, COL_STRING, NULL,
	  "reprogram: `exact`/`masked`; arm64: `arm64-ranges`" },
	{ "action", COL_KEY, COL_STRING, NULL, "reprogram: `allow`/`deny`" },
	{ "position", COL_KEY, COL_STRING, NULL,
	  "reprogram: where the programmed event sorts in the filter: `early`, `late`, `absent`; "
	  "with a `--filter` file `first-entry` (the event its first entry names) or "
	  "`unnamed-select` (an event of a select no entry names)" },
	{ "cycle", COL_KEY, COL_STRING, NULL,
	  "`full` (write, enable, workload, read, disable) or `writes-only`" },
	{ "filter_allows_event", COL_CONTEXT, COL_BOOL, NULL,
	  "reprogram: the library's reference decision (6.3+ semantics) for the programmed event" },
	{ "eventsel", COL_CONTEXT, COL_STRING, "hex", "reprogram: the event-select value written" },
	{ "pmu_msrs", COL_CONTEXT, COL_STRING, NULL,
	  "`intel`, `amd-core` or `amd-k7`: which event-select MSRs the guest programs; arm64: "
	  "`pmuv3` (PMEVTYPER<n>_EL0)" },
	{ "guest_faults", COL_OUTCOME, COL_INT, "count", "faults the guest took during the samples" },
	{ "wrmsr_vector", COL_OUTCOME, COL_INT, "vector",
	  "the exception vector of the event-select WRMSR (0 = none, 13 = #GP)" },
	{ "rdpmc_vector", COL_OUTCOME, COL_INT, "vector", "the same for the RDPMC" },
	{ "rdmsr_vector", COL_OUTCOME, COL_INT, "vector", "the same for the counter RDMSR" },
	{ "count_rdmsr", COL_OUTCOME, COL_INT, "events",
	  "the counter value read back by RDMSR after the workload" },
	{ "count_rdpmc", COL_OUTCOME, COL_INT, "events",
	  "the counter value read back by RDPMC (null when RDPMC faulted)" },
	EMULATED_SCHEMA_COL,
};

static const struct schema_median medians[] = { { "net_median_ns", "net_" }, { NULL, NULL } };

const struct schema exit_schema = { .medians = medians, .bench = "exit",
				    .title = "guest exit latency under filters",
				    SCHEMA_COLS(cols) };
