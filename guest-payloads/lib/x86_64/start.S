/* start.S (guest, x86_64) — entry point and exception stubs. The host
 * enters _start in 64-bit mode with rsp at GUEST_STACK_TOP and the IDT
 * pointing at guest_vectors[]; each stub pushes a dummy error code where
 * the CPU pushes none, then the vector, saves the GPRs and calls
 * guest_exception(frame), which either resumes (a _safe access) or stops. */
#include "abi.h"

	.text
	.globl _start
_start:
	xor %ebp, %ebp
	and $-16, %rsp
	call guest_start
1:	cli
	hlt
	jmp 1b

/* Vectors that push an error code: 8, 10-14, 17, 21, 29, 30. */
.macro STUB vec
stub_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp stub_common
.endm

	.p2align 4
.altmacro
.macro STUBS from=0, to=31
	STUB %(\from)
	.if \to-\from
	STUBS %(\from+1), \to
	.endif
.endm
	STUBS 0, 31

stub_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	mov %rsp, %rdi
	cld
	call guest_exception
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	add $16, %rsp
	iretq

.macro VEC from=0, to=31
	.quad stub_\from
	.if \to-\from
	VEC %(\from+1), \to
	.endif
.endm

	.section .rodata
	.p2align 3
	.globl guest_vectors
guest_vectors:
	VEC 0, 31

	.section .note.GNU-stack, "", @progbits
