#!/bin/sh
# pulse.sh - host half of the pulse benchmarks: boot the emulated Pi once
# with one suite of runs, and bring its trace back.
#
# Usage: bench/pulse/pulse.sh OUTDIR [-k KERNEL] [-s SUITE] [-H] [-U]
#                              [-n PULSES] [-b BUDGETS] [-p PHASES]
#   -k  the guest kernel, as scripts/fetch-guest.sh names it (default
#       bookworm-arm64; make guest KERNEL=NAME fetches it, make module-guest
#       KERNEL=NAME builds sesame.ko for it)
#   -s  the suite (default approaches):
#         approaches  every approach on GPIO18 in turn (guest-pulse.sh)
#         peer        sesame.ko against mainline's pwm-gpio.ko on GPIO18
#                     (guest-peer.sh; pwm-gpio.sh builds the peer)
#         servos      1, 2, 4 and 8 sesame servos at once (guest-servos.sh)
#   -H  guest time is host time (default: it counts instructions, qemu.sh -c)
#   -U  use all four CPUs (default: CPU0 only, the others isolated; see
#       guest-pulse.sh for why)
#   -n  pulses per run (default 1000)
#   -b  the driver's busy-wait budgets to try, us, comma-separated
#   -p  phases: idle, load or both (default idle,load)
# Needs (make bench builds them): the kernel's sesame.ko, build/dts/
# sesame.dtbo, build/bench/guest/ (swpwm, poke) and build/bench/guestroot;
# for peer, build/bench/pwm-gpio-KERNEL/pwm-gpio.ko.
# The results land in OUTDIR/run/results (trace, and what each run said).
set -eu

out=${1:?usage: pulse.sh OUTDIR [-k KERNEL] [-s SUITE] [-H] [-U] [-n PULSES] [-b BUDGETS] [-p PHASES]}
shift
kernel=bookworm-arm64 suite=approaches
clock=-c spread=0 pulses=1000 budgets=0,5,10,20,50,100 phases=idle,load
while getopts k:s:HUn:b:p: opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	s) suite=$OPTARG ;;
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
# The folders driver/driver.mk gives each kernel.
if [ "$kernel" = bookworm-arm64 ]; then
	guest=build/guest module=build/module-arm64/sesame.ko
else
	guest=build/kernels/$kernel module=build/module-$kernel/sesame.ko
fi
for f in "$guest/kver" "$module"; do
	[ -e "$f" ] || { echo "pulse.sh: no $f; run make module-guest KERNEL=$kernel" >&2; exit 1; }
done
mkdir -p "$out"

# What each suite puts into the guest besides the module and the rig.
dtso='' kos='' extra=''
case $suite in
approaches)
	dtso=$here/idle-servo.dtso
	extra="-f $bench/guest/swpwm -f $here/pwm_gpiod.py -f $here/rpigpio-probe.sh"
	runs=$(( $(echo "$budgets" | tr , '\n' | grep -c .) + 3 )) ;;
peer)
	dtso="$here/idle-servo.dtso $here/pwm-gpio.dtso"
	kos=$bench/pwm-gpio-$kernel/pwm-gpio.ko
	[ -e "$kos" ] || { echo "pulse.sh: no $kos; run bench/pulse/pwm-gpio.sh $kernel" >&2; exit 1; }
	extra="-f $bench/guest/poke"
	runs=12 ;;
servos)
	dtso=$here/servos.dtso
	extra="-f $bench/guest/poke"
	runs=$(( $(echo "$budgets" | tr , "\n" | grep -c .) * 4 )) ;;
*)	echo "pulse.sh: no suite $suite (approaches, peer, servos)" >&2; exit 2 ;;
esac

# shellcheck disable=SC2086 # $dtso is a list of files
"$rig/dtb.sh" -g "$guest" -o "$out/pi3.dtb" -p 'u /sesame sesame,idle-ms 0' \
	build/dts/sesame.dtbo $dtso
# shellcheck disable=SC2086 # $extra and $kos are option lists
"$rig/initramfs.sh" -g "$guest" -o "$out/initramfs.cpio.gz" -t "$here/guest-$suite.sh" \
	-k "$module" ${kos:+-k $kos} -m bcm2835 -m crc32c_generic -m ext4 \
	-f tests/system/guest/sesame-lib.sh -f "$here/guest-bench-lib.sh" $extra \
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
nph=$(echo "$phases" | tr , '\n' | grep -c .)
limit=$((300 + nph * runs * pulses * 20 * 20 / 1000))

echo "pulse.sh: booting the emulated Pi with $(cat "$guest/kver"), suite $suite (${clock:+instruction-counted }guest time; $pulses pulses, $runs runs x $nph phases; limit $limit s)"
cpus="nohz_full=1-3 isolcpus=1-3 rcu_nocbs=1-3 irqaffinity=0"
[ "$spread" = 0 ] || cpus=''
# shellcheck disable=SC2086 # $clock is empty or one option
"$rig/qemu.sh" $clock -g "$guest" -s "$out/sd.img" -d "$out/pi3.dtb" -i "$out/initramfs.cpio.gz" \
	-o "$out/run" -t "$limit" \
	-a "$cpus bench.spread=$spread bench.pulses=$pulses bench.budgets=$budgets bench.phases=$phases"
