# guest-approaches.sh - guest half of the pulse benchmark (busybox sh, run by the
# rig's init in the emulated Pi; the host half is bench/pulse/pulse.sh).
#
# Every approach drives GPIO18 in turn, in this one boot, for the same
# number of pulses (20 ms period, 1500 us wide), first with the guest idle,
# then under CPU and I/O load (stress-ng: a CPU hog per CPU it may use, file
# writes with fsync and sync(2) on the SD card's ext4):
#   sesame-bN    sesame.ko with its busy-wait budget set to N us
#   swpwm        user-space C: libgpiod + clock_nanosleep(TIMER_ABSTIME),
#                SCHED_FIFO (bench/pulse/swpwm.c)
#   python-gpiod Python, RPi.GPIO's software PWM loop on python3-libgpiod
#                (bench/pulse/pwm_gpiod.py)
# and, per phase, a window in which /dev/sesame-idle (GPIO23) has been told
# a position and idle-ms has passed: its timer should not fire at all.
# Each run is framed in the trace by "bench begin PHASE/NAME" and "bench end
# PHASE/NAME" markers; what each program or sysfs said is left in
# /results/PHASE-NAME.*. RPi.GPIO itself is tried once (rpigpio-probe.sh).
#
# Parameters and the trace: guest-bench-lib.sh.
# shellcheck shell=sh disable=SC1091,SC2154 # (pulses, phases, budgets: guest-bench-lib.sh)
. /opt/sesame-lib.sh
. /opt/guest-bench-lib.sh
bench_trace
bench_info > bench-info
bench_sd

load_sesame() {
	insmod /lib/modules/sesame.ko || exit 1
	snapshot sesame 18
	snapshot sesame-idle 23
}

sesame_run() {
	sys=/sys/class/misc/sesame
	echo "$1" > $sys/busy_wait_us
	echo 1 > $sys/reset_stats
	begin "sesame-b$1"
	echo "${WIDTH_US}us" > /dev/sesame
	msleep $(((pulses + 3) * PERIOD_US / 1000))
	echo stop > /dev/sesame
	msleep 60
	end "sesame-b$1"
	for f in busy_wait_us pulses late_edges max_late_ns max_rise_late_ns missed_periods; do
		echo "$f=$(cat $sys/$f)"
	done > "$phase-sesame-b$1.sysfs"
}

# After a command and idle-ms, the idle servo's timer must stay quiet.
idle_window() {
	idle_ms=$(cat /sys/class/misc/sesame-idle/idle_ms)
	echo "${WIDTH_US}us" > /dev/sesame-idle
	msleep $((idle_ms + 500))
	begin module-idle
	sleep 5
	end module-idle
}

cpu_stat() {
	head -n 1 /proc/stat
}

for phase in $phases; do
	if [ "$phase" = load ]; then
		load_start
	fi
	cpu_stat > "$phase-cpu.before"
	load_sesame
	idle_window
	for b in $budgets; do
		sesame_run "$b"
	done
	rmmod sesame

	begin swpwm
	swpwm -c gpiochip0 -l 18 -n "$pulses" -p "$PERIOD_US" -w "$WIDTH_US" -m "$T/trace_marker" \
		> "$phase-swpwm.out" 2>&1
	end swpwm

	begin python-gpiod
	python3 /opt/pwm_gpiod.py gpiochip0 18 "$pulses" "$PERIOD_US" "$WIDTH_US" "$T/trace_marker" \
		> "$phase-python-gpiod.out" 2>&1
	end python-gpiod
	cpu_stat > "$phase-cpu.after"

	if [ "$phase" = load ]; then
		load_stop
	fi
	cat /proc/loadavg > "$phase-loadavg"
done

. /opt/rpigpio-probe.sh
