# lint.sh - the packaging's shell scripts through shellcheck, and the man
# page through man's own warnings (sourced by run.sh).
# shellcheck shell=sh disable=SC2154

shellcheck_quiet() {
	shellcheck -x -s sh scripts/sesame-certs scripts/mosquitto-certbot-deploy \
		debian/*.postinst debian/*.prerm debian/*.postrm \
		tests/packaging/*.sh scripts/*.sh tests/system/rig/*.sh \
		tests/system/cases/smoke.sh tests/system/cases/taken.sh tests/door/rig/stage.sh &&
	# bash scripts, in their own dialect
	shellcheck -x tests/brokers/run.sh
}
check "shellcheck finds nothing in sesame-certs, the certbot hook, the maintainer scripts, the tests, the build scripts, the brokers tests and the emulated Pi's rig" \
	shellcheck_quiet

# man -l --warnings formats each page as groff would and reports problems
# on stderr (what lintian's manpage checks run too). Only the first line's
# '\" t tells man to run tbl: without it bookworm's groff stays quiet about a
# table while trixie's (lintian's groff-message) warns, so that is checked
# by itself.
man_pages="scripts/sesame-certs.1 bridge/man/sesame-bridge.8 bridge/man/sesame-bridge.conf.5 bridge/man/sesame-sign.1"
man_quiet() {
	for page in $man_pages; do
		out=$(MANWIDTH=80 man --warnings -l -Tutf8 -Z "$page" 2>&1 > /dev/null)
		[ -z "$out" ] || { say "$page: $out"; return 1; }
		if grep -q '^\.TS' "$page" && [ "$(head -n 1 "$page")" != "'\\\" t" ]; then
			say "$page has a table but its first line is not '\\\" t (tbl)"
			return 1
		fi
	done
}
check "the man pages format without a warning, tables through tbl" man_quiet
