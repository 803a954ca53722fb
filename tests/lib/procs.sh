# shellcheck shell=bash
# procs.sh - ending what a test started, and its temporary folder
# (sourced by bash).
#
#   stop_all PID...          SIGTERM to each, then wait for each: all end
#                            together, not one timeout after another; a pid
#                            already gone, or empty, is no error
#   remove_unless_kept DIR   rm -rf DIR, unless KEEP is set

stop_all() {
	local p
	for p; do
		[ -n "$p" ] && kill -TERM "$p" 2>/dev/null
	done
	for p; do
		[ -n "$p" ] && wait "$p" 2>/dev/null
	done
	return 0
}

# remove_unless_kept DIR: a run's temporary folder goes at its end, unless
# KEEP is set (to read its logs), in which case its name is said.
remove_unless_kept() {
	if [ -n "${KEEP:-}" ]; then
		echo "$0: kept $1" >&2
	else
		rm -rf "$1"
	fi
}
