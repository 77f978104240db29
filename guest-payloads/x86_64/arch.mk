# arch.mk (x86_64) — the guest payloads' compiler and flags (payloads.mk).
GUEST_CC := $(CROSS_COMPILE)gcc
GUEST_OBJCOPY := $(CROSS_COMPILE)objcopy
GUEST_ARCH_CFLAGS := -mno-red-zone -mgeneral-regs-only -fcf-protection=none
