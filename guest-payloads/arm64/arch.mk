# arch.mk (arm64) — the guest payloads' compiler and flags (payloads.mk).
# The payloads run at EL1 with the MMU off: every data access is Device
# memory, where an unaligned access faults, hence -mstrict-align.
GUEST_CC := $(CROSS_COMPILE)gcc
GUEST_OBJCOPY := $(CROSS_COMPILE)objcopy
GUEST_ARCH_CFLAGS := -mgeneral-regs-only -mstrict-align -march=armv8-a
