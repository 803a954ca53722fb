# guest-peer.sh - guest half of the peer benchmark (busybox sh, run by the
# rig's init in the emulated Pi; the host half is bench/pulse/pulse.sh -s
# peer): sesame.ko against mainline's pwm-gpio.ko, in one boot, on the same
# GPIO18, one driver loaded at a time, first idle, then under load.
#
# Runs, each framed in the trace by "bench begin PHASE/NAME" .. "end":
#   DRIVER-steady   1500 us every 20 ms, for bench.pulses pulses
#   DRIVER-change   the width changed between 1000 and 2000 us, 32 times,
#                   60-80 ms apart, so that the changes land at 16 points
#                   of the period or more (bench/pulse/poke.c, -j 1300)
#   DRIVER-stop     the same with stop and start (1500 us) in turn: the
#                   16 stops land 0.3 to 19.5 ms after their start
#   DRIVER-hold     (idle phase) a position held for 10 s: how many timer
#                   wakeups each costs (sesame's idle-servo on GPIO23, with
#                   the default idle-ms; pwm-gpio keeps its PWM running)
# DRIVER is sesame (its default busy-wait budget, 50 us) or pwm-gpio (its
# sysfs PWM interface, /sys/class/pwm). peer.py judges the pulses.
# shellcheck shell=sh disable=SC1091,SC2154 # (pulses, phases, budgets: guest-bench-lib.sh)
. /opt/sesame-lib.sh
. /opt/guest-bench-lib.sh
bench_trace
bench_info > bench-info
bench_sd
CHANGES=32
INTERVAL_US=60000
steady_ms=$(((pulses + 3) * PERIOD_US / 1000))

# change/stop NAME FILE VALUE VALUE: a framed run of poke's writes.
poked() {
	begin "$1"
	poke -m "$T/trace_marker" -j 1300 -c "$PERIOD_US" "$2" "$INTERVAL_US" "$CHANGES" "$3" "$4" \
		> "$phase-$1.out" 2>&1
	msleep 100
	end "$1"
}

sesame_runs() {
	insmod /lib/modules/sesame.ko || exit 1
	snapshot sesame 18
	snapshot sesame-idle 23
	cat /sys/class/misc/sesame/busy_wait_us > sesame-busy-wait
	if [ "$phase" = idle ]; then
		begin sesame-hold
		echo "${WIDTH_US}us" > /dev/sesame-idle
		sleep 10
		end sesame-hold
	fi
	begin sesame-steady
	echo "${WIDTH_US}us" > /dev/sesame
	msleep $steady_ms
	end sesame-steady
	poked sesame-change /dev/sesame 1000us 2000us
	echo "${WIDTH_US}us" > /dev/sesame
	msleep 100
	poked sesame-stop /dev/sesame stop "${WIDTH_US}us"
	echo stop > /dev/sesame
	msleep 60
	rmmod sesame
}

pwm_runs() {
	insmod /lib/modules/pwm-gpio.ko || exit 1
	chip=
	for c in /sys/class/pwm/pwmchip*; do
		case $(readlink -f "$c/device") in *pwm-gpio*) chip=$c ;; esac
	done
	[ -n "$chip" ] || { echo "guest-peer: pwm-gpio made no PWM chip" >&2; dmesg | tail -n 5 >&2; exit 1; }
	echo 0 > "$chip/export"
	pwm=$chip/pwm0
	echo $((PERIOD_US * 1000)) > "$pwm/period"
	echo $((WIDTH_US * 1000)) > "$pwm/duty_cycle"
	if [ "$phase" = idle ]; then
		begin pwm-gpio-hold
		echo 1 > "$pwm/enable"
		sleep 10
		end pwm-gpio-hold
		echo 0 > "$pwm/enable"
		msleep 60
	fi
	begin pwm-gpio-steady
	echo 1 > "$pwm/enable"
	msleep $steady_ms
	end pwm-gpio-steady
	poked pwm-gpio-change "$pwm/duty_cycle" 1000000 2000000
	echo $((WIDTH_US * 1000)) > "$pwm/duty_cycle"
	msleep 100
	poked pwm-gpio-stop "$pwm/enable" 0 1
	echo 0 > "$pwm/enable"
	msleep 60
	echo 0 > "$chip/unexport"
	rmmod pwm_gpio
}

for phase in $phases; do
	[ "$phase" != load ] || load_start
	sesame_runs
	pwm_runs
	[ "$phase" != load ] || load_stop
	cat /proc/loadavg > "$phase-loadavg"
done
