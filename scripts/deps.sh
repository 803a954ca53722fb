#!/bin/sh
# deps.sh - install the Debian 12 packages a part of sesame needs.
#
# Usage: scripts/deps.sh GROUP...
#   groups: build unit lint pi chroot kernel-source bridge bridge-test faults
#           fleet dtc dkms deb pkg door bench phone brokers
#
# Every make target that needs packages calls this first, so the README's two
# commands work on a fresh machine. It only asks apt for what is missing, so a
# second run costs a dpkg query and nothing else. Needs root (or sudo) only
# when something must be installed.
set -eu

# The arm64 guest kernel moves with Debian's point releases: resolve its
# version from the archive instead of writing it down.
kver=
guest_kver() {
	[ -n "$kver" ] || kver=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\(.*\)-arm64:arm64$/\1/p' | head -n 1)
	echo "$kver"
}

pkgs_for() {
	case "$1" in
	build)	echo build-essential pkg-config ;;
	unit)	echo libcmocka-dev clang libclang-rt-14-dev valgrind ;;
	lint)	echo sparse linux-source-6.1 xz-utils dt-schema python3-yaml \
			device-tree-compiler linux-kbuild-6.1 \
			"linux-headers-$(guest_kver)-$(dpkg --print-architecture)" ;;
	pi)	echo qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
			gcc-arm-linux-gnueabihf libc6-dev-armhf-cross \
			linux-kbuild-6.1 "linux-headers-$(guest_kver)-common" \
			device-tree-compiler cpio kmod xz-utils python3 python3-yaml \
			gnuplot-nox ;;
	# Building a kernel's modpost from its source (scripts/fetch-guest.sh,
	# for 32-bit kernels).
	kernel-source) echo gcc libc6-dev bison flex bc libssl-dev libelf-dev ;;
	# Chroots of newer releases (scripts/chroot.sh): their kernels'
	# kbuild tools, their packages.
	chroot)	echo mmdebstrap ;;
	# Building the bridge (also on a real Pi), then testing it: a real
	# broker, the FUSE stand-in for /dev/sesame, and man page checks.
	bridge)	echo libmosquitto-dev libssl-dev libcjson-dev ;;
	# faketime and strace: the clock set back or stepped, and what the
	# bridge opens and in which order it writes; python3: the tests' state
	# files, core-file search and stand-in brokers.
	bridge-test) echo mosquitto mosquitto-clients openssl fuse3 libfuse3-dev \
			groff-base faketime strace python3 ;;
	# The bridge's fault and abuse tests (tests/faults/), with bridge-test.
	faults)	echo python3 ;;
	# The bridge on a three-node RabbitMQ cluster (tests/fleet/, with
	# bridge-test): the broker with its MQTT plugin, Erlang's epmd, the
	# phones' MQTT client.
	fleet)	echo rabbitmq-server erlang-base python3 python3-paho-mqtt ;;
	# The phone page's tests (with bridge-test): the browser, its
	# certificate database (to trust the test CA as a phone would), QR
	# codes for sesame-certs enroll; Debian's Node.js and npm where the
	# machine has none of its own.
	phone)	echo chromium libnss3-tools qrencode
		command -v npm > /dev/null || echo nodejs npm ;;
	# The bridge against other brokers (tests/brokers/, with bridge-test):
	# RabbitMQ with its MQTT plugin, and Node.js and npm for aedes where
	# the machine has none of its own (Debian 12's Node.js 18 will do).
	brokers) echo rabbitmq-server
		command -v npm > /dev/null || echo nodejs npm ;;
	# The overlay alone (also on a real Pi), and what `make install` needs
	# there besides the bridge's build group.
	dtc)	echo device-tree-compiler ;;
	dkms)	echo dkms ;;
	# make deb (with the build and bridge groups).
	deb)	echo debhelper dh-dkms dpkg-dev device-tree-compiler ;;
	# The packaging tests: DKMS needs a Debian kernel's headers to build
	# against, the metapackage of this arch brings them. procps: pgrep,
	# which a minimal Debian lacks.
	pkg)	echo dkms lintian systemd udev shellcheck man-db python3 strace procps \
			"linux-headers-$(dpkg --print-architecture)" ;;
	# The emulated Pi's whole door: its users (systemd-sysusers and
	# basic.conf) and its test PKI (tests/lib/pki.sh: sesame-certs under
	# faketime).
	door)	echo systemd openssl faketime ;;
	# make bench (with build, pi, bridge and bridge-test): the Python
	# baseline's MQTT client, strace, the SD card's mkfs, the plots, and
	# libsystemd's headers for the baseline bridge (BENCH_BASELINE), which
	# still spoke sd_notify through them.
	bench)	echo python3-paho-mqtt strace e2fsprogs gnuplot-nox libsystemd-dev ;;
	*)	echo "deps.sh: unknown group '$1'" >&2; exit 2 ;;
	esac
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Another apt or dpkg (a second make check, an upgrade) may hold the lock
# for a while: wait for it rather than fail.
apt_lock='-o DPkg::Lock::Timeout=600'
updated=
apt_update() {
	[ -n "$updated" ] && return 0
	# shellcheck disable=SC2086 # two words
	as_root apt-get $apt_lock update -qq
	updated=1
}

# Guest packages (kernel, busybox, arm64 libraries) are downloaded, never
# installed, but apt must know the arm64 archive to find them.
need_arm64=
for group in "$@"; do
	case "$group" in pi|lint) need_arm64=1 ;; esac
done
if [ -n "$need_arm64" ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	as_root dpkg --add-architecture arm64
	updated=
	apt_update
fi
if [ -n "$need_arm64" ]; then
	kver=$(guest_kver)
	if [ -z "$kver" ]; then
		apt_update
		kver=$(guest_kver)
	fi
fi

missing=
for group in "$@"; do
	for p in $(pkgs_for "$group"); do
		status=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
		[ "$status" = "install ok installed" ] || missing="$missing $p"
	done
done
[ -n "$missing" ] || exit 0

echo "deps.sh: installing$missing"
apt_update
# shellcheck disable=SC2086 # one word per package
as_root env DEBIAN_FRONTEND=noninteractive \
	apt-get $apt_lock install -y -qq --no-install-recommends $missing >/dev/null
