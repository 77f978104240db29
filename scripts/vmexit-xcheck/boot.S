/* boot.S — multiboot (v1) entry of the vmexit cross-check guest: QEMU's
 * -kernel loader enters _start in 32-bit protected mode; we build 4-level
 * identity page tables (2 MiB pages over 1 GiB), enable PAE, EFER.LME and
 * paging, load a GDT with a 64-bit code segment and jump to 64-bit code.
 * Built with -DUSER_MODE it then drops to CPL 3 (user-accessible pages,
 * IOPL 3 so the debug-console `out` still works) before calling main:
 * the CPL-3 variant that shows what PVM runs natively.
 * Linked as x86-64 and converted to elf32-i386, because QEMU's multiboot
 * loader takes only 32-bit ELF files. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010000 /* bit 16: load addresses in the header */
#ifdef USER_MODE
#define PTE_FLAGS 7     /* present, writable, user */
#define PDE_FLAGS 0x87  /* + 2 MiB page */
#else
#define PTE_FLAGS 3
#define PDE_FLAGS 0x83
#endif

	.text
	.code32
	.globl _start
	.p2align 2
mb_header:
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
	.long mb_header, mb_header, data_end, bss_end, _start
_start:
	mov $boot_stack_top, %esp
	mov $pdpt + PTE_FLAGS, %eax
	mov %eax, pml4
	mov $pd + PTE_FLAGS, %eax
	mov %eax, pdpt
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $PDE_FLAGS, %eax
	mov %eax, pd(,%ecx,8)
	inc %ecx
	cmp $512, %ecx
	jne 1b
	mov $pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $0x620, %eax          /* PAE, OSFXSR, OSXMMEXCPT */
	mov %eax, %cr4
	mov $0xc0000080, %ecx    /* EFER.LME */
	rdmsr
	or $0x100, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80010023, %eax     /* PG, WP, NE, MP, PE */
	mov %eax, %cr0
	lgdt gdt_ptr
	ljmp $0x08, $start64

	.code64
start64:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp
#ifdef USER_MODE
	pushq $0x23              /* SS: user data, RPL 3 */
	pushq $user_stack_top
	pushq $0x3002            /* RFLAGS: IOPL 3, interrupts off */
	pushq $0x1b              /* CS: user code, RPL 3 */
	pushq $in_user
	iretq
in_user:
#endif
	call main
#ifdef USER_MODE
2:	pause                   /* CPL 3 cannot hlt: spin (natively) until killed */
	jmp 2b
#else
2:	cli                     /* halted, nothing left for KVM to emulate */
	hlt
	jmp 2b
#endif

	.data
	.p2align 4
gdt:
	.quad 0
	.quad 0x00af9b000000ffff /* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf93000000ffff /* 0x10: data, DPL 0 */
	.quad 0x00affb000000ffff /* 0x18: 64-bit code, DPL 3 */
	.quad 0x00cff3000000ffff /* 0x20: data, DPL 3 */
gdt_end:
gdt_ptr:
	.word gdt_end - gdt - 1
	.quad gdt
data_end:

	.bss
	.p2align 12
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096
	.skip 16384
boot_stack_top:
	.skip 16384
user_stack_top:
bss_end:

	.section .note.GNU-stack, "", @progbits
