/* kvm-need.h — the precondition of tests that set PMU event filters on a
 * real KVM: skip, saying why, unless /dev/kvm opens and offers
 * KVM_CAP_PMU_EVENT_FILTER. Header-only (static inline) for tests/unit. */
#ifndef PFBENCH_TEST_KVM_NEED_H
#define PFBENCH_TEST_KVM_NEED_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvm-compat.h"
#include "kvm-sys.h"
#include "need.h"

/* The open /dev/kvm fd (the caller closes it), or a cmocka skip. */
static inline int need_kvm_filter(void)
{
	int kvm = kvm_sys_open();
	if (kvm < 0) {
		need_skip("kvm", "/dev/kvm not usable: %s", strerror(-kvm));
	}
	if (kvm_sys_check_cap(kvm, KVM_CAP_PMU_EVENT_FILTER) <= 0) {
		close(kvm);
		print_message("SKIP: KVM lacks KVM_CAP_PMU_EVENT_FILTER\n");
		skip();
	}
	return kvm;
}

#endif
