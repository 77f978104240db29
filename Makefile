# pfbench — build, test, run. See README.md.
#
#   make            build build/pfbench (and the guest payloads it embeds)
#   make test       install deps (scripts/deps.sh), build, run every test,
#                   then again under AddressSanitizer + UBSan (build-san/)
#   make run        the quick suite: results/<host-id>/<UTC>/ with a report
#   make suite      the full sweep
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (default 20);
#                   make test runs each for FUZZ_TEST_SECONDS (default 2)
#   make arm64      cross-compile a static aarch64 build-arm64/pfbench
#                   (scripts/arm64/: a Debian arm64 sysroot, nothing installed)
#   make test-arm64 boot it in an arm64 guest under QEMU and check enforcement
#   make clean

# ARCH: the architecture built for; this machine's by default (uname -m
# aarch64 is arm64). `make arm64` sets ARCH=arm64 with CROSS_COMPILE (the
# toolchain prefix, also used for the guest payloads), SYSROOT (the arm64
# libraries' headers and archives) and STATIC=1.
UNAME_M := $(shell uname -m)
ARCH_OF_aarch64 := arm64
ARCH_OF_arm64 := arm64
ARCH_OF_x86_64 := x86_64
ARCH ?= $(ARCH_OF_$(UNAME_M))
ifeq ($(ARCH),)
$(error pfbench builds for x86_64 and arm64 (aarch64); uname -m here says "$(UNAME_M)")
endif
ifeq ($(filter x86_64 arm64,$(ARCH)),)
$(error ARCH=$(ARCH): pfbench builds for x86_64 and arm64)
endif
BUILD ?= build
SAN ?=
CROSS_COMPILE ?=
SYSROOT ?=
STATIC ?=
CC ?= gcc
# `make V=1` shows full command lines.
ifeq ($(V),1)
Q :=
else
Q := @
endif

CFLAGS_COMMON := -std=gnu11 -g -Wall -Wextra -Werror -D_GNU_SOURCE

# Per-module include paths: each folder sees itself and the layers below
# it, so an include from a lower layer to a higher one fails to build.
# filters < common < lookup, kvm < suite < report < cli (and the tests).
INC_FILTERS := -Iinclude -Ifilters
INC_COMMON := $(INC_FILTERS) -Ibench/common
INC_LOOKUP := $(INC_COMMON) -Ibench/lookup
INC_KVM := $(INC_COMMON) -Ibench/kvm -Ibench/kvm/$(ARCH) -Iguest-payloads -Iguest-payloads/$(ARCH)
INC_SUITE := $(INC_COMMON) -Ibench/suite
INC_REPORT := $(INC_SUITE) -Ibench/lookup -Ibench/kvm -Ibench/kvm/$(ARCH) -Iguest-payloads \
	-Iguest-payloads/$(ARCH) -Ibench/report
INC_ALL := $(INC_REPORT) -Ibench/cli
$(BUILD)/filters/%.o: INC := $(INC_FILTERS)
$(BUILD)/bench/common/%.o: INC := $(INC_COMMON)
$(BUILD)/bench/lookup/%.o: INC := $(INC_LOOKUP)
$(BUILD)/bench/kvm/%.o: INC := $(INC_KVM)
$(BUILD)/bench/suite/%.o: INC := $(INC_SUITE)
$(BUILD)/bench/report/%.o: INC := $(INC_REPORT)
$(BUILD)/bench/cli/%.o: INC := $(INC_ALL)
ifeq ($(SAN),1)
CFLAGS_OPT := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS_SAN := -fsanitize=address,undefined
else
CFLAGS_OPT := -O2
LDFLAGS_SAN :=
endif
CFLAGS := $(CFLAGS_COMMON) $(CFLAGS_OPT) $(EXTRA_CFLAGS)
LDFLAGS := $(LDFLAGS_SAN)
LDLIBS := -lpapi -lpfm -lhwloc -ljansson -lm -lpthread
# A sysroot's library headers (and hwloc's per-triplet config.h) and archives.
ifneq ($(SYSROOT),)
SYSROOT_TRIPLET := $(shell $(CC) -dumpmachine)
CFLAGS += -isystem $(SYSROOT)/usr/include -isystem $(SYSROOT)/usr/include/$(SYSROOT_TRIPLET)
LDFLAGS += -L$(SYSROOT)/usr/lib/$(SYSROOT_TRIPLET)
endif
# Static: Debian ships no libudev.a, which libhwloc.a needs (see the stub).
STATIC_OBJS :=
ifeq ($(STATIC),1)
LDFLAGS += -static
STATIC_OBJS := $(BUILD)/scripts/arm64/udev-stub.o
endif

