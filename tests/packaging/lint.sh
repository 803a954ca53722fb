# lint.sh - the packaging's shell scripts through shellcheck, and the man
# page through man's own warnings (sourced by run.sh).
# shellcheck shell=sh disable=SC2154

shellcheck_quiet() {
	shellcheck -x -s sh scripts/sesame-certs scripts/mosquitto-certbot-deploy \
		debian/*.postinst debian/*.prerm debian/*.postrm \
		tests/packaging/*.sh scripts/*.sh tests/system/rig/*.sh \
		tests/system/cases/smoke.sh tests/system/cases/taken.sh tests/door/rig/stage.sh
}
check "shellcheck finds nothing in sesame-certs, the certbot hook, the maintainer scripts, the tests, the build scripts and the emulated Pi's rig" \
	shellcheck_quiet

# man -l --warnings formats the page as groff would and reports problems
# on stderr (what lintian's manpage checks run too).
man_quiet() {
	out=$(MANWIDTH=80 man --warnings -l scripts/sesame-certs.1 2>&1 > /dev/null)
	[ -z "$out" ] || { say "$out"; return 1; }
}
check "sesame-certs(1) formats without a warning" man_quiet
