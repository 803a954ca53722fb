# demo.sh - the guest half of `make demo`: the emulated Pi boots, the
# broker and the bridge start as they would on a real Pi, and a phone opens
# the door over MQTT. What it prints is what a user would type and see; the
# host (tests/door/demo.py) then tells from the kernel trace what happened
# when, and plots the pulses.
# shellcheck shell=sh disable=SC1091,SC3045 # busybox ash has read -t
. /opt/sesame-lib.sh
. /opt/door-lib.sh

# show CMD...: print a command as typed at a root prompt on the Pi, run it.
show() {
	echo "pi# $*"
	sh -c "$*"
}

# saw PATTERN [NOTE]: print the messages on the door's topics as the phone
# receives them (topic and payload), until one matches PATTERN; a note
# after that one.
saw() {
	while IFS= read -r -t 60 _line <&4; do
		echo "$_line" >> mqtt.log
		# shellcheck disable=SC2254 # a pattern on purpose
		case $_line in
		"live "$1) echo "    ${_line#live }${2:+    ($2)}"; return 0 ;;
		*) echo "    ${_line#* }" ;;
		esac
	done
	echo "demo: no message like '$1'" >&2
	exit 1
}

step boot
door_trace_quiet
echo "== The Pi boots; udev loads sesame.ko for the overlay's node and applies 60-sesame.rules"
door_boot
snapshot sesame 18
show "ls -l /dev/sesame"

echo "== mosquitto: TLS on port 8883, a password file, an ACL"
broker_start
monitor_start
echo "== sesame-bridge, as user sesame, as its systemd unit runs it"
echo "phone\$ mosquitto_sub -t 'sesame/door/#' -v    (TLS, user phone) receives:"
bridge_start
saw 'sesame/door/availability online'
saw 'sesame/door/state *'
# The bridge's write() calls go into the trace: they show when the command
# reached /dev/sesame.
echo "common_pid == $(cat bridge.pid)" > "$RIG_TRACE/events/syscalls/sys_enter_write/filter"
echo 1 > "$RIG_TRACE/events/syscalls/sys_enter_write/enable"
ls -l "/proc/$(cat bridge.pid)/fd" > bridge-fd.out
show "ps -o user,pid,args | grep '[s]esame-bridge'"

step open
echo "phone\$ mosquitto_pub -t sesame/door/set -m open    (TLS, user phone)"
phone -m open
saw 'sesame/door/state open'
saw 'sesame/door/state closed' 'the driver closed the door by itself'
nap 1500
show "cat /dev/sesame"

# 20 more commands for the latency figure: an open from rest, a close 1.5 s
# later while the open is held (a few ms later each time, so that the
# closes meet the 20 ms period at different phases).
step latency
echo "== 20 more commands from the phone, one every 1.5 s, to measure the latency"
latency_schedule 10 > schedule.txt
# shellcheck disable=SC2086 # options
door-mqtt $PHONE pub "$TOPIC/set" - < schedule.txt > latency.out 2>&1
nap 1500

step end
monitor_stop
echo 0 > "$RIG_TRACE/events/syscalls/sys_enter_write/enable"