# Recorded in every result's context block.
GIT_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
CFLAGS += -DPFBENCH_CC='"$(shell $(CC) --version | head -n1)"' \
	-DPFBENCH_CFLAGS='"$(CFLAGS_OPT) $(EXTRA_CFLAGS)"' -DPFBENCH_GIT_REV='"$(GIT_REV)"'
# context.c bakes GIT_REV in: rebuild it whenever the revision changes.
GIT_REV_STAMP := $(BUILD)/.git-rev
$(shell mkdir -p $(BUILD); echo '$(GIT_REV)' | cmp -s - $(GIT_REV_STAMP) || echo '$(GIT_REV)' > $(GIT_REV_STAMP))

LIB_SRCS := $(wildcard filters/*.c bench/common/*.c bench/common/$(ARCH)/*.c bench/lookup/*.c bench/kvm/*.c \
	bench/kvm/$(ARCH)/*.c bench/report/*.c bench/suite/*.c) \
	$(filter-out bench/cli/pfbench.c,$(wildcard bench/cli/*.c))
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
PAYLOAD_OBJS :=
# guest-payloads/payloads.mk adds the payload blobs to PAYLOAD_OBJS.
-include guest-payloads/payloads.mk

TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))

all: $(BUILD)/pfbench $(TEST_BINS)

$(BUILD)/bench/common/context.o: $(GIT_REV_STAMP)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) $(INC) -MMD -MP -c $< -o $@

$(BUILD)/libpfbench.a: $(LIB_OBJS) $(PAYLOAD_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/pfbench: $(BUILD)/bench/cli/pfbench.o $(BUILD)/libpfbench.a $(STATIC_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libpfbench.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(CFLAGS) $(INC_ALL) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/libpfbench.a $(LDLIBS) -lcmocka

deps:
	scripts/deps.sh

# The unit and integration tests of one build (plain or sanitized).
check: all
	scripts/check-layers.sh
	scripts/run-tests.sh $(BUILD)

test: deps
	$(MAKE) BUILD=build check
	tests/cli/reproducers-15.sh build
	$(MAKE) BUILD=build-san SAN=1 check
	scripts/fuzz.sh $(FUZZ_TEST_SECONDS)
	$(MAKE) test-arm64

# The quick suite / the full sweep: results/<host-id>/<UTC>/ with
# metadata.json, result sets, plots and report.md (pfbench suite --help).
# deps first, then the build, so both work on a fresh clone.
run: deps
	$(MAKE) $(BUILD)/pfbench
	$(BUILD)/pfbench suite --quick

suite: deps
	$(MAKE) $(BUILD)/pfbench
	$(BUILD)/pfbench suite --full

# arm64: a static aarch64 pfbench cross-compiled on this machine, and the
# end-to-end run of it in an arm64 guest under QEMU (tests/arm64/run.sh).
ARM64_BUILD := build-arm64
ARM64_CROSS := aarch64-linux-gnu-
ARM64_MAKE := $(MAKE) ARCH=arm64 CROSS_COMPILE=$(ARM64_CROSS) CC=$(ARM64_CROSS)gcc \
	BUILD=$(ARM64_BUILD) SYSROOT=$(ARM64_BUILD)/sysroot STATIC=1 SAN=

deps-arm64:
	scripts/deps.sh --arm64

arm64: deps-arm64
	scripts/arm64/sysroot.sh $(ARM64_BUILD)/sysroot
	+$(ARM64_MAKE) $(ARM64_BUILD)/pfbench

arm64-probe: deps-arm64
	+$(ARM64_MAKE) $(ARM64_BUILD)/arm64/kvm-probe

# tests/arm64/kvm-probe.c: standalone, no pfbench library (see its comment).
$(BUILD)/arm64/kvm-probe: tests/arm64/kvm-probe.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -o $@ $<

# Until bench/kvm/arm64/ exists (the arm64 VMM) only the VM chain and
# kvm-probe run; run.sh reports the pfbench part as skipped.
test-arm64: arm64-probe
	if [ -d bench/kvm/arm64 ]; then $(MAKE) arm64; fi
	tests/arm64/run.sh

FUZZ_SECONDS ?= 20
# make test's bounded run of every fuzz target (seconds each).
FUZZ_TEST_SECONDS ?= 2
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf build build-san build-fuzz build-arm64

.PHONY: all deps check test run suite fuzz clean deps-arm64 arm64 arm64-probe test-arm64
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
