# deb.sh - the packages of one Debian release (RELEASE, default bookworm),
# as `make deb RELEASE=... DEB_ARCHES="HOST arm64 armhf"` built them: their
# contents, dependencies and lintian, the Pi's packages installable on that
# release, then the host's installed with dpkg, upgraded, checked, and
# purged (sourced by run.sh). make check-packaging runs it inside a chroot
# of each release (scripts/chroot.sh), with that release's dkms, lintian
# and kernel headers.
#
# Installing is real: DKMS builds the module into /lib/modules/$KVER, dpkg
# creates the user and group sesame. The running kernel is not Debian's in
# CI, so dkms's postinst is told to build for every kernel with headers
# (autoinstall_all_kernels, as on a machine about to boot a new kernel);
# on a Pi it builds for the running kernel anyway. On exit the packages are
# purged, and the user, group and /boot/firmware removed if this test made
# them.
# Sourced by run.sh, which sets top, here, VERSION, KVER and GUEST, and T
# before the first case.
#
# The cases on this machine build on each other's installs; each names the
# fixtures that bring the machine to the state it looks at (deb-host:
# cleanups armed; deb-previous: the earlier release installed;
# deb-dkms-upgraded, deb-bridge-upgraded: this version's packages over it),
# so that any of them runs alone, and deb-purge last undoes them all.
# shellcheck shell=bash disable=SC2154

release=${RELEASE:-bookworm}
debdir=$top/build/deb/$release
deb_arch=$(dpkg --print-architecture)
dkms_deb=$debdir/sesame-dkms_${VERSION}_all.deb
bridge_deb=$debdir/sesame-bridge_${VERSION}_${deb_arch}.deb
# The release this runs on (sourcing os-release would set VERSION).
running=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)

built() {
	local a
	[ "$running" = "$release" ] || { say "this is $running, not $release"; return 1; }
	for a in all "$deb_arch" arm64 armhf; do
		ls "$debdir"/sesame-*_"${VERSION}_$a.deb" > /dev/null || return 1
	done
}
case_def deb-built "make deb RELEASE=$release built sesame-dkms (all) and sesame-bridge ($deb_arch, arm64, armhf)"
deb-built() { check built; }

# A package's files in the form tree_listing uses: "mode owner:group path".
deb_listing() {
	dpkg-deb -c "$1" | awk '
	function octal(p,   i, v, d) {
		v = ""
		for (i = 2; i <= 10; i += 3) {
			d = 0
			if (substr(p, i, 1) == "r") d += 4
			if (substr(p, i + 1, 1) == "w") d += 2
			if (substr(p, i + 2, 1) ~ /[xs]/) d += 1
			v = v d
		}
		return v
	}
	$6 != "./" { sub(/^\.\//, "", $6); sub(/\/$/, "", $6); sub("/", ":", $2); print octal($1), $2, $6 }' |
		sort -k3
}

# Since trixie, under /usr only (debian/rules: dh_movetousr).
case $release in bookworm) expect_suffix= ;; *) expect_suffix=-trixie ;; esac
contents_are() {
	deb_listing "$1" > "$T/$2.txt" && same_listing "$T/$2.txt" "$here/expect/$2$expect_suffix.txt"
}
case_def deb-dkms-contents "dpkg-deb -c: sesame-dkms holds the DKMS sources, the overlay, the udev rule, the group"
deb-dkms-contents() { check contents_are "$dkms_deb" sesame-dkms; }
case_def deb-bridge-contents "dpkg-deb -c: sesame-bridge holds the programs, man pages, unit, user and example config"
deb-bridge-contents() { check contents_are "$bridge_deb" sesame-bridge; }

# OpenSSL's library is libssl3 on bookworm and libssl3t64 on trixie (the
# 64-bit time_t transition, which changed armhf's ABI).
case $release in bookworm) libssl='libssl3 ' ;; *) libssl=libssl3t64 ;; esac
depends_right() {
	local d a
	d=$(dpkg-deb -f "$dkms_deb" Depends)
	case $d in *"dkms (>= "*"systemd | systemd-standalone-sysusers"*) ;; *) say "sesame-dkms: $d"; return 1 ;; esac
	for a in "$deb_arch" arm64 armhf; do
		d=$(dpkg-deb -f "$debdir/sesame-bridge_${VERSION}_$a.deb" Depends)
		case $d in *"systemd | systemd-standalone-sysusers"*libmosquitto1*"$libssl"*) ;;
		*) say "sesame-bridge ($a): $d"; return 1 ;; esac
	done
}
case_def deb-depends "sesame-dkms depends on dkms, both on systemd-sysusers, the bridge on libmosquitto and $libssl"
deb-depends() { check depends_right; }

