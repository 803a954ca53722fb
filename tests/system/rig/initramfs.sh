#!/bin/sh
# initramfs.sh - the emulated Pi's root file system: a static busybox, the
# rig's init, kernel modules, a test script and whatever else a test needs.
#
# Usage: initramfs.sh -o OUT.cpio.gz -t TEST.sh [-g GUESTDIR]
#                     [-k FILE.ko]... [-m MODULE]... [-f SRC[:DEST]]...
#   -t  the script the guest runs (busybox sh); see rig/init for what it gets
#   -k  a module built here (e.g. sesame.ko), put in /lib/modules/
#   -m  a module of the guest kernel by name (e.g. gpio-sim), put in
#       /lib/modules/ with the modules it depends on, loaded by init
#   -f  a file or directory to copy into the guest, at DEST (default: /opt/
#       plus its name)
# bcm2835_wdt is always included: without it `poweroff -f` halts and qemu
# never exits. init loads the -m modules; -k modules are left to the test.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out='' test='' guest=build/guest kos='' mods=bcm2835_wdt files=''
usage() { sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts o:t:g:k:m:f: opt; do
	case $opt in
	o) out=$OPTARG ;;
	t) test=$OPTARG ;;
	g) guest=$OPTARG ;;
	k) kos="$kos $OPTARG" ;;
	m) mods="$mods $OPTARG" ;;
	f) files="$files $OPTARG" ;;
	*) usage ;;
	esac
done
if [ -z "$out" ] || [ -z "$test" ]; then usage; fi

[ -f "$guest/kver" ] || { echo "initramfs.sh: no guest in $guest; run make guest" >&2; exit 1; }
moddir=$guest/modules
# /bin until bookworm, /usr/bin since trixie
busybox=$guest/busybox/usr/bin/busybox
[ -x "$busybox" ] || busybox=$guest/busybox/bin/busybox
[ -x "$busybox" ] || { echo "initramfs.sh: no busybox in $guest" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# mktemp makes it 0700: the guest's / must let other users than root in.
chmod 0755 "$root"
mkdir -p "$root"/bin "$root"/dev "$root"/proc "$root"/sys "$root"/tmp \
	"$root"/lib/modules "$root"/opt "$root"/results
cp "$busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
cp "$here/rig.sh" "$root/lib/rig.sh"
cp "$test" "$root/test.sh"
chmod 755 "$root/init" "$root/test.sh"

for ko in $kos; do
	cp "$ko" "$root/lib/modules/"
done

# A kernel module by name, after the modules it depends on (modinfo reads
# arm .ko files on any host, compressed or not), as "name path" lines. A
# subshell per call keeps each level's variables its own.
resolve() (
	name=$(echo "$1" | tr - _)
	dashed=$(echo "$1" | tr _ -)
	path=$(find "$moddir/kernel" -name "$name.ko*" -o -name "$dashed.ko*" | head -n 1)
	[ -n "$path" ] || { echo "initramfs.sh: no module $1 in $moddir" >&2; exit 1; }
	for dep in $(/sbin/modinfo -F depends "$path" | tr , ' '); do
		resolve "$dep" || exit 1
	done
	echo "$name $path"
)
# load-order lists them for init, dependencies first, each once.
order=
for mod in $mods; do
	order="$order$(resolve "$mod")
"
done
# Newer kernels ship them xz- or zstd-compressed; busybox's insmod wants
# them plain.
echo "$order" | awk 'NF && !seen[$1]++' | while read -r name path; do
	case $path in
	*.xz)	xz -dc "$path" > "$root/lib/modules/$name.ko" ;;
	*.zst)	zstd -qdc "$path" > "$root/lib/modules/$name.ko" ;;
	*)	cp "$path" "$root/lib/modules/$name.ko" ;;
	esac
	echo "$name"
done > "$root/lib/modules/load-order"

for spec in $files; do
	src=${spec%%:*}
	dest=${spec#*:}
	[ "$dest" != "$spec" ] || dest=/opt/$(basename "$src")
	mkdir -p "$root$(dirname "$dest")"
	cp -a "$src" "$root$dest"
done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -6 > "$out.tmp"
mv "$out.tmp" "$out"
