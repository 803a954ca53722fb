# install.sh - `make install` and `make uninstall` into a DESTDIR, as a
# packager runs them (sourced by run.sh): every file with its mode, nothing
# done to this machine, an edited bridge.conf kept, PREFIX obeyed.
# Sourced by run.sh, which sets top, here, T, VERSION, KVER and GUEST.
# shellcheck shell=sh disable=SC2154

# Stand-ins that record any call: an install into DESTDIR must not call the
# tools that change the running system.
shims=$T/shims
mkdir -p "$shims"
for tool in dkms systemd-sysusers udevadm systemctl; do
	printf '#!/bin/sh\necho "%s $*" >> "%s/called"\n' "$tool" "$T" > "$shims/$tool"
	chmod +x "$shims/$tool"
done

# sesame_make LOG ARGS...: make in the project with the stand-ins first in PATH.
sesame_make() {
	log=$1
	shift
	PATH="$shims:$PATH" make --no-print-directory "$@" > "$log" 2>&1
}

dest=$T/destdir
if sesame_make "$T/install.log" install DESTDIR="$dest"; then
	ok "make install DESTDIR=... (PREFIX=/usr/local) succeeds"
else
	sed 's/^/    # /' "$T/install.log"
	fail "make install DESTDIR=... (PREFIX=/usr/local) succeeds"
fi

tree_listing "$dest" > "$T/destdir.txt"
check "it installs exactly the expected files and directories, with their modes" \
	same_listing "$T/destdir.txt" "$here/expect/destdir-usr-local.txt"

nothing_called() {
	[ ! -e "$T/called" ] || { say "called on this machine:"; cat "$T/called"; return 1; }
}
check "it runs nothing on this machine (no dkms, systemd-sysusers, udevadm, systemctl)" \
	nothing_called

shows_next_steps() {
	for line in "systemd-sysusers /usr/local/lib/sysusers.d/sesame.conf /usr/local/lib/sysusers.d/sesame-bridge.conf" \
		    "udevadm control --reload" "dkms add -m sesame -v $VERSION" \
		    "dkms install -m sesame -v $VERSION -k " "dtoverlay=sesame,gpiopin=18"; do
		grep -qF -- "$line" "$T/install.log" || { say "missing: $line"; return 1; }
	done
}
check "it prints what an install on the target runs, and the config.txt line" \
	shows_next_steps

same_sources() {
	src=$dest/usr/src/sesame-$VERSION
	for f in dkms.conf Kbuild VERSION driver/*.c driver/*.h; do
		cmp "$f" "$src/$f" || return 1
	done
}
check "the DKMS source tree holds the project's Kbuild, dkms.conf, VERSION and driver/" \
	same_sources

unit_runs_installed_bridge() {
	unit=$dest/usr/local/lib/systemd/system/sesame-bridge.service
	grep -qx 'ExecStart=/usr/local/sbin/sesame-bridge -c /etc/sesame/bridge.conf' "$unit" &&
		[ -x "$dest/usr/local/sbin/sesame-bridge" ] && ! grep -q '@[A-Z_]*@' "$unit"
}
check "the unit starts the installed sesame-bridge, every @VAR@ replaced" \
	unit_runs_installed_bridge

keeps_config() {
	conf=$dest/etc/sesame/bridge.conf
	echo "host door-broker.lan" >> "$conf"
	cp "$conf" "$T/bridge.conf.mine"
	sesame_make "$T/install2.log" install DESTDIR="$dest" || return 1
	cmp "$T/bridge.conf.mine" "$conf" && grep -q "kept .*bridge.conf" "$T/install2.log"
}
check "a second install keeps an edited /etc/sesame/bridge.conf" keeps_config

dest_usr=$T/destdir-usr
prefix_usr() {
	sesame_make "$T/install-usr.log" install DESTDIR="$dest_usr" PREFIX=/usr || return 1
	tree_listing "$dest_usr" > "$T/destdir-usr.txt"
	same_listing "$T/destdir-usr.txt" "$here/expect/destdir-usr.txt" &&
		grep -qx 'ExecStart=/usr/sbin/sesame-bridge -c /etc/sesame/bridge.conf' \
			"$dest_usr/usr/lib/systemd/system/sesame-bridge.service"
}
check "PREFIX=/usr moves programs, man pages, rule and unit under /usr" prefix_usr

uninstalled() {
	sesame_make "$T/uninstall.log" uninstall DESTDIR="$dest_usr" PREFIX=/usr || return 1
	left=$(cd "$dest_usr" && find . -type f -o -type l)
	[ "$left" = ./etc/sesame/bridge.conf ] || { say "left: $left"; return 1; }
	grep -qF "dkms remove -m sesame -v $VERSION --all" "$T/uninstall.log"
}
check "make uninstall DESTDIR=... removes every file but the configuration" uninstalled
check "uninstall runs nothing on this machine either" nothing_called
