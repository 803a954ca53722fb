# live.sh - `make install` and `make uninstall` for real on this machine, as
# `sudo make install` runs on a Pi (sourced by run.sh). KVER=$KVER makes
# DKMS build for the installed Debian headers rather than the running
# kernel, which CI does not choose. Skipped if sesame is installed here;
# on exit, what the test made (user, group, /etc/sesame, /boot/firmware)
# goes.
# shellcheck shell=bash disable=SC2154

live_files="/usr/local/sbin/sesame-bridge /usr/local/bin/sesame-sign /usr/local/bin/sesame-certs
/usr/local/lib/systemd/system/sesame-bridge.service /usr/local/lib/udev/rules.d/60-sesame.rules
/usr/local/lib/sysusers.d/sesame.conf /usr/local/lib/sysusers.d/sesame-bridge.conf
/usr/local/share/man/man8/sesame-bridge.8 /usr/local/share/sesame/bridge.conf.example
/usr/src/sesame-$VERSION/dkms.conf /boot/firmware/overlays/sesame.dtbo /etc/sesame/bridge.conf"

# Another sesame install here is someone's: skip the cases that would
# touch it. Otherwise arm the cleanups of what the install makes before
# it runs.
fixture:live-host() {
	local existing='' f d
	for f in /etc/sesame "/usr/src/sesame-$VERSION" /var/lib/dkms/sesame /usr/local/sbin/sesame-bridge; do
		[ ! -e "$f" ] || existing="$existing $f"
	done
	if [ -n "$existing" ]; then
		skip "sesame is already installed here ($existing); not touching it"
		return
	fi

	if [ ! -e /boot/firmware ]; then
		mkdir -p /boot/firmware/overlays
		at_exit "rm -rf /boot/firmware"
	fi
	if ! getent group sesame > /dev/null; then
		at_exit "! getent group sesame > /dev/null || groupdel sesame"
	fi
	if ! getent passwd sesame > /dev/null; then
		at_exit "! getent passwd sesame > /dev/null || userdel sesame"
	fi
	# Directories make install creates and uninstall leaves (as autotools
	# does): removed at exit if this test made them, parents after children.
	for d in /usr/local/lib/udev /usr/local/lib/udev/rules.d /usr/local/lib/systemd \
		 /usr/local/lib/systemd/system /usr/local/lib/sysusers.d /usr/local/share/man/man1 \
		 /usr/local/share/man/man5 /usr/local/share/man/man8 /usr/local/share/sesame; do
		[ -e "$d" ] || at_exit "rmdir '$d' 2>/dev/null || true"
	done
	at_exit "rm -rf /etc/sesame"
	at_exit "make --no-print-directory uninstall > /dev/null 2>&1 || true"
}

fixture:live-installed() {
	make --no-print-directory install KVER="$KVER" > "$T/live-install.log" 2>&1 ||
		failed_with "$T/live-install.log" "make install KVER=$KVER"
}

live_installed() {
	local f
	for f in $live_files; do
		[ -e "$f" ] || { say "missing: $f"; return 1; }
	done
	dkms status -m sesame -v "$VERSION" -k "$KVER" | grep -q ': installed' || { dkms status; return 1; }
	module_ok "/lib/modules/$KVER/updates/dkms/sesame.ko" "$KVER" "$(host_machine)" || return 1
	[ "$(id -gn sesame)" = sesame ] || { say "no user sesame in group sesame"; return 1; }
	grep -q 'dtoverlay=sesame,gpiopin=18' "$T/live-install.log"
}
case_def live-install "sudo make install: files, DKMS module for $KVER, user and group sesame, overlay, config.txt line" \
	live-host live-installed
live-install() { check live_installed; }

live_uninstalled() {
	local f
	make --no-print-directory uninstall > "$T/live-uninstall.log" 2>&1 ||
		{ cat "$T/live-uninstall.log"; return 1; }
	for f in $live_files; do
		case $f in /etc/sesame/*) continue ;; esac
		[ ! -e "$f" ] || { say "still there: $f"; return 1; }
	done
	[ -z "$(dkms status -m sesame)" ] || { dkms status -m sesame; return 1; }
	[ ! -e "/lib/modules/$KVER/updates/dkms/sesame.ko" ] && [ -e /etc/sesame/bridge.conf ]
}
case_def live-uninstall "sudo make uninstall removes it all but /etc/sesame and the user" \
	live-host live-installed
live-uninstall() { check live_uninstalled; }
