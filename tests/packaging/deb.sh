# deb.sh - `make deb`, the two packages' contents and lintian, then both
# installed with dpkg on this machine, checked, and purged (sourced by
# run.sh).
#
# Installing is real: DKMS builds the module into /lib/modules/$KVER, dpkg
# creates the user and group sesame. The running kernel is not Debian's in
# CI, so dkms's postinst is told to build for every kernel with headers
# (autoinstall_all_kernels, as on a machine about to boot a new kernel);
# on a Pi it builds for the running kernel anyway. On exit the packages are
# purged, and the user, group and /boot/firmware removed if this test made
# them.
# Sourced by run.sh, which sets top, here, T, VERSION, KVER and GUEST.
# shellcheck shell=sh disable=SC2154

debdir=$top/build/deb
deb_arch=$(dpkg --print-architecture)
dkms_deb=$debdir/sesame-dkms_${VERSION}_all.deb
bridge_deb=$debdir/sesame-bridge_${VERSION}_${deb_arch}.deb

built() {
	make --no-print-directory deb > "$T/deb.log" 2>&1 || { tail -n 40 "$T/deb.log"; return 1; }
	[ -f "$dkms_deb" ] && [ -f "$bridge_deb" ]
}
check "make deb builds sesame-dkms_${VERSION}_all.deb and sesame-bridge_${VERSION}_${deb_arch}.deb" built

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

contents_are() {
	deb_listing "$1" > "$T/$2.txt" && same_listing "$T/$2.txt" "$here/expect/$2.txt"
}
check "dpkg-deb -c: sesame-dkms holds the DKMS sources, the overlay, the udev rule, the group" \
	contents_are "$dkms_deb" sesame-dkms
check "dpkg-deb -c: sesame-bridge holds the programs, man pages, unit, user and example config" \
	contents_are "$bridge_deb" sesame-bridge

depends_right() {
	d=$(dpkg-deb -f "$dkms_deb" Depends)
	case $d in *"dkms (>= "*"systemd | systemd-standalone-sysusers"*) ;; *) say "sesame-dkms: $d"; return 1 ;; esac
	d=$(dpkg-deb -f "$bridge_deb" Depends)
	case $d in *"systemd | systemd-standalone-sysusers"*libmosquitto1*) ;; *) say "sesame-bridge: $d"; return 1 ;; esac
}
check "sesame-dkms depends on dkms, both on systemd-sysusers, the bridge on libmosquitto" depends_right

# Errors and warnings fail; info and pedantic tags are shown for the record.
lintian_clean() {
	lintian --fail-on error,warning --display-info --pedantic \
		"$debdir/sesame_${VERSION}_${deb_arch}.changes" > "$T/lintian.log" 2>&1
	rc=$?
	grep -v '^N:\|running with root' "$T/lintian.log" | sed 's/^/# lintian: /' >&3
	return $rc
}
check "lintian finds no error and no warning in either package" lintian_clean

# ------------------------------------------------------------- on this machine

installed() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Another sesame install here (packages, make install, DKMS registration)
# is someone's: leave it alone.
existing=
for f in /etc/sesame "/usr/src/sesame-$VERSION" /var/lib/dkms/sesame /var/lib/sesame; do
	[ ! -e "$f" ] || existing="$existing $f"
done
if installed sesame-dkms || installed sesame-bridge || [ -n "$existing" ]; then
	for title in "dpkg -i sesame-dkms builds and installs the module" \
		     "dpkg -i sesame-bridge" "dpkg --purge"; do
		skip "$title" "sesame is already installed here ($existing); not touching it"
	done
	return 0
fi

# Cleanups run last-registered first: purge, then the user, then the
# group, each only if this test made it.
overlays=/boot/firmware/overlays
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
ko=/lib/modules/$KVER/updates/dkms/sesame.ko

dkms_installed() {
	dkms status -m sesame -v "$VERSION" -k "$KVER" | grep -q ': installed' ||
		{ dkms status; return 1; }
	module_ok "$ko" "$KVER" "$(host_machine)"
}

