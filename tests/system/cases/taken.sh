# taken.sh - guest half of the taken-pin boot: Debian's Pi 2 device tree
# keeps GPIO18-21 for I2S, so the overlay's default pin is taken. sesame
# must refuse it with a message that says what to do, and touch nothing.
# The host (test_driver.py, boot "taken") checks.
# shellcheck shell=sh disable=SC1091
. /opt/sesame-lib.sh
PATH=/opt:$PATH

step probe
cat /sys/kernel/debug/pinctrl/*/pinmux-pins > pinmux-before.out
run insmod insmod /lib/modules/sesame.ko
ls /dev/sesame* > nodes.out 2>&1
ls /sys/bus/platform/drivers/sesame > bound.out 2>&1
cat /sys/kernel/debug/pinctrl/*/pinmux-pins > pinmux-after.out
cat /sys/kernel/debug/gpio > gpio-probe.out
run rmmod rmmod sesame
step end