# Errors and warnings fail; info and pedantic tags are shown for the record.
lintian_clean() {
	local rc
	lintian --fail-on error,warning --display-info --pedantic \
		"$debdir"/sesame_"${VERSION}"_*.changes > "$T/lintian.log" 2>&1
	rc=$?
	grep -v '^N:\|running with root' "$T/lintian.log" | sed 's/^/# lintian: /' >&3
	return $rc
}
case_def deb-lintian "$release's lintian finds no error and no warning in any of the packages"
deb-lintian() { check lintian_clean; }

# What a Pi of this release would do with the Pi's packages: apt resolves
# every dependency (armhf and arm64 are foreign architectures here, so
# apt only plans it).
installable() {
	apt-get -q update > /dev/null 2>&1
	apt-get install -s "$debdir/sesame-dkms_${VERSION}_all.deb" \
		"$debdir/sesame-bridge_${VERSION}_$1.deb" > "$T/simulate-$1.log" 2>&1 ||
		{ tail -n 15 "$T/simulate-$1.log"; return 1; }
}
case_def deb-installable-armhf "apt on $release can install the Pi's packages: armhf"
deb-installable-armhf() { check installable armhf; }
case_def deb-installable-arm64 "apt on $release can install the Pi's packages: arm64"
deb-installable-arm64() { check installable arm64; }

# The reason for a package per release: bookworm's armhf package needs
# libssl3, which trixie replaced with libssl3t64.
old_refused() {
	local old=$top/build/deb/bookworm/sesame-bridge_${VERSION}_armhf.deb
	[ -f "$old" ] || { say "no $old (make deb RELEASE=bookworm)"; return 1; }
	if apt-get install -s "$old" > "$T/simulate-old.log" 2>&1; then
		say "apt would install bookworm's armhf package on $release"; return 1
	fi
	grep -q libssl3 "$T/simulate-old.log" || { cat "$T/simulate-old.log"; return 1; }
}
# (Not a case on bookworm itself.)
if [ "$release" != bookworm ]; then
	case_def deb-refuses-bookworm-armhf "apt on $release refuses bookworm's armhf sesame-bridge (libssl3 is gone)"
	deb-refuses-bookworm-armhf() { check old_refused; }
fi

# ------------------------------------------------------------- on this machine

installed() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

overlays=/boot/firmware/overlays

# Another sesame install here (packages, make install, DKMS registration)
# is someone's: leave it alone, and skip the cases that would touch it.
# Otherwise arm the cleanups before anything is installed; they run
# last-registered first: purge, then the user, then the group, each only
# if this test made it.
fixture:deb-host() {
	local existing='' f
	for f in /etc/sesame "/usr/src/sesame-$VERSION" /var/lib/dkms/sesame /var/lib/sesame; do
		[ ! -e "$f" ] || existing="$existing $f"
	done
	if installed sesame-dkms || installed sesame-bridge || [ -n "$existing" ]; then
		skip "sesame is already installed here ($existing); not touching it"
		return
	fi
	if [ ! -e /boot/firmware ]; then
		mkdir -p "$overlays"
		at_exit "rm -rf /boot/firmware"
	fi
	if ! getent group sesame > /dev/null; then
		at_exit "! getent group sesame > /dev/null || groupdel sesame"
	fi
	if ! getent passwd sesame > /dev/null; then
		at_exit "! getent passwd sesame > /dev/null || userdel sesame"
	fi
	at_exit "dpkg --purge sesame-bridge sesame-dkms > /dev/null 2>&1 || true"
}

