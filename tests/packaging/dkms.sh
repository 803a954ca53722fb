# dkms.sh - dkms.conf, run by Debian's dkms on the sources as `make install`
# lays them out (sourced by run.sh). DKMS works in a private tree
# (--dkmstree, --sourcetree): /var/lib/dkms and /lib/modules stay as they
# are. Builds: for the installed Debian headers ($KVER, not the running
# kernel, which CI does not choose), and cross for Debian's arm64 kernel,
# the one the emulated Pi boots.
# Sourced by run.sh, which sets top, here, VERSION, KVER and GUEST, and T
# before the first case.
# shellcheck shell=bash disable=SC2154

# The sources as `make install` lays them out, and DKMS's private tree.
fixture:dkms-sources() {
	dsrc=$T/dkms-dest/usr/src
	dtree=$T/dkms-tree
	mkdir -p "$dtree"
	make --no-print-directory install DESTDIR="$T/dkms-dest" > "$T/dkms-install.log" 2>&1 ||
		failed_with "$T/dkms-install.log" "make install DESTDIR=... for the DKMS checks"
}

pdkms() { dkms "$@" --sourcetree "$dsrc" --dkmstree "$dtree"; }

version_agrees() {
	local v
	v=$(bash -c '. "$1"; echo "$PACKAGE_VERSION"' _ "$dsrc/sesame-$VERSION/dkms.conf")
	[ "$v" = "$VERSION" ] || { say "dkms.conf says '$v', VERSION '$VERSION'"; return 1; }
	v=$(dpkg-parsechangelog -l debian/changelog -S Version)
	[ "$v" = "$VERSION" ] || { say "debian/changelog says '$v', VERSION '$VERSION'"; return 1; }
}
case_def dkms-version-from-file "dkms.conf and debian/changelog take their version from VERSION ($VERSION)" \
	dkms-sources
dkms-version-from-file() { check version_agrees; }

# sesame registered in the private tree, which the builds need.
fixture:dkms-added() { check pdkms add -m sesame -v "$VERSION"; }

case_def dkms-add "dkms add registers sesame/$VERSION" dkms-sources dkms-added
# The registration is the fixture; it failing fails this case.
dkms-add() { :; }

host_build() {
	pdkms build -m sesame -v "$VERSION" -k "$KVER" || return 1
	module_ok "$dtree/sesame/$VERSION/$KVER/$(uname -m)/module/sesame.ko" "$KVER" \
		"$(host_machine)"
}
case_def dkms-build-host "dkms build makes sesame.ko for the installed Debian headers ($KVER)" \
	dkms-sources dkms-added
dkms-build-host() { check host_build; }

# Debian's arm64 kernel headers, unpacked by `make guest` (they cannot be
# installed next to the cross compiler); ARCH and CROSS_COMPILE reach make
# through the environment, as they would for any cross build.
arm64_build() {
	local gkver
	gkver=$(cat "$GUEST/kver") || return 1
	ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- pdkms build -m sesame -v "$VERSION" \
		-k "$gkver" -a aarch64 --kernelsourcedir "$GUEST/headers" || return 1
	module_ok "$dtree/sesame/$VERSION/$gkver/aarch64/module/sesame.ko" "$gkver" AArch64
}
case_def dkms-build-arm64 "dkms build cross-builds sesame.ko for Debian's arm64 kernel (the emulated Pi's)" \
	dkms-sources dkms-added
dkms-build-arm64() {
	[ -f "$GUEST/kver" ] || { skip "no $GUEST (make guest)"; return; }
	check arm64_build
}

# BUILD_EXCLUSIVE_CONFIG: a kernel without an option the driver needs is
# refused before anything is compiled (dkms exits 77, "skipped").
excluded_without() {
	local ksrc=$T/kernel-without-$1 out rc
	mkdir -p "$ksrc"
	grep -v "^$1=" "/lib/modules/$KVER/build/.config" > "$ksrc/.config"
	out=$(pdkms build -m sesame -v "$VERSION" -k "0.0.0-without-$1" -a "$(uname -m)" \
		--kernelsourcedir "$ksrc" 2>&1)
	rc=$?
	if [ "$rc" -ne 77 ] || ! echo "$out" | grep -q 'BUILD_EXCLUSIVE'; then
		say "exit $rc: $out"
		return 1
	fi
	[ -z "$(find "$dtree/sesame/$VERSION/0.0.0-without-$1" -name '*.ko' 2>/dev/null)" ]
}
case_def dkms-refuses-without-gpiolib "dkms refuses a kernel without CONFIG_GPIOLIB (BUILD_EXCLUSIVE_CONFIG)" \
	dkms-sources dkms-added
dkms-refuses-without-gpiolib() { check excluded_without CONFIG_GPIOLIB; }
case_def dkms-refuses-without-high-res-timers "dkms refuses a kernel without CONFIG_HIGH_RES_TIMERS (BUILD_EXCLUSIVE_CONFIG)" \
	dkms-sources dkms-added
dkms-refuses-without-high-res-timers() { check excluded_without CONFIG_HIGH_RES_TIMERS; }
