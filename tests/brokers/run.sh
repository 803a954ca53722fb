#!/bin/bash
# run.sh - sesame-bridge against real MQTT brokers other than the one its
# integration tests use: Debian's Mosquitto, aedes (Node.js, from npm) and
# Debian's RabbitMQ with its MQTT plugin, each over TLS with user names and
# passwords, each a throwaway on free loopback ports under a temporary
# directory.
#
# Usage: tests/brokers/run.sh [--list] [--only NAME|PATTERN]... [NAME|PATTERN]...
#   (tests/lib/cases.sh; default: every case; "aedes-*": one broker's)
#
# Cases, named BROKER-CASE, run against each broker (mosquitto, aedes,
# rabbitmq) in this order:
#   connect   the bridge connects with its default mqtt_version
#   command   a signed command reaches the device (fake-sesame)
#   retained  a new subscriber gets the state and availability, retained
#   rules     (mosquitto, rabbitmq) the rules of `sesame-certs rules`: a door
#             cannot command another door, a phone only the doors it was given
#   will      SIGKILL of a bridge makes the broker publish its last will
#   republish the bridge publishes its state again every republish_interval
#             (10 s here), for RabbitMQ's subscribers that missed it
#   restart   after the broker restarts, with a renewed certificate (a new
#             key from the same CA), the bridge reconnects and obeys
#
# Environment: BRIDGE SIGN FAKE (default build/bridge/...), NODE_DIR (where
# aedes is installed, default build/brokers/aedes), TIMEOUT (seconds a check
# waits, default 20), KEEP (keep the temporary directory).
# Exit status: 0 all passed, 1 a case failed, 2 usage, 4 cannot run here.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/brokers
# The programs under test and the stand-ins, as make builds them.
built=$top/build/bridge
BRIDGE=${BRIDGE:-$built/sesame-bridge}
SIGN=${SIGN:-$built/sesame-sign}
FAKE=${FAKE:-$built/fake-sesame}
NODE_DIR=${NODE_DIR:-$top/build/brokers/aedes}
TIMEOUT=${TIMEOUT:-20}
RABBIT_BIN=/usr/lib/rabbitmq/bin
CERTS="$top/scripts/sesame-certs"

ALL_BROKERS="mosquitto aedes rabbitmq"

# shellcheck source=tests/lib/cases.sh
. "$top/tests/lib/cases.sh"
# shellcheck source=tests/lib/broker.sh
. "$top/tests/lib/broker.sh"
# shellcheck source=tests/lib/procs.sh
. "$top/tests/lib/procs.sh"
# shellcheck source=tests/lib/device.sh
. "$top/tests/lib/device.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/sesame-brokers.XXXXXX")
PKI=$T/pki
BROKER=        # the broker under test
BROKER_PID=
EPMD_PORT=
declare -A BRIDGE_PID=()

# --------------------------------------------------------------- results

say() { note "$*"; }

