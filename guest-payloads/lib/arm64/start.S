/* start.S (guest, arm64) — entry point and the EL1 exception vector table.
 * The host enters _start at EL1h with the MMU off, DAIF masked, sp_el1 at
 * GUEST_STACK_TOP and VBAR_EL1 at guest_vectors (the image header's
 * "vectors"). Each of the 16 vector entries saves x0/x1, puts its index in
 * x1 and branches to the common code, which saves the other registers
 * and calls guest_exception(frame, index); that either resumes (a _safe
 * access: ELR_EL1 moved to the fixup) or stops with an ABORT ucall. An
 * entry whose sp leaves no room for a frame rings GUEST_MMIO_BAD_STACK
 * instead (see VENTRY). */
#include "abi.h"

	.text
	.globl _start
_start:
	ldr x0, =GUEST_STACK_TOP
	mov sp, x0
	mov x29, #0
	mov x30, #0
	bl guest_start
1:	wfi
	b 1b

#define FRAME_SIZE (34 * 8) /* x0-x30, elr, spsr, pad */

#define STACK_LOW (GUEST_IMAGE_GPA + GUEST_IMAGE_MAX) /* the stack's end; both 4 KiB multiples */

/* An entry checks sp before it stores anything: a frame must fit between
 * STACK_LOW and GUEST_STACK_TOP. An exception on a bad sp would otherwise
 * fault again at the first store, forever (each entry retiring one
 * instruction, which under QEMU's -icount all but stops the guest's
 * clock); instead the entry rings GUEST_MMIO_BAD_STACK with its index
 * and the host reports an unexpected MMIO write with the registers.
 * TPIDR_EL1 holds x0 meanwhile: the payloads never use it. */
.macro VENTRY idx
	.balign 0x80
	msr tpidr_el1, x0
	mov x0, sp
	sub x0, x0, #(STACK_LOW >> 12), lsl #12
	cmp x0, #FRAME_SIZE
	b.lo 9f
	cmp x0, #((GUEST_STACK_TOP - STACK_LOW) >> 12), lsl #12
	b.hi 9f
	mrs x0, tpidr_el1
	sub sp, sp, #FRAME_SIZE
	stp x0, x1, [sp, #0]
	mov x1, #\idx
	b vector_common
9:	mov x0, #\idx
	b vector_bad_stack
.endm

	.balign 2048
	.globl guest_vectors
guest_vectors:
	VENTRY 0
	VENTRY 1
	VENTRY 2
	VENTRY 3
	VENTRY 4
	VENTRY 5
	VENTRY 6
	VENTRY 7
	VENTRY 8
	VENTRY 9
	VENTRY 10
	VENTRY 11
	VENTRY 12
	VENTRY 13
	VENTRY 14
	VENTRY 15

/* No stack: one MMIO store, then wait (the host stops at that exit). */
vector_bad_stack:
	ldr x1, =GUEST_MMIO_BAD_STACK
	str w0, [x1]
1:	wfi
	b 1b

vector_common:
	stp x2, x3, [sp, #16]
	stp x4, x5, [sp, #32]
	stp x6, x7, [sp, #48]
	stp x8, x9, [sp, #64]
	stp x10, x11, [sp, #80]
	stp x12, x13, [sp, #96]
	stp x14, x15, [sp, #112]
	stp x16, x17, [sp, #128]
	stp x18, x19, [sp, #144]
	stp x20, x21, [sp, #160]
	stp x22, x23, [sp, #176]
	stp x24, x25, [sp, #192]
	stp x26, x27, [sp, #208]
	stp x28, x29, [sp, #224]
	mrs x2, elr_el1
	stp x30, x2, [sp, #240]
	mrs x2, spsr_el1
	str x2, [sp, #256]
	mov x0, sp
	bl guest_exception
	ldr x2, [sp, #256]
	msr spsr_el1, x2
	ldp x30, x2, [sp, #240]
	msr elr_el1, x2
	ldp x28, x29, [sp, #224]
	ldp x26, x27, [sp, #208]
	ldp x24, x25, [sp, #192]
	ldp x22, x23, [sp, #176]
	ldp x20, x21, [sp, #160]
	ldp x18, x19, [sp, #144]
	ldp x16, x17, [sp, #128]
	ldp x14, x15, [sp, #112]
	ldp x12, x13, [sp, #96]
	ldp x10, x11, [sp, #80]
	ldp x8, x9, [sp, #64]
	ldp x6, x7, [sp, #48]
	ldp x4, x5, [sp, #32]
	ldp x2, x3, [sp, #16]
	ldp x0, x1, [sp, #0]
	add sp, sp, #FRAME_SIZE
	eret

	.section .note.GNU-stack, "", @progbits
