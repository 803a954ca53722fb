# driver/driver.mk - build and lint rules for sesame.ko (included by Makefile).
#
# Kbuild writes its objects next to the sources, so each build works on its own
# copy of Kbuild + driver/ under build/: the tree stays clean, and the host
# and arm64 builds never mix.

DRIVER_SRCS := Kbuild $(wildcard driver/*.c driver/*.h)

# The running kernel's headers, when they are installed (on a Pi: the
# raspberrypi-kernel-headers or linux-headers-rpi-* package).
KDIR ?= /lib/modules/$(shell uname -r)/build

# Copies the module sources into $(1) and builds them with make arguments $(2).
define kbuild_module
	rm -rf $(1) && mkdir -p $(1)/driver
	cp Kbuild $(1)/ && cp driver/*.c driver/*.h $(1)/driver/
	$(MAKE) -C $(2) M=$(abspath $(1)) modules
endef

.PHONY: module module-arm64
ALL_TARGETS += module

module:
	@if [ -d "$(KDIR)" ]; then \
		$(MAKE) --no-print-directory module-host; \
	else \
		echo "module: no headers for the running kernel at $(KDIR);" \
		     "skipping (on a Pi: apt install raspberrypi-kernel-headers)"; \
	fi

.PHONY: module-host
module-host:
	$(call kbuild_module,$(BUILD)/module-host,$(KDIR))
	@echo "built $(BUILD)/module-host/sesame.ko"

# The emulated Pi's kernel: Debian's arm64 kernel, fetched by version.
GUEST       := $(BUILD)/guest
CROSS_ARM64 := ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-

.PHONY: guest
guest:
	@$(DEPS) build pi
	@scripts/fetch-guest.sh $(GUEST)

module-arm64: guest
	$(call kbuild_module,$(BUILD)/module-arm64,$(GUEST)/headers $(CROSS_ARM64))
	@echo "built $(BUILD)/module-arm64/sesame.ko for $$(cat $(GUEST)/kver)"
