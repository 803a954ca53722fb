# driver.sh - guest half of the driver's system tests, first boot: the
# overlay's servo (/dev/sesame on GPIO18, the binding's defaults) and the
# nodes of tests/system/dts/more-servos.dtso.
#
# Runs in the emulated Pi (busybox sh, sourced by the rig's init), does what a
# user would do, and leaves what it saw in /results; tests/system/
# test_driver.py on the host decides what passes. Each step is marked in the
# trace ("step NAME"), each device access too (devio).
# shellcheck shell=sh disable=SC1091
. /opt/sesame-lib.sh
PATH=/opt:$PATH
DRV=/sys/bus/platform/drivers/sesame

step probe
run insmod insmod /lib/modules/sesame.ko
snapshot sesame 18
snapshot sesame-side 17
stat -c '%n %a %u %g %F' /dev/sesame* > nodes.out 2>&1
ls "$DRV" > bound.out 2>&1
cat /sys/kernel/debug/gpio > gpio-probe.out

# No command yet: the line must stay low.
step quiet
sleep 1

# Widths and angles while pulsing; each change at a period boundary. The
# last move starts the idle clock: the train stops 1 s later by itself.
step widths
devio /dev/sesame write 1500us sleep 200 write 0 sleep 200 write 180 sleep 200 \
	write 'angle 90\n' sleep 200 write 1234us sleep 200 read > widths.out
sleep 1.5

# open, hold 3 s, auto-close, idle stop 1 s later; poll() sees both.
step open
devio /dev/sesame write open sleep 200 read poll 6000 read poll 4000 read > open.out
sleep 0.3

# Bad writes while pulsing: each must fail with EINVAL and change nothing,
# not even the idle clock (the train must still stop 1 s after 1500us).
step badwrites
devio /dev/sesame write 1500us sleep 100 read \
	write '' write '\n' write foo write Open write 'open x' write opens \
	write 'open\n\n' write ' 90' write '90 ' write 181 write -1 write +90 \
	write angle write 'angle 181' write 'angle  90' write 499us write 2501us \
	write us write '1500 us' write 1500uss write 'op\0en' write '90\0' \
	write 0x10 write 1e2 write 0000001 write 99999999999 write 'stop now' \
	writelen 65 writelen 4096 read > badwrites.out
sleep 1.5

# stop: the train ends at the end of the period, the last pulse whole.
step stop
devio /dev/sesame write 2000us sleep 300 write stop sleep 100 read > stop.out
sleep 0.3

# The second, labelled servo, while the first one moves too.
step side
devio /dev/sesame write open sleep 500 read > side-main.out &
devio /dev/sesame-side write 45 sleep 500 read > side.out
wait

# Timer callbacks whole periods late (every CPU held with interrupts off
# for 70 ms, three times): the driver must skip the missed periods, not
# catch up with a burst, and stay on its grid.
step stall
for i in 1 2 3; do
	run "stall$i" sh -c "insmod /lib/modules/stall.ko ms=70 && rmmod stall"
	msleep 150
done
cat /sys/class/misc/sesame-side/missed_periods > missed-after-stall.out

# A file held open across rmmod (refused: the module is in use, the
# pulses go on) and across unbind (the line ends low at a period boundary,
# the file gets ENODEV and POLLHUP|POLLERR).
step held
mkfifo /tmp/holder
devio /dev/sesame-side - < /tmp/holder > held.out 2>&1 &
holder=$!
exec 3> /tmp/holder
echo "write 2000us" >&3
echo ready >&3
wait_line held.out ready
sleep 0.3
step rmmod-busy
run rmmod-busy rmmod sesame
test -d /sys/module/sesame && echo present > module-after-busy.out
sleep 0.3
step unbind
run unbind sh -c "echo sesame-side > $DRV/unbind"
ls /dev/sesame-side > node-after-unbind.out 2>&1
step after-unbind
for op in "write 1500us" read "poll 100" "ready 2"; do
	echo "$op" >&3
done
wait_line held.out "ready 2"
exec 3>&-
wait "$holder"
echo "holder exit $?" >> held.out

# Bound again, it works again.
step rebind
run rebind sh -c "echo sesame-side > $DRV/bind"
devio /dev/sesame-side write 135 sleep 300 read > rebind.out

# rmmod with nothing held open, while both servos pulse: the lines end low.
step rmmod
devio /dev/sesame write open sleep 300 > rmmod-open.out
run rmmod rmmod sesame
ls /dev/sesame* > nodes-after-rmmod.out 2>&1
cat /sys/kernel/debug/gpio > gpio-after-rmmod.out
sleep 0.2
step end
