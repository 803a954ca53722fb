# sesame-lib.sh - guest helpers for the sesame test scripts (busybox sh).
# shellcheck shell=sh
#
# Each helper leaves its findings as files in the current folder (/results),
# which the host reads back: the host decides what passes.

# run NAME CMD...: run a command, keep its output in NAME.out, status in NAME.rc.
run() {
	_name=$1
	shift
	"$@" > "$_name.out" 2>&1
	echo $? > "$_name.rc"
}

# step NAME: the start of a test step, on the console and in the trace.
step() {
	echo "== step $*"
	mark "step $*"
}

# snapshot NAME PIN: what the host needs to analyse /dev/NAME's pulses:
# its GPIO's global number (pin PIN of the SoC's GPIO chip) and its sysfs.
snapshot() {
	{
		echo "gpio=$(gpio_number pinctrl-bcm2835 "$2")"
		echo "pin=$2"
		for f in /sys/class/misc/"$1"/*; do
			# Regular attributes that read (reset_stats does not).
			if [ -f "$f" ] && [ "$(basename "$f")" != uevent ] &&
			   v=$(cat "$f" 2>/dev/null); then
				echo "$(basename "$f")=$v"
			fi
		done
	} > "dev-$1"
}

# wait_line FILE TEXT [SECONDS]: wait until a line of FILE is TEXT.
wait_line() {
	_n=$((${3:-10} * 10))
	while [ "$_n" -gt 0 ]; do
		grep -qx "$2" "$1" 2>/dev/null && return 0
		msleep 100
		_n=$((_n - 1))
	done
	echo "wait_line: no '$2' in $1" >&2
	return 1
}
