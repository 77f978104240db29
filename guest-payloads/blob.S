/* blob.S — embeds one flat payload image into the pfbench archive as
 * pfbench_payload_<BLOB_NAME>_start/_end (payloads.mk passes BLOB_NAME
 * and BLOB_FILE). bench/kvm/<arch>/payloads.c lists them. */
#define PASTE3(a, b, c) a##b##c
#define SYM(name, suffix) PASTE3(pfbench_payload_, name, suffix)

	.section .rodata.pfbench_payloads, "a"
	.balign 64
	.globl SYM(BLOB_NAME, _start)
	.globl SYM(BLOB_NAME, _end)
SYM(BLOB_NAME, _start):
	.incbin BLOB_FILE
SYM(BLOB_NAME, _end):
	.byte 0

	.section .note.GNU-stack, "", @progbits
