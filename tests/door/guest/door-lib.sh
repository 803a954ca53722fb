# door-lib.sh - guest helpers of the whole-door tests and the demo (busybox
# sh): bring the emulated Pi up as its boot would (clock, loopback, udev),
# run the broker and the bridge, and talk MQTT as the phone does.
# shellcheck shell=sh disable=SC3045 # busybox ash has read -t
#
# Needs /opt/sesame-lib.sh (run, step, snapshot) sourced first, and the tree
# of tests/door/rig/stage.sh in the guest. Logs go to the current folder
# (/results), which the host reads back.
#
# Every process started costs the emulated Pi tens of milliseconds of host
# time (qemu translates and maps it anew), so the helpers wait with shell
# built-ins on pipes, never in loops of sleep and grep.

PATH=/usr/sbin:/usr/bin:/bin:/opt
TOPIC=sesame/door
PHONE="-C /etc/door/ca.crt -u phone -P /etc/door/phone.pw"

# A pipe nobody writes to: reading it with a timeout is a sleep without a
# process.
mkfifo /tmp/nap.fifo
exec 9<> /tmp/nap.fifo

# nap MS: sleep for milliseconds.
nap() {
	read -r -t "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))" _ <&9 || true
}

# latency_schedule N: door-mqtt's schedule of the latency runs, N pairs:
# an open from rest, then a close 1.5 s later while the open is held, a
# few ms later each time so that the closes meet the 20 ms period at
# different phases ("MS-BEFORE COMMAND" lines).
latency_schedule() {
	_i=0
	while [ $_i -lt "$1" ]; do
		[ $_i = 0 ] && echo "100 open" || echo "1500 open"
		echo "$((1500 + (7 * _i + 3) % 20)) close"
		_i=$((_i + 1))
	done
}

# door_trace_quiet: leave the scheduler tick out of the trace. It is most
# of the hrtimer events on an idle Pi, and says nothing about the door.
door_trace_quiet() {
	# tick_sched_timer was renamed tick_nohz_handler in 6.12.
	_tick=$(grep -E ' (tick_sched_timer|tick_nohz_handler)$' /proc/kallsyms | cut -d' ' -f1)
	for _ev in hrtimer_start hrtimer_expire_entry; do
		echo "function != 0x$_tick" > "$RIG_TRACE/events/timer/$_ev/filter"
	done
}

# door_boot: what the Pi's boot does before the door can work.
door_boot() {
	# The Pi has no clock that survives power-off: it takes the time from
	# the network. Here the host gives it (door.time= on the kernel command
	# line), so that the certificates are valid.
	date -s "@$(sed -n 's/.*door\.time=\([0-9]*\).*/\1/p' /proc/cmdline)" > /dev/null
	hostname door
	ip link set lo up
	mkdir -p /run /var/lib/mosquitto
	mount -t tmpfs -o mode=0755 tmpfs /run
	# An admin's install steps (README): the broker's password file hashed,
	# the bridge's password readable by its group only, the broker's
	# secrets by the broker only.
	mosquitto_passwd -U /etc/mosquitto/passwd
	chgrp sesame /etc/sesame/password
	chown mosquitto:mosquitto /etc/mosquitto/passwd /etc/mosquitto/certs/server.key \
		/var/lib/mosquitto
	# udev, as systemd-udevd.service and systemd-udev-trigger.service start
	# it: the coldplug replays every device's "add", which loads the
	# drivers of the device tree's nodes by their modalias (sesame among
	# them) and applies the rules to the nodes they create.
	/lib/systemd/systemd-udevd --daemon 2> udevd.log
	udevadm trigger --type=subsystems --action=add
	udevadm trigger --type=devices --action=add
	udevadm settle --timeout=60
}

# wait_file FILE PATTERN [SECONDS]: until a line of FILE matches the shell
# PATTERN (case syntax).
wait_file() {
	_n=$((${3:-30} * 5))
	while [ "$_n" -gt 0 ]; do
		if [ -f "$1" ]; then
			while IFS= read -r _l; do
				# shellcheck disable=SC2254 # a pattern on purpose
				case $_l in $2) return 0 ;; esac
			done < "$1"
		fi
		nap 200
		_n=$((_n - 1))
	done
	echo "wait_file: no line like '$2' in $1" >&2
	return 1
}

# broker_start: mosquitto in the background, logging to broker.log; waits
# until it listens.
broker_start() {
	mosquitto -c /etc/mosquitto/mosquitto.conf >> broker.log 2>&1 4<&- 9<&- &
	echo $! > broker.pid
	wait_file broker.log 'mosquitto version * running'
}

# bridge_start: sesame-bridge as its systemd unit runs it (User=sesame,
# Group=sesame, NoNewPrivileges), in the background, logging to bridge.log.
# (busybox's start-stop-daemon -c does initgroups, setgid and setuid, then
# execs the bridge: $! is the bridge's own pid.)
bridge_start() {
	setpriv --nnp start-stop-daemon -S -c sesame:sesame -x /usr/sbin/sesame-bridge -- \
		-c /etc/sesame/bridge.conf >> bridge.log 2>&1 4<&- 9<&- &
	echo $! > bridge.pid
}

# monitor_start: every message under the door's topic, as the phone sees
# them, goes to mqtt.log as "live|retained TOPIC PAYLOAD" (door-mqtt marks
# each in the trace when it arrives). The lines come through a pipe that
# wait_msg reads, so that waiting costs nothing.
monitor_start() {
	mkfifo /tmp/mqtt.fifo
	# shellcheck disable=SC2086 # options
	door-mqtt $PHONE sub "$TOPIC/#" > /tmp/mqtt.fifo 2> monitor.err 9<&- &
	echo $! > monitor.pid
	exec 4< /tmp/mqtt.fifo
	wait_msg subscribed
}

# wait_msg PATTERN [SECONDS]: read the monitor's lines into mqtt.log until
# one matches the shell PATTERN; false when none came within SECONDS
# (default 30) of the one before, or the monitor is gone.
wait_msg() {
	while IFS= read -r -t "${2:-30}" _line <&4; do
		echo "$_line" >> mqtt.log
		# shellcheck disable=SC2254 # a pattern on purpose
		case $_line in $1) return 0 ;; esac
	done
	echo "wait_msg: no message like '$1'" >&2
	return 1
}

# monitor_stop: end the monitor, keeping what it had still to say.
monitor_stop() {
	kill "$(cat monitor.pid)"
	while IFS= read -r _line <&4; do
		echo "$_line" >> mqtt.log
	done
	exec 4<&-
}

# pub_as WHO TOPIC ARGS...: Debian's mosquitto_pub with the options file
# of /etc/door/WHO (host, CA, user and password: never on a command line),
# QoS 1; output in WHO.out, the status returned. Marked in the trace.
pub_as() {
	_who=$1 _topic=$2
	shift 2
	mark "mosquitto_pub $_who: $_topic $*"
	XDG_CONFIG_HOME=/etc/door/$_who mosquitto_pub -q 1 -t "$_topic" "$@" >> "$_who.out" 2>&1
	_rc=$?
	mark "mosquitto_pub $_who: -> $_rc"
	return $_rc
}

# phone ARGS...: the phone sends a command.
phone() {
	pub_as phone "$TOPIC/set" "$@"
}
