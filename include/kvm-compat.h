/* kvm-compat.h — the one place for KVM uAPI constants that Debian 12's
 * linux-libc-dev (6.1) lacks, or that belong to another architecture's
 * uAPI (arm64's filter struct cannot be included on an x86 host).
 *
 * Every value is checked: where the system header has it, a _Static_assert
 * compares ours with the kernel's; the rest are cited from the kernel source
 * (include/uapi/linux/kvm.h, arch/x86/include/uapi/asm/kvm.h,
 * arch/arm64/include/uapi/asm/kvm.h) and asserted against the running
 * kernel by tests/unit/test_compat.c where it can be.
 */
#ifndef PFBENCH_KVM_COMPAT_H
#define PFBENCH_KVM_COMPAT_H

#include <stdint.h>
#include <linux/kvm.h>

/* x86: the filter's header is 32 bytes; events[] follows. */
#define PMUF_KVM_HDR_SIZE 32u
#define PMUF_KVM_MAX_EVENTS 300u /* KVM_PMU_EVENT_FILTER_MAX_EVENTS, pmu.c */

#ifndef KVM_PMU_EVENT_ALLOW
#define KVM_PMU_EVENT_ALLOW 0
#endif
#ifndef KVM_PMU_EVENT_DENY
#define KVM_PMU_EVENT_DENY 1
#endif
/* Since 6.3 (14329b825ffb). */
#ifndef KVM_PMU_EVENT_FLAG_MASKED_EVENTS
#define KVM_PMU_EVENT_FLAG_MASKED_EVENTS (1u << 0)
#endif
#ifndef KVM_PMU_EVENT_FLAGS_VALID_MASK
#define KVM_PMU_EVENT_FLAGS_VALID_MASK KVM_PMU_EVENT_FLAG_MASKED_EVENTS
#endif
#ifndef KVM_CAP_PMU_EVENT_MASKED_EVENTS
#define KVM_CAP_PMU_EVENT_MASKED_EVENTS 226
#endif

/* Masked entry layout (arch/x86/include/uapi/asm/kvm.h). */
#define PMUF_MASKED_EVENT_SELECT 0x0000000F000000FFull /* 7:0 | 35:32 */
#define PMUF_MASKED_UMASK_MATCH 0x000000000000FF00ull  /* 15:8 */
#define PMUF_MASKED_UMASK_MASK 0xFF00000000000000ull   /* 63:56 */
#define PMUF_MASKED_EXCLUDE (1ull << 55)
#define PMUF_MASKED_UMASK_MASK_SHIFT 56

/* Event-select widths of KVM's two PMU flavors. */
#define PMUF_EVENTSEL_EVENT_INTEL 0x00000000000000FFull /* ARCH_PERFMON_EVENTSEL_EVENT */
#define PMUF_EVENTSEL_EVENT_AMD 0x0000000F000000FFull   /* AMD64_EVENTSEL_EVENT */
#define PMUF_EVENTSEL_UMASK 0x000000000000FF00ull       /* ARCH_PERFMON_EVENTSEL_UMASK */
#define PMUF_RAW_EVENT_MASK_NB 0x0000000F0000FFFFull    /* AMD64_RAW_EVENT_MASK_NB */

/* arm64 vCPU device attributes (arch/arm64/include/uapi/asm/kvm.h). */
#define PMUF_ARM_VCPU_PMU_V3_CTRL 0
#define PMUF_ARM_VCPU_PMU_V3_IRQ 0
#define PMUF_ARM_VCPU_PMU_V3_INIT 1
#define PMUF_ARM_VCPU_PMU_V3_FILTER 2
#define PMUF_ARM_VCPU_PMU_V3_SET_PMU 3

/* arm64's struct kvm_pmu_event_filter (a different layout from x86's). */
struct pmuf_arm64_kvm_filter {
	uint16_t base_event;
	uint16_t nevents;
	uint8_t action;
	uint8_t pad[3];
};
_Static_assert(sizeof(struct pmuf_arm64_kvm_filter) == 8, "arm64 filter is 8 bytes");

#define PMUF_ARM_EVENT_SW_INCR 0x00
#define PMUF_ARM_EVENT_CPU_CYCLES 0x11
#define PMUF_ARM_EVENT_CHAIN 0x1E

#ifdef __x86_64__
#include <asm/kvm.h>
_Static_assert(sizeof(struct kvm_pmu_event_filter) == PMUF_KVM_HDR_SIZE,
	       "x86 filter header is 32 bytes");
_Static_assert(KVM_CAP_PMU_EVENT_FILTER == 173, "KVM_CAP_PMU_EVENT_FILTER");
_Static_assert(KVM_PMU_EVENT_ALLOW == 0 && KVM_PMU_EVENT_DENY == 1, "actions");
#endif

#endif
