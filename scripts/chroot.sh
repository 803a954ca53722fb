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

# mmdebstrap_from SUITE...: a chroot of $release in $dir.tmp from those
# suites of Debian's archive, its output in $log.
mmdebstrap_from() {
	# This machine's architecture first: mmdebstrap makes it native.
	native=$(dpkg --print-architecture)
	archs=$native
	for a in arm64 armhf; do [ "$a" = "$native" ] || archs="$archs,$a"; done
	for s in "$@"; do
		case $s in
		*-security) set -- "$@" "deb $mirror-security $s main" ;;
		*) set -- "$@" "deb $mirror $s main" ;;
		esac
		shift
	done
	rm -rf "$dir.tmp"
	mmdebstrap --verbose --variant=apt --architectures="$archs" \
		--aptopt='Acquire::Retries "3"' --include=ca-certificates \
		"$release" "$dir.tmp" "$@" > "$log" 2>&1
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
		# mmdebstrap fails if any one index fails to download. The
		# archive's mirrors refuse some while they sync, so the first
		# failure earns a second try after a pause. A suite whose index
		# a mirror keeps serving out of step with its Release file (seen:
		# bookworm-security's armhf Packages) would then fail every try;
		# the chroot is made without that suite, saying so, rather than
		# with it for some architectures only, which would pair
		# libraries of different versions. The release itself cannot
		# be left out.
		log=$(dirname "$dir")/.mmdebstrap-$release.log
		suites="$release $release-updates $release-security $release-backports"
		try=1
		# shellcheck disable=SC2086 # one word per suite
		until mmdebstrap_from $suites; do
			grep -E '^(E|W|Err):' "$log" | tail -n 20 >&2
			bad=$(sed -n 's|^E: Failed to fetch [a-z]*://[^ ]*/dists/\([^/ ]*\)/.*|\1|p' \
				"$log" | sort -u | tr '\n' ' ')
			bad=${bad% }
			case $try in
			1)	echo "chroot.sh: mmdebstrap failed; trying again in 30 s" >&2
				sleep 30 ;;
			2)	kept=
				for s in $suites; do
					case " $bad " in *" $s "*) ;; *) kept="$kept $s" ;; esac
				done
				kept=${kept# }
				case " $bad " in *" $release "*) kept=$suites ;; esac
				if [ -z "$bad" ] || [ "$kept" = "$suites" ]; then
					tail -n 40 "$log" >&2
					echo "chroot.sh: mmdebstrap failed twice; the log: $log" >&2
					exit 1
				fi
				echo "chroot.sh: WARNING: the mirror keeps serving" $bad \
					"out of step with its Release file; making the" \
					"$release chroot without it" >&2
				suites=$kept ;;
			*)	tail -n 40 "$log" >&2
				echo "chroot.sh: mmdebstrap failed; the log: $log" >&2
				exit 1 ;;
			esac
			try=$((try + 1))
		done
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
	run_in "$dir" sh -c 'apt-get -o Acquire::Retries=3 update -qq &&
		apt-get -o Acquire::Retries=3 install -y -qq \
			--no-install-recommends "$@" > /dev/null' sh $missing
	;;
run)
	[ $# -ge 1 ] || usage
	[ -x "$dir/usr/bin/apt-get" ] || { echo "chroot.sh: no chroot in $dir" >&2; exit 1; }
	run_in "$dir" "$@"
	;;
*)
	usage ;;
esac
