# shellcheck shell=bash disable=SC2034,SC2086,SC2154
# (SC2034, SC2154: lib.sh sets T, PKI, the ports and the helpers these use;
# SC2086: $WRAP is a command with its options, such as tests/lib/under-valgrind.)
# lifecycle.sh - a bridge's life: a device missing at start, a broker
# restart, SIGKILL (the will) and SIGTERM (a clean goodbye), systemd's
# notifications, a device policy that refuses the node. Sourced by
# integration.sh.

case_def device-missing-at-start "a device missing at start: offline until it appears, then online"
device-missing-at-start() {
	mkdir -p "$T/dev2"
	conf c20
	sed -i "s|^device .*|device $T/dev2/sesame|" "$T/c20.conf"
	sub c20 sesame/c20/availability sesame/c20/state
	start c20
	expect_in "$T/c20.msgs" "MSG 0 sesame/c20/availability offline"
	expect_in "$T/c20.log" "is missing; waiting for it to appear"
	ln -s "$T/mnt/sesame" "$T/dev2/sesame"
	expect_in "$T/c20.msgs" "MSG 0 sesame/c20/availability online"
	expect_in "$T/c20.msgs" "MSG 0 sesame/c20/state"
	stop c20
	unsub c20
}

case_def broker-restart-reconnects "after a broker restart the bridge reconnects, publishes its state again, and obeys" door-bridge
broker-restart-reconnects() {
	# From a closed door, whatever the cases before left.
	acts_once c21c c4 close close
	broker_stop BROKER_PID
	expect_in "$T/c4.log" "lost the connection"
	broker_start BROKER_PID "$T/mosquitto.conf" "$T/broker.log" || fail "the broker did not restart"
	# Retained messages died with the broker: these are new ones.
	got=$(mosquitto_sub "${CLI[@]}" -t sesame/c4/availability -t sesame/c4/state \
		-C 2 -W "$TIMEOUT" -F '%t %p' | sort | tr '\n' ' ')
	[ "$got" = "sesame/c4/availability online sesame/c4/state closed " ] ||
		fail "after the restart: '$got'"
	acts_once c21 c4 open open
}

case_def sigkill-publishes-last-will "SIGKILL of the bridge makes the broker publish offline (the last will)"
sigkill-publishes-last-will() {
	sub c22 sesame/c22/availability
	up c22
	stop c22 KILL
	expect_in "$T/c22.msgs" "MSG 0 sesame/c22/availability offline"
	unsub c22
}

case_def sigterm-goes-offline-cleanly "SIGTERM publishes offline, disconnects and exits 0" door-bridge
sigterm-goes-offline-cleanly() {
	sub c23 sesame/c4/availability
	expect_in "$T/c23.msgs" "MSG 1 sesame/c4/availability online"
	stop c4 TERM
	# The door-bridge fixture is gone: no case after this one may need it.
	FIXTURE_STATE[door-bridge]=broken
	expect_in "$T/c23.msgs" "MSG 0 sesame/c4/availability offline"
	expect_in "$T/c4.log" "going offline"
	# A clean DISCONNECT: the broker did not need the will.
	grep -q "^Client sesame-c4 disconnected\.$" "$T/broker.log" ||
		fail "the broker did not see a clean disconnect"
	grep -q "^Client sesame-c4 closed its connection" "$T/broker.log" &&
		fail "the connection was dropped, not closed"
	unsub c23
}

case_def systemd-ready-watchdog-stopping "under systemd: READY=1 once set up, WATCHDOG=1 while running, STOPPING=1 at the end"
systemd-ready-watchdog-stopping() {
	"$SINK" "$T/notify.sock" > "$T/notify.out" 2>&1 &
	PIDS+=($!)
	for ((i = 0; i < 100; i++)); do [ -S "$T/notify.sock" ] && break; sleep 0.05; done
	NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=1000000 up c24
	expect_in "$T/notify.out" "READY=1"
	expect_in "$T/notify.out" "STATUS=bridging $T/dev/sesame to 127.0.0.1 (port $P_PW unless named)"
	# Every half period, so at least three in a few seconds.
	expect_in "$T/notify.out" "WATCHDOG=1" 3
	stop c24
	expect_in "$T/notify.out" "STOPPING=1"
}

case_def device-policy-eperm-exits-1 "a device policy refusing the node (EPERM, as systemd's DeviceAllow= after a module reload): exit 1, to be restarted"
device-policy-eperm-exits-1() {
	local status
	mkdir -p "$T/dev3"
	conf c25
	sed -i "s|^device .*|device $T/dev3/sesame|" "$T/c25.conf"
	sub c25 sesame/c25/availability
	start c25
	expect_in "$T/c25.log" "is missing; waiting for it to appear"
	# Connected, and saying the device is missing, before it appears.
	expect_in "$T/c25.msgs" "MSG 0 sesame/c25/availability offline"
	ctl deny
	ln -s "$T/mnt/sesame" "$T/dev3/sesame"
	expect_in "$T/c25.log" "a device policy denies opening it"
	exit_status c25
	ctl allow
	[ "$status" != 124 ] || fail "it did not exit"
	[ "$status" = 1 ] || fail "it exited with $status, not 1"
	expect_in "$T/c25.msgs" "MSG 0 sesame/c25/availability offline" 2
	unsub c25
}
