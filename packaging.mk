# packaging.mk - install, uninstall and the Debian packages (included by
# Makefile).
#
#   make && sudo make install   the module through DKMS, the overlay, the udev
#                               rule, the sesame user and group, sesame-bridge
#                               with its man pages and unit, and an example
#                               /etc/sesame/bridge.conf (never overwritten)
#   sudo make uninstall         the reverse; keeps /etc/sesame and the user
#   make deb [RELEASE=trixie|bookworm] [DEB_ARCHES="arm64 armhf"]
#                               build/deb/RELEASE/sesame-dkms_*_all.deb and
#                               sesame-bridge_*_ARCH.deb, built in a chroot of
#                               that release (default trixie, Raspberry Pi OS's)
#   make check-packaging        tests/packaging/run.sh (needs root, as in CI)
#
# PREFIX (default /usr/local) and DESTDIR work as packagers expect. With
# DESTDIR set, nothing outside DESTDIR changes: the steps that act on the
# running system (DKMS, systemd-sysusers, udev, systemd) are printed, not run.
# Without udevd or systemd running (a container, a chroot), their steps are
# skipped: the next boot applies the rule and finds the unit.

PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
SBINDIR      ?= $(PREFIX)/sbin
DATADIR      ?= $(PREFIX)/share
MANDIR       ?= $(DATADIR)/man
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
UNITDIR      ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR  ?= $(PREFIX)/lib/sysusers.d
# The bridge reads /etc/sesame/bridge.conf, whatever the PREFIX.
SYSCONFDIR   ?= /etc
# DKMS looks for module sources here only.
DKMS_SRCDIR  := /usr/src/sesame-$(VERSION)
# Pi OS bookworm loads overlays from /boot/firmware, older releases from /boot.
OVERLAYDIR   ?= $(shell for d in /boot/firmware/overlays /boot/overlays; do \
			[ -d "$(DESTDIR)$$d" ] && { echo $$d; exit; }; done; \
			echo /boot/firmware/overlays)
# The kernel DKMS builds for: the running one, unless told otherwise.
KVER         ?= $(shell uname -r)

BRIDGE_MANS  := bridge/man/sesame-bridge.8 bridge/man/sesame-bridge.conf.5 \
		bridge/man/sesame-sign.1 scripts/sesame-certs.1
DRIVER_FILES := dkms.conf Kbuild VERSION
CONFIG_TEXT  := dtoverlay=sesame,gpiopin=18

# Directories that install -D and -d create get 0755 whatever the caller's
# umask (sudo keeps a user's umask of 027, say).
INSTALL := umask 022 && install

# $(call on_system,COMMAND): run COMMAND on this machine; with DESTDIR, only
# show it.
on_system = $(if $(DESTDIR),@echo "  $(1)",$(1))

.PHONY: install install-files uninstall deb check-packaging

install: install-files
	@$(if $(DESTDIR),echo "DESTDIR is set: this system is left alone. An install on the target runs:")
	$(call on_system,systemd-sysusers $(SYSUSERSDIR)/sesame.conf $(SYSUSERSDIR)/sesame-bridge.conf)
	$(call on_system,[ ! -S /run/udev/control ] || udevadm control --reload)
	$(call on_system,[ ! -S /run/udev/control ] || udevadm trigger --action=change --subsystem-match=misc --sysname-match='sesame*')
	$(call on_system,[ ! -d /run/systemd/system ] || systemctl daemon-reload)
	$(call on_system,dkms remove -m sesame -v $(VERSION) --all >/dev/null 2>&1 || true)
	$(call on_system,dkms add -m sesame -v $(VERSION))
	$(call on_system,dkms install -m sesame -v $(VERSION) -k $(KVER))
	@echo
	@echo "Next: add this line to the [all] section of config.txt (/boot/firmware/config.txt;"
	@echo "/boot/config.txt before Pi OS bookworm), and reboot:"
	@echo "  $(CONFIG_TEXT)"
	@echo "then set up /etc/sesame/bridge.conf and: systemctl enable --now sesame-bridge"

