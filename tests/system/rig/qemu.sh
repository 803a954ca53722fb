#!/bin/sh
# qemu.sh - boot the emulated Raspberry Pi 3 once and collect its results.
#
# Usage: qemu.sh -d DTB -i INITRAMFS -o OUTDIR [-g GUESTDIR] [-t SECONDS]
#                [-a KERNEL-ARGS] [-v]
#   -o  folder for the results: console.log, and what the guest's init sent
#       back (results/: rc, test.log, trace, dmesg and the test's own files)
#   -t  wall-clock limit for the whole boot (default 120); the guest's test
#       gets 20 s less, so that a hung test still sends its results
#   -a  more kernel command line (e.g. maxcpus=1)
#   -v  show the guest's console while it runs
# Exit status: the guest test's own, or 124 when qemu was stopped by the
# limit, or 125 when no results came back.
#
# qemu runs single-threaded TCG: with the default multi-threaded TCG a boot
# takes several times longer on a small host. The console is the mini-UART,
# qemu's second -serial; the first (the PL011) carries the results.
set -eu

dtb='' initramfs='' out='' guest=build/guest limit=120 verbose='' args=''
usage() { sed -n '4,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts d:i:o:g:t:a:v opt; do
	case $opt in
	d) dtb=$OPTARG ;;
	i) initramfs=$OPTARG ;;
	o) out=$OPTARG ;;
	g) guest=$OPTARG ;;
	t) limit=$OPTARG ;;
	a) args=$OPTARG ;;
	v) verbose=1 ;;
	*) usage ;;
	esac
done
if [ -z "$dtb" ] || [ -z "$initramfs" ] || [ -z "$out" ]; then usage; fi

kernel=$(find "$guest/image/boot" -name 'vmlinuz-*' 2>/dev/null | head -n 1)
[ -n "$kernel" ] || { echo "qemu.sh: no kernel in $guest; run make guest" >&2; exit 1; }

rm -rf "$out" && mkdir -p "$out"
set +e
if [ -n "$verbose" ]; then
	exec 3>&1
else
	exec 3>/dev/null
fi
{
	timeout -k 5 "$limit" qemu-system-aarch64 -M raspi3b -accel tcg,thread=single \
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
