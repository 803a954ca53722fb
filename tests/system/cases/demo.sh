# demo.sh - the guest half of `make demo`: what a user does on the Pi to open
# the door, shown on the console. The host (tests/system/demo.sh) turns the
# kernel trace into the timeline and the plot.
# shellcheck shell=sh disable=SC1091
. /opt/sesame-lib.sh

# show CMD...: print a command as typed at a root prompt, then run it.
show() {
	echo "pi# $*"
	sh -c "$*"
}

# to_door CMD: `echo CMD > /dev/sesame`, marked in the trace for the timeline.
to_door() {
	mark "demo sesame: write $1"
	if show "echo $1 > /dev/sesame"; then
		mark "demo sesame: write -> $((${#1} + 1))"
	else
		mark "demo sesame: write -> error"
	fi
}

show "insmod /lib/modules/sesame.ko"
show "dmesg | grep 'sesame sesame'"
show "ls -l /dev/sesame"
snapshot sesame 18
sleep 0.5
to_door open
sleep 0.5
show "cat /dev/sesame"
echo "(the door is held open for hold-ms = $(cat /sys/class/misc/sesame/hold_ms) ms, then closes by itself)"
sleep 3
show "cat /dev/sesame"
sleep 1.2
show "cat /dev/sesame"
to_door 90
sleep 0.5
to_door close
sleep 1.5
show "cat /dev/sesame"
show "grep . /sys/class/misc/sesame/pulses /sys/class/misc/sesame/late_edges /sys/class/misc/sesame/max_late_ns"
snapshot sesame 18
