#!/bin/sh
# fetch-guest.sh - an emulated Raspberry Pi's kernel, from Debian's archive.
#
# Usage: scripts/fetch-guest.sh DIR [KERNEL]
#   KERNEL, a Debian release and kernel flavour (default bookworm-arm64):
#     bookworm-arm64          Debian 12's arm64 kernel (6.1), for the Pi 3
#     trixie-arm64            Debian 13's (6.12, Raspberry Pi OS trixie's series)
#     trixie-rt-arm64         the same with PREEMPT_RT
#     trixie-backports-arm64  the newest arm64 kernel in trixie-backports
#     bookworm-armmp, trixie-armmp   32-bit ARMv7 kernels, for the Pi 2
#
# The version is the one the release's metapackage (linux-image-arm64,
# -rt-arm64, -armmp) points at today, so the matrix follows Debian's kernel
# updates and a version the archive dropped is replaced by its successor.
# Downloads the kernel, its modules, headers and a static busybox, and
# unpacks them under DIR:
#   DIR/kver, DIR/arch, DIR/release   e.g. 6.12.118+deb13-arm64, arm64, trixie
#   DIR/image/      the kernel packages: vmlinuz, modules, device trees
#   DIR/vmlinuz     the kernel; DIR/modules: its /lib/modules/KVER
#   DIR/headers/    a KDIR that cross-builds modules for that kernel
#   DIR/busybox/    busybox-static, for the initramfs
# Packages are downloaded, never installed on this machine: installing
# foreign headers would make apt remove the cross compiler. For a release
# newer than this machine's, apt runs in its chroot (scripts/chroot.sh,
# build/chroot/RELEASE), where the headers' kbuild tools are installed,
# since they need that release's glibc; builds for it run there too.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: fetch-guest.sh DIR [KERNEL]}
kernel=${2:-bookworm-arm64}

case $kernel in
bookworm-arm64)		release=bookworm suite='' meta=linux-image-arm64 arch=arm64 ;;
trixie-arm64)		release=trixie suite='' meta=linux-image-arm64 arch=arm64 ;;
trixie-rt-arm64)	release=trixie suite='' meta=linux-image-rt-arm64 arch=arm64 ;;
trixie-backports-arm64)	release=trixie suite=trixie-backports meta=linux-image-arm64 arch=arm64 ;;
bookworm-armmp)		release=bookworm suite='' meta=linux-image-armmp arch=armhf ;;
trixie-armmp)		release=trixie suite='' meta=linux-image-armmp arch=armhf ;;
*)	echo "fetch-guest.sh: unknown kernel '$kernel'" >&2; exit 2 ;;
esac

# shellcheck disable=SC1091 # this machine's
host_release=$(. /etc/os-release && echo "$VERSION_CODENAME")
chroot=$top/build/chroot/$release
# Builds for the kernel's release run here or in its chroot; so does apt,
# except that apt here only knows the foreign architectures deps.sh added
# (arm64): for another, the release's chroot, which knows them all, asks.
# A suite (backports) is asked for by name: apt does not prefer it
# otherwise, and naming the release itself would hide its -security updates.
in_release() {
	if [ "$release" = "$host_release" ]; then "$@"; else "$top/scripts/chroot.sh" run "$chroot" "$@"; fi
}
apt_here=
if [ "$release" = "$host_release" ] && { [ "$arch" = "$(dpkg --print-architecture)" ] ||
	dpkg --print-foreign-architectures | grep -qx "$arch"; }; then
	apt_here=1
fi
in_apt() {
	if [ -n "$apt_here" ]; then "$@"; else "$top/scripts/chroot.sh" run "$chroot" "$@"; fi
}
apt_cache() { in_apt apt-cache ${suite:+-t "$suite"} "$@"; }
if [ "$release" != "$host_release" ]; then
	"$top/scripts/chroot.sh" make "$chroot" "$release" make perl xz-utils kmod sparse \
		gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf
elif [ -z "$apt_here" ]; then
	"$top/scripts/chroot.sh" make "$chroot" "$release"
fi

# The metapackage's kernel: linux-image-VERSION-FLAVOUR.
image=$(apt_cache depends "$meta:$arch" 2>/dev/null |
	sed -n "s/.*Depends: \(linux-image-[0-9].*\):$arch\$/\1/p" | head -n 1)
if [ -z "$image" ]; then
	in_apt apt-get update -qq
	image=$(apt_cache depends "$meta:$arch" |
		sed -n "s/.*Depends: \(linux-image-[0-9].*\):$arch\$/\1/p" | head -n 1)
fi
[ -n "$image" ] || { echo "fetch-guest.sh: no $meta:$arch in ${suite:-$release}; run scripts/deps.sh pi" >&2; exit 1; }
kver=${image#linux-image-}
ver=${kver%-*}
ver=${ver%-rt}

# Already unpacked for this version: nothing to do.
[ "$(cat "$dir/kver" 2>/dev/null)" = "$kver" ] && [ -e "$dir/vmlinuz" ] && exit 0

echo "fetch-guest.sh: fetching Debian's ${suite:-$release} $arch kernel $kver"
rm -rf "$dir" && mkdir -p "$dir/debs"
dir=$(cd "$dir" && pwd)

# The image and, since 7.x, the packages it is split into (linux-binary-,
# linux-modules-, linux-base-KVER), then the headers and busybox.
pkgs=$image
deps=$(apt_cache depends "$image:$arch" |
	sed -n "s/.*Depends: \(linux-[a-z]*-$kver\):$arch\$/\1/p")
for p in $deps; do pkgs="$pkgs $p"; done
# apt's sandbox user may not write into the build tree; download as we are.
# shellcheck disable=SC2046,SC2016 # one word per package; the inner shell's $1
in_apt sh -c 'cd "$1" && shift && apt-get download -q -o APT::Sandbox::User=root "$@"' \
	sh "$dir/debs" ${suite:+-t "$suite"} \
	$(for p in $pkgs "linux-headers-$kver" busybox-static; do echo "$p:$arch"; done)

for deb in "$dir"/debs/linux-*.deb; do
	case $deb in */linux-headers-*) dpkg -x "$deb" "$dir/hdr" ;; *) dpkg -x "$deb" "$dir/image" ;; esac
