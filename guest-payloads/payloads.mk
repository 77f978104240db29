# payloads.mk — the guest payloads, included by the top Makefile.
#
# Each guest-payloads/$(ARCH)/<name>.c is one payload: compiled with the
# arch's gcc (guest-payloads/$(ARCH)/arch.mk: GUEST_CC, GUEST_OBJCOPY and
# GUEST_ARCH_CFLAGS; $(CROSS_COMPILE) prefixed when cross-building), freestanding (no libc, no sanitizers even in SAN=1 builds),
# linked with the guest library (guest-payloads/lib/) by flat.lds at
# GUEST_IMAGE_GPA, turned into a flat image with objcopy, and embedded by
# blob.S as pfbench_payload_<name>_start/_end; the objects join
# PAYLOAD_OBJS, which go into libpfbench.a. Quiet like the top Makefile:
# a short "  CC      <target>" line per step, full command lines with V=1.

ifneq ($(wildcard guest-payloads/$(ARCH)/arch.mk),)
include guest-payloads/$(ARCH)/arch.mk
GUEST_OUT := $(BUILD)/guest-payloads/$(ARCH)
GUEST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g0 -ffreestanding -nostdlib \
	-fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables $(GUEST_ARCH_CFLAGS) \
	-fno-sanitize=all -Iguest-payloads -Iguest-payloads/$(ARCH) -Iguest-payloads/lib
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-Wl,-T,guest-payloads/$(ARCH)/flat.lds

GUEST_LIB_SRCS := $(wildcard guest-payloads/lib/*.c guest-payloads/lib/$(ARCH)/*.c \
	guest-payloads/lib/$(ARCH)/*.S)
GUEST_LIB_OBJS := $(patsubst guest-payloads/%,$(GUEST_OUT)/obj/%.o,$(GUEST_LIB_SRCS))
GUEST_NAMES := $(basename $(notdir $(wildcard guest-payloads/$(ARCH)/*.c)))
GUEST_HDRS := guest-payloads/abi.h guest-payloads/$(ARCH)/abi-arch.h $(wildcard guest-payloads/lib/*.h guest-payloads/lib/$(ARCH)/*.h)

$(GUEST_OUT)/obj/%.o: guest-payloads/% $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/%.elf: $(GUEST_OUT)/obj/$(ARCH)/%.c.o $(GUEST_LIB_OBJS) guest-payloads/$(ARCH)/flat.lds
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB_OBJS) -lgcc

$(GUEST_OUT)/%.bin: $(GUEST_OUT)/%.elf
	@$(if $(Q),echo "  OBJCOPY $@")
	$(Q)$(GUEST_OBJCOPY) -O binary $< $@

$(GUEST_OUT)/%.blob.o: $(GUEST_OUT)/%.bin guest-payloads/blob.S
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(GUEST_CC) -c -DBLOB_NAME=$* -DBLOB_FILE='"$<"' guest-payloads/blob.S -o $@

PAYLOAD_OBJS += $(patsubst %,$(GUEST_OUT)/%.blob.o,$(GUEST_NAMES))
.SECONDARY: $(GUEST_LIB_OBJS) $(patsubst %,$(GUEST_OUT)/obj/$(ARCH)/%.c.o,$(GUEST_NAMES)) $(patsubst %,$(GUEST_OUT)/%.elf,$(GUEST_NAMES)) $(patsubst %,$(GUEST_OUT)/%.bin,$(GUEST_NAMES))
endif
