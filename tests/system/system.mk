# tests/system/system.mk - the driver's system tests in the emulated
# Raspberry Pi 3, and `make demo` (included by Makefile).
#
#   make check-system   boot the emulated Pi twice and check the driver
#                       (tests/system/test_driver.py; results and plots in
#                       build/system/)
#   make demo-driver    boot it once, open and close the door through
#                       /dev/sesame, print the timeline and write the plot
#                       of the pulses (`make demo` shows the whole door:
#                       tests/door/door.mk)
#
# The rig itself (tests/system/rig/) takes any test script and files, so
# later parts put their own programs into the same guest.

SYSTEM_DIR   := $(BUILD)/system
GUEST_CC     := aarch64-linux-gnu-gcc
GUEST_CFLAGS := -O2 -static -Wall -Wextra -Werror -Wstrict-prototypes \
		-Wmissing-prototypes -Wshadow -Wcast-qual -Wsign-compare
DEVIO        := $(SYSTEM_DIR)/guest/devio
DEVIO_ARMHF  := $(SYSTEM_DIR)/guest-armhf/devio

CHECK_TARGETS += check-system check-kernels

$(DEVIO): tests/system/guest/devio.c
	@$(DEPS) build pi
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

# The Pi 2's (32-bit ARMv7).
$(DEVIO_ARMHF): tests/system/guest/devio.c
	@$(DEPS) build pi
	@mkdir -p $(@D)
	arm-linux-gnueabihf-gcc $(GUEST_CFLAGS) -o $@ $<

# A test-only module that stalls every CPU (late timer callbacks), built
# like sesame.ko against the guest's headers.
STALL_KO := $(if $(filter bookworm-arm64,$(KERNEL)),$(SYSTEM_DIR)/stall,$(SYSTEM_DIR)/stall-$(KERNEL))/stall.ko
.PHONY: stall-module
stall-module: guest
	scripts/kbuild.sh $(GUEST) $(dir $(STALL_KO)) tests/system/guest/stall/stall.c \
		tests/system/guest/stall/Kbuild -- -s

# What every boot of the driver's tests needs.
.PHONY: system-prereqs
system-prereqs: module-guest $(DTBO) $(if $(filter armhf,$(GUEST_ARCH)),$(DEVIO_ARMHF),$(DEVIO)) stall-module

.PHONY: check-system
check-system: system-prereqs
	python3 tests/system/test_driver.py --out $(SYSTEM_DIR)/check

.PHONY: demo-driver
demo-driver: system-prereqs
	tests/system/demo.sh $(SYSTEM_DIR)/demo

# --- the kernel matrix (scripts/fetch-guest.sh has the kernels) -------------
#
#   make check-kernel KERNEL=NAME [DEPTH=full|smoke]
#       NAME's lint (W=1, sparse) and system tests: all boots at full
#       depth; the smoke boot (open, auto-close, idle stop, no sleeping
#       lock in the timer, clean log) otherwise. The Pi 2 (armhf) has no
#       expander GPIO for the overlay boot's test nodes; it boots "smoke"
#       on its tree with GPIO18 freed, and "taken" on the tree as Debian
#       ships it, where I2S holds GPIO18.
#   make check-kernels   what make check runs: Debian 13's 6.12 at full
#       depth (6.1 is check-system's), one boot of each other kernel
#   make check-matrix    every kernel at full depth, lint included
DEPTH ?= full
ifeq ($(GUEST_ARCH),armhf)
KERNEL_BOOTS := smoke taken
else ifeq ($(DEPTH),full)
KERNEL_BOOTS := overlay params smoke
else
KERNEL_BOOTS := smoke
endif

.PHONY: check-kernel check-kernels check-matrix
check-kernel: system-prereqs $(if $(filter full,$(DEPTH)),lint-kernel)
	SESAME_KERNEL=$(KERNEL) python3 tests/system/test_driver.py \
		--out $(SYSTEM_DIR)/$(KERNEL) $(addprefix --boot ,$(KERNEL_BOOTS))

check-kernels:
	$(MAKE) --no-print-directory check-kernel KERNEL=trixie-arm64 DEPTH=full
	$(MAKE) --no-print-directory check-kernel KERNEL=trixie-rt-arm64 DEPTH=smoke
	$(MAKE) --no-print-directory check-kernel KERNEL=trixie-backports-arm64 DEPTH=smoke
	$(MAKE) --no-print-directory check-kernel KERNEL=trixie-armmp DEPTH=smoke

check-matrix:
	@for k in $(KERNELS); do \
		$(MAKE) --no-print-directory check-kernel KERNEL=$$k DEPTH=full || exit 1; done
	@echo "make check-matrix: every kernel passed"