# Before anything is copied: the tools and headers a real install needs.
.PHONY: install-preflight
install-preflight:
	@[ "$$(id -u)" -eq 0 ] || { echo "make install: run it as root (sudo make install)"; exit 1; }
	@$(DEPS) dkms
	@[ -d /lib/modules/$(KVER)/build ] || { \
		echo "make install: no headers for kernel $(KVER) (/lib/modules/$(KVER)/build)."; \
		echo "  Raspberry Pi OS bookworm: sudo apt install linux-headers-rpi-v8 (64-bit;"; \
		echo "  -rpi-2712 on a Pi 5, -rpi-v7, -rpi-v7l or -rpi-v6 on 32-bit: the end of uname -r)"; \
		echo "  older Pi OS: sudo apt install raspberrypi-kernel-headers"; \
		echo "  Debian: sudo apt install linux-headers-$(KVER)"; exit 1; }

# The files only, into $(DESTDIR). The overlay and the programs are built
# first if needed (better as a user: make && sudo make install).
install-files: $(if $(DESTDIR),,install-preflight) $(DTBO) bridge
	$(INSTALL) -d -m 0755 $(DESTDIR)$(DKMS_SRCDIR)/driver
	$(INSTALL) -m 0644 $(DRIVER_FILES) $(DESTDIR)$(DKMS_SRCDIR)/
	$(INSTALL) -m 0644 $(wildcard driver/*.c driver/*.h) $(DESTDIR)$(DKMS_SRCDIR)/driver/
	$(INSTALL) -D -m 0644 $(DTBO) $(DESTDIR)$(OVERLAYDIR)/sesame.dtbo
	$(INSTALL) -D -m 0644 udev/60-sesame.rules $(DESTDIR)$(UDEVRULESDIR)/60-sesame.rules
	$(INSTALL) -D -m 0644 udev/sesame.sysusers $(DESTDIR)$(SYSUSERSDIR)/sesame.conf
	$(INSTALL) -D -m 0644 systemd/sesame-bridge.sysusers $(DESTDIR)$(SYSUSERSDIR)/sesame-bridge.conf
	$(INSTALL) -D -m 0755 $(BUILD)/bridge/sesame-bridge $(DESTDIR)$(SBINDIR)/sesame-bridge
	$(INSTALL) -D -m 0755 $(BUILD)/bridge/sesame-sign $(DESTDIR)$(BINDIR)/sesame-sign
	$(INSTALL) -D -m 0755 scripts/sesame-certs $(DESTDIR)$(BINDIR)/sesame-certs
	for m in $(BRIDGE_MANS); do \
		s=$${m##*.}; $(INSTALL) -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$${m##*/} || exit; done
	$(INSTALL) -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		systemd/sesame-bridge.service.in > $(DESTDIR)$(UNITDIR)/sesame-bridge.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sesame-bridge.service
	$(INSTALL) -D -m 0644 bridge/sesame-bridge.conf.example $(DESTDIR)$(DATADIR)/sesame/bridge.conf.example
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/sesame
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/sesame/bridge.conf ]; then \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/sesame/bridge.conf (the example is $(DATADIR)/sesame/bridge.conf.example)"; \
	else \
		echo "install -m 0644 bridge/sesame-bridge.conf.example $(DESTDIR)$(SYSCONFDIR)/sesame/bridge.conf"; \
		$(INSTALL) -m 0644 bridge/sesame-bridge.conf.example $(DESTDIR)$(SYSCONFDIR)/sesame/bridge.conf; \
	fi

