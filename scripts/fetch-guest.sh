#!/bin/sh
# fetch-guest.sh - the emulated Raspberry Pi 3's software, from Debian's archive.
#
# Usage: scripts/fetch-guest.sh DIR
#
# Downloads Debian's arm64 kernel, its headers and a static busybox, and
# unpacks them under DIR:
#   DIR/kver        the kernel version, e.g. 6.1.0-56-arm64
#   DIR/image/      the kernel package: boot/vmlinuz-*, lib/modules/*, dtbs
#   DIR/headers/    a KDIR that cross-builds modules for that kernel
#   DIR/busybox/    busybox-static, for the initramfs
# The packages are downloaded, not installed: installing arm64 headers would
# make apt remove the cross compiler. Run scripts/deps.sh pi first.
set -eu

dir=${1:?usage: fetch-guest.sh DIR}
kver=$(apt-cache depends linux-image-arm64:arm64 |
	sed -n 's/.*Depends: linux-image-\(.*\)-arm64:arm64$/\1/p' | head -n 1)
[ -n "$kver" ] || { echo "fetch-guest.sh: no arm64 kernel in apt; run scripts/deps.sh pi" >&2; exit 1; }
kver="$kver-arm64"

# Already unpacked for this version: nothing to do.
[ "$(cat "$dir/kver" 2>/dev/null)" = "$kver" ] && exit 0

echo "fetch-guest.sh: fetching Debian's arm64 kernel $kver"
rm -rf "$dir" && mkdir -p "$dir/debs"
dir=$(cd "$dir" && pwd)
# apt's sandbox user may not write into the build tree; download as we are.
(cd "$dir/debs" && apt-get download -q -o APT::Sandbox::User=root \
	"linux-image-$kver:arm64" "linux-headers-$kver:arm64" "busybox-static:arm64")

dpkg -x "$dir"/debs/linux-image-*.deb "$dir/image"
dpkg -x "$dir"/debs/busybox-static_*.deb "$dir/busybox"
dpkg -x "$dir"/debs/linux-headers-*.deb "$dir/hdr"

# The headers' scripts/ and tools/ are relative links into the kbuild package
# (../../lib/linux-kbuild-6.1); point them at the host's copy, which runs here.
mv "$dir/hdr/usr/src/linux-headers-$kver" "$dir/headers"
rm -rf "$dir/hdr"
kbuild=/usr/lib/linux-kbuild-${kver%%.*}.$(echo "$kver" | cut -d. -f2)
for link in scripts tools; do
	rm -f "$dir/headers/$link"
	ln -s "$kbuild/$link" "$dir/headers/$link"
done
[ -d "$dir/headers/scripts/basic" ] || { echo "fetch-guest.sh: $kbuild missing; run scripts/deps.sh pi" >&2; exit 1; }

echo "$kver" > "$dir/kver"
