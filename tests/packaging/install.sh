# install.sh - `make install` and `make uninstall` into a DESTDIR, as a
# packager runs them (sourced by run.sh): every file with its mode, nothing
# done to this machine, an edited bridge.conf kept, PREFIX obeyed.
# Sourced by run.sh, which sets top, here, VERSION, KVER and GUEST, and T
# before the first case.
# shellcheck shell=bash disable=SC2154

# Stand-ins that record any call: an install into DESTDIR must not call the
# tools that change the running system.
fixture:install-shims() {
	local tool
	shims=$T/shims
	mkdir -p "$shims"
	for tool in dkms systemd-sysusers udevadm systemctl; do
		printf '#!/bin/sh\necho "%s $*" >> "%s/called"\n' "$tool" "$T" > "$shims/$tool"
		chmod +x "$shims/$tool"
	done
}

# sesame_make LOG ARGS...: make in the project with the stand-ins first in PATH.
sesame_make() {
	local log=$1
	shift
	PATH="$shims:$PATH" make --no-print-directory "$@" > "$log" 2>&1
}

# The first install, into $T/destdir, which most cases look at.
fixture:destdir-install() {
	dest=$T/destdir
	sesame_make "$T/install.log" install DESTDIR="$dest" ||
		failed_with "$T/install.log" "make install DESTDIR=$dest"
}

# The install with PREFIX=/usr, and its uninstall.
fixture:destdir-usr-install() {
	dest_usr=$T/destdir-usr
	sesame_make "$T/install-usr.log" install DESTDIR="$dest_usr" PREFIX=/usr ||
		failed_with "$T/install-usr.log" "make install DESTDIR=$dest_usr PREFIX=/usr"
}
fixture:destdir-usr-uninstall() {
	sesame_make "$T/uninstall.log" uninstall DESTDIR="$dest_usr" PREFIX=/usr ||
		failed_with "$T/uninstall.log" "make uninstall DESTDIR=$dest_usr PREFIX=/usr"
}

case_def install-destdir-succeeds "make install DESTDIR=... (PREFIX=/usr/local) succeeds" \
	install-shims destdir-install
# The install is the fixture; it failing fails this case.
install-destdir-succeeds() { :; }

case_def install-destdir-files-and-modes "it installs exactly the expected files and directories, with their modes" \
	install-shims destdir-install
install-destdir-files-and-modes() {
	tree_listing "$dest" > "$T/destdir.txt"
	check same_listing "$T/destdir.txt" "$here/expect/destdir-usr-local.txt"
}

nothing_called() {
	[ ! -e "$T/called" ] || { say "called on this machine:"; cat "$T/called"; return 1; }
}
case_def install-runs-nothing-here "it runs nothing on this machine (no dkms, systemd-sysusers, udevadm, systemctl)" \
	install-shims destdir-install
install-runs-nothing-here() { check nothing_called; }

shows_next_steps() {
	local line
	for line in "systemd-sysusers /usr/local/lib/sysusers.d/sesame.conf /usr/local/lib/sysusers.d/sesame-bridge.conf" \
		    "udevadm control --reload" "dkms add -m sesame -v $VERSION" \
		    "dkms install -m sesame -v $VERSION -k " "dtoverlay=sesame,gpiopin=18"; do
		grep -qF -- "$line" "$T/install.log" || { say "missing: $line"; return 1; }
	done
}
case_def install-prints-next-steps "it prints what an install on the target runs, and the config.txt line" \
	install-shims destdir-install
install-prints-next-steps() { check shows_next_steps; }

same_sources() {
	local src=$dest/usr/src/sesame-$VERSION f
	for f in dkms.conf Kbuild VERSION driver/*.c driver/*.h; do
		cmp "$f" "$src/$f" || return 1
	done
}
case_def install-dkms-sources "the DKMS source tree holds the project's Kbuild, dkms.conf, VERSION and driver/" \
	install-shims destdir-install
install-dkms-sources() { check same_sources; }

unit_runs_installed_bridge() {
	local unit=$dest/usr/local/lib/systemd/system/sesame-bridge.service
	grep -qx 'ExecStart=/usr/local/sbin/sesame-bridge -c /etc/sesame/bridge.conf' "$unit" &&
		[ -x "$dest/usr/local/sbin/sesame-bridge" ] && ! grep -q '@[A-Z_]*@' "$unit"
}
case_def install-unit-runs-installed-bridge "the unit starts the installed sesame-bridge, every @VAR@ replaced" \
	install-shims destdir-install
install-unit-runs-installed-bridge() { check unit_runs_installed_bridge; }

keeps_config() {
	local conf=$dest/etc/sesame/bridge.conf
	echo "host door-broker.lan" >> "$conf"
	cp "$conf" "$T/bridge.conf.mine"
	sesame_make "$T/install2.log" install DESTDIR="$dest" || return 1
	cmp "$T/bridge.conf.mine" "$conf" && grep -q "kept .*bridge.conf" "$T/install2.log"
}
case_def install-keeps-edited-config "a second install keeps an edited /etc/sesame/bridge.conf" \
	install-shims destdir-install
install-keeps-edited-config() { check keeps_config; }

prefix_usr() {
	tree_listing "$dest_usr" > "$T/destdir-usr.txt"
	same_listing "$T/destdir-usr.txt" "$here/expect/destdir-usr.txt" &&
		grep -qx 'ExecStart=/usr/sbin/sesame-bridge -c /etc/sesame/bridge.conf' \
			"$dest_usr/usr/lib/systemd/system/sesame-bridge.service"
}
case_def install-prefix-usr "PREFIX=/usr moves programs, man pages, rule and unit under /usr" \
	install-shims destdir-usr-install
install-prefix-usr() { check prefix_usr; }

uninstalled() {
	local left
	left=$(cd "$dest_usr" && find . -type f -o -type l)
	[ "$left" = ./etc/sesame/bridge.conf ] || { say "left: $left"; return 1; }
	grep -qF "dkms remove -m sesame -v $VERSION --all" "$T/uninstall.log"
}
case_def install-uninstall-keeps-config-only "make uninstall DESTDIR=... removes every file but the configuration" \
	install-shims destdir-usr-install destdir-usr-uninstall
install-uninstall-keeps-config-only() { check uninstalled; }

case_def install-uninstall-runs-nothing-here "uninstall runs nothing on this machine either" \
	install-shims destdir-usr-install destdir-usr-uninstall
install-uninstall-runs-nothing-here() { check nothing_called; }
