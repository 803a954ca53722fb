# lint.sh - the packaging's shell scripts through shellcheck, and the man
# page through man's own warnings (sourced by run.sh).
# shellcheck shell=bash

shellcheck_quiet() {
	shellcheck -x -s sh scripts/sesame-certs scripts/mosquitto-certbot-deploy \
		debian/*.postinst debian/*.prerm debian/*.postrm \
		scripts/*.sh tests/system/rig/*.sh \
		tests/system/cases/smoke.sh tests/system/cases/taken.sh tests/door/rig/stage.sh &&
	# Scripts in their own dialect, as their shebang or shell= directive
	# says: the packaging tests (bash, but for udev-ns.sh, which sh runs)
	# and the brokers tests (bash).
	shellcheck -x tests/packaging/*.sh tests/brokers/run.sh
}
case_def lint-shellcheck-quiet "shellcheck finds nothing in sesame-certs, the certbot hook, the maintainer scripts, the tests, the build scripts, the brokers tests and the emulated Pi's rig"
lint-shellcheck-quiet() { check shellcheck_quiet; }

# man -l --warnings formats each page as groff would and reports problems
# on stderr (what lintian's manpage checks run too). Only the first line's
# '\" t tells man to run tbl: without it bookworm's groff stays quiet about a
# table while trixie's (lintian's groff-message) warns, so that is checked
# by itself.
man_pages="scripts/sesame-certs.1 bridge/man/sesame-bridge.8 bridge/man/sesame-bridge.conf.5 bridge/man/sesame-sign.1"
man_quiet() {
	local page out
	for page in $man_pages; do
		out=$(MANWIDTH=80 man --warnings -l -Tutf8 -Z "$page" 2>&1 > /dev/null)
		[ -z "$out" ] || { say "$page: $out"; return 1; }
		if grep -q '^\.TS' "$page" && [ "$(head -n 1 "$page")" != "'\\\" t" ]; then
			say "$page has a table but its first line is not '\\\" t (tbl)"
			return 1
		fi
	done
}
case_def lint-man-pages-quiet "the man pages format without a warning, tables through tbl"
lint-man-pages-quiet() { check man_quiet; }
