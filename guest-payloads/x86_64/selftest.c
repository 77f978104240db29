/* selftest.c (guest payload "selftest") — misbehaving guests for the
 * harness's own tests: spin forever (watchdog), triple fault, out-of-range
 * counts and indices in the mailbox, an unexpected exception, a failing
 * GUEST_ASSERT, and a sequence of GUEST_SYNCs. */
#include "guest.h"
#include "x86_64/processor.h"

GUEST_PAYLOAD("selftest");

struct __attribute__((packed)) idtr {
	uint16_t limit;
	uint64_t base;
};

void guest_main(volatile struct guest_mailbox *mb)
{
	static const struct idtr empty = { 0, 0 };
	switch (mb->cmd) {
	case GUEST_CMD_SPIN:
		GUEST_SYNC(1);
		for (;;)
			cpu_pause();
	case GUEST_CMD_TRIPLE_FAULT:
		__asm__ volatile("lidt %0\n\tud2" ::"m"(empty) : "memory");
		break;
	case GUEST_CMD_BAD_COUNT:
		mb->nsamples = 0xFFFFFFF0u; /* far beyond samples[] */
		return;
	case GUEST_CMD_BAD_INDEX:
		mb->nresults = GUEST_MAX_VALUES + 7; /* beyond results[] and nvalues */
		return;
	case GUEST_CMD_FAULT:
		__asm__ volatile("ud2" ::: "memory");
		break;
	case GUEST_CMD_ASSERT:
		GUEST_ASSERT_EQ(mb->leaf, mb->leaf + 1);
		break;
	case GUEST_CMD_SYNC3:
		for (uint64_t i = 1; i <= 3; i++)
			GUEST_SYNC(i);
		return;
	default:
		mb->status = GUEST_ST_BAD_CMD;
	}
}
