#!/bin/bash
# memory-peers.sh - sesame-bridge's memory next to mosquitto_sub's, the
# client that ships with the same library, on this machine's Debian release
# and on others in a chroot each (their mosquitto, OpenSSL and
# libmosquitto, and the bridge built against them); then the figures as
# JSON (memory_peers.py).
#
# Usage: bench/latency/memory-peers.sh OUTDIR OUT.json [-n COUNT] [-R RELEASES]
#   -n  commands sent to both (default 1000)
#   -R  releases (default "bookworm trixie"); this machine's own runs here
#       with build/bridge/ and build/bench/ (make bench builds them), any
#       other in build/chroot/RELEASE (scripts/chroot.sh) with the bridge,
#       the stand-in and the publisher built there into build/RELEASE/
# OUTDIR/RELEASE/ gets what memory-run.sh writes. Needs root for the
# chroots.
set -eu

out=${1:?usage: memory-peers.sh OUTDIR OUT.json [-n COUNT] [-R RELEASES]}
json=${2:?usage: memory-peers.sh OUTDIR OUT.json [-n COUNT] [-R RELEASES]}
shift 2
count=1000 releases="bookworm trixie"
while getopts n:R: opt; do
	case $opt in
	n) count=$OPTARG ;;
	R) releases=$OPTARG ;;
	*) exit 2 ;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# What the bridge, its stand-in and the publisher need to build and run,
# and the tests' PKI (faketime) and broker kit (python3) need.
pkgs="make gcc libc6-dev pkgconf libmosquitto-dev libssl-dev libcjson-dev
      mosquitto mosquitto-clients openssl faketime python3 fuse3 libfuse3-dev"
bins="bridge/sesame-bridge bridge/fake-sesame bench/publat"
# shellcheck disable=SC1091 # the running system's
native=$(. /etc/os-release && echo "$VERSION_CODENAME")

rm -rf "$out"
mkdir -p "$out"
# Absolute: the chroots start in their /.
out=$(cd "$out" && pwd)
for rel in $releases; do
	echo "memory-peers.sh: $rel"
	if [ "$rel" = "$native" ]; then
		"$here/memory-run.sh" "$out/$rel" "$top/build/bridge/sesame-bridge" \
			"$top/build/bridge/fake-sesame" "$top/build/bench/publat" "$count"
		continue
	fi
	"$top/scripts/deps.sh" chroot
	chroot=$top/build/chroot/$rel
	# shellcheck disable=SC2086 # one word per package
	"$top/scripts/chroot.sh" make "$chroot" "$rel" $pkgs
	# The project's own rules, with that release's compiler and libraries
	# (DEPS=true: the chroot has them already).
	targets=
	for b in $bins; do targets="$targets build/$rel/$b"; done
	"$top/scripts/chroot.sh" run "$chroot" sh -c \
		"cd '$top' && make -s BUILD=build/$rel DEPS=true $targets"
	"$top/scripts/chroot.sh" run "$chroot" "$here/memory-run.sh" "$out/$rel" \
		"$top/build/$rel/bridge/sesame-bridge" "$top/build/$rel/bridge/fake-sesame" \
		"$top/build/$rel/bench/publat" "$count"
done
python3 "$here/memory_peers.py" "$out" "$json"
echo "memory-peers.sh: wrote $json"
