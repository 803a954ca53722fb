# driver/driver.mk - build and lint rules for sesame.ko (included by Makefile).
#
#   make module        sesame.ko for the running kernel, when its headers
#                      are installed (part of plain `make`)
#   make module-guest KERNEL=NAME  sesame.ko for an emulated Pi's kernel
#                      (build/module-NAME/; KERNELS below lists them)
#   make check-driver-lint  checkpatch --strict, then W=1 + sparse builds
#                      for the host and arm64: any message fails
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
	cp Kbuild VERSION $(1)/ && cp driver/*.c driver/*.h $(1)/driver/
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

# The emulated Pi's kernels, Debian's, fetched by version (scripts/
# fetch-guest.sh names them): KERNEL picks the one the targets below build
# for and boot. Debian 12's arm64 kernel, the default, keeps the folders it
# always had; the others go under build/kernels/ and build/module-KERNEL/.
KERNEL  ?= bookworm-arm64
KERNELS := bookworm-arm64 trixie-arm64 trixie-rt-arm64 trixie-backports-arm64 \
	   trixie-armmp bookworm-armmp
kernel_dir = $(if $(filter bookworm-arm64,$(1)),$(BUILD)/guest,$(BUILD)/kernels/$(1))
module_dir = $(if $(filter bookworm-arm64,$(1)),$(BUILD)/module-arm64,$(BUILD)/module-$(1))
GUEST       := $(call kernel_dir,$(KERNEL))
GUEST_MOD   := $(call module_dir,$(KERNEL))
CROSS_ARM64 := ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
ifneq ($(filter %-armmp,$(KERNEL)),)
GUEST_ARCH  := armhf
else
GUEST_ARCH  := arm64
endif

.PHONY: guest module-guest
guest:
	@$(DEPS) build pi $(if $(filter bookworm-arm64,$(KERNEL)),,chroot)
	@scripts/fetch-guest.sh $(GUEST) $(KERNEL)

# Built with the kernel's own kbuild tools, here or in its release's chroot.
module-guest: guest
	scripts/kbuild.sh $(GUEST) $(GUEST_MOD) Kbuild VERSION driver
	@echo "built $(GUEST_MOD)/sesame.ko for $$(cat $(GUEST)/kver)"

# The name the other parts know it by.
module-arm64: module-guest

# Lint: checkpatch --strict (from Debian's linux-source), and W=1 + sparse
# builds for the host arch (Debian's headers of the guest's version) and for
# arm64. Any message at all fails: the standard is "quiet", not "no errors".
CHECKPATCH := $(BUILD)/checkpatch/scripts/checkpatch.pl
LINT_LOG   := $(BUILD)/lint

$(CHECKPATCH):
	@$(DEPS) lint
	mkdir -p $(BUILD)/checkpatch
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C $(BUILD)/checkpatch \
		--strip-components=1 linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch

.PHONY: check-driver-lint
CHECK_TARGETS += check-driver-lint

check-driver-lint: $(CHECKPATCH) guest
	@mkdir -p $(LINT_LOG)
	perl $(CHECKPATCH) --strict --no-tree --terse --no-summary -f \
		driver/*.c driver/*.h > $(LINT_LOG)/checkpatch.txt || true
	@if [ -s $(LINT_LOG)/checkpatch.txt ]; then \
		cat $(LINT_LOG)/checkpatch.txt; echo "checkpatch --strict: not quiet"; exit 1; fi
	@echo "checkpatch --strict: quiet"
	kdir=/usr/src/linux-headers-$$(sed 's/-arm64$$//' $(GUEST)/kver)-$$(dpkg --print-architecture); \
	$(MAKE) --no-print-directory lint-build LINT_NAME=host LINT_KDIR="$$kdir"
	$(MAKE) --no-print-directory lint-build LINT_NAME=arm64 \
		LINT_KDIR="$(GUEST)/headers $(CROSS_ARM64)"

# One W=1 + sparse (C=2: every file) build; fails on any warning line.
.PHONY: lint-build
lint-build:
	$(call kbuild_module,$(BUILD)/lint-$(LINT_NAME),$(LINT_KDIR) W=1 C=2) \
		> $(LINT_LOG)/build-$(LINT_NAME).txt 2>&1 || \
		{ cat $(LINT_LOG)/build-$(LINT_NAME).txt; exit 1; }
	@if grep -E 'warning|error|sparse' $(LINT_LOG)/build-$(LINT_NAME).txt \
		| grep -v 'Skipping BTF'; then \
		echo "W=1/sparse build for $(LINT_NAME): not quiet"; exit 1; fi
	@echo "W=1 + sparse build for $(LINT_NAME): quiet"

# The same for KERNEL, with its own kbuild tools (any kernel of the
# matrix), and checkpatch of that kernel's series where its source was
# unpacked (the armhf kernels'). Debian's sparse (0.6.4, 2021) cannot parse
# 7.x's headers; the kernel then turns C=2 off itself with a warning,
# which is reported as "sparse: not run", never as quiet.
.PHONY: lint-kernel
lint-kernel: guest
	@mkdir -p $(LINT_LOG)
	scripts/kbuild.sh $(GUEST) $(BUILD)/lint-$(KERNEL) Kbuild VERSION driver -- W=1 C=2 \
		> $(LINT_LOG)/build-$(KERNEL).txt 2>&1 || \
		{ cat $(LINT_LOG)/build-$(KERNEL).txt; exit 1; }
	@log=$(LINT_LOG)/build-$(KERNEL).txt; \
	if grep -q 'C=2 specified, but sparse is not available' $$log; then \
		sparse="sparse: NOT RUN (Debian's sparse cannot check this kernel's headers)"; \
	else \
		grep -q '^  CHECK ' $$log || { echo "lint $(KERNEL): sparse did not run"; exit 1; }; \
		sparse="sparse: quiet"; \
	fi; \
	if grep -E 'warning|error|sparse:' $$log | grep -v 'Skipping BTF\|C=2 specified, but sparse'; then \
		echo "lint $(KERNEL): W=1/sparse not quiet"; exit 1; fi; \
	echo "lint $(KERNEL) ($$(cat $(GUEST)/kver)): W=1 quiet, $$sparse"
	@if [ -f $(GUEST)/checkpatch/checkpatch.pl ]; then \
		perl $(GUEST)/checkpatch/checkpatch.pl --strict --no-tree --terse --no-summary -f \
			driver/*.c driver/*.h > $(LINT_LOG)/checkpatch-$(KERNEL).txt || true; \
		if [ -s $(LINT_LOG)/checkpatch-$(KERNEL).txt ]; then \
			cat $(LINT_LOG)/checkpatch-$(KERNEL).txt; echo "checkpatch ($(KERNEL)): not quiet"; exit 1; fi; \
		echo "checkpatch --strict of $(KERNEL)'s source: quiet"; \
	fi
