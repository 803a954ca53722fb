# params.sh - guest half of the driver's system tests, second boot: the
# overlay with its parameters changed on the merged device tree (fdtput), as
# `dtoverlay=sesame,gpiopin=23,label=front,period_us=10000,open_us=1800,
# hold_ms=500,idle_ms=200` would. The host (test_driver.py) checks.
# shellcheck shell=sh disable=SC1091
. /opt/sesame-lib.sh
PATH=/opt:$PATH

step probe
run insmod insmod /lib/modules/sesame.ko
snapshot sesame-front 23
stat -c '%n %a %u %g %F' /dev/sesame* > nodes.out 2>&1
cat /sys/kernel/debug/gpio > gpio-probe.out

step open
devio /dev/sesame-front write open sleep 100 read poll 2000 read poll 2000 read > open.out
sleep 0.3
run rmmod rmmod sesame
step end
