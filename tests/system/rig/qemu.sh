#!/bin/sh
# qemu.sh - boot the emulated Raspberry Pi once and collect its results: a
# Pi 3 (raspi3b) for an arm64 kernel, a Pi 2 (raspi2b) for an armhf one.
#
# Usage: qemu.sh -d DTB -i INITRAMFS -o OUTDIR [-g GUESTDIR] [-t SECONDS]
#                [-a KERNEL-ARGS] [-s SD-IMAGE] [-c] [-v]
#   -o  folder for the results: console.log, and what the guest's init sent
#       back (results/: rc, test.log, trace, dmesg and the test's own files)
#   -t  wall-clock limit for the whole boot (default 120); the guest's test
#       gets 20 s less, so that a hung test still sends its results
#   -a  more kernel command line (e.g. maxcpus=1)
#   -s  a raw image for the emulated SD card (its size a power of two),
#       e.g. for a test that needs a block device
#   -c  count instructions for guest time (-icount shift=0,sleep=off): see below
#   -v  show the guest's console while it runs
# Exit status: the guest test's own, or 124 when qemu was stopped by the
# limit, or 125 when no results came back.
#
# qemu runs single-threaded TCG: with the default multi-threaded TCG a boot
# takes several times longer on a small host. The Pi 2 boots with one CPU
# (Debian's armmp kernel hung after the console came up with four), and
# without -c (-icount stalled it): its guest time is always host time.
#
# By default guest time is host time, so a busy or shared host shows up as
# late timers in the guest (p99 in the milliseconds). With -c, guest time
# counts executed instructions (-icount shift=0: 1 ns each, about a 1.2 GHz
# Cortex-A53) and, while the guest idles, jumps to its next timer instead of
# waiting for the host (sleep=off): timing no longer depends on the host and
# repeats from boot to boot, which is what the demo and the benchmarks want.
# Interrupts then arrive about as soon as the guest can take them, sooner
# than on a real Pi, so figures are for comparing approaches in one boot.
# One artifact: qemu runs the four vCPUs in turn, so a vCPU can be held
# between any two of its instructions while another runs, which a real
# multi-core Pi cannot do; the driver's tests that stall CPUs on purpose
# therefore run without -c.
set -eu

dtb='' initramfs='' out='' guest=build/guest limit=120 verbose='' args='' timing='' sd=''
usage() { sed -n '4,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts d:i:o:g:t:a:s:cv opt; do
	case $opt in
	d) dtb=$OPTARG ;;
	i) initramfs=$OPTARG ;;
	o) out=$OPTARG ;;
	g) guest=$OPTARG ;;
	t) limit=$OPTARG ;;
	a) args=$OPTARG ;;
	s) sd=$OPTARG ;;
	c) timing='-icount shift=0,sleep=off' ;;
	v) verbose=1 ;;
	*) usage ;;
	esac
done
if [ -z "$dtb" ] || [ -z "$initramfs" ] || [ -z "$out" ]; then usage; fi

kernel=$guest/vmlinuz
[ -e "$kernel" ] || { echo "qemu.sh: no kernel in $guest; run make guest" >&2; exit 1; }
case $(cat "$guest/arch") in
armhf)	qemu=qemu-system-arm machine=raspi2b args="maxcpus=1 $args" timing= ;;
*)	qemu=qemu-system-aarch64 machine=raspi3b ;;
esac

rm -rf "$out" && mkdir -p "$out"
set +e
if [ -n "$verbose" ]; then
	exec 3>&1
else
	exec 3>/dev/null
fi
set --
[ -z "$sd" ] || set -- -drive "if=sd,format=raw,file=$sd"
{
	# shellcheck disable=SC2086 # $timing is empty or two words
	timeout -k 5 "$limit" "$qemu" -M "$machine" -accel tcg,thread=single $timing "$@" \
		-kernel "$kernel" -dtb "$dtb" -initrd "$initramfs" \
		-append "console=ttyS1,115200 no_hash_pointers rig.timeout=$((limit > 40 ? limit - 20 : limit / 2)) $args" \
		-serial "file:$out/channel" -serial stdio \
		-display none -monitor none -no-reboot </dev/null 2>&1
	echo $? > "$out/qemu.status"
} | tee "$out/console.log" >&3
set -e

if ! tar -x -z -f "$out/channel" -C "$out" 2>/dev/null || [ ! -f "$out/results/rc" ]; then
	if [ "$(cat "$out/qemu.status")" = 124 ]; then
		echo "qemu.sh: the guest did not finish within $limit s (console: $out/console.log)" >&2
		exit 124
	fi
	echo "qemu.sh: no results came back from the guest (console: $out/console.log)" >&2
	exit 125
fi
rm -f "$out/channel" "$out/qemu.status"
exit "$(cat "$out/results/rc")"
