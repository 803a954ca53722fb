# udev.sh - the udev rule, run by Debian 12's own udev (sourced by run.sh).
#
# systemd 252 has no `udevadm verify`. `udevadm test` parses every rule and
# applies them to one device; udev-ns.sh gives it made-up misc devices in a
# private mount namespace, and the checks read the nodes' mode and group
# afterwards, as a user would with ls -l. What this cannot show: the kernel
# creating the node (devtmpfs), and udevd's event timing.
# Sourced by run.sh, which sets top, here, VERSION, KVER and GUEST, and T
# before the first case.
# shellcheck shell=bash disable=SC2154

rule=$top/udev/60-sesame.rules

# A group id that this machine does not use, for the namespace's sesame.
fixture:udev-group-id() {
	gid=4200
	while getent group "$gid" > /dev/null; do
		gid=$((gid + 1))
	done
}

udev_run() {
	mkdir -p "$T/udev-$1"
	unshare -m --propagation private sh "$here/udev-ns.sh" "$2" "$T/udev-$1" "$gid" \
		sesame sesame-front sesamex mysesame > "$T/udev-$1.txt" 2> "$T/udev-$1.err"
}

# The rule as shipped, applied to the made-up devices; the cases read the
# results.
fixture:udev-good-run() {
	udev_run good "$rule" || failed_with "$T/udev-good.err" "udevadm test runs in a namespace"
}

node_is() {
	local line
	line=$(grep "^$1 " "$T/udev-good.txt") || { say "no result for $1"; return 1; }
	[ "$line" = "$1 $2" ] || { say "got: $line, want: $1 $2"; cat "$T/udev-good/$1.log"; return 1; }
}
case_def udev-sesame-node "udev gives /dev/sesame to group sesame, mode 0660" udev-group-id udev-good-run
udev-sesame-node() { check node_is sesame "660 0 $gid"; }

case_def udev-labelled-node "udev gives /dev/sesame-front (a labelled servo) to group sesame, mode 0660" \
	udev-group-id udev-good-run
udev-labelled-node() { check node_is sesame-front "660 0 $gid"; }

others_untouched() {
	grep -qx 'sesamex 600 0 0' "$T/udev-good.txt" && grep -qx 'mysesame 600 0 0' "$T/udev-good.txt"
}
case_def udev-other-devices-untouched "udev leaves other misc devices alone (/dev/sesamex, /dev/mysesame stay 0600 root)" \
	udev-group-id udev-good-run
udev-other-devices-untouched() { check others_untouched; }

# udev's complaints about a rules file name it with a line number.
complaints() { grep -h '60-sesame.rules:[0-9]' "$T/udev-$1"/*.log | grep -v -e ' GROUP ' -e ' MODE ' || true; }
no_complaint() {
	local found
	found=$(complaints good)
	[ -z "$found" ] || { say "$found"; return 1; }
	grep -q 'Reading rules file: /run/udev/rules.d/60-sesame.rules' "$T/udev-good/sesame.log"
}
case_def udev-rule-no-complaint "udev reads the rule without a complaint" udev-group-id udev-good-run
udev-rule-no-complaint() { check no_complaint; }

# So that the check above cannot pass by seeing nothing: a misspelt copy
# must draw a complaint, and leave the node root-only.
catches_typo() {
	sed 's/GROUP=/GRUOP=/' "$rule" > "$T/typo.rules"
	udev_run typo "$T/typo.rules" || return 1
	[ -n "$(complaints typo)" ] && grep -qx 'sesame 600 0 0' "$T/udev-typo.txt"
}
case_def udev-typo-complaint "udev complains about a misspelt copy of the rule, which changes nothing" \
	udev-group-id
udev-typo-complaint() { check catches_typo; }