# trixie's dkms compresses the module as the kernel's own are (.ko.xz):
# ko becomes whichever of the names is there.
ko=/lib/modules/$KVER/updates/dkms/sesame.ko
find_module() {
	local f
	for f in "$ko" "$ko.xz" "$ko.zst"; do [ ! -e "$f" ] || ko=$f; done
}
dkms_installed() {
	find_module
	dkms status -m sesame -v "$VERSION" -k "$KVER" | grep -q ': installed' ||
		{ dkms status; return 1; }
	module_ok "$ko" "$KVER" "$(host_machine)"
}

# The upgrade starts from an earlier release: the same tree packaged as
# version $PREVIOUS (make deb-previous), as a Pi would have it installed.
PREVIOUS=0.0.1
fixture:deb-previous() {
	autoinstall_all_kernels=1 dpkg -i "$debdir/previous/sesame-dkms_${PREVIOUS}_all.deb" \
		"$debdir/previous/sesame-bridge_${PREVIOUS}_$deb_arch.deb" > "$T/dpkg-previous.log" 2>&1 ||
		failed_with "$T/dpkg-previous.log" "dpkg -i sesame-dkms and sesame-bridge $PREVIOUS"
}
previous_installs() {
	dkms status -m sesame -v "$PREVIOUS" -k "$KVER" | grep -q ': installed' ||
		{ dkms status; return 1; }
}
case_def deb-previous-installs "dpkg -i the previous release ($PREVIOUS): DKMS builds its module" \
	deb-host deb-previous
deb-previous-installs() { check previous_installs; }

fixture:deb-dkms-upgraded() {
	autoinstall_all_kernels=1 dpkg -i "$dkms_deb" > "$T/dpkg-dkms.log" 2>&1 ||
		failed_with "$T/dpkg-dkms.log" "dpkg -i $dkms_deb"
}
dkms_deb_installs() {
	dkms_installed || { cat "$T/dpkg-dkms.log"; return 1; }
	[ -z "$(dkms status -m sesame -v "$PREVIOUS")" ] || { dkms status; return 1; }
	[ ! -e "/usr/src/sesame-$PREVIOUS" ] || { say "/usr/src/sesame-$PREVIOUS is left"; return 1; }
}
case_def deb-dkms-upgrade "dpkg -i sesame-dkms upgrades it: DKMS builds and installs sesame.ko $VERSION for $KVER, $PREVIOUS's is gone" \
	deb-host deb-previous deb-dkms-upgraded
deb-dkms-upgrade() { check dkms_deb_installs; }

group_and_rule() {
	getent group sesame > /dev/null || { say "no group sesame"; return 1; }
	cmp udev/60-sesame.rules /lib/udev/rules.d/60-sesame.rules
}
case_def deb-dkms-group-and-rule "... creates the group sesame and installs the udev rule" \
	deb-host deb-previous deb-dkms-upgraded
deb-dkms-group-and-rule() { check group_and_rule; }

overlay_copied() {
	cmp build/dts/sesame.dtbo "$overlays/sesame.dtbo" &&
		grep -q 'dtoverlay=sesame,gpiopin=18' "$T/dpkg-dkms.log"
}
case_def deb-dkms-overlay "... copies the overlay into $overlays and prints the config.txt line" \
	deb-host deb-previous deb-dkms-upgraded
deb-dkms-overlay() { check overlay_copied; }

# AUTOINSTALL: the hook every Debian kernel package runs after installing
# a kernel rebuilds the module for it.
autoinstall() {
	find_module
	if ! dkms uninstall -m sesame -v "$VERSION" -k "$KVER" > "$T/autoinstall.log" 2>&1 ||
	   ! dkms unbuild -m sesame -v "$VERSION" -k "$KVER" >> "$T/autoinstall.log" 2>&1; then
		cat "$T/autoinstall.log"
		return 1
	fi
	[ ! -e "$ko" ] || { say "$ko is still there"; return 1; }
	/etc/kernel/postinst.d/dkms "$KVER" >> "$T/autoinstall.log" 2>&1 || { cat "$T/autoinstall.log"; return 1; }
	dkms_installed
}
case_def deb-dkms-autoinstall "a new kernel's postinst hook rebuilds the module (AUTOINSTALL)" \
	deb-host deb-previous deb-dkms-upgraded
deb-dkms-autoinstall() { check autoinstall; }

