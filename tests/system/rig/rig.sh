# rig.sh - helpers for the guest's test scripts (busybox sh), sourced by init.
# shellcheck shell=sh

RIG_TRACE=/sys/kernel/tracing

# Trace what the pulse tests look at, on the hrtimer's clock: every GPIO
# level set, every timer (re)armed with its programmed expiry, and every
# timer callback with the time it really started.
rig_trace_start() {
	echo 0 > "$RIG_TRACE/tracing_on"
	echo mono > "$RIG_TRACE/trace_clock"
	echo "${RIG_TRACE_KB:-8192}" > "$RIG_TRACE/buffer_size_kb"
	echo > "$RIG_TRACE/trace"
	for ev in gpio/gpio_value timer/hrtimer_start timer/hrtimer_expire_entry; do
		echo 1 > "$RIG_TRACE/events/$ev/enable"
	done
	echo 1 > "$RIG_TRACE/tracing_on"
}

# mark TEXT: a line in the trace, to tell what the test did when.
mark() {
	echo "$*" > "$RIG_TRACE/trace_marker"
}

# gpio_number CHIPLABEL OFFSET: the global (dynamic) number of a GPIO line.
gpio_number() {
	for chip in /sys/class/gpio/gpiochip*; do
		if [ "$(cat "$chip/label")" = "$1" ]; then
			echo $(($(cat "$chip/base") + $2))
			return 0
		fi
	done
	echo "gpio_number: no GPIO chip labelled $1" >&2
	return 1
}

# msleep MS: sleep for milliseconds (busybox sleep takes fractions).
msleep() {
	sleep "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))"
}
