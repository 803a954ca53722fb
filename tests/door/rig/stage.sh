#!/bin/sh
# stage.sh - the file tree the whole-door tests add to the emulated Pi:
# Debian's arm64 mosquitto, mosquitto_pub and systemd-udevd, the bridge, the
# module where DKMS installs it, the project's udev rule, the users and
# groups of its sysusers files, the broker's and the bridge's configuration,
# and fresh secrets.
#
# Usage: stage.sh -o ROOT -s SYSROOT -k sesame.ko -b sesame-bridge -c door-mqtt
#                 [-g GUESTDIR]
#   -o  the tree to write (replaced), laid out as on the Pi
#   -s  the unpacked Debian arm64 packages (scripts/fetch-sysroot.py):
#       programs, and the libraries and loader they need, come from there
#   -k  the module; -b, -c  the bridge and the tests' MQTT client (arm64)
#   -g  the guest folder of scripts/fetch-guest.sh (default build/guest)
# ROOT's top-level folders go into the initramfs as they are (rig/
# initramfs.sh -f); ROOT/lib's entries one by one, since the rig has a /lib.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out='' sysroot='' ko='' bridge='' client='' guest=build/guest
usage() { sed -n '8,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts o:s:k:b:c:g: opt; do
	case $opt in
	o) out=$OPTARG ;;
	s) sysroot=$OPTARG ;;
	k) ko=$OPTARG ;;
	b) bridge=$OPTARG ;;
	c) client=$OPTARG ;;
	g) guest=$OPTARG ;;
	*) usage ;;
	esac
done
for v in "$out" "$sysroot" "$ko" "$bridge" "$client"; do
	[ -n "$v" ] || usage
done
kver=$(cat "$guest/kver")
lib=aarch64-linux-gnu
strip=aarch64-linux-gnu-strip

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# --- programs, and the shared libraries they need ---------------------------

# add SRC DEST [strip]: a file into the tree, its links followed.
add() {
	mkdir -p "$(dirname "$out/$2")"
	cp -L "$1" "$out/$2"
	if [ "${3:-}" = strip ]; then $strip --strip-unneeded "$out/$2"; fi
}

add "$sysroot/usr/sbin/mosquitto" usr/sbin/mosquitto
add "$sysroot/usr/bin/mosquitto_pub" usr/bin/mosquitto_pub
add "$sysroot/usr/bin/mosquitto_passwd" usr/bin/mosquitto_passwd
add "$sysroot/bin/udevadm" usr/bin/udevadm
# systemd-udevd is udevadm under another name.
mkdir -p "$out/lib/systemd"
ln -s ../../usr/bin/udevadm "$out/lib/systemd/systemd-udevd"
add "$bridge" usr/sbin/sesame-bridge strip
add "$client" usr/bin/door-mqtt strip

# The loader, then every library a program or library needs, by soname.
add "$sysroot/lib/$lib/ld-linux-aarch64.so.1" "lib/$lib/ld-linux-aarch64.so.1"
ln -s "$lib/ld-linux-aarch64.so.1" "$out/lib/ld-linux-aarch64.so.1"
needed() {
	aarch64-linux-gnu-readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}
# systemd 256 and later (trixie) open libkmod with dlopen(), so it is no
# NEEDED entry; udevd loads drivers with it all the same.
for dir in "lib/$lib" "usr/lib/$lib"; do
	[ ! -e "$sysroot/$dir/libkmod.so.2" ] || add "$sysroot/$dir/libkmod.so.2" "usr/lib/$lib/libkmod.so.2"
done
# Since trixie, udevadm links systemd's private library, which its RUNPATH
# finds in usr/lib/$lib/systemd.
dirs="lib/$lib usr/lib/$lib usr/lib/$lib/systemd"
found() {
	for d in $dirs; do [ -e "$out/$d/$1" ] && return 0; done
	return 1
}
todo=$(find "$out/usr" -type f)
while [ -n "$todo" ]; do
	next=
	for f in $todo; do
		for so in $(needed "$f"); do
			found "$so" && continue
			for dir in $dirs; do
				if [ -e "$sysroot/$dir/$so" ]; then
					add "$sysroot/$dir/$so" "$dir/$so"
					next="$next $out/$dir/$so"
					break
				fi
			done
			found "$so" ||
				{ echo "stage.sh: $so (for $f) is not in $sysroot" >&2; exit 1; }
		done
	done
	todo=$next
