# lib.sh - shared helpers of the packaging tests (sourced by run.sh, after
# tests/lib/cases.sh, which runs the cases and reports them).
#
# check runs one assertion of a case; at_exit registers a command that
# undoes what a test changed on this machine, run in reverse order by
# run.sh's EXIT trap whatever was selected.
# shellcheck shell=bash

cleanups=

# check COMMAND...: the case fails unless COMMAND succeeds. COMMAND's output
# goes to $T/last.log, shown (as diagnostics) only when it fails.
check() {
	"$@" > "$T/last.log" 2>&1 || failed_with "$T/last.log" "$*"
}

# failed_with LOG MESSAGE: the case fails with MESSAGE, LOG shown as
# diagnostics; false.
failed_with() {
	sed 's/^/#     /' "$1"
	fail "$2"
	return 1
}

# Explains why a check failed (for use inside check's commands).
say() { echo "$*"; }

at_exit() { cleanups="$1
$cleanups"; }

# In this shell, not a pipeline's subshell: cleanups may wait for children.
run_cleanups() {
	local c
	while IFS= read -r c; do
		[ -z "$c" ] || eval "$c" || echo "# cleanup failed: $c" >&2
	done <<-EOF
	$cleanups
	EOF
}

# "mode owner:group path" for every file and directory under $1, relative
# to it, sorted: what the install and package checks compare.
tree_listing() {
	(cd "$1" && find . -mindepth 1 -printf '%m %u:%g %P\n' | sort -k3)
}

# The driver's sources as the DKMS tree holds them, in listing form.
driver_sources() {
	local f
	for f in driver/*.c driver/*.h; do
		echo "644 root:root usr/src/sesame-$VERSION/$f"
	done
}

# Compares the listing $1 with the expected listing $2 (comments dropped,
# @VERSION@ and @DRIVER_SOURCES@ expanded), printing the difference.
same_listing() {
	grep -v '^#' "$2" | while IFS= read -r line; do
		if [ "$line" = @DRIVER_SOURCES@ ]; then
			driver_sources
		else
			echo "$line"
		fi
	done | sed "s/@VERSION@/$VERSION/g" | sort -k3 > "$T/expected.txt"
	if diff -u "$T/expected.txt" "$1"; then
		return 0
	fi
	say "(- expected, + found)"
	return 1
}

# module_ok KO KVER MACHINE: a module for that kernel and CPU, of our version.
module_ok() {
	local magic machine
	[ -f "$1" ] || { say "no $1"; return 1; }
	magic=$(modinfo -F vermagic "$1")
	case $magic in "$2 "*) ;; *) say "vermagic: $magic"; return 1 ;; esac
	[ "$(modinfo -F version "$1")" = "$VERSION" ] || { say "version: $(modinfo -F version "$1")"; return 1; }
	case $1 in
	*.xz)	xz -dc "$1" > "$T/module.ko" ;;
	*.zst)	zstd -qdc "$1" > "$T/module.ko" ;;
	*)	cp "$1" "$T/module.ko" ;;
	esac
	machine=$(readelf -h "$T/module.ko" | sed -n 's/^ *Machine: *//p')
	[ "$machine" = "$3" ] || { say "machine: $machine, want $3"; return 1; }
}

# The CPU of this machine, as readelf names it.
host_machine() { readelf -h /bin/sh | sed -n 's/^ *Machine: *//p'; }

