#!/bin/sh
# udev-ns.sh - runs `udevadm test` for fake misc devices, inside a private
# mount namespace (run it under `unshare -m`): a made-up sysfs on /sys, an
# empty /dev and /run, and an /etc/group that has the group sesame. Nothing
# of this machine's /sys, /dev, /run or /etc changes.
#
# Usage: unshare -m --propagation private udev-ns.sh RULES WORK GID NAME...
#   RULES  the rules file to test, installed as /run/udev/rules.d/60-sesame.rules
#   WORK   a scratch directory; WORK/NAME.log gets udevadm's output
#   GID    the id the group sesame gets in the namespace
# For each NAME (a misc device, e.g. "sesame"), prints the node's
# "NAME MODE UID GID" after udev has handled its "add" event.
set -eu

rules=$1 work=$2 gid=$3
shift 3

# /run first, so that mount(8) keeps no record outside the namespace.
mount -n -t tmpfs tmpfs /run
mkdir -p /run/udev/rules.d
cp "$rules" /run/udev/rules.d/60-sesame.rules

cp /etc/group "$work/group"
echo "sesame:x:$gid:" >> "$work/group"
mount -n --bind "$work/group" /etc/group

# sysfs as the kernel shows a misc device: the device directory with its
# uevent, and a "subsystem" link to the class.
sys=$work/sys
minor=100
mkdir -p "$sys/class/misc" "$sys/devices/virtual/misc"
for name in "$@"; do
	d=$sys/devices/virtual/misc/$name
	mkdir -p "$d"
	printf 'MAJOR=10\nMINOR=%s\nDEVNAME=%s\n' "$minor" "$name" > "$d/uevent"
	echo "10:$minor" > "$d/dev"
	ln -s ../../../../class/misc "$d/subsystem"
	ln -s "../../devices/virtual/misc/$name" "$sys/class/misc/$name"
	minor=$((minor + 1))
done
mount -n --bind "$sys" /sys

# The nodes as the driver creates them: root only.
mount -n -t tmpfs -o mode=0755 tmpfs /dev
mknod -m 0666 /dev/null c 1 3
minor=100
for name in "$@"; do
	mknod -m 0600 "/dev/$name" c 10 "$minor"
	minor=$((minor + 1))
done

# The made-up /sys is not a sysfs mount; this tells udevadm to accept it.
export SYSTEMD_DEVICE_VERIFY_SYSFS=0
for name in "$@"; do
	udevadm test --action=add "/devices/virtual/misc/$name" > "$work/$name.log" 2>&1 || true
	echo "$name $(stat -c '%a %u %g' "/dev/$name")"
done
