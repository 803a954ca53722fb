#!/bin/sh
# pulse.sh - host half of the pulse benchmark: boot the emulated Pi once
# with every approach on GPIO18 (bench/pulse/guest-pulse.sh), and bring its
# trace back.
#
# Usage: bench/pulse/pulse.sh OUTDIR [-H] [-U] [-n PULSES] [-b BUDGETS]
#                              [-p PHASES]
#   -H  guest time is host time (default: it counts instructions, qemu.sh -c)
#   -U  use all four CPUs (default: CPU0 only, the others isolated; see
#       guest-pulse.sh for why)
#   -n  pulses per approach and phase (default 1000)
#   -b  the driver's busy-wait budgets to try, us, comma-separated
#   -p  phases: idle, load or both (default idle,load)
# Needs (make bench builds them): build/module-arm64/sesame.ko,
# build/dts/sesame.dtbo, build/bench/guest/swpwm and build/bench/guestroot.
# The results land in OUTDIR/run/results (trace, and what each run said).
set -eu

out=${1:?usage: pulse.sh OUTDIR [-H] [-U] [-n PULSES] [-b BUDGETS] [-p PHASES]}
shift
clock=-c spread=0 pulses=1000 budgets=0,5,10,20,50,100 phases=idle,load
while getopts HUn:b:p: opt; do
	case $opt in
	H) clock='' ;;
	U) spread=1 ;;
	n) pulses=$OPTARG ;;
	b) budgets=$OPTARG ;;
	p) phases=$OPTARG ;;
	*) exit 2 ;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
rig=$here/../../tests/system/rig
bench=build/bench
mkdir -p "$out"

"$rig/dtb.sh" -o "$out/pi3.dtb" -p 'u /sesame sesame,idle-ms 0' \
	build/dts/sesame.dtbo "$here/idle-servo.dtso"
"$rig/initramfs.sh" -o "$out/initramfs.cpio.gz" -t "$here/guest-pulse.sh" \
	-k build/module-arm64/sesame.ko -m bcm2835 -m crc32c_generic -m ext4 \
	-f tests/system/guest/sesame-lib.sh -f "$bench/guest/swpwm" \
	-f "$here/pwm_gpiod.py" -f "$here/rpigpio-probe.sh" \
	-f "$bench/guestroot/usr:/usr" \
	-f "$bench/guestroot/lib/ld-linux-aarch64.so.1:/lib/ld-linux-aarch64.so.1"

# An SD card with an ext4 file system, for the I/O half of the load
# (mkfs is in /sbin, which a user's PATH may lack).
trap 'rm -f "$out/sd.img"' EXIT
rm -f "$out/sd.img"
truncate -s 64M "$out/sd.img"
PATH=$PATH:/sbin:/usr/sbin mkfs.ext4 -q -F "$out/sd.img"

# Time enough for every run, with a wide margin: a loaded guest runs
# several times slower than real time under instruction counting.
nb=$(echo "$budgets" | tr , '\n' | grep -c .)
nph=$(echo "$phases" | tr , '\n' | grep -c .)
limit=$((300 + nph * (nb + 3) * pulses * 20 * 20 / 1000))

echo "pulse.sh: booting the emulated Pi (${clock:+instruction-counted }guest time; $pulses pulses x $((nb + 2)) approaches x $nph phases; limit $limit s)"
cpus="nohz_full=1-3 isolcpus=1-3 rcu_nocbs=1-3 irqaffinity=0"
[ "$spread" = 0 ] || cpus=''
# shellcheck disable=SC2086 # $clock is empty or one option
"$rig/qemu.sh" $clock -s "$out/sd.img" -d "$out/pi3.dtb" -i "$out/initramfs.cpio.gz" \
	-o "$out/run" -t "$limit" \
	-a "$cpus bench.spread=$spread bench.pulses=$pulses bench.budgets=$budgets bench.phases=$phases"