fixture:deb-bridge-upgraded() {
	dpkg -i "$bridge_deb" > "$T/dpkg-bridge.log" 2>&1 ||
		failed_with "$T/dpkg-bridge.log" "dpkg -i $bridge_deb"
}
bridge_deb_installs() {
	local user uid
	user=$(getent passwd sesame) || { say "no user sesame"; return 1; }
	uid=$(echo "$user" | cut -d: -f3)
	[ "$uid" -lt 1000 ] || { say "not a system user: $user"; return 1; }
	[ "$(id -gn sesame)" = sesame ] || { say "primary group: $(id -gn sesame)"; return 1; }
}
bridge_upgraded="deb-host deb-previous deb-dkms-upgraded deb-bridge-upgraded"
# shellcheck disable=SC2086 # the fixtures, split on purpose
case_def deb-bridge-upgrade-keeps-user "dpkg -i sesame-bridge (an upgrade from $PREVIOUS) keeps the system user sesame, in group sesame" \
	$bridge_upgraded
deb-bridge-upgrade-keeps-user() { check bridge_deb_installs; }

config_usable() {
	local out
	cmp bridge/sesame-bridge.conf.example /etc/sesame/bridge.conf || return 1
	out=$(runuser -u sesame -- /usr/sbin/sesame-bridge --check 2>&1)
	[ "$out" = "configuration OK" ] || { say "$out"; return 1; }
}
# shellcheck disable=SC2086
case_def deb-bridge-config "... writes /etc/sesame/bridge.conf, which the user sesame can read and the bridge accepts" \
	$bridge_upgraded
deb-bridge-config() { check config_usable; }

not_enabled() {
	[ ! -e /etc/systemd/system/multi-user.target.wants/sesame-bridge.service ]
}
# shellcheck disable=SC2086
case_def deb-bridge-not-enabled "... leaves the service disabled until it is configured" $bridge_upgraded
deb-bridge-not-enabled() { check not_enabled; }

verify_installed() {
	local out
	out=$(systemd-analyze verify /lib/systemd/system/sesame-bridge.service 2>&1) ||
		{ say "$out"; return 1; }
	[ -z "$out" ] || { say "$out"; return 1; }
}
# shellcheck disable=SC2086
case_def deb-bridge-unit-verify "systemd-analyze verify finds nothing in the installed unit" $bridge_upgraded
deb-bridge-unit-verify() { check verify_installed; }

keeps_edited() {
	echo "# edited by the administrator" >> /etc/sesame/bridge.conf
	cp /etc/sesame/bridge.conf "$T/edited.conf"
	dpkg -i "$bridge_deb" > "$T/dpkg-bridge2.log" 2>&1 || { cat "$T/dpkg-bridge2.log"; return 1; }
	cmp "$T/edited.conf" /etc/sesame/bridge.conf
}
# shellcheck disable=SC2086
case_def deb-bridge-keeps-edited-config "reinstalling sesame-bridge keeps an edited /etc/sesame/bridge.conf" \
	$bridge_upgraded
deb-bridge-keeps-edited-config() { check keeps_edited; }

purged() {
	local f
	find_module
	# The replay state a running bridge would have left (StateDirectory=).
	install -d -m 0700 /var/lib/sesame
	: > /var/lib/sesame/replay.state
	dpkg --purge sesame-bridge sesame-dkms > "$T/purge.log" 2>&1 || { cat "$T/purge.log"; return 1; }
	for f in "$ko" "/usr/src/sesame-$VERSION" /var/lib/dkms/sesame "$overlays/sesame.dtbo" \
		 /lib/udev/rules.d/60-sesame.rules /lib/systemd/system/sesame-bridge.service \
		 /usr/sbin/sesame-bridge /etc/sesame /var/lib/sesame; do
		[ ! -e "$f" ] || { say "still there: $f"; return 1; }
	done
	[ -z "$(dkms status -m sesame)" ] || { dkms status -m sesame; return 1; }
}
# shellcheck disable=SC2086
case_def deb-purge "dpkg --purge removes module, DKMS registration, sources, overlay, rule, unit, config, replay state" \
	$bridge_upgraded
deb-purge() { check purged; }
