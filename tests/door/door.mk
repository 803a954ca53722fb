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
#   make check-door-trixie  the same test on Debian 13 trixie's user space
#                      (its mosquitto, udev and libraries, the bridge built
#                      against them in the trixie chroot) and its 6.12
#                      kernel: Raspberry Pi OS trixie's (build/door-trixie/)
#
# Debian's arm64 packages are unpacked, not installed, into one tree
# (scripts/fetch-sysroot.py): the cross build compiles and links against
# it, and the guest takes its programs, libraries and loader from it.

# DOOR_RELEASE: the Debian release of the guest's user space. This
# machine's (bookworm) builds here; a newer one in its chroot
# (scripts/chroot.sh), with that release's cross compiler.
DOOR_RELEASE ?= bookworm
ifeq ($(DOOR_RELEASE),bookworm)
DOOR_BUILD   := $(BUILD)/door
BRIDGE_ARM64 := $(BUILD)/bridge-arm64
DOOR_IN      :=
else
DOOR_BUILD   := $(BUILD)/door-$(DOOR_RELEASE)
BRIDGE_ARM64 := $(BUILD)/bridge-arm64-$(DOOR_RELEASE)
DOOR_CHROOT  := $(BUILD)/chroot/$(DOOR_RELEASE)
DOOR_IN      := scripts/chroot.sh run $(DOOR_CHROOT)
endif
DOOR_SYSROOT := $(DOOR_BUILD)/sysroot
DOOR_ROOT    := $(DOOR_BUILD)/root
DOOR_MQTT    := $(DOOR_BUILD)/guest/door-mqtt

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
ifneq ($(DOOR_RELEASE),bookworm)
	@$(DEPS) chroot
	scripts/chroot.sh make $(DOOR_CHROOT) $(DOOR_RELEASE) make python3 pkgconf gcc-aarch64-linux-gnu
endif
	$(DOOR_IN) python3 $(abspath scripts/fetch-sysroot.py) $(abspath $(DOOR_SYSROOT)) $(DOOR_PACKAGES)
	@touch $@

door-sysroot: $(DOOR_SYSROOT)/packages

# bridge/bridge.mk's own rules, with the cross compiler and a build folder
# of their own.
bridge-arm64: $(DOOR_SYSROOT)/packages
ifeq ($(DOOR_RELEASE),bookworm)
	$(DOOR_CROSS_ENV) $(MAKE) --no-print-directory BRIDGE_BUILD=$(BRIDGE_ARM64) \
		CC="$(DOOR_CROSS_CC)" $(BRIDGE_ARM64)/sesame-bridge $(BRIDGE_ARM64)/sesame-sign
else
	$(DOOR_IN) env $(DOOR_CROSS_ENV) make -C $(CURDIR) --no-print-directory DEPS=true \
		BRIDGE_BUILD=$(abspath $(BRIDGE_ARM64)) CC="$(DOOR_CROSS_CC)" \
		$(abspath $(BRIDGE_ARM64))/sesame-bridge $(abspath $(BRIDGE_ARM64))/sesame-sign
endif

DOOR_CFLAGS := -O2 -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	       -Wshadow -Wcast-qual -Wsign-compare

$(DOOR_MQTT): tests/door/guest/door-mqtt.c $(DOOR_SYSROOT)/packages
	@mkdir -p $(@D)
	$(DOOR_IN) env $(DOOR_CROSS_ENV) sh -c '$(DOOR_CROSS_CC) $(DOOR_CFLAGS) \
		$$(pkg-config --cflags libmosquitto) -o $(abspath $@) $(abspath $<) \
		$$(pkg-config --libs libmosquitto)'

# The guest's tree: remade every time (a second or two), with new secrets.
door-guest: module-arm64 bridge-arm64 $(DOOR_MQTT)
	@$(DEPS) build pi door
	tests/door/rig/stage.sh -o $(DOOR_ROOT) -s $(DOOR_SYSROOT) -g $(GUEST) \
		-k $(GUEST_MOD)/sesame.ko -b $(BRIDGE_ARM64)/sesame-bridge -c $(DOOR_MQTT)

check-door: door-guest $(DTBO)
	SESAME_KERNEL=$(KERNEL) SESAME_DOOR=$(DOOR_BUILD) \
		python3 tests/door/test_door.py --out $(DOOR_BUILD)/check

CHECK_TARGETS += check-door-trixie
.PHONY: check-door-trixie
check-door-trixie:
	$(MAKE) --no-print-directory check-door DOOR_RELEASE=trixie KERNEL=trixie-arm64

demo: door-guest $(DTBO)
	python3 tests/door/demo.py $(BUILD)/demo