done

# --- the module, where DKMS installs it, found by its modalias ---------------

mods=$out/lib/modules/$kver
add "$ko" "lib/modules/$kver/updates/dkms/sesame.ko"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	cp "$guest/modules/$f" "$mods/"
done
/sbin/depmod -b "$out" "$kver"
/sbin/modinfo -F alias "$ko" | grep -q 'of:N\*T\*Csesame,servo' ||
	{ echo "stage.sh: $ko has no device-tree alias for sesame,servo" >&2; exit 1; }

# --- udev: the project's rule, and Debian's rule that loads drivers ---------

# Since trixie (whose packages fetch-sysroot.py merges under /usr), udev
# reads rules from /usr/lib/udev only; /lib/udev is then a link to it.
udevdir=lib/udev
if [ -L "$sysroot/lib" ]; then
	udevdir=usr/lib/udev
	mkdir -p "$out/$udevdir" "$out/lib"
	ln -s ../usr/lib/udev "$out/lib/udev"
fi
add "$top/udev/60-sesame.rules" "$udevdir/rules.d/60-sesame.rules"
add "$sysroot/lib/udev/rules.d/80-drivers.rules" "$udevdir/rules.d/80-drivers.rules"

# --- users and groups: the system's, the project's, the broker's ------------

mkdir -p "$out/etc"
cp "$here/../guest/etc/nsswitch.conf" "$here/../guest/etc/hosts" "$out/etc/"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
systemd-sysusers --root="$out" /usr/lib/sysusers.d/basic.conf \
	"$top/udev/sesame.sysusers" "$top/systemd/sesame-bridge.sysusers" \
	"$here/../guest/mosquitto.sysusers" > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
rm -f "$out/etc/.pwd.lock"
# sysusers makes the shadow files 0000, which only root can copy: Debian's
# 0640 lets whoever builds this copy them into the initramfs.
chmod 0640 "$out/etc/shadow" "$out/etc/gshadow"

# --- the broker and the bridge: configuration, certificates, secrets --------

"$top/tests/lib/pki.sh" "$out/.pki" > /dev/null
pki=$out/.pki
mkdir -p "$out/etc/mosquitto/certs" "$out/etc/sesame" "$out/etc/door"
cp "$here/../guest/etc/mosquitto/mosquitto.conf" "$here/../guest/etc/mosquitto/acl" \
	"$out/etc/mosquitto/"
cp "$pki/ca.crt" "$pki/server.crt" "$pki/server.key" "$out/etc/mosquitto/certs/"
cp "$here/../guest/etc/sesame/bridge.conf" "$pki/ca.crt" "$out/etc/sesame/"
cp "$pki/ca.crt" "$out/etc/door/"
rm -rf "$pki"

# Passwords: new ones for every tree, only ever in files.
umask 077
secret() { od -An -N12 -tx1 /dev/urandom | tr -d ' \n'; }
bridge_pw=$(secret) phone_pw=$(secret)
echo "$bridge_pw" > "$out/etc/sesame/password"
chmod 0640 "$out/etc/sesame/password"
echo "$phone_pw" > "$out/etc/door/phone.pw"
# In clear: the Pi hashes it at boot with mosquitto_passwd -U, as an admin
# would there.
printf 'bridge:%s\nphone:%s\n' "$bridge_pw" "$phone_pw" > "$out/etc/mosquitto/passwd"
# mosquitto_pub's own options files ($XDG_CONFIG_HOME/mosquitto_pub), so
# that no password is on a command line: the phone's, and an intruder's,
# who has the user name but not the password.
options() {
	mkdir -p "$out/etc/door/$1"
	printf -- '-h 127.0.0.1\n-p 8883\n--cafile /etc/door/ca.crt\n-u phone\n-P %s\n' "$2" \
		> "$out/etc/door/$1/mosquitto_pub"
}
options phone "$phone_pw"
options intruder "$(secret)"
