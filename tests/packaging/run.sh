#!/bin/bash
# run.sh - the packaging tests: DKMS, `make install` into a DESTDIR, the
# systemd unit, the udev rule, the .debs installed and purged on this
# machine, and sesame-certs' PKI with a real mosquitto and sesame-bridge.
#
# Usage: tests/packaging/run.sh [--list] [--only NAME|PATTERN]... [NAME|PATTERN]...
#   (tests/lib/cases.sh runs the cases; default: every one, in this order)
#   The cases are named after their part, a file each: lint-*, install-*,
#   unit-*, udev-*, dkms-*, deb-*, live-*, certs-*; e.g. 'udev-*' runs the
#   udev rule's. make check-packaging runs all but deb-* here, and deb-* in
#   a chroot of each Debian release (RELEASE=bookworm|trixie, default
#   bookworm), which must be the release this runs on.
#
# Needs root (as CI runs it): dpkg, DKMS and mount namespaces; Debian's
# kernel headers (scripts/deps.sh pkg), and for dkms-build-arm64 the
# emulated Pi's kernel (GUEST, default build/guest: make guest). Whatever
# it changes on this machine (the packages, the user and group sesame if
# they were not there, an overlays directory if /boot/firmware did not
# exist) it undoes on exit, whichever cases ran. Exits 1 if a case failed
# (under CI=true a skipped case fails too), 2 on a bad command line.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/packaging
cd "$top" || exit 1
VERSION=$(cat VERSION)
GUEST=${GUEST:-$top/build/guest}
export LC_ALL=C

# shellcheck source=tests/lib/cases.sh
. "$top/tests/lib/cases.sh"
# shellcheck source=tests/lib/broker.sh
. "$top/tests/lib/broker.sh"
# shellcheck source=tests/lib/device.sh
. "$top/tests/lib/device.sh"
# shellcheck source=tests/packaging/lib.sh
. "$here/lib.sh"

# The Debian kernel whose headers are installed (the metapackage of this
# architecture pulls them): DKMS builds for it, whatever kernel runs here.
# Titles name it, so it is looked up before the cases are declared; only
# suite_setup insists on it, so that --list works anywhere.
arch=$(dpkg --print-architecture)
KVER=$(dpkg-query -W -f '${Depends}' "linux-headers-$arch" 2>/dev/null |
	sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')

for part in lint install unit udev dkms deb live certs; do
	# shellcheck source=/dev/null # each part is checked on its own
	. "$here/$part.sh"
done

# What every case runs in: root, the headers, a scratch directory, and the
# cleanups armed before anything is changed.
suite_setup() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$0: needs root (dpkg, dkms, mount namespaces): sudo $0" >&2
		exit 1
	fi
	if [ -z "$KVER" ] || [ ! -d "/lib/modules/$KVER/build" ]; then
		echo "$0: no Debian kernel headers (scripts/deps.sh pkg installs them)" >&2
		exit 1
	fi
	T=$(mktemp -d /tmp/sesame-pkg.XXXXXX) || exit 1
	at_exit "rm -rf '$T'"
	trap run_cleanups EXIT
	trap 'exit 1' HUP INT TERM
	# fd 3: the report, for notes from inside a check (whose output is
	# captured).
	exec 3>&1
	echo "# Debian kernel headers: $KVER; running kernel: $(uname -r)"
}

cases_main "$@"
