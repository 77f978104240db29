/* schema-install.c — the records of install.json (install-bench.h): one
 * KVM_SET_PMU_EVENT_FILTER configuration each, statistics per ioctl. */
#include "install-bench.h"
#include "disturb.h"
#include "emulated.h"

static const struct schema_col cols[] = {
	{ "case", COL_KEY, COL_STRING, NULL,
	  "`valid`, `user` (a `--filter` file as it is) or the error case timed: `nevents-301`, "
	  "`action-2`, `flags-2`, `masked-stray-bit-16`; arm64: `valid`, `after-init` (EBUSY)" },
	{ "filter", COL_KEY, COL_STRING, NULL,
	  "the `--filter` file's name (no directory) or pattern; null for generated filters" },
	{ "filter_hash", COL_KEY, COL_STRING, NULL,
	  "`fnv1a64:` and 16 hex digits: FNV-1a 64 of the file's bytes (of the pattern text for a "
	  "pattern), so runs of the same filter match; null for generated filters" },
	{ "path", COL_KEY, COL_STRING, NULL,
	  "the path the kernel took: `ok`, or the errno name it returned (`E2BIG`, `EINVAL`)" },
	{ "errno", COL_KEY, COL_STRING, NULL, "the errno name returned, null on success" },
	{ "encoding", COL_KEY, COL_STRING, NULL,
	  "`exact`/`masked`; arm64: `arm64-ranges` (one KVM_ARM_VCPU_PMU_V3_FILTER per range)" },
	{ "size", COL_KEY, COL_INT, "entries", "`nevents` of the filter" },
	{ "action", COL_KEY, COL_INT, NULL, "the raw `action` value passed (0 allow, 1 deny, 2 invalid)" },
	{ "flags", COL_KEY, COL_INT, NULL,
	  "the raw `flags` value passed (1 = KVM_PMU_EVENT_FLAG_MASKED_EVENTS, 2 invalid)" },
	{ "vcpus", COL_KEY, COL_INT, "count", "vCPUs of the VM" },
	{ "vcpu_state", COL_KEY, COL_STRING, NULL,
	  "`none` (no vCPUs), `idle` (every vCPU has run a guest command and sits outside "
	  "KVM_RUN), `in-guest` (one vCPU held inside the guest by a second thread, so the install "
	  "must kick it); arm64: `before INIT` (filters are set before KVM_ARM_VCPU_PMU_V3_INIT)" },
	{ "measures", COL_CONTEXT, COL_STRING, NULL,
	  "arm64: what one sample covers (every filter attribute of a VM, or one refused one)" },
	{ "", COL_MEASURE, COL_STATS, "ns", "one ioctl (arm64: see `measures`)" },
	SCHEMA_REPEAT_COLS,
	DISTURB_SCHEMA_COLS,
	EMULATED_SCHEMA_COL,
};

const struct schema install_schema = { .bench = "install",
				       .title = "KVM_SET_PMU_EVENT_FILTER cost",
				       SCHEMA_COLS(cols) };
