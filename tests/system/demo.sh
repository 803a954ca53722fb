#!/bin/sh
# demo.sh - `make demo`: boot the emulated Raspberry Pi 3, load sesame.ko
# through the overlay, open and close the door, and show the pulse train: a
# text timeline and a PNG plot of the GPIO waveform, both from the guest's
# kernel trace.
#
# Usage: tests/system/demo.sh OUTDIR   (after make module-arm64, the dtbo
#                                       and devio: `make demo` does it all)
# The guest script is tests/system/cases/demo.sh; to show more (later: the
# MQTT bridge), add its files to the initramfs below and its steps there.
set -eu

out=${1:-build/system/demo}
here=$(cd "$(dirname "$0")" && pwd)
guest=build/guest
mkdir -p "$out"

echo "== building the emulated Pi's device tree and initramfs"
"$here/rig/dtb.sh" -g "$guest" -o "$out/pi3.dtb" build/dts/sesame.dtbo
"$here/rig/initramfs.sh" -g "$guest" -o "$out/initramfs.cpio.gz" \
	-t "$here/cases/demo.sh" -k build/module-arm64/sesame.ko \
	-f "$here/guest/sesame-lib.sh"

echo "== booting qemu raspi3b with Debian's $(cat "$guest/kver") kernel (the guest's console follows)"
status=0
"$here/rig/qemu.sh" -c -g "$guest" -d "$out/pi3.dtb" -i "$out/initramfs.cpio.gz" \
	-o "$out/run" -t 120 -v | sed -n '/^init: running the test/,/^init: results sent/p' ||
	status=$?
if [ "$status" -ne 0 ]; then
	echo "demo: the emulated Pi failed (status $status); see $out/run/console.log" >&2
	exit 1
fi

echo
echo "== what GPIO18 did, from the kernel trace (gpio_value, hrtimer events)"
python3 "$here/trace/sesame_trace.py" "$out/run/results" --timeline \
	--stats "$out/stats.json" --plot "$out/sesame-demo.png"
python3 - "$out/stats.json" <<'PY'
import json, sys
line = json.load(open(sys.argv[1]))["lines"][0]
def fig(key):
    s = line[key]
    return "n/a" if not s.get("n") else \
        f"mean {s['mean']:.0f}, p50 {s['p50']:.0f}, p99 {s['p99']:.0f}, max {s['max']:.0f} us"
print(f"\n{line['pulses']} pulses, in the emulated Pi (guest time counts instructions; see tests/system/README.md):")
print(f"  width error      {fig('width_error_us')}")
print(f"  fall lateness    {fig('fall_late_us')}")
print(f"  timer lateness   {fig('callback_late_us')}")
PY
echo
echo "Plot of the pulse train: $out/sesame-demo.png"
echo "Statistics (JSON): $out/stats.json; the guest's results: $out/run/results/"
