# dkms.sh - dkms.conf, run by Debian's dkms on the sources as `make install`
# lays them out (sourced by run.sh). DKMS works in a private tree
# (--dkmstree, --sourcetree): /var/lib/dkms and /lib/modules stay as they
# are. Builds: for the installed Debian headers ($KVER, not the running
# kernel, which CI does not choose), and cross for Debian's arm64 kernel,
# the one the emulated Pi boots.
# Sourced by run.sh, which sets top, here, T, VERSION, KVER and GUEST.
# shellcheck shell=sh disable=SC2154

dsrc=$T/dkms-dest/usr/src
dtree=$T/dkms-tree
mkdir -p "$dtree"
make --no-print-directory install DESTDIR="$T/dkms-dest" > "$T/dkms-install.log" 2>&1 ||
	{ cat "$T/dkms-install.log"; fail "make install DESTDIR=... for the DKMS checks"; }

pdkms() { dkms "$@" --sourcetree "$dsrc" --dkmstree "$dtree"; }

version_agrees() {
	v=$(bash -c '. "$1"; echo "$PACKAGE_VERSION"' _ "$dsrc/sesame-$VERSION/dkms.conf")
	[ "$v" = "$VERSION" ] || { say "dkms.conf says '$v', VERSION '$VERSION'"; return 1; }
	v=$(dpkg-parsechangelog -l debian/changelog -S Version)
	[ "$v" = "$VERSION" ] || { say "debian/changelog says '$v', VERSION '$VERSION'"; return 1; }
}
check "dkms.conf and debian/changelog take their version from VERSION ($VERSION)" version_agrees

check "dkms add registers sesame/$VERSION" pdkms add -m sesame -v "$VERSION"

host_build() {
	pdkms build -m sesame -v "$VERSION" -k "$KVER" || return 1
	module_ok "$dtree/sesame/$VERSION/$KVER/$(uname -m)/module/sesame.ko" "$KVER" \
		"$(host_machine)"
}
check "dkms build makes sesame.ko for the installed Debian headers ($KVER)" host_build

# Debian's arm64 kernel headers, unpacked by `make guest` (they cannot be
# installed next to the cross compiler); ARCH and CROSS_COMPILE reach make
# through the environment, as they would for any cross build.
arm64_build() {
	gkver=$(cat "$GUEST/kver") || return 1
	ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- pdkms build -m sesame -v "$VERSION" \
		-k "$gkver" -a aarch64 --kernelsourcedir "$GUEST/headers" || return 1
	module_ok "$dtree/sesame/$VERSION/$gkver/aarch64/module/sesame.ko" "$gkver" AArch64
}
if [ -f "$GUEST/kver" ]; then
	check "dkms build cross-builds sesame.ko for Debian's arm64 kernel (the emulated Pi's)" arm64_build
else
	skip "dkms build cross-builds sesame.ko for Debian's arm64 kernel" "no $GUEST (make guest)"
fi

# BUILD_EXCLUSIVE_CONFIG: a kernel without an option the driver needs is
# refused before anything is compiled (dkms exits 77, "skipped").
excluded_without() {
	ksrc=$T/kernel-without-$1
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
check "dkms refuses a kernel without CONFIG_GPIOLIB (BUILD_EXCLUSIVE_CONFIG)" \
	excluded_without CONFIG_GPIOLIB
check "dkms refuses a kernel without CONFIG_HIGH_RES_TIMERS (BUILD_EXCLUSIVE_CONFIG)" \
	excluded_without CONFIG_HIGH_RES_TIMERS
