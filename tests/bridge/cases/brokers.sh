# shellcheck shell=bash disable=SC2034,SC2086,SC2154
# (SC2154: lib.sh sets T and the rest; SC2086: $WRAP is a command with
# its options.)
# brokers.sh - a host list of several
# brokers (each certificate checked against its own broker's name, failover
# when the broker dies), mqtt_version auto against brokers that speak MQTT
# 3.1.1 only, and state published again for subscribers a broker does not
# tell. Sourced by integration.sh; the helpers are lib.sh's; the
# 3.1.1-only brokers are stand-ins (stand-in-broker.py), the rest Debian's
# mosquitto. tests/brokers runs the same promises against aedes and
# RabbitMQ.

# second_broker: another mosquitto on new ports, with the main one's PKI,
# passwords and ACL: P_B2 for the bridge's password, P_B2C for the tests'
# own clients. Sets B2_PID.
second_broker() {
	free_ports P_B2 P_B2C
	door_broker_conf "$P_B2" "$P_B2C" > "$T/broker2.conf"
	broker_start B2_PID "$T/broker2.conf" "$T/broker2.log" || fail "the second broker did not start"
	PIDS+=($B2_PID)
}

# plain_conf NAME PORT: bridge NAME without TLS, for a stand-in on PORT.
plain_conf() {
	conf "$1"
	sed -i -e "s|^port .*|port $2|" -e '/^cafile/d' -e '/^username/d' -e '/^password_file/d' \
		"$T/$1.conf"
	echo "insecure_plaintext true" >> "$T/$1.conf"
}

# stand_in MODE NAME: a stand-in broker (stand-in-broker.py MODE) on a new
# port, which it sets in P_STANDIN; its CONNECTs go to $T/NAME.connects.
stand_in() {
	free_ports P_STANDIN
	python3 "$here/stand-in-broker.py" "$1" "$P_STANDIN" "$T/$2.connects" 2> "$T/$2.broker" &
	PIDS+=($!)
}

case_def several-brokers-each-cert-checked "several brokers: each certificate is checked against its own broker's name"
several-brokers-each-cert-checked() {
	conf c43
	# 127.0.0.1 first: its certificate names localhost only, so it must be
	# refused, though it would pass for the next broker's name.
	sed -i "s|^host .*|host 127.0.0.1:$P_NAMEONLY,localhost:$P_PW|" "$T/c43.conf"
	up c43
	expect_in "$T/c43.log" "cannot connect to 127.0.0.1:$P_NAMEONLY: "
	expect_in "$T/c43.log" "next attempt, to localhost:$P_PW"
	expect_in "$T/c43.log" "connected to localhost:$P_PW as sesame-c43"
	grep -q "^connected to 127.0.0.1:$P_NAMEONLY" "$T/c43.log" && fail "it took localhost's certificate for 127.0.0.1"
	stop c43
}

case_def failover-command-meanwhile-never-acts "failover: when its broker dies the bridge says online on the next one; a command sent meanwhile never acts, the next acts once"
failover-command-meanwhile-never-acts() {
	local n t0 t1 pid
	second_broker
	signed c44
	sed -i "s|^host .*|host 127.0.0.1:$P_B2,127.0.0.1:$P_PW|" "$T/c44.conf"
	sed -i '/^port /d' "$T/c44.conf"
	sub c44 sesame/c44/availability sesame/c44/event
	start c44
	expect_in "$T/c44.log" "connected to 127.0.0.1:$P_B2 as sesame-c44"
	n=$(device_lines)
	# Sent where the bridge is not: no broker keeps it for a bridge that
	# never subscribed there, so the failover must not bring it back.
	pub -t sesame/c44/set -m "$(sign c44 open)"
	t0=$(date +%s%N)
	broker_stop B2_PID KILL
	expect_in "$T/c44.msgs" "MSG 0 sesame/c44/availability online"
	t1=$(date +%s%N)
	note "failover: online on the next broker $(( (t1 - t0) / 1000000 )) ms after the kill"
	expect_in "$T/c44.log" "lost the connection to 127.0.0.1:$P_B2: "
	expect_in "$T/c44.log" "reconnecting to 127.0.0.1:$P_PW"
	sleep 1
	[ -z "$(device_since "$n")" ] || fail "the failover moved the door: '$(device_since "$n")'"
	pub -t sesame/c44/set -m "$(sign c44 open)"
	expect_in "$T/c44.msgs" '"accepted":true,"command":"open"'
	sleep 1
	[ "$(device_since "$n")" = open ] || fail "the device got '$(device_since "$n")', not one open"
	stop c44
	unsub c44
}

case_def mqtt-version-auto-falls-back "mqtt_version auto: a broker that refuses MQTT 5 (closing, or with a 3.1.1 CONNACK) is spoken to in 3.1.1; one that answers nothing is explained"
mqtt-version-auto-falls-back() {
	local mode
	for mode in v311-close v311-refuse; do
		stand_in "$mode" "c45-$mode"
		plain_conf "c45-$mode" "$P_STANDIN"
		start "c45-$mode"
		expect_in "$T/c45-$mode.log" "connected to 127.0.0.1:$P_STANDIN as sesame-c45-$mode (MQTT 3.1.1)"
		expect_in "$T/c45-$mode.log" "does not take MQTT 5"
		expect_in "$T/c45-$mode.log" "a command its sender marked retained is only recognised when the broker replays it"
		grep -q "^connect 5 " "$T/c45-$mode.connects" || fail "$mode: MQTT 5 was not tried first"
		grep -q "^connect 4 " "$T/c45-$mode.connects" || fail "$mode: MQTT 3.1.1 was not tried"
		stop "c45-$mode"
	done
	# Closed unanswered in both versions: the log names the likely causes.
	stand_in deaf c45-deaf
	plain_conf c45-deaf "$P_STANDIN"
	start c45-deaf
	expect_in "$T/c45-deaf.log" "the broker closed the connection after CONNECT without answering: it may not speak MQTT 3.1.1 (mqtt_version), or it refuses the login or the client certificate"
	grep -q "^connected to" "$T/c45-deaf.log" && fail "deaf: it connected"
	stop c45-deaf
	# mqtt_version 5 is kept: no fallback, and the cause is still named.
	stand_in v311-close c45-five
	plain_conf c45-five "$P_STANDIN"
	start c45-five -o "mqtt_version 5"
	expect_in "$T/c45-five.log" "it may not speak MQTT 5 (mqtt_version)" 2
	grep -q "^connect 4 " "$T/c45-five.connects" && fail "mqtt_version 5 fell back to 3.1.1"
	stop c45-five
}

case_def republish-interval-republishes "republish_interval: state and availability are published again, for subscribers the broker did not tell"
republish-interval-republishes() {
	conf c46
	echo "republish_interval 10" >> "$T/c46.conf"
	up c46
	sub c46 sesame/c46/state sesame/c46/availability
	expect_in "$T/c46.msgs" "MSG 1 sesame/c46/state"
	# Live (retain flag 0), within the interval and a little more.
	TIMEOUT=$((TIMEOUT + 12)) expect_in "$T/c46.msgs" "MSG 0 sesame/c46/state"
	expect_in "$T/c46.msgs" "MSG 0 sesame/c46/availability online"
	stop c46
	unsub c46
}
