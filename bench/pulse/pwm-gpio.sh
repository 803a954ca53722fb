#!/bin/sh
# pwm-gpio.sh - the pulse benchmark's peer: mainline's pwm-gpio.ko (the
# bit-banged PWM on one GPIO, drivers/pwm/pwm-gpio.c, in Linux since 6.11),
# built out of tree for one of the emulated Pi's kernels. Debian's kernels
# do not build it, so its source comes from Debian's linux-source package
# of the same series, downloaded and read at run time: nothing of it is
# kept in this tree, only under build/.
#
# Usage: bench/pulse/pwm-gpio.sh KERNEL      (e.g. trixie-arm64)
# Writes build/bench/pwm-gpio-KERNEL/pwm-gpio.ko, and source-version next
# to it (the linux-source package it came from). Needs the kernel
# (make guest KERNEL=KERNEL) and, for a release newer than this machine's,
# its chroot (build/chroot/RELEASE, which make guest made).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
kernel=${1:?usage: pwm-gpio.sh KERNEL}
[ "$kernel" != bookworm-arm64 ] || { echo "pwm-gpio.sh: 6.1 has no pwm-gpio (it came in 6.11)" >&2; exit 2; }
guest=$top/build/kernels/$kernel
out=$top/build/bench/pwm-gpio-$kernel
src=$top/build/bench/linux-source
[ -f "$guest/kver" ] || { echo "pwm-gpio.sh: no $guest; run make guest KERNEL=$kernel" >&2; exit 1; }
grep -qx 'CONFIG_PWM=y' "$guest/headers/.config" ||
	{ echo "pwm-gpio.sh: $(cat "$guest/kver") is built without CONFIG_PWM" >&2; exit 1; }
kver=$(cat "$guest/kver")
release=$(cat "$guest/release")
series=$(echo "$kver" | cut -d. -f1-2)
[ ! -e "$out/pwm-gpio.ko" ] || [ "$(cat "$out/kver" 2>/dev/null)" != "$kver" ] || exit 0

# shellcheck disable=SC1091 # this machine's
host_release=$(. /etc/os-release && echo "$VERSION_CODENAME")
in_release() {
	if [ "$release" = "$host_release" ]; then "$@"; else "$top/scripts/chroot.sh" run "$top/build/chroot/$release" "$@"; fi
}

# The source package of the kernel's series, as apt of its release has it.
pkg=linux-source-$series
mkdir -p "$src"
deb=$(find "$src" -name "${pkg}_*.deb" | sort | tail -n 1)
if [ -z "$deb" ]; then
	echo "pwm-gpio.sh: downloading $pkg from Debian's $release"
	# shellcheck disable=SC2016 # the inner shell's $1
	in_release sh -c 'cd "$1" && apt-get download -q -o APT::Sandbox::User=root "$2"' sh "$src" "$pkg"
	deb=$(find "$src" -name "${pkg}_*.deb" | sort | tail -n 1)
	[ -n "$deb" ] || { echo "pwm-gpio.sh: apt gave no $pkg" >&2; exit 1; }
fi
version=$(dpkg-deb -f "$deb" Version)

# One file out of the tarball inside the package.
rm -rf "$out" && mkdir -p "$out"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
	tar -xJ -O "$pkg/drivers/pwm/pwm-gpio.c" > "$out/pwm-gpio.c"
[ -s "$out/pwm-gpio.c" ] || { echo "pwm-gpio.sh: no drivers/pwm/pwm-gpio.c in $pkg $version" >&2; exit 1; }
echo 'obj-m := pwm-gpio.o' > "$out/Kbuild"

"$top/scripts/kbuild.sh" "$guest" "$out/build" "$out/pwm-gpio.c" "$out/Kbuild" -- -s
mv "$out/build/pwm-gpio.ko" "$out/pwm-gpio.ko"
rm -rf "$out/build" "$out/pwm-gpio.c" "$out/Kbuild"
echo "$kver" > "$out/kver"
echo "$pkg $version" > "$out/source-version"
echo "pwm-gpio.sh: built $out/pwm-gpio.ko for $kver from $pkg $version"
