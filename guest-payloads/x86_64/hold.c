/* hold.c (guest payload "hold") — keeps a vCPU inside KVM_RUN running
 * guest code, with no exits of its own, until the host says stop. For
 * `pfbench install`, which times filter installs while a vCPU is in the
 * guest (each install must kick it out and reprogram its counters).
 *
 * GUEST_CMD_SPIN: GUEST_SYNC(1); then spin until the host writes a
 * non-zero value to mailbox values[0] (the host writes it while the vCPU
 * runs; nothing else in the mailbox changes), then DONE. The host's
 * watchdog still bounds the run if the host never says stop. */
#include "guest.h"
#include "x86_64/processor.h"

GUEST_PAYLOAD("hold");

void guest_main(volatile struct guest_mailbox *mb)
{
	if (mb->cmd != GUEST_CMD_SPIN) {
		mb->status = GUEST_ST_BAD_CMD;
		return;
	}
	mb->exiting_insns = 0;
	GUEST_SYNC(1);
	while (mb->values[0] == 0)
		cpu_pause();
}
