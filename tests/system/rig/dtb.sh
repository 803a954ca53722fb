#!/bin/sh
# dtb.sh - the emulated Pi's device tree: Debian's bcm2837-rpi-3-b.dtb (Pi 3,
# arm64 kernels) or bcm2836-rpi-2-b.dtb (Pi 2, armhf kernels) with overlays
# merged in, as the Pi firmware does for `dtoverlay=` lines.
#
# Usage: dtb.sh -o OUT.dtb [-g GUESTDIR] [OVERLAY.dts|.dtso|.dtbo]...
#               [-p 'TYPE NODE PROPERTY VALUE...']... [-r NODE]...
#   -o  the merged device tree to write
#   -g  the guest folder of scripts/fetch-guest.sh (default build/guest)
#   -p  after merging, set a property with `fdtput -t TYPE` (as an overlay
#       parameter in config.txt would; fdtoverlay ignores __overrides__);
#       a value &LABEL stands for the phandle of that label's node
#   -r  after merging, delete a node
# Overlays given as source are compiled with `dtc -@`; they are applied in
# the order given.
#
# Debian's dtbs before 6.12 carry no __symbols__, so the labels overlays
# refer to are added from the table below where missing; an overlay naming
# any other label is refused. The PL011's bluetooth child (Pi 3) is
# removed: without it the UART is a plain /dev/ttyAMA0, which the rig uses
# to send results back to the host. The Pi 2's tree disables the mini-UART,
# the rig's console: it is enabled.
set -eu

out='' guest=build/guest props='' removes=''
usage() { sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts o:g:p:r: opt; do
	case $opt in
	o) out=$OPTARG ;;
	g) guest=$OPTARG ;;
	p) props="$props$OPTARG
" ;;
	r) removes="$removes $OPTARG" ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$out" ] || usage

# label -> node path in bcm2837-rpi-3-b.dtb and bcm2836-rpi-2-b.dtb (the
# Raspberry Pi names; the Pi 2 has no expgpio)
symbols='gpio /soc/gpio@7e200000
expgpio /soc/firmware/gpio
firmware /soc/firmware
uart0 /soc/serial@7e201000
uart1 /soc/serial@7e215040'

case $(cat "$guest/arch" 2>/dev/null) in
armhf)	board=bcm2836-rpi-2-b.dtb ;;
*)	board=bcm2837-rpi-3-b.dtb ;;
esac
base=$(find "$guest/image/" -name "$board" 2>/dev/null | head -n 1)
[ -n "$base" ] || { echo "dtb.sh: no $board under $guest; run make guest" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cp "$base" "$tmp/base.dtb"
fdtget -p "$tmp/base.dtb" /__symbols__ > /dev/null 2>&1 || fdtput -c "$tmp/base.dtb" /__symbols__
echo "$symbols" | while read -r label path; do
	fdtget "$tmp/base.dtb" "$path" compatible > /dev/null 2>&1 || continue
	fdtget "$tmp/base.dtb" /__symbols__ "$label" > /dev/null 2>&1 ||
		fdtput -t s "$tmp/base.dtb" /__symbols__ "$label" "$path"
done
if fdtget "$tmp/base.dtb" /soc/serial@7e201000/bluetooth compatible > /dev/null 2>&1; then
	fdtput -r "$tmp/base.dtb" /soc/serial@7e201000/bluetooth
fi
fdtput -t s "$tmp/base.dtb" /soc/serial@7e215040 status okay

i=0
dtbos=
for ov in "$@"; do
	i=$((i + 1))
	case $ov in
	*.dtbo) dtbo=$ov ;;
	*) dtbo=$tmp/overlay$i.dtbo
	   dtc -q -@ -I dts -O dtb -o "$dtbo" "$ov" ;;
	esac
	# Every label the overlay refers to must be one we know the path of.
	for label in $(fdtget -p "$dtbo" /__fixups__ 2>/dev/null); do
		if ! fdtget "$tmp/base.dtb" /__symbols__ "$label" > /dev/null 2>&1 ||
		   ! echo "$symbols" | grep -q "^$label "; then
			echo "dtb.sh: $ov refers to &$label, which dtb.sh does not know" >&2
			exit 1
		fi
	done
	dtbos="$dtbos $dtbo"
done

if [ -n "$dtbos" ]; then
	# shellcheck disable=SC2086 # one word per overlay
	fdtoverlay -i "$tmp/base.dtb" -o "$tmp/merged.dtb" $dtbos
else
	cp "$tmp/base.dtb" "$tmp/merged.dtb"
fi

echo "$props" | while read -r type node prop values; do
	[ -n "$type" ] || continue
	cells=
	for v in $values; do
		case $v in
		\&*) path=$(echo "$symbols" | sed -n "s|^${v#&} ||p")
		    [ -n "$path" ] || { echo "dtb.sh: unknown label $v" >&2; exit 1; }
		    v=$(fdtget "$tmp/merged.dtb" "$path" phandle) ;;
		esac
		cells="$cells $v"
	done
	values=$cells
	# shellcheck disable=SC2086 # a list of cells or strings
	fdtput -t "$type" "$tmp/merged.dtb" "$node" "$prop" $values
done
for node in $removes; do
	fdtput -r "$tmp/merged.dtb" "$node"
done

mkdir -p "$(dirname "$out")"
mv "$tmp/merged.dtb" "$out"