# seen FILE TEXT [TIMES]: true once FILE holds the fixed string TEXT TIMES
# times (default once); false when TIMEOUT runs out.
seen() {
	local deadline=$((SECONDS + TIMEOUT)) got
	while :; do
		got=$(grep -cF -- "$2" "$1" 2>/dev/null)
		[ "${got:-0}" -ge "${3:-1}" ] && return 0
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

need() { seen "$@" || fail "$(basename "$1") never showed '$2' (x${3:-1})"; }

# ---------------------------------------------------------------- clients

# Identities: the test's own client (all topics), doors d1 and d2, and the
# phone p1 that may open d1 only. Each has a password file, made once.
IDS="tester d1 d2 p1"

# as ID CMD...: run mosquitto_pub/_sub as ID on the current broker. Their
# options, the password among them, come from $XDG_CONFIG_HOME/mosquitto_*,
# never from argv.
as() {
	local id=$1
	shift
	XDG_CONFIG_HOME=$T/id/$id "$@"
}

client_options() {
	local id
	for id in $IDS; do
		mkdir -p "$T/id/$id"
		(umask 077
		 printf '%s\n' "-h 127.0.0.1" "-p $PORT" "--cafile $PKI/ca.crt" "-u $id" \
			"-P $(cat "$T/id/$id.pw")" "-V mqttv311" > "$T/id/$id/mosquitto_pub")
		cp "$T/id/$id/mosquitto_pub" "$T/id/$id/mosquitto_sub"
	done
}

# listen NAME ID TOPIC...: record messages as "MSG <retain> <topic>
# <payload>" in $T/NAME.msgs; returns once the broker has granted the
# subscriptions.
listen() {
	local name=$1 id=$2 args=() t
	shift 2
	for t; do args+=(-t "$t"); done
	# A simple command, not the function as: $! is then mosquitto_sub itself.
	XDG_CONFIG_HOME=$T/id/$id stdbuf -oL mosquitto_sub -d -q 1 -F 'MSG %r %t %p' "${args[@]}" \
		> "$T/$name.msgs" 2>&1 &
	echo $! > "$T/$name.listener"
	need "$T/$name.msgs" "received SUBACK"
}

# unlisten NAME: end the listener (its file goes, so that the exit does not
# signal a number some other process may have by then).
unlisten() {
	local pid
	pid=$(cat "$T/$1.listener" 2>/dev/null) || return 0
	rm -f "$T/$1.listener"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# send ID TOPIC PAYLOAD: publish at QoS 1; a broker that refuses may close
# the connection, which is no error here.
send() { as "$1" mosquitto_pub -q 1 -t "$2" -m "$3" > /dev/null 2>&1; }

# ---------------------------------------------------------------- bridges

# The replay state of a bridge that accepted nothing yet, with its checksum:
# a bridge without one refuses what was signed in its first second.
fresh_state() {
	local body
	body=$(printf 'sesame-replay 1\nfloor 0 accepted\n')
	(umask 077
	 { printf '%s\n' "$body"
	   printf 'sha256 %s\n' "$(printf '%s\n' "$body" | sha256sum | cut -d' ' -f1)"
	 } > "$1")
}

bridge_conf() {
	local door=$1
	cat > "$T/$door.conf" <<EOF
# door $door of the brokers tests, on $BROKER
host 127.0.0.1
port $PORT
cafile $PKI/ca.crt
username $door
password_file $T/id/$door.pw
client_id $door
topic sesame/$door
device $T/dev/sesame
keepalive 10
reconnect_max 1
rate_limit 1000/60
hmac_key_file $T/$door.hmac
state_file $T/$door.state
require_clock_sync false
republish_interval 10
EOF
	fresh_state "$T/$door.state"
}

# bridge_up DOOR: start it and wait until it is online.
bridge_up() {
	local door=$1
	bridge_conf "$door"
	listen "$door-up" tester "sesame/$door/availability"
	"$BRIDGE" -c "$T/$door.conf" >> "$T/$BROKER-$door.log" 2>&1 &
	BRIDGE_PID[$door]=$!
	need "$T/$door-up.msgs" "sesame/$door/availability online"
	unlisten "$door-up"
}

bridge_down() {
	local door=$1 sig=${2:-TERM}
	[ -n "${BRIDGE_PID[$door]:-}" ] || return 0
	kill -"$sig" "${BRIDGE_PID[$door]}" 2>/dev/null
	{ wait "${BRIDGE_PID[$door]}"; } 2>/dev/null
	unset "BRIDGE_PID[$door]"
}

# signed DOOR WORD: a command for DOOR signed with its key.
signed() { "$SIGN" -k "$T/$1.hmac" -t "sesame/$1/set" "$2"; }

device_count() { grep -cx "$1" "$T/device.log"; }

# ------------------------------------------------------------ the brokers
# Each broker has broker_start_NAME (false if it did not come up),
# broker_stop_NAME and broker_users_NAME (logins for $IDS, before the start
# where the broker reads them from a file).

# Mosquitto: a password file (hashed by mosquitto_passwd) and the ACL
# from `sesame-certs rules mosquitto`, the test client allowed all.
broker_users_mosquitto() {
	local id
	(umask 077
	 for id in $IDS; do printf '%s:%s\n' "$id" "$(cat "$T/id/$id.pw")"; done > "$T/mosquitto.passwd")
	mosquitto_passwd -U "$T/mosquitto.passwd"
	{ "$CERTS" -d "$T/certs" rules mosquitto
	  printf '\nuser tester\ntopic readwrite #\n'
	} > "$T/mosquitto.acl"
	mosquitto_conf --pki "$PKI" --passwd "$T/mosquitto.passwd" --acl "$T/mosquitto.acl" \
		--log all "password:$PORT" > "$T/mosquitto.conf"
}

broker_start_mosquitto() {
	broker_start BROKER_PID "$T/mosquitto.conf" "$T/mosquitto.log"
}

broker_stop_mosquitto() { broker_stop BROKER_PID; }

# aedes: this directory's aedes-broker.js, with a users file.
broker_users_aedes() {
	local id
	(umask 077
	 for id in $IDS; do printf '%s %s\n' "$id" "$(cat "$T/id/$id.pw")"; done > "$T/aedes.users")
}

broker_start_aedes() {
	NODE_PATH=$NODE_DIR/node_modules node "$here/aedes-broker.js" "$PORT" \
		"$PKI/server.crt" "$PKI/server.key" "$T/aedes.users" >> "$T/aedes.log" 2>&1 &
	BROKER_PID=$!
	seen "$T/aedes.log" " listening on 127.0.0.1:$PORT" "$((starts + 1))" &&
		kill -0 "$BROKER_PID" 2>/dev/null
}

broker_stop_aedes() { broker_stop_mosquitto; }

# RabbitMQ: a node of its own (name, cookie, Erlang distribution and epmd
# ports, database, logs all under $T), started by the scripts beneath
# Debian's wrappers, which would switch to the rabbitmq user.
rabbit_env() {
	echo "HOME=$T/rabbit"
	echo "RABBITMQ_NODENAME=sesame-brokers-$$@localhost"
	echo "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1"
	echo "RABBITMQ_NODE_PORT=$AMQP_PORT"
	echo "RABBITMQ_DIST_PORT=$DIST_PORT"
	echo "ERL_EPMD_PORT=$EPMD_PORT"
	echo "ERL_EPMD_ADDRESS=127.0.0.1"
	echo "RABBITMQ_CONFIG_FILE=$T/rabbit/rabbitmq.conf"
	echo "RABBITMQ_ADVANCED_CONFIG_FILE=$T/rabbit/advanced.config"
	echo "RABBITMQ_CONF_ENV_FILE=$T/rabbit/rabbitmq-env.conf"
	echo "RABBITMQ_ENABLED_PLUGINS_FILE=$T/rabbit/enabled_plugins"
	echo "RABBITMQ_MNESIA_BASE=$T/rabbit/mnesia"
	echo "RABBITMQ_LOG_BASE=$T/rabbit/log"
	echo "RABBITMQ_PLUGINS_EXPAND_DIR=$T/rabbit/plugins"
	echo "RABBITMQ_PID_FILE=$T/rabbit/pid"
	echo "RABBITMQ_LOGS=-"
	echo "ERL_CRASH_DUMP=$T/rabbit/erl_crash.dump"
	echo "PATH=$T/rabbit/bin:$PATH"
}

rabbit() {
	local env
	mapfile -t env < <(rabbit_env)
	env "${env[@]}" "$@"
}

broker_users_rabbitmq() {
	# A fresh node each time broker_up tries.
	rm -rf "$T/rabbit"
	mkdir -p "$T/rabbit/bin"
	# For the rules script, which calls rabbitmqctl by name (a link would
	# not do: the script finds its neighbours by its own path).
	printf '#!/bin/sh\nexec %s/rabbitmqctl "$@"\n' "$RABBIT_BIN" > "$T/rabbit/bin/rabbitmqctl"
	chmod +x "$T/rabbit/bin/rabbitmqctl"
	(umask 077; openssl rand -hex 20 > "$T/rabbit/.erlang.cookie")
	chmod 0400 "$T/rabbit/.erlang.cookie"
	: > "$T/rabbit/rabbitmq-env.conf"
	echo "[]." > "$T/rabbit/advanced.config"
	echo "[rabbitmq_mqtt]." > "$T/rabbit/enabled_plugins"
	cat > "$T/rabbit/rabbitmq.conf" <<EOF
# No AMQP listener: MQTT over TLS only, logins by password.
listeners.tcp = none
mqtt.listeners.tcp = none
mqtt.listeners.ssl.default = 127.0.0.1:$PORT
ssl_options.certfile = $PKI/server.crt
ssl_options.keyfile = $PKI/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
mqtt.allow_anonymous = false
mqtt.vhost = /
mqtt.exchange = amq.topic
# Only the built-in guest is kept to loopback; the test's users are local.
loopback_users = none
EOF
}

# After the first start: the users (passwords on standard input, never in
# argv) and the rules, as an operator would run them.
rabbit_logins() {
	local id
	for id in $IDS; do
		rabbit "$RABBIT_BIN/rabbitmqctl" -q add_user "$id" < "$T/id/$id.pw" > /dev/null || return 1
	done
	rabbit "$RABBIT_BIN/rabbitmqctl" -q set_permissions -p / tester '.*' '.*' '.*' || return 1
	"$CERTS" -d "$T/certs" rules rabbitmq > "$T/rabbit/rules.sh"
	rabbit sh "$T/rabbit/rules.sh"
}

broker_start_rabbitmq() {
	# Our own epmd, up before the node: a node that starts one itself may
	# try to register before it listens, and give up ("nodistribution").
	rabbit epmd -daemon
	for _ in $(seq 50); do
		epmd -port "$EPMD_PORT" -names > /dev/null 2>&1 && break
		sleep 0.1
	done
	rabbit "$RABBIT_BIN/rabbitmq-server" >> "$T/rabbitmq.log" 2>&1 &
	BROKER_PID=$!
	local deadline=$((SECONDS + 90))
	while ! [ "$(grep -c 'Server startup complete' "$T/rabbitmq.log")" -gt "$starts" ]; do
		kill -0 "$BROKER_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
	[ "$starts" -gt 0 ] || rabbit_logins
}

broker_stop_rabbitmq() {
	rabbit "$RABBIT_BIN/rabbitmqctl" -q shutdown > /dev/null 2>&1 ||
		kill -TERM "$BROKER_PID" 2>/dev/null
	wait "$BROKER_PID" 2>/dev/null
	BROKER_PID=
}

# Our epmd, and anything else the node left, known by the epmd port in
# its environment (read from /proc: CI's Debian has no pgrep).
rabbit_leftovers() {
	local p
	for p in /proc/[0-9]*; do
		# (processes come and go while this reads)
		{ tr '\0' '\n' < "$p/environ" | grep -qx "ERL_EPMD_PORT=$EPMD_PORT" &&
			echo "${p#/proc/}"; } 2>/dev/null
	done
	return 0
}

rabbit_cleanup() {
	[ -n "$EPMD_PORT" ] || return 0
	epmd -port "$EPMD_PORT" -kill > /dev/null 2>&1
	local pid
	for pid in $(rabbit_leftovers); do
		[ "$pid" = "$$" ] || kill -TERM "$pid" 2>/dev/null
	done
	EPMD_PORT=
}

# broker_up: ports, logins and the first start, with new ports if the first
# ones were taken meanwhile.
starts=0
broker_up() {
	local attempt
	for attempt in 1 2 3; do
		free_ports PORT AMQP_PORT DIST_PORT EPMD_PORT
		[ "$BROKER" = rabbitmq ] || EPMD_PORT=
		client_options
		"broker_users_$BROKER"
		starts=0
		if "broker_start_$BROKER"; then
			starts=1
			return 0
		fi
		say "$BROKER did not start (attempt $attempt):"
		tail -n 5 "$T/$BROKER.log"
		"broker_stop_$BROKER"
		[ "$BROKER" != rabbitmq ] || rabbit_cleanup
	done
	return 1
}

broker_down() {
	local door
	for door in "${!BRIDGE_PID[@]}"; do bridge_down "$door"; done
	[ -z "$BROKER_PID" ] || "broker_stop_$BROKER"
	[ "$BROKER" != rabbitmq ] || rabbit_cleanup
}

cleanup() {
	local f
	[ -z "$BROKER" ] || broker_down
	for f in "$T"/*.listener; do
		[ -f "$f" ] && unlisten "$(basename "$f" .listener)"
	done
	device_down "$T/mnt"
	remove_unless_kept "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ------------------------------------------------------------------ cases

# The bridge's default, mqtt_version auto: MQTT 5 where the broker takes
# it, 3.1.1 where it refuses (aedes) or hangs up (RabbitMQ 3.10).
case_connect() {
	local want="MQTT 5"
	[ "$BROKER" = mosquitto ] || want="MQTT 3.1.1"
	bridge_up d1
	grep -q '^mqtt_version' "$T/d1.conf" && fail "the configuration sets mqtt_version"
	# For the republish case, from now on: the exact topic, as RabbitMQ
	# replays retained messages to no other subscription.
	listen republish tester sesame/d1/state
	need "$T/$BROKER-d1.log" "connected to 127.0.0.1:$PORT as d1 ($want)"
}

# opens_d1 NAME: a signed open sent to d1 is accepted and reaches the device.
opens_d1() {
	local before
	before=$(device_count open)
	listen "$1" tester sesame/d1/event
	send tester sesame/d1/set "$(signed d1 open)"
	need "$T/$1.msgs" '"accepted":true,"command":"open","signed":true'
	seen "$T/device.log" open $((before + 1)) || fail "the device got no open"
	unlisten "$1"
}

case_command() {
	opens_d1 command
}

case_retained() {
	local got
	# One subscription per topic: RabbitMQ 3.10 replays a retained message
	# only to a subscription to exactly its topic.
	got=$(as tester mosquitto_sub -q 1 -t sesame/d1/state -C 1 -W "$TIMEOUT" -F '%r %t %p' 2>&1)
	[[ "$got" =~ ^1\ sesame/d1/state\ [a-z]+$ ]] || fail "a new subscriber got '$got' for the state"
	got=$(as tester mosquitto_sub -q 1 -t sesame/d1/availability -C 1 -W "$TIMEOUT" -F '%r %t %p' 2>&1)
	[ "$got" = "1 sesame/d1/availability online" ] || fail "a new subscriber got '$got' for availability"
}

case_rules() {
	local before
	bridge_up d2
	listen rules tester 'sesame/+/set' 'sesame/+/event'
	before=$(device_count open)
	# Each forbidden command is validly signed: only the broker stops it.
	send d2 sesame/d1/set "$(signed d1 open) d2-to-d1"
	send p1 sesame/d2/set "$(signed d2 open) p1-to-d2"
	send p1 sesame/d1/set "$(signed d1 close)"
	need "$T/rules.msgs" '"accepted":true,"command":"close","signed":true'
	# A marker sent after them: once it is in, so would they be.
	send tester sesame/marker/set end-of-rules
	need "$T/rules.msgs" end-of-rules
	grep -q 'd2-to-d1' "$T/rules.msgs" && fail "door d2 published to d1's set topic"
	grep -q 'p1-to-d2' "$T/rules.msgs" && fail "phone p1 published to d2's set topic"
	grep -q '"command":"open"' "$T/rules.msgs" && fail "a forbidden open reached a door"
	[ "$(device_count open)" = "$before" ] || fail "the device opened"
	# The two forbidden publishes, and nothing the bridges did (state,
	# events, discovery, their subscriptions), were refused.
	local refusals
	case $BROKER in
	mosquitto) refusals=$(grep -c "^Denied " "$T/mosquitto.log") ;;
	rabbitmq)  refusals=$(grep -c "(access_refused)" "$T/rabbitmq.log") ;;
	esac
	[ "$refusals" = 2 ] || fail "the broker refused $refusals things, not 2"
	unlisten rules
}

case_will() {
	[ -n "${BRIDGE_PID[d2]:-}" ] || bridge_up d2
	listen will tester sesame/d2/availability
	need "$T/will.msgs" "sesame/d2/availability online"
	bridge_down d2 KILL
	need "$T/will.msgs" "sesame/d2/availability offline"
	unlisten will
}

# A new key and certificate for the broker from the same CA, as a user
# renews them with sesame-certs: another fingerprint, the same CA and host
# names. (server.* are links to broker.*: the broker reads the new ones.)
renew_broker_cert() {
	rm -f "$PKI/broker.key" "$PKI/broker.crt" &&
		"$CERTS" -d "$PKI" broker localhost 127.0.0.1 > /dev/null
}

fingerprint() { openssl x509 -in "$PKI/server.crt" -noout -fingerprint -sha256; }

# After the retained state the listener got when it came, and whatever
# the commands changed, the same state comes again with nothing to change
# it, within the interval (and a little).
case_republish() {
	local n last got
	need "$T/republish.msgs" "MSG 1 sesame/d1/state"
	n=$(grep -c "^MSG . sesame/d1/state" "$T/republish.msgs")
	last=$(grep "^MSG . sesame/d1/state" "$T/republish.msgs" | tail -n 1 | cut -d' ' -f4)
	TIMEOUT=13 seen "$T/republish.msgs" "sesame/d1/state" $((n + 1)) ||
		fail "no state again within 13 s"
	# (The retain flag on a live delivery differs between brokers.)
	got=$(grep "^MSG . sesame/d1/state" "$T/republish.msgs" | tail -n 1 | cut -d' ' -f3-)
	[ "$got" = "sesame/d1/state $last" ] || fail "'$last' came again as '$got'"
	unlisten republish
}

case_restart() {
	local connects old_fp
	connects=$(grep -c "connected to" "$T/$BROKER-d1.log")
	"broker_stop_$BROKER"
	seen "$T/$BROKER-d1.log" "lost the connection" || fail "the bridge did not notice"
	old_fp=$(fingerprint)
	renew_broker_cert || fail "cannot renew the broker's certificate"
	[ "$(fingerprint)" != "$old_fp" ] || fail "the renewed certificate has the old fingerprint"
	if "broker_start_$BROKER"; then
		starts=$((starts + 1))
		# The bridge's configuration is as it was: the CA and the host
		# name are checked, not the certificate's fingerprint.
		need "$T/$BROKER-d1.log" "connected to" $((connects + 1))
		opens_d1 restart
	else
		fail "$BROKER did not start again"
	fi
}

# ------------------------------------------------------------------ set-up

# The cases, for each broker: case_NAME run with that broker up (the
# fixture broker-BROKER, which takes the previous broker down first).
# aedes has no access rules to check.
declare -A TITLE=(
	[connect]="the bridge connects with mqtt_version auto (MQTT 5 where the broker takes it, 3.1.1 where not)"
	[command]="a signed open reaches the device"
	[retained]="a new subscriber gets the retained state and availability"
	[rules]="sesame-certs' rules stop a door or phone publishing to another door"
	[will]="SIGKILL of the bridge makes the broker publish offline (the last will)"
	[republish]="the state is published again within republish_interval"
	[restart]="after a restart with a renewed certificate the bridge reconnects and obeys"
)
for b in $ALL_BROKERS; do
	for c in connect command retained rules will republish restart; do
		[ "$b/$c" != aedes/rules ] || continue
		case_def "$b-$c" "${TITLE[$c]} ($b)" "broker-$b"
		eval "$b-$c() { case_$c; }"
	done
	eval "fixture:broker-$b() { switch_broker $b; }"
done

switch_broker() {
	[ -z "$BROKER" ] || broker_down
	BROKER=$1
	note "== $BROKER"
	broker_up || fail "$BROKER does not start"
}

# The brokers the selected cases need.
selected_brokers() {
	local name
	for name in "${CASES_RUN[@]}"; do echo "${name%%-*}"; done | sort -u
}

suite_setup() {
	local tool b
	for tool in mosquitto mosquitto_pub mosquitto_sub mosquitto_passwd openssl fusermount3 stdbuf; do
		command -v "$tool" > /dev/null ||
			{ echo "$0: $tool is missing (scripts/deps.sh bridge-test)" >&2; exit 1; }
	done
	for b in $(selected_brokers); do
		case $b in
		aedes)
			if [ ! -f "$NODE_DIR/node_modules/aedes/package.json" ] || ! command -v node > /dev/null; then
				echo "$0: aedes is not installed in $NODE_DIR (make check-brokers does it)" >&2
				exit 1
			fi ;;
		rabbitmq)
			if [ ! -x "$RABBIT_BIN/rabbitmq-server" ] || ! command -v epmd > /dev/null; then
				echo "$0: rabbitmq-server is missing (scripts/deps.sh brokers)" >&2
				exit 1
			fi ;;
		esac
	done
	if [ ! -c /dev/fuse ]; then
		echo "$0: /dev/fuse is missing, so the /dev/sesame stand-in cannot run" >&2
		exit 4
	fi

	"$top/tests/lib/pki.sh" "$PKI" || return 1
	mkdir -p "$T/id" "$T/dev"
	for id in $IDS; do (umask 077; openssl rand -hex 16 > "$T/id/$id.pw"); done
	for door in d1 d2; do (umask 077; openssl rand -hex 32 > "$T/$door.hmac"); done

	# The doors and the phone as sesame-certs knows them, for its rules.
	{ "$CERTS" -d "$T/certs" ca && "$CERTS" -d "$T/certs" doors d1 d2 &&
	  "$CERTS" -d "$T/certs" opener p1 sesame/d1; } > "$T/certs.log" 2>&1 ||
		{ cat "$T/certs.log"; return 1; }

	: > "$T/device.log"
	device_up "$T/mnt" "$T/device.log" || return 1
	ln -s "$T/mnt/sesame" "$T/dev/sesame"
}

cases_main "$@"
