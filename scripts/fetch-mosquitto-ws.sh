#!/bin/sh
# fetch-mosquitto-ws.sh - a Mosquitto with WebSockets, for the phone
# page's tests on Debian 12, unpacked into DIR (never installed).
#
# Usage: scripts/fetch-mosquitto-ws.sh DIR
#   then: LD_LIBRARY_PATH=DIR/usr/lib/<triplet> DIR/usr/sbin/mosquitto
#
# Debian 12's mosquitto 2.0.11 is built without WebSockets; bookworm-
# backports' 2.0.21 has them (libwebsockets17, from bookworm). The system's
# mosquitto, which the other tests use, stays as it is: apt works here on
# lists of its own under DIR (Dir::State::Lists), reads the archive key
# Debian ships, and only downloads; dpkg -x unpacks.
set -eu

mkdir -p "$1"
dir=$(cd "$1" && pwd)
arch=$(dpkg --print-architecture)
version=2.0.21-1~bpo12+1
[ -x "$dir/usr/sbin/mosquitto" ] && exit 0
apt=$dir.apt
mkdir -p "$apt/lists/partial" "$apt/archives/partial"
cat > "$apt/sources.list" <<LIST
deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
LIST
set -- -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
	-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt" \
	-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root
apt-get "$@" -qq update
(cd "$apt/archives" && apt-get "$@" -qq download "mosquitto=$version" \
	"libmosquitto1=$version" libwebsockets17 libdlt2)
for deb in "$apt"/archives/*.deb; do
	dpkg -x "$deb" "$dir"
done
libdir=$(dirname "$(find "$dir/usr/lib" -name 'libwebsockets.so.17' | head -n 1)")
LD_LIBRARY_PATH=$libdir "$dir/usr/sbin/mosquitto" -h | grep -q "mosquitto version ${version%%-*}" ||
	{ echo "fetch-mosquitto-ws.sh: the mosquitto unpacked in $dir does not run" >&2; exit 1; }
echo "fetch-mosquitto-ws.sh: mosquitto $version with WebSockets in $dir"
