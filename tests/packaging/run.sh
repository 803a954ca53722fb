#!/bin/sh
# run.sh - the packaging tests: DKMS, `make install` into a DESTDIR, the
# systemd unit, the udev rule, the .debs installed and purged on this
# machine, and sesame-certs' PKI with a real mosquitto and sesame-bridge.
#
# Usage: tests/packaging/run.sh [PART...]
#   parts, in order: lint install unit udev dkms deb live certs (default: all)
#
# Needs root (as CI runs it): dpkg, DKMS and mount namespaces. Whatever it
# changes on this machine (the packages, the user and group sesame if they
# were not there, an overlays directory if /boot/firmware did not exist) it
# undoes on exit. Exits 1 if any case failed.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/packaging
cd "$top"
VERSION=$(cat VERSION)
GUEST=${GUEST:-$top/build/guest}

if [ "$(id -u)" -ne 0 ]; then
	echo "$0: needs root (dpkg, dkms, mount namespaces): sudo $0" >&2
	exit 1
fi

export LC_ALL=C
# fd 3: the report, for notes from inside a case (whose output is captured).
exec 3>&1
# shellcheck source=tests/packaging/lib.sh
. "$here/lib.sh"
T=$(mktemp -d /tmp/sesame-pkg.XXXXXX)
at_exit "rm -rf '$T'"
trap run_cleanups EXIT
trap 'exit 1' HUP INT TERM

# The Debian kernel whose headers are installed (the metapackage of this
# architecture pulls them): DKMS builds for it, whatever kernel runs here.
arch=$(dpkg --print-architecture)
KVER=$(dpkg-query -W -f '${Depends}' "linux-headers-$arch" 2>/dev/null |
	sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
if [ -z "$KVER" ] || [ ! -d "/lib/modules/$KVER/build" ]; then
	echo "$0: no Debian kernel headers (scripts/deps.sh pkg installs them)" >&2
	exit 1
fi
echo "# Debian kernel headers: $KVER; running kernel: $(uname -r)"

parts=${*:-lint install unit udev dkms deb live certs}
for part in $parts; do
	echo "# --- $part"
	# shellcheck source=/dev/null # each part is checked on its own
	. "$here/$part.sh"
done

echo "# $n cases, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
