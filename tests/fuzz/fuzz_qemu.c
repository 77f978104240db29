/* fuzz_qemu.c — libFuzzer target for the QEMU kvm-pmu-filter JSON parser (format-qemu.c):
 * parse, then render + reparse + compare (fuzz_common.h). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one(data, size, PMUF_FMT_QEMU_JSON);
}
