/* guest.h — the freestanding guest library every payload links against:
 * the mailbox pointer, ucalls (GUEST_SYNC/GUEST_DONE/GUEST_ASSERT carry
 * file and line), the fault log, sample histogram, and a payload's image
 * header. Payloads define guest_main() and one GUEST_PAYLOAD("name"). */
#ifndef PFBENCH_GUEST_H
#define PFBENCH_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "abi.h"

#define GUEST_MB ((volatile struct guest_mailbox *)(uintptr_t)GUEST_MAILBOX_GPA)

/* Rings the ucall doorbell after filling mailbox.ucall. ABORT and DONE never return. */
void guest_ucall(uint32_t cmd, const char *file, uint32_t line, const char *expr,
		 uint64_t a0, uint64_t a1);
__attribute__((noreturn)) void guest_stop(void);

#define GUEST_SYNC(stage) guest_ucall(GUEST_UCALL_SYNC, __FILE__, __LINE__, "", (stage), 0)
#define GUEST_ASSERT(cond)                                                               \
	do {                                                                             \
		if (!(cond)) {                                                           \
			GUEST_MB->status = GUEST_ST_FAILED;                              \
			guest_ucall(GUEST_UCALL_ABORT, __FILE__, __LINE__, #cond, 0, 0); \
		}                                                                        \
	} while (0)
/* Same with two values for the host's message. */
#define GUEST_ASSERT_EQ(a, b)                                                            \
	do {                                                                             \
		uint64_t a_ = (a), b_ = (b);                                             \
		if (a_ != b_) {                                                          \
			GUEST_MB->status = GUEST_ST_FAILED;                              \
			guest_ucall(GUEST_UCALL_ABORT, __FILE__, __LINE__, #a " == " #b, \
				    a_, b_);                                             \
		}                                                                        \
	} while (0)

/* Payload entry: called with the mailbox header checked and guest_magic set. */
void guest_main(volatile struct guest_mailbox *mb);

/* Adds a sample (ticks) to samples[] and hist[] when there is room. */
void guest_record(volatile struct guest_mailbox *mb, uint64_t ticks);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* Linker symbols (flat.lds) and the exception stub table (start.S). */
extern char _start[], __image_end[], __bss_end[];
extern const uint64_t guest_vectors[];

#define GUEST_PAYLOAD(nm)                                                                  \
	__attribute__((section(".head"), used)) const struct guest_image_hdr guest_image_hdr = { \
		.magic = GUEST_IMAGE_MAGIC,                                                \
		.version = GUEST_ABI_VERSION,                                              \
		.entry = (uint64_t)(uintptr_t)_start,                                      \
		.vectors = (uint64_t)(uintptr_t)guest_vectors,                             \
		.image_end = (uint64_t)(uintptr_t)__image_end,                             \
		.bss_end = (uint64_t)(uintptr_t)__bss_end,                                 \
		.name = nm,                                                                \
	}

#endif