uninstall:
	@$(if $(DESTDIR),echo "DESTDIR is set: this system is left alone. An uninstall on the target runs:")
	$(call on_system,[ ! -d /run/systemd/system ] || systemctl disable --now sesame-bridge.service || true)
	$(call on_system,dkms remove -m sesame -v $(VERSION) --all || true)
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)
	rm -f $(DESTDIR)$(OVERLAYDIR)/sesame.dtbo \
		$(DESTDIR)$(UDEVRULESDIR)/60-sesame.rules \
		$(DESTDIR)$(SYSUSERSDIR)/sesame.conf \
		$(DESTDIR)$(SYSUSERSDIR)/sesame-bridge.conf \
		$(DESTDIR)$(SBINDIR)/sesame-bridge \
		$(DESTDIR)$(BINDIR)/sesame-sign \
		$(DESTDIR)$(BINDIR)/sesame-certs \
		$(foreach m,$(BRIDGE_MANS),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
		$(DESTDIR)$(UNITDIR)/sesame-bridge.service \
		$(DESTDIR)$(DATADIR)/sesame/bridge.conf.example
	rmdir $(DESTDIR)$(DATADIR)/sesame 2>/dev/null || true
	$(call on_system,[ ! -S /run/udev/control ] || udevadm control --reload)
	$(call on_system,[ ! -d /run/systemd/system ] || systemctl daemon-reload)
	@echo "Kept: $(SYSCONFDIR)/sesame (your configuration) and the user and group sesame."
	@echo "Remove the $(CONFIG_TEXT) line from config.txt yourself."

# The .debs of one Debian release, built in a chroot of it
# (scripts/chroot.sh, build/chroot/RELEASE) from a copy of the tree, so that
# debian/ stays clean: sesame-dkms once, sesame-bridge for each of
# DEB_ARCHES, cross-built for the Pi's. Each release links its own
# libraries (libssl3 on bookworm, libssl3t64 on trixie, whose armhf also
# has a 64-bit time_t): a bookworm .deb does not install on trixie.
RELEASE    ?= trixie
DEB_ARCHES ?= arm64 armhf
DEB_DIR    := $(BUILD)/deb/$(RELEASE)
DEB_CHROOT := $(BUILD)/chroot/$(RELEASE)
DEB_LIBS   := libmosquitto-dev libssl-dev libcjson-dev
HOST_ARCH  := $(shell dpkg --print-architecture)

deb:
	@$(DEPS) chroot
	scripts/chroot.sh make $(DEB_CHROOT) $(RELEASE) build-essential debhelper dh-dkms \
		dpkg-dev device-tree-compiler pkgconf $(DEB_LIBS) \
		$(foreach a,$(filter-out $(HOST_ARCH),$(DEB_ARCHES)),crossbuild-essential-$(a) \
			$(addsuffix :$(a),$(DEB_LIBS)))
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	tar -c --exclude=./build --exclude=./.git . | tar -x -C $(DEB_DIR)/src
	scripts/chroot.sh run $(DEB_CHROOT) sh -c 'cd $(abspath $(DEB_DIR))/src && \
		dpkg-buildpackage -us -uc -A > ../build-all.log 2>&1 || { tail -n 30 ../build-all.log; exit 1; }; \
		for a in $(DEB_ARCHES); do \
			dpkg-buildpackage -us -uc -B -a $$a > ../build-$$a.log 2>&1 || \
				{ tail -n 30 ../build-$$a.log; exit 1; }; done'
	@ls $(DEB_DIR)/*.deb

# The same tree packaged as an earlier version, for the packaging tests'
# upgrade (build/deb/RELEASE/previous/, the host's architecture).
DEB_PREVIOUS := 0.0.1
.PHONY: deb-previous
deb-previous:
	rm -rf $(DEB_DIR)/previous && mkdir -p $(DEB_DIR)/previous/src
	tar -c --exclude=./build --exclude=./.git . | tar -x -C $(DEB_DIR)/previous/src
	echo $(DEB_PREVIOUS) > $(DEB_DIR)/previous/src/VERSION
	sed -i '1s/([^)]*)/($(DEB_PREVIOUS))/' $(DEB_DIR)/previous/src/debian/changelog
	scripts/chroot.sh run $(DEB_CHROOT) sh -c 'cd $(abspath $(DEB_DIR))/previous/src && \
		dpkg-buildpackage -us -uc -b > ../build.log 2>&1 || { tail -n 30 ../build.log; exit 1; }'
	@ls $(DEB_DIR)/previous/*.deb

CHECK_TARGETS += check-packaging

# The packages of each release are built, installed and purged in a chroot
# of it, with its own dkms, lintian and kernel headers.
PKG_RELEASES := bookworm trixie
PKG_TEST_PKGS := dkms lintian systemd udev man-db procps xz-utils binutils \
		 linux-headers-$(HOST_ARCH)

check-packaging: guest
	@$(DEPS) build bridge bridge-test deb pkg chroot
	tests/packaging/run.sh 'lint-*' 'install-*' 'unit-*' 'udev-*' 'dkms-*' 'live-*' 'certs-*'
	for r in $(PKG_RELEASES); do \
		$(MAKE) --no-print-directory deb RELEASE=$$r DEB_ARCHES="$(HOST_ARCH) arm64 armhf" && \
		$(MAKE) --no-print-directory deb-previous RELEASE=$$r && \
		scripts/chroot.sh make $(BUILD)/chroot/$$r $$r $(PKG_TEST_PKGS) && \
		scripts/chroot.sh run $(BUILD)/chroot/$$r env RELEASE=$$r \
			$(CURDIR)/tests/packaging/run.sh 'deb-*' || exit 1; \
	done
