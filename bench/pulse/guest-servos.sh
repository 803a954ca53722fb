# guest-servos.sh - guest half of the several-servos benchmark (busybox sh,
# run by the rig's init in the emulated Pi; the host half is
# bench/pulse/pulse.sh -s servos): 1, 2, 4 and 8 sesame servos pulsing at
# once (/dev/sesame on GPIO18 and /dev/sesame-s2 .. -s8 of servos.dtso),
# at each busy-wait budget of bench.budgets, idle.
#
# The servos of a run are started by one write each, made one right after
# another by one program (bench/pulse/poke.c), so that their periods start
# within microseconds of each other and, all being 1500 us wide, their
# edges fall together: the worst case for a timer per servo, since each
# callback busy-waits in the hard interrupt while the next edge is due.
# Runs are framed in the trace by "bench begin idle/servos-N-bB" .. "end".
# shellcheck shell=sh disable=SC1091,SC2154 # (pulses, phases, budgets: guest-bench-lib.sh)
. /opt/sesame-lib.sh
. /opt/guest-bench-lib.sh
bench_trace
bench_info > bench-info
steady_ms=$(((pulses + 3) * PERIOD_US / 1000))

insmod /lib/modules/sesame.ko || exit 1
devs=sesame
snapshot sesame 18
i=2
for pin in 17 22 23 24 25 26 27; do
	snapshot "sesame-s$i" "$pin"
	devs="$devs sesame-s$i"
	i=$((i + 1))
done

# files N: the first N devices' files, comma-separated, for poke.
files() {
	_list='' _k=0
	for _d in $devs; do
		[ $_k -lt "$1" ] || break
		_list="$_list${_list:+,}/dev/$_d"
		_k=$((_k + 1))
	done
	echo "$_list"
}

# shellcheck disable=SC2034 # begin and end name the runs after it
phase=idle
for b in $budgets; do
	for d in $devs; do
		echo "$b" > "/sys/class/misc/$d/busy_wait_us"
	done
	for n in 1 2 4 8; do
		begin "servos-$n-b$b"
		poke -m "$T/trace_marker" "$(files "$n")" 1000 1 "${WIDTH_US}us" > "servos-$n-b$b.out" 2>&1
		msleep $steady_ms
		poke -m "$T/trace_marker" "$(files "$n")" 1000 1 stop >> "servos-$n-b$b.out" 2>&1
		msleep 60
		end "servos-$n-b$b"
	done
done
rmmod sesame
