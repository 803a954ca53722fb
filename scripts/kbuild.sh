#!/bin/sh
# kbuild.sh - build an out-of-tree module for one of the emulated Pi's
# kernels (scripts/fetch-guest.sh), with that kernel's own kbuild tools.
#
# Usage: scripts/kbuild.sh GUESTDIR OUTDIR SRC... [-- MAKEARG...]
#   copies SRC... (files or folders) into OUTDIR (replaced) and runs
#   `make -C GUESTDIR/headers M=OUTDIR modules MAKEARG...` for the kernel's
#   architecture. A kernel of this machine's release builds here; a newer
#   one in its release's chroot (build/chroot/RELEASE), since its kbuild
#   tools need that release's glibc. Kbuild writes next to the sources,
#   hence the copy: the tree stays clean, and kernels never mix.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 3 ] || { sed -n '5,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
guest=$(cd "$1" && pwd)
out=$2
shift 2
rm -rf "$out" && mkdir -p "$out"
out=$(cd "$out" && pwd)
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	cp -r "$1" "$out/"
	shift
done
[ $# -eq 0 ] || shift

case $(cat "$guest/arch") in
arm64)	set -- ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "$@" ;;
armhf)	set -- ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf- "$@" ;;
*)	echo "kbuild.sh: unknown arch in $guest/arch" >&2; exit 1 ;;
esac
release=$(cat "$guest/release")
# shellcheck disable=SC1091 # this machine's
if [ "$release" = "$(. /etc/os-release && echo "$VERSION_CODENAME")" ]; then
	exec make -C "$guest/headers" M="$out" modules "$@"
fi
exec "$top/scripts/chroot.sh" run "$top/build/chroot/$release" \
	make -C "$guest/headers" M="$out" modules "$@"
