# door.sh - guest half of the whole-door test: the emulated Pi boots, udev
# loads sesame.ko for the overlay's node and gives /dev/sesame to group
# sesame, mosquitto serves TLS with a password file and an ACL, and
# sesame-bridge, as user sesame, opens the door when the phone says so.
#
# Runs in the emulated Pi (busybox sh, sourced by the rig's init), does what
# a user would, and leaves what it saw in /results; tests/door/test_door.py
# on the host decides what passes, mostly from the kernel trace: the GPIO's
# pulses, the steps ("step NAME"), and each MQTT message the monitor and
# door-mqtt saw ("door-mqtt TOPIC: got|publish PAYLOAD").
# shellcheck shell=sh disable=SC1091
. /opt/sesame-lib.sh
. /opt/door-lib.sh
DRV=/sys/bus/platform/drivers/sesame

step boot
door_trace_quiet
door_boot
snapshot sesame 18
lsmod > lsmod.out
ls "$DRV" > bound.out 2>&1
stat -c '%n %a %U %G %F' /dev/sesame > node.out 2>&1
cat /sys/kernel/debug/gpio > gpio.out
grep '^sesame:' /etc/group > group.out

step broker
broker_start
# A client that speaks plain MQTT (a CONNECT packet) to the TLS port, and
# waits for an answer.
(printf '\020\014\000\004MQTT\004\002\000\074\000\000'; nap 2000) |
	nc -w 5 127.0.0.1 8883 > plain.out 2>&1

# A retained open on the command topic, before the bridge runs: the monitor,
# subscribing afterwards, shows that the broker keeps it.
step retained
phone -r -m open
monitor_start
wait_msg 'retained sesame/door/set open' 10

step bridge
bridge_start
wait_msg 'live sesame/door/availability online' 60
pid=$(cat bridge.pid)
grep -E '^(Name|Uid|Gid|Groups|NoNewPrivs):' "/proc/$pid/status" > bridge-id.out
ls -l "/proc/$pid/fd" > bridge-fd.out 2>&1
# Time enough for the retained open to act, which it must not.
nap 3000

# A command sent with the retain flag while the bridge runs is refused too;
# then an empty retained message deletes the retained one.
step retained-live
phone -r -m open
wait_msg 'live sesame/door/event *"retained"*'
phone -r -n
wait_msg 'live sesame/door/event *"retained"*'
nap 1000

# The phone opens the door; it closes by itself after the hold time.
step open
phone -m open
wait_msg 'live sesame/door/state open'
wait_msg 'live sesame/door/state closed'
nap 1500
cat /dev/sesame > status-open.out

# Refused by the broker: a wrong password. And the ACL: the phone may not
# write the door's state.
step refused
pub_as intruder "$TOPIC/set" -m open
pub_as phone "$TOPIC/state" -r -m open
nap 2000

# A payload that is no command: rejected, nothing moves.
step junk
phone -m 'open sesame'
wait_msg 'live sesame/door/event *"malformed"*'
nap 1000

# SIGKILL: the broker publishes the bridge's will. Then it comes back.
step kill
kill -KILL "$(cat bridge.pid)"
wait_msg 'live sesame/door/availability offline'
bridge_start
wait_msg 'live sesame/door/availability online' 60

# Removing the module while the bridge holds /dev/sesame is refused; unbind
# makes the bridge let go, then it can go and come back, and so does the
# bridge.
step reload
run rmmod-busy modprobe -r sesame
nap 500
echo sesame > "$DRV/unbind"
wait_msg 'live sesame/door/availability offline'
run rmmod modprobe -r sesame
ls /dev/sesame > node-gone.out 2>&1
run modprobe modprobe sesame
udevadm settle --timeout=60
wait_msg 'live sesame/door/availability online' 60
stat -c '%n %a %U %G %F' /dev/sesame > node-reload.out 2>&1
ls -l "/proc/$(cat bridge.pid)/fd" > bridge-fd-reload.out 2>&1
phone -m open
wait_msg 'live sesame/door/state open'
wait_msg 'live sesame/door/state closed'
nap 1500

# The latency run: door-mqtt marks each publish in the trace, and the
# trace records the bridge's write() calls. An open from rest (the last
# close's pulses have stopped), then a close 1.5 s later while the open is
# held, a few ms later each time so that the closes meet the period at
# different phases.
step latency
echo "common_pid == $(cat bridge.pid)" > "$RIG_TRACE/events/syscalls/sys_enter_write/filter"
echo 1 > "$RIG_TRACE/events/syscalls/sys_enter_write/enable"
latency_schedule 12 > schedule.txt
# shellcheck disable=SC2086 # options
door-mqtt $PHONE pub "$TOPIC/set" - < schedule.txt > latency.out 2>&1
echo $? > latency.rc
nap 1500
echo 0 > "$RIG_TRACE/events/syscalls/sys_enter_write/enable"

step end
monitor_stop
snapshot sesame 18