dkms_deb_installs() {
	autoinstall_all_kernels=1 dpkg -i "$dkms_deb" > "$T/dpkg-dkms.log" 2>&1 ||
		{ cat "$T/dpkg-dkms.log"; return 1; }
	dkms_installed || { cat "$T/dpkg-dkms.log"; return 1; }
}
check "dpkg -i sesame-dkms: DKMS builds and installs sesame.ko for $KVER" dkms_deb_installs

group_and_rule() {
	getent group sesame > /dev/null || { say "no group sesame"; return 1; }
	cmp udev/60-sesame.rules /lib/udev/rules.d/60-sesame.rules
}
check "... creates the group sesame and installs the udev rule" group_and_rule

overlay_copied() {
	cmp build/dts/sesame.dtbo "$overlays/sesame.dtbo" &&
		grep -q 'dtoverlay=sesame,gpiopin=18' "$T/dpkg-dkms.log"
}
check "... copies the overlay into $overlays and prints the config.txt line" overlay_copied

# AUTOINSTALL: the hook every Debian kernel package runs after installing
# a kernel rebuilds the module for it.
autoinstall() {
	if ! dkms uninstall -m sesame -v "$VERSION" -k "$KVER" > "$T/autoinstall.log" 2>&1 ||
	   ! dkms unbuild -m sesame -v "$VERSION" -k "$KVER" >> "$T/autoinstall.log" 2>&1; then
		cat "$T/autoinstall.log"
		return 1
	fi
	[ ! -e "$ko" ] || { say "$ko is still there"; return 1; }
	/etc/kernel/postinst.d/dkms "$KVER" >> "$T/autoinstall.log" 2>&1 || { cat "$T/autoinstall.log"; return 1; }
	dkms_installed
}
check "a new kernel's postinst hook rebuilds the module (AUTOINSTALL)" autoinstall

bridge_deb_installs() {
	dpkg -i "$bridge_deb" > "$T/dpkg-bridge.log" 2>&1 || { cat "$T/dpkg-bridge.log"; return 1; }
	user=$(getent passwd sesame) || { say "no user sesame"; return 1; }
	uid=$(echo "$user" | cut -d: -f3)
	[ "$uid" -lt 1000 ] || { say "not a system user: $user"; return 1; }
	[ "$(id -gn sesame)" = sesame ] || { say "primary group: $(id -gn sesame)"; return 1; }
}
check "dpkg -i sesame-bridge creates the system user sesame, in group sesame" bridge_deb_installs

config_usable() {
	cmp bridge/sesame-bridge.conf.example /etc/sesame/bridge.conf || return 1
	out=$(runuser -u sesame -- /usr/sbin/sesame-bridge --check 2>&1)
	[ "$out" = "configuration OK" ] || { say "$out"; return 1; }
}
check "... writes /etc/sesame/bridge.conf, which the user sesame can read and the bridge accepts" \
	config_usable

not_enabled() {
	[ ! -e /etc/systemd/system/multi-user.target.wants/sesame-bridge.service ]
}
check "... leaves the service disabled until it is configured" not_enabled

verify_installed() {
	out=$(systemd-analyze verify /lib/systemd/system/sesame-bridge.service 2>&1) ||
		{ say "$out"; return 1; }
	[ -z "$out" ] || { say "$out"; return 1; }
}
check "systemd-analyze verify finds nothing in the installed unit" verify_installed

keeps_edited() {
	echo "# edited by the administrator" >> /etc/sesame/bridge.conf
	cp /etc/sesame/bridge.conf "$T/edited.conf"
	dpkg -i "$bridge_deb" > "$T/dpkg-bridge2.log" 2>&1 || { cat "$T/dpkg-bridge2.log"; return 1; }
	cmp "$T/edited.conf" /etc/sesame/bridge.conf
}
check "reinstalling sesame-bridge keeps an edited /etc/sesame/bridge.conf" keeps_edited

purged() {
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
check "dpkg --purge removes module, DKMS registration, sources, overlay, rule, unit, config, replay state" purged