done
dpkg -x "$dir"/debs/busybox-static_*.deb "$dir/busybox"

# The kernel, its modules and device trees moved under /usr/lib/modules
# in 7.x; give them one place for the rig.
vmlinuz=$(find "$dir/image/boot" "$dir/image/usr/lib/modules/$kver" -maxdepth 1 \
	-name "vmlinuz*" 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || { echo "fetch-guest.sh: no vmlinuz in $image" >&2; exit 1; }
ln -s "${vmlinuz#"$dir"/}" "$dir/vmlinuz"
for m in "$dir/image/lib/modules/$kver" "$dir/image/usr/lib/modules/$kver"; do
	[ ! -d "$m/kernel" ] || ln -s "${m#"$dir"/}" "$dir/modules"
done
[ -e "$dir/modules" ] || { echo "fetch-guest.sh: no modules in $image" >&2; exit 1; }

# The headers' scripts/ and tools/ are relative links into the kbuild
# package (../../lib/linux-kbuild-X); make them absolute, to the copy
# installed here or in the release's chroot, whichever runs the build.
mv "$dir/hdr/usr/src/linux-headers-$kver" "$dir/headers"
link=$(readlink "$dir/headers/scripts")
kbuild=/usr/lib/${link#../../lib/}
kbuild=${kbuild%/scripts}
for link in scripts tools; do
	rm -f "$dir/headers/$link"
	ln -s "$kbuild/$link" "$dir/headers/$link"
done
rm -rf "$dir/hdr"
# They include the arch-independent headers from /usr/src (absolute).
common=$(sed -n 's|^include /usr/src/\(linux-headers-[^/]*\)/Makefile$|\1|p' "$dir/headers/Makefile")
if [ "$release" = "$host_release" ]; then
	root=
	# deps.sh installs the common headers of the arm64 kernel this
	# machine's apt picks; a kernel that the release's chroot picked
	# (armhf) may be of another ABI, when the chroot lacks a suite this
	# machine has (chroot.sh leaves out one a mirror serves broken).
	if [ -n "$common" ] && [ ! -e "/usr/src/$common" ]; then
		echo "fetch-guest.sh: installing $common"
		sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "$common" > /dev/null
	fi
	for need in "$kbuild/scripts/basic" "/usr/src/$common"; do
		[ -e "$need" ] || { echo "fetch-guest.sh: $need missing; run scripts/deps.sh pi" >&2; exit 1; }
	done
else
	root=$chroot
	"$top/scripts/chroot.sh" make "$chroot" "$release" "${kbuild#/usr/lib/}" ${common:+"$common"}
	# 7.x's Makefile looks for the headers where the package installs them.
	ln -sfn "$dir/headers" "$chroot/usr/src/linux-headers-$kver"
fi

# Debian's kbuild package is built for this machine (amd64), and its
# modpost reads a 32-bit module's device tables with 64-bit sizes ("sizeof
# (struct of_device_id)=200 is not a modulo of the size of section ...").
# For a 32-bit kernel, rebuild modpost from the same version's source with
# that kernel's configuration, into a copy of the kbuild folder.
if [ "$arch" = armhf ]; then
	series=${kbuild#/usr/lib/linux-kbuild-}
	series=$(echo "$series" | cut -d. -f1-2)
	version=$(dpkg-deb -f "$dir"/debs/linux-headers-*.deb Version)
	echo "fetch-guest.sh: rebuilding modpost for $kver from linux-source-$series $version"
	if [ -n "$root" ]; then
		"$top/scripts/chroot.sh" make "$chroot" "$release" gcc libc6-dev \
			bison flex bc libssl-dev libelf-dev
	else
		"$top/scripts/deps.sh" kernel-source
	fi
	# shellcheck disable=SC2016 # the inner shell's $1
	in_apt sh -c 'cd "$1" && apt-get download -q -o APT::Sandbox::User=root "$2"' \
		sh "$dir/debs" "linux-source-$series=$version"
	dpkg-deb --fsys-tarfile "$dir"/debs/linux-source-*.deb |
		tar -xO "./usr/src/linux-source-$series.tar.xz" | tar -xJ -C "$dir"
	rm -f "$dir"/debs/linux-source-*.deb
	src=$dir/linux-source-$series
	cp "$dir/headers/.config" "$src/.config"
	in_release make -s -C "$src" -j"$(nproc)" ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf- \
		olddefconfig modules_prepare
	cp -a "$root$kbuild" "$dir/kbuild"
	cp "$src/scripts/mod/modpost" "$dir/kbuild/scripts/mod/modpost"
	# This series' checkpatch, while its source is here (make lint-kernel).
	mkdir -p "$dir/checkpatch"
	cp "$src/scripts/checkpatch.pl" "$src/scripts/spelling.txt" \
		"$src/scripts/const_structs.checkpatch" "$dir/checkpatch/"
	rm -rf "$src"
	for link in scripts tools; do
		ln -sfn "$dir/kbuild/$link" "$dir/headers/$link"
	done
fi

echo "$arch" > "$dir/arch"
echo "$release" > "$dir/release"
echo "$kver" > "$dir/kver"
