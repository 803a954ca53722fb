# udev.sh - the udev rule, run by Debian 12's own udev (sourced by run.sh).
#
# systemd 252 has no `udevadm verify`. `udevadm test` parses every rule and
# applies them to one device; udev-ns.sh gives it made-up misc devices in a
# private mount namespace, and the checks read the nodes' mode and group
# afterwards, as a user would with ls -l. What this cannot show: the kernel
# creating the node (devtmpfs), and udevd's event timing.
# Sourced by run.sh, which sets top, here, T, VERSION, KVER and GUEST.
# shellcheck shell=sh disable=SC2154

rule=$top/udev/60-sesame.rules

# A group id that this machine does not use, for the namespace's sesame.
gid=4200
while getent group "$gid" > /dev/null; do
	gid=$((gid + 1))
done

udev_run() {
	mkdir -p "$T/udev-$1"
	unshare -m --propagation private sh "$here/udev-ns.sh" "$2" "$T/udev-$1" "$gid" \
		sesame sesame-front sesamex mysesame > "$T/udev-$1.txt" 2> "$T/udev-$1.err"
}
udev_run good "$rule" || { cat "$T/udev-good.err"; fail "udevadm test runs in a namespace"; }

node_is() {
	line=$(grep "^$1 " "$T/udev-good.txt") || { say "no result for $1"; return 1; }
	[ "$line" = "$1 $2" ] || { say "got: $line, want: $1 $2"; cat "$T/udev-good/$1.log"; return 1; }
}
check "udev gives /dev/sesame to group sesame, mode 0660" node_is sesame "660 0 $gid"
check "udev gives /dev/sesame-front (a labelled servo) to group sesame, mode 0660" \
	node_is sesame-front "660 0 $gid"
check "udev leaves other misc devices alone (/dev/sesamex, /dev/mysesame stay 0600 root)" \
	sh -c "grep -qx 'sesamex 600 0 0' '$T/udev-good.txt' && grep -qx 'mysesame 600 0 0' '$T/udev-good.txt'"

# udev's complaints about a rules file name it with a line number.
complaints() { grep -h '60-sesame.rules:[0-9]' "$T/udev-$1"/*.log | grep -v -e ' GROUP ' -e ' MODE ' || true; }
no_complaint() {
	found=$(complaints good)
	[ -z "$found" ] || { say "$found"; return 1; }
	grep -q 'Reading rules file: /run/udev/rules.d/60-sesame.rules' "$T/udev-good/sesame.log"
}
check "udev reads the rule without a complaint" no_complaint

# So that the check above cannot pass by seeing nothing: a misspelt copy
# must draw a complaint, and leave the node root-only.
catches_typo() {
	sed 's/GROUP=/GRUOP=/' "$rule" > "$T/typo.rules"
	udev_run typo "$T/typo.rules" || return 1
	[ -n "$(complaints typo)" ] && grep -qx 'sesame 600 0 0' "$T/udev-typo.txt"
}
check "udev complains about a misspelt copy of the rule, which changes nothing" catches_typo
