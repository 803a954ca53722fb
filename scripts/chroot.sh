#!/bin/sh
# chroot.sh - a Debian chroot of another release, for what this machine
# (Debian 12) cannot do itself: the kbuild tools of newer kernels need a
# newer glibc, and packages are built and installed per release.
#
# Usage: scripts/chroot.sh make DIR RELEASE [PACKAGE...]
#        scripts/chroot.sh run DIR COMMAND [ARG...]
#   make  creates DIR with mmdebstrap from Debian's archive (RELEASE, its
#         -updates, -security and -backports suites; arm64 and armhf as
#         foreign architectures), then installs whatever of PACKAGE... it
#         lacks. A second call with the same packages costs a dpkg query.
#   run   runs COMMAND inside DIR as root, with this project's tree at the
#         same path as outside (bind-mounted in a mount namespace of its
#         own, so nothing stays mounted when it ends) and /proc, /dev.
# Needs root (mmdebstrap's root mode, mount, chroot).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
mirror=http://deb.debian.org/debian
usage() { sed -n '6,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1 dir=$2
shift 2

# run DIR COMMAND...: the command inside, the project's tree mounted;
# replaces this shell.
run_in() {
	d=$(cd "$1" && pwd)
	shift
	# apt inside needs to resolve the archive's name.
	cp -L /etc/resolv.conf "$d/etc/resolv.conf" 2>/dev/null || true
	mkdir -p "$d$top"
	# exec: a signal to this script (timeout, make) reaches the command.
	# shellcheck disable=SC2016 # expanded by the inner shell
	exec unshare --mount --propagation private -- sh -c '
		d=$1 top=$2
		shift 2
		mount --rbind "$top" "$d$top"
		mount -t proc proc "$d/proc"
		mount --rbind /dev "$d/dev"
		exec chroot "$d" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
			${CI:+CI=$CI} "$@"' sh "$d" "$top" "$@"
}

case $cmd in
make)
	release=${1:?usage: chroot.sh make DIR RELEASE [PACKAGE...]}
	shift
	if [ ! -x "$dir/usr/bin/apt-get" ]; then
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$(dirname "$dir")"
		echo "chroot.sh: making a Debian $release chroot in $dir"
		# The kernel's security updates come through -security first,
		# as on an installed system.
		# This machine's architecture first: mmdebstrap makes it native.
		native=$(dpkg --print-architecture)
		archs=$native
		for a in arm64 armhf; do [ "$a" = "$native" ] || archs="$archs,$a"; done
		mmdebstrap --quiet --variant=apt --architectures="$archs" \
			--include=ca-certificates "$release" "$dir.tmp" \
			"deb $mirror $release main" \
			"deb $mirror $release-updates main" \
			"deb $mirror-security $release-security main" \
			"deb $mirror $release-backports main"
		mv "$dir.tmp" "$dir"
	fi
	missing=
	for p in "$@"; do
		# shellcheck disable=SC2016 # a dpkg-query format
		status=$(chroot "$dir" dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
		[ "$status" = "install ok installed" ] || missing="$missing $p"
	done
	[ -n "$missing" ] || exit 0
	echo "chroot.sh: installing into $dir:$missing"
	# shellcheck disable=SC2086 # one word per package
	run_in "$dir" sh -c 'apt-get update -qq &&
		apt-get install -y -qq --no-install-recommends "$@" > /dev/null' sh $missing
	;;
run)
	[ $# -ge 1 ] || usage
	[ -x "$dir/usr/bin/apt-get" ] || { echo "chroot.sh: no chroot in $dir" >&2; exit 1; }
	run_in "$dir" "$@"
	;;
*)
	usage ;;
esac
