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

CHECK_TARGETS += check-system

$(DEVIO): tests/system/guest/devio.c
	@$(DEPS) build pi
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

# A test-only module that stalls every CPU (late timer callbacks), built
# like sesame.ko against the guest's headers.
STALL_KO := $(SYSTEM_DIR)/stall/stall.ko
$(STALL_KO): tests/system/guest/stall/stall.c tests/system/guest/stall/Kbuild | guest
	rm -rf $(@D) && mkdir -p $(@D)
	cp $^ $(@D)/
	$(MAKE) -s -C $(GUEST)/headers M=$(abspath $(@D)) $(CROSS_ARM64) modules

# What every boot of the driver's tests needs.
.PHONY: system-prereqs
system-prereqs: module-arm64 $(DTBO) $(DEVIO) $(STALL_KO)

.PHONY: check-system
check-system: system-prereqs
	python3 tests/system/test_driver.py --out $(SYSTEM_DIR)/check

.PHONY: demo-driver
demo-driver: system-prereqs
	tests/system/demo.sh $(SYSTEM_DIR)/demo
