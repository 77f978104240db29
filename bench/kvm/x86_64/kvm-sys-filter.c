/* kvm-sys-filter.c — __vm_set_pmu_filter (kvm-sys.h): a model filter
 * (filters/) through pmuf_to_kvm into the raw ioctl. Kept apart from
 * kvm-sys.c so that the raw /dev/kvm helpers link without libpmuf. */
#include <stdlib.h>

#include "kvm-sys.h"

int __vm_set_pmu_filter(int vm_fd, const struct pmuf_filter *f)
{
	void *buf;
	size_t len;
	int r = pmuf_to_kvm(f, &buf, &len);
	if (r < 0)
		return r;
	r = __vm_set_pmu_filter_raw(vm_fd, buf, len);
	free(buf);
	return r;
}
