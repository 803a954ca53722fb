# unit.sh - sesame-bridge.service as `make install` writes it (sourced by
# run.sh): systemd-analyze verify finds nothing, the unit has the settings
# the design asks for, and its sandbox rates as exposed little.
#
# systemd-analyze verify checks that ExecStart's program and the man pages
# in Documentation= exist. The unit says /usr/local/sbin/sesame-bridge, so
# it runs in a private mount namespace where a DESTDIR install is mounted
# on /usr/local: this machine's /usr/local is never touched.
# Sourced by run.sh, which sets top, here, VERSION, KVER and GUEST, and T
# before the first case.
# shellcheck shell=bash disable=SC2154

unit=/usr/local/lib/systemd/system/sesame-bridge.service

# The install every case looks at, in its own DESTDIR.
fixture:unit-destdir() {
	udest=$T/unit-destdir
	make --no-print-directory install DESTDIR="$udest" > "$T/unit-install.log" 2>&1 ||
		failed_with "$T/unit-install.log" "make install DESTDIR=... for the unit checks"
}

# in_install_ns COMMAND...: COMMAND with $udest/usr/local on /usr/local.
in_install_ns() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m --propagation private sh -c \
		'mount -n --bind "$0/usr/local" /usr/local && exec "$@"' "$udest" "$@"
}

verify_quiet() {
	local out
	out=$(in_install_ns systemd-analyze verify "$unit" 2>&1) || { say "$out"; return 1; }
	[ -z "$out" ] || { say "$out"; return 1; }
}
case_def unit-verify-quiet "systemd-analyze verify finds nothing in the unit" unit-destdir
unit-verify-quiet() { check verify_quiet; }

# So that the check above cannot pass by looking at nothing: the same unit
# with a program that does not exist must be reported.
verify_catches() {
	local bad out
	bad=$T/sesame-bridge-broken.service
	sed 's|^ExecStart=/usr/local/sbin/|ExecStart=/usr/local/sbin/missing-|' \
		"$udest$unit" > "$bad"
	out=$(in_install_ns systemd-analyze verify "$bad" 2>&1) && return 1
	echo "$out" | grep -q 'missing-sesame-bridge.*No such file'
}
case_def unit-verify-catches-missing-program "systemd-analyze verify reports a unit whose program is missing" \
	unit-destdir
unit-verify-catches-missing-program() { check verify_catches; }

has_settings() {
	local line
	for line in Type=notify WatchdogSec=30s User=sesame Group=sesame \
		    Restart=on-failure After=network-online.target \
		    Wants=network-online.target NoNewPrivileges=yes \
		    ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
		    CapabilityBoundingSet= DevicePolicy=closed \
		    'DeviceAllow=/dev/sesame rw' \
		    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
		    SystemCallFilter=@system-service \
		    'SystemCallFilter=~@privileged @resources' \
		    'SystemCallFilter=adjtimex clock_adjtime clock_adjtime64' \
		    SystemCallArchitectures=native StateDirectory=sesame \
		    StateDirectoryMode=0700 LimitCORE=0 PrivateMounts=yes; do
		grep -qxF -- "$line" "$udest$unit" || { say "missing: $line"; return 1; }
	done
}
case_def unit-settings "the unit: Type=notify with a watchdog, User=sesame, Restart=on-failure, network-online, the hardening list, a state directory, no core files" \
	unit-destdir
unit-settings() { check has_settings; }

# systemd's own rating of the sandbox: 0 (locked down) to 10 (exposed);
# --threshold is in tenths. At most 2.0 is systemd's "OK" band.
exposure_low() {
	local out
	out=$(in_install_ns systemd-analyze security --offline=true --threshold=20 \
		--no-pager "$unit" 2>&1) || { say "$out" | tail -n 15; return 1; }
	say "$out" | tail -n 1
}
case_def unit-exposure-low "systemd-analyze security rates the unit's exposure at 2.0 or less" unit-destdir
unit-exposure-low() { check exposure_low; }
