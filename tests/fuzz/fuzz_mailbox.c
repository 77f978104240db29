/* fuzz_mailbox.c — libFuzzer target for vm_mailbox_check (bench/kvm/vm.c)
 * fed arbitrary mailbox bytes, as a hostile guest could write them: the
 * check returns 0 or -EPROTO with a reason, and a mailbox it accepts is
 * safe to read the way the host reads it (every count within its array,
 * the histogram summing to nsamples) and vm_samples_check takes it. The
 * input's first 17 bytes are what the host asked (vm->asked); the rest
 * is the mailbox, with the header (magic, version, size) kept valid half
 * the time so the fuzzer gets past it. Built by scripts/fuzz.sh. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "vm.h"

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "fuzz check failed: %s: ", #cond);  \
			fprintf(stderr, __VA_ARGS__);                       \
			fputc('\n', stderr);                                \
			abort();                                            \
		}                                                           \
	} while (0)

static void *mem;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!mem)
		CHECK((mem = calloc(1, GUEST_MEM_SIZE)), "no memory");
	struct vm vm;
	memset(&vm, 0, sizeof(vm));
	vm.mem = mem;
	vm.mem_size = GUEST_MEM_SIZE;
	if (size >= 17) {
		vm.asked.valid = data[0] & 1;
		memcpy(&vm.asked.cmd, data + 1, 4);
		memcpy(&vm.asked.nsamples_req, data + 5, 4);
		memcpy(&vm.asked.nvalues, data + 9, 4);
		memcpy(&vm.asked.nfixed, data + 13, 4);
	}
	bool keep_header = size && (data[0] & 2);
	data += size >= 17 ? 17 : size;
	size -= size >= 17 ? 17 : size;

	struct guest_mailbox *mb = vm_mailbox(&vm);
	CHECK(mb, "no mailbox");
	memset(mb, 0, sizeof(*mb));
	memcpy(mb, data, size < sizeof(*mb) ? size : sizeof(*mb));
	if (keep_header) {
		mb->magic = GUEST_ABI_MAGIC;
		mb->version = GUEST_ABI_VERSION;
		mb->size = sizeof(*mb);
		mb->guest_magic = GUEST_ABI_MAGIC;
	}
	char why[256];
	memset(why, 'x', sizeof(why));
	int r = vm_mailbox_check(&vm, why, sizeof(why));
	CHECK(memchr(why, 0, sizeof(why)), "reason not terminated");
	if (r) {
		CHECK(r == -EPROTO && why[0], "returned %d with reason '%s'", r, why);
		return 0;
	}
	/* Accepted: what the host then reads must be in bounds. */
	CHECK(mb->nsamples <= GUEST_MAX_SAMPLES && mb->nresults <= GUEST_MAX_VALUES &&
	      mb->nvalues <= GUEST_MAX_VALUES && mb->nfixed <= GUEST_MAX_FIXED,
	      "accepted counts out of range");
	uint64_t sum = 0;
	for (unsigned b = 0; b < GUEST_HIST_BUCKETS; b++)
		sum += mb->hist[b];
	CHECK(sum == mb->nsamples, "accepted a histogram that does not sum to nsamples");
	volatile uint64_t acc = 0;
	for (unsigned i = 0; i < mb->nsamples; i++)
		acc += mb->samples[i];
	for (unsigned i = 0; i < mb->nresults; i++)
		acc += mb->results[i].wrmsr_vector;
	(void)acc; /* the reads are what ASan checks */
	/* The timing check after it, on a window around the claimed TSCs. */
	struct vm_tsc_window w = { .host_begin = mb->tsc_begin, .host_end = mb->tsc_end };
	r = vm_samples_check(mb, &w, why, sizeof(why));
	CHECK(r == 0 || (r == -EPROTO && why[0]), "samples check returned %d", r);
	return 0;
}
