# tests/door/door.mk - the whole door in the emulated Raspberry Pi 3, and
# `make demo` (included by Makefile).
#
#   make bridge-arm64  sesame-bridge and sesame-sign cross-built for arm64
#                      against Debian's arm64 libraries (build/bridge-arm64/)
#   make door-guest    the tree the emulated Pi gets for the whole door
#                      (tests/door/rig/stage.sh, build/door/root/)
#   make check-door    boot the emulated Pi once with Debian's arm64
#                      mosquitto and udev, the bridge and the module, and
#                      check the story of tests/door/test_door.py
#   make demo          the same door, told for a newcomer: a timed account
#                      of an open, and a plot of the pulses (build/demo/)
#
# Debian's arm64 packages are unpacked, not installed, into one tree
# (scripts/fetch-sysroot.py): the cross build compiles and links against
# it, and the guest takes its programs, libraries and loader from it.

DOOR_BUILD   := $(BUILD)/door
DOOR_SYSROOT := $(DOOR_BUILD)/sysroot
DOOR_ROOT    := $(DOOR_BUILD)/root
DOOR_MQTT    := $(DOOR_BUILD)/guest/door-mqtt
BRIDGE_ARM64 := $(BUILD)/bridge-arm64

# What the guest runs, and what the bridge and door-mqtt link against.
DOOR_PACKAGES := libc6-dev libmosquitto-dev libssl-dev libcjson-dev \
		 mosquitto mosquitto-clients udev

# pkg-config and the compiler, both looking into the sysroot only.
DOOR_CROSS_ENV = PKG_CONFIG_SYSROOT_DIR=$(abspath $(DOOR_SYSROOT)) \
		 PKG_CONFIG_LIBDIR=$(abspath $(DOOR_SYSROOT))/usr/lib/aarch64-linux-gnu/pkgconfig:$(abspath $(DOOR_SYSROOT))/usr/share/pkgconfig
DOOR_CROSS_CC  := aarch64-linux-gnu-gcc --sysroot=$(abspath $(DOOR_SYSROOT))

CHECK_TARGETS += check-door

.PHONY: door-sysroot bridge-arm64 door-guest check-door demo

$(DOOR_SYSROOT)/packages: tests/door/door.mk
	@$(DEPS) build pi
	scripts/fetch-sysroot.py $(DOOR_SYSROOT) $(DOOR_PACKAGES)
	@touch $@

door-sysroot: $(DOOR_SYSROOT)/packages

# bridge/bridge.mk's own rules, with the cross compiler and a build folder
# of their own.
bridge-arm64: $(DOOR_SYSROOT)/packages
	$(DOOR_CROSS_ENV) $(MAKE) --no-print-directory BRIDGE_BUILD=$(BRIDGE_ARM64) \
		CC="$(DOOR_CROSS_CC)" $(BRIDGE_ARM64)/sesame-bridge $(BRIDGE_ARM64)/sesame-sign

DOOR_CFLAGS := -O2 -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	       -Wshadow -Wcast-qual -Wsign-compare

$(DOOR_MQTT): tests/door/guest/door-mqtt.c $(DOOR_SYSROOT)/packages
	@mkdir -p $(@D)
	$(DOOR_CROSS_ENV) sh -c '$(DOOR_CROSS_CC) $(DOOR_CFLAGS) \
		$$(pkg-config --cflags libmosquitto) -o $@ $< $$(pkg-config --libs libmosquitto)'

# The guest's tree: remade every time (a second or two), with new secrets.
door-guest: module-arm64 bridge-arm64 $(DOOR_MQTT)
	@$(DEPS) build pi door
	tests/door/rig/stage.sh -o $(DOOR_ROOT) -s $(DOOR_SYSROOT) -g $(GUEST) \
		-k $(BUILD)/module-arm64/sesame.ko -b $(BRIDGE_ARM64)/sesame-bridge -c $(DOOR_MQTT)

check-door: door-guest $(DTBO)
	python3 tests/door/test_door.py --out $(DOOR_BUILD)/check

demo: door-guest $(DTBO)
	python3 tests/door/demo.py $(BUILD)/demo
