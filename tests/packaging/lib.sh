# lib.sh - shared helpers of the packaging tests (sourced by run.sh).
#
# Cases are numbered across all parts: "ok 7 - title" or "not ok 7 - title".
# at_exit registers cleanup commands, run in reverse order by run.sh's trap.
# shellcheck shell=sh

n=0
failed=0
skipped=0
cleanups=

ok()   { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; failed=$((failed + 1)); }
# A case that cannot run here. Under CI nothing may be skipped.
skip() {
	n=$((n + 1))
	if [ "${CI:-}" = true ]; then
		echo "not ok $n - $1 # SKIP not allowed in CI: $2"
		failed=$((failed + 1))
	else
		echo "ok $n - $1 # SKIP $2"
		skipped=$((skipped + 1))
	fi
}

# check TITLE COMMAND...: one case, passed when COMMAND succeeds. COMMAND's
# output goes to $T/last.log, shown only when it fails.
check() {
	title=$1
	shift
	if "$@" > "$T/last.log" 2>&1; then
		ok "$title"
	else
		sed 's/^/    # /' "$T/last.log"
		fail "$title"
	fi
}

# Explains why a check failed (for use inside check's commands).
say() { echo "$*"; }

at_exit() { cleanups="$1
$cleanups"; }

# In this shell, not a pipeline's subshell: cleanups may wait for children.
run_cleanups() {
	while IFS= read -r c; do
		[ -z "$c" ] || eval "$c" || echo "# cleanup failed: $c" >&2
	done <<-EOF
	$cleanups
	EOF
}

# A TCP port on the loopback that nothing listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# "mode owner:group path" for every file and directory under $1, relative
# to it, sorted: what the install and package checks compare.
tree_listing() {
	(cd "$1" && find . -mindepth 1 -printf '%m %u:%g %P\n' | sort -k3)
}

# The driver's sources as the DKMS tree holds them, in listing form.
driver_sources() {
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
